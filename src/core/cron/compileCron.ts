/**
 * Cron expressions read into plain lookup tables (`CronSpec`), with messages that name the field.
 *
 * cron-parser only parses here: its `next()` handles DST differently from cronie (see
 * RELIABILITY.md, "Cron libraries") and is slow for rare expressions with a time zone, so the
 * fire-time search is ours (`cronWall.ts`, `triggers.ts`). Its field values are kept as they are,
 * so `L`, `#`, `nL`, names and Sunday as 7 mean what cron-parser makes of them.
 */
import { CronExpressionParser, type CronFieldCollection } from 'cron-parser';
import { nextWallMatch, searchHorizonMs } from './cronWall';
import { type FieldValues, simpleFields } from './simpleCronFields';

/** The nicknames cronie knows, as five fields. cron-parser also knows `@weekdays` and others that cron does not. */
const nicknames: Record<string, string> = {
	'@yearly': '0 0 1 1 *',
	'@annually': '0 0 1 1 *',
	'@monthly': '0 0 1 * *',
	'@weekly': '0 0 * * 0',
	'@daily': '0 0 * * *',
	'@midnight': '0 0 * * *',
	'@hourly': '0 * * * *',
};

interface FieldRule {
	name: string;
	min: number;
	max: number;
	aliases?: readonly string[];
}

