import * as vscode from 'vscode';
import type { ActiveRun, RunRecord } from '../core/model';
import { maxAttempts } from '../core/dispatch/backoff';
import { Commands, recentRunCount } from './constants';
import { type ChangeBatch, type FolderRegistry, jobKey } from './folderRegistry';
import type { FolderService } from './folderService';
import { explainTooltipLines } from './explainDocument';
import { describeFolder, type FolderInput, treeMessage } from './folderPresenter';
import { describeJob, type ItemPresentation } from './jobPresenter';
import { describeActiveAttempt, describeAttempt, describeRunGroup, finalAttempt, groupRuns, hasAttemptRows, type RunGroup } from './runPresenter';

/** A workspace folder row (only when several folders have jobs). */
export class FolderNode {
	readonly kind = 'folder';
	constructor(readonly service: FolderService) {}
}

/** A job row; the same instance is handed out for a job so element refreshes find it. */
export class JobNode {
	readonly kind = 'job';
	constructor(
		readonly service: FolderService,
		readonly jobId: string,
	) {}
}

/**
 * A run under its job (`group` set: all its attempts; `record` is the last finished one, `active`
 * the one in flight), or one attempt under its run (`group` absent; `record` or `active`).
 */
export class RunNode {
	readonly kind = 'run';
	constructor(
		readonly service: FolderService,
		readonly jobId: string,
		readonly runId: string,
		readonly record?: RunRecord,
		readonly active?: ActiveRun,
		readonly group?: RunGroup,
	) {}

	get logFile(): string | undefined {
		return this.record?.logFile ?? this.active?.logFile;
	}
}

export type JobTreeNode = FolderNode | JobNode | RunNode;

/** Above this many changed jobs in one batch, one full refresh is cheaper than element refreshes. */
const maxElementRefreshes = 200;

/**
 * The "Jobs" tree: folder -> job -> recent runs. It redraws from the registry's batched change
 * events (at most every ~100 ms), refreshing only the jobs that changed, so a burst of runs
 * or a thousand jobs does not stall the UI.
 */
export class JobTreeProvider implements vscode.TreeDataProvider<JobTreeNode>, vscode.Disposable {
	private readonly _onDidChangeTreeData = new vscode.EventEmitter<JobTreeNode | JobTreeNode[] | undefined>();
	readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
	private readonly jobNodes = new Map<string, JobNode>();
	private readonly folderNodes = new Map<FolderService, FolderNode>();
	private readonly disposables: vscode.Disposable[] = [this._onDidChangeTreeData];

	constructor(private readonly registry: FolderRegistry) {
		this.disposables.push(registry.onDidChange((batch) => this.onChange(batch)));
	}

	getChildren(element?: JobTreeNode): JobTreeNode[] {
		if (!element) {
			const folders = this.registry.withJobs();
			if (folders.length > 1) {
				return folders.map((service) => this.folderNode(service));
			}
			return folders.length === 1 ? this.jobsOf(folders[0]) : [];
		}
		if (element.kind === 'folder') {
			return this.jobsOf(element.service);
		}
		if (element.kind === 'job') {
			return this.runsOf(element);
		}
		return element.group ? this.attemptsOf(element, element.group) : [];
	}

	getParent(element: JobTreeNode): JobTreeNode | undefined {
		if (element.kind === 'folder') {
			return undefined;
		}
		if (element.kind === 'run') {
			return element.group ? this.jobNode(element.service, element.jobId) : this.runNode(element);
		}
		return this.registry.withJobs().length > 1 ? this.folderNode(element.service) : undefined;
	}

