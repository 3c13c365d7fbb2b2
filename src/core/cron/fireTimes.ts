/**
 * Fire times of schedules (`cron`, `every`, `at`), with cronie's DST rules.
 *
 * Cron jobs are matched against local wall-clock time and then mapped to instants one stretch of
 * constant UTC offset at a time, because the two cron libraries disagree across DST and neither
 * does what cronie does (measured with cron-parser 5.10.6 and croner 11.0.1: they disagreed on 5
 * of 30 expressions; cron-parser adds an extra 03:00 to a 2-hour step on spring-forward day, and
 * croner fires a 15-minute step over hours 1-3 in both copies of the hour on fall-back day):
 * - a job whose second, minute and hour are fixed values or lists fires once per matching wall
 *   time: a time inside a spring-forward gap fires at the instant the gap ends, and a time that
 *   occurs twice on fall-back day fires at its first occurrence only;
 * - a job with a `*`, range or step in any of those fields follows elapsed time: it fires in both
 *   copies of a repeated hour, and its times inside a gap are simply skipped.
 */
import { compileCron } from './compileCron';
import type { CronSpec } from './cronSpec';
import { countWallMatches, nextWallMatch, searchHorizonMs } from './cronWall';
import type { Schedule } from '../model';
import { localZone, type Zone, zoneFor } from './timeZones';

const dayMs = 86_400_000;
const maxCachedExpressions = 20_000;
const compiled = new Map<string, CronSpec | string>();

/**
 * Compiles once per distinct expression, the verdict of `firesAtAll` included: the file reader
 * checks up to 10,000 jobs that often share a few expressions, and the engine asks for their next
 * times again and again.
 */
function compiledCron(expression: string): CronSpec | string {
	let spec = compiled.get(expression);
	if (spec === undefined) {
		if (compiled.size >= maxCachedExpressions) {
			compiled.clear();
		}
		spec = compileCron(expression);
		if (typeof spec === 'object' && !firesAtAll(spec, Date.now())) {
			spec = `cron expression "${expression.trim()}" never fires (no matching date in the next 100 years)`;
		}
		compiled.set(expression, spec);
	}
	return spec;
}

/**
 * True when a compiled expression matches some wall time within the search horizon from `now`.
 * A valid expression can still name no real date (`0 0 31 2 *`, `0 0 30 2 *`); such a job would
 * sit in the tree forever without running, so it is reported like a syntax error. This is the
 * one place that decides it.
 */
function firesAtAll(spec: CronSpec, now: number): boolean {
	return nextWallMatch(spec, now, now + searchHorizonMs) >= 0;
}

/**
 * Validates a cron expression and an optional IANA time zone; returns an error message or
 * undefined. Stricter than cron-parser, which reads `""` and four fields as "every minute":
 * the file reader reports these messages at the expression's line, and a job that never fires
 * (`0 0 31 2 *`) is a mistake worth reporting too.
 */
export function validateCron(expression: string, timezone?: string): string | undefined {
	if (typeof expression !== 'string') {
		return 'cron expression must be a string';
	}
	const spec = compiledCron(expression);
	if (typeof spec === 'string') {
		return spec;
	}
	if (timezone !== undefined && (typeof timezone !== 'string' || !zoneFor(timezone))) {
		return `unknown time zone "${String(timezone)}"`;
	}
	return undefined;
}

/** The compiled expression and zone of a cron schedule; throws on what `validateCron` rejects. */
export function cronOf(schedule: Extract<Schedule, { kind: 'cron' }>): { spec: CronSpec; zone: Zone } {
	const spec = compiledCron(schedule.expression);
	if (typeof spec === 'string') {
		throw new Error(`Invalid cron expression "${schedule.expression}": ${spec}`);
	}
	const zone = schedule.timezone === undefined ? localZone() : zoneFor(schedule.timezone);
	if (!zone) {
		throw new Error(`Unknown time zone "${schedule.timezone}"`);
	}
	return { spec, zone };
}

/**
 * The first cron fire time strictly after `after`. Walks stretches of constant offset: inside
 * one, wall time and instants map one to one, so the wall-clock search decides; the rules above
 * apply only where a stretch begins with a transition.
 */
function nextCron(spec: CronSpec, zone: Zone, after: number): number | undefined {
	let cursor = Math.floor(after / 1000) * 1000 + 1000;
	const stop = cursor + searchHorizonMs;
	while (cursor < stop) {
		const segment = zone.segmentAt(cursor);
		const offset = segment.offset;
		const before = segment.previousOffset;
		if (spec.fixedTime && before < offset && segment.start >= cursor && nextWallMatch(spec, segment.start + before, segment.start + offset) >= 0) {
			return segment.start;
		}
		const low = spec.fixedTime && before > offset ? Math.max(cursor + offset, segment.start + before) : cursor + offset;
		const wall = nextWallMatch(spec, low, stop + 2 * dayMs);
		if (wall < 0) {
			return undefined;
		}
		const instant = wall - offset;
		if (instant < segment.end) {
			return instant;
		}
		// Far ahead (`0 0 29 2 *`): jump close to it. Offsets differ by at most 26 h, so no fire
		// between here and two days before it can have been missed by this search.
		cursor = instant - cursor > 4 * dayMs ? instant - 2 * dayMs : segment.end;
	}
	return undefined;
}

