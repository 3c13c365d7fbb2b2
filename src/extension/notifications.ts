import * as vscode from 'vscode';
import type { RunRecord } from '../core/model';
import { Commands } from './constants';
import type { FolderRegistry } from './folderRegistry';
import type { FolderService } from './folderService';
import { FailureStreaks, runNotice } from './runNotice';
import { readWindowSettings } from './settings';

/** At most this many run notifications are open at once; a burst of failures must not bury the window. */
const maxOpen = 3;

/**
 * Notifications for finished runs (runNotice.ts decides which and says what), as
 * `workspaceJobs.notifications` and `workspaceJobs.notifyOnlyWhenUnfocused` ask. Each job has at
 * most one open: VS Code cannot change or close a message notification once shown (an identical
 * message only replaces its twin), so further failures of a job while its notification is open
 * are counted into the next one ("Lint failed 3 times since 21:36") instead of stacking, and its
 * "Show Log" opens the newest failed run, not the one it was first shown for.
 */
export class RunNotifications implements vscode.Disposable {
	private readonly open = new Set<string>();
	private readonly streaks = new FailureStreaks();
	private readonly disposable: vscode.Disposable;

	constructor(registry: FolderRegistry) {
		this.disposable = registry.onDidFinishRun(({ service, event }) => this.onFinish(service, event));
	}

	dispose(): void {
		this.disposable.dispose();
	}

	private onFinish(service: FolderService, record: RunRecord): void {
		const key = `${service.folder.uri.toString()}\n${record.jobId}`;
		const streak = this.streaks.record(key, record);
		const settings = readWindowSettings();
		const name = service.engine.getDefinition(record.jobId)?.name ?? record.jobId;
		const notice = runNotice(name, record, streak, { mode: settings.notifications, onlyWhenUnfocused: settings.notifyOnlyWhenUnfocused, focused: vscode.window.state.focused }, Date.now());
		if (!notice || this.open.has(key) || this.open.size >= maxOpen) {
			return;
		}
		const showLog = 'Show Log';
		const runAgain = 'Run Again';
		const actions = notice.severity === 'error' ? (record.logFile ? [showLog, runAgain] : [runAgain]) : record.logFile ? [showLog] : [];
		this.open.add(key);
		const shown = notice.severity === 'error' ? vscode.window.showErrorMessage(notice.text, ...actions) : vscode.window.showInformationMessage(notice.text, ...actions);
		void shown.then(
			(answer) => {
				this.open.delete(key);
				const latest = (notice.severity === 'error' ? this.streaks.get(key)?.last : undefined) ?? record;
				const target = { folder: service.folder.uri.fsPath, jobId: latest.jobId, runId: latest.runId, logFile: latest.logFile };
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
