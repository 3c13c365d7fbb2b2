import { stripVTControlCharacters } from 'node:util';
import { formatElapsed, formatInstant } from '../core/base/timeFormat';
import type { RunRecord, Trigger } from '../core/model';

/**
 * The text of a run's log document (runLogDocument.ts): a title, a header (command, cwd,
 * trigger, start), the output without terminal escape codes, and a footer (how it ended, how
 * long it took). Pure, so it is tested without VS Code.
 */

/** What the document shows about one attempt. */
export interface RunLogInput {
	jobId: string;
	jobName: string;
	runId: string;
	attempt: number;
	/** Attempts the job's retry policy allows (1 without retries). */
	attempts: number;
	trigger: Trigger;
	/** The instant it was due (ISO), for scheduled and caught-up runs. */
	scheduledAt?: string;
	/** Epoch ms the attempt started; undefined while it waits. */
	startedAt?: number;
	/** The command text, when the job is a shell command. */
	command?: string;
	cwd?: string;
	/** Milliseconds before the run is killed. */
	timeoutMs?: number;
	/** True when command, cwd and timeout are today's definition, not the one the run started with (a run of an earlier session). */
	definitionIsCurrent: boolean;
	/** The run's output file, when it has one. */
	logFile?: string;
	/** The finished attempt; undefined while it runs. */
	record?: RunRecord;
	/** While unfinished: waiting or running. */
	state?: 'pending' | 'queued' | 'running';
}

const rule = '─'.repeat(60);

/** `Unit tests · 21:36:37 · attempt 2`: the date joins the time when the run is not from today; the attempt shows when there can be more than one. */
export function runLogTitle(input: RunLogInput, now: number): string {
	const parts = [input.jobName];
	if (input.startedAt !== undefined) {
		const sameDay = formatInstant(input.startedAt).slice(0, 10) === formatInstant(now).slice(0, 10);
		parts.push(formatInstant(input.startedAt, { date: !sameDay }));
	}
	if (input.attempt > 1 || input.attempts > 1) {
		parts.push(`attempt ${input.attempt}`);
	}
	// A tab title is a path's last segment: no slash may split it.
	return parts.join(' · ').replace(/[/\\]/g, '∕');
}

/** The lines above the output. */
export function runLogHeader(input: RunLogInput): string[] {
	const name = input.jobName === input.jobId ? input.jobName : `${input.jobName} (${input.jobId})`;
	const attempt = input.attempts > 1 ? ` · attempt ${input.attempt} of ${input.attempts}` : '';
	const now = input.definitionIsCurrent ? ' (as defined now)' : '';
	const lines = [`${name} · run ${input.runId}${attempt}`];
	if (input.command !== undefined) {
		const [first, ...rest] = input.command.split(/\r?\n/);
		lines.push(field('Command', `${first}${rest.length === 0 ? now : ''}`), ...rest.map((line, i) => `${' '.repeat(11)}${line}${i === rest.length - 1 ? now : ''}`));
	}
	if (input.cwd !== undefined) {
		lines.push(field('Cwd', input.cwd));
	}
	lines.push(field('Trigger', triggerText(input)));
	lines.push(field('Started', input.startedAt === undefined ? `not yet (${input.state ?? 'pending'})` : formatInstant(input.startedAt)));
	if (input.logFile) {
		lines.push(field('Log file', input.logFile));
	}
	lines.push(rule);
	return lines;
}

/** The lines below the output: how the attempt ended, or that it is still going. */
export function runLogFooter(input: RunLogInput, now: number): string[] {
	const r = input.record;
	if (!r) {
		const since = input.startedAt === undefined ? '' : ` for ${formatElapsed(now - input.startedAt)}`;
		return [rule, input.state === 'running' || input.startedAt !== undefined ? `▶ Running${since}; the output follows live.` : `… Waiting (${input.state ?? 'pending'}).`];
	}
	const lines = [rule, `${outcomeText(r, input.timeoutMs)} · took ${formatElapsed(r.durationMs)} · ended ${formatInstant(Date.parse(r.endedAt))}`];
	if (r.willRetry) {
		lines.push(`Attempt ${r.attempt + 1} of ${input.attempts} follows.`);
	}
	if (r.outputTruncated) {
		lines.push('The log file misses part of the output: it could not be written in full (the Workspace Jobs log says why).');
	}
	if (r.escaped?.length) {
		lines.push(`Processes that left the job's process group were killed: ${r.escaped.join(', ')}.`);
	}
	return lines;
}

/** The whole document. */
export function runLogText(input: RunLogInput, output: string, now: number): string {
	const body = cleanOutput(output);
	const shown = body.length > 0 ? (body.endsWith('\n') ? body : `${body}\n`) : input.record ? '(no output)\n' : '';
	return `${runLogHeader(input).join('\n')}\n${shown}${runLogFooter(input, now).join('\n')}\n`;
}

/**
 * Output as an editor shows it: terminal escape codes removed (colours, cursor moves, OSC links:
 * Node's `stripVTControlCharacters`, the ansi-regex pattern), a line redrawn with `\r` (progress
 * bars) kept as its last state, and other control characters but tab dropped.
 */
export function cleanOutput(text: string): string {
	const lines = stripVTControlCharacters(text).replace(/\r\n/g, '\n').split('\n');
	return lines
		.map((line) => {
			const redrawn = line.lastIndexOf('\r');
			return (redrawn >= 0 ? line.slice(redrawn + 1) : line).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
		})
		.join('\n');
}

function field(label: string, value: string): string {
	return `${label.padEnd(10)} ${value}`;
}

function triggerText(input: RunLogInput): string {
	const due = input.scheduledAt ? ` (due ${formatInstant(Date.parse(input.scheduledAt))})` : '';
	const words: Record<Trigger, string> = { schedule: 'schedule', manual: 'run by hand', dependency: 'as a dependency', 'catch-up': 'catch-up of a missed run', api: 'by an extension' };
	return `${words[input.trigger] ?? input.trigger}${due}`;
}

/** `✓ Completed · exit code 0`, `✗ Failed · killed after the 3 s timeout`, `✗ Failed · killed by SIGKILL`. */
function outcomeText(r: RunRecord, timeoutMs: number | undefined): string {
	const exit = r.exitCode !== null && r.exitCode !== undefined ? `exit code ${r.exitCode}` : undefined;
	switch (r.status) {
		case 'completed':
			return `✓ Completed${exit ? ` · ${exit}` : ''}`;
		case 'canceled':
			return `■ Canceled · ${r.message ?? r.reason ?? 'canceled'}`;
		case 'interrupted':
			return `✗ Interrupted · ${r.message ?? 'the host that ran it went away'}`;
		default:
			break;
	}
	switch (r.reason) {
		case 'timeout':
			return `✗ Failed · killed after the ${timeoutMs !== undefined ? `${formatElapsed(timeoutMs)} ` : ''}timeout`;
		case 'signal':
			return `✗ Failed · killed by ${r.signal ?? 'a signal'}`;
		case 'exit-code':
			return `✗ Failed · ${exit ?? 'non-zero exit'}`;
		default:
			return `✗ ${r.status === 'failed' ? 'Failed' : r.status} · ${r.message ?? r.reason ?? 'unknown reason'}`;
	}
}
