import type { Node } from 'jsonc-parser';
import { type Member, openingBrace, readDuration, readObject, readString, type Scope, typeName } from './json/jsonReader';
import { formatDuration } from '../base/duration';
import type { JobDefinition, Schedule } from '../model';
import { cronNicknames } from '../cron/cronNames';
import { validateCron } from '../cron/fireTimes';
import { closestTimeZone, knownTimeZone } from '../cron/timeZones';

/** Fields of a job's `schedule` object in `.jobs.json`. */
export const knownScheduleFields = ['cron', 'timezone', 'every', 'at'] as const;

const kinds = ['cron', 'every', 'at'] as const;

/**
 * The shortest `every`: one fire a second is what a 6-field cron can do too, and anything
 * tighter mostly writes history (`every: "1ms"` wrote about 950 records a second).
 */
export const minEveryMs = 1000;

/**
 * The minimum the readers apply: `minEveryMs`, or a lower one from `WORKSPACE_JOBS_MIN_INTERVAL_MS`
 * in the host's environment, which load and soak tests use to fire jobs many times a second.
 * It comes from the user who starts the host, never from the workspace, so a cloned
 * `.jobs.json` cannot lower it.
 */
export function minimumEveryMs(env: NodeJS.ProcessEnv = process.env): number {
	const value = Number(env.WORKSPACE_JOBS_MIN_INTERVAL_MS);
	return env.WORKSPACE_JOBS_MIN_INTERVAL_MS && Number.isInteger(value) && value >= 1 ? value : minEveryMs;
}

/** The longest `every`, 100 years: fire times must stay dates (`every: 9007199254740991` broke `list`). */
export const maxEveryMs = 36_500 * 86_400_000;

/** How long after a missed fire time it is still caught up when the job gives no `startingDeadline`. */
export const defaultStartingDeadlineMs = 3_600_000;

/** What the schedule checks need from the read around them. */
export interface ScheduleRules {
	/** When the file is read (epoch ms): an `at` long enough before it never fires. */
	now: number;
	/** The shortest `every` accepted, normally `minEveryMs`. */
	minEveryMs: number;
}

/**
 * Warns at `schedule.at` when that instant is past and outside the job's catch-up window (with
 * `catchUp: "once"`, the default for `at`, a time missed by less than `startingDeadline` still
 * runs once). A warning, not an error: the job stays defined and can be started by hand.
 */
export function warnIfAtPast(node: Node, path: string, scope: Scope, job: Pick<JobDefinition, 'schedule' | 'catchUp' | 'startingDeadlineMs'>, now: number): void {
	const schedule = job.schedule;
	if (schedule?.kind !== 'at') {
		return;
	}
	const windowMs = job.catchUp === 'none' ? 0 : (job.startingDeadlineMs ?? defaultStartingDeadlineMs);
	const atNode = node.children?.find((property) => property.children?.[0]?.value === 'at')?.children?.[1];
	if (atNode && schedule.at + windowMs < now) {
		const when = new Date(schedule.at).toISOString();
		scope.warning(atNode, `${path}.at`, `${JSON.stringify(atNode.value)} (${when}) is in the past, so this schedule will not fire any more; set a future time or start the job by hand`);
	}
}

/** The engine's model shape (`kind`, `expression`) is not the file's; say how to write it. */
const modelFieldHints = {
	kind: '(the file form has no "kind": write { "cron": ... }, { "every": ... } or { "at": ... })',
	expression: '(did you mean "cron"?)',
};

/**
 * Reads `schedule`: exactly one of `cron` (with an optional `timezone`), `every` or `at`. Errors go
 * to the job's scope; the result is undefined when anything is wrong.
 */
export function readSchedule(node: Node, path: string, scope: Scope, rules: ScheduleRules): Schedule | undefined {
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
		schedule = readEvery(value, `${path}.every`, scope, rules);
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
		const suggestion = closestTimeZone(zone);
		const hint = suggestion ? `did you mean "${suggestion}"?` : 'use an IANA name such as "Europe/Berlin" or "UTC"';
		scope.error(node, path, `unknown time zone "${zone.slice(0, 80)}"; ${hint}`);
	}
	return known;
}

/** `every`: a duration from `rules.minEveryMs` to `maxEveryMs`. */
function readEvery(node: Node, path: string, scope: Scope, rules: ScheduleRules): Schedule | undefined {
	const everyMs = readDuration(node, path, scope);
	if (everyMs === undefined) {
		return undefined;
	}
	const shown = typeof node.value === 'string' ? `"${node.value.trim()}"` : String(node.value);
	if (everyMs < rules.minEveryMs) {
		const cron = rules.minEveryMs === 1000 ? ' (or a 6-field cron such as "* * * * * *" for every second)' : '';
		scope.error(node, path, `${shown} is shorter than the minimum interval of ${formatDuration(rules.minEveryMs)}; use "${formatDuration(rules.minEveryMs)}" or more${cron}`);
		return undefined;
	}
	if (everyMs > maxEveryMs) {
		scope.error(node, path, `${shown} is longer than the maximum interval of ${formatDuration(maxEveryMs)} (100 years)`);
		return undefined;
	}
	return { kind: 'every', everyMs };
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
