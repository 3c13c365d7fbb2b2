import type { ActiveRun, JobSnapshot, JobState, RunRecord, RunStatus } from '../core/model';
import { formatDuration } from '../core/base/duration';
import { describeSchedule } from '../core/cron/describeSchedule';

/**
 * What the tree and the status bar show, as pure functions of engine snapshots and the time, so
 * they are unit-tested without VS Code (test/unit/jobPresenter.test.ts). The adapters only turn
 * these plain objects into TreeItems and a StatusBarItem.
 */

/** A tree row, independent of VS Code types. */
export interface ItemPresentation {
	label: string;
	description: string;
	/** Codicon id for `ThemeIcon`, e.g. `sync~spin`. */
	iconId: string;
	/** Theme color id for the icon, e.g. `testing.iconFailed`. */
	colorId?: string;
	/** Matched by menus: `job.<state>.<on|off>.<file|api>`, `run.<status>`, `folder`. */
	contextValue: string;
	/** MarkdownString source (theme icons allowed, no HTML, every value escaped). */
	tooltipMarkdown: string;
}

interface StateLook {
	iconId: string;
	colorId?: string;
	word: string;
}

const stateLooks: Record<JobState | RunStatus, StateLook> = {
	idle: { iconId: 'circle-large-outline', word: 'idle' },
	pending: { iconId: 'watch', colorId: 'charts.yellow', word: 'waiting' },
	queued: { iconId: 'clock', colorId: 'charts.yellow', word: 'queued' },
	running: { iconId: 'sync~spin', colorId: 'charts.blue', word: 'running' },
	completed: { iconId: 'pass', colorId: 'testing.iconPassed', word: 'completed' },
	failed: { iconId: 'error', colorId: 'testing.iconFailed', word: 'failed' },
	canceled: { iconId: 'circle-slash', colorId: 'charts.orange', word: 'canceled' },
	skipped: { iconId: 'debug-step-over', colorId: 'testing.iconSkipped', word: 'skipped' },
	interrupted: { iconId: 'warning', colorId: 'list.warningForeground', word: 'interrupted' },
	missed: { iconId: 'debug-step-over', colorId: 'disabledForeground', word: 'missed' },
	disabled: { iconId: 'circle-slash', colorId: 'disabledForeground', word: 'disabled' },
};

/** Icon, color and word of a job state or run status. */
export function stateLook(state: JobState | RunStatus): StateLook {
	return stateLooks[state] ?? stateLooks.idle;
}

/** True for states in which the job has a run that can be canceled. */
export function isActiveState(state: JobState): boolean {
	return state === 'running' || state === 'queued' || state === 'pending';
}

/** "every 15m", "at 09:00 on weekdays", "after build", or "manual". */
export function scheduleText(job: Pick<JobSnapshot, 'definition'>): string {
	const { schedule, dependsOn } = job.definition;
	if (schedule) {
		return describeSchedule(schedule);
	}
	return dependsOn?.length ? `after ${dependsOn.join(', ')}` : 'manual';
}

/** A tree row for a job. */
export function describeJob(job: JobSnapshot, now: number): ItemPresentation {
	const look = stateLook(job.state);
	const parts: string[] = [];
	if (isActiveState(job.state)) {
		parts.push(look.word);
	} else if (!job.enabled) {
		parts.push('disabled');
	}
	parts.push(scheduleText(job));
	if (job.nextRunAt !== undefined && job.enabled) {
		// Within two minutes the minute alone would not change between fires of a fast schedule.
		parts.push(`next ${formatWhen(job.nextRunAt, now, job.nextRunAt - now < 120_000)}`);
	}
	if (job.lastRun) {
		parts.push(`last ${resultText(job.lastRun)}`);
	}
	return {
		label: job.name,
		description: parts.join(' · '),
		iconId: look.iconId,
		colorId: look.colorId,
		contextValue: `job.${job.state}.${job.enabled ? 'on' : 'off'}.${job.programmatic ? 'api' : 'file'}`,
		tooltipMarkdown: jobTooltip(job, now),
	};
}

