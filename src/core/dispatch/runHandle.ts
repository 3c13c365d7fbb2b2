import type { RunAbort } from '../base/abort';
import type { ActiveRun, JobDefinition, RunRecord } from '../model';

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

	/** `definition`: what the run was started under (a reload may replace the job's definition meanwhile). */
	constructor(
		readonly info: ActiveRun,
		readonly definition?: JobDefinition,
	) {}

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
