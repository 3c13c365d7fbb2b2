import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricsSnapshot } from '../../../src/core/records/metrics';
import { mergeMetrics } from '../../../src/extension/metricsView';
import { parseHostMessage, parseWebviewMessage, rowKey } from '../../../src/webview/protocol';

test('accepts the webview handshake', () => {
	assert.deepEqual(parseWebviewMessage({ type: 'webview/ready' }), { type: 'webview/ready' });
});

test('accepts job commands with a folder and an id', () => {
	assert.deepEqual(parseWebviewMessage({ type: 'job/run', folder: 'web', jobId: 'build' }), { type: 'job/run', folder: 'web', jobId: 'build' });
	assert.deepEqual(parseWebviewMessage({ type: 'job/showLog', folder: 'web', jobId: 'build' }), { type: 'job/showLog', folder: 'web', jobId: 'build' });
});

test('rejects unknown types, extra fields, wrong types and oversized ids', () => {
	for (const bad of [
		null,
		'webview/ready',
		[],
		{ type: 'job/delete', folder: 'web', jobId: 'x' },
		{ type: 'webview/ready', extra: 1 },
		{ type: 'job/run', folder: 'web', jobId: 42 },
		{ type: 'job/run', folder: 'web' },
		{ type: 'job/run', folder: 'web', jobId: '' },
		{ type: 'job/run', folder: 'web', jobId: 'x'.repeat(401) },
		{ type: 'job/run', folder: 'web', jobId: 'x', command: 'rm -rf /' },
	]) {
		assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
	}
});

function snapshot(overrides: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
	return {
		since: '2025-03-12T09:00:00.000Z',
		total: 0,
		completed: 0,
		failed: 0,
		canceled: 0,
		skipped: 0,
		interrupted: 0,
		retries: 0,
		failureRate: 0,
		runningNow: 0,
		queuedNow: 0,
		avgDurationMs: 0,
		maxDurationMs: 0,
		throughput: [],
		perJob: [],
		...overrides,
	};
}

const jobMetrics = (jobId: string, runs: number, avg: number, max: number) => ({
	jobId,
	runs,
	completed: runs,
	failed: 0,
	canceled: 0,
	skipped: 0,
	retries: 0,
	avgDurationMs: avg,
	maxDurationMs: max,
});

test('merges folders: sums counts, recomputes the failure rate, weighs averages by runs', () => {
	const a = snapshot({ total: 3, completed: 3, avgDurationMs: 100, maxDurationMs: 150, runningNow: 1, throughput: [{ t: 60_000, completed: 3, failed: 0 }], perJob: [jobMetrics('build', 3, 100, 150)] });
	const b = snapshot({ total: 2, completed: 1, failed: 1, since: '2025-03-12T08:00:00.000Z', avgDurationMs: 600, maxDurationMs: 900, throughput: [{ t: 60_000, completed: 1, failed: 1 }, { t: 120_000, completed: 0, failed: 0 }], perJob: [{ ...jobMetrics('build', 1, 600, 900), failed: 1, runs: 1 }] });
	const view = mergeMetrics(
		[
			{ folder: 'web', snapshot: a, names: new Map([['build', 'Build web']]) },
			{ folder: 'api', snapshot: b, names: new Map() },
		],
		1000,
		'api/build',
	);
	assert.equal(view.total, 5);
	assert.equal(view.failed, 1);
	assert.equal(view.failureRate, 1 / 5);
	assert.equal(view.runningNow, 1);
	assert.equal(view.maxDurationMs, 900);
	assert.equal(view.avgDurationMs, Math.round((100 * 3 + 600 * 1) / 4));
	assert.equal(view.since, '2025-03-12T08:00:00.000Z');
	assert.deepEqual(view.throughput, [{ t: 60_000, completed: 4, failed: 1 }, { t: 120_000, completed: 0, failed: 0 }]);
	assert.deepEqual(view.perJob.map((r) => [r.folder, r.name, rowKey(r)]), [['web', 'Build web', 'web/build'], ['api', 'build', 'api/build']]);
	assert.equal(view.focus, 'api/build');
});

test('a merged view passes the webview validator', () => {
	const view = mergeMetrics([{ folder: 'web', snapshot: snapshot({ perJob: [jobMetrics('x', 1, 5, 5)] }), names: new Map() }], 0);
	assert.ok(parseHostMessage({ type: 'metrics/didChange', view }));
	assert.equal(parseHostMessage({ type: 'metrics/didChange', view: { ...view, total: 'many' } }), undefined);
	assert.equal(parseHostMessage({ type: 'metrics/didChange', view: { ...view, perJob: [{ jobId: 1 }] } }), undefined);
});
