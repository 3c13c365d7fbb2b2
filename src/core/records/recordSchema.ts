import type { RunStatus, Trigger } from '../model';

/**
 * The shape checks of what the state folder holds. History lines and journal entries are input
 * like any other file: another version, a torn write, a disk error or a person may have written
 * them, and a record with a field missing once crashed the CLI's table. Each check returns what is
 * wrong, in words that follow "skipped a record ", or `undefined` for a good value.
 */

/** Every status and trigger, as objects so the compiler says when the model gains one. */
const statuses: Record<RunStatus, true> = { completed: true, failed: true, canceled: true, skipped: true, interrupted: true, missed: true };
const triggers: Record<Trigger, true> = { schedule: true, manual: true, dependency: true, 'catch-up': true, api: true };

type Check = (value: unknown) => boolean;

const nonEmptyString: Check = (v) => typeof v === 'string' && v.length > 0;
const instant: Check = (v) => typeof v === 'string' && Number.isFinite(Date.parse(v));
const positiveInteger: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 1;
const oneOf =
	(values: Record<string, true>): Check =>
	(v) =>
		typeof v === 'string' && Object.hasOwn(values, v);

/** What each field must be, and how to say it is not. */
interface FieldRule {
	check: Check;
	what: string;
}

const recordRequired: Readonly<Record<string, FieldRule>> = {
	jobId: { check: nonEmptyString, what: 'a job id' },
	runId: { check: nonEmptyString, what: 'a run id' },
	attempt: { check: positiveInteger, what: 'a positive integer' },
	status: { check: oneOf(statuses), what: `one of ${Object.keys(statuses).join(', ')}` },
	exitCode: { check: (v) => v === null || Number.isSafeInteger(v), what: 'an integer or null' },
	startedAt: { check: instant, what: 'an ISO instant' },
	endedAt: { check: instant, what: 'an ISO instant' },
	durationMs: { check: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, what: 'a number of milliseconds' },
	trigger: { check: oneOf(triggers), what: `one of ${Object.keys(triggers).join(', ')}` },
};

/** Optional fields are checked when present: a UI trusts their types as much as the required ones'. */
const recordOptional: Readonly<Record<string, FieldRule>> = {
	reason: { check: nonEmptyString, what: 'a string' },
	message: { check: (v) => typeof v === 'string', what: 'a string' },
	signal: { check: (v) => v === null || typeof v === 'string', what: 'a string or null' },
	scheduledAt: { check: instant, what: 'an ISO instant' },
	willRetry: { check: (v) => typeof v === 'boolean', what: 'true or false' },
	logFile: { check: nonEmptyString, what: 'a path' },
	escaped: { check: (v) => Array.isArray(v) && v.every((pid) => positiveInteger(pid)), what: 'a list of pids' },
	outputTruncated: { check: (v) => typeof v === 'boolean', what: 'true or false' },
	count: { check: positiveInteger, what: 'a positive integer' },
	firstAt: { check: instant, what: 'an ISO instant' },
	lastAt: { check: instant, what: 'an ISO instant' },
};

const inFlightRequired: Readonly<Record<string, FieldRule>> = {
	jobId: recordRequired.jobId,
	runId: recordRequired.runId,
	attempt: recordRequired.attempt,
	startedAt: recordRequired.startedAt,
	trigger: recordRequired.trigger,
};

const inFlightOptional: Readonly<Record<string, FieldRule>> = {
	scheduledAt: recordOptional.scheduledAt,
	logFile: recordOptional.logFile,
	pid: { check: positiveInteger, what: 'a pid' },
};

/** What is wrong with a parsed history line as a `RunRecord`. Unknown fields are allowed (a newer writer's). */
export function recordProblem(value: Record<string, unknown>): string | undefined {
	return fieldsProblem(value, recordRequired, recordOptional);
}

/** What is wrong with a journal's start entry as an `InFlightRun`. */
export function inFlightProblem(value: unknown): string | undefined {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		return 'without "run"';
	}
	return fieldsProblem(value as Record<string, unknown>, inFlightRequired, inFlightOptional);
}

function fieldsProblem(value: Record<string, unknown>, required: Readonly<Record<string, FieldRule>>, optional: Readonly<Record<string, FieldRule>>): string | undefined {
	for (const [name, rule] of Object.entries(required)) {
		if (!Object.hasOwn(value, name) || value[name] === undefined) {
			return `without "${name}"`;
		}
		if (!rule.check(value[name])) {
			return `whose "${name}" is not ${rule.what}`;
		}
	}
	for (const [name, rule] of Object.entries(optional)) {
		if (Object.hasOwn(value, name) && !rule.check(value[name])) {
			return `whose "${name}" is not ${rule.what}`;
		}
	}
	return undefined;
}
