import { formatElapsed, formatWhen } from '../core/base/timeFormat';
import type { RunRecord } from '../core/model';
import type { NotificationMode } from './settings';

/**
 * What a finished run tells the user, free of VS Code so it is unit-tested
 * (test/unit/extension/runNotice.test.ts). Notifications speak of runs, not attempts: an attempt
 * that will be retried says nothing; a run's last attempt does. Failures in a row of one job are
 * one story ("Lint failed 3 times since 21:36"), counted until the job passes again.
 */

/** Consecutive failed runs of one job. */
export interface FailureStreak {
	count: number;
	/** When the first of them ended (epoch ms). */
	since: number;
	/** The newest of them: what "Show Log" opens. */
	last: RunRecord;
}

/** The notification settings and the window's state as the decision needs them. */
export interface NoticeSettings {
	mode: NotificationMode;
	/** `workspaceJobs.notifyOnlyWhenUnfocused`. */
	onlyWhenUnfocused: boolean;
	/** `vscode.window.state.focused`. */
	focused: boolean;
}

export interface RunNotice {
	severity: 'error' | 'info';
	text: string;
}

/** True for a run's last attempt that ended as a failure the user should hear of. */
export function isFailure(record: RunRecord): boolean {
	return record.status === 'failed' || record.status === 'interrupted';
}

/** Keeps each job's failure streak: a failure extends it, a completed run ends it. Attempts that will be retried do not count. */
export class FailureStreaks {
	private readonly streaks = new Map<string, FailureStreak>();

	/** Takes a finished record of `key`'s job; returns the streak after it (undefined when none). */
	record(key: string, record: RunRecord): FailureStreak | undefined {
		if (record.willRetry) {
			return this.streaks.get(key);
		}
		if (record.status === 'completed') {
			this.streaks.delete(key);
			return undefined;
		}
		if (!isFailure(record)) {
			return this.streaks.get(key);
		}
		const previous = this.streaks.get(key);
		const streak = { count: (previous?.count ?? 0) + 1, since: previous?.since ?? Date.parse(record.endedAt), last: record };
		this.streaks.set(key, streak);
		return streak;
	}

	get(key: string): FailureStreak | undefined {
		return this.streaks.get(key);
	}
}

/**
 * The notification for a run's last attempt, or undefined for none: `never`, an attempt that is
 * retried, a completed run unless `always`, anything else than a failure or completion, and a
 * focused window when only unfocused ones are asked for.
 */
export function runNotice(name: string, record: RunRecord, streak: FailureStreak | undefined, settings: NoticeSettings, now: number, zone?: string): RunNotice | undefined {
	if (settings.mode === 'never' || record.willRetry || (settings.onlyWhenUnfocused && settings.focused)) {
		return undefined;
	}
	if (isFailure(record)) {
		const detail = failureDetail(record);
		if (streak && streak.count > 1) {
			return { severity: 'error', text: `${name} failed ${streak.count} times since ${formatWhen(streak.since, now, { zone })} (last: ${detail})` };
		}
		return { severity: 'error', text: `${name} ${record.status}: ${detail}` };
	}
	if (record.status === 'completed' && settings.mode === 'always') {
		const attempts = record.attempt > 1 ? ` on attempt ${record.attempt}` : '';
		return { severity: 'info', text: `${name} completed in ${formatElapsed(record.durationMs)}${attempts}` };
	}
	return undefined;
}

/** "exit 1 after 1.2 s, on attempt 3"; the engine's message when the reason is not an exit code or a signal (it says its own time: "timed out after 3 s"). */
function failureDetail(record: RunRecord): string {
	let why: string;
	if (record.reason === 'exit-code' && record.exitCode !== null) {
		why = `exit ${record.exitCode} after ${formatElapsed(record.durationMs)}`;
	} else if (record.reason === 'signal' && record.signal) {
		why = `killed by ${record.signal} after ${formatElapsed(record.durationMs)}`;
	} else {
		why = record.message ?? record.reason ?? 'no reason given';
	}
	return record.attempt > 1 ? `${why}, on attempt ${record.attempt}` : why;
}
