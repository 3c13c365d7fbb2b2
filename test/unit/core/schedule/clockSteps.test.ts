import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../../src/core/base/clock';
import { nullLogger } from '../../../../src/core/base/logger';
import type { Schedule } from '../../../../src/core/model';
import { stepRuleOf } from '../../../../src/core/schedule/clockSteps';
import { type Fire, type Missed, type ScheduleOptions, Scheduler } from '../../../../src/core/schedule/scheduler';

// The wall clock steps with `jumpWall` while `advance` moves the monotonic clock the timers run
// on, as NTP, a manual change or a VM restore looks to a process.

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const at = (time: string, date = '2026-06-01') => Date.parse(`${date}T${time}Z`);
const iso = (ms: number) => new Date(ms).toISOString();
const opts: ScheduleOptions = { catchUp: 'once', startingDeadlineMs: hour };
const cron = (expression: string): Schedule => ({ kind: 'cron', expression, timezone: 'UTC' });

const steps = [
	{ name: 'seconds', ms: 3 * second },
	{ name: 'an hour', ms: hour },
	{ name: 'two days', ms: 2 * day },
];

function setup(start: number) {
	const clock = new ManualClock(start);
	const fires: Fire[] = [];
	const missed: Missed[] = [];
	const scheduler = new Scheduler(clock, (f) => fires.push(f), (m) => missed.push(m), nullLogger);
	const of = (jobId: string, list: readonly Fire[] = fires) => list.filter((f) => f.jobId === jobId).map((f) => f.scheduledAt);
	return { clock, fires, missed, scheduler, of };
}

/** Fire times of `every` ms from `first`, `count` of them. */
const grid = (first: number, every: number, count: number) => Array.from({ length: count }, (_, i) => first + i * every);

test('the step rule: fixed when second, minute and hour are values or lists, wall for any *, range or step', () => {
	const rules: Array<[Schedule, string]> = [
		[{ kind: 'every', everyMs: 5000 }, 'elapsed'],
		[{ kind: 'at', at: 0 }, 'fixed'],
		[cron('30 2 * * *'), 'fixed'],
		[cron('10 30 2 * * *'), 'fixed'],
		[cron('0 15,30 2 * * 1-5'), 'fixed'],
		[cron('@daily'), 'fixed'],
		[cron('0 * * * *'), 'wall'],
		[cron('*/5 * * * *'), 'wall'],
		[cron('*/5 * * * * *'), 'wall'],
		[cron('0 9-17 * * *'), 'wall'],
		[cron('@hourly'), 'wall'],
	];
	assert.deepEqual(
		rules.map(([schedule]) => [schedule, stepRuleOf(schedule)]),
		rules,
	);
});

for (const step of steps) {
	test(`every: after a step back of ${step.name} the interval goes on in elapsed time`, () => {
		const t0 = at('02:29:00');
		const { clock, scheduler, of } = setup(t0);
		scheduler.set('e', { kind: 'every', everyMs: 5 * second }, { ...opts, catchUp: 'none' });
		scheduler.start();
		clock.advance(2 * minute);
		assert.deepEqual(of('e'), grid(t0 + 5 * second, 5 * second, 24));
		clock.jumpWall(-step.ms);
		clock.advance(minute);
		assert.deepEqual(of('e').slice(24), grid(t0 + 2 * minute + 5 * second - step.ms, 5 * second, 12));
		assert.equal(scheduler.nextRun('e'), t0 + 3 * minute + 5 * second - step.ms);
	});
}

for (const step of steps.slice(1)) {
	test(`wildcard cron: after a step back of ${step.name} jobs fire at the new wall times`, () => {
		const { clock, scheduler, of } = setup(at('02:29:00'));
		scheduler.set('sec5', cron('*/5 * * * * *'), opts);
		scheduler.set('min5', cron('*/5 * * * *'), opts);
		scheduler.set('hourly', cron('0 * * * *'), opts);
		scheduler.start();
		clock.advance(2 * minute);
		const before = of('sec5').length;
		clock.jumpWall(-step.ms);
		const stepped = at('02:31:00') - step.ms;
		clock.advance(30 * minute);
		assert.deepEqual(of('sec5').slice(before), grid(stepped + 5 * second, 5 * second, 360));
		assert.deepEqual(of('min5').slice(1), grid(stepped + 4 * minute, 5 * minute, 6));
		assert.deepEqual(of('hourly'), [stepped + 29 * minute]);
	});
}

test('wildcard cron: a step back of seconds re-arms a per-second job at once', () => {
	const { clock, scheduler, of } = setup(at('02:29:00'));
	scheduler.set('s', cron('* * * * * *'), opts);
	scheduler.start();
	clock.advance(2 * minute);
	assert.equal(iso(of('s').at(-1) ?? 0), '2026-06-01T02:31:00.000Z');
	clock.jumpWall(-3 * second);
	clock.advance(5 * second);
	// The wall times it crosses again run again, as cronie's wildcard jobs do; no second is skipped.
	assert.deepEqual(of('s').slice(120).map(iso), ['2026-06-01T02:30:58.000Z', '2026-06-01T02:30:59.000Z', '2026-06-01T02:31:00.000Z', '2026-06-01T02:31:01.000Z', '2026-06-01T02:31:02.000Z']);
});

