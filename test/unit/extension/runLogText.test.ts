import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatInstant } from '../../../src/core/base/timeFormat';
import type { RunRecord } from '../../../src/core/model';
import { cleanOutput, type RunLogInput, runLogFooter, runLogHeader, runLogText, runLogTitle } from '../../../src/extension/runLogText';

const started = new Date(2026, 11, 1, 21, 36, 37).getTime();

function input(extra: Partial<RunLogInput> = {}): RunLogInput {
	return {
		jobId: 'test',
		jobName: 'Unit tests',
		runId: 'mx57vqrc-cf363c',
		attempt: 2,
		attempts: 3,
		trigger: 'schedule',
		scheduledAt: new Date(2026, 11, 1, 21, 36, 0).toISOString(),
		startedAt: started,
		command: 'npm test',
		cwd: '/work/project',
		timeoutMs: 3000,
		definitionIsCurrent: false,
		logFile: '/state/logs/test/mx57vqrc-cf363c-2.log',
		...extra,
	};
}

function record(extra: Partial<RunRecord>): RunRecord {
	return {
		jobId: 'test',
		runId: 'mx57vqrc-cf363c',
		attempt: 2,
		status: 'completed',
		exitCode: 0,
		startedAt: new Date(started).toISOString(),
		endedAt: new Date(started + 2300).toISOString(),
		durationMs: 2300,
		trigger: 'schedule',
		...extra,
	};
}

test('the title names the job, the start time and the attempt, not the log file', () => {
	assert.equal(runLogTitle(input(), started + 60_000), 'Unit tests · 21:36:37 · attempt 2');
	assert.equal(runLogTitle(input({ attempt: 1, attempts: 1 }), started), 'Unit tests · 21:36:37');
	assert.equal(runLogTitle(input({ attempt: 1, attempts: 1 }), started + 2 * 86_400_000), `Unit tests · ${formatInstant(started)}`);
	assert.equal(runLogTitle(input({ jobName: 'a/b', startedAt: undefined, attempts: 1, attempt: 1 }), started), 'a∕b');
});

test('the header has the command, cwd, trigger and start', () => {
	const header = runLogHeader(input());
	assert.equal(header[0], 'Unit tests (test) · run mx57vqrc-cf363c · attempt 2 of 3');
	assert.ok(header.includes('Command    npm test'));
	assert.ok(header.includes('Cwd        /work/project'));
	assert.ok(header.includes(`Trigger    schedule (due ${formatInstant(new Date(2026, 11, 1, 21, 36, 0).getTime())})`));
	assert.ok(header.includes(`Started    ${formatInstant(started)}`));
	assert.ok(header.includes('Log file   /state/logs/test/mx57vqrc-cf363c-2.log'));
});

test('the header says when the command is today\'s definition rather than the run\'s, and indents a multi-line command', () => {
	const header = runLogHeader(input({ definitionIsCurrent: true, command: 'set -e\nnpm ci\nnpm test', trigger: 'manual', scheduledAt: undefined }));
	assert.deepEqual(header.slice(1, 4), ['Command    set -e', '           npm ci', '           npm test (as defined now)']);
	assert.ok(header.includes('Trigger    run by hand'));
});

test('the footer of a timeout says it was killed after the timeout, with the duration', () => {
	const footer = runLogFooter(input({ record: record({ status: 'failed', reason: 'timeout', exitCode: null, signal: 'SIGTERM', durationMs: 3004, message: 'timed out after 3 s' }) }), started);
	assert.match(footer[1], /^✗ Failed · killed after the 3 s timeout · took 3 s · ended /);
});

test('the footer names the exit code, the signal, a retry to follow', () => {
	assert.match(runLogFooter(input({ record: record({}) }), started)[1], /^✓ Completed · exit code 0 · took 2.3 s/);
	assert.match(runLogFooter(input({ record: record({ status: 'failed', reason: 'exit-code', exitCode: 3 }) }), started)[1], /^✗ Failed · exit code 3 · /);
	assert.match(runLogFooter(input({ record: record({ status: 'failed', reason: 'signal', exitCode: null, signal: 'SIGKILL' }) }), started)[1], /^✗ Failed · killed by SIGKILL · /);
	const retried = runLogFooter(input({ attempt: 1, record: record({ attempt: 1, status: 'failed', reason: 'exit-code', exitCode: 1, willRetry: true }) }), started);
	assert.equal(retried[2], 'Attempt 2 of 3 follows.');
});

test('while the run goes on the footer says so and how long it has run', () => {
	assert.equal(runLogFooter(input({ state: 'running' }), started + 12_000)[1], '▶ Running for 12 s; the output follows live.');
	assert.equal(runLogFooter(input({ state: 'queued', startedAt: undefined }), started)[1], '… Waiting (queued).');
});

test('escape codes never reach the document: colours, cursor moves, links, progress redraws', () => {
	const raw = '\x1b[32m✓\x1b[39m 12 passing\r\n\x1b]8;;https://x.test\x07link\x1b]8;;\x07\n10%\r50%\r\x1b[2K100%\n\x1b[?25lcursor hidden\nding\x07\n';
	const clean = cleanOutput(raw);
	assert.equal(clean, '✓ 12 passing\nlink\n100%\ncursor hidden\nding\n');
	assert.doesNotMatch(clean, /[\x00-\x08\x0b-\x1f\x7f]/);
});

test('the document is header, output and footer; a finished run without output says so', () => {
	const text = runLogText(input({ record: record({}) }), '\x1b[1mok\x1b[0m', started);
	assert.match(text, /^Unit tests \(test\)/);
	assert.match(text, /─\nok\n─+\n✓ Completed/);
	assert.doesNotMatch(text, /\x1b/);
	assert.match(runLogText(input({ record: record({}), logFile: undefined }), '', started), /─\n\(no output\)\n─/);
});
