import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { type Diagnostic, formatDiagnostic } from '../../../../src/core/definitions/diagnostic';
import { knownTopLevelFields, maxJobs, readJobsFile } from '../../../../src/core/definitions/jobsFile';
import type { JobDefinition } from '../../../../src/core/model';
import { at, expectOneError, file, formatted, locate, oneJob, parse, workspace } from './jobsFileHelpers';

const fullExample = `// Jobs of this workspace
{ "$schema": "./schemas/jobs.schema.json", "concurrency": 8,
  "jobs": [
    { "id": "lint", "name": "Lint", "command": "npm run lint",
      "schedule": { "cron": "*/15 * * * *", "timezone": "Europe/Berlin" },
      "timeout": "5m", "retry": { "retries": 2, "backoff": "exponential", "delay": "1s", "maxDelay": "1m", "jitter": 0.2 },
      "cwd": "packages/app", "env": { "CI": "1" }, "dependsOn": ["build"], "overlap": "skip", "priority": 0, "enabled": true,
      "catchUp": "once", "startingDeadline": "1h" },
    /* trailing commas are fine */
    { "id": "build", "command": "make", "schedule": { "every": 60000 }, "retry": 3, },
  ],
}
`;

test('reads the full example into the expected definitions', () => {
	const result = parse(fullExample);
	assert.deepEqual(result.diagnostics, []);
	const lint: JobDefinition = {
		id: 'lint',
		name: 'Lint',
		command: 'npm run lint',
		schedule: { kind: 'cron', expression: '*/15 * * * *', timezone: 'Europe/Berlin' },
		timeoutMs: 300_000,
		retry: { retries: 2, backoff: 'exponential', delayMs: 1000, maxDelayMs: 60_000, jitter: 0.2 },
		cwd: path.join(workspace(), 'packages', 'app'),
		env: { CI: '1' },
		dependsOn: ['build'],
		overlap: 'skip',
		priority: 0,
		enabled: true,
		catchUp: 'once',
		startingDeadlineMs: 3_600_000,
		source: { file, line: 4, column: 5 },
	};
	const build: JobDefinition = {
		id: 'build',
		command: 'make',
		schedule: { kind: 'every', everyMs: 60_000 },
		retry: { retries: 3, backoff: 'fixed', delayMs: 1000 },
		cwd: workspace(),
		source: { file, line: 10, column: 5 },
	};
	assert.deepEqual(result.config, { concurrency: 8, jobs: [lint, build] });
});

test('leaves out only the invalid job and tags its diagnostics with the job id', () => {
	const text = `{ "jobs": [\n  { "id": "good", "command": "true" },\n  { "comand": "x", "id": "bad", "command": "y" }\n] }`;
	const result = parse(text);
	assert.deepEqual(
		result.config.jobs.map((job) => job.id),
		['good'],
	);
	assert.deepEqual(formatted(result.diagnostics), [at(text, '"comand"', 'jobs[1].comand: unknown field (did you mean "command"?)')]);
	assert.equal(result.diagnostics[0].jobId, 'bad');
	assert.equal(result.diagnostics[0].path, 'jobs[1].comand');
});

test('sets the start and exclusive end of a diagnostic', () => {
	const d = expectOneError(oneJob('"timeout": "5x"'), '"5x"', 'jobs[0].timeout: unknown unit "x" in "5x"; use ms, s, m, h or d');
	assert.deepEqual([d.line, d.column, d.endLine, d.endColumn], [3, 48, 3, 52]);
	assert.equal(d.severity, 'error');
	assert.equal(d.file, file);
});

test('formats a diagnostic as PATH:LINE:COL: severity: MESSAGE', () => {
	const d: Diagnostic = { file: 'a/.jobs.json', line: 3, column: 7, endLine: 3, endColumn: 9, path: 'jobs[0].x', message: 'jobs[0].x: bad', severity: 'error' };
	assert.equal(formatDiagnostic(d), 'a/.jobs.json:3:7: error: jobs[0].x: bad');
	assert.equal(formatDiagnostic({ ...d, severity: 'warning' }), 'a/.jobs.json:3:7: warning: jobs[0].x: bad');
});

test('reports each syntax error with its position, worded as a syntax error', () => {
	const text = '{ "jobs": [\n  { "id": "a" "command": "x" },\n  { "id": "b", "command": "y", }\n] }';
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [at(text, '"command": "x"', 'syntax error: expected comma')]);
	assert.equal(result.diagnostics[0].path, '');
	assert.equal(result.diagnostics[0].jobId, 'a');
	assert.deepEqual(
		result.config.jobs.map((job) => job.id),
		['b'],
	);
});

