import type { RunRecord } from '../model';

/** Per-job figures for the metrics table. */
export interface JobMetrics {
	jobId: string;
	runs: number;
	completed: number;
	failed: number;
	canceled: number;
	skipped: number;
	retries: number;
	avgDurationMs: number;
	maxDurationMs: number;
	lastStatus?: RunRecord['status'];
	lastEndedAt?: string;
}

/** One minute of throughput. */
export interface ThroughputBucket {
	/** Start of the minute, epoch ms. */
	t: number;
	completed: number;
	failed: number;
}

/** Everything the metrics panel shows, as one plain (serializable) object. */
export interface MetricsSnapshot {
	since: string;
	total: number;
	completed: number;
	failed: number;
	canceled: number;
	skipped: number;
	interrupted: number;
	retries: number;
	/** failed / (completed + failed), 0 when nothing finished. */
	failureRate: number;
	runningNow: number;
	queuedNow: number;
	avgDurationMs: number;
	maxDurationMs: number;
	/** Last hour, one bucket per minute, oldest first. */
	throughput: ThroughputBucket[];
	perJob: JobMetrics[];
}

const bucketMs = 60_000;
const bucketCount = 60;

interface JobCounters {
	runs: number;
	completed: number;
	failed: number;
	canceled: number;
	skipped: number;
	interrupted: number;
	retries: number;
	measured: number;
	totalDurationMs: number;
	maxDurationMs: number;
	lastStatus?: RunRecord['status'];
	lastEndedAt?: string;
}

/**
 * Running counters over finished attempts. O(1) per record and O(jobs) per snapshot, so a
 * million runs cost no memory beyond one counter set per job.
 */
export class MetricsCollector {
	private readonly since: number;
	private readonly jobs = new Map<string, JobCounters>();
	private readonly buckets: ThroughputBucket[] = [];

	constructor(private readonly now: () => number) {
		this.since = now();
	}

	record(r: RunRecord): void {
		let c = this.jobs.get(r.jobId);
		if (!c) {
			c = { runs: 0, completed: 0, failed: 0, canceled: 0, skipped: 0, interrupted: 0, retries: 0, measured: 0, totalDurationMs: 0, maxDurationMs: 0 };
			this.jobs.set(r.jobId, c);
		}
		if (r.status === 'missed') {
			return;
		}
		c.runs++;
		if (r.attempt > 1) {
			c.retries++;
		}
		switch (r.status) {
			case 'completed':
				c.completed++;
				break;
			case 'failed':
				c.failed++;
				break;
			case 'interrupted':
				c.interrupted++;
				break;
			case 'canceled':
				c.canceled++;
				break;
			case 'skipped':
				c.skipped++;
				break;
		}
		if (r.status !== 'skipped') {
			c.measured++;
			c.totalDurationMs += r.durationMs;
			c.maxDurationMs = Math.max(c.maxDurationMs, r.durationMs);
		}
		c.lastStatus = r.status;
		c.lastEndedAt = r.endedAt;
		if (r.status === 'completed' || r.status === 'failed') {
			const bucket = this.bucketFor(Date.parse(r.endedAt));
			if (bucket) {
				bucket[r.status]++;
			}
		}
	}

	/** Drops a job's counters (when it is removed from the definitions). */
	forget(jobId: string): void {
		this.jobs.delete(jobId);
	}

	snapshot(runningNow: number, queuedNow: number): MetricsSnapshot {
		const perJob: JobMetrics[] = [];
		const sum = { total: 0, completed: 0, failed: 0, canceled: 0, skipped: 0, interrupted: 0, retries: 0, measured: 0, duration: 0, max: 0 };
		for (const [jobId, c] of this.jobs) {
			perJob.push({
				jobId,
				runs: c.runs,
				completed: c.completed,
				failed: c.failed,
				canceled: c.canceled,
				skipped: c.skipped,
				retries: c.retries,
				avgDurationMs: c.measured ? Math.round(c.totalDurationMs / c.measured) : 0,
				maxDurationMs: c.maxDurationMs,
				lastStatus: c.lastStatus,
				lastEndedAt: c.lastEndedAt,
			});
			sum.total += c.runs;
			sum.completed += c.completed;
			sum.failed += c.failed;
			sum.canceled += c.canceled;
			sum.skipped += c.skipped;
			sum.interrupted += c.interrupted;
			sum.retries += c.retries;
			sum.measured += c.measured;
			sum.duration += c.totalDurationMs;
			sum.max = Math.max(sum.max, c.maxDurationMs);
		}
		const finished = sum.completed + sum.failed;
		return {
			since: new Date(this.since).toISOString(),
			total: sum.total,
			completed: sum.completed,
			failed: sum.failed,
			canceled: sum.canceled,
			skipped: sum.skipped,
			interrupted: sum.interrupted,
			retries: sum.retries,
			failureRate: finished ? sum.failed / finished : 0,
			runningNow,
			queuedNow,
			avgDurationMs: sum.measured ? Math.round(sum.duration / sum.measured) : 0,
			maxDurationMs: sum.max,
			throughput: this.throughput(),
			perJob,
		};
	}

	private bucketFor(t: number): ThroughputBucket | undefined {
		const start = Math.floor(t / bucketMs) * bucketMs;
		const last = this.buckets[this.buckets.length - 1];
		if (last?.t === start) {
			return last;
		}
		if (last && start < last.t) {
			return this.buckets.find((b) => b.t === start);
		}
		const bucket = { t: start, completed: 0, failed: 0 };
		this.buckets.push(bucket);
		if (this.buckets.length > bucketCount) {
			this.buckets.shift();
		}
		return bucket;
	}

	private throughput(): ThroughputBucket[] {
		const end = Math.floor(this.now() / bucketMs) * bucketMs;
		const byT = new Map(this.buckets.map((b) => [b.t, b]));
		const out: ThroughputBucket[] = [];
		for (let t = end - (bucketCount - 1) * bucketMs; t <= end; t += bucketMs) {
			out.push(byT.get(t) ?? { t, completed: 0, failed: 0 });
		}
		return out;
	}
}