/** How many cron fire times lie in [from, to) (whole seconds), counted per stretch without visiting each. */
function countCron(spec: CronSpec, zone: Zone, from: number, to: number): number {
	let count = 0;
	for (let cursor = from; cursor < to; ) {
		const segment = zone.segmentAt(cursor);
		const offset = segment.offset;
		const before = segment.previousOffset;
		const end = Math.min(to, segment.end);
		if (spec.fixedTime && before < offset && segment.start >= cursor && gapFiresAlone(spec, segment.start, before, offset)) {
			count++;
		}
		const low = spec.fixedTime && before > offset ? Math.max(cursor + offset, segment.start + before) : cursor + offset;
		if (low < end + offset) {
			count += countWallMatches(spec, low, end + offset);
		}
		cursor = end;
	}
	return count;
}

/** True when wall times in the gap fire at its end and no wall time at its end fires there already. */
function gapFiresAlone(spec: CronSpec, start: number, before: number, offset: number): boolean {
	return nextWallMatch(spec, start + before, start + offset) >= 0 && nextWallMatch(spec, start + offset, start + offset + 1000) < 0;
}

/**
 * The first fire time strictly after `after` (epoch ms), or undefined when there is none (an
 * `at` in the past). For `every`, fire times are `anchor + k * everyMs` for k >= 1, so a grid
 * survives restarts when the caller keeps the anchor (when the schedule started); the default
 * anchor is `after`, giving `after + everyMs`. Throws for a cron expression or time zone that
 * `validateCron` rejects, rather than silently never firing.
 */
export function nextFireTime(schedule: Schedule, after: number, anchor?: number): number | undefined {
	if (!Number.isFinite(after)) {
		return undefined;
	}
	switch (schedule.kind) {
		case 'at':
			return schedule.at > after ? schedule.at : undefined;
		case 'every': {
			const every = schedule.everyMs;
			if (!(every > 0) || !Number.isFinite(every)) {
				return undefined;
			}
			const base = anchor !== undefined && Number.isFinite(anchor) ? anchor : after;
			return after < base ? base + every : base + (Math.floor((after - base) / every) + 1) * every;
		}
		case 'cron': {
			const { spec, zone } = cronOf(schedule);
			return nextCron(spec, zone, after);
		}
	}
}

/** Up to `count` successive fire times after `from`, for "next runs" lists in the tree and the CLI. */
export function fireTimes(schedule: Schedule, from: number, count: number, anchor?: number): number[] {
	const times: number[] = [];
	const base = anchor ?? from;
	let after = from;
	while (times.length < count) {
		const next = nextFireTime(schedule, after, base);
		if (next === undefined) {
			break;
		}
		times.push(next);
		after = next;
	}
	return times;
}

/**
 * The most recent fire time <= `at` and > `since`, for missed-run catch-up, and how many fire
 * times fell in (since, at], capped at `cap`. Cron fire times are counted per offset stretch and
 * the last one is found by bisection, so a week of laptop sleep with a per-second job costs about
 * the same as one with a daily job. `every` grids are anchored at `since` here.
 */
export function lastFireTimeBetween(
	schedule: Schedule,
	since: number,
	at: number,
	cap = Number.POSITIVE_INFINITY,
): { last: number | undefined; count: number } {
	const none = { last: undefined, count: 0 };
	if (!Number.isFinite(since) || !Number.isFinite(at) || at <= since) {
		return none;
	}
	switch (schedule.kind) {
		case 'at':
			return schedule.at > since && schedule.at <= at ? { last: schedule.at, count: Math.min(1, cap) } : none;
		case 'every': {
			const fires = schedule.everyMs > 0 ? Math.floor((at - since) / schedule.everyMs) : 0;
			return fires > 0 ? { last: since + fires * schedule.everyMs, count: Math.min(fires, cap) } : none;
		}
		case 'cron': {
			const { spec, zone } = cronOf(schedule);
			const count = countCron(spec, zone, Math.floor(since / 1000) * 1000 + 1000, Math.floor(at / 1000) * 1000 + 1000);
			return count > 0 ? { last: lastCron(spec, zone, since, at), count: Math.min(count, cap) } : none;
		}
	}
}

/** The last fire in (since, at], known to exist: bisects on "is there a fire in (x, at]". */
function lastCron(spec: CronSpec, zone: Zone, since: number, at: number): number {
	let low = since;
	let high = at;
	while (high - low > 1) {
		const middle = Math.floor((low + high) / 2);
		const next = nextCron(spec, zone, middle);
		if (next !== undefined && next <= at) {
			// A fire in (middle, at] means one in (next - 1, at]: skip straight to it.
			low = next - 1;
		} else {
			high = middle;
		}
	}
	return high;
}
