// The run log document as a user sees it (src/extension/runLogDocument.ts): opened from the Jobs
// tree while the job runs, it grows with the output, then shows its footer; the tab is titled
// after the job and the start, not the log file, and no escape code reaches the editor. A second
// job is killed by its timeout and its footer says so. Screenshots: test-results/ui/run-log-*.png
// (run-log-2-finished.png is the README's media/screenshots/run-log.png).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { expectVisible, withWorkbench } from '../harness/ui.mjs';
import { clickContextMenu, expectJobState, jobRow, openJobsView, saveForReadme, shot } from './jobsUi.mjs';

const EDITOR_LINES = '.editor-group-container.active .monaco-editor .view-lines';

/**
 * The text the active editor shows, line by line from the top: Monaco positions its line elements
 * absolutely and reuses them, so their DOM order is not the document's after an update; it
 * renders spaces as no-break spaces.
 */
async function editorText(page) {
	const text = await page
		.locator(EDITOR_LINES)
		.first()
		.evaluate((el) =>
			[...el.querySelectorAll('.view-line')]
				.map((line) => ({ top: parseFloat(line.style.top) || 0, text: line.textContent ?? '' }))
				.sort((a, b) => a.top - b.top)
				.map((line) => line.text)
				.join('\n'),
		);
	return text.replace(/\u00a0/g, ' ');
}

/** Polls the active editor until its text matches `pattern`; fails with the text it last had. */
async function expectEditorText(page, pattern, what, timeout = 15_000) {
	const deadline = Date.now() + timeout;
	let text = '';
	while (Date.now() < deadline) {
		text = await editorText(page).catch(() => '');
		if (pattern.test(text)) {
			return text;
		}
		await page.waitForTimeout(200);
	}
	throw new Error(`missing surface: ${what}: the editor shows ${JSON.stringify(text)}`);
}

test('Show Run Log opens a titled document that follows the run, then shows how it ended', { timeout: 150_000 }, () =>
	withWorkbench({ fixture: 'logs', label: 'run-log', settings: { 'workspaceJobs.requireApproval': false } }, async ({ page }) => {
		await openJobsView(page);
		await clickContextMenu(page, jobRow(page, 'Unit tests'), 'Run Job Now');
		await expectJobState(page, 'Unit tests', 'running');
		await clickContextMenu(page, jobRow(page, 'Unit tests'), 'Show Run Log');

		// The tab is named after the job, the start and nothing else: no `<run id>-1.log`.
		const tab = await expectVisible(page.locator('.tabs-container .tab.active', { hasText: /^Unit tests · \d\d:\d\d:\d\d/ }), 'the run log tab titled "Unit tests · hh:mm:ss"');
		assert.doesNotMatch(await tab.innerText(), /\.log/);
		const running = await expectEditorText(page, /Command +for i in[\s\S]*step 1 passed[\s\S]*▶ Running for/, 'the header, the first output line and the running footer');
		assert.match(running, /Trigger +run by hand/);
		assert.match(running, /Started +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
		const firstSteps = (running.match(/step \d passed/g) ?? []).length;
		assert.ok(firstSteps < 6, `the run had not finished when its log opened (${firstSteps} steps shown)`);
		await shot(page, 'run-log-1-running');

		// The open document grows as the job prints, without reopening it, and ends with the footer.
		const finished = await expectEditorText(page, /step 6 passed[\s\S]*6 passing[\s\S]*✓ Completed · exit code 0 · took [\d.]+ s/, 'the whole output and the footer of the finished run', 30_000);
		assert.ok((finished.match(/step \d passed/g) ?? []).length === 6, finished);
		// The command in the header spells its escapes as `\033[32m`; the output between the rules has none left.
		const output = finished.split(/─{20,}/)[1] ?? '';
		assert.match(output, /^\n✓ step 1 passed\n/);
		assert.doesNotMatch(output, /\x1b|\[\d+m/, 'no escape codes in the output');
		assert.doesNotMatch(finished, /\x1b/, 'no escape character anywhere in the document');
		await expectJobState(page, 'Unit tests', 'completed');
		saveForReadme(await shot(page, 'run-log-2-finished'), 'run-log.png');

		// A job killed by its 3 s timeout: the footer says so.
		await clickContextMenu(page, jobRow(page, 'Hang'), 'Run Job Now');
		await expectJobState(page, 'Hang', 'failed', 20_000);
		await clickContextMenu(page, jobRow(page, 'Hang'), 'Show Run Log');
		await expectVisible(page.locator('.tabs-container .tab.active', { hasText: /^Hang · \d\d:\d\d:\d\d/ }), 'the run log tab of Hang');
		await expectEditorText(page, /waiting for a lock[\s\S]*✗ Failed · killed after the 3 s timeout · took 3/, 'the timeout footer');
		await shot(page, 'run-log-3-timeout');
	}));
