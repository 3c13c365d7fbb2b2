import type { RunRecord, RunStatus } from '../model';

/**
 * Runs, not attempts: what the metrics panel counts, from history records. A run is one trigger
 * of a job; its attempts share a `runId` and only the last one (no `willRetry`) says how the run
 * ended. A job that passed on its second attempt three times is 3 runs, 3 completed, 6 attempts
 * and 3 retries, with a failure rate of 0. Pure: the same records give the same figures, so the
 * panel shows the same numbers before and after a window reload (it reads them from history).
 */

/** A time window of the charts, and the bucket size it is drawn in. */
export interface StatsWindow {
	/** `15 min`, `1 h`, `24 h`. */
	label: string;
	spanMs: number;
	bucketMs: number;
	/** Start of the first bucket, epoch ms (aligned to `bucketMs`). */
	start: number;
	/** End of the last bucket (the one holding `now`), epoch ms. */
	end: number;
}

/** The windows the charts choose from, shortest first: the first that holds all the data wins. */
export const statsWindows: ReadonlyArray<Pick<StatsWindow, 'label' | 'spanMs' | 'bucketMs'>> = [
	{ label: '15 min', spanMs: 15 * 60_000, bucketMs: 30_000 },
	{ label: '1 h', spanMs: 60 * 60_000, bucketMs: 2 * 60_000 },
	{ label: '24 h', spanMs: 24 * 60 * 60_000, bucketMs: 30 * 60_000 },
];

/** The longest window: history older than this is not read for the panel. */
export const longestWindowMs = statsWindows[statsWindows.length - 1].spanMs;

/** Counts over a set of runs. */
export interface RunCounts {
	/** Runs that ended: completed + failed + canceled + interrupted. */
	runs: number;
	completed: number;
	failed: number;
	canceled: number;
	/** Runs whose host process ended during them (neither passed nor failed). */
	interrupted: number;
	/** Triggers that did not run (overlap, a dependency failed); a coalesced record counts `count` times. */
	skipped: number;
	/** Fire times that passed while nothing ran and were not caught up. */
	missed: number;
	/** Attempts that ran, retries included. */
	attempts: number;
	/** Attempts after the first of their run. */
	retries: number;
	/** Runs that took more than one attempt (whatever their end). */
	retriedRuns: number;
	/** Runs still waiting for their next attempt. */
	retrying: number;
	/** failed / (completed + failed): canceled and interrupted runs are neither. 0 when none. */
	failureRate: number;
	/** From a run's first attempt's start to its last attempt's end, retry delays included. */
	avgDurationMs: number;
	maxDurationMs: number;
}

/** One job's counts, and how its newest run ended. */
export interface JobRunStats extends RunCounts {
	/** Where the records came from (the workspace folder's name). */
	source: string;
	jobId: string;
	lastStatus?: RunStatus;
	/** Attempts the newest run took. */
	lastAttempts?: number;
	/** Epoch ms the newest run ended. */
	lastEndedAt?: number;
}

/** One bucket of the charts. */
export interface StatsBucket {
	/** Start of the bucket, epoch ms. */
	t: number;
	/** Runs that ended in this bucket, by how they ended. */
	completed: number;
	failed: number;
	/** Retry attempts that ended in this bucket. */
	retries: number;
	/** The most attempts running at once at any instant of the bucket. */
	peakRunning: number;
}

/** Everything the panel shows, from one pass over the records. */
export interface RunStats {
	window: StatsWindow;
	totals: RunCounts;
	perJob: JobRunStats[];
	/** Oldest first, one per `window.bucketMs`, covering the whole window. */
	buckets: StatsBucket[];
	/** Epoch ms of the oldest record counted, if any. */
	oldest?: number;
}

/** One source's records (a workspace folder's history) and its attempts running now. */
export interface RunSource {
	source: string;
	/** History records, any order (history gives them oldest first). */
	records: readonly RunRecord[];
	/** Epoch ms each attempt running now started at. */
	runningSince?: readonly number[];
}

