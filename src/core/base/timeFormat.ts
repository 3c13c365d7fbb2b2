/**
 * How instants, relative times and durations read for people: the one formatter of the CLI, the
 * extension's tree, tooltips, status bar and CodeLens, and the metrics panel, so every surface
 * tells time the same way. Local time by default; a job's own zone beside it when it shows
 * another wall time (`02:30 New York · 08:30 here`); relative where it helps (`in 9 h 54 min`,
 * `2 min ago`); durations with a unit and a space (`307 ms`, `1 min 5 s`). Every function takes
 * the zone as an option, so tests pin it instead of depending on the machine's `TZ`.
 * Machine-readable output (`--json`, history lines) stays ISO-8601 UTC and does not come here.
 */

/** Where an instant is shown. */
export interface InstantOptions {
	/** An IANA zone (`America/New_York`); the machine's zone when neither this nor `utc` is set. */
	zone?: string;
	/** UTC, marked with a trailing ` UTC` so it is never read as local time. Wins over `zone`. */
	utc?: boolean;
	/** `false` for the time of day alone (log lines). @default true */
	date?: boolean;
	/** Milliseconds after the seconds (`21:35:50.123`), for log lines. @default false */
	millis?: boolean;
}

/** One formatter per zone: the first `Intl.DateTimeFormat` of a process costs milliseconds. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string | undefined): Intl.DateTimeFormat {
	const key = zone ?? '';
	let format = formatters.get(key);
	if (!format) {
		if (zone !== undefined && !isTimeZone(zone)) {
			// A zone this runtime does not know reads as local time rather than throwing in a hover.
			return formatter(undefined);
		}
		// en-US with h23 and numeric parts: only the parts are used, so the locale's order does not matter.
		format = new Intl.DateTimeFormat('en-US', {
			timeZone: zone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
		});
		formatters.set(key, format);
	}
	return format;
}

/**
 * `2026-12-01 21:35:50` in the machine's zone (or `zone`), `2026-12-01 21:35:50 UTC` with `utc`.
 * Year first and 24-hour, so columns sort and line up; no locale's `12/1/2026, 9:35:50 PM`.
 */
export function formatInstant(ms: number, options: InstantOptions = {}): string {
	if (!Number.isFinite(ms)) {
		return '-';
	}
	let date: string;
	let time: string;
	if (options.utc) {
		const iso = new Date(ms).toISOString();
		date = iso.slice(0, 10);
		time = iso.slice(11, 19);
	} else {
		const parts = wallParts(ms, options.zone);
		date = `${parts.year}-${parts.month}-${parts.day}`;
		time = `${parts.hour}:${parts.minute}:${parts.second}`;
	}
	const millis = options.millis ? `.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}` : '';
	const text = options.date === false ? `${time}${millis}` : `${date} ${time}${millis}`;
	return options.utc ? `${text} UTC` : text;
}

/** The wall-clock fields of an instant in a zone, as two-digit strings (year four). */
interface WallParts {
	year: string;
	month: string;
	day: string;
	hour: string;
	minute: string;
	second: string;
}

function wallParts(ms: number, zone: string | undefined): WallParts {
	const parts: Record<string, string> = {};
	for (const part of formatter(zone).formatToParts(ms)) {
		parts[part.type] = part.value;
	}
	return parts as unknown as WallParts;
}

/** True when this runtime's Intl knows the IANA zone. */
export function isTimeZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}

