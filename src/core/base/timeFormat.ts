/**
 * How instants, relative times and durations read for people: one module for the CLI today and
 * the extension's tree, tooltips and metrics later, so every surface tells time the same way.
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
		const parts: Record<string, string> = {};
		for (const part of formatter(options.zone).formatToParts(ms)) {
			parts[part.type] = part.value;
		}
		date = `${parts.year}-${parts.month}-${parts.day}`;
		time = `${parts.hour}:${parts.minute}:${parts.second}`;
	}
	const millis = options.millis ? `.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}` : '';
	const text = options.date === false ? `${time}${millis}` : `${date} ${time}${millis}`;
	return options.utc ? `${text} UTC` : text;
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
