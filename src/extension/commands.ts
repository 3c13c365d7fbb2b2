import * as vscode from 'vscode';
import type { RunRecord } from '../core/model';
import type { ApprovalReviews } from './approvalReview';
import { Commands, jobsFileName, Views } from './constants';
import { exampleJobsFile } from './exampleJobsFile';
import type { ExplainDocuments } from './explainDocument';
import { ExportReports, exportJobsCommand } from './exportCommand';
import type { FolderRegistry } from './folderRegistry';
import type { FolderService } from './folderService';
import { type JobArgument, resolveFolder, resolveJob } from './jobPicker';
import { isActiveState } from './jobPresenter';
import { FolderNode, JobNode, type JobTreeProvider, RunNode } from './jobTreeProvider';
import type { OutputChannelLogSink } from './logSink';
import type { RunLogDocuments } from './runLogDocument';
import type { JobStatusBar } from './statusBar';

/** What the command handlers work on. */
export interface CommandServices {
	registry: FolderRegistry;
	tree: JobTreeProvider;
	statusBar: JobStatusBar;
	sink: OutputChannelLogSink;
	runLogs: RunLogDocuments;
	reviews: ApprovalReviews;
	explanations: ExplainDocuments;
	showMetrics(focusJobId?: string): void;
}

/**
 * Registers every command. Handlers only resolve their argument (tree node, job id, or a quick
 * pick), check the run gate and call the engine. Run commands resolve with the run's records, or
 * `undefined` when nothing ran (refused, dismissed or unknown), so code and tests can await them.
 */
