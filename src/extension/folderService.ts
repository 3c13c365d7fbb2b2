import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../core/base/logger';
import { Engine } from '../core/engine/engine';
import type { EngineOptions } from '../core/engine/engineOptions';
import type { Diagnostic } from '../core/definitions/diagnostic';
import { type ParseResult, readJobsFile } from '../core/definitions/jobsFile';
import type { JobDefinition, JobsConfig } from '../core/model';
import { type RunnerRole, RunnerService } from '../core/engine/runnerService';
import { jobsFileName, reloadDebounceMs } from './constants';
import { readFolderSettings } from './settings';

/** What the last read of `.jobs.json` did. */
export type LoadOutcome = 'missing' | 'loaded' | 'keptLastGood';

/**
 * One workspace folder: its engine, its `.jobs.json` (watched, reloaded on every save, errors
 * into the Problems panel) and its runner lease. It decides nothing about scheduling: the engine
 * does, and the TrustGate decides whether the scheduler may start.
 */
export class FolderService implements vscode.Disposable {
	readonly engine: Engine;
	readonly file: string;
	private readonly options: EngineOptions;
	private readonly disposables: vscode.Disposable[] = [];
	private readonly _onDidChangeState = new vscode.EventEmitter<void>();
	/** The file was read, the scheduler started or stopped, or the runner role changed. */
	readonly onDidChangeState = this._onDidChangeState.event;
	private lastGood: JobsConfig | undefined;
	private reloadTimer: NodeJS.Timeout | undefined;
	private runner: RunnerService | undefined;
	private _outcome: LoadOutcome = 'missing';
	private _diagnostics: readonly Diagnostic[] = [];
	private _role: RunnerRole = 'stopped';
	private _holder: string | undefined;

