import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../core/base/logger';
import { Engine } from '../core/engine/engine';
import type { EngineOptions } from '../core/engine/engineOptions';
import type { ScheduleRunner } from '../core/engine/explain';
import type { Diagnostic } from '../core/definitions/diagnostic';
import { JobsSource, type JobsSourceState } from '../core/definitions/jobsSource';
import type { JobDefinition } from '../core/model';
import { type RunnerRole, RunnerService } from '../core/engine/runnerService';
import { jobsFileName } from './constants';
import { readFolderSettings } from './settings';

/** What the last read of `.jobs.json` did. */
export type LoadOutcome = 'missing' | 'loaded' | 'keptLastGood';

/**
 * One workspace folder: its engine, its `.jobs.json` (read, watched and kept by the core's
 * `JobsSource`, errors into the Problems panel) and its runner lease. It decides nothing about
 * scheduling: the engine does, and the TrustGate decides whether the scheduler may start. What it
 * reports (jobs, role, holder) it reads from the source, the engine and the runner service.
 */
export class FolderService implements vscode.Disposable {
	readonly engine: Engine;
	readonly file: string;
	private readonly source: JobsSource;
	private readonly disposables: vscode.Disposable[] = [];
	private readonly _onDidChangeState = new vscode.EventEmitter<void>();
	/** The file was read, the scheduler started or stopped, or the runner role changed. */
	readonly onDidChangeState = this._onDidChangeState.event;
	private runner: RunnerService | undefined;

	constructor(
		readonly folder: vscode.WorkspaceFolder,
		private readonly diagnostics: vscode.DiagnosticCollection,
		readonly logger: Logger,
	) {
		this.file = path.join(folder.uri.fsPath, jobsFileName);
		const settings = readFolderSettings(folder);
		const options: EngineOptions = {
			workspaceFolder: folder.uri.fsPath,
			concurrency: settings.concurrency,
			outputLogLimit: settings.outputLogLimit,
			retention: settings.retention,
			logger,
		};
		settings.retentionProblems.forEach((problem) => logger.warn(problem));
		this.engine = new Engine(options);
		this.source = new JobsSource(this.file, { logger });
		this.disposables.push(
			this.source,
			this.source.onDidChange((state) => this.apply(state)),
			// The folder watch can miss a save on some file systems; a save is certain.
			vscode.workspace.onDidSaveTextDocument((doc) => {
				if (doc.uri.scheme === 'file' && doc.uri.fsPath === this.file) {
					this.source.reloadSoon();
				}
			}),
			this._onDidChangeState,
		);
		this.source.watch();
	}

	get name(): string {
		return this.folder.name;
	}

	get hasFile(): boolean {
		return this.source.state.exists;
	}

	get outcome(): LoadOutcome {
		const state = this.source.state;
		return !state.exists ? 'missing' : state.keptLastGood ? 'keptLastGood' : 'loaded';
	}

	/** The problems of the last read (also in the Problems panel). */
	get problems(): readonly Diagnostic[] {
		return this.source.state.diagnostics;
	}

	/** Definitions read from the file and loaded into the engine (what the user approves). */
	get fileJobs(): readonly JobDefinition[] {
		return this.source.state.config.jobs;
	}

	/** `runner`: this window runs the schedule; `passive`: another process does (see `holder`). */
	get role(): RunnerRole {
		return this.runner?.role ?? 'stopped';
	}

	/** Who runs the schedule when this window is passive. */
	get holder(): string | undefined {
		const holder = this.runner?.holder;
		return holder ? `${holder.holder}, pid ${holder.pid}` : undefined;
	}

	/** Who runs this folder's schedule, for "Why Didn't This Run?". */
	get scheduleRunner(): ScheduleRunner {
		switch (this.role) {
			case 'runner':
				return { kind: 'this' };
			case 'passive':
				return { kind: 'other', holder: this.runner?.holder };
			default:
				return { kind: 'stopped' };
		}
	}

	/** Reads `.jobs.json` now; `JobsSource` says which definitions run when it has errors. */
	reload(): LoadOutcome {
		this.source.reload();
		return this.outcome;
	}

	/** Applies changed settings (concurrency, output limit, retention) and reloads so the queue picks them up. */
	applySettings(): void {
		const settings = readFolderSettings(this.folder);
		this.engine.configure({ concurrency: settings.concurrency, outputLogLimit: settings.outputLogLimit, retention: settings.retention });
		settings.retentionProblems.forEach((problem) => this.logger.warn(problem));
	}

	/** Starts the scheduler (through the runner lease) or stops it; runs in progress always finish. */
	async setSchedulerAllowed(allowed: boolean): Promise<void> {
		if (allowed && !this.runner) {
			const runner = new RunnerService(this.engine, this.folder.uri.fsPath, `VS Code window (pid ${process.pid})`, this.logger);
			this.runner = runner;
			runner.onDidChangeRole(() => this.roleChanged(runner));
			await runner.start();
			this.roleChanged(runner);
		} else if (!allowed && this.runner) {
			const runner = this.runner;
			this.runner = undefined;
			runner.dispose();
			this.engine.setScheduleGuard(undefined);
			this.engine.stopScheduling();
			this._onDidChangeState.fire();
		}
	}

	/** Stops the scheduler, cancels every run (killing process groups) and waits for them. */
	async stop(): Promise<void> {
		this.runner?.dispose();
		this.runner = undefined;
		await this.engine.stop();
	}

	dispose(): void {
		this.runner?.dispose();
		this.engine.dispose();
		this.diagnostics.delete(vscode.Uri.file(this.file));
		vscode.Disposable.from(...this.disposables).dispose();
	}

	private apply(state: JobsSourceState): void {
		this.diagnostics.set(vscode.Uri.file(this.file), state.diagnostics.map(toVsDiagnostic));
		if (state.keptLastGood) {
			this.logger.warn(`${jobsFileName} has ${countErrors(state.diagnostics)}; the last good definitions stay loaded`);
		} else {
			if (state.broken) {
				this.logger.warn(`${jobsFileName} has ${countErrors(state.diagnostics)}; jobs with errors are left out`);
			}
			this.engine.load(state.config);
		}
		this._onDidChangeState.fire();
	}

	/** A role change of the current runner (one replaced in the meantime says nothing). */
	private roleChanged(runner: RunnerService): void {
		if (runner === this.runner) {
			this._onDidChangeState.fire();
		}
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

function countErrors(diagnostics: readonly Diagnostic[]): string {
	const n = diagnostics.filter((d) => d.severity === 'error').length;
	return `${n} error${n === 1 ? '' : 's'}`;
}
