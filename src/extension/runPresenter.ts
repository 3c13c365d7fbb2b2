import { formatElapsed, formatWhen } from '../core/base/timeFormat';
import { maxAttempts } from '../core/dispatch/backoff';
import type { ActiveRun, JobSnapshot, RunRecord } from '../core/model';
import { activeText, escapeMarkdown, type ItemPresentation, resultText, stateLook } from './jobPresenter';

/**
 * Runs, not attempts: a run is one trigger of a job with 1..N attempts (records share its `runId`,
 * `attempt` counts from 1). The tree shows one row per run, with its attempts nested under it
 * when there were several ("passed on attempt 2 of 3"), the way a test explorer shows a retried
 * test: a green run is not listed as a red row per failed attempt. Pure, so it is unit-tested
 * without VS Code (test/unit/extension/runPresenter.test.ts).
 */

/** One run of a job: its finished attempts, oldest first, and the attempt in flight if any. */
export interface RunGroup {
	runId: string;
	attempts: RunRecord[];
	active?: ActiveRun;
}

/**
 * Groups history records (oldest first, as `readHistory` returns them) and unfinished runs into
 * runs, newest first, at most `limit`. `truncated`: the records are the newest of more, so the
 * oldest run may have lost its first attempts to the cut; such a run is left out rather than shown
 * as if it started at attempt 2.
 */
export function groupRuns(records: readonly RunRecord[], active: readonly ActiveRun[], limit: number, truncated: boolean): RunGroup[] {
	const groups = new Map<string, RunGroup>();
	for (const run of active) {
		groups.set(run.runId, { runId: run.runId, attempts: [], active: run });
	}
	for (let i = records.length - 1; i >= 0; i--) {
		const record = records[i];
		let group = groups.get(record.runId);
		if (!group) {
			group = { runId: record.runId, attempts: [] };
			groups.set(record.runId, group);
		}
		group.attempts.unshift(record);
	}
	const list = [...groups.values()];
	const oldest = list[list.length - 1];
	if (truncated && oldest && !oldest.active && oldest.attempts[0].attempt > 1) {
		list.pop();
	}
	for (const group of list) {
		group.attempts.sort((a, b) => a.attempt - b.attempt);
	}
	return list.slice(0, limit);
}

/** How many attempts the run may have: the job's retries + 1, or more if it already had more (the definition changed). */
function attemptsAllowed(group: RunGroup, job: Pick<JobSnapshot, 'definition'>): number {
	const seen = Math.max(group.active?.attempt ?? 0, ...group.attempts.map((r) => r.attempt));
	return Math.max(maxAttempts(job.definition.retry), seen);
}

/** The record that says how the run ended (its last attempt), when it has ended. */
export function finalAttempt(group: RunGroup): RunRecord | undefined {
	return group.active ? undefined : group.attempts[group.attempts.length - 1];
}

/** True when the run gets rows of its own attempts under it. */
export function hasAttemptRows(group: RunGroup): boolean {
	return group.attempts.length + (group.active ? 1 : 0) > 1;
}

/** "passed on attempt 2 of 3", "failed all 3 attempts", "completed in 1.2 s", "running 4 s · attempt 2 of 3". */
export function runOutcome(group: RunGroup, job: Pick<JobSnapshot, 'definition'>, now: number): string {
	if (group.active) {
		return activeText(group.active, job, now);
	}
	const last = finalAttempt(group)!;
	if (group.attempts.length <= 1 && last.attempt === 1) {
		return resultText(last);
	}
	const allowed = attemptsAllowed(group, job);
	if (last.status === 'completed') {
		return `passed on attempt ${last.attempt} of ${allowed}`;
	}
	if (last.status === 'failed' && last.attempt === allowed) {
		return `failed all ${allowed} attempts (last: ${resultText(last)})`;
	}
	return `${resultText(last)} on attempt ${last.attempt} of ${allowed}`;
}

