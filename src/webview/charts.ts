import uPlot from 'uplot';
import type { StatsBucket, StatsWindow } from '../core/records/runStats';
import { formatWhen } from '../core/base/timeFormat';

/** One line of a chart and its legend entry. */
export interface SeriesSpec {
	label: string;
	/** Theme variable of its color, and the color when the theme has none. */
	colorVar: string;
	fallback: string;
	/** CSS class of its legend swatch (media/metrics.css colors it with the same variable). */
	swatch: string;
	value: (bucket: StatsBucket) => number;
	/** What the legend shows while nothing is hovered: a total or a peak over the window. */
	over: 'sum' | 'max';
	/** Dashed and without fill, so a series that often equals another does not hide it. */
	dashed?: boolean;
}

/**
 * A uPlot chart of buckets over the chosen window, with a legend that shows values without
 * hovering: over the whole window by default, the hovered bucket's while the cursor is on the
 * chart. Times come from the one formatter (src/core/base/timeFormat.ts `formatWhen`); colors from the VS Code theme's variables, re-read
 * when the theme changes.
 */
export class BucketChart {
	private plot: uPlot | undefined;
	private buckets: readonly StatsBucket[] = [];
	private window: StatsWindow | undefined;
	/** The host's clock at the last update: times on the axis and in the legend say their day relative to it. */
	private now = 0;
	private readonly values: HTMLElement[] = [];
	private readonly when: HTMLElement;

	constructor(
		private readonly host: HTMLElement,
		legend: HTMLElement,
		private readonly series: readonly SeriesSpec[],
	) {
		legend.replaceChildren();
		for (const s of series) {
			const item = document.createElement('li');
			const swatch = document.createElement('span');
			swatch.className = `swatch ${s.swatch}`;
			const value = document.createElement('strong');
			item.append(swatch, document.createTextNode(`${s.label} `), value);
			legend.append(item);
			this.values.push(value);
		}
		this.when = document.createElement('li');
		this.when.className = 'when';
		legend.append(this.when);
		new ResizeObserver(() => this.plot?.setSize(size(this.host))).observe(host);
		// VS Code swaps the body's theme class (vscode-light, vscode-dark, ...) on a theme change.
		new MutationObserver(() => this.rebuild()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
	}

	update(buckets: readonly StatsBucket[], window: StatsWindow, now: number): void {
		this.now = now;
		const changedWindow = this.window?.start !== window.start || this.window?.bucketMs !== window.bucketMs;
		this.buckets = buckets;
		this.window = window;
		if (!this.plot || changedWindow) {
			this.rebuild();
		} else {
			this.plot.setData(this.data());
		}
		this.showLegend(this.plot?.cursor.idx ?? null);
	}

	/**
	 * x: bucket starts in seconds plus the window's end, so the last bucket gets its step;
	 * y: each bucket's value, the last repeated at the end.
	 */
	private data(): uPlot.AlignedData {
		const xs = this.buckets.map((b) => b.t / 1000);
		const columns = this.series.map((s) => this.buckets.map(s.value));
		if (this.window && this.buckets.length) {
			xs.push(this.window.end / 1000);
			columns.forEach((ys) => ys.push(ys[ys.length - 1]));
		}
		return [xs, ...columns];
	}

	private rebuild(): void {
		this.plot?.destroy();
		this.host.replaceChildren();
		const window = this.window;
		if (!window) {
			return;
		}
		const foreground = themeColor('--vscode-foreground', '#cccccc');
		const grid = themeColor('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
		const axis: uPlot.Axis = { stroke: foreground, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
		const stepped = uPlot.paths.stepped?.({ align: 1 });
		this.plot = new uPlot(
			{
				...size(this.host),
				series: [
					{},
					...this.series.map((s) => {
						const color = themeColor(s.colorVar, s.fallback);
						const look = s.dashed ? { dash: [5, 4], width: 1.5 } : { fill: translucent(color), width: 2 };
						return { label: s.label, stroke: color, ...look, paths: stepped, points: { show: false } };
					}),
				],
				axes: [{ ...axis, values: (_u, splits) => splits.map((s) => formatWhen(s * 1000, this.now)) }, { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }],
				scales: {
					x: { time: true, range: () => [window.start / 1000, window.end / 1000] },
					y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
				},
				legend: { show: false },
				cursor: { drag: { x: false, y: false } },
				hooks: { setCursor: [(u) => this.showLegend(u.cursor.idx ?? null)] },
			},
			this.data(),
			this.host,
		);
	}

	/** The legend's values: the hovered bucket's, or the window's total (or peak). */
	private showLegend(idx: number | null): void {
		const bucket = idx === null ? undefined : this.buckets[Math.min(idx, this.buckets.length - 1)];
		this.series.forEach((s, i) => {
			const values = this.buckets.map(s.value);
			this.values[i].textContent = String(bucket ? s.value(bucket) : s.over === 'sum' ? values.reduce((a, b) => a + b, 0) : Math.max(0, ...values));
		});
		const window = this.window;
		if (bucket && window) {
			// `21:35:30–21:36:00`: seconds while a bucket is shorter than a minute.
			const seconds = window.bucketMs < 60_000;
			this.when.textContent = `${formatWhen(bucket.t, this.now, { seconds })}–${formatWhen(bucket.t + window.bucketMs, this.now, { seconds })}`;
		} else {
			this.when.textContent = window ? `last ${window.label}` : '';
		}
	}
}

function size(host: HTMLElement): { width: number; height: number } {
	return { width: Math.max(200, host.clientWidth), height: 180 };
}

/** A light fill under a line; only hex colors can take an alpha suffix. */
function translucent(color: string): string | undefined {
	return /^#[0-9a-f]{6}$/i.test(color) ? `${color}33` : undefined;
}

function themeColor(variable: string, fallback: string): string {
	const value = getComputedStyle(document.body).getPropertyValue(variable).trim();
	return value || fallback;
}