export function registerCommands(context: vscode.ExtensionContext, s: CommandServices): void {
	const { registry } = s;
	const register = (id: string, handler: (...args: never[]) => unknown) => {
		context.subscriptions.push(vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown));
	};

	register(Commands.runJob, async (arg: JobArgument): Promise<RunRecord[] | undefined> => {
		const target = await resolveJob(registry, arg, 'Run which job now?');
		if (!target || !registry.allowRun(target.service, [target.jobId])) {
			return undefined;
		}
		return reportErrors(() => target.service.engine.run([target.jobId], 'manual'));
	});

	register(Commands.runAll, async (arg?: FolderNode | string): Promise<RunRecord[] | undefined> => {
		const folders = arg instanceof FolderNode || typeof arg === 'string' ? [registry.get(arg instanceof FolderNode ? arg.service.folder : arg)] : registry.withJobs();
		const runs = folders
			.filter((service): service is FolderService => service !== undefined)
			.map((service) => ({ service, ids: service.engine.getJobs().filter((j) => j.enabled).map((j) => j.id) }))
			.filter(({ service, ids }) => ids.length > 0 && registry.allowRun(service, ids));
		if (runs.length === 0) {
			return undefined;
		}
		const results = await Promise.all(runs.map(({ service, ids }) => reportErrors(() => service.engine.run(ids, 'manual'))));
		return results.flatMap((r) => r ?? []);
	});

	register(Commands.cancelJob, async (arg: JobArgument): Promise<number> => {
		const target = await resolveJob(registry, arg, 'Cancel which job?', (job) => isActiveState(job.state) || job.active.length > 0);
		if (!target) {
			return 0;
		}
		return target.isRun && target.runId ? target.service.engine.cancel({ runId: target.runId }) : target.service.engine.cancel({ jobId: target.jobId });
	});

	const setEnabled = (enabled: boolean) => async (arg: JobArgument) => {
		const target = await resolveJob(registry, arg, `${enabled ? 'Enable' : 'Disable'} which job?`, (job) => job.enabled !== enabled);
		if (target) {
			target.service.engine.setEnabled(target.jobId, enabled);
		}
	};
	register(Commands.enableJob, setEnabled(true));
	register(Commands.disableJob, setEnabled(false));

	// The run's log document (runLogDocument.ts): a run row's attempt, else the job's newest run. Resolves with the editor.
	register(Commands.showLog, async (arg: JobArgument): Promise<vscode.TextEditor | undefined> => {
		const target = await resolveJob(registry, arg, 'Show the log of which job?');
		if (!target) {
			return undefined;
		}
		const attempt = arg instanceof RunNode ? (arg.record?.attempt ?? arg.active?.attempt) : typeof arg === 'object' && !(arg instanceof FolderNode) && !(arg instanceof JobNode) ? arg?.attempt : undefined;
		try {
			const editor = await s.runLogs.open(target.service, target.jobId, target.runId, attempt);
			if (!editor) {
				void vscode.window.showInformationMessage(`Workspace Jobs: "${target.jobId}" has not run yet.`);
			}
			return editor;
		} catch (err) {
			void vscode.window.showErrorMessage(`Workspace Jobs: cannot show the run log of "${target.jobId}": ${err instanceof Error ? err.message : String(err)}`);
			return undefined;
		}
	});

	register(Commands.openDefinition, async (arg: JobArgument) => {
		const target = await resolveJob(registry, arg, 'Open the definition of which job?', (job) => !job.programmatic);
		const source = target && target.service.engine.getDefinition(target.jobId)?.source;
		if (!target || !source) {
			if (target) {
				void vscode.window.showInformationMessage(`Workspace Jobs: "${target.jobId}" is defined by an extension, not in ${jobsFileName}.`);
			}
			return;
		}
		const position = new vscode.Position(Math.max(0, source.line - 1), Math.max(0, source.column - 1));
		await vscode.window.showTextDocument(vscode.Uri.file(source.file), { selection: new vscode.Range(position, position) });
	});

	// Resolves with the explanation document's URI (tests read it), undefined when dismissed.
	register(Commands.explainJob, async (arg: JobArgument): Promise<vscode.Uri | undefined> => {
		const target = await resolveJob(registry, arg, "Why didn't which job run?");
		return target && s.explanations.open(target.service, target.jobId);
	});

	register(Commands.showMetrics, (arg: JobArgument) => {
		const jobId = typeof arg === 'string' ? arg : arg && typeof arg === 'object' && 'jobId' in arg ? arg.jobId : undefined;
		s.showMetrics(jobId);
	});

	register(Commands.pauseScheduler, () => registry.withJobs().forEach((service) => service.engine.pause()));
	register(Commands.resumeScheduler, () => registry.withJobs().forEach((service) => service.engine.resume()));

	register(Commands.refreshJobs, () => {
		registry.reloadAll();
		registry.flush();
		s.tree.refresh();
	});

	register(Commands.openJobsFile, async (arg?: unknown) => {
		const service = await resolveFolder(registry, arg, registry.all().filter((f) => f.hasFile), 'Open the jobs file of which folder?');
		if (service) {
			await vscode.window.showTextDocument(vscode.Uri.file(service.file));
		}
	});

	register(Commands.createJobsFile, async (arg?: unknown) => {
		const candidates = registry.all().filter((f) => !f.hasFile);
		if (candidates.length === 0 && !arg) {
			void vscode.window.showInformationMessage(
				registry.all().length ? `Workspace Jobs: every folder already has a ${jobsFileName}.` : 'Workspace Jobs: open a folder first.',
			);
			return;
		}
		const service = await resolveFolder(registry, arg, candidates, `Create ${jobsFileName} in which folder?`);
		if (!service) {
			return;
		}
		const uri = vscode.Uri.file(service.file);
		if (!service.hasFile) {
			await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(exampleJobsFile));
			service.reload();
		}
		await vscode.window.showTextDocument(uri);
	});

	// Opens the review document (resolves with its URI once it is shown); Allow is on the document.
	register(Commands.approveJobs, async (arg?: unknown): Promise<vscode.Uri | undefined> => {
		const withFile = registry.withJobs().filter((f) => f.hasFile);
		const waiting = withFile.filter((f) => registry.refusal(f) === 'unapproved');
		const service = await resolveFolder(registry, arg, waiting.length > 0 ? waiting : withFile, 'Review the jobs of which folder?');
		return service ? s.reviews.open(service) : undefined;
	});

	// From the review document's CodeLens or editor title: the URI of the review it approves.
	register(Commands.allowJobs, (uri?: vscode.Uri): Promise<boolean> => s.reviews.allow(uri));

	register(Commands.forgetApprovals, async () => {
		await registry.gate.forgetAll();
		void vscode.window.showInformationMessage('Workspace Jobs: every approval was forgotten; each folder asks again before its jobs run.');
	});

	register(Commands.showJobs, async () => {
		s.statusBar.resetFailures();
		await vscode.commands.executeCommand(`${Views.jobs}.focus`);
	});

	register(Commands.showOutput, () => s.sink.show());

	// Restricted Mode: the Jobs view's way to VS Code's own trust editor.
	register(Commands.manageTrust, () => vscode.commands.executeCommand('workbench.trust.manage'));

	const exportReports = new ExportReports();
	context.subscriptions.push(exportReports);
	register(Commands.exportJobs, (arg?: unknown) => exportJobsCommand(registry, exportReports, arg));
}

async function reportErrors<T>(fn: () => Promise<T>): Promise<T | undefined> {
	try {
		return await fn();
	} catch (err) {
		void vscode.window.showErrorMessage(`Workspace Jobs: ${err instanceof Error ? err.message : String(err)}`);
		return undefined;
	}
}
