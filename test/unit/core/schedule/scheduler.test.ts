import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../../src/core/base/clock';
import { nullLogger } from '../../../../src/core/base/logger';
import { type Fire, type Missed, Scheduler } from '../../../../src/core/schedule/scheduler';

const t0 = Date.parse('2026-06-01T10:00:00Z');
const minute = 60_000;

function setup(start = t0) {
	const clock = new ManualClock(start);
	const fires: Fire[] = [];
	const missed: Missed[] = [];
	const scheduler = new Scheduler(clock, (f) => fires.push(f), (m) => missed.push(m), nullLogger);
	return { clock, fires, missed, scheduler };
}

const opts = { catchUp: 'once', startingDeadlineMs: 3_600_000 } as const;

test('fires an every-schedule on its grid', () => {
	const { clock, fires, scheduler } = setup();
	scheduler.set('a', { kind: 'every', everyMs: 10_000 }, opts);
	scheduler.start();
	clock.advance(35_000);
	assert.deepEqual(
		fires.map((f) => f.scheduledAt - t0),
		[10_000, 20_000, 30_000],
	);
	assert.ok(fires.every((f) => !f.catchUp));
});

test('fires a UTC cron job at the minute, never before its time', () => {
	const { clock, fires, scheduler } = setup(t0 + 30_000);
	scheduler.set('c', { kind: 'cron', expression: '*/5 * * * *', timezone: 'UTC' }, opts);
	scheduler.start();
	clock.advance(4 * minute);
	assert.equal(fires.length, 0);
	clock.advance(31_000);
	assert.deepEqual(
		fires.map((f) => new Date(f.scheduledAt).toISOString()),
		['2026-06-01T10:05:00.000Z'],
	);
});

test('keeps one timer however many jobs are scheduled', () => {
	const { clock, scheduler } = setup();
	for (let i = 0; i < 1000; i++) {
		scheduler.set(`j${i}`, { kind: 'every', everyMs: 1000 + i }, opts);
	}
	scheduler.start();
	clock.advance(5_000);
	assert.equal(clock.pendingTimers, 1);
});

test('a timer that wakes early re-arms instead of firing', () => {
	const { clock, fires, scheduler } = setup();
	scheduler.set('a', { kind: 'every', everyMs: 10_000 }, opts);
	scheduler.start();
	// The wall clock lags behind the monotonic clock by 2 ms when the timer fires.
	clock.jumpWall(-2);
	clock.advance(10_000);
	assert.equal(fires.length, 0);
	clock.advance(2);
	assert.equal(fires.length, 1);
	assert.equal(fires[0].scheduledAt, t0 + 10_000);
});

test('after a sleep, catchUp once runs the latest missed time once and records the rest as missed', () => {
	const { clock, fires, missed, scheduler } = setup();
	scheduler.set('c', { kind: 'cron', expression: '*/10 * * * *', timezone: 'UTC' }, opts);
	scheduler.start();
	// Laptop sleeps for 45 minutes: timers stall, the wall clock jumps.
	clock.jumpWall(45 * minute);
	clock.advance(30_000);
	assert.equal(fires.length, 1);
	assert.equal(fires[0].catchUp, true);
	assert.equal(new Date(fires[0].scheduledAt).toISOString(), '2026-06-01T10:40:00.000Z');
	assert.equal(missed.length, 1);
	assert.equal(missed[0].count, 3);
	assert.equal(new Date(missed[0].first).toISOString(), '2026-06-01T10:10:00.000Z');
	assert.equal(new Date(missed[0].last).toISOString(), '2026-06-01T10:30:00.000Z');
	clock.advance(10 * minute);
	assert.equal(new Date(fires[1].scheduledAt).toISOString(), '2026-06-01T10:50:00.000Z');
	assert.equal(fires[1].catchUp, false);
});

