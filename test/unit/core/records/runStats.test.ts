import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunRecord } from '../../../../src/core/model';
import { chooseWindow, runStats, sumCounts } from '../../../../src/core/records/runStats';

const now = Date.parse('2026-12-01T21:40:10Z');

/** A record that ended `agoS` seconds before `now` after running `durationS`. */
function attempt(jobId: string, runId: string, n: number, status: RunRecord['status'], agoS: number, extra: Partial<RunRecord> = {}, durationS = 1): RunRecord {
	const end = now - agoS * 1000;
	return {
		jobId,
		runId,
		attempt: n,
		status,
		exitCode: status === 'completed' ? 0 : 1,
		startedAt: new Date(end - durationS * 1000).toISOString(),
		endedAt: new Date(end).toISOString(),
		durationMs: durationS * 1000,
		trigger: 'schedule',
		...extra,
	};
}

/** A flaky run: fails, is retried 1 s later and passes. */
function flakyRun(runId: string, agoS: number): RunRecord[] {
	return [attempt('test', runId, 1, 'failed', agoS + 2, { willRetry: true }), attempt('test', runId, 2, 'completed', agoS)];
}

test('a job that passes on its second attempt counts runs, not attempts', () => {
	const records = [...flakyRun('r1', 300), ...flakyRun('r2', 200), ...flakyRun('r3', 100)];
	const { totals, perJob } = runStats([{ source: 'ws', records }], now);
	assert.equal(totals.runs, 3);
	assert.equal(totals.completed, 3);
	assert.equal(totals.failed, 0);
	assert.equal(totals.failureRate, 0);
	assert.equal(totals.attempts, 6);
	assert.equal(totals.retries, 3);
	assert.equal(totals.retriedRuns, 3);
	assert.equal(perJob.length, 1);
	assert.equal(perJob[0].lastStatus, 'completed');
	assert.equal(perJob[0].lastAttempts, 2);
	assert.equal(perJob[0].lastEndedAt, now - 100_000);
});

test('the failure rate is per run: failed over completed and failed', () => {
	const records = [
		attempt('lint', 'a', 1, 'failed', 50),
		attempt('lint', 'b', 1, 'completed', 40),
		attempt('lint', 'c', 1, 'completed', 30),
		attempt('lint', 'd', 1, 'completed', 20),
		// A run that failed all its attempts is one failed run.
		attempt('deploy', 'e', 1, 'failed', 15, { willRetry: true }),
		attempt('deploy', 'e', 2, 'failed', 10),
	];
	const { totals, perJob } = runStats([{ source: 'ws', records }], now);
	assert.equal(totals.runs, 5);
	assert.equal(totals.failed, 2);
	assert.equal(totals.failureRate, 2 / 5);
	assert.equal(perJob.find((j) => j.jobId === 'lint')?.failureRate, 1 / 4);
	assert.equal(perJob.find((j) => j.jobId === 'deploy')?.failureRate, 1);
});

test('canceled and interrupted runs count as runs but not in the failure rate', () => {
	const records = [attempt('j', 'a', 1, 'completed', 30), attempt('j', 'b', 1, 'canceled', 20, { reason: 'canceled' }), attempt('j', 'c', 1, 'interrupted', 10, { reason: 'interrupted' })];
	const { totals } = runStats([{ source: 'ws', records }], now);
	assert.deepEqual([totals.runs, totals.completed, totals.canceled, totals.interrupted, totals.failureRate], [3, 1, 1, 1, 0]);
});

test('skipped and missed triggers are counted apart from runs, coalesced skips by their count', () => {
	const records = [
		attempt('j', 'a', 1, 'completed', 60),
		attempt('j', 's1', 1, 'skipped', 50, { reason: 'overlap', count: 4 }, 0),
		attempt('j', 's2', 1, 'skipped', 40, { reason: 'dependency-failed' }, 0),
		attempt('j', 'm', 1, 'missed', 30, { reason: 'missed' }, 0),
	];
	const { totals } = runStats([{ source: 'ws', records }], now);
	assert.deepEqual([totals.runs, totals.attempts, totals.skipped, totals.missed], [1, 1, 5, 1]);
});

test('a run waiting for its next attempt is retrying, not finished', () => {
	const records = [attempt('j', 'a', 1, 'failed', 5, { willRetry: true })];
	const { totals } = runStats([{ source: 'ws', records }], now);
	assert.deepEqual([totals.runs, totals.failed, totals.attempts, totals.retrying], [0, 0, 1, 1]);
});

test('a run lasts from its first attempt start to its last attempt end, retry delays included', () => {
	// Attempt 1 runs 1 s and ends at -12 s; attempt 2 runs 1 s and ends at -10 s: 3 s in all.
	const records = [attempt('j', 'a', 1, 'failed', 12, { willRetry: true }), attempt('j', 'a', 2, 'completed', 10), attempt('j', 'b', 1, 'completed', 5)];
	const { totals } = runStats([{ source: 'ws', records }], now);
	assert.equal(totals.maxDurationMs, 3000);
	assert.equal(totals.avgDurationMs, 2000);
});

test('the same job id in two sources is two jobs', () => {
	const stats = runStats(
		[
			{ source: 'web', records: [attempt('build', 'a', 1, 'completed', 10)] },
			{ source: 'api', records: [attempt('build', 'a', 1, 'failed', 10)] },
		],
		now,
	);
	assert.deepEqual(
		stats.perJob.map((j) => [j.source, j.jobId, j.runs, j.failed]),
		[
			['web', 'build', 1, 0],
			['api', 'build', 1, 1],
		],
	);
	assert.equal(stats.totals.runs, 2);
});

