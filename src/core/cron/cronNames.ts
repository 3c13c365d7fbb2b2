/**
 * The names cron expressions may use, in one table: month and weekday names, and the nicknames.
 * The parser, the file reader (which suggests a nickname for a typo) and the words of
 * `describeSchedule` all read them from here, so they cannot drift apart.
 */

/** Month names as cron writes them (any case), January first: index + 1 is the month. */
export const monthAliases = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;

/** Weekday names as cron writes them (any case), Sunday first: the index is the weekday. */
export const weekdayAliases = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Weekdays in words, Sunday first, for sentences such as "at 09:00 on Mondays". */
export const weekdayWords = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/**
 * The nicknames cronie knows, with the five fields each stands for. cron-parser knows more
 * (`@weekdays`, `@minutely`), which cron does not, so those are rejected before it sees them.
 */
export const nicknameFields: Readonly<Record<string, string>> = {
	'@yearly': '0 0 1 1 *',
	'@annually': '0 0 1 1 *',
	'@monthly': '0 0 1 * *',
	'@weekly': '0 0 * * 0',
	'@daily': '0 0 * * *',
	'@midnight': '0 0 * * *',
	'@hourly': '0 * * * *',
};

/** The nicknames in the order messages list them; the JSON schema offers the same ones. */
export const cronNicknames: readonly string[] = Object.keys(nicknameFields);
