/**
 * Messages between the metrics webview and the extension host, shared by both sides. Names are
 * `<area>/<verb>`: commands go from the webview to the host (`job/run`), notifications from the
 * host to the webview (`metrics/didChange`). Both sides validate what they receive: a webview is
 * a web page, and the host must treat its messages as untrusted input.
 */
import type { JobMetrics, MetricsSnapshot } from '../core/records/metrics';

/** One row of the per-job table. */
export interface JobRow extends JobMetrics {
	/** Display name of the job. */
	name: string;
	/** Workspace folder name (several folders can have a job with the same id). */
	folder: string;
}

/** Everything the panel shows: the engines' snapshots merged over all folders. */
export interface MetricsView extends MetricsSnapshot {
	perJob: JobRow[];
	/** Epoch ms when the host built this view. */
	generatedAt: number;
	/** The job to highlight ("Show Metrics" on a job), as `folder/jobId`. */
	focus?: string;
}

/** Host -> webview: a full snapshot (after `webview/ready` and on every batch of engine changes). */
export interface MetricsDidChange {
	type: 'metrics/didChange';
	view: MetricsView;
}

export type HostMessage = MetricsDidChange;

/** Webview -> host. */
export type WebviewMessage =
	| { type: 'webview/ready' }
	| { type: 'job/run'; folder: string; jobId: string }
	| { type: 'job/showLog'; folder: string; jobId: string };

/** Longest folder name or job id the host accepts in a message. */
const maxIdLength = 400;

/** The key a row is focused by. */
export function rowKey(row: Pick<JobRow, 'folder' | 'jobId'>): string {
	return `${row.folder}/${row.jobId}`;
}

/** Validates a message from the webview; anything malformed is `undefined` and ignored. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
	if (!isRecord(value) || typeof value.type !== 'string') {
		return undefined;
	}
	switch (value.type) {
		case 'webview/ready':
			return Object.keys(value).length === 1 ? { type: 'webview/ready' } : undefined;
		case 'job/run':
		case 'job/showLog':
			if (isId(value.folder) && isId(value.jobId) && Object.keys(value).length === 3) {
				return { type: value.type, folder: value.folder, jobId: value.jobId };
			}
			return undefined;
		default:
			return undefined;
	}
}

/** Validates a message from the host in the webview (a cheap shape check, not a full schema). */
export function parseHostMessage(value: unknown): HostMessage | undefined {
	if (!isRecord(value) || value.type !== 'metrics/didChange' || !isRecord(value.view)) {
		return undefined;
	}
	const view = value.view;
	const numbers = ['total', 'completed', 'failed', 'retries', 'failureRate', 'runningNow', 'queuedNow', 'avgDurationMs', 'maxDurationMs', 'generatedAt'];
	if (!numbers.every((key) => typeof view[key] === 'number' && Number.isFinite(view[key])) || !Array.isArray(view.throughput) || !Array.isArray(view.perJob)) {
		return undefined;
	}
	const rowsOk = view.perJob.every((row) => isRecord(row) && typeof row.jobId === 'string' && typeof row.name === 'string' && typeof row.folder === 'string' && typeof row.runs === 'number');
	const bucketsOk = view.throughput.every((b) => isRecord(b) && typeof b.t === 'number' && typeof b.completed === 'number' && typeof b.failed === 'number');
	return rowsOk && bucketsOk ? { type: 'metrics/didChange', view: view as unknown as MetricsView } : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
	return typeof value === 'string' && value.length > 0 && value.length <= maxIdLength;
}
