import { createHash } from 'node:crypto';
import type { JobDefinition, Schedule } from '../core/model';

/**
 * The approval rule, free of VS Code so it is unit-tested. What a user approves is a snapshot of
 * what a folder's `.jobs.json` makes run: each command job's command, shell, cwd and env, and whether it
 * runs unattended (on a schedule, or as a dependency of a job that does). The snapshot is stored
 * outside the workspace (globalState), so the next review can show what changed since.
 *
 * The user is asked again when a job is added, when a command, shell, cwd or env changes, and when a
 * job that ran only when someone asked starts to run unattended (it gains a schedule, is enabled,
 * or a scheduled job starts depending on it). Removing a job, renaming it, or changing the
 * timing of a job that already ran unattended does not ask; the next review still lists it.
 */

/** Why a run is refused, or `undefined` when it may go ahead. */
export type RunRefusal = 'untrusted' | 'unapproved';

/** One command job as approved: the fields that decide what runs, and when. */
export interface ApprovedJob {
	id: string;
	name: string | null;
	command: string;
	/**
	 * The program the command is given to, as a JSON array `["bash","-c"]` (lossless: arguments
	 * may hold spaces); absent for the platform's default shell, as in approvals stored before
	 * jobs had a shell, so those still match.
	 */
	shell?: string;
	/** Absolute working directory, as the file reader resolved it. */
	cwd: string | null;
	/** Variables set over the editor's environment, sorted by name. */
	env: Array<[string, string]>;
	/** The schedule exactly as written (`scheduleSource`), or null for none. */
	schedule: string | null;
	enabled: boolean;
	dependsOn: string[];
	/** Runs without anyone asking: an enabled schedule, or a dependency of a job that has one. */
	unattended: boolean;
}

/** The command jobs of a folder, sorted by id. */
export type ApprovalSnapshot = ApprovedJob[];

/** What is stored per folder when the user allows its jobs. */
export interface ApprovalRecord {
	version: 2;
	/** ISO instant of the approval. */
	approvedAt: string;
	jobs: ApprovalSnapshot;
}

/**
 * A stored approval as read back: a record, `'legacy'` for the bare sha256 that versions before
 * the review document stored (given through a prompt that cut commands short, so it no longer
 * counts), or undefined for none or anything unreadable.
 */
export type StoredApproval = ApprovalRecord | 'legacy' | undefined;

/** The inputs of the run gate. */
export interface GateInput {
	/** `vscode.workspace.isTrusted`. */
	trusted: boolean;
	/** `workspaceJobs.requireApproval` (user setting). */
	requireApproval: boolean;
	/** `approvalNeeded` of the folder's stored approval and its definitions now. */
	approvalNeeded: boolean;
}

