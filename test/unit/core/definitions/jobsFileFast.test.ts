import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ParseOptions, type ParseResult, parseJobsText, parseJobsTextFast, parseJobsTextTree } from '../../../../src/core/definitions/jobsFile';
import { readStrictJson } from '../../../../src/core/definitions/json/strictJson';
import { exampleJobsFile } from '../../../../src/extension/exampleJobsFile';
import { testRandom } from '../../../support/random';
import { file, workspace } from './jobsFileHelpers';

/**
 * The fast path (`JSON.parse`) must give exactly what the jsonc-parser tree gives, or give up.
 * Each check compares against `parseJobsTextTree`, including key order (JSON.stringify), and the
 * tests assert which path answered, so none can pass because the fast path quietly gave up.
 */

const options = (): ParseOptions => ({ baseDir: workspace() });

/** A generated file like the benchmark's: comments, every schedule kind, zones, env, retry, deps. */
function generated(count: number): string {
	const jobs = Array.from({ length: count }, (_, i) => {
		const schedule =
			i % 3 === 0 ? `{ "cron": "${i % 60} ${i % 24} * * *" }` : i % 3 === 1 ? `{ "every": "${5 + (i % 55)}m" }` : `{ "cron": "*/${1 + (i % 30)} * * * *", "timezone": "Europe/Berlin" }`;
		const deps = i % 10 === 9 ? `, "dependsOn": ["job-${i - 1}"]` : '';
		const env = `{ "JOB_INDEX": "${i}", "PATH_\\u00e9": "a\\"b\\\\c/*d*/ //e" }`;
		return `\t\t// job ${i}\n\t\t{ "id": "job-${i}", "name": "Job ${i}", "command": "echo job ${i}", "schedule": ${schedule}, "timeout": "10m", "retry": { "retries": 2, "backoff": "exponential", "delay": "5s" }, "env": ${env}${deps} }`;
	});
	return `/* generated */\n{\n\t"concurrency": 4,\n\t"jobs": [\n${jobs.join(',\n')}\n\t]\n}\n`;
}

/** The result as JSON, so the comparison also covers key order (deepEqual ignores it). */
function serialized(result: ParseResult): string {
	return JSON.stringify(result);
}

/** Parses both ways; returns whether the fast path answered. */
function compare(text: string, message = text.slice(0, 200)): boolean {
	const tree = parseJobsTextTree(text, file, options());
	const fast = parseJobsTextFast(text, file, options());
	if (fast) {
		assert.equal(serialized(fast), serialized(tree), message);
		assert.deepEqual(tree.diagnostics, [], message);
	}
	assert.equal(serialized(parseJobsText(text, file, options())), serialized(tree), message);
	return fast !== undefined;
}

test('takes the fast path for the example file and gives the same definitions', () => {
	assert.equal(compare(exampleJobsFile), true);
	assert.equal(parseJobsText(exampleJobsFile, file, options()).config.jobs.length, 4);
});

test('takes the fast path for a generated 1,000-job file with comments and escapes', () => {
	const text = generated(1000);
	assert.equal(compare(text), true);
	const jobs = parseJobsTextFast(text, file, options())!.config.jobs;
	assert.equal(jobs.length, 1000);
	assert.deepEqual(jobs[999].source, { file, line: 2004, column: 3 });
	assert.equal(jobs[5].env!.PATH_é, 'a"b\\c/*d*/ //e');
});

test('takes the fast path for trailing commas, block comments and a byte order mark', () => {
	const text = '\ufeff/* a */ {"jobs": [ /* b */ {"id": "a", "command": "echo // not a comment", "env": {"A": "1",},}, // c\n{"id": "b", "command": "x"},\n],}';
	assert.equal(compare(text), true);
	const jobs = parseJobsTextFast(text, file, options())!.config.jobs;
	assert.deepEqual(
		jobs.map((job) => job.source),
		[
			{ file, line: 1, column: 28 },
			{ file, line: 2, column: 1 },
		],
	);
});

test('gives the same source positions with CRLF and CR line endings', () => {
	for (const eol of ['\r\n', '\r']) {
		const text = generated(20).replace(/\n/g, eol);
		assert.equal(compare(text), true, JSON.stringify(eol));
		assert.deepEqual(parseJobsTextFast(text, file, options())!.config.jobs[19].source, { file, line: 44, column: 3 });
	}
});

test('keeps env key order as the tree does, numeric-looking keys included', () => {
	assert.equal(compare('{"jobs": [{"id": "a", "command": "x", "env": {"B": "1", "2": "x", "A": "y", "10": "z"}}]}'), true);
});

