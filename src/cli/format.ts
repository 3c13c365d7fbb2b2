/**
 * What the CLI prints about runs and jobs, as pure functions of records: statuses, the result
 * lines and totals of `run`, and "did you mean" for job ids.
 */
import { closestMatch } from '../core/base/closestMatch';
import { formatElapsed } from '../core/base/timeFormat';
import type { RunRecord, RunStatus } from '../core/model';
import type { Palette } from './output';

/**
 * Why a run did not complete, as a person says it: `exit 2` for a command's exit code, the
 * signal's name when it was killed (`SIGTERM`), otherwise the reason (`timeout`, `overlap`).
 */
export function reasonText(r: Pick<RunRecord, 'reason' | 'exitCode' | 'signal'>): string | undefined {
	if (r.reason === 'exit-code' && typeof r.exitCode === 'number') {
		return `exit ${r.exitCode}`;
	}
	if (r.reason === 'signal' && r.signal) {
		return r.signal;
	}
	return r.reason;
}

/** `failed (exit 2)`, `skipped (overlap)`, `completed`. */
export function statusText(r: Pick<RunRecord, 'status' | 'reason' | 'exitCode' | 'signal'>): string {
	const reason = r.status === 'completed' ? undefined : reasonText(r);
	return reason ? `${r.status} (${reason})` : r.status;
}

/** A status coloured by outcome: green done, yellow held back, red failed. */
export function colorStatus(text: string, status: RunStatus | string, palette: Palette): string {
	if (status === 'completed') {
		return palette.green(text);
	}
	return status === 'skipped' || status === 'canceled' || status === 'missed' ? palette.yellow(text) : palette.red(text);
}

/** One result line of `run`: `ok   build (307 ms)`, `FAIL test (1.2 s) failed (exit 3): …`. */
export function resultLine(r: RunRecord, palette: Palette): string {
	const mark = r.status === 'completed' ? 'ok  ' : r.status === 'skipped' ? 'skip' : 'FAIL';
	const detail = r.status === 'completed' ? '' : ` ${statusText(r)}${r.message ? `: ${r.message}` : ''}`;
	return `${colorStatus(mark, r.status, palette)} ${r.jobId} (${formatElapsed(r.durationMs)})${detail}`;
}

/** The order statuses are counted in on the totals line. */
const statusOrder: readonly string[] = ['completed', 'failed', 'canceled', 'interrupted', 'skipped', 'missed'];

/** The last line of `run`: `3 jobs: 2 completed, 1 failed in 4.2 s`; only the statuses that occur. */
export function totalsLine(records: readonly RunRecord[], elapsedMs: number, palette: Palette): string {
	const counts = new Map<string, number>();
	for (const r of records) {
		counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
	}
	const statuses = [...counts.keys()].sort((a, b) => rank(a) - rank(b));
	const parts = statuses.map((status) => colorStatus(`${counts.get(status)} ${status}`, status, palette));
	const jobs = `${records.length} job${records.length === 1 ? '' : 's'}`;
	return `${jobs}: ${parts.length ? parts.join(', ') : 'nothing ran'} in ${formatElapsed(elapsedMs)}`;
}

function rank(status: string): number {
	const i = statusOrder.indexOf(status);
	return i === -1 ? statusOrder.length : i;
}

/** `unknown job "nope"; did you mean "nightly"?`, one line per id that is not in `known`. */
export function unknownJobLines(ids: readonly string[], known: readonly string[]): string[] {
	return ids.map((id) => {
		const suggestion = closestMatch(id, known);
		return `unknown job "${id}"${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}`;
	});
}