/**
 * The shortest window whose buckets hold everything from `oldest` to `now`, so a minute of data
 * fills a 15-minute chart instead of a sliver of a 24-hour one. Data older than the longest
 * window is cut off by it.
 */
export function chooseWindow(oldest: number | undefined, now: number): StatsWindow {
	let chosen: StatsWindow | undefined;
	for (const w of statsWindows) {
		const lastBucket = Math.floor(now / w.bucketMs) * w.bucketMs;
		const start = lastBucket - (w.spanMs / w.bucketMs - 1) * w.bucketMs;
		chosen = { ...w, start, end: lastBucket + w.bucketMs };
		if (oldest === undefined || oldest >= start) {
			break;
		}
	}
	return chosen!;
}

interface RunAcc {
	source: string;
	jobId: string;
	firstStart: number;
	attempts: number;
	last?: RunRecord;
}

/** Counts runs in every source over the window chosen for their data (or the one given). */
export function runStats(sources: readonly RunSource[], now: number, window?: StatsWindow): RunStats {
	const w = window ?? chooseWindow(oldestEnd(sources, now), now);
	const buckets: StatsBucket[] = [];
	for (let t = w.start; t < w.end; t += w.bucketMs) {
		buckets.push({ t, completed: 0, failed: 0, retries: 0, peakRunning: 0 });
	}
	const bucketAt = (ms: number) => buckets[Math.min(buckets.length - 1, Math.floor((ms - w.start) / w.bucketMs))];
	const jobs = new Map<string, JobAcc>();
	const runs = new Map<string, RunAcc>();
	const intervals: Array<[number, number]> = [];
	let oldest: number | undefined;
	for (const { source, records, runningSince } of sources) {
		for (const r of records) {
			const end = Date.parse(r.endedAt);
			if (!(end >= w.start)) {
				continue;
			}
			oldest = oldest === undefined ? end : Math.min(oldest, end);
			const job = jobAcc(jobs, source, r.jobId);
			if (r.status === 'missed' || r.status === 'skipped') {
				job.counts[r.status] += r.count ?? 1;
				continue;
			}
			const start = Date.parse(r.startedAt);
			const began = Number.isFinite(start) ? start : end;
			intervals.push([began, end]);
			job.counts.attempts++;
			if (r.attempt > 1) {
				job.counts.retries++;
				bucketAt(end).retries++;
			}
			const key = `${source}\n${r.jobId}\n${r.runId}`;
			const run = runs.get(key) ?? { source, jobId: r.jobId, firstStart: began, attempts: 0 };
			runs.set(key, run);
			run.attempts++;
			run.firstStart = Math.min(run.firstStart, began);
			if (!run.last || r.attempt >= run.last.attempt) {
				run.last = r;
			}
		}
		for (const since of runningSince ?? []) {
			intervals.push([since, now]);
		}
	}
	for (const run of runs.values()) {
		endRun(jobAcc(jobs, run.source, run.jobId), run, bucketAt);
	}
	fillPeaks(buckets, intervals, w);
	const perJob = [...jobs.values()].map(finishJob);
	return { window: w, totals: finish(sumCounts(perJob)), perJob, buckets, ...(oldest === undefined ? {} : { oldest }) };
}

interface JobAcc {
	source: string;
	jobId: string;
	counts: RunCounts;
	durationSum: number;
	lastEnd?: number;
	lastStatus?: RunStatus;
	lastAttempts?: number;
}

function jobAcc(jobs: Map<string, JobAcc>, source: string, jobId: string): JobAcc {
	const key = `${source}\n${jobId}`;
	let job = jobs.get(key);
	if (!job) {
		job = { source, jobId, counts: emptyCounts(), durationSum: 0 };
		jobs.set(key, job);
	}
	return job;
}

