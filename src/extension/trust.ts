import * as vscode from 'vscode';
import type { JobDefinition } from '../core/model';
import { type ApprovalSnapshot, approvalNeeded, approvalSnapshot, checkRunGate, readStoredApproval, type RunRefusal, snapshotKey, type StoredApproval } from './approval';
import { changesInWords, summarizeReview } from './approvalDocument';
import { approvalsStateKey, Commands, Settings } from './constants';
import { readWindowSettings } from './settings';

/**
 * The one gate every run path goes through (commands, the API, the scheduler): Workspace Trust
 * first, then the user's approval of the folder's commands. Trust alone is not consent: it can be
 * granted to a parent folder, and repositories have abused tasks that run on folder open
 * (`tasks.json` `runOn: folderOpen`, which is why VS Code keeps `task.allowAutomaticTasks` off and
 * out of workspace settings). Approvals live in globalState, outside the workspace, keyed by
 * folder path, so a repository cannot approve itself. Each holds the approved jobs' fields
 * (approval.ts), so the next review can show what changed.
 */
export class TrustGate implements vscode.Disposable {
	private readonly _onDidChange = new vscode.EventEmitter<void>();
	/** Trust was granted, an approval changed or `requireApproval` changed: re-check every folder. */
	readonly onDidChange = this._onDidChange.event;
	private readonly disposables: vscode.Disposable[] = [this._onDidChange];
	/** Folder -> snapshot key for which the "needs approval" notice was already shown this session. */
	private readonly noticed = new Map<string, string>();
	/** Folder -> closes its open approval notice. */
	private readonly approvalNotices = new Map<string, () => void>();
	/** The last verdict per definitions array (the status bar, tree and menus ask many times per change). */
	private readonly verdicts = new WeakMap<readonly JobDefinition[], { folderPath: string; stored: unknown; needed: boolean }>();
	private readonly snapshots = new WeakMap<readonly JobDefinition[], ApprovalSnapshot>();
	/** Set by the test hook (extension tests only): overrides the setting without touching user settings. */
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
		const requireApproval = this.trusted && this.requireApproval;
		return checkRunGate({
			trusted: this.trusted,
			requireApproval,
			approvalNeeded: requireApproval && this.needsApproval(folderPath, jobs),
		});
	}

	/** The approval snapshot of a definitions array (cached: arrays are replaced, never changed, on reload). */
	snapshot(jobs: readonly JobDefinition[]): ApprovalSnapshot {
		let snapshot = this.snapshots.get(jobs);
		if (!snapshot) {
			snapshot = approvalSnapshot(jobs);
			this.snapshots.set(jobs, snapshot);
		}
		return snapshot;
	}

	/** What the user last allowed for this folder. */
	stored(folderPath: string): StoredApproval {
		return readStoredApproval(this.approvals()[folderPath]);
	}

	/** Stores `snapshot` (what the review showed) as the folder's approval. */
	async approve(folderPath: string, snapshot: ApprovalSnapshot): Promise<void> {
		const record = { version: 2, approvedAt: new Date().toISOString(), jobs: snapshot };
		await this.state.update(approvalsStateKey, { ...this.approvals(), [folderPath]: record });
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

	/**
	 * Tells the user why nothing ran, without waiting for an answer (a command must never hang
	 * on a notification). `automatic` notices are shown once per folder and definition set.
	 * "Review" opens the review document, which carries the Allow action.
	 */
	explain(refusal: RunRefusal, folderName: string, folderPath: string, jobs: readonly JobDefinition[], automatic = false): void {
		if (automatic) {
			const key = `${refusal}:${snapshotKey(this.snapshot(jobs))}`;
			if (this.noticed.get(folderPath) === key) {
				return;
			}
			this.noticed.set(folderPath, key);
		}
		if (refusal === 'untrusted') {
			const manage = 'Manage Workspace Trust';
			void vscode.window
				.showWarningMessage(`Workspace Jobs: jobs of "${folderName}" do not run in Restricted Mode. Trust the workspace to run them.`, manage)
				.then((answer) => answer === manage && vscode.commands.executeCommand('workbench.trust.manage'));
			return;
		}
		if (!automatic) {
			// The user asked for a run: show them what they would allow, not a notice about it.
			void vscode.commands.executeCommand(Commands.approveJobs, folderPath);
			return;
		}
		const stored = this.stored(folderPath);
		const changes = typeof stored === 'object' ? changesInWords(summarizeReview({ jobs: this.snapshot(jobs), stored })) : '';
		const message = changes
			? `Workspace Jobs: the jobs in "${folderName}/.jobs.json" changed since you allowed them (${changes}) and wait for your approval.`
			: `Workspace Jobs: the commands in "${folderName}/.jobs.json" have not been approved to run yet.`;
		this.showApprovalNotice(folderPath, jobs, message);
	}

	/**
	 * The "waits for your approval" notice, open until the folder's jobs are allowed (in the review
	 * document or by command), its definitions change (a new notice takes its place), or the user
	 * dismisses it. A message notification cannot be closed by an extension, so this is a progress
	 * notification (the one kind the API can close) whose "Review" is a command link.
	 */
	private showApprovalNotice(folderPath: string, jobs: readonly JobDefinition[], message: string): void {
		this.approvalNotices.get(folderPath)?.();
		const review = `command:${Commands.approveJobs}?${encodeURIComponent(JSON.stringify([folderPath]))}`;
		void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${message} [Review and Allow](${review})`, cancellable: true }, (_progress, token) =>
			new Promise<void>((resolve) => {
				const subscriptions: vscode.Disposable[] = [];
				const close = () => {
					vscode.Disposable.from(...subscriptions).dispose();
					if (this.approvalNotices.get(folderPath) === close) {
						this.approvalNotices.delete(folderPath);
					}
					resolve();
				};
				this.approvalNotices.set(folderPath, close);
				subscriptions.push(
					token.onCancellationRequested(close),
					this.onDidChange(() => {
						if (this.check(folderPath, jobs) !== 'unapproved') {
							close();
						}
					}),
				);
			}),
		);
	}

	/** True while the approval notice of a folder is open (for tests). */
	hasApprovalNotice(folderPath: string): boolean {
		return this.approvalNotices.has(folderPath);
	}

	dispose(): void {
		for (const close of [...this.approvalNotices.values()]) {
			close();
		}
		vscode.Disposable.from(...this.disposables).dispose();
	}

	private needsApproval(folderPath: string, jobs: readonly JobDefinition[]): boolean {
		const stored = this.approvals()[folderPath];
		const cached = this.verdicts.get(jobs);
		if (cached && cached.folderPath === folderPath && cached.stored === stored) {
			return cached.needed;
		}
		const needed = approvalNeeded(readStoredApproval(stored), this.snapshot(jobs));
		this.verdicts.set(jobs, { folderPath, stored, needed });
		return needed;
	}

	private approvals(): Record<string, unknown> {
		const value = this.state.get<unknown>(approvalsStateKey);
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
	}
}
