// Driving code that runs on a `ManualClock`: time moves only when a test says so, so a test of
// retries, timeouts or overlap never waits for real time and never races a slow machine.
import { abortableDelay } from '../../src/core/base/abort';
import type { ManualClock } from '../../src/core/base/clock';

const neverAborted = new AbortController().signal;

/** Lets queued microtasks and `setImmediate` turns (the run store's batched writes) run; no time passes. */
export async function settle(turns = 10): Promise<void> {
	for (let i = 0; i < turns; i++) {
		await new Promise((resolve) => setImmediate(resolve));
	}
}

/** Waits `ms` of the manual clock's time; rejects with the signal's reason when it aborts. */
export function clockSleep(clock: ManualClock, ms: number, signal: AbortSignal = neverAborted): Promise<void> {
	return abortableDelay(ms, signal, (fn, delay) => clock.setTimeout(fn, delay));
}

/**
 * Settles `work` by letting the event loop run and moving the clock `stepMs` at a time until it
 * settles; fails when it has not after `maxMs` of clock time (a run that would hang forever).
 */
export async function drive<T>(clock: ManualClock, work: Promise<T>, stepMs = 1, maxMs = 600_000): Promise<T> {
	let done = false;
	const settled = work.finally(() => {
		done = true;
	});
	const start = clock.now();
	await settle();
	while (!done) {
		if (clock.now() - start > maxMs) {
			throw new Error(`still not settled after ${maxMs} ms of clock time`);
		}
		clock.advance(stepMs);
		await settle(3);
	}
	return settled;
}
