import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ActiveRun, JobDefinition, RunRecord } from '../core/model';
import { runLogScheme } from './constants';
import type { FolderRegistry } from './folderRegistry';
import type { FolderService } from './folderService';
import { type RunLogInput, runLogText, runLogTitle } from './runLogText';

/** Which attempt a run log document shows; its URI's query. */
interface RunLogKey {
	folder: string;
	jobId: string;
	runId: string;
	attempt: number;
}

/** What a run was started with, remembered for the runs this window saw start (a later reload may change the definition). */
interface StartedWith {
	name: string;
	command?: string;
	cwd?: string;
	timeoutMs?: number;
	attempts: number;
}

/** How often an open document of an unfinished run looks at its log file. */
export const followIntervalMs = 250;
/** Output shown at most; a longer log shows its end, and the header names the file with all of it. */
export const maxShownBytes = 4 * 1024 * 1024;
/** Definitions remembered at run start. */
const startedLimit = 500;
/** Finished records looked up in history for a document of an older run. */
const historyLookup = 500;

/**
 * Run logs as read-only documents (the `workspace-jobs-log` scheme), titled after the job, the
 * start and the attempt ("Unit tests · 21:36:37 · attempt 2") instead of the log file's name,
 * with a header and a footer around the output (runLogText.ts). While the run goes on the
 * document follows its log file (a quarter-second look at the file's size, only while such a
 * document is open) and an editor scrolled to the end stays at the end, as `tail -f` does.
 */
