import * as vscode from 'vscode';
import type { RunRecord } from '../core/model';
import { longestWindowMs } from '../core/records/runStats';
import { type HostMessage, type MetricsView, parseWebviewMessage, type WebviewMessage } from '../webview/protocol';
import { Commands, metricsViewType } from './constants';
import type { FolderRegistry } from './folderRegistry';
import type { FolderService } from './folderService';
import { metricsPageHtml, newNonce } from './metricsPage';
import { buildMetricsView } from './metricsView';

/** At most one snapshot per this many ms while runs finish in a burst. */
const postIntervalMs = 250;
/** The charts' window moves on even when nothing runs. */
const tickMs = 10_000;
/**
 * History is read again at least this often without a finished run in this window: a prune
 * drops records, and in a window that does not run the schedule (another window or the CLI
 * does) no run finishes here at all.
 */
const rereadMs = 60_000;

/** What the test hook reports about the panel. */
export interface MetricsPanelState {
	open: boolean;
	visible: boolean;
	/** `webview/ready` messages received (one per load of the page). */
	readyCount: number;
	/** Snapshots posted. */
	postedCount: number;
	lastView?: MetricsView;
}

/**
 * The metrics webview: a singleton panel that shows engine metrics with live updates by
 * postMessage. Strict CSP with a fresh nonce per render, resources only from media/ and
 * dist/webview/, and every message from the page validated. Without retainContextWhenHidden the
 * page reloads when shown again, posts `webview/ready`, and the handshake refills it.
 */
export class MetricsPanel implements vscode.Disposable {
	static current: MetricsPanel | undefined;
	private static lastState: MetricsPanelState = { open: false, visible: false, readyCount: 0, postedCount: 0 };

	private readonly disposables: vscode.Disposable[] = [];
	private focus: string | undefined;
	private ready = false;
	private lastPost = 0;
	private postTimer: NodeJS.Timeout | undefined;
	private readonly state: MetricsPanelState = { open: true, visible: true, readyCount: 0, postedCount: 0 };
	/** Each folder's history of the longest window, read again after a run finishes or `rereadMs`. */
	private readonly history = new Map<FolderService, { records: RunRecord[]; readAt: number; stale: boolean }>();

	static createOrShow(extensionUri: vscode.Uri, registry: FolderRegistry, focus?: string): MetricsPanel {
		if (MetricsPanel.current) {
			MetricsPanel.current.setFocus(focus);
			MetricsPanel.current.panel.reveal();
			return MetricsPanel.current;
		}
		const panel = vscode.window.createWebviewPanel(metricsViewType, 'Job Metrics', vscode.ViewColumn.Active, webviewOptions(extensionUri));
		MetricsPanel.current = new MetricsPanel(panel, extensionUri, registry, focus);
		return MetricsPanel.current;
	}

