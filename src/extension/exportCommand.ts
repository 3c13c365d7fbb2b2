/**
 * "Export Jobs…": a folder's `.jobs.json` as GitHub Actions workflows, Kubernetes CronJobs,
 * Argo CronWorkflows or systemd units (src/core/export/). Quick picks choose the target and
 * where the manifests go (a folder, or one untitled document each); the fidelity report opens
 * beside them as a read-only document (its own URI scheme, so closing it asks nothing). Its text
 * comes from exportReport.ts, which needs no VS Code.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readJobsFile } from '../core/definitions/jobsFile';
import { exportJobs } from '../core/export/exportJobs';
import { type ExportResult, type ExportTarget, exportPlatform, exportTargets, targetTitles } from '../core/export/exportPlan';
import { jobsFileName } from './constants';
import { exportSummary, reportText } from './exportReport';
import type { FolderRegistry } from './folderRegistry';
import { resolveFolder } from './jobPicker';

const targetDetails: Record<ExportTarget, string> = {
	'github-actions': 'one scheduled workflow per job, dependencies as needs',
	kubernetes: 'one batch/v1 CronJob per scheduled job (needs an image)',
	argo: 'one CronWorkflow per scheduled job, dependencies as a DAG (needs an image)',
	systemd: 'a .service per job and a .timer per schedule, for one server',
};

/** What the command did, for callers and tests; undefined when it was dismissed or refused. */
export interface ExportCommandResult {
	target: ExportTarget;
	result: ExportResult;
	/** Where the files went: a folder, or untitled documents. */
	written: vscode.Uri[] | vscode.TextDocument[];
}

/** URI scheme of the read-only fidelity reports. */
export const exportReportScheme = 'workspace-jobs-export';

/** The reports shown in this window, by URI; a report's text never changes once shown. */
export class ExportReports implements vscode.TextDocumentContentProvider, vscode.Disposable {
	private readonly texts = new Map<string, string>();
	private readonly registration = vscode.workspace.registerTextDocumentContentProvider(exportReportScheme, this);

	/** Opens a report beside the active editor. */
	async show(folderName: string, target: ExportTarget, text: string): Promise<vscode.TextDocument> {
		const uri = vscode.Uri.from({
			scheme: exportReportScheme,
			path: `/${folderName} to ${targetTitles[target]} (export report)`,
			query: `n=${this.texts.size + 1}`,
		});
		this.texts.set(uri.toString(), text);
		const document = await vscode.workspace.openTextDocument(uri);
		await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.Beside });
		return document;
	}

	provideTextDocumentContent(uri: vscode.Uri): string {
		return this.texts.get(uri.toString()) ?? 'This export report is gone: run "Export Jobs…" again.';
	}

	dispose(): void {
		this.registration.dispose();
		this.texts.clear();
	}
}

export async function exportJobsCommand(registry: FolderRegistry, reports: ExportReports, arg?: unknown): Promise<ExportCommandResult | undefined> {
	const service = await resolveFolder(registry, arg, registry.all().filter((f) => f.hasFile), 'Export the jobs of which folder?');
	if (!service) {
		return undefined;
	}
	const parsed = readJobsFile(service.file, { platform: exportPlatform });
	const errors = parsed.diagnostics.filter((d) => d.severity === 'error').length;
	if (errors) {
		void vscode.window.showErrorMessage(`Workspace Jobs: ${jobsFileName} has ${errors} error${errors === 1 ? '' : 's'} (see the Problems panel); fix them before exporting.`);
		return undefined;
	}
	const picked = await vscode.window.showQuickPick(
		exportTargets.map((target) => ({ label: targetTitles[target], detail: targetDetails[target], target })),
		{ placeHolder: 'Export the jobs for which scheduler?' },
	);
	if (!picked) {
		return undefined;
	}
	let image: string | undefined;
	if (picked.target === 'kubernetes' || picked.target === 'argo') {
		image = await vscode.window.showInputBox({
			prompt: `${picked.label} runs jobs in a container: the image that holds this repository and a POSIX shell`,
			placeHolder: 'ghcr.io/owner/repo:tag',
			validateInput: (value) => (value.trim() ? undefined : 'An image is needed'),
		});
		if (!image) {
			return undefined;
		}
	}
	const result = exportJobs(parsed.config, { target: picked.target, file: service.file, image: image?.trim() });
	if (result.error || result.files.length === 0) {
		void vscode.window.showErrorMessage(`Workspace Jobs: ${result.error ?? 'nothing to export: no enabled job has a schedule.'}`);
		return undefined;
	}
	const written = await deliver(result, picked.target, path.dirname(service.file));
	if (!written) {
		return undefined;
	}
	await reports.show(service.name, picked.target, reportText(result, picked.target));
	void vscode.window.showInformationMessage(`Workspace Jobs: ${exportSummary(result, picked.target)}`);
	return { target: picked.target, result, written };
}

/** Asks where the files go and puts them there; undefined when dismissed. */
async function deliver(result: ExportResult, target: ExportTarget, folder: string): Promise<vscode.Uri[] | vscode.TextDocument[] | undefined> {
	const where = await vscode.window.showQuickPick(
		[
			{ label: 'Write to a Folder…', detail: 'choose a folder; the files keep their relative paths', toFolder: true },
			{ label: 'Open as Untitled Documents', detail: `${result.files.length} document${result.files.length === 1 ? '' : 's'}, each named by where it belongs`, toFolder: false },
		],
		{ placeHolder: `Where do the ${targetTitles[target]} files go?` },
	);
	if (!where) {
		return undefined;
	}
	if (where.toFolder) {
		const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, defaultUri: vscode.Uri.file(folder), openLabel: 'Export Here' });
		if (!chosen?.[0]) {
			return undefined;
		}
		const uris: vscode.Uri[] = [];
		for (const file of result.files) {
			const uri = vscode.Uri.joinPath(chosen[0], ...file.path.split('/'));
			await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(file.content));
			uris.push(uri);
		}
		return uris;
	}
	// Untitled, but named by where the file belongs, so Save proposes that path.
	const documents: vscode.TextDocument[] = [];
	for (const file of result.files) {
		const uri = vscode.Uri.joinPath(vscode.Uri.file(folder), ...file.path.split('/')).with({ scheme: 'untitled' });
		const edit = new vscode.WorkspaceEdit();
		edit.insert(uri, new vscode.Position(0, 0), file.content);
		await vscode.workspace.applyEdit(edit);
		let document = await vscode.workspace.openTextDocument(uri);
		if (target === 'systemd') {
			document = await vscode.languages.setTextDocumentLanguage(document, 'ini');
		}
		await vscode.window.showTextDocument(document, { preview: false });
		documents.push(document);
	}
	return documents;
}
