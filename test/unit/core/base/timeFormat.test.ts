import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { formatElapsed, formatInstant, formatRelative, formatWhen, formatZoned, isTimeZone, zoneLabel } from '../../../../src/core/base/timeFormat';
import { repoRoot } from '../../../support/paths';

/** 2026-12-01T21:35:50.123Z, a Tuesday: New York is UTC-5 then, Kolkata UTC+5:30. */
const winter = Date.UTC(2026, 11, 1, 21, 35, 50, 123);
/** 2026-07-01T06:30:00Z: New York is on daylight time (UTC-4). */
const summer = Date.UTC(2026, 6, 1, 6, 30, 0);

test('formats an instant in an explicit zone, year first and 24-hour', () => {
	assert.equal(formatInstant(winter, { zone: 'America/New_York' }), '2026-12-01 16:35:50');
	assert.equal(formatInstant(summer, { zone: 'America/New_York' }), '2026-07-01 02:30:00');
	assert.equal(formatInstant(winter, { zone: 'Asia/Kolkata' }), '2026-12-02 03:05:50');
});

test('formats an instant in UTC with a marker, and utc wins over a zone', () => {
	assert.equal(formatInstant(winter, { utc: true }), '2026-12-01 21:35:50 UTC');
	assert.equal(formatInstant(winter, { utc: true, zone: 'Asia/Kolkata' }), '2026-12-01 21:35:50 UTC');
});

test('formats the time of day alone with milliseconds for log lines', () => {
	assert.equal(formatInstant(winter, { zone: 'Asia/Kolkata', date: false, millis: true }), '03:05:50.123');
	assert.equal(formatInstant(winter, { utc: true, date: false, millis: true }), '21:35:50.123 UTC');
});

test('uses the machine zone when none is given (TZ of the process)', () => {
	const module = pathToFileURL(path.join(repoRoot, 'src/core/base/timeFormat.ts')).href;
	const script = `import('${module}').then((m) => process.stdout.write((m.formatInstant ?? m.default.formatInstant)(${winter})))`;
	for (const [tz, expected] of [
		['Asia/Kolkata', '2026-12-02 03:05:50'],
		['America/New_York', '2026-12-01 16:35:50'],
	]) {
		const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', env: { ...process.env, TZ: tz } });
		assert.equal(r.stdout, expected, r.stderr);
	}
});

test('prints a dash for an instant that is not a number', () => {
	assert.equal(formatInstant(Number.NaN), '-');
});

test('formats relative times in the future and the past', () => {
	const now = winter;
	assert.equal(formatRelative(now + (9 * 60 + 54) * 60_000, now), 'in 9 h 54 min');
	assert.equal(formatRelative(now - 2 * 60_000, now), '2 min ago');
	assert.equal(formatRelative(now + 45_000, now), 'in 45 s');
	assert.equal(formatRelative(now - (3 * 24 + 4) * 3_600_000, now), '3 d 4 h ago');
	assert.equal(formatRelative(now + 2 * 3_600_000, now), 'in 2 h');
	assert.equal(formatRelative(now + 400, now), 'now');
});

test('rounds relative times up to the next unit instead of showing 60', () => {
	assert.equal(formatRelative(winter + 59_700, winter), 'in 1 min');
	assert.equal(formatRelative(winter - 59.7 * 60_000, winter), '1 h ago');
});

test('formats durations with a unit and a space', () => {
	assert.equal(formatElapsed(307), '307 ms');
	assert.equal(formatElapsed(4_200), '4.2 s');
	assert.equal(formatElapsed(5_000), '5 s');
	assert.equal(formatElapsed(330_000), '5 min 30 s');
	assert.equal(formatElapsed(3_780_000), '1 h 3 min');
	assert.equal(formatElapsed(3 * 86_400_000 + 4 * 3_600_000), '3 d 4 h');
	assert.equal(formatElapsed(0), '0 ms');
});

test('rounds durations at unit boundaries without showing 60 or 1000', () => {
	assert.equal(formatElapsed(999.6), '1 s');
	assert.equal(formatElapsed(59_960), '1 min');
	assert.equal(formatElapsed(3_599_700), '1 h');
	assert.equal(formatElapsed(-1_500), '-1.5 s');
	assert.equal(formatElapsed(Number.NaN), '-');
});

