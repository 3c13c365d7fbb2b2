import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActiveRun, JobDefinition, RunRecord } from '../../../src/core/model';
import { describeActiveAttempt, describeAttempt, describeRunGroup, groupRuns, hasAttemptRows, runOutcome } from '../../../src/extension/runPresenter';

const zone = 'UTC';
const now = Date.UTC(2026, 11, 1, 21, 40);
const flaky = { definition: { id: 'test', command: 'x', retry: { retries: 2, backoff: 'fixed', delayMs: 1000 } } satisfies JobDefinition };

/** An attempt record of run `runId` that started `minutesAgo` before `now` and took 1.2 s. */
function attempt(runId: string, n: number, status: RunRecord['status'], minutesAgo: number, extra: Partial<RunRecord> = {}): RunRecord {
	const start = now - minutesAgo * 60_000;
	return {
		jobId: 'test',
		runId,
		attempt: n,
		status,
		reason: status === 'failed' ? 'exit-code' : undefined,
		exitCode: status === 'failed' ? 1 : 0,
		startedAt: new Date(start).toISOString(),
		endedAt: new Date(start + 1200).toISOString(),
		durationMs: 1200,
		trigger: 'schedule',
		willRetry: status === 'failed' && n < 3 ? true : undefined,
		...extra,
	};
}

test('groups attempts by run, newest run first, attempts in order', () => {
	const history = [attempt('r1', 1, 'failed', 10), attempt('r1', 2, 'completed', 9), attempt('r2', 1, 'completed', 5), attempt('r3', 1, 'failed', 2), attempt('r3', 2, 'failed', 1.9), attempt('r3', 3, 'failed', 1.8)];
	const groups = groupRuns(history, [], 5, false);
	assert.deepEqual(
		groups.map((g) => [g.runId, g.attempts.map((r) => r.attempt)]),
		[
			['r3', [1, 2, 3]],
			['r2', [1]],
			['r1', [1, 2]],
		],
	);
});

test('a run that passed on its second attempt is one green row with its attempts under it', () => {
	const [group] = groupRuns([attempt('r1', 1, 'failed', 10), attempt('r1', 2, 'completed', 9.9)], [], 5, false);
	const row = describeRunGroup(group, flaky, now, zone);
	assert.equal(row.iconId, 'pass');
	assert.equal(row.label, '21:30:00');
	assert.equal(row.description, 'passed on attempt 2 of 3');
	assert.equal(hasAttemptRows(group), true);
	assert.deepEqual(
		group.attempts.map((r) => describeAttempt(r, now, zone)).map((p) => [p.label, p.description, p.iconId]),
		[
			['attempt 1', 'exit 1 after 1.2 s', 'error'],
			['attempt 2', 'passed in 1.2 s', 'pass'],
		],
	);
	assert.match(describeAttempt(group.attempts[0], now, zone).tooltipMarkdown, /\*\*Started:\*\* 21:30:00/);
});

test('a run that failed every attempt says so once', () => {
	const [group] = groupRuns([attempt('r1', 1, 'failed', 3), attempt('r1', 2, 'failed', 2), attempt('r1', 3, 'failed', 1)], [], 5, false);
	assert.equal(runOutcome(group, flaky, now), 'failed all 3 attempts (last: failed (exit 1) after 1.2 s)');
	assert.equal(describeRunGroup(group, flaky, now, zone).iconId, 'error');
});

test('a single-attempt run is one row without children, with its trigger', () => {
	const [group] = groupRuns([attempt('r1', 1, 'completed', 2, { logFile: '/tmp/r1.log' })], [], 5, false);
	const row = describeRunGroup(group, flaky, now, zone);
	assert.equal(row.description, 'completed in 1.2 s · schedule');
	assert.equal(row.contextValue, 'run.completed.log');
	assert.equal(hasAttemptRows(group), false);
});

test('a run retrying now nests its failed attempts beside the one in flight', () => {
	const active: ActiveRun = { runId: 'r9', jobId: 'test', attempt: 2, state: 'running', trigger: 'manual', startedAt: new Date(now - 3000).toISOString() };
	const [group] = groupRuns([attempt('r9', 1, 'failed', 0.2)], [active], 5, false);
	assert.equal(group.active, active);
	assert.equal(describeRunGroup(group, flaky, now, zone).description, 'running 3 s · attempt 2 of 3');
	assert.equal(describeActiveAttempt(active, flaky, now).description, 'running 3 s');
	assert.equal(hasAttemptRows(group), true);
});

test('drops the oldest run when the read cut off its first attempts, and keeps at most the limit', () => {
	const history = [attempt('r0', 2, 'completed', 20), attempt('r1', 1, 'completed', 10), attempt('r2', 1, 'completed', 5)];
	assert.deepEqual(
		groupRuns(history, [], 5, true).map((g) => g.runId),
		['r2', 'r1'],
	);
	assert.deepEqual(
		groupRuns(history, [], 5, false).map((g) => g.runId),
		['r2', 'r1', 'r0'],
	);
	assert.deepEqual(
		groupRuns(history, [], 1, false).map((g) => g.runId),
		['r2'],
	);
});

test('counts attempts against what the run really had when the retries were lowered since', () => {
	const [group] = groupRuns([attempt('r1', 1, 'failed', 3), attempt('r1', 2, 'completed', 2)], [], 5, false);
	assert.equal(runOutcome(group, { definition: { id: 'test', command: 'x' } }, now), 'passed on attempt 2 of 2');
});
