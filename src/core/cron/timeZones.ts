/**
 * UTC offsets and DST transitions of IANA time zones, read from `Intl` once per zone and year.
 *
 * The cron search needs the transitions themselves (where a gap starts, which wall times repeat),
 * not just "the offset at t", and it runs for thousands of jobs: one `formatToParts` costs about
 * 4 µs, so each zone-year is sampled once (daily, then bisected to the second) and kept.
 */

import { closestMatch } from '../base/closestMatch';

const dayMs = 86_400_000;

/** A stretch of time with one UTC offset (offsets in ms, added to an instant to get wall time). */
export interface Segment {
	/** First instant of the stretch; a transition when `previousOffset` differs from `offset`. */
	start: number;
	/** First instant after the stretch (the next transition, or a year boundary). */
	end: number;
	offset: number;
	/** The offset just before `start`. */
	previousOffset: number;
}

interface Transition {
	at: number;
	offset: number;
}

interface YearTable {
	start: number;
	end: number;
	previousOffset: number;
	startOffset: number;
	transitions: Transition[];
}

/** Names that always mean UTC; they need no `Intl` at all. */
const utcPattern = /^(utc|etc\/utc|gmt|etc\/gmt)$/i;

/** Offsets of one zone. */
export class Zone {
	private readonly years = new Map<number, YearTable>();
	private readonly isUtc: boolean;
	private formatter: Intl.DateTimeFormat | undefined;

	/**
	 * The formatter is made on first use: validating a file's zones must not pay for it (the first
	 * `Intl.DateTimeFormat` of a process costs ~12 ms).
	 * @throws RangeError for a name `Intl` does not know.
	 */
	constructor(
		readonly name: string,
		/** The machine's zone, read through `Date` (see `localZone`). */
		private readonly local = false,
	) {
		this.isUtc = !local && utcPattern.test(name);
		if (!local && !this.isUtc && !isTimeZone(name)) {
			throw new RangeError(`Invalid time zone specified: ${name}`);
		}
	}

	private get format(): Intl.DateTimeFormat {
		this.formatter ??= new Intl.DateTimeFormat('en-US', {
			timeZone: this.name,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric',
		});
		return this.formatter;
	}

	/** The offset in force at instant `t`. */
	offsetAt(t: number): number {
		return this.segmentAt(t).offset;
	}

	/** The stretch of constant offset that contains instant `t`. */
	segmentAt(t: number): Segment {
		if (this.isUtc) {
			return { start: -Infinity, end: Infinity, offset: 0, previousOffset: 0 };
		}
		const table = this.year(new Date(t).getUTCFullYear());
		const transitions = table.transitions;
		let index = transitions.length - 1;
		while (index >= 0 && transitions[index].at > t) {
			index--;
		}
		const next = transitions[index + 1];
		return {
			start: index >= 0 ? transitions[index].at : table.start,
			end: next ? next.at : table.end,
			offset: index >= 0 ? transitions[index].offset : table.startOffset,
			previousOffset: index > 0 ? transitions[index - 1].offset : index === 0 ? table.startOffset : table.previousOffset,
		};
	}

	private year(year: number): YearTable {
		let table = this.years.get(year);
		if (!table) {
			table = this.buildYear(year);
			this.years.set(year, table);
		}
		return table;
	}

	/** Samples each day of the year and bisects every change to the second. Two changes within one day that cancel out are not seen. */
	private buildYear(year: number): YearTable {
		const start = Date.UTC(year, 0, 1);
		const end = Date.UTC(year + 1, 0, 1);
		const transitions: Transition[] = [];
		let previous = this.rawOffset(start);
		for (let sample = start; sample < end; ) {
			const next = Math.min(sample + dayMs, end);
			const offset = this.rawOffset(next);
			let from = sample;
			let fromOffset = previous;
			while (fromOffset !== offset) {
				const at = this.firstChange(from, next, fromOffset);
				if (at >= end) {
					break;
				}
				fromOffset = this.rawOffset(at);
				transitions.push({ at, offset: fromOffset });
				from = at;
			}
			previous = offset;
			sample = next;
		}
		return { start, end, previousOffset: this.rawOffset(start - 1000), startOffset: this.rawOffset(start), transitions };
	}

