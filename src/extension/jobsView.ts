import * as vscode from 'vscode';
import { Views } from './constants';
import type { FolderRegistry } from './folderRegistry';
import { JobTreeProvider } from './jobTreeProvider';
import type { JobStatusBar } from './statusBar';

/** While the view is on screen its relative times ("2 min ago") are redrawn this often. */
const relativeTimeRefreshMs = 30_000;

/**
 * Creates the "Jobs" tree view: the provider, the message above the tree (Restricted Mode,
 * approval, a broken save) and "since last look": showing the view clears the failure count.
 * Relative times are redrawn while the view is visible, so "2 min ago" does not stay "2 min ago".
 */
export function registerJobsView(context: vscode.ExtensionContext, registry: FolderRegistry, statusBar: JobStatusBar): JobTreeProvider {
	const provider = new JobTreeProvider(registry);
	const view = vscode.window.createTreeView(Views.jobs, { treeDataProvider: provider, showCollapseAll: true });
	const updateMessage = () => {
		view.message = provider.message();
	};
	let ticker: NodeJS.Timeout | undefined;
	const tick = (visible: boolean) => {
		clearInterval(ticker);
		ticker = visible ? setInterval(() => provider.refresh(), relativeTimeRefreshMs) : undefined;
	};
	context.subscriptions.push(
		provider,
		view,
		view.onDidChangeVisibility((e) => {
			statusBar.viewVisible = e.visible;
			tick(e.visible);
			if (e.visible) {
				statusBar.resetFailures();
			}
		}),
		registry.onDidChange((batch) => {
			if (batch.structure) {
				updateMessage();
			}
		}),
		registry.gate.onDidChange(updateMessage),
		{ dispose: () => clearInterval(ticker) },
	);
	updateMessage();
	tick(view.visible);
	statusBar.viewVisible = view.visible;
	return provider;
}
