import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMetricsView } from '../../../src/extension/metricsView';
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

test('a built view passes the host message validator, and a wrong shape does not', () => {
	const view = buildMetricsView([{ folder: 'web', records: [], runningSince: [], running: 0, waiting: 0, names: new Map([['x', 'X']]) }], Date.parse('2026-12-01T21:40:10Z'));
	assert.ok(parseHostMessage({ type: 'metrics/didChange', view }));
	for (const bad of [
		{ ...view, generatedAt: 'now' },
		{ ...view, totals: { ...view.totals, runs: Number.NaN } },
		{ ...view, window: { ...view.window, label: 15 } },
		{ ...view, buckets: [{ t: 0, completed: 1 }] },
		{ ...view, perJob: [{ jobId: 1 }] },
		{ ...view, perJob: [{ ...view.perJob[0], retries: '3' }] },
	]) {
		assert.equal(parseHostMessage({ type: 'metrics/didChange', view: bad }), undefined);
	}
	assert.equal(parseHostMessage({ type: 'metrics/other', view }), undefined);
});

test('a row key is folder/jobId', () => {
	assert.equal(rowKey({ folder: 'web', jobId: 'build' }), 'web/build');
});
