import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { at, expectOneError, formatted, parse } from './jobsFileHelpers';

/** A file with one job per line (line 2 onwards), each `[id, extra fields]`. */
function jobs(...list: Array<[string, string?]>): string {
	const lines = list.map(([id, extra]) => `  { "id": ${JSON.stringify(id)}, "command": "x"${extra ? `, ${extra}` : ''} }`);
	return `{ "jobs": [\n${lines.join(',\n')}\n] }`;
}

const oneId = (id: string) => `{ "jobs": [ { "id": ${JSON.stringify(id)}, "command": "x" } ] }`;

test('rejects "." and "..", whose logs would land in or above logs/', () => {
	for (const id of ['.', '..']) {
		expectOneError(oneId(id), `"${id}"`, `jobs[0].id: "${id}" is not allowed: it names a folder, not a job, and the job's run logs would land outside logs/`);
	}
});

test('rejects an id ending in a dot, which Windows drops from file names', () => {
	expectOneError(oneId('backup.'), '"backup."', 'jobs[0].id: "backup." must not end with "."; Windows drops a trailing dot from file names');
	expectOneError(oneId('...'), '"..."', 'jobs[0].id: "..." must not end with "."; Windows drops a trailing dot from file names');
});

test('rejects Windows device names in any case, with or without an extension', () => {
	for (const [id, device] of [
		['con', 'con'],
		['NUL', 'NUL'],
		['Aux', 'Aux'],
		['prn.log', 'prn'],
		['com1', 'com1'],
		['COM9.tar.gz', 'COM9'],
		['lpt1', 'lpt1'],
		['LPT0', 'LPT0'],
	]) {
		expectOneError(oneId(id), `"${id}"`, `jobs[0].id: "${id}" is not allowed: "${device}" is a device name on Windows, which refuses it as a file name`);
	}
});

test('keeps ids that only look like device names, and a leading dot', () => {
	const text = jobs(['console'], ['nul_check'], ['com10'], ['x.con'], ['lpt'], ['.hidden'], ['db.backup_2-x']);
	assert.deepEqual(formatted(parse(text).diagnostics), []);
	assert.equal(parse(text).config.jobs.length, 7);
});

test('limits an id to 128 characters', () => {
	assert.equal(parse(oneId('x'.repeat(128))).config.jobs.length, 1);
	const long = 'x'.repeat(129);
	expectOneError(oneId(long), `"${long}"`, 'jobs[0].id: is 129 characters long; the limit is 128');
});

test('rejects an empty id and path separators', () => {
	expectOneError(oneId(''), '""', 'jobs[0].id: must not be empty');
	expectOneError(oneId('a/b'), '"a/b"', 'jobs[0].id: "a/b" may only contain letters, digits, ".", "_" and "-"');
	expectOneError(oneId('a\\b'), '"a\\\\b"', 'jobs[0].id: "a\\\\b" may only contain letters, digits, ".", "_" and "-"');
});

test('rejects an id that differs from an earlier one only in case, naming the first', () => {
	const text = jobs(['good'], ['other'], ['Good'], ['GOOD']);
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [
		at(text, '"Good"', 'jobs[2].id: "Good" differs from the id "good" (line 2) only in case; both would share one log folder on macOS and Windows'),
		at(text, '"GOOD"', 'jobs[3].id: "GOOD" differs from the id "good" (line 2) only in case; both would share one log folder on macOS and Windows'),
	]);
	assert.deepEqual(
		result.config.jobs.map((job) => job.id),
		['good', 'other'],
	);
	assert.equal(result.diagnostics[0].jobId, 'Good');
});

test('leaves out a job that depends on a case-colliding id, saying why', () => {
	const text = jobs(['build'], ['Build'], ['deploy', '"dependsOn": ["Build"]'], ['test', '"dependsOn": ["build"]']);
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [
		at(text, '"Build"', 'jobs[1].id: "Build" differs from the id "build" (line 2) only in case; both would share one log folder on macOS and Windows'),
		at(text, '"Build"', 'jobs[2].dependsOn[0]: depends on "Build", which is left out because of errors', { occurrence: 1 }),
	]);
	assert.deepEqual(
		result.config.jobs.map((job) => job.id),
		['build', 'test'],
	);
});

test('an exact duplicate is still reported as a duplicate, not as a case collision', () => {
	const text = jobs(['a'], ['a']);
	assert.deepEqual(formatted(parse(text).diagnostics), [at(text, '"a"', 'jobs[1].id: duplicate id "a" (first at line 2)', { occurrence: 1 })]);
});
