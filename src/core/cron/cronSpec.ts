/**
 * The compiled form of a cron expression: the contract between the reader (`compileCron.ts`, which
 * fills it from cron-parser's reading) and the searches over it (`cronWall.ts`, `fireTimes.ts`).
 * It lives apart from both so that neither imports the other.
 */

/** A compiled expression: lookup tables for the fields plus the DST class of the job. */
export interface CronSpec {
	/**
	 * True when second, minute and hour are single values or lists. Such a job fires once per
	 * matching wall time (cronie): at the first occurrence of a repeated time, at the end of a gap.
	 * Any `*`, range or step means the job follows elapsed time instead.
	 */
	fixedTime: boolean;
	/** `nextX[v]`: the smallest allowed value >= v, or -1 (tables one longer than the range). */
	nextSecond: Int8Array;
	nextMinute: Int8Array;
	nextHour: Int8Array;
	/** `countX[v]`: how many allowed values are >= v. */
	countSecond: Int8Array;
	countMinute: Int8Array;
	countHour: Int8Array;
	months: Uint8Array;
	days: Uint8Array;
	lastDay: boolean;
	daysRestricted: boolean;
	weekdays: Uint8Array;
	lastWeekdays: Uint8Array;
	hasLastWeekday: boolean;
	nthWeekday: number;
	weekdaysRestricted: boolean;
}
