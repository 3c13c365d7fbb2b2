import type { RetentionOptions } from '../model';

/**
 * What the state folder keeps: the limits, their defaults and bounds, and where they come from
 * (a host's setting over `.jobs.json` over the defaults). `retentionPlanner.ts` decides which
 * records a prune keeps, `pruner.ts` does the reading, writing and deleting, and
 * `pruneSchedule.ts` says when.
 */

const mb = 1024 * 1024;

/** The limits when neither the settings nor `.jobs.json` set them. */
export const defaultRetention: Readonly<Required<RetentionOptions>> = { runs: 100, days: 30, size: 256 * mb };

/** What each limit may be: a `.jobs.json` or a setting outside these is an error. */
export const retentionBounds = {
	runs: { min: 1, max: 1_000_000, integer: true },
	days: { min: 0.001, max: 36_500, integer: false },
	size: { min: 1024, max: 1024 ** 5, integer: true },
} as const;

/** The limits in force: each one from the host (settings) if set, else the file, else the default. */
export function resolveRetention(host: RetentionOptions | undefined, file: RetentionOptions | undefined): Required<RetentionOptions> {
	return {
		runs: host?.runs ?? file?.runs ?? defaultRetention.runs,
		days: host?.days ?? file?.days ?? defaultRetention.days,
		size: host?.size ?? file?.size ?? defaultRetention.size,
	};
}

/**
 * Limits from a host's setting (any JSON value): the valid fields, and a message for each
 * field that is not, so the host can say why a limit kept its default.
 */
export function retentionFromSetting(value: unknown): { retention: RetentionOptions; problems: string[] } {
	const retention: RetentionOptions = {};
	const problems: string[] = [];
	if (value === undefined || value === null) {
		return { retention, problems };
	}
	if (typeof value !== 'object' || Array.isArray(value)) {
		return { retention, problems: ['must be an object such as { "runs": 100, "days": 30, "size": "256MB" }'] };
	}
	const raw = value as Record<string, unknown>;
	for (const key of ['runs', 'days'] as const) {
		const v = raw[key];
		if (v === undefined || v === null) {
			continue;
		}
		const { min, max, integer } = retentionBounds[key];
		if (typeof v === 'number' && v >= min && v <= max && (!integer || Number.isInteger(v))) {
			retention[key] = v;
		} else {
			problems.push(`${key} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
		}
	}
	if (raw.size !== undefined && raw.size !== null) {
		const size = parseSize(raw.size);
		if (size.ok) {
			retention.size = size.bytes;
		} else {
			problems.push(`size ${size.message}`);
		}
	}
	return { retention, problems };
}

const sizeUnits: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb, gb: 1024 * mb, tb: 1024 * 1024 * mb };

export type SizeResult = { ok: true; bytes: number } | { ok: false; message: string };

/**
 * A size as people write it: a number of bytes, or a string with a unit (`"256MB"`, `"1.5 GB"`,
 * `"500KB"`; units are powers of 1024, case does not matter). A bare numeric string is refused,
 * as durations refuse one: it usually means a forgotten unit. Messages follow a field path.
 */
export function parseSize(value: unknown): SizeResult {
	let bytes: number;
	if (typeof value === 'number') {
		bytes = value;
	} else if (typeof value === 'string') {
		const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?b)\s*$/i.exec(value);
		if (!match) {
			return { ok: false, message: `must be a size such as "256MB" or a number of bytes, got "${value.slice(0, 40)}"` };
		}
		bytes = Number(match[1]) * sizeUnits[match[2].toLowerCase()];
	} else {
		return { ok: false, message: `must be a size such as "256MB" or a number of bytes, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}` };
	}
	bytes = Math.round(bytes);
	const { min, max } = retentionBounds.size;
	if (!Number.isFinite(bytes) || bytes < min || bytes > max) {
		return { ok: false, message: `must be from ${formatSize(min)} to ${formatSize(max)}, got ${Number.isFinite(bytes) ? formatSize(bytes) : String(value)}` };
	}
	return { ok: true, bytes };
}

/** `256 MB`, `1.5 GB`, `900 bytes`. */
export function formatSize(bytes: number): string {
	for (const [unit, size] of [['TB', 1024 ** 4], ['GB', 1024 ** 3], ['MB', mb], ['KB', 1024]] as const) {
		if (bytes >= size) {
			return `${Number((bytes / size).toFixed(1))} ${unit}`;
		}
	}
	return `${bytes} bytes`;
}
