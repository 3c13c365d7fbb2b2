// The metrics webview. Bundled by esbuild (iife) into dist/webview/metrics.js; uPlot's CSS is
// imported here and lands in dist/webview/metrics.css. Runs under a strict CSP: no inline
// script or style, all text through textContent.
import 'uplot/dist/uPlot.min.css';
import { formatElapsed, formatRelative, formatWhen } from '../core/base/timeFormat';
import { BucketChart } from './charts';
import { JobTable, sortKeys, type SortState } from './jobTable';
import { type MetricsView, parseHostMessage, type WebviewMessage } from './protocol';

/** What survives the page being hidden and shown again (getState/setState). */
interface PanelState {
	sort: SortState;
}

const vscode = acquireVsCodeApi<PanelState>();
const saved = vscode.getState()?.sort;
const state: PanelState = { sort: saved && sortKeys.includes(saved.key) && (saved.dir === 1 || saved.dir === -1) ? saved : { key: 'name', dir: 1 } };

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/** The cards: runs first (a run is one trigger, however many attempts it took), then attempts. */
const cards: Array<{ id: string; label: string; value: (v: MetricsView) => string; bad?: (v: MetricsView) => boolean }> = [
	{ id: 'runs', label: 'Runs', value: (v) => String(v.totals.runs) },
	{ id: 'completed', label: 'Completed', value: (v) => String(v.totals.completed) },
	{ id: 'failed', label: 'Failed', value: (v) => String(v.totals.failed), bad: (v) => v.totals.failed > 0 },
	{ id: 'rate', label: 'Failure rate', value: (v) => percent(v.totals.failureRate), bad: (v) => v.totals.failureRate > 0 },
	{ id: 'attempts', label: 'Attempts', value: (v) => String(v.totals.attempts) },
	{ id: 'retries', label: 'Retries', value: (v) => String(v.totals.retries) },
	{ id: 'running', label: 'Running now', value: (v) => String(v.runningNow) },
	{ id: 'queued', label: 'Waiting', value: (v) => String(v.queuedNow) },
	{ id: 'avg', label: 'Average run', value: (v) => (v.totals.runs ? formatElapsed(v.totals.avgDurationMs) : '–') },
	{ id: 'max', label: 'Longest run', value: (v) => (v.totals.runs ? formatElapsed(v.totals.maxDurationMs) : '–') },
	{ id: 'canceled', label: 'Canceled', value: (v) => String(v.totals.canceled) },
	{ id: 'skipped', label: 'Skipped', value: (v) => String(v.totals.skipped) },
];

const ui = buildLayout();
const runsChart = new BucketChart(ui.runsChart, ui.runsLegend, [
	{ label: 'Completed', colorVar: '--vscode-charts-green', fallback: '#388a34', swatch: 'completed', value: (b) => b.completed, over: 'sum' },
	{ label: 'Failed', colorVar: '--vscode-charts-red', fallback: '#e51400', swatch: 'failed', value: (b) => b.failed, over: 'sum' },
	{ label: 'Retries', colorVar: '--vscode-charts-yellow', fallback: '#bf8803', swatch: 'retries', value: (b) => b.retries, over: 'sum', dashed: true },
]);
const busyChart = new BucketChart(ui.busyChart, ui.busyLegend, [
	{ label: 'Peak running', colorVar: '--vscode-charts-blue', fallback: '#1a85ff', swatch: 'running', value: (b) => b.peakRunning, over: 'max' },
]);
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
	const now = view.generatedAt;
	const oldest = view.oldest === undefined ? 'no runs yet' : `oldest ${formatWhen(view.oldest, now, { seconds: true })} (${formatRelative(view.oldest, now)})`;
	ui.since.textContent = `Runs in the last ${view.window.label}, from history: ${oldest} · updated ${formatWhen(now, now, { seconds: true })}`;
	for (const card of cards) {
		const dd = ui.values.get(card.id)!;
		dd.textContent = card.value(view);
		dd.classList.toggle('bad', card.bad?.(view) ?? false);
	}
	const t = view.totals;
	ui.others.textContent = `${t.retriedRuns} of ${t.runs + t.retrying} runs needed a retry${t.retrying ? ` (${t.retrying} waiting for one)` : ''}; ${t.interrupted} interrupted, ${t.missed} missed.`;
	const bucket = formatElapsed(view.window.bucketMs);
	ui.runsCaption.textContent = `Runs ended per ${bucket}, last ${view.window.label}`;
	ui.busyCaption.textContent = `Attempts running at once (peak per ${bucket}), last ${view.window.label}`;
	runsChart.update(view.buckets, view.window, now);
	busyChart.update(view.buckets, view.window, now);
	table.update(view.perJob, view.focus, view.generatedAt, view.window.label);
}

function buildLayout() {
	const main = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
	main.replaceChildren();
	const header = el('header');
	const since = el('p', '', 'since');
	header.append(el('h1', 'Job Metrics'), since);

	const totals = el('section');
	totals.setAttribute('aria-label', 'Totals');
	const dl = el('dl', '', 'cards');
	const values = new Map<string, HTMLElement>();
	for (const card of cards) {
		const div = el('div', '', 'card');
		const dd = el('dd', '–');
		dd.id = `card-${card.id}`;
		div.append(el('dt', card.label), dd);
		dl.append(div);
		values.set(card.id, dd);
	}
	const others = el('p', '', 'others');
	totals.append(dl, others);

	const chartsSection = el('section', '', 'charts');
	const runs = figure('runs');
	const busy = figure('busy');
	chartsSection.append(runs.figure, busy.figure);

	const jobs = el('section');
	jobs.append(el('h2', 'Jobs'));
	const scroller = el('div', '', 'table-scroll');
	const tableEl = document.createElement('table');
	tableEl.className = 'jobs';
	scroller.append(tableEl);
	jobs.append(scroller);

	main.append(header, totals, chartsSection, jobs);
	return { main, since, values, others, runsChart: runs.chart, runsLegend: runs.legend, runsCaption: runs.caption, busyChart: busy.chart, busyLegend: busy.legend, busyCaption: busy.caption, table: tableEl };
}

function figure(id: string): { figure: HTMLElement; caption: HTMLElement; chart: HTMLElement; legend: HTMLElement } {
	const fig = el('figure');
	fig.id = `chart-${id}`;
	const caption = el('figcaption');
	caption.id = `chart-${id}-caption`;
	const chart = el('div', '', 'chart');
	chart.setAttribute('role', 'img');
	chart.setAttribute('aria-labelledby', caption.id);
	const legend = el('ul', '', 'legend');
	fig.append(caption, chart, legend);
	return { figure: fig, caption, chart, legend };
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
