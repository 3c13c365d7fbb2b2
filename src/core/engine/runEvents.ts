import type { Clock } from '../base/clock';
import { Disposable } from '../base/disposable';
import { formatElapsed } from '../base/timeFormat';
import { Emitter, type Event } from '../base/events';
import { isoTime } from '../base/isoTime';
import type { Logger } from '../base/logger';
import type { RunOutput } from '../dispatch/commandExecutor';
import type { JobStates } from '../dispatch/jobStates';
import type { RunHandle } from '../dispatch/runHandle';
import type { ActiveRun, RunRecord } from '../model';
import type { RunStore } from '../records/runStore';

/**
 * Where a run's start and finish become known: journaled and recorded through the run store,
 * shown in the job states, logged, and told to the host's listeners.
 */
export class RunEvents extends Disposable {
	private readonly _onDidStartRun = this._register(new Emitter<ActiveRun>());
	/** An attempt started running. */
	readonly onDidStartRun: Event<ActiveRun> = this._onDidStartRun.event;
	private readonly _onDidFinishRun = this._register(new Emitter<RunRecord>());
	/** An attempt finished; its record is already on disk when this fires. */
	readonly onDidFinishRun: Event<RunRecord> = this._onDidFinishRun.event;
	private readonly _onDidOutput = this._register(new Emitter<RunOutput>());
	/** A chunk of a run's output. */
	readonly onDidOutput: Event<RunOutput> = this._onDidOutput.event;

	constructor(
		private readonly clock: Clock,
		private readonly logger: Logger,
		private readonly store: () => RunStore,
		private readonly states: JobStates,
	) {
		super();
	}

	/** A command's start is on disk before its process is spawned (await it); an in-process start goes with the next batch. */
	started(handle: RunHandle, command: boolean): Promise<void> | undefined {
		const info = handle.info;
		info.startedAt = isoTime(this.clock.now());
		let journaled: Promise<void> | undefined;
		if (command) {
			journaled = this.store().commandStarted(info);
		} else {
			this.store().functionStarted(info);
		}
		this.states.setRunState(handle, 'running');
		if (this._onDidStartRun.hasListeners) {
			this._onDidStartRun.fire({ ...info });
		}
		return journaled;
	}

	/** Who hears of output chunks now, if anyone: checked once per attempt, so output costs nothing unheard. */
	outputListener(): ((output: RunOutput) => void) | undefined {
		return this._onDidOutput.hasListeners ? (output) => this._onDidOutput.fire(output) : undefined;
	}

	/** A batch of records is on disk: show them, log them, tell listeners. */
	recorded(records: readonly RunRecord[]): void {
		for (const record of records) {
			this.states.setLastRun(record);
			this.logFinish(record);
			this._onDidFinishRun.fire(record);
		}
	}

	private logFinish(r: RunRecord): void {
		if (r.status === 'missed' || r.status === 'skipped') {
			return;
		}
		const detail = r.status === 'completed' ? formatElapsed(r.durationMs) : `${r.message ?? r.reason}, ${formatElapsed(r.durationMs)}`;
		const line = `running -> ${r.status} (${detail})${r.attempt > 1 ? ` attempt ${r.attempt}` : ''}${r.willRetry ? ', will retry' : ''}`;
		this.logger[finishLevel(r)](line, { jobId: r.jobId, runId: r.runId });
	}
}

/**
 * The level of a finished attempt's line. The default level (info) shows what a user acts on: a
 * run that failed for good (error), and a run killed by the user's cancel or by stopping the
 * scheduler (info); a completed run, an attempt that will be retried and a run replaced by its
 * next fire (`overlap: replace`) are one level down (debug), so a 5-second heartbeat writes
 * nothing at the default level.
 */
export function finishLevel(r: Pick<RunRecord, 'status' | 'reason' | 'willRetry'>): 'error' | 'info' | 'debug' {
	if ((r.status === 'failed' || r.status === 'interrupted') && !r.willRetry) {
		return 'error';
	}
	return r.status === 'canceled' && (r.reason === 'canceled' || r.reason === 'stopped') ? 'info' : 'debug';
}