	/** Restores a panel VS Code kept across a reload (registered serializer). */
	static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, registry: FolderRegistry): void {
		MetricsPanel.current?.dispose();
		MetricsPanel.current = new MetricsPanel(panel, extensionUri, registry, undefined);
	}

	static testState(): MetricsPanelState {
		return { ...(MetricsPanel.current?.state ?? MetricsPanel.lastState) };
	}

	private constructor(
		private readonly panel: vscode.WebviewPanel,
		private readonly extensionUri: vscode.Uri,
		private readonly registry: FolderRegistry,
		focus: string | undefined,
	) {
		this.focus = focus;
		this.state.visible = panel.visible;
		panel.webview.options = webviewOptions(extensionUri);
		panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'jobs.svg');
		panel.webview.html = this.render();
		const tick = setInterval(() => this.postSoon(), tickMs);
		this.disposables.push(
			panel.onDidDispose(() => this.dispose()),
			panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(parseWebviewMessage(message))),
			panel.onDidChangeViewState(() => {
				this.state.visible = panel.visible;
				if (!panel.visible) {
					this.ready = false;
				}
			}),
			registry.onDidChange(() => this.postSoon()),
			registry.onDidFinishRun(({ service }) => {
				const cached = this.history.get(service);
				if (cached) {
					cached.stale = true;
				}
			}),
			{ dispose: () => clearInterval(tick) },
		);
	}

	dispose(): void {
		if (MetricsPanel.current === this) {
			MetricsPanel.current = undefined;
		}
		clearTimeout(this.postTimer);
		MetricsPanel.lastState = { ...this.state, open: false, visible: false };
		this.panel.dispose();
		vscode.Disposable.from(...this.disposables).dispose();
		this.disposables.length = 0;
	}

	private setFocus(focus: string | undefined): void {
		this.focus = focus;
		this.postSoon();
	}

	private onMessage(message: WebviewMessage | undefined): void {
		if (!message) {
			return;
		}
		switch (message.type) {
			case 'webview/ready':
				this.state.readyCount++;
				this.ready = true;
				this.post();
				break;
			case 'job/run':
			case 'job/showLog': {
				const service = this.registry.all().find((s) => s.name === message.folder);
				if (service?.engine.getDefinition(message.jobId)) {
					const command = message.type === 'job/run' ? Commands.runJob : Commands.showLog;
					void vscode.commands.executeCommand(command, { folder: service.folder.uri.fsPath, jobId: message.jobId });
				}
				break;
			}
		}
	}

	/** Posts now if the last post is old enough, otherwise once the interval has passed. */
	private postSoon(): void {
		if (!this.ready || this.postTimer) {
			return;
		}
		const wait = Math.max(0, this.lastPost + postIntervalMs - Date.now());
		this.postTimer = setTimeout(() => {
			this.postTimer = undefined;
			this.post();
		}, wait);
	}

	private post(): void {
		if (!this.ready || !this.panel.visible) {
			return;
		}
		const now = Date.now();
		const services = this.registry.withJobs();
		const view = buildMetricsView(
			services.map((service) => {
				const jobs = service.engine.getJobs();
				const { running, waiting } = service.engine.runCounts();
				const runningSince = jobs.flatMap((job) => job.active.flatMap((run) => (run.state === 'running' && run.startedAt ? [Date.parse(run.startedAt)] : [])));
				return { folder: service.name, records: this.historyOf(service, now), runningSince, running, waiting, names: new Map(jobs.map((job) => [job.id, job.name])) };
			}),
			now,
			this.focusKey(),
		);
		const message: HostMessage = { type: 'metrics/didChange', view };
		this.lastPost = Date.now();
		this.state.postedCount++;
		this.state.lastView = view;
		void this.panel.webview.postMessage(message);
	}

	/** The folder's records of the longest window; read from history (the engine's facade) only when they may have changed. */
	private historyOf(service: FolderService, now: number): RunRecord[] {
		let cached = this.history.get(service);
		if (!cached || cached.stale || now - cached.readAt >= rereadMs) {
			cached = { records: service.engine.readHistory({ since: new Date(now - longestWindowMs).toISOString() }), readAt: now, stale: false };
			this.history.set(service, cached);
		}
		for (const gone of [...this.history.keys()].filter((s) => !this.registry.all().includes(s))) {
			this.history.delete(gone);
		}
		return cached.records;
	}

	/** `folder/jobId` of the focused job, if it is known. */
	private focusKey(): string | undefined {
		if (!this.focus) {
			return undefined;
		}
		const found = this.registry.findJob(this.focus);
		return found ? `${found.service.name}/${this.focus}` : undefined;
	}

	private render(): string {
		const webview = this.panel.webview;
		const asset = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...segments)).toString();
		return metricsPageHtml(
			{ cspSource: webview.cspSource, bundleCss: asset('dist', 'webview', 'metrics.css'), themeCss: asset('media', 'metrics.css'), script: asset('dist', 'webview', 'metrics.js') },
			newNonce(),
		);
	}
}

/** Registers the serializer so an open panel survives a window reload. */
export function registerMetricsPanel(context: vscode.ExtensionContext, registry: FolderRegistry): void {
	context.subscriptions.push(
		vscode.window.registerWebviewPanelSerializer(metricsViewType, {
			deserializeWebviewPanel: async (panel) => MetricsPanel.revive(panel, context.extensionUri, registry),
		}),
		{ dispose: () => MetricsPanel.current?.dispose() },
	);
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
	return {
		enableScripts: true,
		localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
	};
}