/** The job's hover: name, state, schedule, next and last run, command and settings. */
export function jobTooltip(job: JobSnapshot, now: number): string {
	const look = stateLook(job.state);
	const def = job.definition;
	const lines = [`**${escapeMarkdown(job.name)}**${job.name !== job.id ? ` (${escapeMarkdown(job.id)})` : ''}  `, `$(${look.iconId}) ${look.word}${job.enabled ? '' : ' (disabled)'}`, ''];
	const field = (name: string, value: string) => lines.push(`**${name}:** ${value}  `);
	field('Schedule', escapeMarkdown(scheduleText(job)));
	if (job.nextRunAt !== undefined && job.enabled) {
		field('Next run', escapeMarkdown(`${formatWhen(job.nextRunAt, now)} (${relative(job.nextRunAt, now)})`));
	}
	for (const run of job.active) {
		field(`Run ${escapeMarkdown(run.runId)}`, escapeMarkdown(activeText(run, now)));
	}
	if (job.lastRun) {
		const r = job.lastRun;
		field('Last run', escapeMarkdown(`${resultText(r)}, ended ${formatWhen(Date.parse(r.endedAt), now)} (${r.trigger})`));
		if (r.message && r.status !== 'completed') {
			field('Reason', escapeMarkdown(r.message));
		}
	}
	if (def.dependsOn?.length) {
		field('Depends on', escapeMarkdown(def.dependsOn.join(', ')));
	}
	if (def.timeoutMs) {
		field('Timeout', escapeMarkdown(formatDuration(def.timeoutMs)));
	}
	if (def.retry && def.retry.retries > 0) {
		field('Retry', escapeMarkdown(`${def.retry.retries} × ${def.retry.backoff}, from ${formatDuration(def.retry.delayMs)}`));
	}
	if (def.overlap && def.overlap !== 'skip') {
		field('Overlap', escapeMarkdown(def.overlap));
	}
	if (job.programmatic) {
		field('Defined by', 'an extension (API)');
	}
	if (def.command !== undefined) {
		lines.push('', codeBlock(def.command));
	}
	return lines.join('\n');
}

/** A tree row for a finished attempt under its job. */
export function describeRun(record: RunRecord, now: number): ItemPresentation {
	const look = stateLook(record.status);
	const started = Date.parse(record.startedAt);
	const details = [resultText(record), record.trigger];
	if (record.attempt > 1) {
		details.push(`attempt ${record.attempt}`);
	}
	const lines = [
		`**Run ${escapeMarkdown(record.runId)}**${record.attempt > 1 ? ` attempt ${record.attempt}` : ''}  `,
		`$(${look.iconId}) ${escapeMarkdown(resultText(record))}`,
		'',
		`**Started:** ${escapeMarkdown(formatWhen(started, now, true))}  `,
		`**Trigger:** ${escapeMarkdown(record.trigger)}  `,
	];
	if (record.message && record.status !== 'completed') {
		lines.push(`**Reason:** ${escapeMarkdown(record.message)}  `);
	}
	return {
		label: formatWhen(started, now, true),
		description: details.join(' · '),
		iconId: look.iconId,
		colorId: look.colorId,
		contextValue: `run.${record.status}${record.logFile ? '.log' : ''}`,
		tooltipMarkdown: lines.join('\n'),
	};
}

/** A tree row for a run that has not finished. */
export function describeActiveRun(run: ActiveRun, now: number): ItemPresentation {
	const look = stateLook(run.state);
	return {
		label: run.startedAt ? formatWhen(Date.parse(run.startedAt), now, true) : 'now',
		description: activeText(run, now),
		iconId: look.iconId,
		colorId: look.colorId,
		contextValue: `run.${run.state}${run.logFile ? '.log' : ''}`,
		tooltipMarkdown: `**Run ${escapeMarkdown(run.runId)}**\n\n$(${look.iconId}) ${escapeMarkdown(activeText(run, now))}`,
	};
}

