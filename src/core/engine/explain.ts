/**
 * "Why didn't this run?": the last decisions the engine made about a job and their reasons, what
 * holds its schedule back now, and its next fire times with any DST shift, as plain data built
 * from what both hosts can read (the definition, history records, the runner lease). Facts only
 * a host knows (Workspace Trust, approval, the pause switch of a live engine) are passed in.
 * `explainText.ts` turns it into words for the CLI and VS Code alike.
 */
import { type DstShift, dstShift } from '../cron/dstShift';
import { fireTimes } from '../cron/fireTimes';
import { describeSchedule } from '../cron/describeSchedule';
import { defaultStartingDeadlineMs } from '../definitions/scheduleReader';
import type { ActiveRun, CatchUpPolicy, JobDefinition, OverlapPolicy, RunRecord } from '../model';
import { mergeSkips, sameSkip } from '../records/retentionPlanner';
import type { LeaseInfo } from './lease';

/** Who runs the folder's schedule, as the asking process sees it. */
export type ScheduleRunner =
	/** This process holds the runner lease and fires the schedule. */
	| { kind: 'this' }
	/** Another process does: a VS Code window or `workspace-jobs start` (`holder` when it answered). */
	| { kind: 'other'; holder?: LeaseInfo }
	/** Nobody holds the lease: no window and no `workspace-jobs start` runs this folder's schedule. */
	| { kind: 'none' }
	/** This host has not started its scheduler (the extension before trust or approval). */
	| { kind: 'stopped' };

/** Why runs may not start at all, as only the host knows (the extension's run gate). */
export type HostRefusal = 'untrusted' | 'unapproved';

export interface ExplainInput {
	job: JobDefinition;
	/** The definition's `enabled` unless the user toggled it (`state.json`). */
	enabled: boolean;
	/** This job's history records, newest last (skips and misses included). */
	records: readonly RunRecord[];
	/** Runs of the job that have not finished (known to the process that runs them). */
	active?: readonly ActiveRun[];
	runner: ScheduleRunner;
	/** The live engine's pause switch; undefined when the asker cannot know (the CLI). */
	paused?: boolean;
	refusal?: HostRefusal;
	now: number;
	/** Next fire times to list. @default 5 */
	nextCount?: number;
	/** An `every` schedule's grid start, when the asker knows it. */
	anchor?: number;
	/** Decisions to keep, newest first. @default 8 */
	decisionCount?: number;
}

/** Something that keeps the job's schedule from firing now, most decisive first. */
export type Blocker =
	| { kind: 'untrusted' | 'unapproved' | 'disabled' | 'paused' | 'stopped' | 'nobody' }
	| { kind: 'manual'; dependsOn: readonly string[] }
	| { kind: 'finished'; at: number }
	| { kind: 'elsewhere'; holder?: LeaseInfo };

/** Why a missed fire time was not caught up. */
export type MissedWhy =
	/** `catchUp` is `none` (the default of `every` schedules). */
	| 'catch-up-off'
	/** It was older than `startingDeadlineMs` when the scheduler saw it. */
	| 'deadline'
	/** A newer fire time ran instead (catch-up runs the newest only). */
	| 'newer-ran';

/** One decision about the job: a run's outcome (its last attempt), a skip or a miss. */
export interface Decision {
	record: RunRecord;
	/** When it was decided (epoch ms of `endedAt`). */
	at: number;
	/** How many attempts the run had. */
	attempts: number;
	scheduledAt?: number;
	/** The DST shift of `scheduledAt` under the current schedule (a 02:30 job that ran at 03:00). */
	dst?: DstShift;
	missed?: MissedWhy;
}

export interface NextRun {
	at: number;
	dst?: DstShift;
}

export interface Explanation {
	jobId: string;
	name: string;
	/** The schedule in words ("at 02:30 every day (America/New_York)"), or `manual`. */
	schedule: string;
	/** The cron schedule's zone, when it names one. */
	zone?: string;
	overlap: OverlapPolicy;
	catchUp: CatchUpPolicy;
	startingDeadlineMs: number;
	blockers: Blocker[];
	active: ActiveRun[];
	/** Newest first. */
	decisions: Decision[];
	/** The schedule's next fire times from `now` (what it would do once nothing blocks it). */
	nextRuns: NextRun[];
}

