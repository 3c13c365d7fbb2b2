import * as vscode from 'vscode';
import type { Engine } from '../core/engine/engine';
import type { Diagnostic } from '../core/definitions/diagnostic';
import type { ApprovalReviews } from './approvalReview';
import type { FolderRegistry } from './folderRegistry';
import type { JobTreeNode, JobTreeProvider } from './jobTreeProvider';
import type { LoggedLine, OutputChannelLogSink } from './logSink';
import { MetricsPanel, type MetricsPanelState } from './metricsPanel';
import type { JobStatusBar } from './statusBar';

/**
 * INTERNAL, for the extension-host tests only (test/host/): a way to look at the tree, status
 * bar, diagnostics and log without scraping the DOM. Not part of the public API; may change
 * with any release. It exists only under `ExtensionMode.Test` (extensionExports.ts): it can
 * switch approval off and reach each engine's `run`, so an installed extension never has it.
 */
export interface WorkspaceJobsTestHook {
	getTreeChildren(element?: JobTreeNode): JobTreeNode[];
	getTreeItem(element: JobTreeNode): vscode.TreeItem;
	/** The hover of a tree row, as the tree resolves it (Markdown source). */
	getTreeTooltip(element: JobTreeNode): string;
	getStatusBarText(): string;
	getStatusBarTooltip(): string;
	getDiagnostics(uri: vscode.Uri): readonly vscode.Diagnostic[];
	/** The engine's own diagnostics (1-based) of each folder's last read of `.jobs.json`. */
	getProblems(): Array<{ file: string; problems: readonly Diagnostic[] }>;
	/** The last ~500 lines written to the log channel, at every level. */
	getLogLines(): LoggedLine[];
	getMetricsPanelState(): MetricsPanelState;
	/** The engine of each workspace folder. */
	engines(): Array<{ folder: vscode.Uri; engine: Engine }>;
	/** Delivers debounced engine changes to the tree and status bar now. */
	flush(): void;
	/** Reads every `.jobs.json` again now (instead of waiting for the file watcher). */
	reload(): void;
	/** Overrides `workspaceJobs.requireApproval` (undefined: back to the setting). */
	setRequireApproval(value: boolean | undefined): void;
	/** Answers the modal "Allow ...?" of the approval review (undefined: the real dialog again). */
	answerAllowDialog(answer: boolean | undefined): void;
}

export function createTestHook(
	registry: FolderRegistry,
	tree: JobTreeProvider,
	statusBar: JobStatusBar,
	sink: OutputChannelLogSink,
	diagnostics: vscode.DiagnosticCollection,
	reviews: ApprovalReviews,
): WorkspaceJobsTestHook {
	const flush = () => {
		registry.flush();
		statusBar.update();
	};
	return {
		getTreeChildren: (element) => tree.getChildren(element),
		getTreeItem: (element) => tree.getTreeItem(element),
		getTreeTooltip: (element) => {
			const tooltip = tree.resolveTreeItem(tree.getTreeItem(element), element).tooltip;
			return typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
		},
		getStatusBarText: () => {
			flush();
			return statusBar.text;
		},
		getStatusBarTooltip: () => {
			flush();
			return statusBar.tooltip;
		},
		getDiagnostics: (uri) => diagnostics.get(uri) ?? [],
		getProblems: () => registry.all().map((s) => ({ file: s.file, problems: s.problems })),
		getLogLines: () => sink.lines(),
		getMetricsPanelState: () => MetricsPanel.testState(),
		engines: () => registry.all().map((s) => ({ folder: s.folder.uri, engine: s.engine })),
		flush,
		reload: () => {
			registry.reloadAll();
			flush();
		},
		setRequireApproval: (value) => {
			registry.gate.requireApprovalOverride = value;
			registry.gate.refresh();
		},
		answerAllowDialog: (answer) => {
			reviews.confirmOverride = answer;
		},
	};
}
