import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunRecord } from '../../../src/core/model';
import { buildMetricsView, type FolderMetrics } from '../../../src/extension/metricsView';
import { rowKey } from '../../../src/webview/protocol';

const now = Date.parse('2026-12-01T21:40:10Z');

function attempt(jobId: string, runId: string, n: number, status: RunRecord['status'], agoS: number, willRetry = false): RunRecord {
	const end = now - agoS * 1000;
	return { jobId, runId, attempt: n, status, exitCode: 0, startedAt: new Date(end - 500).toISOString(), endedAt: new Date(end).toISOString(), durationMs: 500, trigger: 'schedule', ...(willRetry ? { willRetry } : {}) };
}

function folder(name: string, records: RunRecord[], names: Array<[string, string]>, more: Partial<FolderMetrics> = {}): FolderMetrics {
	return { folder: name, records, runningSince: [], running: 0, waiting: 0, names: new Map(names), ...more };
}

test('counts runs over every folder, with job names and the focus', () => {
	const web = folder('web', [attempt('test', 'a', 1, 'failed', 30, true), attempt('test', 'a', 2, 'completed', 28)], [['test', 'Unit tests']], { running: 1, waiting: 2, runningSince: [now - 1000] });
	const api = folder('api', [attempt('test', 'b', 1, 'failed', 20)], [['test', 'API tests']]);
	const view = buildMetricsView([web, api], now, 'api/test');
	assert.deepEqual([view.totals.runs, view.totals.completed, view.totals.failed, view.totals.attempts, view.totals.retries], [2, 1, 1, 3, 1]);
	assert.equal(view.totals.failureRate, 1 / 2);
	assert.deepEqual([view.runningNow, view.queuedNow], [1, 2]);
	assert.deepEqual(
		view.perJob.map((r) => [rowKey(r), r.name, r.runs, r.attempts]),
		[
			['web/test', 'Unit tests', 1, 2],
			['api/test', 'API tests', 1, 1],
		],
	);
	assert.equal(view.focus, 'api/test');
	assert.equal(view.window.label, '15 min');
	assert.equal(view.buckets[view.buckets.length - 1].peakRunning, 1);
});

test('a defined job without runs has a row of zeros; a removed job with history keeps its id as name', () => {
	const view = buildMetricsView([folder('web', [attempt('old', 'a', 1, 'completed', 10)], [['nightly', 'Nightly']])], now);
	assert.deepEqual(
		view.perJob.map((r) => [r.jobId, r.name, r.runs, r.lastStatus]),
		[
			['old', 'old', 1, 'completed'],
			['nightly', 'Nightly', 0, undefined],
		],
	);
	assert.equal(view.oldest, now - 10_000);
});

test('no folders and no records give an empty view over the shortest window', () => {
	const view = buildMetricsView([], now);
	assert.equal(view.totals.runs, 0);
	assert.equal(view.oldest, undefined);
	assert.equal(view.window.label, '15 min');
	assert.ok(view.buckets.every((b) => b.completed === 0 && b.peakRunning === 0));
	assert.equal('focus' in view, false);
});
