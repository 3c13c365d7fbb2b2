/**
 * Messages between the metrics webview and the extension host, shared by both sides. Names are
 * `<area>/<verb>`: commands go from the webview to the host (`job/run`), notifications from the
 * host to the webview (`metrics/didChange`). Both sides validate what they receive: a webview is
 * a web page, and the host must treat its messages as untrusted input.
 */
import type { JobRunStats, RunCounts, StatsBucket, StatsWindow } from '../core/records/runStats';

/** One row of the per-job table. */
export interface JobRow extends JobRunStats {
	/** Display name of the job. */
	name: string;
	/** Workspace folder name (several folders can have a job with the same id). */
	folder: string;
}

/** Everything the panel shows: runs counted from the history of every folder (see runStats.ts). */
export interface MetricsView {
	/** Epoch ms when the host built this view. */
	generatedAt: number;
	/** The charts' window, chosen from the data's time span; the totals cover the same window. */
	window: StatsWindow;
	totals: RunCounts;
	/** Oldest first, one per `window.bucketMs`. */
	buckets: StatsBucket[];
	/** Epoch ms of the oldest record counted, if any. */
	oldest?: number;
	/** Attempts running now, and runs waiting for a slot, a retry or a dependency. */
	runningNow: number;
	queuedNow: number;
	perJob: JobRow[];
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
	const window = view.window;
	const shapeOk =
		hasNumbers(view, ['generatedAt', 'runningNow', 'queuedNow']) &&
		isRecord(window) &&
		typeof window.label === 'string' &&
		hasNumbers(window, ['spanMs', 'bucketMs', 'start', 'end']) &&
		isRecord(view.totals) &&
		hasNumbers(view.totals, countKeys) &&
		Array.isArray(view.buckets) &&
		view.buckets.every((b) => isRecord(b) && hasNumbers(b, ['t', 'completed', 'failed', 'retries', 'peakRunning'])) &&
		Array.isArray(view.perJob) &&
		view.perJob.every((row) => isRecord(row) && typeof row.jobId === 'string' && typeof row.name === 'string' && typeof row.folder === 'string' && hasNumbers(row, countKeys));
	return shapeOk ? { type: 'metrics/didChange', view: view as unknown as MetricsView } : undefined;
}

const countKeys = ['runs', 'completed', 'failed', 'canceled', 'interrupted', 'skipped', 'missed', 'attempts', 'retries', 'retriedRuns', 'retrying', 'failureRate', 'avgDurationMs', 'maxDurationMs'] satisfies ReadonlyArray<keyof RunCounts>;

function hasNumbers(value: Record<string, unknown>, keys: readonly string[]): boolean {
	return keys.every((key) => typeof value[key] === 'number' && Number.isFinite(value[key]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
	return typeof value === 'string' && value.length > 0 && value.length <= maxIdLength;
}
