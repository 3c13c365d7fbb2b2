// "Why Didn't This Run?" as a user sees it: Slow runs, a second Run Now is skipped because the
// first still runs, the job's context menu opens the explanation in the Markdown preview, and the
// job's hover carries the same reason. Screenshots: test-results/ui/explain-*.png.
import { test } from 'node:test';
import { expectVisible, runCommand, screenshot, withWorkbench } from '../harness/ui.mjs';
import { clickContextMenu, expectJobState, jobRow, openJobsView, shot } from './jobsUi.mjs';

/** The document inside the focused webview (the Markdown preview): iframe.webview > iframe#active-frame. */
const previewFrame = (page) => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

test('a run skipped for overlap is explained from the job context menu and in its hover', { timeout: 150_000 }, () =>
	withWorkbench({ fixture: 'basic', label: 'explain', settings: { 'workspaceJobs.requireApproval': false } }, async ({ page }) => {
		await openJobsView(page, { width: 560 });
		await clickContextMenu(page, jobRow(page, 'Slow'), 'Run Job Now');
		await expectJobState(page, 'Slow', 'running');
		await clickContextMenu(page, jobRow(page, 'Slow'), 'Run Job Now');

		await clickContextMenu(page, jobRow(page, 'Slow'), "Why Didn't This Run?");
		await expectVisible(page.locator('.tabs-container .tab', { hasText: 'Why Slow' }), 'the explanation tab');
		const preview = previewFrame(page);
		await expectVisible(preview.locator('h1', { hasText: 'Why didn\'t "Slow" (slow) run?' }), 'the explanation heading in the preview', 30_000);
		await expectVisible(preview.locator('li', { hasText: /skipped · previous run \S+ is still running \(overlap: skip\)/ }), 'the overlap skip in the recent decisions');
		await expectVisible(preview.locator('li', { hasText: /^Running now/ }), 'the run in progress under "Now"');
		await shot(page, 'explain-01-preview');

		await jobRow(page, 'Slow').first().hover();
		await expectVisible(page.locator('.monaco-hover', { hasText: /Skipped .*: previous run \S+ is still running/ }), 'the skip reason in the job hover');
		// ui.mjs's screenshot, not `shot`: the hover must stay in the picture.
		await screenshot(page, 'explain-02-hover');
		await clickContextMenu(page, jobRow(page, 'Slow'), 'Cancel Job');

		// From the palette the job is picked; Nightly's explanation lists its next runs.
		await runCommand(page, "Workspace Jobs: Why Didn't This Run?");
		const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Nightly' });
		await expectVisible(pick, 'the job "Nightly" in the quick pick');
		await pick.first().click();
		await expectVisible(page.locator('.tabs-container .tab', { hasText: 'Why Nightly' }), 'the explanation tab of Nightly');
		await expectVisible(previewFrame(page).locator('h2', { hasText: 'Next runs' }), 'the next runs of Nightly', 30_000);
		await shot(page, 'explain-03-palette-nightly');
	}));
