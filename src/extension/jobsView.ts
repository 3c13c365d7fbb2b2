import * as vscode from 'vscode';
import { Views } from './constants';
import type { FolderRegistry } from './folderRegistry';
import { JobTreeProvider } from './jobTreeProvider';
import type { JobStatusBar } from './statusBar';

/**
 * Creates the "Jobs" tree view: the provider, the message above the tree (Restricted Mode,
 * approval, a broken save) and "since last look": showing the view clears the failure count.
 */
export function registerJobsView(context: vscode.ExtensionContext, registry: FolderRegistry, statusBar: JobStatusBar): JobTreeProvider {
	const provider = new JobTreeProvider(registry);
	const view = vscode.window.createTreeView(Views.jobs, { treeDataProvider: provider, showCollapseAll: true });
	const updateMessage = () => {
		view.message = provider.message();
	};
	context.subscriptions.push(
		provider,
		view,
		view.onDidChangeVisibility((e) => {
			statusBar.viewVisible = e.visible;
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
	);
	updateMessage();
	statusBar.viewVisible = view.visible;
	return provider;
}
