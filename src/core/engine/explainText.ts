/**
 * An explanation (explain.ts) in words: the one renderer of `workspace-jobs explain` and of the
 * extension's "Why Didn't This Run?" document (plain text or Markdown, same sentences), and the
 * few lines the tree's tooltip shows.
 */
import type { DstShift } from '../cron/dstShift';
import { formatElapsed, formatInstant, formatRelative, formatZoned, type InstantOptions, zoneLabel } from '../base/timeFormat';
import type { ActiveRun } from '../model';
import type { Blocker, Decision, Explanation, MissedWhy, NextRun } from './explain';
import type { LeaseInfo } from './lease';

export interface RenderOptions {
	now: number;
	/** Where instants are shown (local by default, or `utc`). */
	time?: InstantOptions;
	/** Markdown (headings, lists, escaped text) instead of plain text. @default false */
	markdown?: boolean;
}

interface Section {
	heading: string;
	items: string[];
}

/** The whole explanation: what holds the job back now, its recent decisions, its next runs. */
export function renderExplanation(ex: Explanation, options: RenderOptions): string {
	const { now } = options;
	const time = options.time ?? {};
	const title = `Why didn't ${ex.name === ex.jobId ? `"${ex.jobId}"` : `"${ex.name}" (${ex.jobId})`} run?`;
	const sections: Section[] = [
		{ heading: 'Now', items: nowLines(ex, now, time) },
		{ heading: 'Schedule', items: scheduleLines(ex) },
		{ heading: 'Recent decisions, newest first', items: ex.decisions.length ? ex.decisions.map((d) => decisionLine(d, ex.startingDeadlineMs, time)) : ['none recorded yet'] },
	];
	if (ex.nextRuns.length) {
		const blocked = ex.blockers.some((b) => b.kind !== 'elsewhere');
		// Fire times under a minute apart would read as the same minute twice: show their seconds.
		const close = ex.nextRuns.some((r, i) => i > 0 && r.at - ex.nextRuns[i - 1].at < 60_000);
		const nextTime = close ? { ...time, seconds: true } : time;
		sections.push({ heading: blocked ? 'Next fire times (if nothing held it back)' : 'Next runs', items: ex.nextRuns.map((r) => nextRunLine(r, ex.zone, now, nextTime)) });
	}
	return options.markdown ? markdownOf(title, sections) : textOf(title, sections);
}

/**
 * At most three short lines for a hover: what holds the job back, the newest decision that was
 * not a plain completed run, and the first DST shift among the next runs.
 */
export function explainSummary(ex: Explanation, now: number, time: InstantOptions = {}): string[] {
	const lines: string[] = [];
	// A manual job's tooltip already says "manual".
	const blocker = ex.blockers.find((b) => b.kind !== 'manual');
	if (blocker) {
		lines.push(blockerText(blocker, time));
	}
	const notable = ex.decisions.slice(0, 5).find((d) => d.record.status !== 'completed' || d.dst);
	if (notable) {
		const when = formatRelative(notable.at, now);
		lines.push(`${capitalize(outcomeText(notable))} ${when === 'now' ? 'just now' : when}${notable.record.message ? `: ${shortMessage(notable, time)}` : ''}${notable.dst ? ` (${shiftText(notable.dst, true)})` : ''}`);
	}
	const shifted = ex.nextRuns.find((r) => r.dst);
	if (shifted?.dst) {
		lines.push(`Next DST shift ${whenText(shifted.at, ex.zone, now, time)}: ${shiftText(shifted.dst, false)}`);
	}
	return lines;
}

function nowLines(ex: Explanation, now: number, time: InstantOptions): string[] {
	const lines = ex.active.map((run) => activeText(run, now, time));
	lines.push(...ex.blockers.map((b) => blockerText(b, time)));
	if (lines.length === 0 || ex.blockers.every((b) => b.kind === 'elsewhere')) {
		const next = ex.nextRuns[0];
		lines.push(next ? `Scheduled: next run ${whenText(next.at, ex.zone, now, time)} (${formatRelative(next.at, now)}).` : 'Nothing holds it back.');
	}
	return lines;
}

