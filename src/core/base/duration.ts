/**
 * Durations as people write them in `.jobs.json` (`"30s"`, `"1h30m"`, or a number of
 * milliseconds), and the compact form the tree, the CLI and the logs show.
 */

const unitMs: Readonly<Record<string, number>> = {
	ms: 1,
	s: 1000,
	m: 60_000,
	h: 3_600_000,
	d: 86_400_000,
};

/** Units from the largest down: a combination must use them in this order, each at most once. */
const unitOrder = ['d', 'h', 'm', 's', 'ms'];

/**
 * One `<number><unit>` part. `ms` comes before `m` in the alternation so `500ms` is not read as
 * `500m` followed by a stray `s`.
 */
const partPattern = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)(?![a-z])/y;

/** The hint every duration error ends with, so users see a valid form next to the problem. */
const example = 'such as "30s" or a number of ms';

/**
 * The largest duration accepted: well beyond any sensible timeout, and still an exact integer.
 * Keeps arithmetic on fire times and deadlines exact.
 */
const maxDurationMs = Number.MAX_SAFE_INTEGER;

export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

/**
 * Parses a duration: a positive number of milliseconds, or a string of one or more
 * `<number><unit>` parts with units `ms`, `s`, `m`, `h`, `d` (`"500ms"`, `"1.5h"`, `"1h30m"`,
 * `"2h 5m"`). A bare numeric string such as `"500"` is rejected: it is ambiguous between
 * milliseconds and seconds, and it usually means a unit was forgotten. The result is rounded to
 * whole milliseconds and must be at least 1 ms, because a zero timeout or interval would either
 * fire in a tight loop or kill every run at once. Messages are phrased to follow a field path
 * (`jobs[2].timeout: <message>`).
 */
export function parseDuration(value: unknown): DurationResult {
	if (typeof value === 'number') {
		return checkRange(value, String(value));
	}
	if (typeof value !== 'string') {
		return { ok: false, message: `must be a duration string ${example}, got ${describeType(value)}` };
	}
	const text = value.trim();
	if (text === '') {
		return { ok: false, message: `must not be empty; use a duration string ${example}` };
	}
	if (/^\d+(?:\.\d+)?$/.test(text)) {
		return { ok: false, message: `"${text}" has no unit; write "${text}ms" or "${text}s", or use the number ${text} for ms` };
	}
	const parsed = parseParts(text);
	if (typeof parsed === 'string') {
		return { ok: false, message: parsed };
	}
	return checkRange(parsed, `"${text}"`);
}

/** Sums the parts of a duration string, or returns the error message. */
function parseParts(text: string): number | string {
	let total = 0;
	let position = 0;
	let lastUnit = -1;
	while (position < text.length) {
		partPattern.lastIndex = position;
		const match = partPattern.exec(text);
		if (!match) {
			const rest = text.slice(position);
			const unit = /^\d+(?:\.\d+)?\s*([a-zA-Zµ]+)/.exec(rest)?.[1];
			return unit !== undefined
				? `unknown unit "${unit}" in "${text}"; use ms, s, m, h or d`
				: `"${text}" is not a duration; use a string ${example}`;
		}
		const unit = unitOrder.indexOf(match[2]);
		if (unit <= lastUnit) {
			return `"${text}" repeats a unit or lists units out of order; write the largest first, as in "1h30m"`;
		}
		lastUnit = unit;
		total += Number(match[1]) * unitMs[match[2]];
		position = match.index + match[0].length;
		while (/\s/.test(text[position] ?? '')) {
			position++;
		}
	}
	return total;
}

function checkRange(ms: number, shown: string): DurationResult {
	if (Number.isNaN(ms)) {
		return { ok: false, message: `must be a positive duration ${example}, got NaN` };
	}
	const rounded = Math.round(ms);
	if (rounded < 1) {
		return { ok: false, message: `must be a positive duration ${example}, got ${shown}` };
	}
	if (rounded > maxDurationMs) {
		return { ok: false, message: `${shown} is too long; the limit is ${maxDurationMs} ms` };
	}
	return { ok: true, ms: rounded };
}

/** Names a value's JSON type for messages: `null` and `array` rather than `object`. */
function describeType(value: unknown): string {
	if (value === null) {
		return 'null';
	}
	return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Formats milliseconds compactly for people: `850ms`, `1.3s`, `5m 30s`, `2h 5m`, `3d 4h`. Keeps
 * at most two units, because a run that took `2h 5m` does not need its seconds. Each branch
 * rounds first and then checks its upper bound, so 59.96 s shows as `1m`, never `60s`. The
 * output is itself a valid `parseDuration` string.
 */
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms)) {
		return String(ms);
	}
	if (ms < 0) {
		return `-${formatDuration(-ms)}`;
	}
	if (Math.round(ms) < 1000) {
		return `${Math.round(ms)}ms`;
	}
	const tenths = Math.round(ms / 100);
	if (tenths < 600) {
		return `${tenths / 10}s`;
	}
	const seconds = Math.round(ms / 1000);
	if (seconds < 3600) {
		return pair(Math.floor(seconds / 60), 'm', seconds % 60, 's');
	}
	const minutes = Math.round(ms / 60_000);
	if (minutes < 1440) {
		return pair(Math.floor(minutes / 60), 'h', minutes % 60, 'm');
	}
	const hours = Math.round(ms / 3_600_000);
	return pair(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

function pair(major: number, majorUnit: string, minor: number, minorUnit: string): string {
	return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit} ${minor}${minorUnit}`;
}
