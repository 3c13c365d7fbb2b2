import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { chainedTimeout, punctualTimeout } from '../../src/core/base/clock';

const realNow = Date.now;
let lagMs = 0;

afterEach(() => {
	Date.now = realNow;
	lagMs = 0;
});

/** Makes the wall clock run `lag` ms behind from now on, as it looks when Node fires a timer early. */
function lagWallClock(lag: number): void {
	lagMs = lag;
	Date.now = () => realNow() - lagMs;
}

/** When `arm` fires its callback, how far before its wall-clock due time (positive = early). */
function earliness(arm: (fn: () => void, ms: number) => unknown): Promise<number> {
	return new Promise((resolve) => {
		const due = Date.now() + 5;
		arm(() => resolve(due - Date.now()), 5);
		lagWallClock(1.5);
	});
}

test('a Node timer that fires early by the wall clock is held back until its due time', async () => {
	// The plain timer shows what the punctual one corrects: Node fires by its own clock.
	assert.ok((await earliness(chainedTimeout)) > 0, 'the plain timer fires before its wall-clock due time');
	assert.ok((await earliness(punctualTimeout)) <= 0, 'the punctual timer does not');
});

test('a punctual timer that is disposed while it waits out the rest never fires', async () => {
	let fired = false;
	const timer = punctualTimeout(() => (fired = true), 5);
	// The first wall-clock read after arming is the timer's own check when Node fires it: it finds
	// 1.5 ms left and starts waiting; the dispose lands right after, in that same turn.
	Date.now = () => {
		Date.now = () => realNow() - 1.5;
		queueMicrotask(() => timer.dispose());
		return realNow() - 1.5;
	};
	await new Promise((resolve) => setTimeout(resolve, 20));
	assert.equal(fired, false);
});

test('a wall clock that stepped back does not hold a timer back', async () => {
	const due = Date.now() + 5;
	const when = await new Promise<number>((resolve) => {
		punctualTimeout(() => resolve(Date.now()), 5);
		lagWallClock(60_000);
	});
	assert.ok(when < due, 'fired by the monotonic clock; the scheduler re-reads the wall clock itself');
});
