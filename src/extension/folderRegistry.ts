import * as vscode from 'vscode';
import type { ActiveRun, JobSnapshot, RunRecord } from '../core/model';
import type { RunRefusal } from './approval';
import { refreshDebounceMs } from './constants';
import { FolderService } from './folderService';
import type { OutputChannelLogSink } from './logSink';
import type { TrustGate } from './trust';

/** A batch of engine changes, delivered at most every ~100 ms. */
export interface ChangeBatch {
	/** Jobs were loaded, added or removed, or a folder's state changed: redraw everything. */
	structure: boolean;
	/** Jobs whose state, runs or history changed. */
	jobs: ReadonlySet<string>;
}

/** A run event with the folder it belongs to. */
export interface FolderEvent<T> {
	service: FolderService;
	event: T;
}

/** Identifies a job across folders: folder URI and job id. */
export function jobKey(service: FolderService, jobId: string): string {
	return `${service.folder.uri.toString()}\n${jobId}`;
}

/**
 * One FolderService per workspace folder (multi-root works), the events of all their engines
 * relayed with their folder, bursts batched for the UI, and the run gate applied to each
 * folder's scheduler.
 */
export class FolderRegistry implements vscode.Disposable {
	private readonly services = new Map<string, { service: FolderService; subscriptions: vscode.Disposable[] }>();
	private readonly disposables: vscode.Disposable[] = [];
	private readonly _onDidChange = new vscode.EventEmitter<ChangeBatch>();
	/** Batched (debounced) changes for the tree, status bar, lenses and panel. */
	readonly onDidChange = this._onDidChange.event;
	private readonly _onDidStartRun = new vscode.EventEmitter<FolderEvent<ActiveRun>>();
	readonly onDidStartRun = this._onDidStartRun.event;
	private readonly _onDidFinishRun = new vscode.EventEmitter<FolderEvent<RunRecord>>();
	/** Every finished attempt, at once (not batched). */
	readonly onDidFinishRun = this._onDidFinishRun.event;
	private pendingStructure = false;
	private readonly pendingJobs = new Set<string>();
	private timer: NodeJS.Timeout | undefined;

	constructor(
		private readonly diagnostics: vscode.DiagnosticCollection,
		private readonly sink: OutputChannelLogSink,
		readonly gate: TrustGate,
	) {
		this.disposables.push(
			this._onDidChange,
			this._onDidStartRun,
			this._onDidFinishRun,
			vscode.workspace.onDidChangeWorkspaceFolders(() => this.syncFolders()),
			gate.onDidChange(() => this.updateSchedulers()),
			// Coming back to the window often means the machine woke up: let the schedulers re-read the clock.
			vscode.window.onDidChangeWindowState((e) => {
				if (e.focused) {
					this.all().forEach((s) => s.engine.poke());
				}
			}),
		);
	}

	/** Creates the services of the current folders and reads their files. */
	start(): void {
		this.syncFolders();
	}

	/** All folders, in workspace order. */
	all(): FolderService[] {
		return [...this.services.values()].map((s) => s.service).sort((a, b) => a.folder.index - b.folder.index);
	}

	/** Folders that have a `.jobs.json` or registered jobs. */
	withJobs(): FolderService[] {
		return this.all().filter((s) => s.hasFile || s.engine.jobCount > 0);
	}

	get(folder: vscode.WorkspaceFolder | vscode.Uri | string): FolderService | undefined {
		const key = typeof folder === 'string' ? vscode.Uri.file(folder).toString() : 'uri' in folder ? folder.uri.toString() : folder.toString();
		return this.services.get(key)?.service;
	}

	/** Finds a job by id; the first folder wins when several have the same id. */
	findJob(jobId: string): { service: FolderService; job: JobSnapshot } | undefined {
		for (const service of this.all()) {
			const job = service.engine.getJob(jobId);
			if (job) {
				return { service, job };
			}
		}
		return undefined;
	}

	/**
	 * Why jobs of a folder may not run now. Function jobs registered through the API run code that
	 * is already running in this extension host, so they only need trust; anything that can start
	 * a command from `.jobs.json` also needs the user's approval.
	 */
	refusal(service: FolderService, jobIds?: readonly string[]): RunRefusal | undefined {
		const codeOnly = jobIds?.every((id) => {
			const job = service.engine.getDefinition(id);
			return job !== undefined && job.command === undefined && !job.dependsOn?.length;
		});
		if (codeOnly) {
			return this.gate.trusted ? undefined : 'untrusted';
		}
		return this.gate.check(service.folder.uri.fsPath, service.fileJobs);
	}

