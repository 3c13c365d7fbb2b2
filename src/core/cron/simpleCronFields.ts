/**
 * The common cron form read without cron-parser; see `simpleFields`. Kept apart from
 * `cronSpec.ts`, which holds cron-parser's reading and the tables both feed.
 */

/** What `compileFields` needs of the six parsed fields; cron-parser's reading or `simpleFields`. */
export interface FieldValues {
	second: readonly (number | string)[];
	minute: readonly (number | string)[];
	hour: readonly (number | string)[];
	dayOfMonth: readonly (number | string)[];
	month: readonly (number | string)[];
	dayOfWeek: readonly (number | string)[];
	lastDay: boolean;
	daysRestricted: boolean;
	nthWeekday: number;
	weekdaysRestricted: boolean;
}

/** Largest second, minute and hour. */
const timeMaxima = [59, 59, 23];

/** A list of `*`, `n`, `n-m`, each with an optional `/step`. */
const simpleTimeField = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

/**
 * The fields as cron-parser reads them, computed directly for the common form: second, minute
 * and hour as lists of values, ranges and steps, and `*` for day, month and weekday. cron-parser
 * costs ~15 ms for its first expression (it sets up luxon and Intl) and ~0.1 ms for each after;
 * anything else goes to it. `checkField` has already rejected values out of range, backward
 * ranges and steps of 0. Tests compare the two readings.
 */
export function simpleFields(fields: string[]): FieldValues | undefined {
	if (fields[3] !== '*' || fields[4] !== '*' || fields[5] !== '*') {
		return undefined;
	}
	const times = [0, 1, 2].map((index) => (simpleTimeField.test(fields[index]) ? listValues(fields[index], timeMaxima[index]) : undefined));
	if (times.some((values) => values === undefined)) {
		return undefined;
	}
	const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
	return {
		second: times[0]!,
		minute: times[1]!,
		hour: times[2]!,
		dayOfMonth: range(1, 31),
		month: range(1, 12),
		dayOfWeek: range(0, 7),
		lastDay: false,
		daysRestricted: false,
		nthWeekday: 0,
		weekdaysRestricted: false,
	};
}

/** The values of a `simpleTimeField` list whose minimum is 0: `*` is 0-max, `n/step` runs to max. */
function listValues(field: string, max: number): number[] {
	const values = new Set<number>();
	for (const item of field.split(',')) {
		const [base, step] = item.split('/');
		const [from, to] = base === '*' ? [0, max] : base.split('-').map(Number);
		const last = to ?? (step === undefined ? from : max);
		for (let value = from; value <= last; value += step === undefined ? 1 : Number(step)) {
			values.add(value);
		}
	}
	return [...values];
}
