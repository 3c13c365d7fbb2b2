/**
 * "Export Jobs…": a folder's `.jobs.json` as GitHub Actions workflows, Kubernetes CronJobs,
 * Argo CronWorkflows or systemd units (src/core/export/). Quick picks choose the target and
 * where the manifests go (a folder, or one untitled document each); the fidelity report opens
 * beside them. Its text comes from exportReport.ts, which needs no VS Code.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readJobsFile } from '../core/definitions/jobsFile';
import { exportJobs } from '../core/export/exportJobs';
import { type ExportResult, type ExportTarget, exportTargets, targetTitles } from '../core/export/exportPlan';
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

export async function exportJobsCommand(registry: FolderRegistry, arg?: unknown): Promise<ExportCommandResult | undefined> {
	const service = await resolveFolder(registry, arg, registry.all().filter((f) => f.hasFile), 'Export the jobs of which folder?');
	if (!service) {
		return undefined;
	}
	const parsed = readJobsFile(service.file);
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
	await showReport(result, picked.target);
	return { target: picked.target, result, written };
}

/** Asks where the files go and puts them there; undefined when dismissed. */
async function deliver(result: ExportResult, target: ExportTarget, folder: string): Promise<vscode.Uri[] | vscode.TextDocument[] | undefined> {
	const where = await vscode.window.showQuickPick(
		[
			{ label: 'Write to a Folder…', detail: 'choose a folder; the files keep their relative paths', toFolder: true },
			{ label: 'Open as Untitled Documents', detail: `${result.files.length} document${result.files.length === 1 ? '' : 's'}`, toFolder: false },
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
	const documents: vscode.TextDocument[] = [];
	for (const file of result.files) {
		const document = await vscode.workspace.openTextDocument({ content: file.content, language: target === 'systemd' ? 'ini' : 'yaml' });
		await vscode.window.showTextDocument(document, { preview: false });
		documents.push(document);
	}
	return documents;
}

async function showReport(result: ExportResult, target: ExportTarget): Promise<void> {
	const document = await vscode.workspace.openTextDocument({ content: reportText(result, target), language: 'plaintext' });
	await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.Beside });
	void vscode.window.showInformationMessage(`Workspace Jobs: ${exportSummary(result, target)}`);
}
