/**
 * Schedules in words for the tree, tooltips and `workspace-jobs list`. Only the common shapes get
 * a sentence; anything else falls back to `cron <expression>`, because a wrong sentence is worse
 * than the raw expression.
 */
import { splitCron } from './compileCron';
import { monthAliases, weekdayAliases, weekdayWords } from './cronNames';
import type { Schedule } from '../model';

/** "Mondays", as in "at 09:00 on Mondays". */
const weekdayPlurals = weekdayWords.map((word) => `${word}s`);
/** "Jan", as in "on Jan 1". */
const monthShortNames = monthAliases.map((alias) => alias.charAt(0).toUpperCase() + alias.slice(1));

const isNumber = (field: string) => /^\d+$/.test(field);
const isList = (field: string) => /^\d+(,\d+)*$/.test(field);
const two = (value: number) => String(value).padStart(2, '0');

/** The schedule in words, e.g. "every 15 minutes", "at 09:00 on weekdays (Europe/Berlin)", "every 30s". */
export function describeSchedule(schedule: Schedule): string {
	switch (schedule.kind) {
		case 'every':
			return `every ${formatInterval(schedule.everyMs)}`;
		case 'at':
			return `once at ${formatLocal(schedule.at)}`;
		case 'cron': {
			const zone = schedule.timezone ? ` (${schedule.timezone})` : '';
			return `${describeCron(schedule.expression) ?? `cron ${schedule.expression.trim()}`}${zone}`;
		}
	}
}

/** "1h30m", "30s", "250ms": compact, like the durations people write in `.jobs.json`. */
function formatInterval(ms: number): string {
	if (!(ms > 0) || !Number.isFinite(ms)) {
		return `${ms}ms`;
	}
	const units: Array<[string, number]> = [
		['d', 86_400_000],
		['h', 3_600_000],
		['m', 60_000],
		['s', 1000],
		['ms', 1],
	];
	let rest = Math.round(ms);
	let text = '';
	for (const [unit, size] of units) {
		if (rest >= size) {
			text += `${Math.floor(rest / size)}${unit}`;
			rest %= size;
		}
	}
	return text;
}

/** A local date and time, "2026-12-01 09:00", with seconds only when they are not zero. */
function formatLocal(at: number): string {
	const date = new Date(at);
	if (Number.isNaN(date.getTime())) {
		return String(at);
	}
	const seconds = date.getSeconds() ? `:${two(date.getSeconds())}` : '';
	return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}${seconds}`;
}

function replaceAliases(field: string, aliases: readonly string[], first: number): string {
	return field.replace(/[a-z]{3}/gi, (name) => {
		const index = aliases.indexOf(name.toLowerCase());
		return index < 0 ? name : String(index + first);
	});
}

/** "a", "a and b", "a, b and c". */
function joinWords(words: string[]): string {
	return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The time-of-day part, and whether it names fixed times ("at 09:00") or a rhythm ("every 15 minutes"). */
function describeTime(second: string, minute: string, hour: string): { text: string; fixed: boolean } | undefined {
	if (second !== '0') {
		const step = /^\*\/(\d+)$/.exec(second);
		if (minute !== '*' || hour !== '*') {
			return undefined;
		}
		return second === '*' ? { text: 'every second', fixed: false } : step ? { text: `every ${step[1]} seconds`, fixed: false } : undefined;
	}
	const minuteStep = /^\*\/(\d+)$/.exec(minute);
	const hourStep = /^\*\/(\d+)$/.exec(hour);
	if (hour === '*') {
		if (minute === '*') {
			return { text: 'every minute', fixed: false };
		}
		return minuteStep ? { text: `every ${minuteStep[1]} minutes`, fixed: false } : isNumber(minute) ? { text: `every hour at :${two(Number(minute))}`, fixed: false } : undefined;
	}
	if (hourStep && isNumber(minute)) {
		return { text: `every ${hourStep[1]} hours at :${two(Number(minute))}`, fixed: false };
	}
	if (!isList(minute) || !isList(hour)) {
		return undefined;
	}
	const times: string[] = [];
	for (const h of hour.split(',').map(Number).sort((a, b) => a - b)) {
		for (const m of minute.split(',').map(Number).sort((a, b) => a - b)) {
			times.push(`${two(h)}:${two(m)}`);
		}
	}
	return times.length <= 4 ? { text: `at ${joinWords(times)}`, fixed: true } : undefined;
}

/** The day part ("" for every day), or undefined when it has no short wording. */
function describeDays(dayOfMonth: string, month: string, dayOfWeek: string): string | undefined {
	const weekdays = replaceAliases(dayOfWeek, weekdayAliases, 0);
	const months = replaceAliases(month, monthAliases, 1);
	if (dayOfMonth === '*' && months === '*') {
		if (weekdays === '*') {
			return '';
		}
		if (weekdays === '1-5') {
			return 'on weekdays';
		}
		if (weekdays === '0,6' || weekdays === '6,0' || weekdays === '6,7' || weekdays === '6-7') {
			return 'on weekends';
		}
		return isList(weekdays) ? `on ${joinWords(weekdays.split(',').map((day) => weekdayPlurals[Number(day) % 7]))}` : undefined;
	}
	if (weekdays !== '*' || !(isNumber(dayOfMonth) || dayOfMonth === 'L')) {
		return undefined;
	}
	const day = dayOfMonth === 'L' ? 'the last day' : `day ${Number(dayOfMonth)}`;
	if (months === '*') {
		return `on ${day} of the month`;
	}
	return isNumber(months) && dayOfMonth !== 'L' ? `on ${monthShortNames[Number(months) - 1]} ${Number(dayOfMonth)}` : undefined;
}

/** A sentence for the common cron shapes, or undefined. */
function describeCron(expression: string): string | undefined {
	const split = splitCron(expression);
	if (typeof split === 'string') {
		return undefined;
	}
	const [second, minute, hour, dayOfMonth, month, dayOfWeek] = split.fields;
	const time = describeTime(second, minute, hour);
	const days = describeDays(dayOfMonth, month, dayOfWeek);
	if (!time || days === undefined) {
		return undefined;
	}
	if (days === '') {
		return time.fixed ? `every day ${time.text}` : time.text;
	}
	return `${time.text} ${days}`;
}
