import * as vscode from 'vscode';
import { Commands, jobsFileName } from './constants';
import type { FolderRegistry } from './folderRegistry';
import { formatZoned } from '../core/base/timeFormat';
import { isActiveState } from './jobPresenter';

/** Lenses change with the schedule; after a burst of runs once per this many ms is enough. */
const jobChangeThrottleMs = 2000;

/**
 * A CodeLens above each job in `.jobs.json`: "Run Now" (or "Cancel" while it runs), and for
 * scheduled jobs "next: <time>" whose hover lists the next five fire times (engine.nextRuns).
 * Positions come from the loaded definitions (`definition.source`), so they follow the last save.
 */
export class JobCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
	private readonly _onDidChangeCodeLenses = new vscode.EventEmitter<void>();
	readonly onDidChangeCodeLenses = this._onDidChangeCodeLenses.event;
	private readonly disposables: vscode.Disposable[] = [this._onDidChangeCodeLenses];
	private throttle: NodeJS.Timeout | undefined;

	constructor(private readonly registry: FolderRegistry) {
		this.disposables.push(
			registry.onDidChange((batch) => {
				if (batch.structure) {
					this._onDidChangeCodeLenses.fire();
				} else {
					this.throttle ??= setTimeout(() => {
						this.throttle = undefined;
						this._onDidChangeCodeLenses.fire();
					}, jobChangeThrottleMs);
				}
			}),
			{ dispose: () => clearTimeout(this.throttle) },
		);
	}

	provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
		const service = this.registry.all().find((s) => s.file === document.uri.fsPath);
		if (!service) {
			return [];
		}
		const now = Date.now();
		const lenses: vscode.CodeLens[] = [];
		for (const job of service.engine.getJobs()) {
			const source = job.definition.source;
			if (!source || source.file !== service.file || source.line > document.lineCount) {
				continue;
			}
			const range = new vscode.Range(source.line - 1, 0, source.line - 1, 0);
			const target = { folder: service.folder.uri.fsPath, jobId: job.id };
			const active = isActiveState(job.state);
			lenses.push(
				new vscode.CodeLens(range, {
					title: active ? '$(debug-stop) Cancel' : '$(play) Run Now',
					tooltip: active ? `Cancel the running "${job.name}"` : `Run "${job.name}" now`,
					command: active ? Commands.cancelJob : Commands.runJob,
					arguments: [target],
				}),
			);
			if (job.definition.schedule) {
				const times = service.engine.nextRuns(job.id, 5, now);
				const jobZone = job.definition.schedule.kind === 'cron' ? job.definition.schedule.timezone : undefined;
				const title =
					job.nextRunAt !== undefined ? `next ${formatZoned(job.nextRunAt, now, { jobZone })}` : !job.enabled ? 'disabled' : times.length ? 'not scheduled' : 'no future runs';
				const scheduled = job.nextRunAt !== undefined ? 'Next runs' : 'Would run at (the scheduler is not running this job now)';
				const tooltip = times.length ? `${scheduled}:\n${times.map((t) => formatZoned(t, now, { jobZone, seconds: times.length > 1 && times[1] - times[0] < 120_000 })).join('\n')}` : 'The schedule has no future fire times.';
				lenses.push(new vscode.CodeLens(range, { title, tooltip, command: '' }));
			}
		}
		return lenses;
	}

	dispose(): void {
		vscode.Disposable.from(...this.disposables).dispose();
	}
}

/** Registers the lens provider for `.jobs.json` files on disk. */
export function registerCodeLens(context: vscode.ExtensionContext, registry: FolderRegistry): void {
	const provider = new JobCodeLensProvider(registry);
	context.subscriptions.push(provider, vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: `**/${jobsFileName}` }, provider));
}