	constructor(
		readonly folder: vscode.WorkspaceFolder,
		private readonly diagnostics: vscode.DiagnosticCollection,
		readonly logger: Logger,
	) {
		this.file = path.join(folder.uri.fsPath, jobsFileName);
		const settings = readFolderSettings(folder);
		this.options = {
			workspaceFolder: folder.uri.fsPath,
			concurrency: settings.concurrency,
			outputLogLimit: settings.outputLogLimit,
			logger,
		};
		this.engine = new Engine(this.options);
		const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, jobsFileName));
		this.disposables.push(
			watcher,
			watcher.onDidCreate(() => this.reloadSoon()),
			watcher.onDidChange(() => this.reloadSoon()),
			watcher.onDidDelete(() => this.reloadSoon()),
			// The watcher can lag behind a save (or miss it on some file systems); a save is certain.
			vscode.workspace.onDidSaveTextDocument((doc) => {
				if (doc.uri.scheme === 'file' && doc.uri.fsPath === this.file) {
					this.reloadSoon();
				}
			}),
			this._onDidChangeState,
		);
	}

	get name(): string {
		return this.folder.name;
	}

	get hasFile(): boolean {
		return this._outcome !== 'missing';
	}

	get outcome(): LoadOutcome {
		return this._outcome;
	}

	/** The problems of the last read (also in the Problems panel). */
	get problems(): readonly Diagnostic[] {
		return this._diagnostics;
	}

	/** Definitions read from the file and loaded into the engine (what the user approves). */
	get fileJobs(): readonly JobDefinition[] {
		return this.lastGood?.jobs ?? [];
	}

	/** `runner`: this window runs the schedule; `passive`: another process does (see `holder`). */
	get role(): RunnerRole {
		return this._role;
	}

	/** Who runs the schedule when this window is passive. */
	get holder(): string | undefined {
		return this._holder;
	}

	/**
	 * Reads `.jobs.json` now. A file with errors after a good one keeps the good definitions
	 * running and only shows the errors; the first read loads every valid job even if others
	 * have errors, so one typo never hides the rest.
	 */
	reload(): LoadOutcome {
		clearTimeout(this.reloadTimer);
		this.reloadTimer = undefined;
		const exists = fileExists(this.file);
		const result: ParseResult = exists ? readJobsFile(this.file) : { config: { jobs: [] }, diagnostics: [] };
		this._diagnostics = result.diagnostics;
		this.diagnostics.set(vscode.Uri.file(this.file), result.diagnostics.map(toVsDiagnostic));
		const hasErrors = result.diagnostics.some((d) => d.severity === 'error');
		if (!exists) {
			this._outcome = 'missing';
			this.load({ jobs: [] });
		} else if (hasErrors && this.lastGood) {
			this._outcome = 'keptLastGood';
			this.logger.warn(`${jobsFileName} has ${countErrors(result)}; the last good definitions stay loaded`);
		} else {
			this._outcome = 'loaded';
			if (hasErrors) {
				this.logger.warn(`${jobsFileName} has ${countErrors(result)}; jobs with errors are left out`);
			}
			this.load(result.config);
		}
		this._onDidChangeState.fire();
		return this._outcome;
	}

	/** Applies changed settings (concurrency, output limit) and reloads so the queue picks them up. */
	applySettings(): void {
		const settings = readFolderSettings(this.folder);
		this.engine.configure({ concurrency: settings.concurrency, outputLogLimit: settings.outputLogLimit });
	}

	/** Starts the scheduler (through the runner lease) or stops it; runs in progress always finish. */
	async setSchedulerAllowed(allowed: boolean): Promise<void> {
		if (allowed && !this.runner) {
			const runner = new RunnerService(this.engine, this.folder.uri.fsPath, `VS Code window (pid ${process.pid})`, this.logger);
			this.runner = runner;
			runner.onDidChangeRole((role) => this.setRole(role, runner));
			const role = await runner.start();
			this.setRole(role, runner);
		} else if (!allowed && this.runner) {
			this.runner.dispose();
			this.runner = undefined;
			this.engine.setScheduleGuard(undefined);
			this.engine.stopScheduling();
			this.setRole('stopped', undefined);
		}
	}

	/** Stops the scheduler, cancels every run (killing process groups) and waits for them. */
	async stop(): Promise<void> {
		this.runner?.dispose();
		this.runner = undefined;
		await this.engine.stop();
	}

	dispose(): void {
		clearTimeout(this.reloadTimer);
		this.runner?.dispose();
		this.engine.dispose();
		this.diagnostics.delete(vscode.Uri.file(this.file));
		vscode.Disposable.from(...this.disposables).dispose();
	}

	private load(config: JobsConfig): void {
		this.lastGood = config;
		this.engine.load(config);
	}

	private reloadSoon(): void {
		clearTimeout(this.reloadTimer);
		this.reloadTimer = setTimeout(() => this.reload(), reloadDebounceMs);
	}

	private setRole(role: RunnerRole, runner: RunnerService | undefined): void {
		if (runner !== this.runner) {
			return;
		}
		const holder = runner?.holder;
		this._role = role;
		this._holder = holder ? `${holder.holder}, pid ${holder.pid}` : undefined;
		this._onDidChangeState.fire();
	}
}

/** Engine diagnostics are 1-based with an exclusive end; VS Code ranges are 0-based. */
export function toVsDiagnostic(d: Diagnostic): vscode.Diagnostic {
	const start = new vscode.Position(Math.max(0, d.line - 1), Math.max(0, d.column - 1));
	const end = new vscode.Position(Math.max(0, d.endLine - 1), Math.max(0, d.endColumn - 1));
	const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
	const diagnostic = new vscode.Diagnostic(new vscode.Range(start, end.isBefore(start) ? start : end), d.message, severity);
	diagnostic.source = 'Workspace Jobs';
	return diagnostic;
}

function countErrors(result: ParseResult): string {
	const n = result.diagnostics.filter((d) => d.severity === 'error').length;
	return `${n} error${n === 1 ? '' : 's'}`;
}

function fileExists(file: string): boolean {
	try {
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}