for (const step of steps) {
	test(`after a step back of ${step.name}, fixed-time and at jobs never run an instant again while interval and wildcard jobs go on`, () => {
		const t0 = at('02:29:00');
		const { clock, scheduler, fires, of } = setup(t0);
		scheduler.set('every', { kind: 'every', everyMs: 5 * second }, { ...opts, catchUp: 'none' });
		scheduler.set('sec5', cron('*/5 * * * * *'), opts);
		scheduler.set('daily', cron('30 2 * * *'), opts);
		scheduler.set('daily6', cron('10 30 2 * * *'), opts);
		scheduler.set('twice', cron('0 15,30 2 * * *'), opts);
		scheduler.set('once', { kind: 'at', at: at('02:30:05') }, opts);
		scheduler.start();
		clock.advance(2 * minute);
		const fixed = ['daily', 'daily6', 'twice', 'once'];
		assert.deepEqual(
			fixed.map((id) => of(id).map(iso)),
			[['2026-06-01T02:30:00.000Z'], ['2026-06-01T02:30:10.000Z'], ['2026-06-01T02:30:00.000Z'], ['2026-06-01T02:30:05.000Z']],
		);
		const seen = fires.length;
		clock.jumpWall(-step.ms);
		// Until the wall clock is back where it was, and a minute beyond.
		clock.advance(step.ms + minute);
		const after = fires.slice(seen);
		assert.deepEqual(
			fixed.map((id) => of(id, after)),
			[[], [], [], []],
		);
		const count = Math.floor((step.ms + minute) / (5 * second));
		assert.deepEqual(of('every', after), grid(t0 + 2 * minute + 5 * second - step.ms, 5 * second, count));
		assert.equal(of('sec5', after).length, count);
		clock.advance(day);
		assert.deepEqual(
			fixed.map((id) => of(id, fires.slice(seen)).map(iso)),
			[['2026-06-02T02:30:00.000Z'], ['2026-06-02T02:30:10.000Z'], ['2026-06-02T02:15:00.000Z', '2026-06-02T02:30:00.000Z'], []],
		);
	});
}

test('a step forward misses what it jumped over, and the step back after it runs none of that again', () => {
	const t0 = at('02:29:00');
	const { clock, scheduler, fires, missed, of } = setup(t0);
	scheduler.set('every', { kind: 'every', everyMs: 5 * second }, { ...opts, catchUp: 'none' });
	scheduler.set('daily', cron('30 2 * * *'), opts);
	scheduler.start();
	clock.jumpWall(hour);
	clock.advance(5 * second);
	// As after a sleep: the interval runs its newest time and misses the others, the daily time is caught up once.
	assert.deepEqual(
		missed.map((m) => [m.jobId, m.count]),
		[['every', 720]],
	);
	assert.deepEqual(
		fires.map((f) => [f.jobId, iso(f.scheduledAt), f.catchUp]),
		[
			['every', '2026-06-01T03:29:05.000Z', false],
			['daily', '2026-06-01T02:30:00.000Z', true],
		],
	);
	clock.jumpWall(-hour);
	clock.advance(hour + minute);
	assert.deepEqual(of('daily'), [at('02:30:00')]);
	assert.deepEqual(of('every').slice(1), grid(t0 + 10 * second, 5 * second, 732));
	assert.equal(missed.length, 1);
});

test('a restart after a step back: interval and wildcard jobs start from now, fixed instants already handled never run again', () => {
	// The last session ran until 02:31, then the clock went back an hour while nothing ran. At
	// 02:30 it missed `twice` (catchUp none): state.json keeps only its 02:15 fire.
	const now = at('01:31:00');
	const { clock, scheduler, of } = setup(now);
	const since = at('02:31:00');
	scheduler.set('every', { kind: 'every', everyMs: 5 * second }, { ...opts, catchUp: 'none', since, anchor: at('02:30:55'), lastFired: at('02:30:55') });
	scheduler.set('sec5', cron('*/5 * * * * *'), { ...opts, since, lastFired: at('02:31:00') });
	scheduler.set('daily', cron('30 2 * * *'), { ...opts, since, lastFired: at('02:30:00') });
	scheduler.set('twice', cron('0 15,30 2 * * *'), { ...opts, catchUp: 'none', since, lastFired: at('02:15:00') });
	scheduler.start();
	clock.advance(hour + minute);
	assert.deepEqual(of('every'), grid(now + 5 * second, 5 * second, 732));
	assert.deepEqual(of('sec5'), grid(now + 5 * second, 5 * second, 732));
	assert.deepEqual(of('daily'), []);
	assert.deepEqual(of('twice'), []);
	assert.equal(iso(scheduler.nextRun('twice') ?? 0), '2026-06-02T02:15:00.000Z');
});

test('a job set after a step back the scheduler has not yet seen is armed on the new timeline, and the others are re-armed once', () => {
	const t0 = at('02:29:00');
	const { clock, scheduler, missed, of } = setup(t0);
	scheduler.set('a', { kind: 'every', everyMs: 5 * second }, opts);
	scheduler.start();
	clock.advance(2 * minute);
	clock.jumpWall(-hour);
	// A reload keeps a's grid and adds b, before any timer fired after the step.
	scheduler.set('a', { kind: 'every', everyMs: 5 * second }, { ...opts, anchor: scheduler.anchorOf('a') });
	scheduler.set('b', { kind: 'every', everyMs: 5 * second }, opts);
	clock.advance(minute);
	assert.deepEqual(of('a').slice(24), grid(t0 + 2 * minute + 5 * second - hour, 5 * second, 12));
	assert.deepEqual(of('b'), grid(t0 + 2 * minute + 5 * second - hour, 5 * second, 12));
	assert.deepEqual(missed, []);
});
