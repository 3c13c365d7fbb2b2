import type { MetricsSnapshot, ThroughputBucket } from '../core/records/metrics';
import type { JobRow, MetricsView } from '../webview/protocol';

/** One folder's engine snapshot and its job names. */
export interface FolderMetrics {
	folder: string;
	snapshot: MetricsSnapshot;
	names: ReadonlyMap<string, string>;
}

/**
 * Merges the snapshots of several engines (one per workspace folder) into the view the panel
 * shows. Pure, so it is unit-tested; the engine stays the only place that counts.
 */
export function mergeMetrics(parts: readonly FolderMetrics[], now: number, focus?: string): MetricsView {
	const perJob: JobRow[] = parts.flatMap(({ folder, snapshot, names }) =>
		snapshot.perJob.map((job) => ({ ...job, folder, name: names.get(job.jobId) ?? job.jobId })),
	);
	const sum = (pick: (s: MetricsSnapshot) => number) => parts.reduce((total, p) => total + pick(p.snapshot), 0);
	const completed = sum((s) => s.completed);
	const failed = sum((s) => s.failed);
	// Every attempt except skipped ones has a duration; weigh each job's average by that count.
	const measured = perJob.reduce((n, j) => n + (j.runs - j.skipped), 0);
	const weighted = perJob.reduce((n, j) => n + j.avgDurationMs * (j.runs - j.skipped), 0);
	const since = parts.map((p) => p.snapshot.since).sort()[0] ?? new Date(now).toISOString();
	return {
		since,
		total: sum((s) => s.total),
		completed,
		failed,
		canceled: sum((s) => s.canceled),
		skipped: sum((s) => s.skipped),
		interrupted: sum((s) => s.interrupted),
		retries: sum((s) => s.retries),
		failureRate: completed + failed ? failed / (completed + failed) : 0,
		runningNow: sum((s) => s.runningNow),
		queuedNow: sum((s) => s.queuedNow),
		avgDurationMs: parts.length === 1 ? parts[0].snapshot.avgDurationMs : measured ? Math.round(weighted / measured) : 0,
		maxDurationMs: Math.max(0, ...parts.map((p) => p.snapshot.maxDurationMs)),
		throughput: mergeThroughput(parts.map((p) => p.snapshot.throughput)),
		perJob,
		generatedAt: now,
		...(focus ? { focus } : {}),
	};
}

function mergeThroughput(series: ReadonlyArray<readonly ThroughputBucket[]>): ThroughputBucket[] {
	const byT = new Map<number, ThroughputBucket>();
	for (const buckets of series) {
		for (const b of buckets) {
			const into = byT.get(b.t) ?? { t: b.t, completed: 0, failed: 0 };
			into.completed += b.completed;
			into.failed += b.failed;
			byT.set(b.t, into);
		}
	}
	return [...byT.values()].sort((a, b) => a.t - b.t);
}
