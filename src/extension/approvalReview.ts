import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { describeSchedule } from '../core/cron/describeSchedule';
import { type ApprovalSnapshot, snapshotKey } from './approval';
import { renderReview, type ReviewSummary, summarizeReview } from './approvalDocument';
import { Commands, reviewScheme } from './constants';
import type { FolderRegistry } from './folderRegistry';
import type { FolderService } from './folderService';

/** One opened review: what its document shows, and so what its Allow approves. */
interface Review {
	folderPath: string;
	snapshot: ApprovalSnapshot;
	key: string;
	text: string;
	/** VS Code asked for the text: the document exists. */
	provided: boolean;
	/** The document no longer holds `text` (the editor is read-only, but `applyEdit` still works). */
	altered: boolean;
}

const expiredText = 'This review has expired. Run "Workspace Jobs: Review and Allow Jobs" to see the jobs again.\n';

/**
 * The approval review: a read-only document (its own URI scheme) showing everything a folder's
 * `.jobs.json` runs (approvalDocument.ts), with the Allow action on the document itself (a
 * CodeLens above the first line and a button in the editor title). Allow asks once more in a
 * modal dialog over the open review, which no other extension can answer, and approves exactly
 * the snapshot the document shows; if the file changed since it opened, a new review opens
 * instead. Each review has its own URI, so an older document never approves newer content.
 */
export class ApprovalReviews implements vscode.TextDocumentContentProvider, vscode.CodeLensProvider, vscode.Disposable {
	private readonly reviews = new Map<string, Review>();
	private readonly _onDidChangeCodeLenses = new vscode.EventEmitter<void>();
	readonly onDidChangeCodeLenses = this._onDidChangeCodeLenses.event;
	private readonly disposables: vscode.Disposable[] = [this._onDidChangeCodeLenses];
	/** Set by the test hook (extension tests only): the answer to the Allow dialog, which a test cannot click. */
	confirmOverride: boolean | undefined;

	constructor(private readonly registry: FolderRegistry) {
		this.disposables.push(
			registry.onDidChange((batch) => batch.structure && this._onDidChangeCodeLenses.fire()),
			registry.gate.onDidChange(() => this._onDidChangeCodeLenses.fire()),
			vscode.workspace.onDidCloseTextDocument((document) => this.reviews.delete(document.uri.toString())),
			vscode.workspace.onDidChangeTextDocument(({ document }) => {
				const review = this.reviews.get(document.uri.toString());
				if (review?.provided && document.getText() !== review.text) {
					review.altered = true;
					this._onDidChangeCodeLenses.fire();
				}
			}),
		);
	}

	/** Opens a review of the folder's jobs as they are now; returns its URI. */
	async open(service: FolderService): Promise<vscode.Uri> {
		const { gate } = this.registry;
		const jobs = service.fileJobs;
		const folderPath = service.folder.uri.fsPath;
		const snapshot = gate.snapshot(jobs);
		const scheduleWords = new Map(jobs.flatMap((job) => (job.schedule ? [[job.id, describeSchedule(job.schedule)] as const] : [])));
		const text = renderReview({ folderName: service.name, folderPath, file: service.file, jobs: snapshot, stored: gate.stored(folderPath), requireApproval: gate.requireApproval, scheduleWords });
		const review: Review = { folderPath, snapshot, key: snapshotKey(snapshot), text, provided: false, altered: false };
		const same = [...this.reviews].find(([, r]) => r.folderPath === folderPath && r.key === review.key && r.text === text && !r.altered);
		const uri = same
			? vscode.Uri.parse(same[0])
			: vscode.Uri.from({ scheme: reviewScheme, path: `/${service.name}.jobs-review`, query: `folder=${encodeURIComponent(folderPath)}&review=${randomBytes(8).toString('hex')}` });
		if (!same) {
			this.reviews.set(uri.toString(), review);
		}
		await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
		return uri;
	}

	provideTextDocumentContent(uri: vscode.Uri): string {
		const review = this.reviews.get(uri.toString());
		if (!review) {
			return expiredText;
		}
		review.provided = true;
		return review.text;
	}

	provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
		const review = this.reviews.get(document.uri.toString());
		const top = new vscode.Range(0, 0, 0, 0);
		const service = review && this.registry.get(review.folderPath);
		if (!review || !service) {
			return [];
		}
		if (review.altered || this.isStale(review, service)) {
			const why = review.altered ? 'This review was edited' : '.jobs.json changed since this review opened';
			return [new vscode.CodeLens(top, { title: `$(warning) ${why}: Review Again`, command: Commands.approveJobs, arguments: [review.folderPath] })];
		}
		return [
			new vscode.CodeLens(top, { title: '$(check) Allow These Jobs', tooltip: 'Allow exactly the jobs this document shows to run', command: Commands.allowJobs, arguments: [document.uri] }),
			new vscode.CodeLens(top, { title: '$(json) Open .jobs.json', command: Commands.openJobsFile, arguments: [review.folderPath] }),
		];
	}

	/**
	 * Allow, from the review document (`uri`, or the active editor's): confirms in a modal over the
	 * review, then stores exactly what it shows. True when the jobs were allowed.
	 */
	async allow(uri?: vscode.Uri): Promise<boolean> {
		const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
		const review = target && this.reviews.get(target.toString());
		const service = review && this.registry.get(review.folderPath);
		if (!target || !review?.provided || !service) {
			void vscode.window.showErrorMessage('Workspace Jobs: open the review of the jobs first (Review and Allow Jobs); Allow approves what it shows.');
			return false;
		}
		const { gate } = this.registry;
		if (!gate.trusted) {
			gate.explain('untrusted', service.name, review.folderPath, service.fileJobs);
			return false;
		}
		// The dialog sits over the review it approves.
		await vscode.window.showTextDocument(target, { preview: false });
		if (review.altered || this.isStale(review, service)) {
			return this.reviewAgain(target, service, review.altered);
		}
		if (!(this.confirmOverride ?? (await confirm(service.name, summarizeReview({ jobs: review.snapshot, stored: gate.stored(review.folderPath) }))))) {
			return false;
		}
		// The file (or the document) may have changed while the dialog was open.
		if (review.altered || this.isStale(review, service)) {
			return this.reviewAgain(target, service, review.altered);
		}
		await gate.approve(review.folderPath, review.snapshot);
		this.reviews.delete(target.toString());
		await closeTabs(target);
		void vscode.window.showInformationMessage(`Workspace Jobs: the jobs of "${service.name}" are allowed to run.`);
		return true;
	}

	dispose(): void {
		vscode.Disposable.from(...this.disposables).dispose();
	}

	private isStale(review: Review, service: FolderService): boolean {
		return snapshotKey(this.registry.gate.snapshot(service.fileJobs)) !== review.key;
	}

	private async reviewAgain(stale: vscode.Uri, service: FolderService, altered: boolean): Promise<false> {
		this.reviews.delete(stale.toString());
		await closeTabs(stale);
		const why = altered ? 'The review document was edited' : `"${service.name}/.jobs.json" changed since the review opened`;
		void vscode.window.showWarningMessage(`Workspace Jobs: ${why}. Nothing was allowed; read the new review before you allow.`);
		await this.open(service);
		return false;
	}
}

/** The modal over the review: only a person can answer it (no extension can click it). */
async function confirm(folderName: string, summary: ReviewSummary): Promise<boolean> {
	const allow = 'Allow';
	const answer = await vscode.window.showWarningMessage(
		`Allow the ${summary.jobs} job${summary.jobs === 1 ? '' : 's'} of "${folderName}" to run, exactly as the review shows them?`,
		{
			modal: true,
			detail: `${summary.unattended} of them run unattended. You are asked again when a job is added, when a command, shell, cwd or env changes, and when a job starts to run unattended.`,
		},
		allow,
	);
	return answer === allow;
}

async function closeTabs(uri: vscode.Uri): Promise<void> {
	const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString());
	if (tabs.length > 0) {
		await vscode.window.tabGroups.close(tabs);
	}
}

/** Registers the review document's provider and its CodeLens; the commands are in commands.ts. */
export function registerApprovalReviews(context: vscode.ExtensionContext, registry: FolderRegistry): ApprovalReviews {
	const reviews = new ApprovalReviews(registry);
	context.subscriptions.push(
		reviews,
		vscode.workspace.registerTextDocumentContentProvider(reviewScheme, reviews),
		vscode.languages.registerCodeLensProvider({ scheme: reviewScheme }, reviews),
	);
	return reviews;
}
