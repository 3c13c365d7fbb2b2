/**
 * Cron expressions read into plain lookup tables (`CronSpec`), with messages that name the field.
 *
 * cron-parser is the one parser, and it only parses here: its `next()` handles DST differently
 * from cronie (it adds an extra 03:00 to a 2-hour step on spring-forward day) and is slow for rare
 * expressions with a time zone (measured: about 300 a second for `0 0 29 2 *` in Europe/Berlin),
 * so the fire-time search is ours (`cronWall.ts`, `fireTimes.ts`). Its field values are kept
 * as they are, so `L`, `#`, `nL`, names and Sunday as 7 mean what cron-parser makes of them.
 * Whether a valid expression ever fires is the search's question, answered in `fireTimes.ts`.
 */
import { CronDate, CronExpressionParser, type CronFieldCollection } from 'cron-parser';
import { cronNicknames, monthAliases, nicknameFields, weekdayAliases } from './cronNames';
import type { CronSpec } from './cronSpec';

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
	{ name: 'month', min: 1, max: 12, aliases: monthAliases },
	{ name: 'day-of-week', min: 0, max: 7, aliases: weekdayAliases },
];

const fieldKeys = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
type FieldKey = (typeof fieldKeys)[number];

/** cron-parser's reading of the six fields: one parse of the whole, or each field parsed alone. */
type ParsedFields = Pick<CronFieldCollection, FieldKey>;

/** "@yearly, @annually, ... or @hourly", for the message about an unknown nickname. */
const nicknameList = `${cronNicknames.slice(0, -1).join(', ')} or ${cronNicknames[cronNicknames.length - 1]}`;

/** An expression split into six raw fields (seconds first), before any parsing. */
export interface CronFields {
	/** second, minute, hour, day-of-month, month, day-of-week; `0` seconds when there were five. */
	fields: string[];
}

/** Splits an expression into six raw fields, or returns why it cannot be. */
export function splitCron(expression: string): CronFields | string {
	let text = expression.trim();
	if (text === '') {
		return 'cron expression is empty';
	}
	if (text.startsWith('@')) {
		const expanded = nicknameFields[text.toLowerCase()];
		if (!expanded) {
			return `unknown cron nickname ${text} (use ${nicknameList})`;
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

let parseDate: CronDate | undefined;

/**
 * Options for every parse. cron-parser makes a luxon date for each expression it parses, which we
 * never use (we do not call `next()`); handing it one made once skips that per parse. The first
 * luxon date of a process sets up `Intl` (~12 ms), which the search pays anyway for the first
 * job with a time zone.
 */
function parseOptions(): { currentDate: CronDate } {
	parseDate ??= new CronDate(0, 'UTC');
	return { currentDate: parseDate };
}

/** The whole expression read by cron-parser, or undefined when it rejects it. */
function parseWhole(fields: readonly string[]): ParsedFields | undefined {
	try {
		return CronExpressionParser.parse(fields.join(' '), parseOptions()).fields;
	} catch {
		return undefined;
	}
}

/** Parses one field with the others left open, to tell which field cron-parser objects to. */
function parseAlone<K extends FieldKey>(key: K, field: string): ParsedFields[K] {
	const alone = ['0', '*', '*', '*', '*', '*'];
	alone[fieldKeys.indexOf(key)] = field;
	return CronExpressionParser.parse(alone.join(' '), parseOptions()).fields[key];
}

/**
 * cron-parser's reading of six fields that passed `checkField`, naming the field when its message
 * does not. The fields are parsed as written first; only when cron-parser rejects them are
 * overlapping list items merged (`withoutDuplicates`, a parse per item). When every field is fine
 * alone but not together, the day of month is one no chosen month has (`0 0 31 2 *`): the fields
 * are then read apart, and the search finds that the expression never fires.
 */
function parseFields(fields: string[]): ParsedFields | string {
	const direct = parseWhole(fields);
	if (direct) {
		return direct;
	}
	const merged = fields.map(withoutDuplicates);
	const union = merged.some((field, index) => field !== fields[index]) ? parseWhole(merged) : undefined;
	if (union) {
		return union;
	}
	for (let index = 0; index < fields.length; index++) {
		try {
			parseAlone(fieldKeys[index], fields[index]);
		} catch (fieldErr) {
			return `${fieldRules[index].name} field "${fields[index]}": ${(fieldErr as Error).message}`;
		}
	}
	const [second, minute, hour, dayOfMonth, month, dayOfWeek] = merged;
	return {
		second: parseAlone('second', second),
		minute: parseAlone('minute', minute),
		hour: parseAlone('hour', hour),
		dayOfMonth: parseAlone('dayOfMonth', dayOfMonth),
		month: parseAlone('month', month),
		dayOfWeek: parseAlone('dayOfWeek', dayOfWeek),
	};
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
			for (const value of parseAlone(fieldKeys[index], item).values) {
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

/** Builds the lookup tables from cron-parser's fields, keeping its reading of `L`, `#` and `nL`. */
function compileFields(parsed: ParsedFields, raw: string[]): CronSpec {
	const second = tables(numbers(parsed.second.values), 60);
	const minute = tables(numbers(parsed.minute.values), 60);
	const hour = tables(numbers(parsed.hour.values), 24);
	const lastWeekdays = numbers(
		parsed.dayOfWeek.values.filter((value) => typeof value === 'string').map((value) => Number(String(value).charAt(0)) % 7),
	);
	return {
		fixedTime: raw.slice(0, 3).every((field) => /^\d+(,\d+)*$/.test(field)),
		nextSecond: second.next,
		nextMinute: minute.next,
		nextHour: hour.next,
		countSecond: second.count,
		countMinute: minute.count,
		countHour: hour.count,
		months: flags(numbers(parsed.month.values), 13),
		days: flags(numbers(parsed.dayOfMonth.values), 32),
		lastDay: parsed.dayOfMonth.hasLastChar,
		daysRestricted: !parsed.dayOfMonth.isWildcard,
		weekdays: flags(numbers(parsed.dayOfWeek.values), 7),
		lastWeekdays: flags(lastWeekdays, 7),
		hasLastWeekday: lastWeekdays.length > 0,
		nthWeekday: parsed.dayOfWeek.nthDay,
		weekdaysRestricted: !parsed.dayOfWeek.isWildcard,
	};
}

/**
 * Parses and compiles an expression, or returns why it is invalid. A valid expression may still
 * never fire (`0 0 31 2 *`); `validateCron` in `fireTimes.ts` asks the search about that.
 */
export function compileCron(expression: string): CronSpec | string {
	const split = splitCron(expression);
	if (typeof split === 'string') {
		return split;
	}
	for (let index = 0; index < split.fields.length; index++) {
		const problem = checkField(split.fields[index], fieldRules[index]);
		if (problem) {
			return problem;
		}
	}
	const parsed = parseFields(split.fields);
	return typeof parsed === 'string' ? parsed : compileFields(parsed, split.fields);
}
