/**
 * Schedules as the five-field cron of GitHub Actions, Kubernetes and Argo. The fields are written
 * again from the compiled expression, as numbers, ranges and steps every one of those readers
 * knows (no names, no Sunday as 7, no `?`), so what the target reads is what the engine reads.
 * `every` and `at` have no cron; they get the nearest one, reported.
 */
import { compileCron } from '../cron/compileCron';
import type { CronSpec } from '../cron/cronSpec';
import { fireTimes } from '../cron/fireTimes';
import type { Schedule } from '../model';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/** A cron for a target, and what it changed. */
export interface CronConversion {
	/** Five fields, or undefined when the schedule cannot be written as one (then `problem` says why). */
	expression?: string;
	timezone?: string;
	/** What differs, for the report; absent when the cron means exactly the schedule. */
	problem?: { fidelity: 'approximate' | 'lost'; message: string };
}

/** The values of a field that a table allows (`next[v] === v`). */
export function allowedValues(next: Int8Array, size: number, offset = 0): number[] {
	const values: number[] = [];
	for (let v = 0; v < size; v++) {
		if (next[v] === v) {
			values.push(v + offset);
		}
	}
	return values;
}

/** Set flags of a `Uint8Array`, from `from` on. */
export function flaggedValues(flags: Uint8Array, from: number): number[] {
	const values: number[] = [];
	for (let v = from; v < flags.length; v++) {
		if (flags[v]) {
			values.push(v);
		}
	}
	return values;
}

/** `*`, `*\/15`, `1-5`, `0,30`, or a mix of lists and ranges: the shortest cron text for the values. */
export function cronField(values: number[], min: number, max: number, wildcard: boolean): string {
	if (wildcard && values.length === max - min + 1) {
		return '*';
	}
	const step = values.length > 2 ? values[1] - values[0] : 0;
	if (wildcard && values[0] === min && step > 1 && values.every((v, i) => v === min + i * step) && values[values.length - 1] + step > max) {
		return `*/${step}`;
	}
	const parts: string[] = [];
	for (let i = 0; i < values.length; ) {
		let j = i;
		while (j + 1 < values.length && values[j + 1] === values[j] + 1) {
			j++;
		}
		parts.push(j - i >= 2 ? `${values[i]}-${values[j]}` : values.slice(i, j + 1).join(','));
		i = j + 1;
	}
	return parts.join(',');
}

/** The five fields of a compiled expression, or why they cannot be written (`L`, `#`, seconds). */
function fiveFields(spec: CronSpec): { fields?: string; seconds: number[]; unsupported?: string } {
	const seconds = allowedValues(spec.nextSecond, 60);
	if (spec.lastDay || spec.hasLastWeekday || spec.nthWeekday > 0) {
		return { seconds, unsupported: 'uses L or #, which standard five-field cron cannot say' };
	}
	const fields = [
		cronField(allowedValues(spec.nextMinute, 60), 0, 59, true),
		cronField(allowedValues(spec.nextHour, 24), 0, 23, true),
		spec.daysRestricted ? cronField(flaggedValues(spec.days, 1), 1, 31, false) : '*',
		cronField(flaggedValues(spec.months, 1), 1, 12, true),
		spec.weekdaysRestricted ? cronField(flaggedValues(spec.weekdays, 0), 0, 6, false) : '*',
	];
	return { fields: fields.join(' '), seconds };
}

/**
 * The schedule as five-field cron for `target` (its name, for messages). `at` becomes a yearly
 * cron on that date in UTC; `every` the cron whose grid is nearest to its interval.
 */
