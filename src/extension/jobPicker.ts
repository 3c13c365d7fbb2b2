import * as vscode from 'vscode';
import type { JobSnapshot } from '../core/model';
import type { FolderRegistry } from './folderRegistry';
import type { FolderService } from './folderService';
import { FolderNode, JobNode, RunNode } from './jobTreeProvider';
import { scheduleText, stateLook } from './jobPresenter';

/** A job chosen by a command: from a tree node, an argument, a notification or a quick pick. */
export interface JobTarget {
	service: FolderService;
	jobId: string;
	runId?: string;
	logFile?: string;
	/** True when the target is one run (a run row or a notification), not the whole job. */
	isRun: boolean;
}

/** What commands accept as their first argument (tree nodes, a job id, or a plain object from code). */
export type JobArgument = JobNode | RunNode | FolderNode | string | { folder?: string; jobId: string; runId?: string; attempt?: number; logFile?: string } | undefined;

/**
 * Turns a command argument into a job; without one, asks with a quick pick of the jobs that
 * `filter` accepts. Returns undefined when the user dismissed the pick or the job is unknown.
 */
export async function resolveJob(
	registry: FolderRegistry,
	arg: JobArgument,
	placeHolder: string,
	filter: (job: JobSnapshot) => boolean = () => true,
): Promise<JobTarget | undefined> {
	if (arg instanceof JobNode) {
		return { service: arg.service, jobId: arg.jobId, isRun: false };
	}
	if (arg instanceof RunNode) {
		return { service: arg.service, jobId: arg.jobId, runId: arg.runId, logFile: arg.logFile, isRun: true };
	}
	if (typeof arg === 'string') {
		return fromId(registry, arg);
	}
	if (arg && !(arg instanceof FolderNode) && typeof arg === 'object' && typeof arg.jobId === 'string') {
		const service = typeof arg.folder === 'string' ? registry.get(arg.folder) : registry.findJob(arg.jobId)?.service;
		if (!service?.engine.getDefinition(arg.jobId)) {
			void vscode.window.showErrorMessage(`Workspace Jobs: no job "${arg.jobId}"${arg.folder ? ` in ${arg.folder}` : ''}.`);
			return undefined;
		}
		const isRun = typeof arg.runId === 'string';
		return { service, jobId: arg.jobId, runId: isRun ? arg.runId : undefined, logFile: typeof arg.logFile === 'string' ? arg.logFile : undefined, isRun };
	}
	const folders = arg instanceof FolderNode ? [arg.service] : registry.withJobs();
	return pickJob(folders, placeHolder, filter, registry.withJobs().length > 1);
}

async function pickJob(
	folders: readonly FolderService[],
	placeHolder: string,
	filter: (job: JobSnapshot) => boolean,
	multiRoot: boolean,
): Promise<JobTarget | undefined> {
	type Item = vscode.QuickPickItem & { target?: JobTarget };
	const items: Item[] = [];
	for (const service of folders) {
		const jobs = service.engine.getJobs().filter(filter);
		if (multiRoot && jobs.length > 0) {
			items.push({ label: service.name, kind: vscode.QuickPickItemKind.Separator });
		}
		for (const job of jobs) {
			items.push({
				label: `$(${stateLook(job.state).iconId}) ${job.name}`,
				description: job.name === job.id ? stateLook(job.state).word : `${job.id} · ${stateLook(job.state).word}`,
				detail: scheduleText(job),
				target: { service, jobId: job.id, isRun: false },
			});
		}
	}
	if (!items.some((i) => i.target)) {
		void vscode.window.showInformationMessage('Workspace Jobs: no job to choose from.');
		return undefined;
	}
	const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true });
	return picked?.target;
}

function fromId(registry: FolderRegistry, jobId: string): JobTarget | undefined {
	const found = registry.findJob(jobId);
	if (!found) {
		void vscode.window.showErrorMessage(`Workspace Jobs: no job "${jobId}".`);
		return undefined;
	}
	return { service: found.service, jobId, isRun: false };
}

/** Resolves a folder argument (node, path or URI) or asks when several folders qualify. */
export async function resolveFolder(
	registry: FolderRegistry,
	arg: unknown,
	candidates: readonly FolderService[],
	placeHolder: string,
): Promise<FolderService | undefined> {
	if (arg instanceof FolderNode) {
		return arg.service;
	}
	if (typeof arg === 'string' || arg instanceof vscode.Uri) {
		return registry.get(arg);
	}
	if (candidates.length <= 1) {
		return candidates[0];
	}
	const picked = await vscode.window.showQuickPick(
		candidates.map((service) => ({ label: service.name, description: service.folder.uri.fsPath, service })),
		{ placeHolder },
	);
	return picked?.service;
}