/** Where and how precisely a time of day is shown. */
export interface WhenOptions {
	/** The zone the reader lives in (an IANA name). @default the machine's zone */
	zone?: string;
	/** Add seconds (runs often start within the same minute). @default false */
	seconds?: boolean;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * A time for people, as near as the calendar allows: `07:30` on the same day as `now`,
 * `Wed 07:30` within six days, `2026-12-09 07:30` otherwise. Days are counted in `zone`.
 */
export function formatWhen(ms: number, now: number, options: WhenOptions = {}): string {
	if (!Number.isFinite(ms)) {
		return '-';
	}
	const at = wallParts(ms, options.zone);
	const time = `${at.hour}:${at.minute}${options.seconds ? `:${at.second}` : ''}`;
	const today = wallParts(now, options.zone);
	if (at.year === today.year && at.month === today.month && at.day === today.day) {
		return time;
	}
	if (Math.abs(ms - now) < 6 * 86_400_000) {
		return `${weekday(at)} ${time}`;
	}
	return `${at.year}-${at.month}-${at.day} ${time}`;
}

/** Where a job's time is shown: the reader's zone and the job's own. */
export interface ZonedOptions extends WhenOptions {
	/** The zone the job's schedule is read in (cron `timezone`); absent means the reader's. */
	jobZone?: string;
}

/**
 * An instant of a job with its own zone: `02:30 New York · 08:30 here` when the job's zone shows
 * another wall time than the reader's, else the local time alone (`08:30`). The local side says
 * the day as `formatWhen` does; the job's side names its weekday when its date differs from the
 * local one (`Tue 22:00 New York · 08:30 here`), so neither reads as a contradiction.
 */
export function formatZoned(ms: number, now: number, options: ZonedOptions = {}): string {
	const { jobZone, ...local } = options;
	const here = formatWhen(ms, now, local);
	if (!jobZone || !isTimeZone(jobZone) || !Number.isFinite(ms)) {
		return here;
	}
	const a = wallParts(ms, jobZone);
	const b = wallParts(ms, local.zone);
	const sameDate = a.year === b.year && a.month === b.month && a.day === b.day;
	if (sameDate && a.hour === b.hour && a.minute === b.minute) {
		return here;
	}
	const time = `${a.hour}:${a.minute}${local.seconds ? `:${a.second}` : ''}`;
	const herePrefix = here.slice(0, here.lastIndexOf(' ') + 1);
	const there = sameDate ? `${herePrefix}${time}` : `${weekday(a)} ${time}`;
	return `${there} ${zoneLabel(jobZone)} · ${here} here`;
}

function weekday(parts: WallParts): string {
	return weekdays[new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day))).getUTCDay()];
}

/** A zone as people say it: `New York` for `America/New_York`, `UTC` for `Etc/UTC`. */
export function zoneLabel(zone: string): string {
	const last = zone.split('/').pop() ?? zone;
	return last.replace(/_/g, ' ');
}

/**
 * `ms` relative to `now`: `in 9 h 54 min`, `2 min ago`, `now` within a second. Two units at most,
 * and no seconds once it is a minute away: "in 9 h 54 min 12 s" is noise in a table.
 */
export function formatRelative(ms: number, now: number): string {
	const delta = ms - now;
	if (!Number.isFinite(delta)) {
		return '-';
	}
	if (Math.abs(delta) < 1000) {
		return 'now';
	}
	const seconds = Math.round(Math.abs(delta) / 1000);
	const span = seconds < 60 ? `${seconds} s` : coarse(Math.abs(delta));
	return delta > 0 ? `in ${span}` : `${span} ago`;
}

/**
 * How long something took, with a unit and a space: `307 ms`, `4.2 s`, `5 min 30 s`, `1 h 3 min`,
 * `3 d 4 h`. (`formatDuration` in `duration.ts` writes the compact `.jobs.json` form, `4.2s`.)
 * Each branch rounds first and checks its bound after, so 59.96 s reads `1 min`, never `60 s`.
 */
export function formatElapsed(ms: number): string {
	if (!Number.isFinite(ms)) {
		return '-';
	}
	if (ms < 0) {
		return `-${formatElapsed(-ms)}`;
	}
	if (Math.round(ms) < 1000) {
		return `${Math.round(ms)} ms`;
	}
	const tenths = Math.round(ms / 100);
	if (tenths < 600) {
		return `${tenths / 10} s`;
	}
	const seconds = Math.round(ms / 1000);
	if (seconds < 3600) {
		return pair(Math.floor(seconds / 60), 'min', seconds % 60, 's');
	}
	return coarse(ms);
}

/** Minutes and up, without seconds: `2 min`, `9 h 54 min`, `3 d 4 h`. */
function coarse(ms: number): string {
	const minutes = Math.round(ms / 60_000);
	if (minutes < 60) {
		return `${Math.max(1, minutes)} min`;
	}
	if (minutes < 1440) {
		return pair(Math.floor(minutes / 60), 'h', minutes % 60, 'min');
	}
	const hours = Math.round(ms / 3_600_000);
	return pair(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

function pair(major: number, majorUnit: string, minor: number, minorUnit: string): string {
	return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`;
}
