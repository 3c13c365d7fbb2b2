import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { formatElapsed, formatInstant, formatRelative } from '../../../../src/core/base/timeFormat';
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