	/** The gate of every manual run: true when it may go ahead; otherwise explains why not (without waiting). */
	allowRun(service: FolderService, jobIds?: readonly string[]): boolean {
		const refusal = this.refusal(service, jobIds);
		if (refusal) {
			service.logger.warn(`Not running ${jobIds?.length ? jobIds.join(', ') : 'jobs'}: ${refusal === 'untrusted' ? 'the workspace is not trusted (Restricted Mode)' : 'the commands in .jobs.json are not approved yet'}`);
			this.gate.explain(refusal, service.name, service.folder.uri.fsPath, service.fileJobs);
			return false;
		}
		return true;
	}

	/** Reads every file again. */
	reloadAll(): void {
		for (const service of this.all()) {
			service.reload();
		}
	}

	/** True when every folder with jobs is paused. */
	get paused(): boolean {
		const folders = this.withJobs();
		return folders.length > 0 && folders.every((s) => s.engine.paused);
	}

	/** Delivers pending changes now instead of after the debounce (tests, and before a quick pick). */
	flush(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		if (!this.pendingStructure && this.pendingJobs.size === 0) {
			return;
		}
		const batch: ChangeBatch = { structure: this.pendingStructure, jobs: new Set(this.pendingJobs) };
		this.pendingStructure = false;
		this.pendingJobs.clear();
		this._onDidChange.fire(batch);
	}

	/** Stops every scheduler and run (window close, deactivation). */
	async stopAll(): Promise<void> {
		await Promise.allSettled(this.all().map((s) => s.stop()));
	}

	dispose(): void {
		clearTimeout(this.timer);
		for (const { service, subscriptions } of this.services.values()) {
			vscode.Disposable.from(...subscriptions).dispose();
			service.dispose();
		}
		this.services.clear();
		vscode.Disposable.from(...this.disposables).dispose();
	}

	private syncFolders(): void {
		const folders = vscode.workspace.workspaceFolders ?? [];
		const wanted = new Set(folders.map((f) => f.uri.toString()));
		for (const [key, { service, subscriptions }] of this.services) {
			if (!wanted.has(key)) {
				this.services.delete(key);
				vscode.Disposable.from(...subscriptions).dispose();
				void service.stop().finally(() => service.dispose());
			}
		}
		for (const folder of folders) {
			if (folder.uri.scheme === 'file' && !this.services.has(folder.uri.toString())) {
				this.add(folder);
			}
		}
		this.markStructure();
	}

	private add(folder: vscode.WorkspaceFolder): void {
		const logger = this.sink.loggerFor(() => ((vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? folder.name : undefined));
		const service = new FolderService(folder, this.diagnostics, logger);
		const engine = service.engine;
		const mark = (jobId: string) => this.markJob(jobKey(service, jobId));
		const subscriptions: vscode.Disposable[] = [
			engine.onDidChangeJobState((e) => mark(e.jobId)),
			engine.onDidStartRun((run) => {
				mark(run.jobId);
				this._onDidStartRun.fire({ service, event: run });
			}),
			engine.onDidFinishRun((record) => {
				mark(record.jobId);
				this._onDidFinishRun.fire({ service, event: record });
			}),
			engine.onDidLoadJobs(() => this.markStructure()),
			engine.onDidChangeStatus(() => this.markStructure()),
			service.onDidChangeState(() => {
				this.markStructure();
				void this.updateScheduler(service);
			}),
		];
		this.services.set(folder.uri.toString(), { service, subscriptions });
		service.reload();
	}

	private updateSchedulers(): void {
		for (const service of this.all()) {
			void this.updateScheduler(service);
		}
		this.markStructure();
	}

	private async updateScheduler(service: FolderService): Promise<void> {
		const refusal = this.refusal(service);
		if (refusal === 'unapproved' && service.hasFile) {
			this.gate.explain(refusal, service.name, service.folder.uri.fsPath, service.fileJobs, true);
		}
		try {
			await service.setSchedulerAllowed(refusal === undefined);
		} catch (err) {
			service.logger.error(`Could not start the scheduler: ${String(err)}`);
		}
	}

	private markJob(key: string): void {
		this.pendingJobs.add(key);
		this.schedule();
	}

	private markStructure(): void {
		this.pendingStructure = true;
		this.schedule();
	}

	private schedule(): void {
		this.timer ??= setTimeout(() => this.flush(), refreshDebounceMs);
	}
}
