import type { Logger } from '../base/logger';
import type { RetentionOptions, RunRecord } from '../model';
import type { WriteFailures } from './fileProblems';
import type { HistoryStore } from './history';
import type { PersistedState } from './persistedState';
import { type PruneResult, pruneStateFolder } from './pruner';
import { formatSize, resolveRetention } from './retention';
import { runKey } from './runRecord';

/** Retention prunes after a batch when this long has passed since the last prune... */
const pruneIntervalMs = 10 * 60_000;
/**
 * ...or when this many records were written since, but not more often than `pruneMinGapMs`. With
 * a large per-job limit the count is twice that limit: a prune reads the whole history, which such
 * a limit lets grow that large, so waiting for as many new records keeps its cost per record
 * small (the 10-minute interval still applies).
 */
const pruneAfterRecords = 10_000;
const pruneMinGapMs = 10_000;

/** What the schedule needs from the run store. */
export interface PruneScheduleContext {
	readonly stateDir: string;
	readonly history: HistoryStore;
	/** `prunedAt` is kept here, so a CLI process started every minute prunes every 10 minutes, not each time. */
	readonly state: PersistedState;
	saveStateSoon(): void;
	now(): number;
	readonly logger: Logger;
	readonly failures: WriteFailures;
}

/**
 * When retention prunes, and with which limits: after a batch of records, at most every 10
 * minutes (sooner after 10,000 records), one prune at a time, in the background; a batch never
 * waits for it. Keeps the logs of this process's runs in flight out of its reach.
 */
export class PruneSchedule {
	private host: RetentionOptions | undefined;
	private file: RetentionOptions | undefined;
	private running: Promise<PruneResult | undefined> | undefined;

	/** The prune in flight, if any. */
	get inFlight(): Promise<PruneResult | undefined> | undefined {
		return this.running;
	}
	private written = 0;
	private readonly activeLogs = new Map<string, string>();

	constructor(
		private readonly ctx: PruneScheduleContext,
		host: RetentionOptions | undefined,
	) {
		this.host = host;
	}

	/** Sets the limits: the host's (settings) win over the file's, field by field, then the defaults. */
	setRetention(limits: { host?: RetentionOptions; file?: RetentionOptions }): void {
		if ('host' in limits) {
			this.host = limits.host;
		}
		if ('file' in limits) {
			this.file = limits.file;
		}
	}

	/** The limits in force. */
	get limits(): Required<RetentionOptions> {
		return resolveRetention(this.host, this.file);
	}

	/** A command run started writing `logFile`. */
	runStarted(run: { runId: string; attempt: number; logFile?: string }): void {
		if (run.logFile) {
			this.activeLogs.set(runKey(run), run.logFile);
		}
	}

	/** Records were written (`written` of them to history); prunes if one is due. */
	recorded(records: readonly RunRecord[], written: number): void {
		for (const r of records) {
			this.activeLogs.delete(runKey(r));
		}
		this.written += written;
		if (this.running || this.written === 0) {
			return;
		}
		const since = this.ctx.now() - (this.ctx.state.prunedAt ?? Number.NEGATIVE_INFINITY);
		const enough = Math.max(pruneAfterRecords, 2 * this.limits.runs);
		if (since >= pruneIntervalMs || (this.written >= enough && since >= pruneMinGapMs)) {
			void this.prune();
		}
	}

	/**
	 * Prunes now, unless a prune is running (then its result). Never throws: a failure is logged
	 * once and the next prune tries again.
	 */
	prune(): Promise<PruneResult | undefined> {
		this.running ??= this.pruneOnce().finally(() => {
			this.running = undefined;
		});
		return this.running;
	}

	private async pruneOnce(): Promise<PruneResult | undefined> {
		const { ctx } = this;
		const now = ctx.now();
		this.written = 0;
		ctx.state.prunedAt = now;
		ctx.saveStateSoon();
		const limits = this.limits;
		const { history, stateDir } = ctx;
		try {
			const result = await pruneStateFolder({ stateDir, historyFile: history.file, rotatedFile: history.rotatedFile, limits, now, activeLogs: this.activeLogs.values() });
			ctx.failures.succeeded('pruned history');
			if (result.recordsDropped > 0 || result.logsDeleted > 0) {
				const logs = result.logsDeleted > 0 ? ` and ${plural(result.logsDeleted, 'log file')} (${formatSize(result.bytesFreed)})` : '';
				ctx.logger.debug(`Retention (${limits.runs} runs per job, ${limits.days} days, ${formatSize(limits.size)} of logs): removed ${plural(result.recordsDropped, 'history record')}${logs}`);
			}
			return result;
		} catch (err) {
			ctx.failures.failed('pruned history', history.file, err, 'history and logs are not pruned');
			return undefined;
		}
	}
}

function plural(n: number, what: string): string {
	return `${n} ${what}${n === 1 ? '' : 's'}`;
}