test('reports a missing property name and a missing value', () => {
	const text = '{ "jobs": [], 3: 4, "qqqq": }';
	assert.deepEqual(formatted(parse(text).diagnostics), [
		at(text, '3:', 'syntax error: property name expected'),
		at(text, ', "qqqq"', 'syntax error: value expected'),
		at(text, '"qqqq"', `qqqq: unknown field (known fields: ${knownTopLevelFields.join(', ')})`),
		at(text, '}', 'syntax error: value expected'),
	]);
});

test('leaves out a job cut short by the end of the file', () => {
	const text = '{ "jobs": [\n  { "id": "a", "command": "x" },\n  { "id": "b", "command": "y"';
	const result = parse(text);
	assert.deepEqual(
		result.config.jobs.map((job) => job.id),
		['a'],
	);
	assert.ok(result.diagnostics.length > 0 && result.diagnostics.every((d) => d.jobId === 'b' && d.line === 3));
});

test('accepts comments, trailing commas and a byte order mark', () => {
	const text = '\uFEFF{ // c\n "jobs": [ /* c */ { "id": "a", "command": "x", }, ], }';
	const result = parse(text);
	assert.deepEqual(result.diagnostics, []);
	assert.deepEqual(result.config.jobs[0].source, { file, line: 2, column: 20 });
});

test('says so when the root is not an object', () => {
	const text = '\n[ { "id": "a" } ]';
	assert.deepEqual(formatted(parse(text).diagnostics), [at(text, '[', 'the file must contain an object with a "jobs" array, got array')]);
});

test('says so when jobs is missing or not an array', () => {
	assert.deepEqual(formatted(parse('{ }').diagnostics), [`${file}:1:1: error: missing required field "jobs" (an array of jobs)`]);
	const text = '{ "jobs": { "id": "a" } }';
	assert.deepEqual(formatted(parse(text).diagnostics), [at(text, '{ "id"', 'jobs: must be an array of jobs, got object')]);
});

test('reports an empty file', () => {
	assert.deepEqual(formatted(parse(' \n').diagnostics), [`${file}:1:1: error: the file is empty; expected an object with a "jobs" array`]);
});

test('rejects a job that is not an object', () => {
	const text = '{ "jobs": [ "lint" ] }';
	assert.deepEqual(formatted(parse(text).diagnostics), [at(text, '"lint"', 'jobs[0]: must be an object with "id" and "command", got string')]);
});

test('checks concurrency and keeps the default 4 when it is invalid', () => {
	for (const value of ['0', '257', '2.5', '"4"']) {
		const text = `{ "concurrency": ${value}, "jobs": [] }`;
		const got = value.startsWith('"') ? 'string' : value;
		const result = parse(text);
		assert.deepEqual(formatted(result.diagnostics), [at(text, value, `concurrency: must be an integer from 1 to 256, got ${got}`)]);
		assert.equal(result.config.concurrency, 4);
	}
	assert.equal(parse('{ "jobs": [] }').config.concurrency, 4);
	assert.equal(parse('{ "concurrency": 256, "jobs": [] }').config.concurrency, 256);
});

test('rejects a $schema that is not a string', () => {
	const text = '{ "$schema": 1, "jobs": [] }';
	assert.deepEqual(formatted(parse(text).diagnostics), [at(text, '1', '$schema: must be a URL or path string, got number')]);
});

test('suggests the nearest field for an unknown top-level field', () => {
	const text = '{ "jbos": [] }';
	assert.deepEqual(formatted(parse(text).diagnostics), [
		`${file}:1:1: error: missing required field "jobs" (an array of jobs)`,
		at(text, '"jbos"', 'jbos: unknown field (did you mean "jobs"?)'),
	]);
});

test('reports a duplicate key at its second occurrence', () => {
	const text = '{\n  "concurrency": 2,\n  "jobs": [],\n  "concurrency": 3\n}';
	assert.deepEqual(formatted(parse(text).diagnostics), [at(text, '"concurrency"', 'concurrency: duplicate key "concurrency" (first at line 2)', { occurrence: 1 })]);
	expectOneError(oneJob('"command": "again"'), '"command"', 'jobs[0].command: duplicate key "command" (first at line 3)', 1);
});

test('rejects __proto__, constructor and prototype keys without touching any prototype', () => {
	const text = '{ "constructor": 1, "jobs": [ { "id": "a", "command": "x", "__proto__": { "polluted": true } } ] }';
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [
		at(text, '"constructor"', 'constructor: "constructor" is not allowed as a key'),
		at(text, '"__proto__"', 'jobs[0].__proto__: "__proto__" is not allowed as a key'),
	]);
	assert.equal(({} as Record<string, unknown>).polluted, undefined);
	const proto = oneJob('"env": { "prototype": "1" }');
	expectOneError(proto, '"prototype"', 'jobs[0].env.prototype: "prototype" is not allowed as a key');
});