function blockerText(b: Blocker, time: InstantOptions): string {
	switch (b.kind) {
		case 'untrusted':
			return 'Nothing runs: this workspace is not trusted (Restricted Mode).';
		case 'unapproved':
			return 'Nothing runs until you approve the commands in .jobs.json.';
		case 'disabled':
			return 'Disabled: its schedule does not fire until it is enabled again.';
		case 'paused':
			return 'The scheduler is paused: scheduled times are skipped until it resumes.';
		case 'stopped':
			return 'The scheduler of this window is not running.';
		case 'nobody':
			return 'Nothing runs this folder\'s schedule now: no VS Code window and no "workspace-jobs start" holds its runner lease.';
		case 'manual':
			return b.dependsOn.length ? `No schedule: it runs when started, after ${b.dependsOn.join(', ')}.` : 'No schedule: it runs only when started (or as a dependency of another job).';
		case 'finished':
			return `Its one fire time, ${formatInstant(b.at, time)}, has passed.`;
		case 'elsewhere':
			return b.holder ? `Scheduled by another process: ${holderText(b.holder)}, since ${formatInstant(Date.parse(b.holder.since), time)}.` : 'Scheduled by another process (it did not say which).';
	}
}

/** "VS Code window (pid 123)"; the pid is added when the holder's own words leave it out. */
export function holderText(holder: LeaseInfo): string {
	return holder.holder.includes(String(holder.pid)) ? holder.holder : `${holder.holder}, pid ${holder.pid}`;
}

function activeText(run: ActiveRun, now: number, time: InstantOptions): string {
	const attempt = run.attempt > 1 ? `, attempt ${run.attempt}` : '';
	if (run.state === 'running' && run.startedAt) {
		const started = Date.parse(run.startedAt);
		return `Running now (run ${run.runId}${attempt}, ${run.trigger}): started ${formatInstant(started, time)}, ${formatElapsed(now - started)} ago.`;
	}
	return `${run.state === 'queued' ? 'Queued for a free slot' : 'Waiting (for a dependency or a retry)'} (run ${run.runId}${attempt}, ${run.trigger}).`;
}

function scheduleLines(ex: Explanation): string[] {
	const lines = [ex.schedule];
	if (ex.nextRuns.length || ex.decisions.some((d) => d.scheduledAt !== undefined)) {
		lines.push(`When a run is due while the previous one still runs: ${ex.overlap}.`);
		lines.push(
			ex.catchUp === 'none'
				? 'Fire times missed while nothing ran are not caught up (catch-up: none).'
				: `The newest fire time missed while nothing ran is caught up if it is less than ${formatElapsed(ex.startingDeadlineMs)} old (catch-up: once).`,
		);
	}
	return lines;
}

function decisionLine(d: Decision, deadlineMs: number, time: InstantOptions): string {
	const r = d.record;
	const parts = [`${formatInstant(d.at, time)} ${outcomeText(d)}`];
	if (r.count && r.count > 1) {
		parts[0] += ` ×${r.count}${r.firstAt ? ` since ${formatInstant(Date.parse(r.firstAt), time)}` : ''}`;
	}
	const cause = causeText(d, deadlineMs, time);
	if (cause) {
		parts.push(cause);
	}
	if (d.scheduledAt !== undefined && r.status !== 'missed') {
		parts.push(`${r.trigger === 'catch-up' ? 'catch-up of the time' : 'scheduled'} ${formatInstant(d.scheduledAt, time)}`);
	} else if (r.trigger !== 'schedule' && r.status !== 'missed') {
		parts.push(triggerText(r.trigger));
	}
	if (d.dst) {
		parts.push(shiftText(d.dst, true));
	}
	return parts.join(' · ');
}

/** "completed in 1.2 s", "failed (exit 2) after 3 attempts", "skipped", "missed". */
function outcomeText(d: Decision): string {
	const r = d.record;
	const attempts = d.attempts > 1 ? ` after ${d.attempts} attempts` : '';
	switch (r.status) {
		case 'completed':
			return `ran: completed in ${formatElapsed(r.durationMs)}${attempts}`;
		case 'failed':
			return `ran: failed${r.reason === 'exit-code' && r.exitCode !== null ? ` (exit ${r.exitCode})` : r.reason ? ` (${r.reason})` : ''}${attempts}`;
		case 'canceled':
			return `canceled${r.reason && r.reason !== 'canceled' ? ` (${r.reason})` : ''}`;
		default:
			return r.status;
	}
}

