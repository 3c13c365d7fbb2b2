import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { compileCron } from '../../../../src/core/cron/compileCron';

test('reads a step without a range from its value to the maximum, as cron-parser does', () => {
	const spec = compileCron('0 50/4 * * * *');
	assert.ok(typeof spec === 'object');
	assert.deepEqual(
		Array.from({ length: 60 }, (_, minute) => minute).filter((minute) => spec.nextMinute[minute] === minute),
		[50, 54, 58],
	);
});

/**
 * The tables of 400 expressions of the short form (second, minute and hour as lists of values,
 * ranges and steps; `*` for day, month and weekday), recorded from the short reader that read this
 * form without cron-parser (simpleCronFields.ts, at 9a21924, checked then against cron-parser's
 * reading). cron-parser now reads them too, and must give the same tables. Each row: expression,
 * fixedTime, then the allowed seconds, minutes and hours as ranges.
 */
const shortForm: Array<[string, boolean, string, string, string]> = JSON.parse(fs.readFileSync(path.join(__dirname, 'shortFormTables.json'), 'utf8'));

/** `0-2,5` as [0, 1, 2, 5]. */
function values(ranges: string): number[] {
	return ranges.split(',').flatMap((range) => {
		const [from, to = from] = range.split('-').map(Number);
		return Array.from({ length: to - from + 1 }, (_, k) => from + k);
	});
}

/** The next and count tables of a set of values, built the plain way. */
function expectedTables(allowed: number[], size: number): { next: number[]; count: number[] } {
	const next = Array.from({ length: size + 1 }, (_, v) => allowed.filter((a) => a >= v).sort((a, b) => a - b)[0] ?? -1);
	const count = Array.from({ length: size + 1 }, (_, v) => allowed.filter((a) => a >= v).length);
	return { next, count };
}

test('compiles the short form to the tables the short reader gave', () => {
	const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
	const flags = (set: number[], size: number) => Array.from({ length: size }, (_, v) => (set.includes(v) ? 1 : 0));
	const everyDay = {
		months: flags(range(1, 12), 13),
		days: flags(range(1, 31), 32),
		lastDay: false,
		daysRestricted: false,
		weekdays: flags(range(0, 6), 7),
		lastWeekdays: flags([], 7),
		hasLastWeekday: false,
		nthWeekday: 0,
		weekdaysRestricted: false,
	};
	assert.equal(shortForm.length, 400);
	for (const [expression, fixedTime, seconds, minutes, hours] of shortForm) {
		const spec = compileCron(expression);
		assert.ok(typeof spec === 'object', `${expression}: ${String(spec)}`);
		const second = expectedTables(values(seconds), 60);
		const minute = expectedTables(values(minutes), 60);
		const hour = expectedTables(values(hours), 24);
		const { nextSecond, nextMinute, nextHour, countSecond, countMinute, countHour, months, days, weekdays, lastWeekdays, ...rest } = spec;
		assert.deepEqual(
			{
				...rest,
				nextSecond: [...nextSecond],
				nextMinute: [...nextMinute],
				nextHour: [...nextHour],
				countSecond: [...countSecond],
				countMinute: [...countMinute],
				countHour: [...countHour],
				months: [...months],
				days: [...days],
				weekdays: [...weekdays],
				lastWeekdays: [...lastWeekdays],
			},
			{
				...everyDay,
				fixedTime,
				nextSecond: second.next,
				nextMinute: minute.next,
				nextHour: hour.next,
				countSecond: second.count,
				countMinute: minute.count,
				countHour: hour.count,
			},
			expression,
		);
	}
});

test('reads a day no chosen month has, so that the search can say it never fires', () => {
	const spec = compileCron('0 0 31 2 *');
	assert.ok(typeof spec === 'object');
	assert.deepEqual([...spec.days].flatMap((set, day) => (set ? [day] : [])), [31]);
	assert.deepEqual([...spec.months].flatMap((set, month) => (set ? [month] : [])), [2]);
});

test('names the field cron-parser objects to', () => {
	assert.match(String(compileCron('0 0 * * 1-2#2')), /^day-of-week field "1-2#2": /);
	assert.equal(compileCron('0 0 * * FOO'), 'day-of-week name "FOO" is not known');
});
