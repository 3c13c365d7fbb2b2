/** The second `isoTime` last formatted, and its text up to the milliseconds (`2026-11-24T19:08:15.`). */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()`, reusing the formatted date and time of the last second: every
 * run formats two or three instants, mostly within the same second, and `toISOString` was a
 * tenth of the in-process dispatch cost.
 */
export function isoTime(ms: number): string {
	const t = Math.floor(ms);
	const second = Math.floor(t / 1000);
	if (second !== cachedSecond) {
		const text = new Date(t).toISOString();
		if (text.length !== 24) {
			// Years outside 0000-9999 have a longer form; not worth caching.
			return text;
		}
		cachedSecond = second;
		cachedPrefix = text.slice(0, 20);
	}
	const millis = t - second * 1000;
	return cachedPrefix + (millis < 10 ? '00' : millis < 100 ? '0' : '') + millis + 'Z';
}