/** The reason a decision was made, in words. */
function causeText(d: Decision, deadlineMs: number, time: InstantOptions): string | undefined {
	const r = d.record;
	if (r.status === 'skipped') {
		const policy = r.reason === 'overlap' ? ' (overlap: skip)' : '';
		return r.message ? `${shortMessage(d, time)}${policy}` : r.reason;
	}
	if (r.status === 'missed') {
		return `${r.message ? shortMessage(d, time) : 'missed'}; ${missedText(d.missed ?? 'newer-ran', deadlineMs)}`;
	}
	return r.status === 'completed' ? undefined : r.message && shortMessage(d, time);
}

function missedText(why: MissedWhy, deadlineMs: number): string {
	switch (why) {
		case 'catch-up-off':
			return 'not caught up: catch-up is off for this job';
		case 'deadline':
			return `not caught up: older than the starting deadline (${formatElapsed(deadlineMs)}) when the scheduler saw it`;
		case 'newer-ran':
			return 'not caught up: only the newest missed time runs';
	}
}

function triggerText(trigger: string): string {
	return trigger === 'manual' ? 'started by hand' : trigger === 'dependency' ? 'as a dependency' : trigger === 'api' ? 'started by an extension' : trigger;
}

/** A record's message with its ISO instants shown like every other time. */
function shortMessage(d: Decision, time: InstantOptions): string {
	return (d.record.message ?? '').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, (iso) => formatInstant(Date.parse(iso), time));
}

/** A fire time: `Wed 02:30 New York · 08:30 here (in 9 h 54 min)` locally, the full instant in UTC. */
function nextRunLine(r: NextRun, zone: string | undefined, now: number, time: InstantOptions & { seconds?: boolean }): string {
	const parts = [`${whenText(r.at, zone, now, time)} (${formatRelative(r.at, now)})`];
	if (r.dst) {
		parts.push(shiftText(r.dst, false));
	}
	return parts.join(' · ');
}

function whenText(at: number, zone: string | undefined, now: number, time: InstantOptions & { seconds?: boolean }): string {
	return time.utc ? formatInstant(at, time) : formatZoned(at, now, { zone: time.zone, jobZone: zone, seconds: time.seconds });
}

/** A DST shift in words; `past` for runs that happened. */
export function shiftText(s: DstShift, past: boolean): string {
	const zone = zoneLabel(s.zone);
	switch (s.kind) {
		case 'moved':
			return `DST: ${s.nominal} does not exist in ${zone} that day (clocks go forward), so it ${past ? 'ran' : 'runs'} at ${s.actual}`;
		case 'skipped':
			return `DST: ${s.from}–${s.to} does not exist in ${zone} that day (clocks go forward); ${s.count} time${s.count === 1 ? '' : 's'} in it ${past ? 'were' : 'are'} skipped`;
		case 'repeated':
			if (s.fixedTime) {
				return `DST: ${s.wall} happens twice in ${zone} that day (clocks go back); it ${past ? 'ran' : 'runs'} at the first only`;
			}
			return `DST: the ${s.occurrence === 1 ? 'first' : 'second'} ${s.wall} in ${zone} (clocks go back; it ${past ? 'ran' : 'runs'} in both)`;
	}
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

function textOf(title: string, sections: Section[]): string {
	const out = [title];
	for (const s of sections) {
		out.push('', `${s.heading}:`, ...s.items.map((item) => `  ${item}`));
	}
	return `${out.join('\n')}\n`;
}

function markdownOf(title: string, sections: Section[]): string {
	const out = [`# ${escape(title)}`];
	for (const s of sections) {
		out.push('', `## ${escape(s.heading)}`, '', ...s.items.map((item) => `- ${escape(item)}`));
	}
	return `${out.join('\n')}\n`;
}

/**
 * Markdown's inline specials in user text (job names, messages) escaped, newlines flattened. Every
 * item follows `- ` or `# `, so the characters that matter only at a line's start (`-`, `+`, `1.`) cannot.
 */
function escape(text: string): string {
	return text.replace(/[\\`*_{}[\]<>|~#!&]/g, '\\$&').replace(/\r?\n/g, ' ');
}
