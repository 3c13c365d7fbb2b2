import * as vscode from 'vscode';
import { Commands } from './constants';
import type { FolderRegistry } from './folderRegistry';
import { describeStatus, type StatusInput } from './jobPresenter';

/**
 * The status bar item: what runs now, failures since the user last looked, and the next due job
 * in the tooltip. Updated only from the registry's batched engine events.
 */
export class JobStatusBar implements vscode.Disposable {
	private readonly item: vscode.StatusBarItem;
	private readonly disposables: vscode.Disposable[] = [];
	private failures = 0;
	/** While the Jobs view is on screen the user sees failures there; they are not counted. */
	viewVisible = false;

	constructor(private readonly registry: FolderRegistry) {
		this.item = vscode.window.createStatusBarItem('workspaceJobs.status', vscode.StatusBarAlignment.Left, 50);
		this.item.name = 'Workspace Jobs';
		this.item.command = Commands.showJobs;
		this.disposables.push(
			this.item,
			registry.onDidChange(() => this.update()),
			registry.onDidFinishRun(({ event: record }) => {
				if ((record.status === 'failed' || record.status === 'interrupted') && !record.willRetry && !this.viewVisible) {
					this.failures++;
				}
			}),
			registry.gate.onDidChange(() => this.update()),
		);
		this.update();
	}

	/** The user looked (clicked the item or opened the Jobs view): clear the failure count. */
	resetFailures(): void {
		if (this.failures > 0) {
			this.failures = 0;
			this.update();
		}
	}

	get text(): string {
		return this.item.text;
	}

	get tooltip(): string {
		return typeof this.item.tooltip === 'string' ? this.item.tooltip : (this.item.tooltip?.value ?? '');
	}

	update(): void {
		const folders = this.registry.withJobs();
		if (folders.length === 0) {
			this.item.hide();
			return;
		}
		const now = Date.now();
		const presentation = describeStatus(this.input(), now);
		this.item.text = presentation.text;
		this.item.tooltip = presentation.tooltip;
		this.item.command = presentation.opensApproval ? Commands.approveJobs : Commands.showJobs;
		this.item.backgroundColor = presentation.error
			? new vscode.ThemeColor('statusBarItem.errorBackground')
			: presentation.warning
				? new vscode.ThemeColor('statusBarItem.warningBackground')
				: undefined;
		this.item.accessibilityInformation = { label: presentation.tooltip.replace(/\n/g, '. '), role: 'button' };
		this.item.show();
	}

	dispose(): void {
		vscode.Disposable.from(...this.disposables).dispose();
	}

	private input(): StatusInput {
		let running = 0;
		let queued = 0;
		let nextDue: StatusInput['nextDue'];
		let needsApproval = false;
		const runningJobs: NonNullable<StatusInput['runningJobs']> = [];
		for (const service of this.registry.withJobs()) {
			for (const job of service.engine.getJobs()) {
				for (const run of job.active) {
					if (run.state === 'running') {
						runningJobs.push({ name: job.definition.name ?? job.definition.id, startedAt: run.startedAt === undefined ? undefined : Date.parse(run.startedAt) });
					}
				}
			}
			const counts = service.engine.runCounts();
			running += counts.running;
			queued += counts.waiting;
			const due = service.engine.nextDue();
			if (due && (!nextDue || due.at < nextDue.at)) {
				nextDue = { name: service.engine.getDefinition(due.jobId)?.name ?? due.jobId, at: due.at };
			}
			needsApproval ||= this.registry.refusal(service) === 'unapproved';
		}
		runningJobs.sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
		return { running, queued, failures: this.failures, paused: this.registry.paused, trusted: this.registry.gate.trusted, needsApproval, nextDue, runningJobs };
	}
}
