import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxAttempts, retryDelay } from '../../../../src/core/dispatch/backoff';
import { MetricsCollector } from '../../../../src/core/records/metrics';
import type { RunRecord } from '../../../../src/core/model';

test('fixed backoff waits the same delay every time', () => {
	const policy = { retries: 3, backoff: 'fixed', delayMs: 500 } as const;
	assert.deepEqual([1, 2, 3].map((n) => retryDelay(policy, n)), [500, 500, 500]);
});

test('exponential backoff doubles and stops at maxDelay', () => {
	const policy = { retries: 5, backoff: 'exponential', delayMs: 1000, maxDelayMs: 5000 } as const;
	assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n)), [1000, 2000, 4000, 5000, 5000]);
});

test('jitter shortens a delay by at most its fraction', () => {
	const policy = { retries: 1, backoff: 'fixed', delayMs: 1000, jitter: 0.5 } as const;
	assert.equal(retryDelay(policy, 1, () => 0), 1000);
	assert.equal(retryDelay(policy, 1, () => 1), 500);
	assert.equal(retryDelay(policy, 1, () => 0.5), 750);
});

test('N retries mean N+1 attempts', () => {
	assert.equal(maxAttempts(undefined), 1);
	assert.equal(maxAttempts({ retries: 2, backoff: 'fixed', delayMs: 1 }), 3);
});

function rec(jobId: string, status: RunRecord['status'], durationMs: number, attempt = 1): RunRecord {
	const end = Date.parse('2026-06-01T10:00:30Z');
	return {
		jobId,
		runId: 'r',
		attempt,
		status,
		exitCode: status === 'completed' ? 0 : 1,
		startedAt: new Date(end - durationMs).toISOString(),
		endedAt: new Date(end).toISOString(),
		durationMs,
		trigger: 'manual',
	};
}

test('metrics add up counts, failure rate, durations and throughput', () => {
	const metrics = new MetricsCollector(() => Date.parse('2026-06-01T10:01:00Z'));
	metrics.record(rec('a', 'completed', 100));
	metrics.record(rec('a', 'failed', 300));
	metrics.record(rec('a', 'completed', 200, 2));
	metrics.record(rec('b', 'canceled', 50));
	metrics.record(rec('b', 'skipped', 0));
	metrics.record(rec('b', 'interrupted', 10));
	metrics.record(rec('b', 'missed', 0));
	const s = metrics.snapshot(2, 1);
	assert.equal(s.total, 6);
	assert.equal(s.completed, 2);
	assert.equal(s.failed, 1);
	assert.equal(s.canceled, 1);
	assert.equal(s.skipped, 1);
	assert.equal(s.interrupted, 1);
	assert.equal(s.retries, 1);
	assert.equal(s.failureRate, 1 / 3);
	assert.equal(s.maxDurationMs, 300);
	assert.equal(s.avgDurationMs, Math.round((100 + 300 + 200 + 50 + 10) / 5));
	assert.equal(s.runningNow, 2);
	assert.equal(s.queuedNow, 1);
	assert.equal(s.throughput.length, 60);
	const bucket = s.throughput.find((b) => b.t === Date.parse('2026-06-01T10:00:00Z'));
	assert.deepEqual(bucket, { t: Date.parse('2026-06-01T10:00:00Z'), completed: 2, failed: 1 });
	assert.deepEqual(
		s.perJob.map((j) => [j.jobId, j.runs, j.completed, j.failed]),
		[
			['a', 3, 2, 1],
			['b', 3, 0, 0],
		],
	);
});
