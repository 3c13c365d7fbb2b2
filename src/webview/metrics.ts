// The metrics webview. Bundled by esbuild (iife) into dist/webview/metrics.js; uPlot's CSS is
// imported here and lands in dist/webview/metrics.css. Runs under a strict CSP: no inline
// script or style, all text through textContent.
import 'uplot/dist/uPlot.min.css';
import { formatDuration } from '../core/base/duration';
import { type ActivitySample, Charts, maxSamples } from './charts';
import { JobTable, type SortState } from './jobTable';
import { type MetricsView, parseHostMessage, type WebviewMessage } from './protocol';

/** What survives the page being hidden and shown again (getState/setState). */
interface PanelState {
	sort: SortState;
	samples: ActivitySample[];
}

const vscode = acquireVsCodeApi<PanelState>();
const saved = vscode.getState();
const state: PanelState = { sort: saved?.sort ?? { key: 'name', dir: 1 }, samples: Array.isArray(saved?.samples) ? saved.samples : [] };

const cards: Array<{ id: string; label: string; value: (v: MetricsView) => string; bad?: (v: MetricsView) => boolean }> = [
	{ id: 'total', label: 'Runs', value: (v) => String(v.total) },
	{ id: 'completed', label: 'Completed', value: (v) => String(v.completed) },
	{ id: 'failed', label: 'Failed', value: (v) => String(v.failed), bad: (v) => v.failed > 0 },
	{ id: 'rate', label: 'Failure rate', value: (v) => `${(v.failureRate * 100).toFixed(1)}%`, bad: (v) => v.failureRate > 0 },
	{ id: 'retries', label: 'Retries', value: (v) => String(v.retries) },
	{ id: 'running', label: 'Running now', value: (v) => String(v.runningNow) },
	{ id: 'queued', label: 'Queued', value: (v) => String(v.queuedNow) },
	{ id: 'avg', label: 'Average duration', value: (v) => formatDuration(v.avgDurationMs) },
	{ id: 'max', label: 'Longest run', value: (v) => formatDuration(v.maxDurationMs) },
	{ id: 'canceled', label: 'Canceled', value: (v) => String(v.canceled) },
	{ id: 'skipped', label: 'Skipped', value: (v) => String(v.skipped) },
];

const ui = buildLayout();
const charts = new Charts(ui.throughput, ui.activity);
charts.setActivity(state.samples);
const table = new JobTable(
	ui.table,
	state.sort,
	(sort) => {
		state.sort = sort;
		vscode.setState(state);
	},
	(action, row) => post({ type: action === 'run' ? 'job/run' : 'job/showLog', folder: row.folder, jobId: row.jobId }),
);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
	const message = parseHostMessage(event.data);
	if (message) {
		render(message.view);
	}
});
post({ type: 'webview/ready' });

function post(message: WebviewMessage): void {
	vscode.postMessage(message);
}

function render(view: MetricsView): void {
	ui.main.setAttribute('aria-busy', 'false');
	ui.since.textContent = `Since ${new Date(view.since).toLocaleString()} · updated ${new Date(view.generatedAt).toLocaleTimeString()}`;
	for (const card of cards) {
		const dd = ui.values.get(card.id)!;
		dd.textContent = card.value(view);
		dd.classList.toggle('bad', card.bad?.(view) ?? false);
	}
	const hour = view.throughput.reduce((sum, b) => ({ completed: sum.completed + b.completed, failed: sum.failed + b.failed }), { completed: 0, failed: 0 });
	ui.throughputSummary.textContent = `Last hour: ${hour.completed} completed, ${hour.failed} failed.`;
	charts.setThroughput(view.throughput);
	const last = state.samples[state.samples.length - 1];
	const t = Math.floor(view.generatedAt / 1000);
	if (!last || last.t < t) {
		state.samples.push({ t, running: view.runningNow, queued: view.queuedNow });
		state.samples.splice(0, Math.max(0, state.samples.length - maxSamples));
	} else {
		last.running = Math.max(last.running, view.runningNow);
		last.queued = Math.max(last.queued, view.queuedNow);
	}
	ui.activitySummary.textContent = `Now: ${view.runningNow} running, ${view.queuedNow} queued.`;
	charts.setActivity(state.samples);
	table.update(view.perJob, view.focus);
	vscode.setState(state);
}

function buildLayout() {
	const main = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
	main.replaceChildren();
	const header = el('header');
	const title = el('h1', 'Job Metrics');
	const since = el('p', '', 'since');
	header.append(title, since);

	const totals = el('section');
	totals.setAttribute('aria-label', 'Totals');
	const dl = el('dl', '', 'cards');
	const values = new Map<string, HTMLElement>();
	for (const card of cards) {
		const div = el('div', '', 'card');
		const dd = el('dd', '–');
		div.append(el('dt', card.label), dd);
		dl.append(div);
		values.set(card.id, dd);
	}
	totals.append(dl);

	const chartsSection = el('section', '', 'charts');
	const [throughputFigure, throughput, throughputSummary] = figure('Throughput per minute, last hour');
	const [activityFigure, activity, activitySummary] = figure('Runs in progress');
	chartsSection.append(throughputFigure, activityFigure);

	const jobs = el('section');
	jobs.append(el('h2', 'Jobs'));
	const tableEl = document.createElement('table');
	tableEl.className = 'jobs';
	jobs.append(tableEl);

	main.append(header, totals, chartsSection, jobs);
	return { main, since, values, throughput, throughputSummary, activity, activitySummary, table: tableEl };
}

function figure(caption: string): [HTMLElement, HTMLElement, HTMLElement] {
	const fig = el('figure');
	const cap = el('figcaption', caption);
	const chart = el('div', '', 'chart');
	chart.setAttribute('role', 'img');
	chart.setAttribute('aria-label', caption);
	const summary = el('p', '', 'summary');
	fig.append(cap, chart, summary);
	return [fig, chart, summary];
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = ''): HTMLElementTagNameMap[K] {
	const node = document.createElement(tag);
	if (text) {
		node.textContent = text;
	}
	if (className) {
		node.className = className;
	}
	return node;
}
