import type { HistoryStore } from '../records/history';
import { findEscapedRunProcesses } from '../process/leftovers';
import type { RunRecord } from '../model';
import { type InFlightRun, takeDeadJournals } from '../records/runJournal';
import type { ProblemSink } from '../records/fileProblems';
import { buildRecord, runKey } from '../records/runRecord';
import type { Clock } from '../base/clock';
import type { Logger } from '../base/logger';
import type { JobStates } from '../dispatch/jobStates';
import { killEscaped } from '../process/escapeTracker';
import type { RunStore } from '../records/runStore';
import type { Scheduling } from './scheduling';

/** What recovery needs from the engine being built. */
export interface RecoveryContext {
	readonly stateDir: string | undefined;
	readonly store: RunStore;
	readonly clock: Clock;
	readonly logger: Logger;
	readonly states: JobStates;
	readonly scheduling: Pick<Scheduling, 'markFired'>;
	readonly killGraceMs: number;
}

/**
 * What an engine does before anything runs: turns the runs of dead processes into `interrupted`
 * records (killing their escaped processes), then shows each job's last result from the tail of
 * history. Both count the instants those runs were scheduled for as fired.
 */
export function recover(ctx: RecoveryContext): void {
	recoverInterrupted(ctx);
	restoreLastRuns(ctx);
}

function recoverInterrupted(ctx: RecoveryContext): void {
	const history = ctx.store.history;
	if (!ctx.stateDir || !history) {
		return;
	}
	const { orphans, records } = recoverInterruptedRuns(ctx.stateDir, history, ctx.clock.now(), ctx.store.problems);
	ctx.scheduling.markFired(orphans);
	if (records.length === 0) {
		return;
	}
	ctx.store.appendNow(records);
	for (const record of records) {
		ctx.states.ensure(record.jobId).lastRun = record;
		ctx.logger.warn(`Run ${record.runId} was interrupted (the process running it ended during it)`, { jobId: record.jobId });
		if (record.escaped) {
			// Escaped the job's group, so the dead host's watchdog could not kill them.
			ctx.logger.warn(`Processes of the interrupted run escaped its process group and are killed now: ${record.escaped.join(', ')}`, {
				jobId: record.jobId,
				runId: record.runId,
			});
			void killEscaped(record.escaped, ctx.killGraceMs);
		}
	}
}

/** Shows each job's last result after a restart: one backward read of the history's tail. */
function restoreLastRuns(ctx: RecoveryContext): void {
	const records = ctx.store.history?.read({ limit: 1000 }) ?? [];
	ctx.scheduling.markFired(records);
	for (const record of records) {
		if (record.status !== 'missed' && !record.willRetry) {
			const rt = ctx.states.ensure(record.jobId);
			if (!rt.lastRun || rt.lastRun.endedAt <= record.endedAt) {
				rt.lastRun = record;
			}
		}
	}
}

function validTime(t: number, fallback: number): number {
	return Number.isFinite(t) ? t : fallback;
}

/**
 * What a dead process left behind: every run it had journaled as started (`orphans`, whose
 * scheduled instants count as fired), and an `interrupted` record for each that has no final
 * record in history yet.
 */
export function recoverInterruptedRuns(stateDir: string, history: HistoryStore, now: number, problems?: ProblemSink): { orphans: InFlightRun[]; records: RunRecord[] } {
	const orphans = takeDeadJournals(stateDir, problems);
	if (orphans.length === 0) {
		return { orphans, records: [] };
	}
	const unrecorded = withoutRecorded(orphans, history);
	const leftovers = findEscapedRunProcesses('WORKSPACE_JOBS_RUN_ID', new Set(unrecorded.map((o) => o.runId)));
	const records = unrecorded.map((o) =>
		buildRecord(
			o,
			{
				status: 'interrupted',
				reason: 'interrupted',
				message: 'the process running the scheduler ended while this run was in progress',
				exitCode: null,
				logFile: o.logFile,
				escaped: leftovers.get(o.runId),
			},
			validTime(Date.parse(o.startedAt), now),
			now,
		),
	);
	return { orphans, records };
}

/** Drops runs whose final record made it to history just before the host died (before the journal's end line). */
function withoutRecorded(orphans: InFlightRun[], history: HistoryStore): InFlightRun[] {
	const since = Math.min(...orphans.map((o) => Date.parse(o.startedAt)));
	let recorded: Set<string>;
	try {
		const records = history.read(Number.isFinite(since) ? { since: new Date(since).toISOString() } : {});
		recorded = new Set(records.map(runKey));
	} catch {
		return orphans;
	}
	return orphans.filter((o) => !recorded.has(runKey(o)));
}
