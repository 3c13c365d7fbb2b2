/** The text the "Export Jobs…" command shows: pure, so it is tested without VS Code. */
import { type ExportResult, type ExportTarget, targetTitles } from '../core/export/exportPlan';
import { formatFidelityNote } from '../core/export/fidelityReport';

/** The report document: a heading, then one line per note as the CLI prints them. */
export function reportText(result: ExportResult, target: ExportTarget): string {
	const notes = result.report.sorted().map(formatFidelityNote);
	const files = result.files.map((f) => `  ${f.path}`);
	return [`Export to ${targetTitles[target]}: ${exportSummary(result, target)}`, '', 'Files:', ...files, '', notes.length ? 'What does not map exactly:' : 'Everything mapped exactly.', ...notes, ''].join('\n');
}

/** `3 files for systemd; 2 approximate, 1 lost, 1 job left out`. */
export function exportSummary(result: ExportResult, target: ExportTarget): string {
	const count = (fidelity: string) => result.report.notes.filter((n) => n.fidelity === fidelity).length;
	const parts = [`${count('approximate')} approximate`, `${count('lost')} lost`];
	const leftOut = count('note');
	if (leftOut) {
		parts.push(`${leftOut} job${leftOut === 1 ? '' : 's'} left out`);
	}
	return `${result.files.length} file${result.files.length === 1 ? '' : 's'} for ${targetTitles[target]}; ${parts.join(', ')}`;
}