export class RunLogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
	private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
	readonly onDidChange = this._onDidChange.event;
	private readonly disposables: vscode.Disposable[] = [this._onDidChange];
	private readonly startedWith = new Map<string, StartedWith>();
	private readonly finished = new Map<string, RunRecord>();
	/** Open documents of unfinished runs, by URI, with the log size they last showed. */
	private readonly following = new Map<string, { uri: vscode.Uri; size: number }>();
	private timer: NodeJS.Timeout | undefined;

	constructor(private readonly registry: FolderRegistry) {
		this.disposables.push(
			vscode.workspace.registerTextDocumentContentProvider(runLogScheme, this),
			registry.onDidStartRun(({ service, event }) => this.remember(service, event)),
			registry.onDidFinishRun(({ service, event }) => this.onFinish(service, event)),
			vscode.workspace.onDidChangeTextDocument(({ document }) => this.keepAtEnd(document)),
			{ dispose: () => this.stopTimer() },
		);
	}

	/**
	 * Opens the log of an attempt (the newest attempt of `runId` when `attempt` is undefined, the
	 * job's newest run when `runId` is too). Resolves undefined when there is no such run.
	 */
	async open(service: FolderService, jobId: string, runId?: string, attempt?: number): Promise<vscode.TextEditor | undefined> {
		const key = this.resolve(service, jobId, runId, attempt);
		if (!key) {
			return undefined;
		}
		const uri = this.uriFor(key);
		let doc = await vscode.workspace.openTextDocument(uri);
		if (doc.languageId !== 'log') {
			doc = await vscode.languages.setTextDocumentLanguage(doc, 'log');
		}
		const editor = await vscode.window.showTextDocument(doc, { preview: true });
		if (this.following.has(uri.toString())) {
			revealEnd(editor);
		}
		return editor;
	}

	provideTextDocumentContent(uri: vscode.Uri): string {
		const key = parseKey(uri);
		const service = key && this.registry.get(key.folder);
		if (!key || !service) {
			return 'This run log belongs to a folder that is no longer open.\n';
		}
		const now = Date.now();
		const input = this.inputFor(service, key);
		if (!input) {
			return `No run ${key.runId} (attempt ${key.attempt}) of "${key.jobId}" is known any more: retention may have removed it.\n`;
		}
		const { text, size } = readOutput(input.logFile);
		if (input.record) {
			this.unfollow(uri);
		} else {
			this.follow(uri, size);
		}
		return runLogText(input, text, now);
	}

	dispose(): void {
		vscode.Disposable.from(...this.disposables).dispose();
	}

	private resolve(service: FolderService, jobId: string, runId: string | undefined, attempt: number | undefined): RunLogKey | undefined {
		const job = service.engine.getJob(jobId);
		if (!job) {
			return undefined;
		}
		const folder = service.folder.uri.fsPath;
		const active = job.active.find((r) => (runId === undefined || r.runId === runId) && (attempt === undefined || r.attempt === attempt));
		if (active) {
			return { folder, jobId, runId: active.runId, attempt: active.attempt };
		}
		const record = runId === undefined ? job.lastRun : this.findRecord(service, { folder, jobId, runId, attempt });
		return record ? { folder, jobId, runId: record.runId, attempt: record.attempt } : undefined;
	}

	private uriFor(key: RunLogKey): vscode.Uri {
		const service = this.registry.get(key.folder);
		const input = service && this.inputFor(service, key);
		const title = input ? runLogTitle(input, Date.now()) : `${key.jobId} ${key.runId}`;
		return vscode.Uri.from({ scheme: runLogScheme, path: `/${title}`, query: new URLSearchParams({ folder: key.folder, job: key.jobId, run: key.runId, attempt: String(key.attempt) }).toString() });
	}

	/** The document's facts: the unfinished attempt, else its record (this session's, else from history). */
	private inputFor(service: FolderService, key: RunLogKey): RunLogInput | undefined {
		// A record heard of wins: the finish event comes before the run leaves the job's active list.
		const finished = this.finished.get(startKey(service, key));
		const active = finished ? undefined : service.engine.getJob(key.jobId)?.active.find((r) => r.runId === key.runId && r.attempt === key.attempt);
		const record = finished ?? (active ? undefined : this.findRecord(service, key));
		if (!active && !record) {
			return undefined;
		}
		const run: ActiveRun | RunRecord = active ?? record!;
		const remembered = this.startedWith.get(startKey(service, key));
		const definition = remembered ?? describeDefinition(service.engine.getDefinition(key.jobId), service.folder.uri.fsPath, key.jobId);
		return {
			jobId: key.jobId,
			jobName: definition.name,
			runId: key.runId,
			attempt: key.attempt,
			attempts: Math.max(definition.attempts, key.attempt),
			trigger: run.trigger,
			scheduledAt: run.scheduledAt,
			startedAt: run.startedAt ? Date.parse(run.startedAt) : undefined,
			command: definition.command,
			cwd: definition.cwd,
			timeoutMs: definition.timeoutMs,
			definitionIsCurrent: remembered === undefined,
			logFile: run.logFile,
			record,
			state: active?.state,
		};
	}

	private findRecord(service: FolderService, key: Omit<RunLogKey, 'attempt'> & { attempt?: number }): RunRecord | undefined {
		const cacheKey = key.attempt === undefined ? undefined : startKey(service, key as RunLogKey);
		const cached = cacheKey && this.finished.get(cacheKey);
		if (cached) {
			return cached;
		}
		const matches = service.engine.readHistory({ jobId: key.jobId, limit: historyLookup }).filter((r) => r.runId === key.runId && (key.attempt === undefined || r.attempt === key.attempt));
		const record = matches.at(-1);
		if (record && cacheKey) {
			setBounded(this.finished, cacheKey, record);
		}
		return record;
	}

	private remember(service: FolderService, run: ActiveRun): void {
		const definition = service.engine.getDefinition(run.jobId);
		if (!definition) {
			return;
		}
		setBounded(this.startedWith, startKey(service, run), describeDefinition(definition, service.folder.uri.fsPath, run.jobId));
	}

	private onFinish(service: FolderService, record: RunRecord): void {
		const key = startKey(service, record);
		for (const { uri } of this.following.values()) {
			const open = parseKey(uri);
			if (open && startKey(service, open) === key) {
				setBounded(this.finished, key, record);
				this._onDidChange.fire(uri);
			}
		}
	}

	private follow(uri: vscode.Uri, size: number): void {
		this.following.set(uri.toString(), { uri, size });
		this.timer ??= setInterval(() => this.poll(), followIntervalMs);
	}

	private unfollow(uri: vscode.Uri): void {
		if (this.following.delete(uri.toString()) && this.following.size === 0) {
			this.stopTimer();
		}
	}

	private stopTimer(): void {
		clearInterval(this.timer);
		this.timer = undefined;
	}

	/**
	 * Fires a change for each followed document whose log grew (the running footer's duration is
	 * refreshed with it), and stops following documents that are closed. Not on the close event:
	 * setting the language closes and reopens the document, and its content is not asked for again.
	 */
	private poll(): void {
		const open = new Set(vscode.workspace.textDocuments.map((doc) => doc.uri.toString()));
		for (const entry of this.following.values()) {
			if (!open.has(entry.uri.toString())) {
				this.unfollow(entry.uri);
				continue;
			}
			const key = parseKey(entry.uri);
			const service = key && this.registry.get(key.folder);
			const logFile = key && service?.engine.getJob(key.jobId)?.active.find((r) => r.runId === key.runId && r.attempt === key.attempt)?.logFile;
			const size = logFile ? fileSize(logFile) : entry.size;
			if (size !== entry.size) {
				entry.size = size;
				this._onDidChange.fire(entry.uri);
			}
		}
	}

	/** After a change, an editor that showed the old end (the last line visible) scrolls to the new end. */
	private keepAtEnd(document: vscode.TextDocument): void {
		if (document.uri.scheme !== runLogScheme) {
			return;
		}
		for (const editor of vscode.window.visibleTextEditors) {
			if (editor.document === document) {
				const lastVisible = editor.visibleRanges.at(-1)?.end.line ?? 0;
				// The change appended a few lines: within a screen of the end means the user was following.
				if (document.lineCount - lastVisible <= 40) {
					revealEnd(editor);
				}
			}
		}
	}
}

