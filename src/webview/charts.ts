import uPlot from 'uplot';
import type { ThroughputBucket } from '../core/records/metrics';

/** One sample of the activity chart (taken from each snapshot the host posts). */
export interface ActivitySample {
	/** Epoch seconds. */
	t: number;
	running: number;
	queued: number;
}

/** Keep about half an hour of activity at the ~4 snapshots/s the host posts at most. */
export const maxSamples = 600;

/** The activity chart spans at least ten minutes. */
const activityWindowS = 600;

/**
 * The two uPlot charts: throughput per minute over the last hour, and runs in progress over
 * time. Colors come from the VS Code theme's CSS variables and are re-read when the theme changes.
 */
export class Charts {
	private throughput: uPlot | undefined;
	private activity: uPlot | undefined;
	private lastThroughput: uPlot.AlignedData = [[], [], []];
	private lastActivity: uPlot.AlignedData = [[], [], []];
	private readonly resize: ResizeObserver;

	constructor(
		private readonly throughputHost: HTMLElement,
		private readonly activityHost: HTMLElement,
	) {
		this.resize = new ResizeObserver(() => this.fit());
		this.resize.observe(throughputHost);
		this.resize.observe(activityHost);
		// VS Code swaps the body's theme class (vscode-light, vscode-dark, ...) on a theme change.
		new MutationObserver(() => this.rebuild()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
		this.rebuild();
	}

	setThroughput(buckets: readonly ThroughputBucket[]): void {
		this.lastThroughput = [buckets.map((b) => b.t / 1000), buckets.map((b) => b.completed), buckets.map((b) => b.failed)];
		this.throughput?.setData(this.lastThroughput);
	}

	setActivity(samples: readonly ActivitySample[]): void {
		this.lastActivity = [samples.map((s) => s.t), samples.map((s) => s.running), samples.map((s) => s.queued)];
		this.activity?.setData(this.lastActivity);
	}

	private rebuild(): void {
		this.throughput?.destroy();
		this.activity?.destroy();
		this.throughput = this.create(this.throughputHost, this.lastThroughput, 0, [
			{ label: 'Completed', color: themeColor('--vscode-charts-green', '#388a34') },
			{ label: 'Failed', color: themeColor('--vscode-charts-red', '#e51400') },
		]);
		this.activity = this.create(this.activityHost, this.lastActivity, activityWindowS, [
			{ label: 'Running', color: themeColor('--vscode-charts-blue', '#1a85ff') },
			{ label: 'Queued', color: themeColor('--vscode-charts-yellow', '#bf8803') },
		]);
	}

	/** `minSpanS`: the x axis shows at least this many seconds, so a few samples do not stretch over years. */
	private create(host: HTMLElement, data: uPlot.AlignedData, minSpanS: number, series: Array<{ label: string; color: string }>): uPlot {
		host.replaceChildren();
		const foreground = themeColor('--vscode-foreground', '#cccccc');
		const grid = themeColor('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
		const axis: uPlot.Axis = { stroke: foreground, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
		return new uPlot(
			{
				...size(host),
				series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, fill: translucent(s.color), width: 2, points: { show: sparse } }))],
				axes: [axis, { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
				scales: {
					x: { time: true, range: (u, min, max) => xRange(u, min, max, minSpanS) },
					y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
				},
				legend: { show: true },
				cursor: { drag: { x: false, y: false } },
			},
			data,
			host,
		);
	}

	private fit(): void {
		this.throughput?.setSize(size(this.throughputHost));
		this.activity?.setSize(size(this.activityHost));
	}
}

/**
 * The x range from the data itself: uPlot widens a single time sample to 86400 / ms, which with
 * second timestamps is years.
 */
function xRange(u: uPlot, min: number, max: number, minSpanS: number): uPlot.Range.MinMax {
	const xs = u.data[0];
	if (!xs?.length) {
		return [min, max];
	}
	const lo = xs[0];
	const hi = xs[xs.length - 1];
	return hi - lo < minSpanS ? [hi - Math.max(minSpanS, 1), hi] : [lo, hi];
}

function size(host: HTMLElement): { width: number; height: number } {
	return { width: Math.max(200, host.clientWidth), height: 180 };
}

/** Points only while there are too few samples to draw a line. */
function sparse(u: uPlot): boolean {
	return (u.data[0]?.length ?? 0) < 3;
}

/** A light fill under a line; only hex colors can take an alpha suffix. */
function translucent(color: string): string | undefined {
	return /^#[0-9a-f]{6}$/i.test(color) ? `${color}22` : undefined;
}

function themeColor(variable: string, fallback: string): string {
	const value = getComputedStyle(document.body).getPropertyValue(variable).trim();
	return value || fallback;
}
