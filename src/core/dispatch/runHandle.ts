import { RunAbort } from '../base/abort';
import { formatDuration } from '../base/duration';
import { isoTime } from '../base/isoTime';
import type { RunReason, RunRecord, RunStatus, Trigger } from '../model';

/** A run that has not finished yet. */
export interface ActiveRun {
	runId: string;
	jobId: string;
	attempt: number;
	state: 'pending' | 'queued' | 'running';
	trigger: Trigger;
	scheduledAt?: string;
	startedAt?: string;
	logFile?: string;
}

/**
 * One unfinished run (all its attempts) and how to stop it. The `AbortSignal` is made only when
 * something asks for it (a command's runner, a retry's delay, a function that reads
 * `context.signal`): most in-process runs never do, and one `AbortController` per run was a
 * tenth of the dispatch cost.
 */
export class RunHandle {
	done!: Promise<RunRecord>;
	private _reason: RunAbort | undefined;
	private controller: AbortController | undefined;
	/** Called once on abort: whoever waits for this run right now (a queue slot, a function). */
	private onAbort: ((reason: unknown) => void) | undefined;

	constructor(readonly info: ActiveRun) {}

	get aborted(): boolean {
		return this._reason !== undefined;
	}

	get reason(): RunAbort | undefined {
		return this._reason;
	}

	get signal(): AbortSignal {
		if (!this.controller) {
			this.controller = new AbortController();
			if (this._reason) {
				this.controller.abort(this._reason);
			}
		}
		return this.controller.signal;
	}

	abort(reason: RunAbort): void {
		if (this._reason) {
			return;
		}
		this._reason = reason;
		this.controller?.abort(reason);
		const listener = this.onAbort;
		this.onAbort = undefined;
		listener?.(reason);
	}

	/** Sets who hears of an abort next (one at a time); `undefined` clears it. */
	whenAborted(listener: ((reason: unknown) => void) | undefined): void {
		this.onAbort = listener;
	}

	/**
	 * Settles with `promise`, or rejects as soon as the run is aborted or `also` aborts (an
	 * attempt's timeout): a function that ignores its signal still frees its slot.
	 */
	race<T>(promise: Promise<T>, also?: AbortSignal): Promise<T> {
		if (this._reason || also?.aborted) {
			return Promise.reject(this._reason ?? also?.reason);
		}
		return new Promise<T>((resolve, reject) => {
			const onAlso = () => reject(also?.reason);
			also?.addEventListener('abort', onAlso, { once: true });
			const settle = () => {
				this.onAbort = undefined;
				also?.removeEventListener('abort', onAlso);
			};
			this.onAbort = reject;
			promise.then(
				(value) => {
					settle();
					resolve(value);
				},
				(err) => {
					settle();
					reject(err);
				},
			);
		});
	}
}

/** What a finished attempt carries besides its status. */
export interface AttemptOutcome {
	status: RunStatus;
	reason?: RunReason;
	message?: string;
	exitCode: number | null;
	signal?: string | null;
	logFile?: string;
	escaped?: number[];
}

/** The record of one finished attempt; fields that do not apply are left out, not set to `undefined`. */
export function buildRecord(info: ActiveRun, outcome: AttemptOutcome, startedAt: number, endedAt: number): RunRecord {
	const record: RunRecord = {
		jobId: info.jobId,
		runId: info.runId,
		attempt: info.attempt,
		status: outcome.status,
		exitCode: outcome.exitCode,
		startedAt: isoTime(startedAt),
		endedAt: isoTime(endedAt),
		durationMs: Math.max(0, endedAt - startedAt),
		trigger: info.trigger,
	};
	if (outcome.reason) {
		record.reason = outcome.reason;
	}
	if (outcome.message && outcome.status !== 'completed') {
		record.message = outcome.message;
	}
	if (outcome.signal) {
		record.signal = outcome.signal;
	}
	if (info.scheduledAt) {
		record.scheduledAt = info.scheduledAt;
	}
	if (outcome.logFile) {
		record.logFile = outcome.logFile;
	}
	if (outcome.escaped) {
		record.escaped = outcome.escaped;
	}
	return record;
}

/** A signal that aborts with a `timeout` reason after `ms`; its timer does not keep the process alive. */
export function timeoutSignal(ms: number): AbortSignal {
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(new RunAbort('timeout', `timed out after ${formatDuration(ms)}`)), ms);
	timer.unref();
	return controller.signal;
}
