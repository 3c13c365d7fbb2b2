/** Summaries of repeated measurements: a median with its min and max. */
export interface Figure {
	median: number;
	min: number;
	max: number;
	n: number;
}

export function figure(values: readonly number[]): Figure | undefined {
	const finite = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
	if (finite.length === 0) {
		return undefined;
	}
	const sorted = [...finite].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
	return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** Compact number: 3 significant digits, thousands as k. */
export function fmt(value: number): string {
	const abs = Math.abs(value);
	if (abs >= 100_000) {
		return `${(value / 1000).toFixed(0)}k`;
	}
	if (abs >= 10_000) {
		return `${(value / 1000).toFixed(1)}k`;
	}
	if (abs >= 100) {
		return value.toFixed(0);
	}
	if (abs >= 10) {
		return value.toFixed(1);
	}
	return value.toFixed(2);
}

/** `median unit (min–max)`, or the median alone when every run agreed or there was one run. */
export function fmtFigure(f: Figure | undefined, unit = ''): string {
	if (!f) {
		return '—';
	}
	const range = f.n > 1 && f.min !== f.max ? ` (${fmt(f.min)}–${fmt(f.max)})` : '';
	return `${fmt(f.median)}${unit}${range}`;
}
