import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { compileCron, compileCronWithParser } from '../../../../src/core/cron/cronSpec';

/**
 * `compileCron` reads simple second/minute/hour fields itself instead of through cron-parser;
 * the compiled tables must be identical to cron-parser's reading for every such expression.
 */

const now = Date.UTC(2030, 0, 1);

function items(max: number): string[] {
	const pick = [0, 1, 5, 7, Math.floor(max / 2), max];
	const list = ['*', '*/1', '*/2', '*/7', `*/${max}`, `*/${max + 40}`];
	for (const a of pick) {
		list.push(String(a), `${a}/3`, `${a}-${max}`, `0${a}`);
		for (const b of pick.filter((value) => value >= a)) {
			list.push(`${a}-${b}`, `${a}-${b}/4`);
		}
	}
	return list;
}

function compareBoth(expression: string): void {
	assert.deepEqual(compileCron(expression, now), compileCronWithParser(expression, now), expression);
}

test('compiles simple time fields exactly as cron-parser reads them', () => {
	const seconds = items(59);
	const hours = items(23);
	let seed = 7;
	const random = (n: number) => {
		seed = (seed * 1103515245 + 12345) % 2147483648;
		return seed % n;
	};
	const field = (list: string[]) => Array.from({ length: 1 + random(3) }, () => list[random(list.length)]).join(',');
	let compiled = 0;
	for (let round = 0; round < 3000; round++) {
		const expression = round % 2 === 0 ? `${field(seconds)} ${field(hours)} * * *` : `${field(seconds)} ${field(seconds)} ${field(hours)} * * *`;
		compareBoth(expression);
		compiled += typeof compileCron(expression, now) === 'object' ? 1 : 0;
	}
	// Most of them must be valid expressions, or the comparison says little about the tables.
	assert.ok(compiled > 2000, `${compiled} compiled`);
});

test('gives cron-parser the same errors and the forms it alone reads', () => {
	const expressions = ['61 * * * *', '5-1 * * * *', '*/0 * * * *', '* 24 * * *', '*/5 * 1 * *', '0 0 * * 7', '0 0 L * *', '0 0 * * 5L', '0 0 * * 1#2', '0 0 31 2 *', '* * * JAN MON', '@daily', '@hourly', '*/x * * * *', '1-2-3 * * * *', '5/ * * * *', ', * * * *', 'H * * * *', '? * * * *'];
	for (const expression of expressions) {
		compareBoth(expression);
	}
});

test('reads a step without a range from its value to the maximum, as cron-parser does', () => {
	const spec = compileCron('0 50/4 * * * *', now);
	assert.ok(typeof spec === 'object');
	assert.deepEqual(
		Array.from({ length: 60 }, (_, minute) => minute).filter((minute) => spec.nextMinute[minute] === minute),
		[50, 54, 58],
	);
});

/**
 * The tables of 400 expressions of the short form (second, minute and hour as lists of values,
 * ranges and steps; `*` for day, month and weekday), recorded from the short reader that read this
 * form without cron-parser (simpleCronFields.ts, at 9a21924) after checking that cron-parser's
 * reading gave the same tables. Each row: expression, fixedTime, then the allowed seconds, minutes
 * and hours as ranges.
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
		const spec = compileCron(expression, now);
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
