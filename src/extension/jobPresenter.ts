import { formatElapsed, formatRelative, formatWhen, formatZoned } from '../core/base/timeFormat';
import { describeSchedule } from '../core/cron/describeSchedule';
import { maxAttempts } from '../core/dispatch/backoff';
import type { ActiveRun, JobSnapshot, JobState, RunRecord, RunStatus } from '../core/model';

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

/** "every 15m", "at 09:00 on weekdays", "needs build", or "manual". */
export function scheduleText(job: Pick<JobSnapshot, 'definition'>): string {
	const { schedule, dependsOn } = job.definition;
	if (schedule) {
		return describeSchedule(schedule);
	}
	return dependsOn?.length ? `needs ${dependsOn.join(', ')}` : 'manual';
}

/** Marks of a finished result at the start of a short description. */
const resultMarks: Partial<Record<RunStatus, string>> = { completed: '✓', failed: '✗' };

/**
 * A tree row for a job. Its description is short enough for the sidebar at its default width:
 * what it does now or how its last run ended, then when it runs next (`✓ 2 min ago · next 07:30`,
 * `waiting for build`, `running 12 s · attempt 2 of 3`). The schedule in words is in the tooltip.
 * `zone`: the reader's time zone (the machine's when absent; tests pin it).
 */
export function describeJob(job: JobSnapshot, now: number, zone?: string): ItemPresentation {
	const look = stateLook(job.state);
	return {
		label: job.name,
		description: jobDescription(job, now, zone),
		iconId: look.iconId,
		colorId: look.colorId,
		// Waiting for its dependencies, a job has no run of its own yet: nothing to cancel.
		contextValue: `job.${waitsForDependencies(job) ? 'waiting' : job.state}.${job.enabled ? 'on' : 'off'}.${job.programmatic ? 'api' : 'file'}`,
		tooltipMarkdown: jobTooltip(job, now, zone),
	};
}

/** True while a trigger of the job waits for its `dependsOn` jobs and no run of it exists yet. */
function waitsForDependencies(job: JobSnapshot): boolean {
	return job.state === 'pending' && job.active.length === 0 && (job.waitingFor?.length ?? 0) > 0;
}

function jobDescription(job: JobSnapshot, now: number, zone: string | undefined): string {
	const parts: string[] = [];
	const current = job.active.find((run) => run.state === 'running') ?? job.active[0];
	if (waitsForDependencies(job)) {
		parts.push(`waiting for ${job.waitingFor!.join(', ')}`);
	} else if (current) {
		parts.push(activeText(current, job, now));
		if (job.active.some((run) => run.definitionChanged)) {
			parts.push('definition changed');
		}
	} else if (job.lastRun) {
		const r = job.lastRun;
		const mark = resultMarks[r.status];
		parts.push(`${mark ?? stateLook(r.status).word} ${agoText(Date.parse(r.endedAt), now)}`);
	}
	if (!job.enabled) {
		parts.push('disabled');
	} else if (job.nextRunAt !== undefined) {
		// Within two minutes the minute alone would not change between fires of a fast schedule.
		parts.push(`next ${formatWhen(job.nextRunAt, now, { zone, seconds: job.nextRunAt - now < 120_000 })}`);
	} else if (job.definition.dependsOn?.length && parts.length === 0) {
		parts.push(scheduleText(job));
	} else if (!job.definition.schedule && parts.length === 0) {
		parts.push('manual');
	}
	return parts.join(' · ');
}

/** "2 min ago", "just now" under a minute (the tree redraws about twice a minute, not every second). */
export function agoText(at: number, now: number): string {
	return now - at < 60_000 ? 'just now' : formatRelative(at, now);
}

/** The job's hover: name, state, schedule, next and last run, command and settings. */
export function jobTooltip(job: JobSnapshot, now: number, zone?: string): string {
	const look = stateLook(job.state);
	const def = job.definition;
	const jobZone = def.schedule?.kind === 'cron' ? def.schedule.timezone : undefined;
	const lines = [`**${escapeMarkdown(job.name)}**${job.name !== job.id ? ` (${escapeMarkdown(job.id)})` : ''}  `, `$(${look.iconId}) ${look.word}${job.enabled ? '' : ' (disabled)'}`, ''];
	const field = (name: string, value: string) => lines.push(`**${name}:** ${escapeMarkdown(value)}  `);
	if (def.schedule) {
		field('Schedule', describeSchedule(def.schedule));
	}
	if (def.dependsOn?.length) {
		field('Needs', `${def.dependsOn.join(', ')} (run first, each time this job runs)`);
	}
	if (!def.schedule && !def.dependsOn?.length) {
		field('Schedule', 'none (runs when you run it)');
	}
	if (job.nextRunAt !== undefined && job.enabled) {
		field('Next run', `${formatZoned(job.nextRunAt, now, { zone, jobZone })} (${formatRelative(job.nextRunAt, now)})`);
	}
	if (waitsForDependencies(job)) {
		field('Waiting for', `${job.waitingFor!.join(', ')} to finish`);
	}
	for (const run of job.active) {
		field('Now', `${activeText(run, job, now)} (${run.trigger})`);
		if (run.definitionChanged) {
			field('Definition', 'changed since this run started; it goes on as it was started, the next run uses the new one');
		}
	}
	if (job.lastRun) {
		const r = job.lastRun;
		const ended = Date.parse(r.endedAt);
		field('Last run', `${resultText(r)}, ${agoText(ended, now)} (${formatWhen(ended, now, { zone, seconds: true })}, ${r.trigger})`);
		if (r.message && r.status !== 'completed') {
			field('Reason', r.message);
		}
	}
	if (def.timeoutMs) {
		field('Timeout', formatElapsed(def.timeoutMs));
	}
	if (def.retry && def.retry.retries > 0) {
		field('Retry', `${def.retry.retries} × ${def.retry.backoff}, from ${formatElapsed(def.retry.delayMs)} (${maxAttempts(def.retry)} attempts in all)`);
	}
	if (def.overlap && def.overlap !== 'skip') {
		field('Overlap', def.overlap);
	}
	if (job.programmatic) {
		field('Defined by', 'an extension (API)');
	}
	if (def.shell) {
		field('Shell', [def.shell.executable, ...def.shell.args].join(' '));
	}
	if (def.command !== undefined) {
		lines.push('', codeBlock(def.command));
	}
	return lines.join('\n');
}

