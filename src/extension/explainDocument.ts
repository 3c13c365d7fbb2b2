import * as vscode from 'vscode';
import type { Explanation } from '../core/engine/explain';
import { explainSummary, renderExplanation } from '../core/engine/explainText';
import { explainScheme } from './constants';
import type { FolderRegistry } from './folderRegistry';
import type { FolderService } from './folderService';
import { escapeMarkdown } from './jobPresenter';

/** A job's explanation from this window: the engine's facts plus who runs the schedule and the run gate. */
export function explanationOf(registry: FolderRegistry, service: FolderService, jobId: string, now = Date.now(), historyLimit?: number): Explanation {
	return service.engine.explain(jobId, { runner: service.scheduleRunner, refusal: registry.refusal(service, [jobId]) }, now, historyLimit);
}

/** Records a hover reads: its summary looks at the last few decisions only, and a hover must be quick. */
const tooltipHistoryLimit = 10;

/** The tooltip's "why" lines (Markdown, escaped), or '' when nothing is worth a line. */
export function explainTooltipLines(registry: FolderRegistry, service: FolderService, jobId: string, now: number): string {
	const lines = explainSummary(explanationOf(registry, service, jobId, now, tooltipHistoryLimit), now);
	return lines.length ? `\n\n${lines.map((line) => `$(question) ${escapeMarkdown(line)}  `).join('\n')}` : '';
}

/**
 * "Why Didn't This Run?" as a read-only Markdown document (its own URI scheme, rendered in the
 * Markdown preview): rebuilt from the engine when it is opened and whenever the engine changes.
 */
export class ExplainDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
	private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
	readonly onDidChange = this._onDidChange.event;

	private readonly subscription: vscode.Disposable;

	constructor(private readonly registry: FolderRegistry) {
		// An open explanation follows the engine (a run ends, a skip is recorded), batched like the tree.
		this.subscription = registry.onDidChange(() => {
			for (const doc of vscode.workspace.textDocuments) {
				if (doc.uri.scheme === explainScheme) {
					this._onDidChange.fire(doc.uri);
				}
			}
		});
	}

	/** Shows the explanation of a job and resolves with the document's URI. */
	async open(service: FolderService, jobId: string): Promise<vscode.Uri> {
		const name = service.engine.getJob(jobId)?.name ?? jobId;
		const query = new URLSearchParams({ folder: service.folder.uri.fsPath, job: jobId }).toString();
		const uri = vscode.Uri.from({ scheme: explainScheme, path: `/Why ${name.replace(/[\\/]/g, '_')}.md`, query });
		this._onDidChange.fire(uri);
		try {
			await vscode.commands.executeCommand('markdown.showPreview', uri);
		} catch {
			// Without the built-in Markdown extension the source reads well enough.
			await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
		}
		return uri;
	}

	provideTextDocumentContent(uri: vscode.Uri): string {
		const query = new URLSearchParams(uri.query);
		const folder = query.get('folder') ?? '';
		const jobId = query.get('job') ?? '';
		const service = this.registry.get(folder);
		if (!service?.engine.getDefinition(jobId)) {
			return `# No job "${escapeMarkdown(jobId)}"\n\nIt is no longer defined in ${escapeMarkdown(folder)}.\n`;
		}
		const now = Date.now();
		return renderExplanation(explanationOf(this.registry, service, jobId, now), { now, markdown: true });
	}

	dispose(): void {
		this.subscription.dispose();
		this._onDidChange.dispose();
	}
}

export function registerExplainDocuments(context: vscode.ExtensionContext, registry: FolderRegistry): ExplainDocuments {
	const documents = new ExplainDocuments(registry);
	context.subscriptions.push(documents, vscode.workspace.registerTextDocumentContentProvider(explainScheme, documents));
	return documents;
}
