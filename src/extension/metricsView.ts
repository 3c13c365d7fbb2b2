import type { RunRecord } from '../core/model';
import { runStats, sumCounts } from '../core/records/runStats';
import type { JobRow, MetricsView } from '../webview/protocol';

/** What the panel knows of one folder: its history, what runs now, and its job names. */
export interface FolderMetrics {
	folder: string;
	/** History records of the longest window (runStats.ts `longestWindowMs`). */
	records: readonly RunRecord[];
	/** Epoch ms each attempt running now started at. */
	runningSince: readonly number[];
	running: number;
	waiting: number;
	/** Defined jobs, id to display name, in the order the folder lists them. */
	names: ReadonlyMap<string, string>;
}

/**
 * The view the panel shows, from every folder's history: runs counted by runStats.ts over the
 * window it chooses, one row per job (defined jobs without runs too, with zeros). Pure, so it
 * is unit-tested; the numbers after a window reload are the same because they come from history.
 */
export function buildMetricsView(parts: readonly FolderMetrics[], now: number, focus?: string): MetricsView {
	const stats = runStats(
		parts.map((p) => ({ source: p.folder, records: p.records, runningSince: p.runningSince })),
		now,
	);
	const rows = new Map<string, JobRow>();
	for (const job of stats.perJob) {
		const part = parts.find((p) => p.folder === job.source);
		rows.set(`${job.source}\n${job.jobId}`, { ...job, folder: job.source, name: part?.names.get(job.jobId) ?? job.jobId });
	}
	for (const part of parts) {
		for (const [jobId, name] of part.names) {
			const key = `${part.folder}\n${jobId}`;
			if (!rows.has(key)) {
				rows.set(key, { ...sumCounts([]), source: part.folder, jobId, folder: part.folder, name });
			}
		}
	}
	return {
		generatedAt: now,
		window: stats.window,
		totals: stats.totals,
		buckets: stats.buckets,
		...(stats.oldest === undefined ? {} : { oldest: stats.oldest }),
		runningNow: parts.reduce((n, p) => n + p.running, 0),
		queuedNow: parts.reduce((n, p) => n + p.waiting, 0),
		perJob: [...rows.values()],
		...(focus ? { focus } : {}),
	};
}