test('the window is the shortest that holds the data: 15 min, 1 h, 24 h', () => {
	assert.equal(chooseWindow(undefined, now).label, '15 min');
	assert.equal(chooseWindow(now - 60_000, now).label, '15 min');
	assert.equal(chooseWindow(now - 14 * 60_000, now).label, '15 min');
	assert.equal(chooseWindow(now - 20 * 60_000, now).label, '1 h');
	assert.equal(chooseWindow(now - 3 * 3600_000, now).label, '24 h');
	assert.equal(chooseWindow(now - 5 * 86400_000, now).label, '24 h');
});

test('a window has aligned buckets covering its span and ending after now', () => {
	for (const oldest of [now - 60_000, now - 30 * 60_000, now - 5 * 3600_000]) {
		const w = chooseWindow(oldest, now);
		assert.equal(w.start % w.bucketMs, 0);
		assert.equal(w.end - w.start, w.spanMs);
		assert.ok(w.start <= oldest || w.label === '24 h');
		assert.ok(w.end > now && w.end - w.bucketMs <= now);
	}
});

test('records from a few minutes ago fill buckets of a 15 minute chart', () => {
	const records = [...flakyRun('r1', 130), attempt('lint', 'a', 1, 'failed', 70), attempt('hb', 'h', 1, 'completed', 5)];
	const stats = runStats([{ source: 'ws', records }], now);
	assert.equal(stats.window.label, '15 min');
	assert.equal(stats.buckets.length, 30);
	const sum = (key: 'completed' | 'failed' | 'retries') => stats.buckets.reduce((n, b) => n + b[key], 0);
	assert.deepEqual([sum('completed'), sum('failed'), sum('retries')], [2, 1, 1]);
	// The failed run ended at 21:39:00, in the bucket that starts then.
	assert.equal(stats.buckets.find((b) => b.t === Date.parse('2026-12-01T21:39:00Z'))?.failed, 1);
	// Busy in three buckets: 21:37:30 (both flaky attempts), 21:38:30 (lint, ending on the next bucket's start) and 21:40:00.
	assert.deepEqual(
		stats.buckets.filter((b) => b.peakRunning > 0).map((b) => new Date(b.t).toISOString().slice(11, 19)),
		['21:37:30', '21:38:30', '21:40:00'],
	);
});

test('records older than the longest window are left out of the counts', () => {
	const records = [attempt('j', 'old', 1, 'failed', 2 * 86400), attempt('j', 'new', 1, 'completed', 60)];
	const stats = runStats([{ source: 'ws', records }], now);
	assert.equal(stats.window.label, '15 min');
	assert.deepEqual([stats.totals.runs, stats.totals.failed], [1, 0]);
	assert.equal(stats.oldest, now - 60_000);
});

test('the peak counts attempts running at once, running ones included, back-to-back as one', () => {
	const w = chooseWindow(now - 60_000, now);
	const bucket = w.end - w.bucketMs;
	const iso = (ms: number) => new Date(ms).toISOString();
	const span = (runId: string, from: number, to: number) => ({ ...attempt('j', runId, 1, 'completed', 0), startedAt: iso(bucket + from), endedAt: iso(bucket + to), durationMs: to - from });
	const records = [span('a', 0, 1000), span('b', 1000, 2000), span('c', 1500, 1800)];
	const stats = runStats([{ source: 'ws', records, runningSince: [bucket + 1700] }], bucket + 5000, w);
	assert.equal(stats.buckets[stats.buckets.length - 1].peakRunning, 3);
	assert.equal(stats.buckets[stats.buckets.length - 2].peakRunning, 0);
});

test('an attempt that started before the window counts as running from its first bucket', () => {
	const w = chooseWindow(now - 60_000, now);
	const long = { ...attempt('j', 'a', 1, 'completed', 0), startedAt: new Date(w.start - 3600_000).toISOString(), endedAt: new Date(w.start + 45_000).toISOString() };
	const stats = runStats([{ source: 'ws', records: [long] }], now, w);
	assert.deepEqual(
		stats.buckets.slice(0, 3).map((b) => b.peakRunning),
		[1, 1, 0],
	);
});

test('sums of counts weigh averages by runs and recompute the rate', () => {
	const a = runStats([{ source: 'a', records: [attempt('j', 'x', 1, 'completed', 10, {}, 1), attempt('j', 'y', 1, 'failed', 5, {}, 3)] }], now).totals;
	const b = runStats([{ source: 'b', records: [attempt('k', 'z', 1, 'completed', 10, {}, 8)] }], now).totals;
	const sum = sumCounts([a, b]);
	assert.deepEqual([sum.runs, sum.failed, sum.avgDurationMs, sum.maxDurationMs], [3, 1, 4000, 8000]);
	assert.equal(sum.failureRate, 1 / 3);
});

test('records with unreadable times are skipped, not counted at NaN', () => {
	const bad = { ...attempt('j', 'a', 1, 'completed', 10), endedAt: 'not a time' };
	const stats = runStats([{ source: 'ws', records: [bad, attempt('j', 'b', 1, 'completed', 5)] }], now);
	assert.equal(stats.totals.runs, 1);
	assert.ok(Number.isFinite(stats.totals.avgDurationMs));
});
