import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportSummary, reportText } from '../../../src/extension/exportReport';
import { exportFile, fixtureFile } from '../../support/exportCases';

test('the command summary counts approximate, lost and left-out notes', () => {
	const result = exportFile(fixtureFile, 'systemd');
	const count = (fidelity: string) => result.report.notes.filter((n) => n.fidelity === fidelity).length;
	assert.equal(exportSummary(result, 'systemd'), `${result.files.length} files for systemd; ${count('approximate')} approximate, ${count('lost')} lost, 2 jobs left out`);
});

test('the report document lists the files and the CLI report lines', () => {
	const result = exportFile(fixtureFile, 'github-actions');
	const text = reportText(result, 'github-actions');
	assert.ok(text.includes('  .github/workflows/jobs-hourly.yml\n'), text);
	assert.ok(text.includes('\njobs[0].retry: GitHub Actions has no job retry; emitted as a shell loop without jitter (approximate)\n'), text);
	assert.ok(text.indexOf('jobs[0].') < text.indexOf('jobs[7]'), text);
});