/** Builds the explanation of one job. Pure: everything comes from `input`. */
export function explainJob(input: ExplainInput): Explanation {
	const { job, now } = input;
	const schedule = job.schedule;
	const catchUp = job.catchUp ?? (schedule?.kind === 'every' ? 'none' : 'once');
	const startingDeadlineMs = job.startingDeadlineMs ?? defaultStartingDeadlineMs;
	const nextRuns = schedule ? fireTimes(schedule, now, input.nextCount ?? 5, input.anchor).map((at) => withShift<NextRun>({ at }, schedule, at)) : [];
	return {
		jobId: job.id,
		name: job.name ?? job.id,
		schedule: schedule ? describeSchedule(schedule) : job.dependsOn?.length ? `after ${job.dependsOn.join(', ')}` : 'manual',
		zone: schedule?.kind === 'cron' ? schedule.timezone : undefined,
		overlap: job.overlap ?? 'skip',
		catchUp,
		startingDeadlineMs,
		blockers: blockersOf(input, nextRuns.length > 0),
		active: [...(input.active ?? [])],
		decisions: decisionsOf(input, catchUp, startingDeadlineMs),
		nextRuns,
	};
}

function blockersOf(input: ExplainInput, firesAgain: boolean): Blocker[] {
	const { job, runner } = input;
	const blockers: Blocker[] = [];
	if (input.refusal) {
		blockers.push({ kind: input.refusal });
	}
	if (!input.enabled) {
		blockers.push({ kind: 'disabled' });
	}
	if (!job.schedule) {
		blockers.push({ kind: 'manual', dependsOn: job.dependsOn ?? [] });
		return blockers;
	}
	if (!firesAgain) {
		blockers.push({ kind: 'finished', at: job.schedule.kind === 'at' ? job.schedule.at : input.now });
		return blockers;
	}
	if (input.paused) {
		blockers.push({ kind: 'paused' });
	}
	if (runner.kind === 'other') {
		blockers.push({ kind: 'elsewhere', holder: runner.holder });
	} else if (runner.kind === 'none') {
		blockers.push({ kind: 'nobody' });
	} else if (runner.kind === 'stopped' && !input.refusal) {
		blockers.push({ kind: 'stopped' });
	}
	return blockers;
}

/** The last record of each run (its final attempt), newest first, with what explains it. */
function decisionsOf(input: ExplainInput, catchUp: CatchUpPolicy, deadlineMs: number): Decision[] {
	const { records, job } = input;
	const limit = input.decisionCount ?? 8;
	const seen = new Map<string, Decision>();
	const decisions: Decision[] = [];
	for (let i = records.length - 1; i >= 0 && decisions.length < limit; i--) {
		const record = records[i];
		const known = seen.get(record.runId);
		if (known) {
			known.attempts = Math.max(known.attempts, record.attempt);
			continue;
		}
		const newer = decisions[decisions.length - 1];
		if (newer && sameSkip(record, newer.record)) {
			// A streak's first skip is written at once and the rest later as one record: one decision.
			newer.record = mergeSkips(record, newer.record);
			continue;
		}
		const scheduledAt = record.scheduledAt === undefined ? undefined : Date.parse(record.scheduledAt);
		const decision: Decision = { record, at: Date.parse(record.endedAt), attempts: record.attempt };
		if (scheduledAt !== undefined && Number.isFinite(scheduledAt)) {
			decision.scheduledAt = scheduledAt;
			if (job.schedule) {
				withShift(decision, job.schedule, scheduledAt);
			}
		}
		if (record.status === 'missed') {
			decision.missed = missedWhy(record, records, catchUp, deadlineMs);
		}
		seen.set(record.runId, decision);
		decisions.push(decision);
	}
	return decisions;
}

function withShift<T extends { dst?: DstShift }>(target: T, schedule: NonNullable<JobDefinition['schedule']>, at: number): T {
	const shift = safeShift(schedule, at);
	if (shift) {
		target.dst = shift;
	}
	return target;
}

/** A schedule that no longer compiles (a definition changed since) has no shift to tell. */
function safeShift(schedule: NonNullable<JobDefinition['schedule']>, at: number): DstShift | undefined {
	try {
		return dstShift(schedule, at);
	} catch {
		return undefined;
	}
}

/**
 * Why a miss was not caught up. The scheduler records a miss when it sees fire times that passed
 * (`endedAt` is then, `scheduledAt` the newest of them); with catch-up `once` it runs the newest
 * time that is still within the deadline and records the older ones as missed.
 */
function missedWhy(missed: RunRecord, records: readonly RunRecord[], catchUp: CatchUpPolicy, deadlineMs: number): MissedWhy {
	if (catchUp === 'none') {
		return 'catch-up-off';
	}
	const seenAt = Date.parse(missed.endedAt);
	const missedAt = Date.parse(missed.scheduledAt ?? missed.endedAt);
	const newerRan = records.some((r) => {
		if (r === missed || r.scheduledAt === undefined || (r.trigger !== 'catch-up' && r.trigger !== 'schedule')) {
			return false;
		}
		const scheduled = Date.parse(r.scheduledAt);
		return Date.parse(r.startedAt) >= seenAt && scheduled > missedAt && scheduled <= seenAt;
	});
	if (newerRan) {
		return 'newer-ran';
	}
	return seenAt - missedAt > deadlineMs ? 'deadline' : 'newer-ran';
}
