import { createHash } from 'node:crypto';
import type { JobDefinition } from '../core/model';

/**
 * The approval rule, free of VS Code so it is unit-tested: what a user approves is the list of
 * (id, command, cwd, env) of a folder's `.jobs.json`. Anything else in the file (schedules,
 * retries, names) can change without asking again, because it cannot make a different program run.
 */

/** Why a run is refused, or `undefined` when it may go ahead. */
export type RunRefusal = 'untrusted' | 'unapproved';

/** The inputs of the run gate. */
export interface GateInput {
	/** `vscode.workspace.isTrusted`. */
	trusted: boolean;
	/** `workspaceJobs.requireApproval` (user setting). */
	requireApproval: boolean;
	/** Hash of the definitions loaded now (`approvalHash`). */
	currentHash: string;
	/** Hash the user approved for this folder, if any. */
	approvedHash: string | undefined;
}

/** Decides whether a folder's jobs may run. Trust comes first: approval never overrides Restricted Mode. */
export function checkRunGate(input: GateInput): RunRefusal | undefined {
	if (!input.trusted) {
		return 'untrusted';
	}
	if (input.requireApproval && input.currentHash !== emptyHash && input.currentHash !== input.approvedHash) {
		return 'unapproved';
	}
	return undefined;
}

/** The canonical form that is hashed: sorted by id, env keys sorted, only the fields that decide what runs. */
export function canonicalCommands(jobs: readonly JobDefinition[]): Array<{ id: string; command: string; cwd: string | null; env: Array<[string, string]> }> {
	return jobs
		.filter((job) => job.command !== undefined)
		.map((job) => ({
			id: job.id,
			command: job.command as string,
			cwd: job.cwd ?? null,
			env: Object.entries(job.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
		}))
		.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** sha256 (hex) of the canonical command list. */
export function approvalHash(jobs: readonly JobDefinition[]): string {
	return createHash('sha256').update(JSON.stringify(canonicalCommands(jobs))).digest('hex');
}

/** The hash of a file with no commands: nothing to approve. */
export const emptyHash = approvalHash([]);

/** A short, readable list of what would run, for the approval prompt. */
export function describeCommands(jobs: readonly JobDefinition[], max = 12): string {
	const list = canonicalCommands(jobs);
	const lines = list.slice(0, max).map((job) => {
		const env = job.env.length ? ` (env: ${job.env.map(([k]) => k).join(', ')})` : '';
		const command = job.command.length > 120 ? `${job.command.slice(0, 117)}...` : job.command;
		return `${job.id}: ${command}${env}`;
	});
	if (list.length > max) {
		lines.push(`... and ${list.length - max} more`);
	}
	return lines.join('\n');
}
