/** Why a run was stopped from outside; carried as an AbortSignal's reason. */
export type AbortKind = 'canceled' | 'replaced' | 'stopped' | 'timeout';

export class RunAbort extends Error {
	constructor(
		readonly kind: AbortKind,
		message: string,
	) {
		super(message);
		this.name = 'RunAbort';
	}
}

/** The kind of an abort reason, `canceled` for reasons that did not come from the engine. */
export function abortKind(reason: unknown): AbortKind {
	return reason instanceof RunAbort ? reason.kind : 'canceled';
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal, setTimer: (fn: () => void, ms: number) => { dispose(): void }): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) {
			reject(signal.reason);
			return;
		}
		const onAbort = () => {
			timer.dispose();
			reject(signal.reason);
		};
		const timer = setTimer(() => {
			signal.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal.addEventListener('abort', onAbort, { once: true });
	});
}

/** Lets timers and I/O run: p-queue drains no-op tasks in microtasks and would starve them. */
export function yieldToLoop(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}
