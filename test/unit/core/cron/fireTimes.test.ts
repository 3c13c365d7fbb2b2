import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CronExpressionParser } from 'cron-parser';
import type { Schedule } from '../../../../src/core/model';
import { describeSchedule } from '../../../../src/core/cron/describeSchedule';
import { fireTimes, lastFireTimeBetween, nextFireTime, validateCron } from '../../../../src/core/cron/fireTimes';

const cron = (expression: string, timezone?: string): Schedule => ({ kind: 'cron', expression, timezone });
const at = (iso: string) => Date.parse(iso);

/** An instant as local wall time with its offset, "2026-03-29T03:00:00+02:00", so DST cases read plainly. */
function local(t: number | undefined, timezone: string): string | undefined {
	if (t === undefined) {
		return undefined;
	}
	const format = new Intl.DateTimeFormat('en-US', {
		timeZone: timezone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
		timeZoneName: 'longOffset',
	});
	const parts = Object.fromEntries(format.formatToParts(t).map((part) => [part.type, part.value]));
	const offset = parts.timeZoneName === 'GMT' ? '+00:00' : parts.timeZoneName.slice(3);
	return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/** Every fire time in [start, end), as local wall times. */
function firesBetween(schedule: Schedule, start: string, end: string, timezone: string): string[] {
	const times: string[] = [];
	for (let t = nextFireTime(schedule, at(start) - 1); t !== undefined && t < at(end); t = nextFireTime(schedule, t)) {
		times.push(local(t, timezone) as string);
	}
	return times;
}

describe('validateCron', () => {
	test('accepts five and six fields, nicknames, names, L, # and Sunday as 7', () => {
		for (const expression of [
			'*/15 * * * *',
			'0 9 * * MON-FRI',
			'0 0 1 jan *',
			'@yearly',
			'@annually',
			'@monthly',
			'@weekly',
			'@daily',
			'@midnight',
			'@hourly',
			'0 0 L * *',
			'0 0 * * 5L',
			'0 12 * * 1#2',
			'*/10 * * * * *',
			'0 0 * * 7',
			'0 0 * * 0,7',
			'*/15,30 * * * *',
			'0 0 ? * 1',
			'0 0 * 2 1#5',
		]) {
			assert.equal(validateCron(expression), undefined, expression);
		}
	});

	test('rejects an empty expression, which cron-parser reads as every minute', () => {
		assert.equal(validateCron(''), 'cron expression is empty');
		assert.equal(validateCron('   '), 'cron expression is empty');
	});

	test('rejects 4 and 7 fields', () => {
		assert.equal(validateCron('* * * *'), 'cron expression needs 5 fields (or 6 with seconds first), got 4');
		assert.equal(validateCron('0 0 0 * * * *'), 'cron expression needs 5 fields (or 6 with seconds first), got 7');
	});

	test('names the field of an out-of-range value', () => {
		assert.equal(validateCron('61 * * * *'), 'minute value 61 is out of range 0-59');
		assert.equal(validateCron('0 24 * * *'), 'hour value 24 is out of range 0-23');
		assert.equal(validateCron('0 0 32 * *'), 'day-of-month value 32 is out of range 1-31');
		assert.equal(validateCron('0 0 * 13 *'), 'month value 13 is out of range 1-12');
		assert.equal(validateCron('0 0 * * 8'), 'day-of-week value 8 is out of range 0-7');
		assert.equal(validateCron('60 * * * * *'), 'second value 60 is out of range 0-59');
		assert.equal(validateCron('0 0 * * 1#6'), 'day-of-week occurrence #6 is out of range 1-5');
	});

	test('rejects a step of 0', () => {
		assert.equal(validateCron('*/0 * * * *'), 'minute step 0 is not allowed (use 1 or more)');
	});

	test('rejects an expression that never fires', () => {
		assert.match(validateCron('0 0 31 2 *') ?? '', /never fires/);
		assert.match(validateCron('0 0 30 2 *') ?? '', /never fires/);
	});

	test('rejects an unknown time zone and accepts known ones', () => {
		assert.equal(validateCron('0 0 * * *', 'Mars/Olympus_Mons'), 'unknown time zone "Mars/Olympus_Mons"');
		assert.equal(validateCron('0 0 * * *', ''), 'unknown time zone ""');
		assert.equal(validateCron('0 0 * * *', 'Europe/Berlin'), undefined);
		assert.equal(validateCron('0 0 * * *', 'UTC'), undefined);
	});

	test('rejects unknown nicknames and names, backwards ranges and hashed values', () => {
		assert.match(validateCron('@reboot') ?? '', /unknown cron nickname @reboot/);
		assert.match(validateCron('@weekdays') ?? '', /unknown cron nickname/);
		assert.equal(validateCron('0 0 * * FOO'), 'day-of-week name "FOO" is not known');
		assert.match(validateCron('5-1 * * * *') ?? '', /minute range 5-1 runs backwards/);
		assert.match(validateCron('H * * * *') ?? '', /hashed values/);
		assert.match(validateCron('0 0 * * 1-2#2') ?? '', /^day-of-week field/);
	});
});

describe('DST in Europe/Berlin (2026-03-29 02:00->03:00, 2026-10-25 03:00->02:00)', () => {
	const zone = 'Europe/Berlin';

	test('a fixed time in the spring-forward gap fires once, at the end of the gap', () => {
		const next = nextFireTime(cron('30 2 * * *', zone), at('2026-03-28T12:00:00Z'));
		assert.equal(local(next, zone), '2026-03-29T03:00:00+02:00');
		assert.deepEqual(firesBetween(cron('30 2 * * *', zone), '2026-03-28T23:00:00Z', '2026-03-30T22:00:00Z', zone), [
			'2026-03-29T03:00:00+02:00',
			'2026-03-30T02:30:00+02:00',
		]);
	});

	test('several fixed times in the gap and the gap end itself fire once at 03:00', () => {
		assert.deepEqual(firesBetween(cron('0,30 2,3 * * *', zone), '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', zone), [
			'2026-03-29T03:00:00+02:00',
			'2026-03-29T03:30:00+02:00',
		]);
	});

	test('a fixed time that occurs twice fires at its first occurrence only', () => {
		assert.equal(local(nextFireTime(cron('30 2 * * *', zone), at('2026-10-24T12:00:00Z')), zone), '2026-10-25T02:30:00+02:00');
		assert.deepEqual(firesBetween(cron('30 2,14 * * *', zone), '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', zone), [
			'2026-10-25T02:30:00+02:00',
			'2026-10-25T14:30:00+01:00',
		]);
	});

	test('after the first copy of a repeated fixed time, the next fire is the next day', () => {
		const first = at('2026-10-25T00:30:00Z');
		assert.equal(local(nextFireTime(cron('30 2 * * *', zone), first), zone), '2026-10-26T02:30:00+01:00');
		assert.equal(local(nextFireTime(cron('30 2 * * *', zone), at('2026-10-25T01:15:00Z')), zone), '2026-10-26T02:30:00+01:00');
	});

	test('*/15 fires 100 times on the 25-hour fall-back day, 8 of them in the two copies of 02:xx', () => {
		const fires = firesBetween(cron('*/15 * * * *', zone), '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', zone);
		assert.equal(fires.length, 100);
		assert.deepEqual(
			fires.filter((t) => t.includes('T02:')),
			[
				'2026-10-25T02:00:00+02:00',
				'2026-10-25T02:15:00+02:00',
				'2026-10-25T02:30:00+02:00',
				'2026-10-25T02:45:00+02:00',
				'2026-10-25T02:00:00+01:00',
				'2026-10-25T02:15:00+01:00',
				'2026-10-25T02:30:00+01:00',
				'2026-10-25T02:45:00+01:00',
			],
		);
	});

	test('*/15 fires 92 times on the 23-hour spring-forward day, none inside the gap', () => {
		const fires = firesBetween(cron('*/15 * * * *', zone), '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', zone);
		assert.equal(fires.length, 92);
		assert.equal(fires.filter((t) => t.includes('T02:')).length, 0);
		assert.equal(fires[8], '2026-03-29T03:00:00+02:00');
	});

	test('0 */2 skips the gap without an extra 03:00 fire (cron-parser adds one)', () => {
		const fires = firesBetween(cron('0 */2 * * *', zone), '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', zone);
		assert.deepEqual(fires.slice(0, 3), ['2026-03-29T00:00:00+01:00', '2026-03-29T04:00:00+02:00', '2026-03-29T06:00:00+02:00']);
		assert.equal(fires.length, 11);
	});

	test('*/15 1-3 fires in both copies of the repeated hour (a range follows elapsed time)', () => {
		const fires = firesBetween(cron('*/15 1-3 * * *', zone), '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', zone);
		assert.equal(fires.length, 16);
		assert.equal(fires.filter((t) => t.startsWith('2026-10-25T02:') && t.endsWith('+02:00')).length, 4);
		assert.equal(fires.filter((t) => t.startsWith('2026-10-25T02:') && t.endsWith('+01:00')).length, 4);
	});

	test('a fixed minute with an hour wildcard follows elapsed time', () => {
		assert.deepEqual(firesBetween(cron('30 * * * *', zone), '2026-10-25T00:00:00Z', '2026-10-25T02:00:00Z', zone), [
			'2026-10-25T02:30:00+02:00',
			'2026-10-25T02:30:00+01:00',
		]);
		const spring = firesBetween(cron('30 * * * *', zone), '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', zone);
		assert.equal(spring.length, 23);
		assert.equal(spring[2], '2026-03-29T03:30:00+02:00');
	});

	test('a fixed seconds field with fixed minute and hour follows the fixed rule; a seconds step does not', () => {
		assert.deepEqual(firesBetween(cron('10 30 2 * * *', zone), '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', zone), [
			'2026-10-25T02:30:10+02:00',
		]);
		assert.equal(local(nextFireTime(cron('10 30 2 * * *', zone), at('2026-03-28T12:00:00Z')), zone), '2026-03-29T03:00:00+02:00');
		assert.equal(firesBetween(cron('*/30 30 2 * * *', zone), '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', zone).length, 4);
		assert.deepEqual(firesBetween(cron('*/30 30 2 * * *', zone), '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', zone), []);
	});
});

describe('DST in America/New_York (2026-03-08 02:00->03:00, 2026-11-01 02:00->01:00)', () => {
	const zone = 'America/New_York';

	test('a fixed time in the gap fires at 03:00 EDT', () => {
		assert.equal(local(nextFireTime(cron('30 2 * * *', zone), at('2026-03-07T12:00:00Z')), zone), '2026-03-08T03:00:00-04:00');
	});

	test('a repeated fixed time fires at its first (EDT) occurrence only', () => {
		assert.deepEqual(firesBetween(cron('30 1 * * *', zone), '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', zone), [
			'2026-11-01T01:30:00-04:00',
		]);
	});

	test('*/15 fires 92 and 100 times on the two transition days', () => {
		assert.equal(firesBetween(cron('*/15 * * * *', zone), '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', zone).length, 92);
		assert.equal(firesBetween(cron('*/15 * * * *', zone), '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', zone).length, 100);
	});

	test('hourly fires 25 times on fall-back day and 23 times on spring-forward day', () => {
		assert.equal(firesBetween(cron('@hourly', zone), '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', zone).length, 25);
		assert.equal(firesBetween(cron('@hourly', zone), '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', zone).length, 23);
	});
});

describe('other zones', () => {
	test('a midnight gap (America/Santiago, 2026-09-06 00:00->01:00) moves a daily job to 01:00', () => {
		const zone = 'America/Santiago';
		assert.deepEqual(firesBetween(cron('@daily', zone), '2026-09-05T00:00:00Z', '2026-09-07T12:00:00Z', zone), [
			'2026-09-05T00:00:00-04:00',
			'2026-09-06T01:00:00-03:00',
			'2026-09-07T00:00:00-03:00',
		]);
	});

	test('a 30-minute shift (Australia/Lord_Howe, 2026-10-04 02:00->02:30) moves 02:15 to 02:30', () => {
		const zone = 'Australia/Lord_Howe';
		assert.equal(local(nextFireTime(cron('15 2 * * *', zone), at('2026-10-03T00:00:00Z')), zone), '2026-10-04T02:30:00+11:00');
	});

	test('without a time zone the machine zone is used, following process.env.TZ', () => {
		const saved = process.env.TZ;
		try {
			process.env.TZ = 'America/New_York';
			assert.equal(nextFireTime(cron('30 2 * * *'), at('2026-03-07T12:00:00Z')), at('2026-03-08T07:00:00Z'));
			process.env.TZ = 'Europe/Berlin';
			assert.equal(nextFireTime(cron('30 2 * * *'), at('2026-03-28T12:00:00Z')), at('2026-03-29T01:00:00Z'));
		} finally {
			if (saved === undefined) {
				delete process.env.TZ;
			} else {
				process.env.TZ = saved;
			}
		}
	});
});

test('the machine zone (read through Date) gives the same fire times as the same zone named', () => {
	const saved = process.env.TZ;
	try {
		for (const zone of ['Europe/Berlin', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kolkata']) {
			process.env.TZ = zone;
			for (const expression of ['30 2 * * *', '0 */3 * * *', '15 1,2,3 * * 0', '*/20 * * * *']) {
				const named = fireTimes(cron(expression, zone), at('2026-01-01T00:00:00Z'), 400);
				const local = fireTimes(cron(expression), at('2026-01-01T00:00:00Z'), 400);
				assert.deepEqual(local, named, `${expression} in ${zone}`);
			}
			// A whole year of a daily time crosses both transitions.
			const yearNamed = fireTimes(cron('30 2 * * *', zone), at('2026-01-01T00:00:00Z'), 366);
			assert.deepEqual(fireTimes(cron('30 2 * * *'), at('2026-01-01T00:00:00Z'), 366), yearNamed, zone);
		}
	} finally {
		if (saved === undefined) {
			delete process.env.TZ;
		} else {
			process.env.TZ = saved;
		}
	}
});

describe('calendar fields', () => {
	const utc = (expression: string, from: string, count = 3) =>
		fireTimes(cron(expression, 'UTC'), at(from), count).map((t) => new Date(t).toISOString());

	test('L is the last day of the month, leap years included', () => {
		assert.deepEqual(utc('0 0 L * *', '2028-01-15T00:00:00Z'), ['2028-01-31T00:00:00.000Z', '2028-02-29T00:00:00.000Z', '2028-03-31T00:00:00.000Z']);
	});

	test('5L is the last Friday and 1#2 the second Monday of the month', () => {
		assert.deepEqual(utc('0 0 * * 5L', '2026-01-01T00:00:00Z', 2), ['2026-01-30T00:00:00.000Z', '2026-02-27T00:00:00.000Z']);
		assert.deepEqual(utc('0 12 * * 1#2', '2026-01-01T00:00:00Z', 2), ['2026-01-12T12:00:00.000Z', '2026-02-09T12:00:00.000Z']);
	});

	test('day of month and day of week combine with OR when both are restricted (Vixie)', () => {
		assert.deepEqual(utc('0 0 13 * 5', '2026-02-01T00:00:00Z', 4), [
			'2026-02-06T00:00:00.000Z',
			'2026-02-13T00:00:00.000Z',
			'2026-02-20T00:00:00.000Z',
			'2026-02-27T00:00:00.000Z',
		]);
	});

	test('nicknames, names and Sunday as 0 or 7', () => {
		assert.deepEqual(utc('@weekly', '2026-01-01T00:00:00Z', 1), ['2026-01-04T00:00:00.000Z']);
		assert.deepEqual(utc('0 0 * * 7', '2026-01-01T00:00:00Z', 1), ['2026-01-04T00:00:00.000Z']);
		assert.deepEqual(utc('0 0 * * 0,7', '2026-01-01T00:00:00Z', 2), ['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z']);
		assert.deepEqual(utc('0 9 * JUL mon-fri', '2026-01-01T00:00:00Z', 1), ['2026-07-01T09:00:00.000Z']);
		assert.deepEqual(utc('@yearly', '2026-01-01T00:00:00Z', 1), ['2027-01-01T00:00:00.000Z']);
		assert.deepEqual(utc('@midnight', '2026-01-01T00:00:00Z', 1), ['2026-01-02T00:00:00.000Z']);
	});

	test('a seconds field comes first', () => {
		assert.deepEqual(utc('*/20 * * * * *', '2026-01-01T00:00:05Z'), ['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z', '2026-01-01T00:01:00.000Z']);
		assert.deepEqual(utc('30 0 12 * * *', '2026-01-01T00:00:00Z', 1), ['2026-01-01T12:00:30.000Z']);
	});

	test('next is strictly after the reference time, also inside a second', () => {
		assert.equal(nextFireTime(cron('* * * * * *', 'UTC'), at('2026-01-01T00:00:00Z')), at('2026-01-01T00:00:01Z'));
		assert.equal(nextFireTime(cron('* * * * * *', 'UTC'), at('2026-01-01T00:00:00.500Z')), at('2026-01-01T00:00:01Z'));
	});

	test('rare expressions are found years ahead', () => {
		assert.equal(local(nextFireTime(cron('0 0 29 2 *', 'Europe/Berlin'), at('2026-03-01T00:00:00Z')), 'Europe/Berlin'), '2028-02-29T00:00:00+01:00');
		assert.equal(nextFireTime(cron('0 0 * 2 1#5', 'UTC'), at('2016-03-01T00:00:00Z')), at('2044-02-29T00:00:00Z'));
	});

	test('agrees with cron-parser where there is no DST (UTC and Asia/Tokyo)', () => {
		const expressions = ['*/15 * * * *', '0 */2 * * *', '0 0 L * *', '0 0 * * 5L', '0 12 * * 1#2', '0 0 1,15 * 1', '0 9 * * MON-FRI'];
		expressions.push('*/20 * * * * *', '15,45 10-12 * * 7', '0 0 L 2 *', '23 0-20/2 * * *', '0 0,12 1 */2 *', '*/90 * * * *', '0 0 1-7 * 1', '0 0 31 * *');
		for (const timezone of ['UTC', 'Asia/Tokyo']) {
			for (const expression of expressions) {
				const from = at('2027-06-15T13:07:11.500Z');
				const expected = CronExpressionParser.parse(expression, { currentDate: new Date(from), tz: timezone })
					.take(60)
					.map((date) => date.getTime());
				assert.deepEqual(fireTimes(cron(expression, timezone), from, 60), expected, `${expression} ${timezone}`);
			}
		}
	});
});

describe('every and at', () => {
	test('every counts from the anchor, or from the reference time without one', () => {
		const every = { kind: 'every', everyMs: 30_000 } as const;
		assert.equal(nextFireTime(every, 1_000_000), 1_030_000);
		assert.equal(nextFireTime(every, 1_000_000, 990_000), 1_020_000);
		assert.equal(nextFireTime(every, 1_020_000, 990_000), 1_050_000);
		assert.equal(nextFireTime(every, 980_000, 990_000), 1_020_000, 'the anchor itself is not a fire time');
		assert.deepEqual(fireTimes(every, 1_000_000, 3, 990_000), [1_020_000, 1_050_000, 1_080_000]);
		assert.deepEqual(fireTimes(every, 1_000_000, 2), [1_030_000, 1_060_000]);
	});

	test('every with a non-positive interval never fires', () => {
		assert.equal(nextFireTime({ kind: 'every', everyMs: 0 }, 1000), undefined);
	});

	test('at fires once, only when it is still ahead', () => {
		const once = { kind: 'at', at: 5000 } as const;
		assert.equal(nextFireTime(once, 4999), 5000);
		assert.equal(nextFireTime(once, 5000), undefined);
		assert.deepEqual(fireTimes(once, 0, 3), [5000]);
	});
});

describe('lastFireTimeBetween', () => {
	test('gives the most recent fire and how many fell in (since, at]', () => {
		const result = lastFireTimeBetween(cron('*/15 * * * *', 'UTC'), at('2026-01-01T00:00:00Z'), at('2026-01-01T01:10:00Z'));
		assert.deepEqual(result, { last: at('2026-01-01T01:00:00Z'), count: 4 });
	});

	test('includes a fire exactly at `at` and excludes one exactly at `since`', () => {
		const result = lastFireTimeBetween(cron('0 * * * *', 'UTC'), at('2026-01-01T00:00:00Z'), at('2026-01-01T02:00:00Z'));
		assert.deepEqual(result, { last: at('2026-01-01T02:00:00Z'), count: 2 });
	});

	test('counts both copies of a repeated hour and caps the count', () => {
		const schedule = cron('*/15 * * * *', 'Europe/Berlin');
		assert.deepEqual(lastFireTimeBetween(schedule, at('2026-10-24T21:59:59Z'), at('2026-10-25T22:59:59Z')), {
			last: at('2026-10-25T22:45:00Z'),
			count: 100,
		});
		assert.equal(lastFireTimeBetween(schedule, at('2026-10-24T21:59:59Z'), at('2026-10-25T22:59:59Z'), 10).count, 10);
	});

	test('counts a gap fire once', () => {
		const result = lastFireTimeBetween(cron('0,30 2,3 * * *', 'Europe/Berlin'), at('2026-03-28T23:00:00Z'), at('2026-03-29T21:00:00Z'));
		assert.deepEqual(result, { last: at('2026-03-29T01:30:00Z'), count: 2 });
	});

	test('a year of a per-second job is counted without visiting each second', () => {
		const result = lastFireTimeBetween(cron('* * * * * *', 'Europe/Berlin'), at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'));
		assert.deepEqual(result, { last: at('2027-01-01T00:00:00Z'), count: 365 * 86_400 });
	});

	test('returns nothing when no fire falls in the window', () => {
		assert.deepEqual(lastFireTimeBetween(cron('0 0 * * *', 'UTC'), at('2026-01-01T00:00:00Z'), at('2026-01-01T23:59:59Z')), { last: undefined, count: 0 });
		assert.deepEqual(lastFireTimeBetween(cron('0 0 * * *', 'UTC'), 10, 5), { last: undefined, count: 0 });
	});

	test('handles at and every', () => {
		assert.deepEqual(lastFireTimeBetween({ kind: 'at', at: 5000 }, 4000, 6000), { last: 5000, count: 1 });
		assert.deepEqual(lastFireTimeBetween({ kind: 'at', at: 5000 }, 5000, 6000), { last: undefined, count: 0 });
		assert.deepEqual(lastFireTimeBetween({ kind: 'every', everyMs: 1000 }, 0, 3500), { last: 3000, count: 3 });
	});

	test('agrees with stepping through fire times one by one across DST in several zones', () => {
		const zones = ['Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe'];
		const expressions = ['30 2 * * *', '*/15 * * * *', '0 */2 * * *', '*/15 1-3 * * *', '0,30 2 * * *', '0 0 * * *', '*/7 * * * * *'];
		for (const timezone of zones) {
			for (const expression of expressions) {
				for (const start of ['2026-03-01T00:00:00Z', '2026-09-01T00:00:00Z']) {
					const schedule = cron(expression, timezone);
					const times = fireTimes(schedule, at(start), expression.startsWith('*/7') ? 20_000 : 3000);
					const upTo = Math.floor((at(start) + times[times.length - 1]) / 2) + 1;
					const inWindow = times.filter((t) => t <= upTo);
					const result = lastFireTimeBetween(schedule, at(start), upTo);
					assert.deepEqual(result, { last: inWindow[inWindow.length - 1], count: inWindow.length }, `${expression} ${timezone} ${start}`);
				}
			}
		}
	});
});

describe('errors', () => {
	test('nextFireTime throws for an invalid expression or zone instead of never firing', () => {
		assert.throws(() => nextFireTime(cron('61 * * * *'), 0), /minute value 61 is out of range/);
		assert.throws(() => nextFireTime(cron('0 0 * * *', 'Mars/Olympus_Mons'), 0), /Unknown time zone/);
	});
});

describe('describeSchedule', () => {
	test('describes common cron shapes', () => {
		const cases: Array<[string, string | undefined, string]> = [
			['*/15 * * * *', undefined, 'every 15 minutes'],
			['* * * * *', undefined, 'every minute'],
			['0 9 * * 1-5', 'Europe/Berlin', 'at 09:00 on weekdays (Europe/Berlin)'],
			['0 9 * * MON-FRI', undefined, 'at 09:00 on weekdays'],
			['30 2 * * *', undefined, 'every day at 02:30'],
			['5 * * * *', undefined, 'every hour at :05'],
			['0 */2 * * *', undefined, 'every 2 hours at :00'],
			['30 2,14 * * *', undefined, 'every day at 02:30 and 14:30'],
			['0 18 * * 5', undefined, 'at 18:00 on Fridays'],
			['0 10 * * 6,0', undefined, 'at 10:00 on weekends'],
			['@daily', 'UTC', 'every day at 00:00 (UTC)'],
			['@monthly', undefined, 'at 00:00 on day 1 of the month'],
			['@yearly', undefined, 'at 00:00 on Jan 1'],
			['0 0 L * *', undefined, 'at 00:00 on the last day of the month'],
			['*/30 * * * * *', undefined, 'every 30 seconds'],
			['0 0 1,15 * *', undefined, 'cron 0 0 1,15 * *'],
			['0 0 * * 5L', undefined, 'cron 0 0 * * 5L'],
		];
		for (const [expression, timezone, expected] of cases) {
			assert.equal(describeSchedule(cron(expression, timezone)), expected, expression);
		}
	});

	test('describes every and at', () => {
		assert.equal(describeSchedule({ kind: 'every', everyMs: 30_000 }), 'every 30s');
		assert.equal(describeSchedule({ kind: 'every', everyMs: 5_400_000 }), 'every 1h30m');
		assert.equal(describeSchedule({ kind: 'at', at: new Date(2026, 11, 1, 9, 0).getTime() }), 'once at 2026-12-01 09:00');
	});
});
