import * as vscode from 'vscode';
import { killAllGroups } from './core/process/runner';
import { createApi, type WorkspaceJobsApi } from './extension/api';
import { registerApprovalReviews } from './extension/approvalReview';
import { registerCodeLens } from './extension/codeLens';
import { registerCommands } from './extension/commands';
import { JobContextKeys } from './extension/contextKeys';
import { registerExplainDocuments } from './extension/explainDocument';
import { extensionExports } from './extension/extensionExports';
import { FolderRegistry } from './extension/folderRegistry';
import { registerJobsView } from './extension/jobsView';
import { OutputChannelLogSink } from './extension/logSink';
import { MetricsPanel, registerMetricsPanel } from './extension/metricsPanel';
import { RunNotifications } from './extension/notifications';
import { RunLogDocuments } from './extension/runLogDocument';
import { onDidChangeSettings } from './extension/settings';
import { JobStatusBar } from './extension/statusBar';
import { createTestHook, type WorkspaceJobsTestHook } from './extension/testHook';
import { TrustGate } from './extension/trust';

/**
 * What `activate` returns under test (the host suites): the public API plus an internal hook.
 * An installed extension returns the API alone (extensionExports.ts).
 */
export type WorkspaceJobsExports = WorkspaceJobsApi & { /** @internal tests only */ _test: WorkspaceJobsTestHook };

let registry: FolderRegistry | undefined;

export function activate(context: vscode.ExtensionContext): Readonly<WorkspaceJobsApi> | Readonly<WorkspaceJobsExports> {
	const sink = register(context, new OutputChannelLogSink());
	const diagnostics = register(context, vscode.languages.createDiagnosticCollection('workspaceJobs'));
	const gate = register(context, new TrustGate(context.globalState));
	registry = register(context, new FolderRegistry(diagnostics, sink, gate));
	const statusBar = register(context, new JobStatusBar(registry));
	const tree = registerJobsView(context, registry, statusBar);
	register(context, new JobContextKeys(registry));
	register(context, new RunNotifications(registry));
	registerMetricsPanel(context, registry);
	const reviews = registerApprovalReviews(context, registry);
	const explanations = registerExplainDocuments(context, registry);
	const runLogs = register(context, new RunLogDocuments(registry));
	registerCommands(context, { registry, tree, statusBar, sink, reviews, explanations, runLogs, showMetrics: (jobId) => MetricsPanel.createOrShow(context.extensionUri, registry!, jobId) });
	registerCodeLens(context, registry);
	registerSettingsListener(context, registry);
	registry.start();
	const folders = registry;
	const underTest = context.extensionMode === vscode.ExtensionMode.Test;
	return extensionExports(createApi(folders, context.subscriptions), underTest, () => createTestHook(folders, tree, statusBar, sink, diagnostics, reviews));
}

/**
 * Stops every scheduler and kills every job's process group. VS Code gives deactivate little
 * time (the extension host waits about 1 s for it), so the SIGTERMs go out synchronously before
 * the first await, and the runner's watchdog covers a host that dies without calling this at all.
 */
export async function deactivate(): Promise<void> {
	const stopping = registry;
	registry = undefined;
	if (!stopping) {
		return;
	}
	const stopped = Promise.allSettled([stopping.stopAll(), killAllGroups(1000)]);
	await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 4000))]);
}

function register<T extends vscode.Disposable>(context: vscode.ExtensionContext, disposable: T): T {
	context.subscriptions.push(disposable);
	return disposable;
}

/** Concurrency and the output limit apply to running engines when the settings change. */
function registerSettingsListener(context: vscode.ExtensionContext, folders: FolderRegistry): void {
	context.subscriptions.push(onDidChangeSettings(() => folders.all().forEach((service) => service.applySettings())));
}
