import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { chainedTimeout, punctualTimeout } from '../../../../src/core/base/clock';
import { sleep } from '../../../support/wait';

const realNow = Date.now;

afterEach(() => {
	Date.now = realNow;
});

/** Freezes the wall clock at `at` (epoch ms). */
function wallClockAt(at: number): void {
	Date.now = () => at;
}

test('a Node timer that fires early by the wall clock is held back until its due time', async () => {
	const t = realNow();
	// The plain timer shows what the punctual one corrects: Node fires by its own clock, here
	// while the wall clock still says 1 ms to go.
	wallClockAt(t);
	const plain = new Promise<number>((resolve) => chainedTimeout(() => resolve(t + 5 - Date.now()), 5));
	let fired: number | undefined;
	punctualTimeout(() => (fired = t + 5 - Date.now()), 5);
	wallClockAt(t + 4);
	assert.equal(await plain, 1, 'the plain timer fires 1 ms before its wall-clock due time');
	await sleep(20);
	assert.equal(fired, undefined, 'the punctual timer waits while the wall clock is short of its due time');
	wallClockAt(t + 5);
	await sleep(10);
	assert.equal(fired, 0, 'and fires once it is reached');
});

test('a punctual timer that is disposed while it waits out the rest never fires', async () => {
	const t = realNow();
	wallClockAt(t);
	let fired = false;
	const timer = punctualTimeout(() => (fired = true), 5);
	wallClockAt(t + 4);
	await sleep(20);
	timer.dispose();
	wallClockAt(t + 5);
	await sleep(20);
	assert.equal(fired, false);
});

test('a wall clock that stepped back does not hold a timer back', async () => {
	const t = realNow();
	wallClockAt(t);
	const fired = new Promise<boolean>((resolve) => punctualTimeout(() => resolve(true), 5));
	wallClockAt(t - 60_000);
	// Held back by the wall clock it would wait 60 s more; by the monotonic clock it fires after
	// 5 ms. The scheduler re-reads the wall clock itself.
	const giveUp = new AbortController();
	const firedInTime = await Promise.race([fired, sleep(1000, giveUp.signal).then(() => false, () => false)]);
	giveUp.abort();
	assert.equal(firedInTime, true, 'the timer fired within 1 s although the wall clock says 60 s to go');
});