test('rejects nesting deeper than 64 at the position where it is exceeded', () => {
	const text = `{ "jobs": [ { "id": "a", "command": "x", "env": ${'['.repeat(70)}${']'.repeat(70)} } ] }`;
	const result = parse(text);
	// 64 levels are the root, jobs, the job and 61 of env's brackets: the 62nd is one too many.
	const column = text.indexOf('[[') + 1 + 61;
	assert.deepEqual(formatted(result.diagnostics), [`${file}:1:${column}: error: nesting is deeper than 64 levels; the file is not a jobs file`]);
	assert.deepEqual(result.config.jobs, []);
});

test('does not overflow the stack on deep nesting, even through mismatched closers', () => {
	for (const text of ['['.repeat(100_000), `{${'"a": ], "b": {'.repeat(20_000)}`]) {
		const result = parse(text);
		assert.equal(result.diagnostics.length, 1);
		assert.match(result.diagnostics[0].message, /nesting is deeper than 64 levels/);
	}
});

test('rejects a text above 5 MB before parsing it', () => {
	const text = `{ "jobs": [], "pad": "${'x'.repeat(5 * 1024 * 1024)}" }`;
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [`${file}:1:1: error: the file is too large: it has ${text.length} characters; the limit is 5242880 (5 MB)`]);
});

test('rejects more than 10,000 jobs', () => {
	const text = `{ "jobs": [${'{},'.repeat(maxJobs)}{}] }`;
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [at(text, '[', 'jobs: has 10001 jobs; the limit is 10000')]);
});

test('rejects strings above 64 KB, commands included', () => {
	const long = 'x'.repeat(64 * 1024 + 1);
	expectOneError(oneJob(`"name": "${long}"`), `"${long}"`, 'jobs[0].name: is 65537 characters long; the limit is 65536');
	const text = `{ "jobs": [ { "id": "a", "command": "${long}" } ] }`;
	expectOneError(text, `"${long}"`, 'jobs[0].command: is 65537 characters long; the limit is 65536');
});

test('shortens very long keys in field paths', () => {
	const key = 'k'.repeat(500);
	const shown = `jobs[0].env["${'k'.repeat(100)}..."]`;
	const d = expectOneError(oneJob(`"env": { "${key}": 1 }`), '1 }', `${shown}: must be a string, got number`);
	assert.equal(d.path, shown);
});

test('keeps the first 1000 diagnostics and counts the rest', () => {
	const fields = Array.from({ length: 1100 }, (_, i) => `"unknown${i}": 1`).join(', ');
	const result = parse(`{ "jobs": [], ${fields} }`);
	assert.equal(result.diagnostics.length, 1001);
	assert.equal(result.diagnostics[1000].message, '100 more problems not shown');
});

test('lists diagnostics in file order', () => {
	const text = '{ "jobs": [\n  { "id": "b", "command": "x", "dependsOn": ["zzz"] },\n  { "id": "a", "comand": "x" }\n] }';
	const lines = parse(text).diagnostics.map((d) => d.line);
	assert.deepEqual(lines, [...lines].sort((x, y) => x - y));
});

test('reads a file from disk, with cwd relative to its folder', () => {
	const jobsFile = path.join(workspace(), 'disk.jobs.json');
	fs.writeFileSync(jobsFile, '{ "jobs": [ { "id": "a", "command": "x", "cwd": "packages/app" } ] }');
	const result = readJobsFile(jobsFile);
	assert.deepEqual(result.diagnostics, []);
	assert.equal(result.config.jobs[0].cwd, path.join(workspace(), 'packages', 'app'));
	assert.deepEqual(result.config.jobs[0].source, { file: jobsFile, line: 1, column: 13 });
});

test('turns a missing file or a folder into one diagnostic at 1:1', () => {
	const missing = path.join(workspace(), 'missing.json');
	const result = readJobsFile(missing);
	assert.deepEqual(formatted(result.diagnostics), [`${missing}:1:1: error: the jobs file does not exist`]);
	assert.deepEqual(result.config, { concurrency: 4, jobs: [] });
	assert.equal(result.diagnostics[0].path, '');
	assert.deepEqual(formatted(readJobsFile(workspace()).diagnostics), [`${workspace()}:1:1: error: the path is a folder, not a jobs file`]);
});

test('refuses to read a file above 5 MB', () => {
	const big = path.join(workspace(), 'big.jobs.json');
	fs.writeFileSync(big, Buffer.alloc(5 * 1024 * 1024 + 1, 0x20));
	assert.deepEqual(formatted(readJobsFile(big).diagnostics), [`${big}:1:1: error: the file is too large: it is 5242881 bytes; the limit is 5242880 bytes (5 MB)`]);
	fs.rmSync(big);
});

test('locates positions on lines ending in CRLF', () => {
	const text = '{\r\n  "jobs": [\r\n    { "id": "a", "command": 1 }\r\n  ]\r\n}';
	const d = parse(text).diagnostics[0];
	assert.deepEqual([d.line, d.column], [3, locate(text.replace(/\r/g, ''), '1 }').column]);
});
