/**
 * The one shape of "this input is wrong": every reader of `.jobs.json` reports through it, and
 * both hosts show it (the CLI as a `file:line:col` line, VS Code in the Problems panel).
 */

/** One problem found in the file. Lines and columns are 1-based; the end is exclusive. */
export interface Diagnostic {
	file: string;
	line: number;
	column: number;
	endLine: number;
	endColumn: number;
	/** field path like jobs[2].timeout, '' for whole file */
	path: string;
	/** The problem, starting with the field path when there is one: `jobs[2].timeout: must be ...`. */
	message: string;
	severity: 'error' | 'warning';
	/** id of the job the problem belongs to, when known */
	jobId?: string;
}

/** `PATH:LINE:COL: error: MESSAGE`, the form terminals and problem matchers turn into links. */
export function formatDiagnostic(d: Diagnostic): string {
	return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}
