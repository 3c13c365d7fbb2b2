import * as vscode from 'vscode';
import type { ActiveRun, JobContext, JobDefinition, JobSnapshot, OverlapPolicy, RetryPolicy, RunRecord, Schedule } from '../core/model';
import type { publicApiMembers } from './extensionExports';
import type { FolderRegistry } from './folderRegistry';
import type { FolderService } from './folderService';

/**
 * The API other extensions get from `activate()`:
 *
 * ```ts
 * const api = await vscode.extensions.getExtension<WorkspaceJobsApi>('workspace-jobs.workspace-jobs')?.activate();
 * const job = api?.submit({ id: 'index', schedule: { kind: 'every', everyMs: 60_000 }, run: async ({ signal }) => reindex(signal) });
 * ```
 *
 * Programmatic jobs go through the same engine as `.jobs.json` jobs (`engine.register`): the same
 * queue, concurrency limit, retries, history and metrics, and they show in the Jobs view. They
 * run only in a trusted workspace; the scheduler of a folder (and so a scheduled programmatic
 * job) runs only once the folder's `.jobs.json` commands are approved.
 */
export interface WorkspaceJobsApi {
	/** Bumped on breaking changes. */
	readonly version: 1;
	/** Registers a function job; throws if the id is taken in that folder or there is no folder. */
	submit(job: ProgrammaticJob, options?: FolderOption): JobHandle;
	/** Runs any job now (with its dependencies); rejects when the workspace refuses to run it. */
	run(jobId: string, options?: FolderOption): Promise<RunRecord[]>;
	/** Cancels every unfinished run of a job; returns how many were canceled. */
	cancel(jobId: string, options?: FolderOption): number;
	/** The job's state, next fire time, last result and runs in progress. */
	getStatus(jobId: string, options?: FolderOption): JobStatus | undefined;
	/** An attempt started (any job of any folder). */
	readonly onDidStartRun: vscode.Event<RunStartEvent>;
	/** An attempt finished; its record is in the history when this fires. */
	readonly onDidFinishRun: vscode.Event<RunFinishEvent>;
}

/** Compile-time check: `publicApiMembers` (the exports check of the tests) lists exactly these members. */
export type PublicApiMembersCheck = AssertTrue<SameKeys<(typeof publicApiMembers)[number], keyof WorkspaceJobsApi>>;
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AssertTrue<T extends true> = T;

/** A job defined in code. */
export interface ProgrammaticJob {
	/** Unique in its folder: letters, digits, `.`, `_`, `-`. */
	id: string;
	/** Shown in the Jobs view. @default the id */
	name?: string;
	/** The work. Stop promptly when `context.signal` aborts (cancel, timeout, replace, shutdown). */
	run(context: JobContext): Promise<unknown>;
	/** When it fires on its own. @default manual only */
	schedule?: Schedule;
	/** Fails the attempt with reason `timeout` after this many ms (the signal aborts). */
	timeoutMs?: number;
	retry?: RetryPolicy;
	/** @default 'skip' */
	overlap?: OverlapPolicy;
	/** Higher runs first when waiting for a slot. @default 0 */
	priority?: number;
	/** Jobs that run first (e.g. a `.jobs.json` build job); needs the folder's approval. */
	dependsOn?: string[];
}

/** Which workspace folder's engine; the first folder when left out. */
export interface FolderOption {
	folder?: vscode.Uri;
}

export interface JobHandle extends vscode.Disposable {
	readonly id: string;
	readonly folder: vscode.Uri;
	run(): Promise<RunRecord[]>;
	cancel(): number;
	status(): JobStatus | undefined;
	/** Unregisters the job (a run in progress finishes). */
	dispose(): void;
}

/** A job's status, as plain data. */
export type JobStatus = Omit<JobSnapshot, 'definition'>;

export interface RunStartEvent {
	folder: vscode.Uri;
	run: ActiveRun;
}

export interface RunFinishEvent {
	folder: vscode.Uri;
	record: RunRecord;
}

/** Builds the API over the folder registry; every run goes through the registry's gate. */
export function createApi(registry: FolderRegistry, subscriptions: vscode.Disposable[]): WorkspaceJobsApi {
	const onDidStartRun = new vscode.EventEmitter<RunStartEvent>();
	const onDidFinishRun = new vscode.EventEmitter<RunFinishEvent>();
	subscriptions.push(
		onDidStartRun,
		onDidFinishRun,
		registry.onDidStartRun(({ service, event }) => onDidStartRun.fire({ folder: service.folder.uri, run: event })),
		registry.onDidFinishRun(({ service, event }) => onDidFinishRun.fire({ folder: service.folder.uri, record: event })),
	);

	const folderOf = (options?: FolderOption): FolderService => {
		const service = options?.folder ? registry.get(options.folder) : registry.all()[0];
		if (!service) {
			throw new Error(options?.folder ? `Workspace Jobs: ${options.folder.toString()} is not a workspace folder` : 'Workspace Jobs: no workspace folder is open');
		}
		return service;
	};
	const run = async (service: FolderService, jobId: string): Promise<RunRecord[]> => {
		const refusal = registry.refusal(service, [jobId]);
		if (refusal) {
			throw new Error(refusal === 'untrusted' ? 'Workspace Jobs: jobs do not run in Restricted Mode' : 'Workspace Jobs: the commands in .jobs.json are not approved yet');
		}
		return service.engine.run([jobId], 'api');
	};
	const status = (service: FolderService, jobId: string): JobStatus | undefined => {
		const snapshot = service.engine.getJob(jobId);
		if (!snapshot) {
			return undefined;
		}
		const { definition: _definition, ...rest } = snapshot;
		return rest;
	};

	return {
		version: 1,
		submit(job, options) {
			if (typeof job?.run !== 'function' || typeof job.id !== 'string') {
				throw new TypeError('Workspace Jobs: submit needs { id: string, run: (context) => Promise }');
			}
			const service = folderOf(options);
			const definition: JobDefinition = {
				id: job.id,
				name: job.name,
				run: job.run,
				schedule: job.schedule,
				timeoutMs: job.timeoutMs,
				retry: job.retry,
				overlap: job.overlap,
				priority: job.priority,
				dependsOn: job.dependsOn,
			};
			const registration = service.engine.register(definition);
			const handle: JobHandle = {
				id: job.id,
				folder: service.folder.uri,
				run: () => run(service, job.id),
				cancel: () => service.engine.cancel({ jobId: job.id }),
				status: () => status(service, job.id),
				dispose: () => registration.dispose(),
			};
			subscriptions.push(handle);
			return handle;
		},
		run: (jobId, options) => run(folderOf(options), jobId),
		cancel: (jobId, options) => folderOf(options).engine.cancel({ jobId }),
		getStatus: (jobId, options) => status(folderOf(options), jobId),
		onDidStartRun: onDidStartRun.event,
		onDidFinishRun: onDidFinishRun.event,
	};
}