	/** The first whole second in (from, to] whose offset differs from `offset` at `from`. */
	private firstChange(from: number, to: number, offset: number): number {
		let low = from;
		let high = to;
		while (high - low > 1000) {
			const middle = low + Math.floor((high - low) / 2000) * 1000;
			if (this.rawOffset(middle) === offset) {
				low = middle;
			} else {
				high = middle;
			}
		}
		return high;
	}

	/** The offset at `t` straight from `Intl` (or `Date`, for the machine zone), to the second. */
	private rawOffset(t: number): number {
		if (this.isUtc) {
			return 0;
		}
		const whole = Math.floor(t / 1000) * 1000;
		if (this.local) {
			return -new Date(whole).getTimezoneOffset() * 60_000;
		}
		const parts: Record<string, number> = {};
		for (const part of this.format.formatToParts(whole)) {
			parts[part.type] = Number(part.value);
		}
		const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
		// Date.UTC maps years 0-99 to 1900-1999; such instants are not scheduled, but keep them exact.
		const fixed = parts.year < 100 ? new Date(wall).setUTCFullYear(parts.year) : wall;
		return fixed - whole;
	}
}

const zones = new Map<string, Zone | undefined>();

/** Valid names as first seen (so 10,000 jobs share one string per zone); undefined for unknown names. */
const knownNames = new Map<string, string | undefined>();
let canonicalNames: ReadonlySet<string> | undefined;

/**
 * The name as a shared string when `Intl` accepts it as a time zone, else undefined. Canonical
 * names are looked up in `Intl.supportedValuesOf` (~1 ms once); aliases (`US/Eastern`) and other
 * spellings (`europe/berlin`, `UTC`) are tried with a formatter, as before. Cached per name.
 */
export function knownTimeZone(name: string): string | undefined {
	if (knownNames.has(name)) {
		return knownNames.get(name);
	}
	canonicalNames ??= new Set(Intl.supportedValuesOf('timeZone'));
	const known = utcPattern.test(name) || canonicalNames.has(name) || formatAccepts(name) ? name : undefined;
	if (knownNames.size >= 1000) {
		knownNames.clear();
	}
	knownNames.set(name, known);
	return known;
}

/**
 * The IANA name nearest to a misspelt one (`Europe/Berln` → `Europe/Berlin`), for "did you mean";
 * undefined when none is a plausible typo.
 */
export function closestTimeZone(name: string): string | undefined {
	canonicalNames ??= new Set(Intl.supportedValuesOf('timeZone'));
	return closestMatch(name, canonicalNames);
}

/** True when `Intl` accepts the name as a time zone. */
export function isTimeZone(name: string): boolean {
	return knownTimeZone(name) !== undefined;
}

function formatAccepts(name: string): boolean {
	try {
		new Intl.DateTimeFormat(undefined, { timeZone: name });
		return true;
	} catch {
		return false;
	}
}

/** The zone for an IANA name, cached; undefined when the name is unknown. */
export function zoneFor(name: string): Zone | undefined {
	if (!zones.has(name)) {
		if (zones.size >= 1000) {
			zones.clear();
		}
		let zone: Zone | undefined;
		try {
			zone = new Zone(name);
		} catch {
			zone = undefined;
		}
		zones.set(name, zone);
	}
	return zones.get(name);
}

let localKey: string | undefined;
let local: Zone | undefined;

/**
 * The machine's zone, for cron jobs without `timezone`. Its offsets come from `Date`
 * (`getTimezoneOffset`), which follows `process.env.TZ` like `Intl` does but needs no
 * `Intl.DateTimeFormat`: the first one in a process costs ~12 ms, a tenth of loading 1,000 jobs.
 * Made again whenever TZ changes (Node resets the `Date` zone cache then).
 */
export function localZone(): Zone {
	const key = process.env.TZ ?? '';
	if (!local || key !== localKey) {
		localKey = key;
		local = new Zone('local', true);
	}
	return local;
}
