import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseJobsText } from '../../../../src/core/definitions/jobsFile';
import { exportJobs } from '../../../../src/core/export/exportJobs';
import { exportPlatform, exportTargets } from '../../../../src/core/export/exportPlan';
import { formatFidelityNote } from '../../../../src/core/export/fidelityReport';
import { repoRoot } from '../../../support/paths';
import { exportNow, testImage } from '../../../support/exportCases';

const file = path.join(repoRoot, 'test/fixtures/export/.jobs.json');

/** The fidelity notes of exporting `text` (read for Linux, as the CLI and the command do) to every target. */
function notes(text: string): string[][] {
	const parsed = parseJobsText(text, file, { platform: exportPlatform });
	assert.deepEqual(parsed.diagnostics, []);
	return exportTargets.map((target) => exportJobs(parsed.config, { target, file, image: testImage }, exportNow).report.sorted().map(formatFidelityNote));
}

test('a shell other than /bin/sh -c is reported as lost by every target', () => {
	const text = JSON.stringify({
		jobs: [
			{ id: 'a', command: 'x', schedule: { every: '1h' }, shell: 'bash' },
			{ id: 'b', command: 'x', schedule: { every: '1h' }, shell: 'sh' },
			{ id: 'c', command: 'x', schedule: { every: '1h' }, windows: { shell: 'cmd' }, linux: { shell: 'pwsh' } },
		],
	});
	const all = notes(text);
	assert.equal(all.length, exportTargets.length);
	for (const lines of all) {
		const shells = lines.filter((line) => line.includes('.shell:'));
		assert.equal(shells.length, 2, lines.join('\n'));
		assert.match(shells[0], /^jobs\[0\]\.shell: .+ runs the command with \/bin\/sh -c; the shell "bash -c" is not kept \(lost\)$/);
		assert.match(shells[1], /^jobs\[2\]\.shell: .+ the shell "pwsh -NoLogo -NoProfile -NonInteractive -Command" is not kept \(lost\)$/);
	}
});
