import type { Node } from 'jsonc-parser';
import { type Member, openingBrace, readDuration, readObject, readString, type Scope, typeName } from './json/jsonReader';
import type { Schedule } from '../model';
import { cronNicknames } from '../cron/cronNames';
import { validateCron } from '../cron/fireTimes';
import { knownTimeZone } from '../cron/timeZones';

/** Fields of a job's `schedule` object in `.jobs.json`. */
export const knownScheduleFields = ['cron', 'timezone', 'every', 'at'] as const;

const kinds = ['cron', 'every', 'at'] as const;

/** The engine's model shape (`kind`, `expression`) is not the file's; say how to write it. */
const modelFieldHints = {
	kind: '(the file form has no "kind": write { "cron": ... }, { "every": ... } or { "at": ... })',
	expression: '(did you mean "cron"?)',
};

/**
 * Reads `schedule`: exactly one of `cron` (with an optional `timezone`), `every` or `at`. Errors go
 * to the job's scope; the result is undefined when anything is wrong.
 */
export function readSchedule(node: Node, path: string, scope: Scope): Schedule | undefined {
	if (node.type !== 'object') {
		scope.error(node, path, `must be an object with "cron", "every" or "at", got ${typeName(node)}`);
		return undefined;
	}
	const errors = scope.errors;
	const fields = readObject(node, path, scope, knownScheduleFields, modelFieldHints);
	const present = kinds.filter((kind) => fields.has(kind));
	if (present.length === 0) {
		scope.error(openingBrace(node), path, 'needs one of "cron", "every" or "at"');
		return undefined;
	}
	if (present.length > 1) {
		const names = present.map((k) => `"${k}"`);
		const list = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
		scope.error(fields.get(present[1])!.key, path, `has both ${list}; use exactly one`);
		return undefined;
	}
	const timezone = fields.get('timezone');
	if (timezone && present[0] !== 'cron') {
		scope.error(timezone.key, `${path}.timezone`, 'is only allowed with "cron"');
	}
	let schedule: Schedule | undefined;
	const value = fields.get(present[0])!.value;
	if (present[0] === 'cron') {
		schedule = readCron(value, timezone, path, scope);
	} else if (present[0] === 'every') {
		const everyMs = readDuration(value, `${path}.every`, scope);
		schedule = everyMs === undefined ? undefined : { kind: 'every', everyMs };
	} else {
		schedule = readAt(value, `${path}.at`, scope);
	}
	return scope.errors === errors ? schedule : undefined;
}

/**
 * Reads `cron` and `timezone`. Our own checks run first because cron-parser accepts `""` and
 * 4-field expressions as "every minute"; `validateCron` then checks the fields themselves, and
 * only when the time zone is known to be valid, so one mistake gives one error.
 */
function readCron(node: Node, timezone: Member | undefined, path: string, scope: Scope): Schedule | undefined {
	const errors = scope.errors;
	const cronPath = `${path}.cron`;
	const expression = readString(node, cronPath, scope, 'a cron expression string such as "*/15 * * * *"')?.trim();
	if (expression === '') {
		scope.error(node, cronPath, 'must not be empty; use 5 fields such as "*/15 * * * *" or a nickname such as "@daily"');
	} else if (expression?.startsWith('@')) {
		if (!cronNicknames.includes(expression)) {
			const hint = scope.problems.suggest(expression, cronNicknames);
			scope.error(node, cronPath, `unknown nickname "${expression.slice(0, 80)}"${hint}; use one of ${cronNicknames.join(', ')}`);
		}
	} else if (expression !== undefined) {
		const count = expression.split(/\s+/).length;
		if (count !== 5 && count !== 6) {
			scope.error(node, cronPath, `must have 5 fields (minute hour day month weekday) or 6 with seconds first, got ${count}`);
		}
	}
	const zone = timezone ? readTimezone(timezone.value, `${path}.timezone`, scope) : undefined;
	if (scope.errors !== errors || expression === undefined) {
		return undefined;
	}
	const problem = validateCron(expression, zone);
	if (problem) {
		scope.error(node, cronPath, problem);
		return undefined;
	}
	const shared = sharedExpression(expression);
	return zone === undefined ? { kind: 'cron', expression: shared } : { kind: 'cron', expression: shared, timezone: zone };
}

const expressions = new Map<string, string>();

/** One string per distinct expression: `JSON.parse` gives each job its own copy, and 10,000 jobs often share a few. */
function sharedExpression(expression: string): string {
	const known = expressions.get(expression);
	if (known !== undefined) {
		return known;
	}
	if (expressions.size >= 1000) {
		expressions.clear();
	}
	expressions.set(expression, expression);
	return expression;
}

/** An IANA zone name; validity is whatever this runtime's Intl knows, which is what will run it (cached per name). */
function readTimezone(node: Node, path: string, scope: Scope): string | undefined {
	const zone = readString(node, path, scope, 'an IANA time zone name such as "Europe/Berlin"');
	if (zone === undefined) {
		return undefined;
	}
	const known = knownTimeZone(zone);
	if (known === undefined) {
		scope.error(node, path, `unknown time zone "${zone.slice(0, 80)}"; use an IANA name such as "Europe/Berlin" or "UTC"`);
	}
	return known;
}

function readAt(node: Node, path: string, scope: Scope): Schedule | undefined {
	const what = 'an ISO-8601 date-time string such as "2030-01-31T09:00" or "2030-01-31T09:00:00Z"';
	const text = readString(node, path, scope, what);
	if (text === undefined) {
		return undefined;
	}
	const at = parseIsoDateTime(text);
	if (at === undefined) {
		scope.error(node, path, `must be ${what}, got "${text.slice(0, 80)}"`);
		return undefined;
	}
	return { kind: 'at', at };
}

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses an ISO-8601 date-time with an explicit date and time into epoch ms. Without a zone
 * designator it is local time, as ECMAScript reads date-time strings. Parsed by hand rather than
 * with `Date.parse` because engines differ on non-standard forms (a space instead of `T`) and
 * some roll invalid dates such as February 30 over into March instead of rejecting them.
 */
export function parseIsoDateTime(text: string): number | undefined {
	const match = isoPattern.exec(text);
	if (!match) {
		return undefined;
	}
	const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0));
	const ms = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
	if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
		return undefined;
	}
	const zone = match[8];
	if (zone !== undefined && zone.length > 3 && Number(zone.slice(-2)) > 59) {
		return undefined;
	}
	if (zone === undefined) {
		const local = new Date(2000, 0, 1);
		local.setFullYear(year, month - 1, day);
		local.setHours(hour, minute, second, ms);
		return local.getTime();
	}
	const utc = new Date(0);
	utc.setUTCFullYear(year, month - 1, day);
	utc.setUTCHours(hour, minute, second, ms);
	return utc.getTime() - zoneOffsetMinutes(zone) * 60_000;
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
	const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
	return month === 2 && leap ? 29 : monthDays[month - 1];
}

function zoneOffsetMinutes(zone: string): number {
	if (zone.toUpperCase() === 'Z') {
		return 0;
	}
	const digits = zone.slice(1).replace(':', '');
	const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
	return zone[0] === '-' ? -minutes : minutes;
}