function endRun(job: JobAcc, run: RunAcc, bucketAt: (ms: number) => StatsBucket): void {
	const last = run.last!;
	const c = job.counts;
	if (last.attempt > 1) {
		c.retriedRuns++;
	}
	if (last.willRetry) {
		c.retrying++;
		return;
	}
	const end = Date.parse(last.endedAt);
	c.runs++;
	const status = last.status as 'completed' | 'failed' | 'canceled' | 'interrupted';
	c[status]++;
	if (status === 'completed' || status === 'failed') {
		bucketAt(end)[status]++;
	}
	const duration = Math.max(0, end - run.firstStart);
	job.durationSum += duration;
	c.maxDurationMs = Math.max(c.maxDurationMs, duration);
	if (job.lastEnd === undefined || end >= job.lastEnd) {
		job.lastEnd = end;
		job.lastStatus = status;
		job.lastAttempts = last.attempt;
	}
}

/** Each bucket's peak of attempts running at once: a sweep over start (+1) and end (-1) events. */
function fillPeaks(buckets: StatsBucket[], intervals: ReadonlyArray<[number, number]>, w: StatsWindow): void {
	const events: Array<[number, number]> = [];
	for (const [start, end] of intervals) {
		if (end > start) {
			events.push([start, 1], [end, -1]);
		}
	}
	// At the same instant an end goes before a start: back-to-back attempts are not two at once.
	events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let running = 0;
	let i = 0;
	for (; i < events.length && events[i][0] < w.start; i++) {
		running += events[i][1];
	}
	for (const bucket of buckets) {
		const end = bucket.t + w.bucketMs;
		// An attempt that ends as the bucket starts is not running in it.
		for (; i < events.length && events[i][0] === bucket.t && events[i][1] < 0; i++) {
			running += events[i][1];
		}
		let peak = running;
		for (; i < events.length && events[i][0] < end; i++) {
			running += events[i][1];
			peak = Math.max(peak, running);
		}
		bucket.peakRunning = peak;
	}
}

function finishJob(job: JobAcc): JobRunStats {
	const counts = finish(job.counts, job.durationSum);
	return {
		source: job.source,
		jobId: job.jobId,
		...counts,
		...(job.lastStatus ? { lastStatus: job.lastStatus, lastAttempts: job.lastAttempts, lastEndedAt: job.lastEnd } : {}),
	};
}

/** Fills the rate and the average (`durationSum` over the runs; for sums, the jobs' averages weighted by their runs). */
function finish(c: RunCounts, durationSum = c.avgDurationMs * c.runs): RunCounts {
	const decided = c.completed + c.failed;
	return { ...c, failureRate: decided ? c.failed / decided : 0, avgDurationMs: c.runs ? Math.round(durationSum / c.runs) : 0 };
}

/** Adds up counts (of jobs, or of folders); averages are weighted by runs, rates recomputed. */
export function sumCounts(parts: readonly RunCounts[]): RunCounts {
	const sum = emptyCounts();
	let durationSum = 0;
	for (const p of parts) {
		for (const key of summedKeys) {
			sum[key] += p[key];
		}
		durationSum += p.avgDurationMs * p.runs;
		sum.maxDurationMs = Math.max(sum.maxDurationMs, p.maxDurationMs);
	}
	return finish(sum, durationSum);
}

const summedKeys = ['runs', 'completed', 'failed', 'canceled', 'interrupted', 'skipped', 'missed', 'attempts', 'retries', 'retriedRuns', 'retrying'] as const;

function emptyCounts(): RunCounts {
	return { runs: 0, completed: 0, failed: 0, canceled: 0, interrupted: 0, skipped: 0, missed: 0, attempts: 0, retries: 0, retriedRuns: 0, retrying: 0, failureRate: 0, avgDurationMs: 0, maxDurationMs: 0 };
}

/** The oldest end time within the longest window, which decides the window. */
function oldestEnd(sources: readonly RunSource[], now: number): number | undefined {
	let oldest: number | undefined;
	const cutoff = now - longestWindowMs;
	for (const { records } of sources) {
		for (const r of records) {
			const end = Date.parse(r.endedAt);
			if (end >= cutoff && (oldest === undefined || end < oldest)) {
				oldest = end;
			}
		}
	}
	return oldest;
}