export function toFiveFieldCron(schedule: Schedule, target: string): CronConversion {
	switch (schedule.kind) {
		case 'cron': {
			const spec = compileCron(schedule.expression);
			if (typeof spec === 'string') {
				return { problem: { fidelity: 'lost', message: spec } };
			}
			const { fields, seconds, unsupported } = fiveFields(spec);
			if (!fields) {
				return { problem: { fidelity: 'lost', message: `cron "${schedule.expression}" ${unsupported}; ${target} cannot run it, so the job is left out` } };
			}
			const conversion: CronConversion = { expression: fields, timezone: schedule.timezone };
			if (seconds.length > 1) {
				conversion.problem = { fidelity: 'lost', message: `cron "${schedule.expression}" fires ${seconds.length} times a minute; ${target} cron has no seconds, so it runs once a minute` };
			} else if (seconds[0] !== 0) {
				conversion.problem = { fidelity: 'approximate', message: `cron "${schedule.expression}" fires at second ${seconds[0]}; ${target} cron has no seconds, so it runs at second 0` };
			}
			return conversion;
		}
		case 'at': {
			const d = new Date(schedule.at);
			const expression = `${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
			const seconds = d.getUTCSeconds() || d.getUTCMilliseconds() ? ' (seconds dropped)' : '';
			return {
				expression,
				timezone: 'UTC',
				problem: { fidelity: 'approximate', message: `${target} has no one-off schedule; emitted as the yearly cron "${expression}" (UTC)${seconds}: remove it after it ran` },
			};
		}
		case 'every':
			return everyAsCron(schedule.everyMs, target);
	}
}

/**
 * `every` as cron: an interval that divides an hour or a day evenly keeps its length on a grid
 * that starts at the full hour or midnight instead of when the scheduler started (approximate);
 * any other interval changes length (lost).
 */
function everyAsCron(everyMs: number, target: string): CronConversion {
	const anchored = 'on a grid from the full hour instead of from when the schedule started';
	if (everyMs < minuteMs) {
		return { expression: '* * * * *', problem: { fidelity: 'lost', message: `every ${everyMs / 1000}s is shorter than cron's minute; emitted as every minute` } };
	}
	if (everyMs < hourMs) {
		const minutes = Math.round(everyMs / minuteMs);
		const divisor = largestDivisorAtMost(60, minutes);
		const expression = divisor === 1 ? '* * * * *' : `*/${divisor} * * * *`;
		const fidelity = divisor * minuteMs === everyMs ? 'approximate' : 'lost';
		return { expression, problem: { fidelity, message: `${target} has no interval schedule; emitted as "${expression}" ${fidelity === 'lost' ? `(every ${divisor} min, not ${everyMs / minuteMs})` : anchored}` } };
	}
	if (everyMs < dayMs) {
		const hours = largestDivisorAtMost(24, Math.round(everyMs / hourMs));
		const expression = hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
		const fidelity = hours * hourMs === everyMs ? 'approximate' : 'lost';
		return { expression, problem: { fidelity, message: `${target} has no interval schedule; emitted as "${expression}" ${fidelity === 'lost' ? `(every ${hours} h, not ${everyMs / hourMs})` : 'on a grid from midnight instead of from when the schedule started'}` } };
	}
	const fidelity = everyMs === dayMs ? 'approximate' : 'lost';
	return { expression: '0 0 * * *', problem: { fidelity, message: `${target} has no interval schedule; emitted as the daily "0 0 * * *"${fidelity === 'lost' ? ` (not every ${everyMs / dayMs} days)` : ''}` } };
}

function largestDivisorAtMost(n: number, at: number): number {
	for (let d = Math.max(1, Math.min(n, at)); d > 1; d--) {
		if (n % d === 0) {
			return d;
		}
	}
	return 1;
}

/**
 * The shortest gap between two fire times of a five-field cron over a sample year, in ms:
 * GitHub runs scheduled workflows at most every 5 minutes.
 */
export function shortestGapMs(expression: string, timezone: string | undefined, from: number): number {
	const times = fireTimes({ kind: 'cron', expression, timezone: timezone ?? 'UTC' }, from, 500);
	let gap = Number.POSITIVE_INFINITY;
	for (let i = 1; i < times.length; i++) {
		gap = Math.min(gap, times[i] - times[i - 1]);
	}
	return gap;
}