/** A tree row for a run: when it started, how it ended (or where it is), what started it. */
export function describeRunGroup(group: RunGroup, job: Pick<JobSnapshot, 'definition'>, now: number, zone?: string): ItemPresentation {
	const first = group.attempts[0];
	const startIso = first?.startedAt ?? group.active?.startedAt;
	const started = startIso ? Date.parse(startIso) : undefined;
	const status = group.active ? group.active.state : finalAttempt(group)!.status;
	const look = stateLook(status);
	const trigger = group.active?.trigger ?? first.trigger;
	const outcome = runOutcome(group, job, now);
	const lines = [`**Run ${escapeMarkdown(group.runId)}**  `, `$(${look.iconId}) ${escapeMarkdown(outcome)}`, ''];
	if (started !== undefined) {
		lines.push(`**Started:** ${escapeMarkdown(formatWhen(started, now, { zone, seconds: true }))}  `);
	}
	lines.push(`**Trigger:** ${escapeMarkdown(trigger)}  `);
	const last = finalAttempt(group);
	if (last && group.attempts.length > 1) {
		const total = Date.parse(last.endedAt) - Date.parse(first.startedAt);
		lines.push(`**Took:** ${escapeMarkdown(formatElapsed(total))} over ${group.attempts.length} attempts, retry delays included  `);
	}
	if (last?.message && last.status !== 'completed') {
		lines.push(`**Reason:** ${escapeMarkdown(last.message)}  `);
	}
	if (group.active?.definitionChanged) {
		lines.push('**Definition:** changed since this run started; it goes on as it was started  ');
	}
	const logFile = group.active?.logFile ?? last?.logFile;
	return {
		label: started !== undefined ? formatWhen(started, now, { zone, seconds: true }) : 'now',
		description: group.active || hasAttemptRows(group) ? outcome : `${outcome} · ${trigger}`,
		iconId: look.iconId,
		colorId: look.colorId,
		contextValue: `run.${status}${logFile ? '.log' : ''}`,
		tooltipMarkdown: lines.join('\n'),
	};
}

/**
 * An attempt's result in few words, for a row two levels deep in a narrow side bar (the icon says
 * passed or failed; the start time is in the tooltip): `exit 1 after 1.2 s`, `passed in 850 ms`.
 */
export function attemptText(record: RunRecord): string {
	if (record.status === 'completed') {
		return `passed in ${formatElapsed(record.durationMs)}`;
	}
	if (record.status === 'failed' && record.reason === 'exit-code' && record.exitCode !== null) {
		return `exit ${record.exitCode} after ${formatElapsed(record.durationMs)}`;
	}
	return resultText(record);
}

/** A row for one attempt under its run: `attempt 1`, `exit 1 after 1.2 s`. */
export function describeAttempt(record: RunRecord, now: number, zone?: string): ItemPresentation {
	const look = stateLook(record.status);
	const started = Date.parse(record.startedAt);
	const when = formatWhen(started, now, { zone, seconds: true });
	const lines = [`**Attempt ${record.attempt}** of run ${escapeMarkdown(record.runId)}  `, `$(${look.iconId}) ${escapeMarkdown(resultText(record))}`, '', `**Started:** ${escapeMarkdown(when)}  `];
	if (record.message && record.status !== 'completed') {
		lines.push(`**Reason:** ${escapeMarkdown(record.message)}  `);
	}
	if (record.willRetry) {
		lines.push('Retried after this attempt.');
	}
	return {
		label: `attempt ${record.attempt}`,
		description: attemptText(record),
		iconId: look.iconId,
		colorId: look.colorId,
		contextValue: `run.${record.status}${record.logFile ? '.log' : ''}`,
		tooltipMarkdown: lines.join('\n'),
	};
}

/** A row for the attempt in flight under its run (when earlier attempts are listed beside it). */
export function describeActiveAttempt(run: ActiveRun, job: Pick<JobSnapshot, 'definition'>, now: number): ItemPresentation {
	const look = stateLook(run.state);
	const text = activeText(run, job, now);
	return {
		label: `attempt ${run.attempt}`,
		description: text.replace(/ · attempt \d+ of \d+$/, ''),
		iconId: look.iconId,
		colorId: look.colorId,
		contextValue: `run.${run.state}${run.logFile ? '.log' : ''}`,
		tooltipMarkdown: `**Attempt ${run.attempt}** of run ${escapeMarkdown(run.runId)}\n\n$(${look.iconId}) ${escapeMarkdown(text)}`,
	};
}
