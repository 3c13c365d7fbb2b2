import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCron, splitCron } from '../../../../src/core/cron/compileCron';
import { cronNicknames, monthAliases, nicknameFields, weekdayAliases, weekdayWords } from '../../../../src/core/cron/cronNames';
import { describeSchedule } from '../../../../src/core/cron/describeSchedule';
import { validateCron } from '../../../../src/core/cron/fireTimes';

/** The indexes set in a flags table. */
const setIn = (flags: Uint8Array) => [...flags].flatMap((set, index) => (set ? [index] : []));

test('lists the nicknames cronie knows, in the order messages name them', () => {
	assert.deepEqual(cronNicknames, ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
	assert.deepEqual(cronNicknames, Object.keys(nicknameFields));
});

test('each nickname compiles exactly like the five fields it stands for', () => {
	for (const nickname of cronNicknames) {
		assert.equal(nicknameFields[nickname].split(' ').length, 5, nickname);
		assert.deepEqual(compileCron(nickname), compileCron(nicknameFields[nickname]), nickname);
		assert.deepEqual(splitCron(nickname.toUpperCase()), splitCron(nicknameFields[nickname]), nickname);
	}
});

test('names every nickname when one is unknown, including the ones only cron-parser knows', () => {
	const expected = 'unknown cron nickname @weekdays (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)';
	assert.equal(validateCron('@weekdays'), expected);
});

test('cron-parser reads every month and weekday name of the table as its number', () => {
	assert.equal(monthAliases.length, 12);
	assert.equal(weekdayAliases.length, 7);
	monthAliases.forEach((name, index) => {
		const spec = compileCron(`0 0 1 ${name.toUpperCase()} *`);
		assert.ok(typeof spec === 'object', name);
		assert.deepEqual(setIn(spec.months), [index + 1], name);
	});
	weekdayAliases.forEach((name, index) => {
		const spec = compileCron(`0 0 * * ${name}`);
		assert.ok(typeof spec === 'object', name);
		assert.deepEqual(setIn(spec.weekdays), [index], name);
	});
});

test('the words for schedules come from the same table', () => {
	const cron = (expression: string) => describeSchedule({ kind: 'cron', expression });
	weekdayAliases.forEach((name, index) => {
		assert.equal(cron(`0 9 * * ${name}`), `at 09:00 on ${weekdayWords[index]}s`, name);
	});
	assert.equal(cron('0 9 1 jan *'), 'at 09:00 on Jan 1');
	assert.equal(cron('0 9 24 12 *'), 'at 09:00 on Dec 24');
});
