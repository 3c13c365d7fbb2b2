import * as vscode from 'vscode';
import type { JobDefinition } from '../core/model';
import { approvalHash, checkRunGate, describeCommands, type RunRefusal } from './approval';
import { approvalsStateKey, Commands, Settings } from './constants';
import { readWindowSettings } from './settings';

/**
 * The one gate every run path goes through (commands, the API, the scheduler): Workspace Trust
 * first, then the user's approval of the folder's commands. Trust alone is not consent: it can be
 * granted to a parent folder, and repositories have abused tasks that run on folder open
 * (RELIABILITY.md "VS Code"). Approvals live in globalState, outside the workspace, keyed by
 * folder path, so a repository cannot approve itself.
 */
export class TrustGate implements vscode.Disposable {
	private readonly _onDidChange = new vscode.EventEmitter<void>();
	/** Trust was granted, an approval changed or `requireApproval` changed: re-check every folder. */
	readonly onDidChange = this._onDidChange.event;
	private readonly disposables: vscode.Disposable[] = [this._onDidChange];
	/** Folder -> hash for which the "needs approval" notice was already shown this session. */
	private readonly noticed = new Map<string, string>();
	/** Set by the test hook: overrides the setting without touching user settings. */
	requireApprovalOverride: boolean | undefined;

	constructor(private readonly state: vscode.Memento) {
		this.disposables.push(
			vscode.workspace.onDidGrantWorkspaceTrust(() => this._onDidChange.fire()),
			vscode.workspace.onDidChangeConfiguration((e) => {
				if (e.affectsConfiguration(`${Settings.section}.${Settings.requireApproval}`)) {
					this._onDidChange.fire();
				}
			}),
		);
	}

	get trusted(): boolean {
		return vscode.workspace.isTrusted;
	}

	get requireApproval(): boolean {
		return this.requireApprovalOverride ?? readWindowSettings().requireApproval;
	}

	/** Why the folder's jobs may not run now, or undefined. */
	check(folderPath: string, jobs: readonly JobDefinition[]): RunRefusal | undefined {
		return checkRunGate({
			trusted: this.trusted,
			requireApproval: this.requireApproval,
			currentHash: approvalHash(jobs),
			approvedHash: this.approvals()[folderPath],
		});
	}

	async approve(folderPath: string, jobs: readonly JobDefinition[]): Promise<void> {
		await this.state.update(approvalsStateKey, { ...this.approvals(), [folderPath]: approvalHash(jobs) });
		this._onDidChange.fire();
	}

	/** Re-checks every folder (after a test override or anything else the gate cannot observe). */
	refresh(): void {
		this._onDidChange.fire();
	}

	async forgetAll(): Promise<void> {
		await this.state.update(approvalsStateKey, undefined);
		this.noticed.clear();
		this._onDidChange.fire();
	}

	/** Asks in a modal dialog; true when the user allowed the commands (and the approval is stored). */
	async requestApproval(folderName: string, folderPath: string, jobs: readonly JobDefinition[]): Promise<boolean> {
		if (!this.trusted) {
			this.explain('untrusted', folderName, folderPath, jobs);
			return false;
		}
		const allow = 'Allow';
		const answer = await vscode.window.showWarningMessage(
			`Allow the jobs of "${folderName}" to run these shell commands?`,
			{ modal: true, detail: `${describeCommands(jobs)}\n\nYou are asked again when a job's command, cwd or env changes.` },
			allow,
		);
		if (answer !== allow) {
			return false;
		}
		await this.approve(folderPath, jobs);
		return true;
	}

	/**
	 * Tells the user why nothing ran, without waiting for an answer (a command must never hang
	 * on a notification). `automatic` notices are shown once per folder and definition set.
	 */
	explain(refusal: RunRefusal, folderName: string, folderPath: string, jobs: readonly JobDefinition[], automatic = false): void {
		if (automatic) {
			const hash = `${refusal}:${approvalHash(jobs)}`;
			if (this.noticed.get(folderPath) === hash) {
				return;
			}
			this.noticed.set(folderPath, hash);
		}
		if (refusal === 'untrusted') {
			const manage = 'Manage Workspace Trust';
			void vscode.window
				.showWarningMessage(`Workspace Jobs: jobs of "${folderName}" do not run in Restricted Mode. Trust the workspace to run them.`, manage)
				.then((answer) => answer === manage && vscode.commands.executeCommand('workbench.trust.manage'));
			return;
		}
		const review = 'Review and Allow';
		void vscode.window
			.showWarningMessage(`Workspace Jobs: the commands in "${folderName}/.jobs.json" have not been approved to run yet.`, review)
			.then((answer) => answer === review && vscode.commands.executeCommand(Commands.approveJobs, folderPath));
	}

	dispose(): void {
		vscode.Disposable.from(...this.disposables).dispose();
	}

	private approvals(): Record<string, string> {
		const value = this.state.get<Record<string, string>>(approvalsStateKey);
		return value && typeof value === 'object' ? value : {};
	}
}
