import { isDeepStrictEqual } from 'node:util';
import type { JobDefinition, JobsConfig } from '../model';

/** How one job differs between two loads of the jobs file. */
export type JobChange =
	| { id: string; kind: 'added' | 'removed' }
	/** `fields` are the file's names (`timeout`, not `timeoutMs`), in the definition's order; `enabled` is reported as `enabled`/`disabled`. */
	| { id: string; kind: 'changed'; fields: string[] };

/** What a reload changed: jobs in the order of the new file (removed ones last), and top-level settings. */
export interface ConfigDiff {
	jobs: JobChange[];
	/** `concurrency` and `retention`, when they differ. */
	settings: string[];
}

/**
 * Fields that say nothing about what a job does: where it sits in the file (`source` moves when a
 * line above is added) and its id (the key of the comparison). `run` is code, never in a file.
 */
const ignoredFields = new Set<string>(['id', 'source', 'run']);

/**
 * The difference between the definitions loaded before and the ones loaded now, computed once
 * where definitions are swapped in (`Engine.load`), so that the extension's log channel and the
 * CLI's `start` log say the same thing. Values compare deeply and without regard to key order, so
 * a reordered `env` is no change.
 */
export function diffConfig(previous: JobsConfig, next: JobsConfig): ConfigDiff {
	const before = new Map(previous.jobs.map((job) => [job.id, job]));
	const after = new Set(next.jobs.map((job) => job.id));
	const jobs: JobChange[] = [];
	for (const job of next.jobs) {
		const old = before.get(job.id);
		if (!old) {
			jobs.push({ id: job.id, kind: 'added' });
			continue;
		}
		const fields = changedFields(old, job);
		if (fields.length > 0) {
			jobs.push({ id: job.id, kind: 'changed', fields });
		}
	}
	for (const job of previous.jobs) {
		if (!after.has(job.id)) {
			jobs.push({ id: job.id, kind: 'removed' });
		}
	}
	const settings: string[] = [];
	if ((previous.concurrency ?? undefined) !== (next.concurrency ?? undefined)) {
		settings.push('concurrency');
	}
	if (!isDeepStrictEqual(previous.retention ?? {}, next.retention ?? {})) {
		settings.push('retention');
	}
	return { jobs, settings };
}

/** True when the reload changed nothing at all. */
export function isEmptyDiff(diff: ConfigDiff): boolean {
	return diff.jobs.length === 0 && diff.settings.length === 0;
}

/** At most this many jobs are named in one line; the rest are counted. */
export const describedJobLimit = 10;

/**
 * One line for people: `lint: command changed; nightly: added; concurrency changed`, and
 * `nothing changed` for an empty diff. A reload of a thousand jobs names the first ten and
 * counts the rest (`and 990 more jobs changed`).
 */
export function describeConfigDiff(diff: ConfigDiff): string {
	if (isEmptyDiff(diff)) {
		return 'nothing changed';
	}
	const parts = diff.jobs.slice(0, describedJobLimit).map((change) => `${change.id}: ${describeJobChange(change)}`);
	const more = diff.jobs.length - describedJobLimit;
	if (more > 0) {
		parts.push(`and ${more} more job${more === 1 ? '' : 's'} changed`);
	}
	for (const setting of diff.settings) {
		parts.push(`${setting} changed`);
	}
	return parts.join('; ');
}

function describeJobChange(change: JobChange): string {
	if (change.kind !== 'changed') {
		return change.kind;
	}
	// `enabled` reads as the state it moved to; everything else as "x, y and z changed".
	const words: string[] = change.fields.filter((f) => f === 'enabled' || f === 'disabled');
	const fields = change.fields.filter((f) => f !== 'enabled' && f !== 'disabled');
	if (fields.length > 0) {
		words.push(`${joinWords(fields)} changed`);
	}
	return words.join(', ');
}

function joinWords(words: readonly string[]): string {
	return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The fields that differ, named as in the file: `timeoutMs` is `timeout`, `startingDeadlineMs` is `startingDeadline`. */
function changedFields(old: JobDefinition, job: JobDefinition): string[] {
	const keys = new Set([...Object.keys(job), ...Object.keys(old)]);
	const fields: string[] = [];
	for (const key of keys) {
		if (ignoredFields.has(key)) {
			continue;
		}
		const was = (old as unknown as Record<string, unknown>)[key];
		const is = (job as unknown as Record<string, unknown>)[key];
		if (key === 'enabled') {
			if ((was ?? true) !== (is ?? true)) {
				fields.push(is === false ? 'disabled' : 'enabled');
			}
		} else if (!isDeepStrictEqual(was, is)) {
			fields.push(key.endsWith('Ms') ? key.slice(0, -2) : key);
		}
	}
	return fields;
}
