import * as vscode from 'vscode';
import { ContextKeys } from './constants';
import type { FolderRegistry } from './folderRegistry';

/**
 * Keeps the `when`-clause context keys in step with the engines, so menus and the palette only
 * offer what makes sense (Cancel while something runs, Resume while paused, ...).
 */
export class JobContextKeys implements vscode.Disposable {
	private readonly values = new Map<string, boolean>();
	private readonly disposables: vscode.Disposable[] = [];

	constructor(private readonly registry: FolderRegistry) {
		this.disposables.push(
			registry.onDidChange(() => this.update()),
			registry.gate.onDidChange(() => this.update()),
			vscode.workspace.onDidChangeWorkspaceFolders(() => this.update()),
		);
		this.update();
	}

	update(): void {
		const all = this.registry.all();
		const withJobs = this.registry.withJobs();
		this.set(ContextKeys.hasJobsFile, all.some((s) => s.hasFile));
		this.set(ContextKeys.allFoldersHaveJobsFile, all.length > 0 && all.every((s) => s.hasFile));
		this.set(ContextKeys.hasJobs, withJobs.some((s) => s.engine.jobCount > 0));
		this.set(
			ContextKeys.anyActive,
			withJobs.some((s) => {
				const counts = s.engine.runCounts();
				return counts.running + counts.waiting > 0;
			}),
		);
		this.set(ContextKeys.paused, this.registry.paused);
		this.set(ContextKeys.needsApproval, withJobs.some((s) => this.registry.refusal(s) === 'unapproved'));
	}

	dispose(): void {
		vscode.Disposable.from(...this.disposables).dispose();
	}

	private set(key: string, value: boolean): void {
		if (this.values.get(key) !== value) {
			this.values.set(key, value);
			void vscode.commands.executeCommand('setContext', key, value);
		}
	}
}
