import * as path from 'node:path';
import type { Logger } from '../base/logger';
import { HistoryStore } from './history';
import { type InFlightRun, RunJournal } from './runJournal';
import { isoTime } from '../base/isoTime';
import type { ActiveRun, RetentionOptions, RunRecord } from '../model';
import { runKey } from './runRecord';
import { writeFileAtomicAsync } from '../base/atomicFile';
import { type ProblemSink, warnSink, WriteFailures } from './fileProblems';
import { type PersistedState, readPersistedState } from './persistedState';
import { PruneSchedule } from './pruneSchedule';
import type { PruneResult } from './pruner';
import { SkipStreaks } from './skipStreaks';
import { SpaceReserve } from './spaceReserve';
import { HistoryAppender, type UnsavedRecords } from './historyAppender';
import { openStateDir } from '../base/stateDir';


export const historyFileName = 'history.jsonl';
/** The scheduler's state (`PersistedState`) in the state folder. */
export const stateFileName = 'state.json';

/**
 * At most this many finished records (and the continuations of their waiters) per turn of the
 * event loop, so a burst of thousands of finishes never holds the loop (and every timer) for
 * tens of milliseconds.
 */
const maxRecordsPerTurn = 256;
/** A streak of identical skips is written at least this often while it lasts. */
const skipFlushMs = 60_000;

/**
 * Everything the engine keeps on disk: finished records (`history.jsonl`), runs in flight (the
 * per-process journal) and `state.json`. Records are written in batches, one append per turn of
 * the event loop, and nobody hears of a finish before its record is on disk. `state.json` is
 * written off the event loop, one write in flight at a time: after a crash, the journal and the
 * history say which scheduled instants ran even when the state file is behind (`Engine.markFired`).
 *
 * Every file here is input too: bad records and unreadable files are skipped with one warning
 * (`problems`), and writes that fail are logged once per streak of failures, never thrown at a
 * run. Identical consecutive skips are coalesced (`SkipStreaks`), and retention prunes history
 * and logs in the background after a batch (`PruneSchedule`).
 */
export class RunStore {
	readonly history: HistoryStore | undefined;
	readonly journal: RunJournal | undefined;
	readonly state: PersistedState;
	/** Where the readers report bad records and unreadable files: the logger, as warnings. */
	readonly problems: ProblemSink;
	private readonly stateFile: string | undefined;
	private readonly failures: WriteFailures;
	private readonly skips = new SkipStreaks(skipFlushMs);
	private skipTimer: NodeJS.Timeout | undefined;
	/** The next flush writes every held skip streak (`flush()` asked for it). */
	private flushSkips = false;
	/** Retention: the limits, and the background prunes that keep to them. */
	private readonly pruning: PruneSchedule | undefined;
	private records: RunRecord[] = [];
	private waiters: Array<() => void> = [];
	/** `flush()` callers, resolved when nothing is pending any more. */
	private idleWaiters: Array<() => void> = [];
	/** In-process starts, journaled with the next batch unless they end within it. */
	private deferredStarts: ActiveRun[] = [];
	/** Command starts of this microtask, journaled in one append before any of them launches. */
	private commandStarts: InFlightRun[] = [];
	private commandStartsWritten: Promise<void> | undefined;
	private flushScheduled = false;
	private stateDirty = false;
	private stateWrite: Promise<void> | undefined;
	/** Space kept on the state volume for records, and the history writes that use it. */
	private readonly reserve: SpaceReserve | undefined;
	private readonly appender: HistoryAppender | undefined;

