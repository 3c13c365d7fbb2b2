import * as vscode from 'vscode';
import { formatDuration } from '../core/base/duration';
import type { RunRecord } from '../core/model';
import { Commands } from './constants';
import type { FolderRegistry } from './folderRegistry';
import type { FolderService } from './folderService';
import { readWindowSettings } from './settings';

/** At most this many run notifications are open at once; a burst of failures must not bury the window. */
const maxOpen = 3;

/**
 * Notifications for finished runs, as `workspaceJobs.notifications` asks: `failure` (default)
 * shows failed runs with "Show Log" and "Run Again", `always` also completed ones, `never` none.
 * A retried attempt is not reported; only the last attempt of a run is.
 */
export class RunNotifications implements vscode.Disposable {
	private readonly open = new Set<string>();
	private readonly disposable: vscode.Disposable;

	constructor(registry: FolderRegistry) {
		this.disposable = registry.onDidFinishRun(({ service, event }) => this.onFinish(service, event));
	}

	dispose(): void {
		this.disposable.dispose();
	}

	private onFinish(service: FolderService, record: RunRecord): void {
		const mode = readWindowSettings().notifications;
		const failed = record.status === 'failed' || record.status === 'interrupted';
		if (mode === 'never' || record.willRetry || (!failed && (mode !== 'always' || record.status !== 'completed'))) {
			return;
		}
		const key = `${service.folder.uri.toString()}\n${record.jobId}`;
		if (this.open.has(key) || this.open.size >= maxOpen) {
			return;
		}
		const name = service.engine.getDefinition(record.jobId)?.name ?? record.jobId;
		const showLog = 'Show Log';
		const runAgain = 'Run Again';
		const target = { folder: service.folder.uri.fsPath, jobId: record.jobId, runId: record.runId, logFile: record.logFile };
		const actions = record.logFile ? [showLog, runAgain] : [runAgain];
		this.open.add(key);
		const shown = failed
			? vscode.window.showErrorMessage(`Job "${name}" ${record.status}: ${record.message ?? record.reason ?? 'no reason given'} (${formatDuration(record.durationMs)})`, ...actions)
			: vscode.window.showInformationMessage(`Job "${name}" completed in ${formatDuration(record.durationMs)}`, ...(record.logFile ? [showLog] : []));
		void shown.then(
			(answer) => {
				this.open.delete(key);
				if (answer === showLog) {
					void vscode.commands.executeCommand(Commands.showLog, target);
				} else if (answer === runAgain) {
					void vscode.commands.executeCommand(Commands.runJob, target);
				}
			},
			() => this.open.delete(key),
		);
	}
}
