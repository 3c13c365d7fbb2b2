/**
 * Cron expressions as systemd `OnCalendar=` lines (systemd.time(7), "Calendar Events"), and the
 * instants where the two disagree across DST. Cron reads day-of-month and day-of-week as
 * "either" when both are given, systemd as "both", so such an expression becomes two lines (a
 * timer fires on any of its `OnCalendar=` lines). `L` is `~01`, `5L` is `Fri *-*~07/1`, and
 * `5#2` is `Fri *-*-08..14`.
 *
 * DST: for a fixed time (`30 2 * * *`) in a spring-forward gap the engine runs at the end of the
 * gap and systemd skips that day; for a time with a `*`, range or step in the hour (`30 * * * *`)
 * in a repeated fall-back hour the engine runs in both copies and systemd in the first only.
 */
import { compileCron } from '../cron/compileCron';
import type { CronSpec } from '../cron/cronSpec';
import { nextWallMatch } from '../cron/cronWall';
import { localZone, zoneFor } from '../cron/timeZones';
import { allowedValues, flaggedValues } from './cronConversion';

const weekdayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (v: number) => String(v).padStart(2, '0');

/** `*`, `00/15`, `09..17`, `01,15`: a systemd calendar component for the values. */
export function calendarField(values: number[], min: number, max: number): string {
	if (values.length === max - min + 1) {
		return '*';
	}
	const step = values.length > 2 ? values[1] - values[0] : 0;
	if (step > 1 && values.every((v, i) => v === values[0] + i * step) && values[values.length - 1] + step > max) {
		return `${two(values[0])}/${step}`;
	}
	const parts: string[] = [];
	for (let i = 0; i < values.length; ) {
		let j = i;
		while (j + 1 < values.length && values[j + 1] === values[j] + 1) {
			j++;
		}
		parts.push(j - i >= 2 ? `${two(values[i])}..${two(values[j])}` : values.slice(i, j + 1).map(two).join(','));
		i = j + 1;
	}
	return parts.join(',');
}

/** `Mon..Fri`, `Sat,Sun`: weekday names, ranges for three or more in a row (Sunday first, as cron). */
function weekdayField(days: number[]): string {
	const parts: string[] = [];
	for (let i = 0; i < days.length; ) {
		let j = i;
		while (j + 1 < days.length && days[j + 1] === days[j] + 1) {
			j++;
		}
		parts.push(j - i >= 2 ? `${weekdayNames[days[i]]}..${weekdayNames[days[j]]}` : days.slice(i, j + 1).map((d) => weekdayNames[d]).join(','));
		i = j + 1;
	}
	return parts.join(',');
}

/** The `OnCalendar=` values of an expression (one or two), with ` ZONE` appended when given. */
export function onCalendar(expression: string, timezone?: string): string[] | string {
	const spec = compileCron(expression);
	if (typeof spec === 'string') {
		return spec;
	}
	const zone = timezone ? ` ${timezone}` : '';
	const time = [
		calendarField(allowedValues(spec.nextHour, 24), 0, 23),
		calendarField(allowedValues(spec.nextMinute, 60), 0, 59),
		calendarField(allowedValues(spec.nextSecond, 60), 0, 59),
	].join(':');
	const months = calendarField(flaggedValues(spec.months, 1), 1, 12);
	const days = calendarField(flaggedValues(spec.days, 1), 1, 31);
	const weekdays = weekdayField(flaggedValues(spec.weekdays, 0));
	const lines: string[] = [];
	if (spec.lastDay) {
		lines.push(`*-${months}~01 ${time}`);
	}
	if (spec.daysRestricted && flaggedValues(spec.days, 1).length) {
		lines.push(`*-${months}-${days} ${time}`);
	}
	if (spec.weekdaysRestricted) {
		if (spec.hasLastWeekday) {
			lines.push(`${weekdayField(flaggedValues(spec.lastWeekdays, 0))} *-${months}~07/1 ${time}`);
		} else if (spec.nthWeekday > 0) {
			const first = (spec.nthWeekday - 1) * 7 + 1;
			lines.push(`${weekdays} *-${months}-${two(first)}..${two(first + 6)} ${time}`);
		} else {
			lines.push(`${weekdays} *-${months}-* ${time}`);
		}
	}
	if (!spec.daysRestricted && !spec.weekdaysRestricted) {
		lines.push(`*-${months}-* ${time}`);
	}
	return lines.map((line) => `${line}${zone}`);
}

/** A transition where the engine and systemd fire differently. */
export interface DstDifference {
	/** The instant of the transition (epoch ms). */
	at: number;
	kind: 'gap' | 'repeat';
}

/**
 * Transitions in [from, to) where the engine's fire times and systemd's differ for this
 * expression and zone (see the file comment); empty for a zone without DST.
 */
export function dstDifferences(expression: string, timezone: string | undefined, from: number, to: number): DstDifference[] {
	const spec = compileCron(expression);
	const zone = timezone ? zoneFor(timezone) : localZone();
	if (typeof spec === 'string' || !zone) {
		return [];
	}
	const found: DstDifference[] = [];
	for (let cursor = from; cursor < to; ) {
		const segment = zone.segmentAt(cursor);
		if (segment.start >= from && segment.previousOffset !== segment.offset) {
			const kind = differsAt(spec, segment.start, segment.previousOffset, segment.offset);
			if (kind) {
				found.push({ at: segment.start, kind });
			}
		}
		cursor = segment.end;
	}
	return found;
}

function differsAt(spec: CronSpec, start: number, before: number, offset: number): DstDifference['kind'] | undefined {
	if (before < offset) {
		// Spring forward: wall times [start + before, start + offset) do not exist.
		return spec.fixedTime && nextWallMatch(spec, start + before, start + offset) >= 0 ? 'gap' : undefined;
	}
	// Fall back: wall times [start + offset, start + before) happen twice.
	return !spec.fixedTime && nextWallMatch(spec, start + offset, start + before) >= 0 ? 'repeat' : undefined;
}
