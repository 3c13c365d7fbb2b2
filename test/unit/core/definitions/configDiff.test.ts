import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { createLogger, MemoryLogSink } from '../../../../src/core/base/logger';
import { describeConfigDiff, diffConfig, describedJobLimit } from '../../../../src/core/definitions/configDiff';
import { readJobsFile } from '../../../../src/core/definitions/jobsFile';
import { Engine } from '../../../../src/core/engine/engine';
import type { JobDefinition } from '../../../../src/core/model';

const job = (id: string, extra: Partial<JobDefinition> = {}): JobDefinition => ({ id, command: `echo ${id}`, ...extra });

test('names added, changed and removed jobs in the order of the new file, removed last', () => {
	const diff = diffConfig({ jobs: [job('old'), job('lint'), job('build')] }, { jobs: [job('build'), job('lint', { command: 'eslint .' }), job('nightly')] });
	assert.deepEqual(diff.jobs, [
		{ id: 'lint', kind: 'changed', fields: ['command'] },
		{ id: 'nightly', kind: 'added' },
		{ id: 'old', kind: 'removed' },
	]);
	assert.equal(describeConfigDiff(diff), 'lint: command changed; nightly: added; old: removed');
});

test('uses the file names of fields and lists several in one phrase', () => {
	const diff = diffConfig(
		{ jobs: [job('a', { timeoutMs: 1000, startingDeadlineMs: 5 })] },
		{ jobs: [job('a', { timeoutMs: 3000, startingDeadlineMs: 6, schedule: { kind: 'every', everyMs: 5000 } })] },
	);
	assert.equal(describeConfigDiff(diff), 'a: timeout, startingDeadline and schedule changed');
});

test('reads enabled as the state the job moved to, an absent enabled as true', () => {
	const off = diffConfig({ jobs: [job('a'), job('b', { enabled: false })] }, { jobs: [job('a', { enabled: false, cwd: '/x' }), job('b')] });
	assert.equal(describeConfigDiff(off), 'a: disabled, cwd changed; b: enabled');
	assert.deepEqual(diffConfig({ jobs: [job('a', { enabled: true })] }, { jobs: [job('a')] }).jobs, []);
});

test('a moved definition, a reordered env or an equal nested value is no change', () => {
	const before = job('a', { env: { A: '1', B: '2' }, retry: { retries: 1, backoff: 'fixed', delayMs: 10 }, source: { file: 'f', line: 3, column: 1 } });
	const after = job('a', { env: { B: '2', A: '1' }, retry: { retries: 1, backoff: 'fixed', delayMs: 10 }, source: { file: 'f', line: 9, column: 5 } });
	const diff = diffConfig({ jobs: [before] }, { jobs: [after] });
	assert.deepEqual(diff, { jobs: [], settings: [] });
	assert.equal(describeConfigDiff(diff), 'nothing changed');
});

test('reports concurrency and retention changes of the file', () => {
	const diff = diffConfig({ concurrency: 4, jobs: [] }, { concurrency: 2, retention: { runs: 5 }, jobs: [] });
	assert.equal(describeConfigDiff(diff), 'concurrency changed; retention changed');
});

test('names at most the first jobs of a large reload and counts the rest', () => {
	const many = Array.from({ length: describedJobLimit + 3 }, (_, i) => job(`j${i}`));
	const text = describeConfigDiff(diffConfig({ jobs: [] }, { jobs: many }));
	assert.equal(text.split('; ').length, describedJobLimit + 1);
	assert.match(text, /^j0: added; .*; and 3 more jobs changed$/);
});

test('an edit of the file reads back as the change it made', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-diff-'));
	const file = path.join(dir, '.jobs.json');
	fs.writeFileSync(file, JSON.stringify({ jobs: [{ id: 'lint', command: 'eslint' }, { id: 'test', command: 'npm test', timeout: '3s' }] }));
	const first = readJobsFile(file).config;
	fs.writeFileSync(file, JSON.stringify({ jobs: [{ id: 'test', command: 'npm test', timeout: '5s' }, { id: 'lint', command: 'eslint .' }, { id: 'nightly', command: 'x', schedule: { cron: '0 3 * * *' } }] }));
	const second = readJobsFile(file).config;
	assert.equal(describeConfigDiff(diffConfig(first, second)), 'test: timeout changed; lint: command changed; nightly: added');
});

test('the engine logs a reload as what changed, and a reload that changed nothing below info', () => {
	const sink = new MemoryLogSink();
	const engine = new Engine({ workspaceFolder: os.tmpdir(), logger: createLogger(sink) });
	engine.load({ jobs: [job('lint'), job('test')] });
	const diff = engine.load({ jobs: [job('lint', { command: 'eslint .' }), job('test'), job('nightly')] });
	engine.load({ jobs: [job('lint', { command: 'eslint .' }), job('test'), job('nightly')] });
	assert.deepEqual(
		diff.jobs.map((c) => c.id),
		['lint', 'nightly'],
	);
	assert.deepEqual(
		sink.lines.filter((l) => /Loaded|Reloaded/.test(l.message)).map((l) => [l.level, l.message]),
		[
			['info', 'Loaded 2 jobs'],
			['info', 'Reloaded: lint: command changed; nightly: added'],
			['debug', 'Reloaded: nothing changed'],
		],
	);
	engine.dispose();
});
