import { formatInstant } from '../core/base/timeFormat';

/**
 * Chart times from the one formatter (src/core/base/timeFormat.ts): `21:35`, the local time of
 * day without its seconds, for axis ticks and bucket ranges.
 */
export function formatClock(ms: number): string {
	const time = formatInstant(ms, { date: false });
	// `HH:MM:SS` → `HH:MM`; anything else (`-` for a bad instant) as it is.
	return /^\d\d:\d\d:\d\d$/.test(time) ? time.slice(0, 5) : time;
}

/** `21:35–21:36`, or with seconds when a bucket is shorter than a minute (`21:35:30–21:36:00`). */
export function formatBucket(startMs: number, bucketMs: number): string {
	const label = bucketMs < 60_000 ? (ms: number) => formatInstant(ms, { date: false }) : formatClock;
	return `${label(startMs)}–${label(startMs + bucketMs)}`;
}