/** "failed (exit 3) 1.2s", "completed 850ms", "skipped (dependency-failed)". */
export function resultText(r: RunRecord): string {
	const reason =
		r.status === 'completed'
			? ''
			: r.reason === 'exit-code' && r.exitCode !== null
				? ` (exit ${r.exitCode})`
				: r.reason && r.reason !== r.status
					? ` (${r.reason})`
					: '';
	const duration = r.status === 'skipped' || r.status === 'missed' ? '' : ` ${formatDuration(r.durationMs)}`;
	return `${stateLook(r.status).word}${reason}${duration}`;
}

function activeText(run: ActiveRun, now: number): string {
	const look = stateLook(run.state);
	const since = run.startedAt ? ` for ${formatDuration(Math.max(0, now - Date.parse(run.startedAt)))}` : '';
	return `${look.word}${run.state === 'running' ? since : ''}${run.attempt > 1 ? `, attempt ${run.attempt}` : ''} (${run.trigger})`;
}

/** Status bar input: counts over every folder. */
export interface StatusInput {
	running: number;
	queued: number;
	/** Failed runs since the user last looked at the Jobs view. */
	failures: number;
	paused: boolean;
	trusted: boolean;
	needsApproval: boolean;
	nextDue?: { name: string; at: number };
}

export interface StatusPresentation {
	text: string;
	tooltip: string;
	/** Show the error background (failures since the last look). */
	error: boolean;
}

/** The status bar item: a spinner and count while anything runs, failures in the error color. */
export function describeStatus(input: StatusInput, now: number): StatusPresentation {
	let text: string;
	if (input.running > 0) {
		text = `$(sync~spin) ${input.running} running${input.queued ? `, ${input.queued} queued` : ''}`;
	} else if (input.queued > 0) {
		text = `$(clock) ${input.queued} queued`;
	} else if (input.paused) {
		text = '$(debug-pause) Jobs paused';
	} else {
		text = '$(clock) Jobs';
	}
	if (input.failures > 0) {
		text += ` $(error) ${input.failures}`;
	}
	const lines = ['Workspace Jobs'];
	if (!input.trusted) {
		lines.push('Restricted Mode: jobs do not run until you trust this workspace');
	} else if (input.needsApproval) {
		lines.push('Jobs wait for your approval of the commands in .jobs.json');
	}
	lines.push(input.running || input.queued ? `${input.running} running, ${input.queued} queued` : 'Nothing running');
	if (input.paused) {
		lines.push('Scheduler paused');
	}
	if (input.nextDue) {
		lines.push(`Next: ${input.nextDue.name} at ${formatWhen(input.nextDue.at, now)} (${relative(input.nextDue.at, now)})`);
	}
	if (input.failures > 0) {
		lines.push(`${input.failures} failed run${input.failures === 1 ? '' : 's'} since you last looked`);
	}
	lines.push('Click to open the Jobs view');
	return { text, tooltip: lines.join('\n'), error: input.failures > 0 };
}

/**
 * A time for people: "14:05" today, "Mon 14:05" this week, "2025-03-01 14:05" otherwise, in the
 * local zone. `seconds` adds seconds (for runs, which often start within the same minute).
 */
export function formatWhen(at: number, now: number, seconds = false): string {
	const d = new Date(at);
	const n = new Date(now);
	const pad = (v: number) => String(v).padStart(2, '0');
	const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
	const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
	if (sameDay) {
		return time;
	}
	if (Math.abs(at - now) < 6 * 86_400_000) {
		return `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()]} ${time}`;
	}
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** "in 5m", "3m ago", "now". */
export function relative(at: number, now: number): string {
	const delta = at - now;
	if (Math.abs(delta) < 1000) {
		return 'now';
	}
	return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** Escapes text for a MarkdownString with theme icons on: nothing in a job's name or output may become markup. */
export function escapeMarkdown(text: string): string {
	return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$&]/g, '\\$&').replace(/\r?\n/g, ' ');
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function codeBlock(code: string, language = 'sh'): string {
	const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
	const fence = '`'.repeat(Math.max(3, longest + 1));
	return `${fence}${language}\n${code}\n${fence}`;
}