test('catchUp none records missed times and runs none of them', () => {
	const { clock, fires, missed, scheduler } = setup();
	scheduler.set('c', { kind: 'cron', expression: '*/10 * * * *', timezone: 'UTC' }, { ...opts, catchUp: 'none' });
	scheduler.start();
	clock.jumpWall(45 * minute);
	clock.advance(30_000);
	assert.equal(fires.length, 0);
	assert.equal(missed[0].count, 4);
});

test('a missed time older than the starting deadline is not caught up', () => {
	const { clock, fires, missed, scheduler } = setup();
	scheduler.set('d', { kind: 'cron', expression: '0 11 * * *', timezone: 'UTC' }, opts);
	scheduler.start();
	clock.jumpWall(3 * 3_600_000);
	clock.advance(30_000);
	assert.equal(fires.length, 0);
	assert.equal(missed.length, 1);
	assert.equal(missed[0].count, 1);
});

test('restart catch-up: a time missed while nothing ran is caught up once', () => {
	const { clock, fires, scheduler } = setup(Date.parse('2026-06-01T11:20:00Z'));
	scheduler.set('d', { kind: 'cron', expression: '0 11 * * *', timezone: 'UTC' }, { ...opts, since: Date.parse('2026-06-01T10:30:00Z') });
	scheduler.start();
	clock.advance(1);
	assert.equal(fires.length, 1);
	assert.equal(fires[0].catchUp, true);
	assert.equal(new Date(fires[0].scheduledAt).toISOString(), '2026-06-01T11:00:00.000Z');
});

test('after a step back shorter than its period, a step cron job does not run its last instant again', () => {
	const { clock, fires, scheduler } = setup();
	scheduler.set('c', { kind: 'cron', expression: '*/5 * * * *', timezone: 'UTC' }, opts);
	scheduler.start();
	clock.advance(5 * minute);
	assert.equal(fires.length, 1);
	clock.jumpWall(-3 * minute);
	clock.advance(3 * minute + 1000);
	assert.equal(fires.length, 1, 'the 10:05 run must not start again');
	clock.advance(5 * minute);
	assert.deepEqual(
		fires.map((f) => new Date(f.scheduledAt).toISOString()),
		['2026-06-01T10:05:00.000Z', '2026-06-01T10:10:00.000Z'],
	);
});

test('a persisted last fire time is never fired again after a restart', () => {
	const { clock, fires, scheduler } = setup(Date.parse('2026-06-01T10:07:00Z'));
	scheduler.set(
		'c',
		{ kind: 'cron', expression: '*/5 * * * *', timezone: 'UTC' },
		{ ...opts, since: Date.parse('2026-06-01T10:00:00Z'), lastFired: Date.parse('2026-06-01T10:05:00Z') },
	);
	scheduler.start();
	clock.advance(1);
	assert.equal(fires.length, 0);
	clock.advance(3 * minute);
	assert.equal(new Date(fires[0].scheduledAt).toISOString(), '2026-06-01T10:10:00.000Z');
});

test('removing a schedule stops its fires', () => {
	const { clock, fires, scheduler } = setup();
	scheduler.set('a', { kind: 'every', everyMs: 10_000 }, opts);
	scheduler.start();
	clock.advance(10_000);
	scheduler.set('a', undefined, opts);
	clock.advance(60_000);
	assert.equal(fires.length, 1);
	assert.equal(scheduler.nextRun('a'), undefined);
});

test('an at-schedule fires once', () => {
	const { clock, fires, scheduler } = setup();
	scheduler.set('o', { kind: 'at', at: t0 + 90_000 }, opts);
	scheduler.start();
	clock.advance(10 * minute);
	assert.equal(fires.length, 1);
	assert.equal(scheduler.nextRun('o'), undefined);
});

test('chains delays longer than the timer limit', () => {
	const { clock, fires, scheduler } = setup();
	const far = t0 + 40 * 24 * 3_600_000;
	scheduler.set('o', { kind: 'at', at: far }, opts);
	scheduler.start();
	clock.advance(39 * 24 * 3_600_000);
	assert.equal(fires.length, 0);
	clock.advance(24 * 3_600_000);
	assert.equal(fires.length, 1);
	assert.equal(fires[0].scheduledAt, far);
});