/** "failed (exit 3) after 1.2 s", "completed in 850 ms", "skipped (dependency-failed)". */
export function resultText(r: RunRecord): string {
	const reason =
		r.status === 'completed'
			? ''
			: r.reason === 'exit-code' && r.exitCode !== null
				? ` (exit ${r.exitCode})`
				: r.reason && r.reason !== r.status
					? ` (${r.reason})`
					: '';
	if (r.status === 'skipped' || r.status === 'missed') {
		return `${stateLook(r.status).word}${reason}`;
	}
	return `${stateLook(r.status).word}${reason} ${r.status === 'completed' ? 'in' : 'after'} ${formatElapsed(r.durationMs)}`;
}

/** "running 12 s", "running 4 s · attempt 2 of 3", "queued", "waiting to retry · attempt 2 of 3". */
export function activeText(run: ActiveRun, job: Pick<JobSnapshot, 'definition'>, now: number): string {
	let text: string;
	if (run.state === 'running') {
		text = run.startedAt ? `running ${formatElapsed(roundedSeconds(now - Date.parse(run.startedAt)))}` : 'running';
	} else if (run.state === 'pending' && run.attempt > 1) {
		text = 'waiting to retry';
	} else {
		text = stateLook(run.state).word;
	}
	const attempts = Math.max(maxAttempts(job.definition.retry), run.attempt);
	return run.attempt > 1 ? `${text} · attempt ${run.attempt} of ${attempts}` : text;
}

/** Whole seconds for times that are read once and then age (a redraw every tick would flicker). */
function roundedSeconds(ms: number): number {
	return ms < 1000 ? Math.max(0, ms) : Math.floor(ms / 1000) * 1000;
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
	/** The running jobs, oldest run first: their names and when their attempt started. */
	runningJobs?: Array<{ name: string; startedAt?: number }>;
}

export interface StatusPresentation {
	text: string;
	tooltip: string;
	/** Show the error background (failures since the last look). */
	error: boolean;
	/** Show the warning background (jobs wait for the user's approval). */
	warning: boolean;
	/** A click opens the approval review rather than the Jobs view. */
	opensApproval: boolean;
}

/** Running jobs named in the tooltip; more are counted. */
const namedRunning = 5;

function runningFor(ms: number): string {
	return ms < 1000 ? 'just started' : `for ${formatElapsed(Math.floor(ms / 1000) * 1000)}`;
}

/**
 * The status bar item: what stops jobs from running first (Restricted Mode, approval), then a
 * spinner and count while anything runs, paused, failures in the error color.
 */
export function describeStatus(input: StatusInput, now: number, zone?: string): StatusPresentation {
	const active = input.running > 0 ? `${input.running} running${input.queued ? `, ${input.queued} queued` : ''}` : input.queued > 0 ? `${input.queued} queued` : '';
	const opensApproval = input.trusted && input.needsApproval;
	let text: string;
	if (!input.trusted) {
		text = '$(workspace-untrusted) Jobs: Restricted Mode';
	} else if (opensApproval) {
		text = '$(shield) Jobs need approval';
	} else if (active) {
		text = `${input.running > 0 ? '$(sync~spin)' : '$(clock)'} ${active}${input.paused ? ' · paused' : ''}`;
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
	const runningJobs = input.runningJobs ?? [];
	if (runningJobs.length > 0) {
		const named = runningJobs.slice(0, namedRunning).map((j) => (j.startedAt === undefined ? j.name : `${j.name} (${runningFor(now - j.startedAt)})`));
		const more = runningJobs.length - named.length;
		lines.push(`Running: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
		if (input.queued > 0) {
			lines.push(`${input.queued} queued`);
		}
	} else {
		lines.push(active || 'Nothing running');
	}
	if (input.paused) {
		lines.push('Scheduler paused: only Run Now starts jobs');
	}
	if (input.nextDue && !input.paused) {
		lines.push(`Next: ${input.nextDue.name} at ${formatWhen(input.nextDue.at, now, { zone })} (${formatRelative(input.nextDue.at, now)})`);
	}
	if (input.failures > 0) {
		lines.push(`${input.failures} failed run${input.failures === 1 ? '' : 's'} since you last looked`);
	}
	lines.push(opensApproval ? 'Click to review the jobs and allow them' : 'Click to open the Jobs view');
	return { text, tooltip: lines.join('\n'), error: input.failures > 0, warning: opensApproval && input.failures === 0, opensApproval };
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
