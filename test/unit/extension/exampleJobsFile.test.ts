import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJobsText } from '../../../src/core/definitions/jobsFile';
import { exampleJobsFile } from '../../../src/extension/exampleJobsFile';

test('the example .jobs.json parses without problems', () => {
	const result = parseJobsText(exampleJobsFile, '/workspace/.jobs.json', { baseDir: '/' });
	assert.deepEqual(result.diagnostics, []);
	assert.deepEqual(
		result.config.jobs.map((j) => j.id),
		['hello', 'status', 'morning', 'after-hello'],
	);
});

test('the example has comments (it is JSONC that explains itself)', () => {
	assert.match(exampleJobsFile, /^\s*\/\/ /m);
});