test('gives up on every text that has a diagnostic, and the tree reports it', () => {
	const cases = [
		'{"jobs": [{"id": "a", "command": "x", "id": "b"}]}',
		'{"jobs": [{"id": "a", "command": "x", "env": {"A": "1", "A": "2"}}]}',
		'{"jobs": [], "jobs": [{"id": "a", "command": "x"}]}',
		'{"jobs": [{"id": "a", "command": "x", "env": {"__proto__": "1"}}]}',
		'{"jobs": [{"id": "a", "command": "x", "__proto__": {"id": "b"}}]}',
		'{"jobs": [{"id": "a", "command": "x", "constructor": 1}]}',
		'{"jobs": [{"id": "a", "command": "x", "retry": {"retries": 1, "delay": "1m", "maxDelay": "1s"}}]}',
		'{"jobs": [{"id": "a", "command": "x"}, {"id": "a", "command": "y"}]}',
		'{"jobs": [{"id": "a", "command": "x", "dependsOn": ["b"]}]}',
		'{"jobs": [{"id": "a", "command": "x", "schedule": {"cron": "* * * * *", "timezone": "Mars/Base"}}]}',
		'{"jobs": [{"id": "a", "command": "x", "priority": 1/**/2}]}',
		'{"jobs": [{"id": "a", "command": "x", "dependsOn": [,]}]}',
		'{"jobs": [{"id": "a", "command": "x"},,]}',
		'{"jobs": [{"id": "a", "command": "x"}] /* unterminated }',
		'{"jobs": [{"id": "a", "command": "x"}] / }',
		'{"jobs": [{"id": "a", "command": "unterminated}]}',
		'{"jobs": [{"id": "a", "command": "x\ty"}]}',
		'{"jobs": [{"id": "a", "command": "x"}]}}',
		'{"jobs": [[{"id": "a", "command": "x"}]]}',
		'{"jobs": {"id": "a", "command": "x"}}',
		'[{"id": "a", "command": "x"}]',
		'{"jobs": [{"id": "a", "command": "x", "env": {"A": 1}}]}',
		`{"jobs": [{"id": "a", "command": "x", "env": ${'{"a": '.repeat(70)}1${'}'.repeat(70)}}]}`,
		'',
		'   ',
		'{"jobs": [{"id": "a", "command": "x"}], "concurrency": 0}',
		'{"$schema": {"jobs": [{"id": "z"}]}, "jobs": [{"id": "a", "command": "x"}]}',
		'{"jobs": [{"id": "a", "command": "x"}]}\u00a0',
	];
	for (const text of cases) {
		assert.equal(compare(text), false, text);
		assert.notDeepEqual(parseJobsTextTree(text, file, options()).diagnostics, [], text);
	}
});

test('gives the same result as the tree for thousands of mutated files', (t) => {
	const bases = [exampleJobsFile, generated(4), '{"jobs": [{"id": "a", "command": "x", "env": {"A": "1", "B": "2",}, "dependsOn": ["b"]}, {"id": "b", "command": "y"}]}'];
	const insertions = [',', '}', ']', '{', '[', '"', ':', '/', '\\', '*', '//x\n', '/*x*/', ' ', '\n', '"id": "z",', '"__proto__": 1,', '1', 'true', '\u2028'];
	const random = testRandom(t).int;
	let fast = 0;
	let slow = 0;
	for (let round = 0; round < 1500; round++) {
		let text = bases[round % bases.length];
		for (let edits = 1 + random(2); edits > 0; edits--) {
			const at = random(text.length);
			const kind = random(3);
			const insertion = insertions[random(insertions.length)];
			text = kind === 0 ? text.slice(0, at) + text.slice(at + 1) : kind === 1 ? text.slice(0, at) + text[at] + text.slice(at) : text.slice(0, at) + insertion + text.slice(at);
		}
		if (compare(text, `round ${round}: ${JSON.stringify(text)}`)) {
			fast++;
		} else {
			slow++;
		}
	}
	// Both paths must have been exercised many times for the comparison to mean anything.
	assert.ok(fast > 150, `fast path answered ${fast} times`);
	assert.ok(slow > 150, `tree answered ${slow} times`);
});

test('readStrictJson reads comments and trailing commas and locates the elements of the jobs array', () => {
	const text = '{ // x\n "jobs": [ {"a": [1, {}]}, /* y */ [ ], ], "b": "[{" }';
	const json = readStrictJson(text, 64);
	assert.deepEqual(json?.value, { jobs: [{ a: [1, {}] }, []], b: '[{' });
	assert.deepEqual(json?.elementOffsets, [text.indexOf('{"a"'), text.indexOf('[ ]')]);
});

test('readStrictJson refuses duplicate keys at any depth, deep nesting and tokens that comments would join', () => {
	assert.equal(readStrictJson('{"a": {"b": 1, "c": {"d": 1, "d": 2}}}', 64), undefined);
	assert.equal(readStrictJson('{"a": 1, "a": 1}', 64), undefined);
	assert.equal(readStrictJson('[[[1]]]', 2), undefined);
	assert.deepEqual(readStrictJson('[[[1]]]', 3)?.value, [[[1]]]);
	assert.equal(readStrictJson('[1/**/2]', 64), undefined);
	assert.equal(readStrictJson('[1 // x\n2]', 64), undefined);
	assert.deepEqual(readStrictJson('{"a": "\\"//\\\\", "b": 2}', 64)?.value, { a: '"//\\', b: 2 });
});
