import { type ApprovalSnapshot, type ApprovedJob, diffApproval, type FieldChange, type JobChange, type StoredApproval } from './approval';
import { escapeClose, escapeOpen, visibleLines, visibleText } from './approvalText';

/**
 * The text of the approval review (a read-only document the approval prompt points to), free of
 * VS Code so it is unit-tested. It shows every command job in full: command, cwd, env with values,
 * how it starts, and on re-approval what changed since the last approval. Nothing is cut, and
 * every value goes through `visibleText`, so no character can hide or reorder what runs. The
 * document itself adds line breaks only after a `«\n»` of a value, and indents the rest.
 */

/** What the review shows. */
export interface ReviewInput {
	folderName: string;
	folderPath: string;
	/** The `.jobs.json` the jobs come from. */
	file: string;
	/** The command jobs as they are now (what Allow approves). */
	jobs: ApprovalSnapshot;
	/** The folder's stored approval. */
	stored: StoredApproval;
	/** `workspaceJobs.requireApproval`. */
	requireApproval: boolean;
	/** Schedules in words by job id (describeSchedule), shown after the exact form. */
	scheduleWords?: ReadonlyMap<string, string>;
}

/** Counts for the prompt and notices. */
export interface ReviewSummary {
	jobs: number;
	unattended: number;
	/** Changes since the stored approval (none without one). */
	added: number;
	changed: number;
	removed: number;
	/** Changes that need a new approval. */
	asking: number;
}

const labelWidth = 10;
const indent = '    ';

/** Counts of jobs and changes. */
export function summarizeReview(input: Pick<ReviewInput, 'jobs' | 'stored'>): ReviewSummary {
	const changes = typeof input.stored === 'object' ? diffApproval(input.stored.jobs, input.jobs) : [];
	const count = (kind: JobChange['kind']) => changes.filter((c) => c.kind === kind).length;
	return {
		jobs: input.jobs.length,
		unattended: input.jobs.filter((job) => job.unattended).length,
		added: count('added'),
		changed: count('changed'),
		removed: count('removed'),
		asking: changes.filter((c) => c.asks).length,
	};
}

/** "1 added, 2 changed": the changes of a summary in words, or '' for none. */
export function changesInWords(summary: ReviewSummary): string {
	const parts = [
		summary.added ? `${summary.added} added` : '',
		summary.changed ? `${summary.changed} changed` : '',
		summary.removed ? `${summary.removed} removed` : '',
	];
	return parts.filter(Boolean).join(', ');
}

/** The whole review document. */
export function renderReview(input: ReviewInput): string {
	const lines: string[] = [];
	const title = `Workspace Jobs: review the jobs of "${visibleText(input.folderName)}" before they run`;
	lines.push(title, '='.repeat(Math.min(title.length, 100)), '');
	lines.push(...field('folder', input.folderPath, ''), ...field('file', input.file, ''), '');
	lines.push(...statusLines(input), '');
	lines.push(
		`Everything below is shown in full. Characters you could not see otherwise are written out in ${escapeOpen}...${escapeClose}:`,
		`${escapeOpen}\\n${escapeClose} line break, ${escapeOpen}\\t${escapeClose} tab, ${escapeOpen}\\r${escapeClose} carriage return, ${escapeOpen}\\x1b${escapeClose} a control character,`,
		`${escapeOpen}U+202E RLO${escapeClose} an invisible, zero-width or direction-changing character, ${escapeOpen}3 spaces${escapeClose} a run of spaces.`,
		'Commands run with their shell (when none is shown: /bin/sh -c, or cmd.exe /d /s /c on Windows) in their cwd; env values are set as written (no shell expansion).',
		'',
		'To allow: "Allow These Jobs" above the first line, or the check mark in the editor title.',
		'Close this tab to decide later: until you allow them, no job of this file runs.',
		'',
	);
	if (typeof input.stored === 'object') {
		lines.push(...changeLines(diffApproval(input.stored.jobs, input.jobs), input.stored.approvedAt));
	}
	lines.push(heading(`Jobs (${input.jobs.length})`));
	for (const job of input.jobs) {
		lines.push(...jobLines(job, input.scheduleWords?.get(job.id)), '');
	}
	return `${lines.join('\n').trimEnd()}\n`;
}

function heading(text: string): string {
	return `${text}\n${'-'.repeat(text.length)}`;
}