/** The six fields in cron-parser's order, seconds first. */
const fieldRules: readonly FieldRule[] = [
	{ name: 'second', min: 0, max: 59 },
	{ name: 'minute', min: 0, max: 59 },
	{ name: 'hour', min: 0, max: 23 },
	{ name: 'day-of-month', min: 1, max: 31 },
	{ name: 'month', min: 1, max: 12, aliases: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
	{ name: 'day-of-week', min: 0, max: 7, aliases: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** An expression split into six raw fields (seconds first), before any parsing. */
export interface CronFields {
	/** second, minute, hour, day-of-month, month, day-of-week; `0` seconds when there were five. */
	fields: string[];
}

/** A compiled expression: lookup tables for the fields plus the DST class of the job. */
export interface CronSpec {
	/**
	 * True when second, minute and hour are single values or lists. Such a job fires once per
	 * matching wall time (cronie): at the first occurrence of a repeated time, at the end of a gap.
	 * Any `*`, range or step means the job follows elapsed time instead.
	 */
	fixedTime: boolean;
	/** `nextX[v]`: the smallest allowed value >= v, or -1 (tables one longer than the range). */
	nextSecond: Int8Array;
	nextMinute: Int8Array;
	nextHour: Int8Array;
	/** `countX[v]`: how many allowed values are >= v. */
	countSecond: Int8Array;
	countMinute: Int8Array;
	countHour: Int8Array;
	months: Uint8Array;
	days: Uint8Array;
	lastDay: boolean;
	daysRestricted: boolean;
	weekdays: Uint8Array;
	lastWeekdays: Uint8Array;
	hasLastWeekday: boolean;
	nthWeekday: number;
	weekdaysRestricted: boolean;
}

/** Splits an expression into six raw fields, or returns why it cannot be. */
export function splitCron(expression: string): CronFields | string {
	let text = expression.trim();
	if (text === '') {
		return 'cron expression is empty';
	}
	if (text.startsWith('@')) {
		const expanded = nicknames[text.toLowerCase()];
		if (!expanded) {
			return `unknown cron nickname ${text} (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)`;
		}
		text = expanded;
	}
	const parts = text.split(/\s+/);
	if (parts.length === 5) {
		return { fields: ['0', ...parts] };
	}
	if (parts.length === 6) {
		return { fields: parts };
	}
	return `cron expression needs 5 fields (or 6 with seconds first), got ${parts.length}`;
}

/** Names the first problem with one raw field in words that say which field, or undefined. */
function checkField(raw: string, rule: FieldRule): string | undefined {
	let text = raw;
	if (rule.aliases) {
		const aliases = rule.aliases;
		let unknown: string | undefined;
		text = text.replace(/[a-z]{3}/gi, (name) => {
			const index = aliases.indexOf(name.toLowerCase());
			unknown ??= index < 0 ? name : undefined;
			return String(index + rule.min);
		});
		if (unknown) {
			return `${rule.name} name "${unknown}" is not known`;
		}
	}
	if (/h/i.test(text)) {
		return `${rule.name} field "${raw}": hashed values (H) are not supported`;
	}
	for (const item of text.split(',')) {
		const [base, step, extra] = item.split('/');
		if (base === '' || extra !== undefined) {
			return `${rule.name} field "${raw}" is malformed`;
		}
		if (step !== undefined && /^\d+$/.test(step) && Number(step) === 0) {
			return `${rule.name} step 0 is not allowed (use 1 or more)`;
		}
		const nth = /#(\d+)$/.exec(base);
		if (rule.name === 'day-of-week' && nth && (Number(nth[1]) < 1 || Number(nth[1]) > 5)) {
			return `day-of-week occurrence #${nth[1]} is out of range 1-5`;
		}
		for (const value of base.replace(/#\d+$/, '').match(/\d+/g) ?? []) {
			if (Number(value) < rule.min || Number(value) > rule.max) {
				return `${rule.name} value ${value} is out of range ${rule.min}-${rule.max}`;
			}
		}
		const range = /^(\d+)-(\d+)$/.exec(base);
		if (range && Number(range[1]) > Number(range[2])) {
			return `${rule.name} range ${base} runs backwards (write it as two ranges)`;
		}
	}
	return undefined;
}

const neverFires = Symbol('never fires');

/** Parses six raw fields, naming the field when cron-parser's message does not. */
function parseFields(fields: string[], useParser: boolean): FieldValues | string | typeof neverFires {
	for (let index = 0; index < fields.length; index++) {
		const problem = checkField(fields[index], fieldRules[index]);
		if (problem) {
			return problem;
		}
	}
	return (!useParser && simpleFields(fields)) || parseWithParser(fields);
}

/** cron-parser's reading of the fields, with overlapping list items merged first. */
function parseWithParser(fields: string[]): FieldValues | string | typeof neverFires {
	try {
		const parsed = CronExpressionParser.parse(fields.map(withoutDuplicates).join(' ')).fields;
		return fromCollection(parsed);
	} catch (err) {
		for (let index = 0; index < fields.length; index++) {
			try {
				parseAlone(index, fields[index]);
			} catch (fieldErr) {
				return `${fieldRules[index].name} field "${fields[index]}": ${(fieldErr as Error).message}`;
			}
		}
		// Every field is fine alone, so the combination is impossible (`0 0 31 2 *`).
		return neverFires;
	}
}

const fieldKeys = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;

/** Parses one field with the others left open, to tell which field cron-parser objects to. */
function parseAlone(index: number, field: string): (number | string)[] {
	const alone = ['0', '*', '*', '*', '*', '*'];
	alone[index] = field;
	return CronExpressionParser.parse(alone.join(' ')).fields[fieldKeys[index]].values;
}

/**
 * cron-parser rejects a list whose items overlap (`0,7` for Sunday, `*\/15,30`), which cron
 * accepts; such a list is rewritten as the union of its items. A list that cannot be read item by
 * item is left for cron-parser to report.
 */
function withoutDuplicates(field: string, index: number): string {
	const items = field.split(',');
	if (items.length < 2 || (index === 5 && field.includes('#'))) {
		return field;
	}
	try {
		const values = new Set<number | string>();
		for (const item of items) {
			for (const value of parseAlone(index, item)) {
				values.add(typeof value === 'number' && index === 5 ? value % 7 : value);
			}
		}
		return [...values].join(',');
	} catch {
		return field;
	}
}

/** Tables for "the next allowed value at or above v" and "how many allowed values at or above v". */
function tables(values: readonly number[], size: number): { next: Int8Array; count: Int8Array } {
	const allowed = new Uint8Array(size + 1);
	for (const value of values) {
		allowed[value] = 1;
	}
	const next = new Int8Array(size + 1).fill(-1);
	const count = new Int8Array(size + 1);
	for (let v = size - 1; v >= 0; v--) {
		next[v] = allowed[v] ? v : next[v + 1];
		count[v] = count[v + 1] + allowed[v];
	}
	return { next, count };
}

function numbers(values: readonly (number | string)[]): number[] {
	return values.filter((value): value is number => typeof value === 'number');
}

function flags(values: readonly number[], size: number): Uint8Array {
	const set = new Uint8Array(size);
	for (const value of values) {
		set[value % size] = 1;
	}
	return set;
}

function fromCollection(parsed: CronFieldCollection): FieldValues {
	return {
		second: parsed.second.values,
		minute: parsed.minute.values,
		hour: parsed.hour.values,
		dayOfMonth: parsed.dayOfMonth.values,
		month: parsed.month.values,
		dayOfWeek: parsed.dayOfWeek.values,
		lastDay: parsed.dayOfMonth.hasLastChar,
		daysRestricted: !parsed.dayOfMonth.isWildcard,
		nthWeekday: parsed.dayOfWeek.nthDay,
		weekdaysRestricted: !parsed.dayOfWeek.isWildcard,
	};
}

/** Builds the lookup tables from the fields, keeping cron-parser's reading of `L`, `#` and `nL`. */
function compileFields(parsed: FieldValues, raw: string[]): CronSpec {
	const second = tables(numbers(parsed.second), 60);
	const minute = tables(numbers(parsed.minute), 60);
	const hour = tables(numbers(parsed.hour), 24);
	const lastWeekdays = numbers(
		parsed.dayOfWeek.filter((value) => typeof value === 'string').map((value) => Number(String(value).charAt(0)) % 7),
	);
	return {
		fixedTime: raw.slice(0, 3).every((field) => /^\d+(,\d+)*$/.test(field)),
		nextSecond: second.next,
		nextMinute: minute.next,
		nextHour: hour.next,
		countSecond: second.count,
		countMinute: minute.count,
		countHour: hour.count,
		months: flags(numbers(parsed.month), 13),
		days: flags(numbers(parsed.dayOfMonth), 32),
		lastDay: parsed.lastDay,
		daysRestricted: parsed.daysRestricted,
		weekdays: flags(numbers(parsed.dayOfWeek), 7),
		lastWeekdays: flags(lastWeekdays, 7),
		hasLastWeekday: lastWeekdays.length > 0,
		nthWeekday: parsed.nthWeekday,
		weekdaysRestricted: parsed.weekdaysRestricted,
	};
}

/** Parses and compiles an expression, or returns why it is invalid (including "never fires"). */
export function compileCron(expression: string, now = Date.now()): CronSpec | string {
	return compile(expression, now, false);
}

/** `compileCron` with every expression read by cron-parser: the reference the tests hold the fast reading to. */
export function compileCronWithParser(expression: string, now = Date.now()): CronSpec | string {
	return compile(expression, now, true);
}

function compile(expression: string, now: number, useParser: boolean): CronSpec | string {
	const split = splitCron(expression);
	if (typeof split === 'string') {
		return split;
	}
	const parsed = parseFields(split.fields, useParser);
	if (typeof parsed === 'string') {
		return parsed;
	}
	const spec = parsed === neverFires ? undefined : compileFields(parsed, split.fields);
	if (!spec || nextWallMatch(spec, now, now + searchHorizonMs) < 0) {
		return `cron expression "${expression.trim()}" never fires (no matching date in the next 100 years)`;
	}
	return spec;
}
