import type { RunRecord } from '../model';
import { describeFileError, type WriteFailures } from './fileProblems';
import type { HistoryStore } from './history';
import type { SpaceReserve } from './spaceReserve';

/** Records whose history append failed are kept for the next try, at most this many (the oldest go first). */
const maxUnsaved = 10_000;

/** Finished records that are not in history: their append failed, and they wait for the next batch. */
export interface UnsavedRecords {
	/** Records held in memory now, lost if the process ends before an append works. */
	count: number;
	/** Records dropped because more than 10,000 waited. */
	dropped: number;
	/** The history file. */
	file: string;
	/** Why the last append failed, in words. */
	reason: string;
}

/**
 * Appends batches of finished records to history without ever losing one to a single failed
 * write: a batch that cannot be written (a full disk, a folder in the file's place) waits in
 * memory and goes first in the next append, and `unsaved` says how many wait and why, so a host
 * can tell its user (the CLI's `run` exits non-zero). A full disk first frees the space kept for
 * records (`SpaceReserve`). Failures are logged once per streak (`WriteFailures`).
 */
export class HistoryAppender {
	private waiting: RunRecord[] = [];
	private dropped = 0;
	private reason = '';

	constructor(
		private readonly history: HistoryStore,
		private readonly failures: WriteFailures,
		private readonly reserve: SpaceReserve | undefined,
	) {}

	/** True while records wait for an append that works. */
	get pending(): boolean {
		return this.waiting.length > 0;
	}

	get unsaved(): UnsavedRecords | undefined {
		if (this.waiting.length === 0 && this.dropped === 0) {
			return undefined;
		}
		return { count: this.waiting.length, dropped: this.dropped, file: this.history.file, reason: this.reason };
	}

	/** Appends the waiting records and then `records` in one write; returns how many were written. */
	append(records: readonly RunRecord[]): number {
		if (records.length === 0 && this.waiting.length === 0) {
			return 0;
		}
		const all = this.waiting.length > 0 ? [...this.waiting, ...records] : records;
		try {
			if (this.reserve) {
				this.reserve.write('run history', () => this.history.append(all));
			} else {
				this.history.append(all);
			}
		} catch (err) {
			this.reason = describeFileError(err);
			this.waiting = all.length > maxUnsaved ? all.slice(all.length - maxUnsaved) : [...all];
			this.dropped += all.length - this.waiting.length;
			this.failures.failed('run history', this.history.file, err, 'finished runs are kept in memory and written when it works again (lost if this process ends first)');
			return 0;
		}
		this.waiting = [];
		this.failures.succeeded('run history');
		this.reserve?.ensureSoon();
		return all.length;
	}
}
