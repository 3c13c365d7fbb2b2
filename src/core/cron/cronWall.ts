/**
 * Searches over local wall-clock time, with no time zone involved.
 *
 * Wall-clock times are epoch-like milliseconds read as UTC ("wall ms"): 2026-03-29 02:30 in any
 * zone is `Date.UTC(2026, 2, 29, 2, 30)`. Every calendar question (which day matches, which time
 * of day comes next, how many times match in a range) is answered here; `fireTimes.ts` maps wall
 * times to instants stretch by stretch of constant UTC offset.
 */
import type { CronSpec } from './cronSpec';

const dayMs = 86_400_000;

/** How far ahead a fire time is looked for. Long, because `* * * 2 1#5` (a fifth Monday in February) fires in 2044, 2072, then 2112. */
export const searchHorizonMs = 100 * 366 * dayMs;

function daysInMonth(year: number, month: number): number {
	return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Day-of-month OR day-of-week when both are restricted (Vixie), exactly as cron-parser decides it. */
function dayMatches(spec: CronSpec, year: number, month: number, day: number, dayStart: number): boolean {
	const length = daysInMonth(year, month);
	const byDay = spec.days[day] === 1 || (spec.lastDay && day === length);
	const weekday = (((Math.floor(dayStart / dayMs) + 4) % 7) + 7) % 7;
	const byWeekday =
		(spec.weekdays[weekday] === 1 && (spec.nthWeekday <= 0 || Math.ceil(day / 7) === spec.nthWeekday)) ||
		(spec.hasLastWeekday && day > length - 7 && spec.lastWeekdays[weekday] === 1);
	if (spec.daysRestricted && spec.weekdaysRestricted) {
		return byDay || byWeekday;
	}
	return spec.weekdaysRestricted ? byWeekday : byDay;
}

/** The first allowed second of the day at or after `second` (0..86399), or -1. */
function timeOfDayAtLeast(spec: CronSpec, second: number): number {
	const h = Math.floor(second / 3600);
	const m = Math.floor(second / 60) % 60;
	const s = second % 60;
	const first = (hour: number, minute: number) => hour * 3600 + minute * 60 + spec.nextSecond[0];
	const hour = spec.nextHour[h];
	if (hour > h) {
		return first(hour, spec.nextMinute[0]);
	}
	if (hour === h) {
		const minute = spec.nextMinute[m];
		if (minute > m) {
			return first(h, minute);
		}
		if (minute === m && spec.nextSecond[s] >= 0) {
			return h * 3600 + m * 60 + spec.nextSecond[s];
		}
		if (spec.nextMinute[m + 1] >= 0) {
			return first(h, spec.nextMinute[m + 1]);
		}
	}
	const later = hour < 0 ? -1 : spec.nextHour[h + 1];
	return later < 0 ? -1 : first(later, spec.nextMinute[0]);
}

/** How many allowed times of day are at or after `second` (0..86400). */
function countAtLeast(spec: CronSpec, second: number): number {
	if (second >= 86_400) {
		return 0;
	}
	const h = Math.floor(second / 3600);
	const m = Math.floor(second / 60) % 60;
	const perMinute = spec.countSecond[0];
	const perHour = spec.countMinute[0] * perMinute;
	let count = spec.countHour[h + 1] * perHour;
	if (spec.nextHour[h] === h) {
		count += spec.countMinute[m + 1] * perMinute;
		if (spec.nextMinute[m] === m) {
			count += spec.countSecond[second % 60];
		}
	}
	return count;
}

/** Walks matching days from the day of `from`, calling `visit(dayStart, fromSecond)` until it returns false or `limit` is passed. */
function forEachMatchingDay(spec: CronSpec, from: number, limit: number, visit: (dayStart: number, fromSecond: number) => boolean): void {
	const start = new Date(from);
	let year = start.getUTCFullYear();
	let month = start.getUTCMonth() + 1;
	let day = start.getUTCDate();
	let fromSecond = Math.floor((from - Date.UTC(year, month - 1, day)) / 1000);
	for (;;) {
		const dayStart = Date.UTC(year, month - 1, day);
		if (dayStart >= limit) {
			return;
		}
		if (!spec.months[month]) {
			day = daysInMonth(year, month);
		} else if (dayMatches(spec, year, month, day, dayStart) && !visit(dayStart, fromSecond)) {
			return;
		}
		fromSecond = 0;
		if (++day > daysInMonth(year, month)) {
			day = 1;
			if (++month > 12) {
				month = 1;
				year++;
			}
		}
	}
}

/** The first matching wall time at or after `from` and before `limit` (wall ms), or -1. */
export function nextWallMatch(spec: CronSpec, from: number, limit: number): number {
	let found = -1;
	forEachMatchingDay(spec, Math.ceil(from / 1000) * 1000, limit, (dayStart, fromSecond) => {
		const second = timeOfDayAtLeast(spec, fromSecond);
		if (second >= 0) {
			found = dayStart + second * 1000;
			return false;
		}
		return true;
	});
	return found >= 0 && found < limit ? found : -1;
}

/** How many matching wall times lie in [from, to) (wall ms, whole seconds), without visiting each one. */
export function countWallMatches(spec: CronSpec, from: number, to: number): number {
	let count = 0;
	forEachMatchingDay(spec, from, to, (dayStart, fromSecond) => {
		count += countAtLeast(spec, fromSecond) - countAtLeast(spec, Math.min(86_400, Math.max(0, (to - dayStart) / 1000)));
		return true;
	});
	return count;
}