/** Decides whether a folder's jobs may run. Trust comes first: approval never overrides Restricted Mode. */
export function checkRunGate(input: GateInput): RunRefusal | undefined {
	if (!input.trusted) {
		return 'untrusted';
	}
	if (input.requireApproval && input.approvalNeeded) {
		return 'unapproved';
	}
	return undefined;
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The approval snapshot of a folder's definitions; jobs without a command (code) are left out. */
export function approvalSnapshot(jobs: readonly JobDefinition[]): ApprovalSnapshot {
	const unattended = unattendedJobs(jobs);
	return jobs
		.filter((job) => job.command !== undefined)
		.map((job) => ({
			id: job.id,
			name: job.name ?? null,
			command: job.command as string,
			...(job.shell ? { shell: JSON.stringify([job.shell.executable, ...job.shell.args]) } : {}),
			cwd: job.cwd ?? null,
			env: Object.entries(job.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
			schedule: job.schedule ? scheduleSource(job.schedule) : null,
			enabled: job.enabled !== false,
			dependsOn: [...(job.dependsOn ?? [])],
			unattended: unattended.has(job.id),
		}))
		.sort(byId);
}

/** Ids of the jobs that run on their own: enabled and scheduled, or a dependency of one, transitively. */
function unattendedJobs(jobs: readonly JobDefinition[]): Set<string> {
	const byIds = new Map(jobs.map((job) => [job.id, job]));
	const found = new Set<string>();
	const pending = jobs.filter((job) => job.schedule && job.enabled !== false).map((job) => job.id);
	while (pending.length > 0) {
		const id = pending.pop() as string;
		if (found.has(id)) {
			continue;
		}
		found.add(id);
		pending.push(...(byIds.get(id)?.dependsOn ?? []));
	}
	return found;
}

/** A schedule exactly as written, lossless: `cron "0 3 * * *" (Europe/Berlin)`, `every 1h30m`, `once at <ISO>`. */
export function scheduleSource(schedule: Schedule): string {
	switch (schedule.kind) {
		case 'cron':
			return `cron "${schedule.expression}"${schedule.timezone ? ` (time zone ${schedule.timezone})` : ''}`;
		case 'every':
			return `every ${exactInterval(schedule.everyMs)}`;
		case 'at': {
			const date = new Date(schedule.at);
			return `once at ${Number.isNaN(date.getTime()) ? String(schedule.at) : date.toISOString()}`;
		}
	}
}

/** `1d2h3m4s5ms`: every unit that is not zero, so nothing is rounded away. */
function exactInterval(ms: number): string {
	if (!Number.isInteger(ms) || ms <= 0) {
		return `${ms}ms`;
	}
	const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
	let rest = ms;
	let text = '';
	for (const [unit, size] of units) {
		if (rest >= size) {
			text += `${Math.floor(rest / size)}${unit}`;
			rest %= size;
		}
	}
	return text;
}

/** A field of a job as the diff names it. `env` changes carry the variable in `key`. */
export type ApprovedField = 'name' | 'command' | 'shell' | 'cwd' | 'env' | 'schedule' | 'enabled' | 'dependsOn' | 'runs';

export interface FieldChange {
	field: ApprovedField;
	/** The variable, for `env`. */
	key?: string;
	/** Null: not set before (or after). */
	before: string | null;
	after: string | null;
	/** This change alone needs a new approval. */
	asks: boolean;
}

export type JobChange =
	| { kind: 'added'; id: string; job: ApprovedJob; asks: true }
	| { kind: 'removed'; id: string; job: ApprovedJob; asks: false }
	| { kind: 'changed'; id: string; before: ApprovedJob; after: ApprovedJob; fields: FieldChange[]; asks: boolean };

/** Says how a job starts, for the `runs` field. */
export function runsText(job: ApprovedJob): string {
	return job.unattended ? 'unattended' : 'only when you run it';
}

/** What changed from the approved snapshot to the current one, in id order. */
export function diffApproval(before: readonly ApprovedJob[], after: readonly ApprovedJob[]): JobChange[] {
	const old = new Map(before.map((job) => [job.id, job]));
	const now = new Map(after.map((job) => [job.id, job]));
	const changes: JobChange[] = [];
	for (const id of [...new Set([...old.keys(), ...now.keys()])].sort()) {
		const a = old.get(id);
		const b = now.get(id);
		if (!a && b) {
			changes.push({ kind: 'added', id, job: b, asks: true });
		} else if (a && !b) {
			changes.push({ kind: 'removed', id, job: a, asks: false });
		} else if (a && b) {
			const fields = diffJob(a, b);
			if (fields.length > 0) {
				changes.push({ kind: 'changed', id, before: a, after: b, fields, asks: fields.some((f) => f.asks) });
			}
		}
	}
	return changes;
}

function diffJob(a: ApprovedJob, b: ApprovedJob): FieldChange[] {
	const fields: FieldChange[] = [];
	const compare = (field: ApprovedField, before: string | null, after: string | null, asks: boolean) => {
		if (before !== after) {
			fields.push({ field, before, after, asks });
		}
	};
	compare('name', a.name, b.name, false);
	compare('command', a.command, b.command, true);
	compare('shell', a.shell ?? null, b.shell ?? null, true);
	compare('cwd', a.cwd, b.cwd, true);
	const oldEnv = new Map(a.env);
	const newEnv = new Map(b.env);
	for (const key of [...new Set([...oldEnv.keys(), ...newEnv.keys()])].sort()) {
		const before = oldEnv.get(key) ?? null;
		const after = newEnv.get(key) ?? null;
		if (before !== after) {
			fields.push({ field: 'env', key, before, after, asks: true });
		}
	}
	compare('schedule', a.schedule, b.schedule, false);
	compare('enabled', String(a.enabled), String(b.enabled), false);
	compare('dependsOn', a.dependsOn.join(', ') || null, b.dependsOn.join(', ') || null, false);
	compare('runs', runsText(a), runsText(b), !a.unattended && b.unattended);
	return fields;
}

/** True when the folder's jobs need the user's (new) approval before they run. */
export function approvalNeeded(stored: StoredApproval, current: ApprovalSnapshot): boolean {
	if (current.length === 0) {
		return false;
	}
	if (stored === undefined || stored === 'legacy') {
		return true;
	}
	return diffApproval(stored.jobs, current).some((change) => change.asks);
}

/** sha256 (hex) of a snapshot: equal snapshots, equal keys. */
export function snapshotKey(snapshot: ApprovalSnapshot): string {
	return createHash('sha256').update(JSON.stringify(snapshot)).digest('hex');
}

/** Reads one stored approval back, checking its shape: globalState is input like any other. */
export function readStoredApproval(value: unknown): StoredApproval {
	if (typeof value === 'string') {
		return /^[0-9a-f]{64}$/.test(value) ? 'legacy' : undefined;
	}
	if (!isObject(value) || value.version !== 2 || typeof value.approvedAt !== 'string' || !Array.isArray(value.jobs)) {
		return undefined;
	}
	return value.jobs.every(isApprovedJob) ? (value as unknown as ApprovalRecord) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isStringOrNull = (value: unknown) => value === null || typeof value === 'string';

function isApprovedJob(value: unknown): value is ApprovedJob {
	return (
		isObject(value) &&
		typeof value.id === 'string' &&
		isStringOrNull(value.name) &&
		typeof value.command === 'string' &&
		(value.shell === undefined || typeof value.shell === 'string') &&
		isStringOrNull(value.cwd) &&
		Array.isArray(value.env) &&
		value.env.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string') &&
		isStringOrNull(value.schedule) &&
		typeof value.enabled === 'boolean' &&
		Array.isArray(value.dependsOn) &&
		value.dependsOn.every((id) => typeof id === 'string') &&
		typeof value.unattended === 'boolean'
	);
}
