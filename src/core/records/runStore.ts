import * as path from 'node:path';
import type { Logger } from '../base/logger';
import { HistoryStore } from './history';
import { type InFlightRun, RunJournal } from './runJournal';
import { isoTime } from '../base/isoTime';
import type { ActiveRun, RunRecord } from '../model';
import { runKey } from './runRecord';
import { readJsonFile, writeFileAtomicAsync } from '../base/atomicFile';

export const historyFileName = 'history.jsonl';

/** `state.json`: what the scheduler needs to resume where it stopped. */
export interface PersistedState {
	version: 1;
	lastAlive?: number;
	lastFired?: Record<string, number>;
	enabled?: Record<string, boolean>;
	known?: string[];
}

/**
 * At most this many finished records (and the continuations of their waiters) per turn of the
 * event loop, so a burst of thousands of finishes never holds the loop (and every timer) for
 * tens of milliseconds.
 */
const maxRecordsPerTurn = 256;

/**
 * Everything the engine keeps on disk: finished records (`history.jsonl`), runs in flight (the
 * per-process journal) and `state.json`. Records are written in batches, one append per turn of
 * the event loop, and nobody hears of a finish before its record is on disk. `state.json` is
 * written off the event loop, one write in flight at a time: after a crash, the journal and the
 * history say which scheduled instants ran even when the state file is behind (`Engine.markFired`).
 */
export class RunStore {
	readonly history: HistoryStore | undefined;
	readonly journal: RunJournal | undefined;
	readonly state: PersistedState;
	private readonly stateFile: string | undefined;
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

	constructor(
		readonly stateDir: string | undefined,
		private readonly logger: Logger,
		/** Called with each batch once it is on disk, before the batch's waiters resume. */
		private readonly onRecorded: (records: readonly RunRecord[]) => void,
		/** The engine's clock, for the rare start journaled without its instant. */
		private readonly now: () => number = Date.now,
	) {
		this.history = stateDir ? new HistoryStore(path.join(stateDir, historyFileName)) : undefined;
		// One journal per process, so a CLI run beside VS Code never takes the other's runs for orphans.
		this.journal = stateDir ? new RunJournal(path.join(stateDir, `inflight-${process.pid}.jsonl`)) : undefined;
		this.stateFile = stateDir && path.join(stateDir, 'state.json');
		this.state = (this.stateFile && readJsonFile<PersistedState>(this.stateFile)) || { version: 1 };
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

	/** Resolves when every record queued so far is written. */
	flush(): Promise<void> {
		if (this.records.length === 0) {
			return Promise.resolve();
		}
		return new Promise((resolve) => this.idleWaiters.push(resolve));
	}

	/** Appends records that did not go through a run (recovered interrupted runs) right away. */
	appendNow(records: readonly RunRecord[]): void {
		this.history?.append(records);
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
				}
			}
		} catch (err) {
			this.logger.error(`Could not write scheduler state: ${String(err)}`);
		} finally {
			this.stateWrite = undefined;
		}
	}

	private journalStarts(entries: readonly InFlightRun[]): void {
		if (entries.length === 0) {
			return;
		}
		try {
			this.journal?.started(entries);
		} catch (err) {
			this.logger.error(`Could not write the journal of running jobs: ${String(err)}`);
		}
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
		try {
			this.history?.append(records);
			this.journal?.ended(records);
		} catch (err) {
			this.logger.error(`Could not write run history: ${String(err)}`);
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
