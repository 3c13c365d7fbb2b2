import type { RunRecord } from '../model';
import { mergeSkips, sameSkip } from './retentionPlanner';

/**
 * Consecutive identical skips of a job (a 1 s schedule over a 10 min run skips 600 times with
 * the same message) become few history lines: the first skip of a streak is written as it comes,
 * the ones after it are counted in memory and written as one record with `count`, `firstAt` and
 * `lastAt` when the streak ends (the job's next different record), when it has been open for
 * `flushMs`, or when the store flushes. History is append-only, so a long streak leaves one
 * line per `flushMs`; the pruner merges those into one. A crash loses at most the count of the
 * last `flushMs` of skips, which ran nothing.
 */
export class SkipStreaks {
	private readonly streaks = new Map<string, { last: RunRecord; held: RunRecord | undefined; since: number }>();

	constructor(private readonly flushMs: number) {}

	/** True while some skips are counted and not written. */
	get pending(): boolean {
		for (const streak of this.streaks.values()) {
			if (streak.held) {
				return true;
			}
		}
		return false;
	}

	/** The records to write for `record` (a held streak first), in order; none when it joins a streak. */
	take(record: RunRecord, now: number): RunRecord[] {
		const streak = this.streaks.get(record.jobId);
		if (streak && sameSkip(streak.last, record)) {
			streak.held = streak.held ? mergeSkips(streak.held, record) : record;
			streak.last = record;
			return [];
		}
		const out = streak?.held ? [streak.held, record] : [record];
		if (record.status === 'skipped') {
			this.streaks.set(record.jobId, { last: record, held: undefined, since: now });
		} else {
			this.streaks.delete(record.jobId);
		}
		return out;
	}

	/** The held records of streaks open for `flushMs` (or of all with `all`), to write now; the streaks go on. */
	due(now: number, all: boolean): RunRecord[] {
		const out: RunRecord[] = [];
		for (const streak of this.streaks.values()) {
			if (streak.held && (all || now - streak.since >= this.flushMs)) {
				out.push(streak.held);
				streak.held = undefined;
				streak.since = now;
			}
		}
		return out;
	}
}
