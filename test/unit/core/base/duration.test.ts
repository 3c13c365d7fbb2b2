import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from '../../../../src/core/base/duration';

function ms(value: unknown): number {
	const result = parseDuration(value);
	assert.ok(result.ok, `expected ${JSON.stringify(value)} to parse, got ${result.ok ? '' : result.message}`);
	return result.ms;
}

function message(value: unknown): string {
	const result = parseDuration(value);
	assert.ok(!result.ok, `expected ${JSON.stringify(value)} to be rejected`);
	return result.message;
}

test('reads a positive number as milliseconds', () => {
	assert.equal(ms(1500), 1500);
	assert.equal(ms(1), 1);
	assert.equal(ms(2.6), 3);
});

test('reads each unit', () => {
	assert.equal(ms('500ms'), 500);
	assert.equal(ms('30s'), 30_000);
	assert.equal(ms('5m'), 300_000);
	assert.equal(ms('2h'), 7_200_000);
	assert.equal(ms('1d'), 86_400_000);
});

test('reads decimals, combinations, inner spaces and surrounding whitespace', () => {
	assert.equal(ms('1.5s'), 1500);
	assert.equal(ms('1h30m'), 5_400_000);
	assert.equal(ms('2h 5m'), 7_500_000);
	assert.equal(ms('1d2h3m4s5ms'), 93_784_005);
	assert.equal(ms('5 m'), 300_000);
	assert.equal(ms('  30s\t'), 30_000);
});

test('rejects zero, negative, NaN and infinite numbers', () => {
	assert.equal(message(0), 'must be a positive duration such as "30s" or a number of ms, got 0');
	assert.equal(message(-5), 'must be a positive duration such as "30s" or a number of ms, got -5');
	assert.equal(message(0.4), 'must be a positive duration such as "30s" or a number of ms, got 0.4');
	assert.equal(message(Number.NaN), 'must be a positive duration such as "30s" or a number of ms, got NaN');
	assert.match(message(Number.POSITIVE_INFINITY), /Infinity is too long/);
});

test('rejects zero and negative strings', () => {
	assert.equal(message('0s'), 'must be a positive duration such as "30s" or a number of ms, got "0s"');
	assert.match(message('-5s'), /"-5s" is not a duration/);
});

test('rejects an unknown unit, naming it', () => {
	assert.equal(message('5x'), 'unknown unit "x" in "5x"; use ms, s, m, h or d');
	assert.equal(message('5min'), 'unknown unit "min" in "5min"; use ms, s, m, h or d');
	assert.equal(message('1h5M'), 'unknown unit "M" in "1h5M"; use ms, s, m, h or d');
});

test('rejects a number string without a unit', () => {
	assert.equal(message('500'), '"500" has no unit; write "500ms" or "500s", or use the number 500 for ms');
});

test('rejects units out of order or repeated', () => {
	assert.match(message('30m1h'), /out of order/);
	assert.match(message('1h1h'), /repeats a unit/);
});

test('rejects empty and non-duration strings', () => {
	assert.equal(message(''), 'must not be empty; use a duration string such as "30s" or a number of ms');
	assert.equal(message('   '), 'must not be empty; use a duration string such as "30s" or a number of ms');
	assert.equal(message('soon'), '"soon" is not a duration; use a string such as "30s" or a number of ms');
	assert.match(message('1h30'), /"1h30" is not a duration/);
});

test('names the JSON type of a non-duration value', () => {
	assert.equal(message(true), 'must be a duration string such as "30s" or a number of ms, got boolean');
	assert.equal(message(null), 'must be a duration string such as "30s" or a number of ms, got null');
	assert.equal(message([]), 'must be a duration string such as "30s" or a number of ms, got array');
	assert.equal(message({}), 'must be a duration string such as "30s" or a number of ms, got object');
	assert.equal(message(undefined), 'must be a duration string such as "30s" or a number of ms, got undefined');
});

test('formats below a second as whole milliseconds', () => {
	assert.equal(formatDuration(0), '0ms');
	assert.equal(formatDuration(850), '850ms');
	assert.equal(formatDuration(999.4), '999ms');
});

test('formats seconds with one decimal', () => {
	assert.equal(formatDuration(999.6), '1s');
	assert.equal(formatDuration(1000), '1s');
	assert.equal(formatDuration(1300), '1.3s');
	assert.equal(formatDuration(59_900), '59.9s');
});

test('formats minutes, hours and days with at most two units', () => {
	assert.equal(formatDuration(59_960), '1m');
	assert.equal(formatDuration(300_000), '5m');
	assert.equal(formatDuration(330_000), '5m 30s');
	assert.equal(formatDuration(3_599_600), '1h');
	assert.equal(formatDuration(7_500_000), '2h 5m');
	assert.equal(formatDuration(7_512_000), '2h 5m');
	assert.equal(formatDuration(86_400_000), '1d');
	assert.equal(formatDuration(90_000_000), '1d 1h');
});

test('formats negative and non-finite values without throwing', () => {
	assert.equal(formatDuration(-1500), '-1.5s');
	assert.equal(formatDuration(Number.NaN), 'NaN');
	assert.equal(formatDuration(Number.POSITIVE_INFINITY), 'Infinity');
});

test('formatted durations parse back to the shown value', () => {
	for (const value of [850, 1300, 330_000, 7_500_000, 90_000_000]) {
		assert.equal(ms(formatDuration(value)), value);
	}
});
