import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dstShift } from '../../../../src/core/cron/dstShift';
import { fireTimes } from '../../../../src/core/cron/fireTimes';
import type { Schedule } from '../../../../src/core/model';

const cron = (expression: string, timezone: string): Schedule => ({ kind: 'cron', expression, timezone });
/** Each fire time from `from` (ISO) with its shift, as `ISO kind`. */
function shifts(schedule: Schedule, from: string, count: number): string[] {
	return fireTimes(schedule, Date.parse(from), count).map((at) => `${new Date(at).toISOString()} ${dstShift(schedule, at)?.kind ?? '-'}`);
}

test('a 02:30 job in New York on spring-forward day is moved to 03:00, the days around it are not', () => {
	const schedule = cron('30 2 * * *', 'America/New_York');
	assert.deepEqual(shifts(schedule, '2026-03-07T00:00:00Z', 3), ['2026-03-07T07:30:00.000Z -', '2026-03-08T07:00:00.000Z moved', '2026-03-09T06:30:00.000Z -']);
	assert.deepEqual(dstShift(schedule, Date.parse('2026-03-08T07:00:00Z')), { kind: 'moved', zone: 'America/New_York', nominal: '02:30', actual: '03:00' });
});

test('a 02:30 job in Berlin on the last Sunday of March is moved to 03:00', () => {
	const schedule = cron('30 2 * * *', 'Europe/Berlin');
	assert.deepEqual(dstShift(schedule, Date.parse('2026-03-29T01:00:00Z')), { kind: 'moved', zone: 'Europe/Berlin', nominal: '02:30', actual: '03:00' });
	assert.equal(dstShift(schedule, Date.parse('2026-03-28T01:30:00Z')), undefined);
});

test('a job at 03:00 itself on spring-forward day is not moved (03:00 exists)', () => {
	assert.equal(dstShift(cron('0 3 * * *', 'America/New_York'), Date.parse('2026-03-08T07:00:00Z')), undefined);
});

test('a stepped job skips the times inside the gap and its first fire after it says how many', () => {
	const schedule = cron('*/30 1-3 * * *', 'America/New_York');
	assert.deepEqual(shifts(schedule, '2026-03-08T05:00:00Z', 4), ['2026-03-08T06:00:00.000Z -', '2026-03-08T06:30:00.000Z -', '2026-03-08T07:00:00.000Z skipped', '2026-03-08T07:30:00.000Z -']);
	assert.deepEqual(dstShift(schedule, Date.parse('2026-03-08T07:00:00Z')), { kind: 'skipped', zone: 'America/New_York', count: 2, from: '02:00', to: '03:00' });
});

test('on fall-back day a fixed 01:30 job runs at the first 01:30 only, and says so', () => {
	const schedule = cron('30 1 * * *', 'America/New_York');
	assert.deepEqual(shifts(schedule, '2026-10-31T12:00:00Z', 2), ['2026-11-01T05:30:00.000Z repeated', '2026-11-02T06:30:00.000Z -']);
	assert.deepEqual(dstShift(schedule, Date.parse('2026-11-01T05:30:00Z')), { kind: 'repeated', zone: 'America/New_York', wall: '01:30', occurrence: 1, fixedTime: true });
});

test('on fall-back day a stepped job runs in both copies of the hour, each marked first or second', () => {
	// Berlin goes back from 03:00 to 02:00 on 2026-10-25: 02:00-02:59 happens twice.
	const schedule = cron('*/30 2 * * *', 'Europe/Berlin');
	const fallBack = fireTimes(schedule, Date.parse('2026-10-24T22:00:00Z'), 5).map((at) => {
		const s = dstShift(schedule, at);
		return `${new Date(at).toISOString().slice(11, 16)} ${s?.kind === 'repeated' ? `${s.wall}#${s.occurrence}` : '-'}`;
	});
	assert.deepEqual(fallBack, ['00:00 02:00#1', '00:30 02:30#1', '01:00 02:00#2', '01:30 02:30#2', '01:00 -']);
});

test('every and at schedules follow elapsed time and have no shift', () => {
	assert.equal(dstShift({ kind: 'every', everyMs: 3_600_000 }, Date.parse('2026-03-08T07:00:00Z')), undefined);
	assert.equal(dstShift({ kind: 'at', at: Date.parse('2026-03-08T07:00:00Z') }, Date.parse('2026-03-08T07:00:00Z')), undefined);
});