	constructor(
		readonly stateDir: string | undefined,
		logger: Logger,
		/** Called with each batch once it is on disk, before the batch's waiters resume. */
		private readonly onRecorded: (records: readonly RunRecord[]) => void,
		/** The engine's clock, for the rare start journaled without its instant, skip streaks and retention's age. */
		private readonly now: () => number = Date.now,
		/** The host's retention limits (settings), over the file's; see `setRetention`. */
		retention?: RetentionOptions,
	) {
		this.problems = warnSink(logger);
		this.failures = new WriteFailures(logger);
		// Private (0700 folders, 0600 files) whatever the umask; what an older version left is tightened.
		const unusable = stateDir ? openStateDir(stateDir) : undefined;
		if (unusable) {
			this.failures.failed('the state folder', stateDir, unusable, 'no history, journal or state is kept');
		}
		this.reserve = stateDir ? new SpaceReserve(path.join(stateDir, 'reserved-space'), logger, now) : undefined;
		this.reserve?.ensure();
		this.history = stateDir ? new HistoryStore(path.join(stateDir, historyFileName), { problems: this.problems }) : undefined;
		this.appender = this.history && new HistoryAppender(this.history, this.failures, this.reserve);
		// One journal per process, so a CLI run beside VS Code never takes the other's runs for orphans.
		this.journal = stateDir ? new RunJournal(path.join(stateDir, `inflight-${process.pid}.jsonl`), this.problems) : undefined;
		this.stateFile = stateDir && path.join(stateDir, stateFileName);
		this.state = this.stateFile ? readPersistedState(this.stateFile, this.problems) : { version: 1 };
		if (stateDir && this.history) {
			const { history, state, failures } = this;
			this.pruning = new PruneSchedule({ stateDir, history, state, failures, logger, now, saveStateSoon: () => this.saveStateSoon() }, retention);
		}
	}

	/** Sets the retention limits: the host's (settings) win over the file's, field by field, then the defaults. */
	setRetention(limits: { host?: RetentionOptions; file?: RetentionOptions }): void {
		this.pruning?.setRetention(limits);
	}

	/** Prunes history and logs to the retention limits now (a prune also follows batches on its own). */
	prune(): Promise<PruneResult | undefined> {
		return this.pruning?.prune() ?? Promise.resolve(undefined);
	}

	/**
	 * Journals a command's start; resolves once it is on disk, so a host killed after the
	 * process spawned always leaves the run behind as interrupted. The starts of one microtask
	 * (a burst of freed slots) share one append.
	 */
	commandStarted(run: Readonly<ActiveRun>): Promise<void> {
		if (!this.journal) {
			return Promise.resolve();
		}
		this.pruning?.runStarted(run);
		this.commandStarts.push(inFlight(run, this.now));
		this.commandStartsWritten ??= Promise.resolve().then(() => {
			const batch = this.commandStarts;
			this.commandStarts = [];
			this.commandStartsWritten = undefined;
			this.journalStarts(batch);
		});
		return this.commandStartsWritten;
	}

	/** Journals an in-process start with the next batch; a run that ends within it never needs the journal. */
	functionStarted(run: ActiveRun): void {
		if (this.journal) {
			// The run's entry is made at the flush, and only if it outlives the batch; its attempt
			// cannot change before then (a retry waits for this attempt's record).
			this.deferredStarts.push(run);
			this.scheduleFlush();
		}
	}

	/** Queues a finished attempt's record; resolves once it is on disk and reported. */
	finish(record: RunRecord): Promise<void> {
		this.records.push(record);
		return new Promise((resolve) => {
			this.waiters.push(resolve);
			this.scheduleFlush();
		});
	}

	/** Finished records not in history because its append failed (they wait for the next batch), if any. */
	get unsaved(): UnsavedRecords | undefined {
		return this.appender?.unsaved;
	}

	/** Resolves when every record queued so far is written (or failed to be), held skip streaks and unsaved records included. */
	/** Resolves when no background prune is in flight. */
	async pruned(): Promise<void> {
		await this.pruning?.inFlight;
	}

	flush(): Promise<void> {
		if (this.records.length === 0 && !this.skips.pending && !this.appender?.pending) {
			return Promise.resolve();
		}
		this.flushSkips = true;
		this.scheduleFlush();
		return new Promise((resolve) => this.idleWaiters.push(resolve));
	}

	/** Appends records that did not go through a run (recovered interrupted runs) right away. */
	appendNow(records: readonly RunRecord[]): void {
		this.appendHistory(records);
	}

	/** Marks `state` changed; it is written soon, off the event loop, coalesced with other changes. */
	saveStateSoon(): void {
		this.stateDirty = true;
		this.stateWrite ??= this.writeState();
	}

	/** Writes `state` now (after any write in flight) and resolves when it is on disk. */
	async saveStateNow(): Promise<void> {
		this.saveStateSoon();
		while (this.stateWrite) {
			await this.stateWrite;
		}
	}