	getTreeItem(element: JobTreeNode): vscode.TreeItem {
		const presentation = this.present(element, Date.now());
		if (element.kind === 'folder') {
			const item = toTreeItem(presentation!, vscode.TreeItemCollapsibleState.Expanded);
			item.id = `folder:${element.service.folder.uri.toString()}`;
			item.resourceUri = element.service.folder.uri;
			return item;
		}
		if (element.kind === 'job') {
			const job = element.service.engine.getJob(element.jobId);
			if (!job || !presentation) {
				return new vscode.TreeItem(element.jobId);
			}
			// No expand arrow on a job that has nothing to show under it.
			const hasRuns = job.active.length > 0 || (job.lastRun !== undefined && (job.lastRun.status !== 'missed' || this.runsOf(element).length > 0));
			const item = toTreeItem(presentation, hasRuns ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
			item.id = `job:${jobKey(element.service, element.jobId)}`;
			return item;
		}
		const nested = element.group !== undefined && hasAttemptRows(element.group);
		const item = toTreeItem(presentation!, nested ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
		const key = `${jobKey(element.service, element.jobId)}:${element.runId}`;
		item.id = element.group ? `run:${key}` : `attempt:${key}:${element.record?.attempt ?? element.active?.attempt}`;
		if (element.logFile) {
			item.command = { command: Commands.showLog, title: 'Show Log', arguments: [element] };
		}
		return item;
	}

	/** Tooltips are built on hover, so "in 5 min" is right when it is read. */
	resolveTreeItem(item: vscode.TreeItem, element: JobTreeNode): vscode.TreeItem {
		const now = Date.now();
		const presentation = this.present(element, now);
		if (presentation && element.kind === 'job') {
			// The "why" lines (explainDocument.ts) only on hover: they read the engine's decisions.
			presentation.tooltipMarkdown += explainTooltipLines(this.registry, element.service, element.jobId, now);
		}
		if (presentation) {
			item.tooltip = markdown(presentation.tooltipMarkdown);
		}
		return item;
	}

	private present(element: JobTreeNode, now: number): ItemPresentation | undefined {
		if (element.kind === 'folder') {
			return describeFolder(folderInput(this.registry, element.service));
		}
		const job = element.service.engine.getJob(element.jobId);
		if (element.kind === 'job') {
			return job && describeJob(job, now);
		}
		const definition = job ?? { definition: { id: element.jobId } };
		if (element.group) {
			return describeRunGroup(element.group, definition, now);
		}
		return element.record ? describeAttempt(element.record, now) : describeActiveAttempt(element.active!, definition, now);
	}

	/** The tree's message: Restricted Mode, approval, or a broken save. */
	message(): string | undefined {
		return treeMessage(
			this.registry.withJobs().map((s) => folderInput(this.registry, s)),
			this.registry.gate.trusted,
		);
	}

	/** Redraws everything. */
	refresh(): void {
		this._onDidChangeTreeData.fire(undefined);
	}

	/** The node of a job, if it is in the tree. */
	jobNode(service: FolderService, jobId: string): JobNode {
		const key = jobKey(service, jobId);
		let node = this.jobNodes.get(key);
		if (!node) {
			node = new JobNode(service, jobId);
			this.jobNodes.set(key, node);
		}
		return node;
	}

	dispose(): void {
		vscode.Disposable.from(...this.disposables).dispose();
	}

	private onChange(batch: ChangeBatch): void {
		if (batch.structure || batch.jobs.size > maxElementRefreshes) {
			this.prune();
			this.refresh();
			return;
		}
		const nodes = [...batch.jobs].map((key) => this.jobNodes.get(key)).filter((n): n is JobNode => n !== undefined);
		if (nodes.length > 0) {
			this._onDidChangeTreeData.fire(nodes);
		}
	}

	private jobsOf(service: FolderService): JobNode[] {
		return service.engine.getJobs().map((job) => this.jobNode(service, job.id));
	}

	private runsOf(node: JobNode): RunNode[] {
		return this.groupsOf(node.service, node.jobId).map((group) => new RunNode(node.service, node.jobId, group.runId, finalAttempt(group), group.active, group));
	}

	/** The job's newest runs with their attempts (a few more records are read, so the oldest run keeps its first attempts). */
	private groupsOf(service: FolderService, jobId: string): RunGroup[] {
		const job = service.engine.getJob(jobId);
		if (!job) {
			return [];
		}
		const limit = recentRunCount * maxAttempts(job.definition.retry);
		const records = service.engine.readHistory({ jobId, limit }).filter((r) => r.status !== 'missed');
		return groupRuns(records, job.active, recentRunCount, records.length >= limit);
	}

	private attemptsOf(node: RunNode, group: RunGroup): RunNode[] {
		if (!hasAttemptRows(group)) {
			return [];
		}
		const finished = group.attempts.map((r) => new RunNode(node.service, node.jobId, node.runId, r));
		return group.active ? [...finished, new RunNode(node.service, node.jobId, node.runId, undefined, group.active)] : finished;
	}

	/** The run row an attempt row sits under (for reveal). */
	private runNode(attempt: RunNode): RunNode | undefined {
		return this.groupsOf(attempt.service, attempt.jobId)
			.filter((group) => group.runId === attempt.runId)
			.map((group) => new RunNode(attempt.service, attempt.jobId, group.runId, finalAttempt(group), group.active, group))[0];
	}

	private folderNode(service: FolderService): FolderNode {
		let node = this.folderNodes.get(service);
		if (!node) {
			node = new FolderNode(service);
			this.folderNodes.set(service, node);
		}
		return node;
	}

	/** Forgets nodes of removed jobs and folders. */
	private prune(): void {
		const live = new Set(this.registry.all());
		for (const [key, node] of this.jobNodes) {
			if (!live.has(node.service) || !node.service.engine.getDefinition(node.jobId)) {
				this.jobNodes.delete(key);
			}
		}
		for (const service of this.folderNodes.keys()) {
			if (!live.has(service)) {
				this.folderNodes.delete(service);
			}
		}
	}
}

/** The presenter's view of one folder. */
export function folderInput(registry: FolderRegistry, service: FolderService): FolderInput {
	return {
		name: service.name,
		jobCount: service.engine.jobCount,
		paused: service.engine.paused,
		refusal: registry.refusal(service),
		role: service.role,
		holder: service.holder,
		keptLastGood: service.outcome === 'keptLastGood',
		errorCount: service.problems.filter((d) => d.severity === 'error').length,
	};
}

function toTreeItem(p: ItemPresentation, collapsible: vscode.TreeItemCollapsibleState): vscode.TreeItem {
	const item = new vscode.TreeItem(p.label, collapsible);
	item.description = p.description;
	item.iconPath = new vscode.ThemeIcon(p.iconId, p.colorId ? new vscode.ThemeColor(p.colorId) : undefined);
	item.contextValue = p.contextValue;
	return item;
}

function markdown(source: string): vscode.MarkdownString {
	const md = new vscode.MarkdownString(source, true);
	md.isTrusted = false;
	md.supportHtml = false;
	return md;
}
