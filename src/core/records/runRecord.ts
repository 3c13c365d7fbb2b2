import { isoTime } from '../base/isoTime';
import type { ActiveRun, RunReason, RunRecord, RunStatus } from '../model';

/** Which run and attempt a record is of, and what started it. */
export type RunIdentity = Pick<ActiveRun, 'jobId' | 'runId' | 'attempt' | 'trigger' | 'scheduledAt'>;

/** What an attempt carries besides its status. */
export interface AttemptOutcome {
	status: RunStatus;
	reason?: RunReason;
	message?: string;
	exitCode: number | null;
	signal?: string | null;
	logFile?: string;
	escaped?: number[];
	/** The log file misses output (see `RunRecord.outputTruncated`). */
	outputTruncated?: boolean;
}

/**
 * The one way to make a run record: finished attempts, skips, misses and recovered interrupted
 * runs alike. Fields that do not apply are left out, not set to `undefined`, so history lines stay
 * short and `JSON.stringify` gives the same text for the same record.
 */
export function buildRecord(run: RunIdentity, outcome: AttemptOutcome, startedAt: number, endedAt: number): RunRecord {
	const record: RunRecord = {
		jobId: run.jobId,
		runId: run.runId,
		attempt: run.attempt,
		status: outcome.status,
		exitCode: outcome.exitCode,
		startedAt: isoTime(startedAt),
		endedAt: isoTime(endedAt),
		durationMs: Math.max(0, endedAt - startedAt),
		trigger: run.trigger,
	};
	if (outcome.reason) {
		record.reason = outcome.reason;
	}
	if (outcome.message && outcome.status !== 'completed') {
		record.message = outcome.message;
	}
	if (outcome.signal) {
		record.signal = outcome.signal;
	}
	if (run.scheduledAt) {
		record.scheduledAt = run.scheduledAt;
	}
	if (outcome.logFile) {
		record.logFile = outcome.logFile;
	}
	if (outcome.escaped) {
		record.escaped = outcome.escaped;
	}
	if (outcome.outputTruncated) {
		record.outputTruncated = true;
	}
	return record;
}

/** The key of one attempt of one run, as history, the journal and recovery match them. */
export function runKey(run: { runId: string; attempt: number }): string {
	return `${run.runId}#${run.attempt}`;
}