	private async writeState(): Promise<void> {
		try {
			// Changes made in the same turn (a batch of fires) share one write.
			await new Promise((resolve) => setImmediate(resolve));
			while (this.stateDirty) {
				this.stateDirty = false;
				if (this.stateFile) {
					await writeFileAtomicAsync(this.stateFile, JSON.stringify(this.state));
					this.failures.succeeded('the scheduler state');
				}
			}
		} catch (err) {
			this.failures.failed('the scheduler state', this.stateFile, err, 'a restart may catch up or re-run what already ran');
		} finally {
			this.stateWrite = undefined;
		}
	}

	private journalStarts(entries: readonly InFlightRun[]): void {
		if (entries.length === 0) {
			return;
		}
		try {
			this.reserve?.write('the journal of running jobs', () => this.journal?.started(entries));
			this.failures.succeeded('the journal of running jobs');
		} catch (err) {
			this.failures.failed('the journal of running jobs', undefined, err, 'runs cut off by a crash now are not reported as interrupted');
		}
	}

	/** Appends to history (records that failed before go first); a failure is reported, never thrown at a run. */
	private appendHistory(records: readonly RunRecord[]): number {
		return this.appender?.append(records) ?? 0;
	}

	private scheduleFlush(): void {
		if (!this.flushScheduled) {
			this.flushScheduled = true;
			setImmediate(() => this.flushNow());
		}
	}

	private flushNow(): void {
		this.flushScheduled = false;
		let records = this.records;
		let waiters = this.waiters;
		if (records.length > maxRecordsPerTurn) {
			this.records = records.slice(maxRecordsPerTurn);
			this.waiters = waiters.slice(maxRecordsPerTurn);
			records = records.slice(0, maxRecordsPerTurn);
			waiters = waiters.slice(0, maxRecordsPerTurn);
			this.scheduleFlush();
		} else {
			this.records = [];
			this.waiters = [];
		}
		const starts = this.deferredStarts;
		this.deferredStarts = [];
		const written = this.appendHistory(this.toWrite(records));
		// Apart from the history: a journal that cannot be written must not lose a record, nor the reverse.
		try {
			this.reserve?.write('the journal of running jobs', () => this.journal?.ended(records));
		} catch (err) {
			this.failures.failed('the journal of running jobs', undefined, err, 'ended runs may be reported as interrupted after a crash');
		}
		if (starts.length > 0) {
			// Runs whose record is written in this batch or waits for the next turn need no start line.
			const finished = new Set<string>();
			for (const r of records) {
				finished.add(runKey(r));
			}
			for (const r of this.records) {
				finished.add(runKey(r));
			}
			this.journalStarts(starts.filter((s) => !finished.has(runKey(s))).map((s) => inFlight(s, this.now)));
		}
		if (records.length > 0) {
			this.onRecorded(records);
		}
		for (const resolve of waiters) {
			resolve();
		}
		if (this.records.length === 0 && this.idleWaiters.length > 0) {
			const idle = this.idleWaiters;
			this.idleWaiters = [];
			for (const resolve of idle) {
				resolve();
			}
		}
		this.pruning?.recorded(records, written);
	}

	/**
	 * What goes to history for a batch: skips that continue a streak are held back, a streak's
	 * held record goes before the job's next record, and streaks open too long (or all, when
	 * flushing) are written at the end.
	 */
	private toWrite(records: readonly RunRecord[]): RunRecord[] {
		if (!this.history) {
			return [];
		}
		const now = this.now();
		const out: RunRecord[] = [];
		for (const r of records) {
			out.push(...this.skips.take(r, now));
		}
		const all = this.flushSkips && this.records.length === 0;
		if (all) {
			this.flushSkips = false;
		}
		out.push(...this.skips.due(now, all));
		if (this.skips.pending) {
			this.skipTimer ??= setTimeout(() => {
				this.skipTimer = undefined;
				this.scheduleFlush();
			}, skipFlushMs).unref();
		}
		return out;
	}
}

/** What the journal keeps of a run. */
function inFlight(run: Readonly<ActiveRun>, now: () => number): InFlightRun {
	return {
		jobId: run.jobId,
		runId: run.runId,
		attempt: run.attempt,
		startedAt: run.startedAt ?? isoTime(now()),
		trigger: run.trigger,
		scheduledAt: run.scheduledAt,
		logFile: run.logFile,
	};
}
