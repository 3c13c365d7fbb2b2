import type { IDisposable } from './disposable';

/** The longest delay `setTimeout` honours; longer ones overflow to 1 ms in Node. */
export const maxTimerDelay = 2 ** 31 - 1;

/**
 * Time as the scheduler sees it. Injected so tests can drive the scheduler with a manual clock
 * instead of fake timers (which do not mix with p-queue's microtasks).
 */
export interface Clock {
	/** Wall-clock time in epoch milliseconds. */
	now(): number;
	/** Monotonic milliseconds, used to notice wall-clock jumps (sleep, clock changes). */
	monotonic(): number;
	/** Calls `fn` after `ms` milliseconds; delays above 2^31-1 ms are chained, never clamped. */
	setTimeout(fn: () => void, ms: number): IDisposable;
}

/** The real clock: `Date.now`, `performance.now` and chained Node timers that are never early. */
export const systemClock: Clock = {
	now: () => Date.now(),
	monotonic: () => performance.now(),
	setTimeout: (fn, ms) => punctualTimeout(fn, ms),
};

/**
 * How early by the wall clock a Node timer may fire and still be held back. Node starts a timer
 * from the loop's cached time, so `setTimeout(fn, 10)` can run 1 ms before `Date.now()` says 10 ms
 * passed; re-arming for the rest costs at least another millisecond, waiting through
 * `setImmediate` turns costs only the rest. Larger gaps are wall-clock steps, which the
 * scheduler handles itself (it re-reads the clock on every wake-up).
 */
const maxEarlyMs = 2;

/** A `chainedTimeout` that, when Node fires it a little early by the wall clock, waits out the rest. */
export function punctualTimeout(fn: () => void, ms: number): IDisposable {
	const due = Date.now() + ms;
	let immediate: NodeJS.Immediate | undefined;
	const finish = () => {
		const left = due - Date.now();
		if (left > 0 && left <= maxEarlyMs) {
			immediate = setImmediate(finish);
			return;
		}
		immediate = undefined;
		fn();
	};
	const timer = chainedTimeout(finish, ms);
	return {
		dispose() {
			timer.dispose();
			if (immediate) {
				clearImmediate(immediate);
				immediate = undefined;
			}
		},
	};
}

/**
 * A `setTimeout` that chains delays longer than the timer limit instead of firing at once. The
 * timer keeps the process alive: a pending retry is work the CLI must wait for.
 */
export function chainedTimeout(fn: () => void, ms: number): IDisposable {
	let handle: NodeJS.Timeout | undefined;
	const arm = (remaining: number) => {
		const step = Math.min(Math.max(0, remaining), maxTimerDelay);
		handle = setTimeout(() => {
			if (remaining > maxTimerDelay) {
				arm(remaining - maxTimerDelay);
			} else {
				handle = undefined;
				fn();
			}
		}, step);
	};
	arm(Number.isFinite(ms) ? ms : maxTimerDelay);
	return {
		dispose() {
			if (handle) {
				clearTimeout(handle);
				handle = undefined;
			}
		},
	};
}

/** A clock for tests: time moves only when `advance` or `set` is called. */
export class ManualClock implements Clock {
	private mono = 0;
	private timers: Array<{ at: number; fn: () => void; id: number }> = [];
	private nextId = 1;

	constructor(private wall: number) {}

	now(): number {
		return this.wall;
	}

	monotonic(): number {
		return this.mono;
	}

	setTimeout(fn: () => void, ms: number): IDisposable {
		const id = this.nextId++;
		this.timers.push({ at: this.mono + Math.max(0, ms), fn, id });
		return { dispose: () => void (this.timers = this.timers.filter((t) => t.id !== id)) };
	}

	/** Number of armed timers, to check that the scheduler keeps one timer, not one per job. */
	get pendingTimers(): number {
		return this.timers.length;
	}

	/** Moves both clocks forward, firing due timers in order. */
	advance(ms: number): void {
		const end = this.mono + ms;
		for (;;) {
			const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
			if (!due) {
				break;
			}
			this.timers = this.timers.filter((t) => t !== due);
			this.wall += due.at - this.mono;
			this.mono = due.at;
			due.fn();
		}
		this.wall += end - this.mono;
		this.mono = end;
	}

	/** Jumps the wall clock only, as a laptop sleep or a clock change looks to a process. */
	jumpWall(ms: number): void {
		this.wall += ms;
	}
}