test('formats a time of day on the same day, a weekday within six days, a date beyond', () => {
	// 21:35:50 UTC on Tuesday 2026-12-01 is 03:05:50 on Wednesday 2026-12-02 in Kolkata.
	const zone = 'Asia/Kolkata';
	assert.equal(formatWhen(winter, winter, { zone }), '03:05');
	assert.equal(formatWhen(winter, winter, { zone, seconds: true }), '03:05:50');
	assert.equal(formatWhen(winter + 86_400_000, winter, { zone }), 'Thu 03:05');
	assert.equal(formatWhen(winter - 2 * 86_400_000, winter, { zone }), 'Mon 03:05');
	assert.equal(formatWhen(winter + 10 * 86_400_000, winter, { zone }), '2026-12-12 03:05');
	assert.equal(formatWhen(Number.NaN, winter, { zone }), '-');
});

test('counts days in the reader\'s zone, not in UTC', () => {
	// 21:35 UTC and 01:00 UTC the next day are one calendar day in New York (16:35 and 20:00).
	const later = Date.UTC(2026, 11, 2, 1, 0, 0);
	assert.equal(formatWhen(later, winter, { zone: 'America/New_York' }), '20:00');
	assert.equal(formatWhen(later, winter, { zone: 'UTC' }), 'Wed 01:00');
});

test('shows the job\'s zone beside the local time when their wall times differ', () => {
	// 07:30 UTC on 2026-12-02 is 02:30 in New York; the reader is in Berlin (08:30).
	const fire = Date.UTC(2026, 11, 2, 7, 30);
	const now = Date.UTC(2026, 11, 2, 0, 0);
	assert.equal(formatZoned(fire, now, { jobZone: 'America/New_York', zone: 'Europe/Berlin' }), '02:30 New York · 08:30 here');
	assert.equal(formatZoned(fire, now, { jobZone: 'Europe/Paris', zone: 'Europe/Berlin' }), '08:30', 'same wall time: one time');
	assert.equal(formatZoned(fire, now, { zone: 'Europe/Berlin' }), '08:30', 'no job zone');
});

test('gives each side of a zoned time its own day', () => {
	// 03:00 UTC on Wednesday 2026-12-02: 22:00 Tuesday in New York, 08:30 Wednesday in Kolkata.
	const fire = Date.UTC(2026, 11, 2, 3, 0);
	const now = Date.UTC(2026, 11, 2, 1, 0);
	assert.equal(formatZoned(fire, now, { jobZone: 'America/New_York', zone: 'Asia/Kolkata' }), 'Tue 22:00 New York · 08:30 here');
});

test('follows daylight saving time in the job\'s zone', () => {
	// 06:30 UTC on 2026-07-01 is 02:30 in New York (UTC-4) and 06:30 in UTC.
	assert.equal(formatZoned(summer, summer - 3_600_000, { jobZone: 'America/New_York', zone: 'UTC' }), '02:30 New York · 06:30 here');
	// In winter the same UTC instant of day is 01:30 there (UTC-5).
	const winterFire = Date.UTC(2026, 0, 7, 6, 30);
	assert.equal(formatZoned(winterFire, winterFire - 3_600_000, { jobZone: 'America/New_York', zone: 'UTC' }), '01:30 New York · 06:30 here');
});

test('names zones as people say them and reads an unknown zone as local', () => {
	assert.equal(zoneLabel('America/New_York'), 'New York');
	assert.equal(zoneLabel('America/Argentina/Buenos_Aires'), 'Buenos Aires');
	assert.equal(zoneLabel('UTC'), 'UTC');
	assert.equal(isTimeZone('Mars/Olympus_Mons'), false);
	assert.equal(formatZoned(winter, winter, { jobZone: 'Mars/Olympus_Mons', zone: 'UTC' }), '21:35');
	assert.equal(formatWhen(winter, winter, { zone: 'Mars/Olympus_Mons' }), formatWhen(winter, winter));
});
