/** How a process ended, as Node's `'exit'` event reports it. */
export interface ProcessExit {
	code: number | null;
	signal: NodeJS.Signals | null;
}

/**
 * A process's end, for listeners that may come before or after it: a late listener is still
 * called, once, in a microtask.
 */
export class ExitLatch {
	private exit: ProcessExit | undefined;
	private readonly listeners: Array<(code: number | null, signal: NodeJS.Signals | null) => void> = [];

	/** The end, once it happened. */
	get value(): ProcessExit | undefined {
		return this.exit;
	}

	/** Records the end (the first one counts) and calls the waiting listeners. */
	set(code: number | null, signal: NodeJS.Signals | null): void {
		if (!this.exit) {
			this.exit = { code, signal };
			this.listeners.splice(0).forEach((fn) => fn(code, signal));
		}
	}

	listen(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
		if (this.exit) {
			const { code, signal } = this.exit;
			queueMicrotask(() => listener(code, signal));
		} else {
			this.listeners.push(listener);
		}
	}
}