function revealEnd(editor: vscode.TextEditor): void {
	const end = new vscode.Position(Math.max(0, editor.document.lineCount - 1), 0);
	editor.revealRange(new vscode.Range(end, end), vscode.TextEditorRevealType.Default);
}

function describeDefinition(job: JobDefinition | undefined, folder: string, jobId: string): StartedWith {
	return { name: job?.name ?? jobId, command: job?.command, cwd: job ? (job.cwd ?? folder) : undefined, timeoutMs: job?.timeoutMs, attempts: 1 + Math.max(0, job?.retry?.retries ?? 0) };
}

function startKey(service: FolderService, run: { jobId: string; runId: string; attempt: number }): string {
	return `${service.folder.uri.toString()}\n${run.jobId}\n${run.runId}\n${run.attempt}`;
}

function setBounded<V>(map: Map<string, V>, key: string, value: V): void {
	map.delete(key);
	map.set(key, value);
	if (map.size > startedLimit) {
		map.delete(map.keys().next().value!);
	}
}

function parseKey(uri: vscode.Uri): RunLogKey | undefined {
	const query = new URLSearchParams(uri.query);
	const [folder, jobId, runId, attempt] = [query.get('folder'), query.get('job'), query.get('run'), Number(query.get('attempt'))];
	return folder && jobId && runId && Number.isInteger(attempt) && attempt > 0 ? { folder, jobId, runId, attempt } : undefined;
}

function fileSize(file: string): number {
	try {
		return fs.statSync(file).size;
	} catch {
		return 0;
	}
}

/** The log file's text (its last `maxShownBytes`, said so at the top) and its size; nothing when there is no file. */
function readOutput(logFile: string | undefined): { text: string; size: number } {
	if (!logFile) {
		return { text: '', size: 0 };
	}
	let fd: number | undefined;
	try {
		fd = fs.openSync(logFile, 'r');
		const size = fs.fstatSync(fd).size;
		const length = Math.min(size, maxShownBytes);
		const buffer = Buffer.alloc(length);
		fs.readSync(fd, buffer, 0, length, size - length);
		const text = buffer.toString('utf8');
		return { text: length < size ? `[the first ${size - length} bytes are not shown; the log file has all of it]\n${text.slice(text.indexOf('\n') + 1)}` : text, size };
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		return { text: code === 'ENOENT' ? '' : `[cannot read the log file: ${String((err as Error).message)}]\n`, size: 0 };
	} finally {
		if (fd !== undefined) {
			fs.closeSync(fd);
		}
	}
}