function statusLines(input: ReviewInput): string[] {
	const summary = summarizeReview(input);
	const counts = `${summary.jobs} job${summary.jobs === 1 ? '' : 's'} run shell commands; ${summary.unattended} of them unattended (on a schedule, or as a dependency of a scheduled job).`;
	const lines = [counts];
	const stored = input.stored;
	if (stored === undefined) {
		lines.push('You have not allowed the jobs of this folder before.');
	} else if (stored === 'legacy') {
		lines.push(
			'You allowed an earlier version of these jobs through a prompt that did not show every detail,',
			'so that approval no longer counts and what changed since then cannot be shown.',
		);
	} else if (summary.asking > 0) {
		lines.push(`You allowed these jobs on ${stored.approvedAt}. Since then: ${changesInWords(summary)}.`, 'You are asked again because of the changes marked "<- needs approval" below.');
	} else {
		lines.push(`You allowed these jobs on ${stored.approvedAt}; nothing that needs a new approval changed since.`);
	}
	if (!input.requireApproval) {
		lines.push('Approval is switched off in your settings (workspaceJobs.requireApproval): these jobs run without asking.');
	}
	return lines;
}

function changeLines(changes: readonly JobChange[], approvedAt: string): string[] {
	const lines = [heading(`Changes since you allowed these jobs (${approvedAt})`)];
	if (changes.length === 0) {
		lines.push('(none)');
	}
	for (const change of changes) {
		const mark = change.asks ? '   <- needs approval' : '';
		if (change.kind === 'added') {
			lines.push(`+ ${visibleText(change.id)}: new job (shown in full below)${mark}`);
		} else if (change.kind === 'removed') {
			lines.push(`- ${visibleText(change.id)}: removed (it no longer runs)`);
			lines.push(...field('command', change.job.command, indent));
		} else {
			lines.push(`~ ${visibleText(change.id)}: changed${mark}`);
			for (const fieldChange of change.fields) {
				lines.push(...fieldChangeLines(fieldChange));
			}
		}
	}
	lines.push('');
	return lines;
}

function fieldChangeLines(change: FieldChange): string[] {
	const name = change.field === 'env' ? `env ${visibleText(change.key ?? '')}` : change.field;
	const lines = [`${indent}${name}${change.asks ? '   <- needs approval' : ''}`];
	lines.push(...field('was', change.before, indent + indent));
	lines.push(...field('now', change.after, indent + indent));
	return lines;
}

function jobLines(job: ApprovedJob, words: string | undefined): string[] {
	const lines = [`${visibleText(job.id)}${job.name !== null ? `  (name: ${visibleText(job.name)})` : ''}`];
	lines.push(...field('command', job.command, indent));
	if (job.shell !== undefined) {
		lines.push(...field('shell', job.shell, indent));
	}
	lines.push(...field('cwd', job.cwd ?? '(the folder of .jobs.json)', indent));
	if (job.env.length === 0) {
		lines.push(`${indent}${'env'.padEnd(labelWidth)}(none set: the editor's environment as it is)`);
	}
	job.env.forEach(([key, value], index) => {
		lines.push(...field(index === 0 ? 'env' : '', `${key}=${value}`, indent));
	});
	const schedule = job.schedule === null ? 'no schedule' : `${visibleText(job.schedule)}${words && words !== job.schedule ? ` (${visibleText(words)})` : ''}`;
	const disabled = job.enabled ? '' : ', disabled in the file';
	const runs = job.unattended ? (job.schedule !== null && job.enabled ? 'unattended' : 'unattended, as a dependency of a scheduled job') : 'only when you run it';
	lines.push(`${indent}${'runs'.padEnd(labelWidth)}${runs}: ${schedule}${disabled}`);
	if (job.dependsOn.length > 0) {
		lines.push(...field('after', job.dependsOn.join(', '), indent));
	}
	return lines;
}

/** `label  value`, the value escaped and its continuation lines indented under its start; null: "(not set)". */
function field(label: string, value: string | null, prefix: string): string[] {
	const head = `${prefix}${label.padEnd(labelWidth)}`;
	if (value === null) {
		return [`${head}(not set)`];
	}
	const pad = ' '.repeat(head.length);
	return visibleLines(value).map((line, index) => `${index === 0 ? head : pad}${line}`);
}
