import type { RetentionOptions, RunRecord } from '../model';

/** Two skips say the same thing: the same job, reason, message and trigger. */
export function sameSkip(a: RunRecord, b: RunRecord): boolean {
	return a.status === 'skipped' && b.status === 'skipped' && a.jobId === b.jobId && a.reason === b.reason && a.message === b.message && a.trigger === b.trigger;
}

/** `later` folded into `earlier`: one record for both, counting every skip they stand for. */
export function mergeSkips(earlier: RunRecord, later: RunRecord): RunRecord {
	return { ...later, count: (earlier.count ?? 1) + (later.count ?? 1), firstAt: earlier.firstAt ?? earlier.startedAt, lastAt: later.lastAt ?? later.endedAt };
}

/** A record a prune keeps: its place in file order and its line (`undefined` once changed). */
export interface KeptRecord {
	seq: number;
	record: RunRecord;
	line: string | undefined;
}

/** The records of one job as the planner keeps them: real runs by run id, skips and misses by record. */
interface JobRecords {
	runs: Map<string, KeptRecord[]>;
	skips: Map<number, KeptRecord>;
	last: KeptRecord | undefined;
}

/**
 * Decides which records a prune keeps, reading them once in file order and holding only what it
 * keeps: per job the newest `runs` runs (all their attempts), and apart from those the newest
 * `runs` skipped or missed records, so a tight schedule's skips never push real history out;
 * then nothing older than `days`, except each job's newest run. Consecutive identical skips of a
 * job are merged into one record with a `count`.
 */
export class RetentionPlanner {
	private readonly jobs = new Map<string, JobRecords>();
	private seq = 0;
	/** Records dropped or merged so far: a prune with none rewrites nothing. */
	changes = 0;

	constructor(private readonly limits: Required<RetentionOptions>) {}

	add(record: RunRecord, line: string): void {
		let job = this.jobs.get(record.jobId);
		if (!job) {
			job = { runs: new Map(), skips: new Map(), last: undefined };
			this.jobs.set(record.jobId, job);
		}
		const seq = this.seq++;
		if (job.last && sameSkip(job.last.record, record)) {
			job.last.record = mergeSkips(job.last.record, record);
			job.last.line = undefined;
			job.last.seq = seq;
			this.changes++;
			return;
		}
		const kept: KeptRecord = { seq, record, line };
		job.last = kept;
		if (record.status === 'skipped' || record.status === 'missed') {
			job.skips.set(seq, kept);
			if (job.skips.size > this.limits.runs) {
				job.skips.delete(job.skips.keys().next().value!);
				this.changes++;
			}
			return;
		}
		const attempts = job.runs.get(record.runId);
		if (attempts) {
			attempts.push(kept);
			return;
		}
		job.runs.set(record.runId, [kept]);
		if (job.runs.size > this.limits.runs) {
			const oldest = job.runs.keys().next().value!;
			this.changes += job.runs.get(oldest)!.length;
			job.runs.delete(oldest);
		}
	}

	/** The records kept, in file order, after the age limit at `now`. */
	kept(now: number): KeptRecord[] {
		const cutoff = now - this.limits.days * 86_400_000;
		const all: KeptRecord[] = [];
		const keepIfYoung = (kept: KeptRecord) => {
			if (Date.parse(kept.record.endedAt) >= cutoff) {
				all.push(kept);
			} else {
				this.changes++;
			}
		};
		for (const job of this.jobs.values()) {
			const newest = [...job.runs.keys()].pop();
			for (const [runId, attempts] of job.runs) {
				if (runId === newest) {
					all.push(...attempts);
				} else {
					attempts.forEach(keepIfYoung);
				}
			}
			job.skips.forEach(keepIfYoung);
		}
		return all.sort((a, b) => a.seq - b.seq);
	}
}
