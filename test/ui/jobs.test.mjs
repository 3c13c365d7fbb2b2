// UI end-to-end tests of the Workspace Jobs extension as a user sees it: code-server with the
// packaged .vsix installed, driven by Debian's Chromium (test/harness/ui.mjs). Every step checks
// a surface (tree row and its state icon, status bar item, notification, dialog, webview, editor)
// and fails with "missing surface: ..." when it is not there. Screenshots go to the git-ignored
// test-results/ui/jobs-*.png, numbered in the order a person would see them.
//
// One workbench per starting condition:
//  1. approval off (user setting): run, cancel and fail jobs from the tree, the status bar while a
//     job runs and after a failure, the metrics panel (numbers, live updates, both charts), the
//     run log;
//  2. approval on (fresh user settings, the default): Run Now runs nothing and opens the review
//     document, its Allow and the modal dialog are answered, then the job runs;
//  3. an untrusted folder (Restricted Mode): the installed extension shows its jobs, runs none.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectVisible, notification, openCommandPalette, openViewContainer, runCommand, withWorkbench } from '../harness/ui.mjs';
import {
	STATUS_ITEM,
	cardValue,
	clickContextMenu,
	expectCards,
	expectChartDrawn,
	expectJobState,
	jobRow,
	metricsFrame,
	openJobsView,
	shot,
	statusItemLabel,
	treeMessage,
} from './jobsUi.mjs';

const JOBS = ['Hello', 'Slow', 'Fail', 'Build', 'Test', 'Nightly'];
const IDLE_STATUS = /^\s*Jobs\s*$/;

test('jobs run, cancel and fail from the tree; status bar, metrics panel and run log show it', { timeout: 150_000 }, () =>
	withWorkbench(
		{ fixture: 'basic', label: 'jobs-tree', settings: { 'workspaceJobs.requireApproval': false } },
		async ({ page }) => {
			// The Jobs view lists every job of the fixture, idle; the status bar item is there.
			await openJobsView(page);
			for (const name of JOBS) {
				await expectJobState(page, name, 'idle');
			}
			await expectVisible(jobRow(page, 'Nightly').and(page.locator('[aria-label*="next"]')), 'the next run of Nightly (scheduler running)');
			await expectVisible(page.locator(STATUS_ITEM, { hasText: IDLE_STATUS }), 'the Workspace Jobs status bar item saying "Jobs"');
			assert.equal(await treeMessage(page).isVisible(), false, 'no message above the tree when approval is off');
			await shot(page, 'jobs-01-tree-idle');

			// Run "Hello" from its context menu: it completes, and its run appears under it.
			await clickContextMenu(page, jobRow(page, 'Hello'), 'Run Job Now');
			await expectJobState(page, 'Hello', 'completed');
			await jobRow(page, 'Hello').locator('.monaco-tl-twistie').click();
			await expectVisible(
				page.locator('#workbench\\.parts\\.sidebar .monaco-list-row[aria-level="2"]', { hasText: 'completed' }).locator('.codicon-pass'),
				'the finished run of Hello under its job',
			);

			// Run "Slow" (sleep 30): the tree shows it running, the status bar counts it with a spinner.
			await clickContextMenu(page, jobRow(page, 'Slow'), 'Run Job Now');
			await expectJobState(page, 'Slow', 'running');
			await expectVisible(page.locator(STATUS_ITEM, { hasText: '1 running' }), 'the status bar item saying "1 running"');
			await expectVisible(page.locator(`${STATUS_ITEM} .codicon-sync.codicon-modifier-spin`), 'the spinner in the status bar item');
			assert.match(await statusItemLabel(page), /Running: Slow \((just started|for \d+ s)\)/, 'the status bar names the running job');
			await expectVisible(jobRow(page, 'Slow').locator('.action-label[aria-label="Cancel Job"]'), 'the inline Cancel action of the running job');
			await shot(page, 'jobs-02-slow-running');

			// The metrics panel (from Slow's context menu) while Slow runs.
			await clickContextMenu(page, jobRow(page, 'Slow'), 'Show Metrics');
			await expectVisible(page.locator('.tabs-container .tab', { hasText: 'Job Metrics' }), 'the "Job Metrics" editor tab');
			const frame = metricsFrame(page);
			await expectVisible(frame.locator('h1', { hasText: 'Job Metrics' }), 'the metrics page heading', 30_000);
			await expectVisible(frame.locator('main[aria-busy="false"]'), 'the metrics page filled by the extension');
			await expectCards(frame, { Runs: '1', Completed: '1', 'Running now': '1' });
			await expectVisible(frame.locator('#chart-busy .legend li', { hasText: 'Peak running 1' }), 'the legend of the running-at-once chart');
			await expectChartDrawn(frame.locator('#chart-busy'), 'the running-at-once chart', { aboveZero: true });

			// Cancel Slow from its context menu: state canceled, the status bar is idle again, and the
			// open metrics panel follows.
			await clickContextMenu(page, jobRow(page, 'Slow'), 'Cancel Job');
			await expectJobState(page, 'Slow', 'canceled');
			await expectVisible(page.locator(STATUS_ITEM, { hasText: IDLE_STATUS }), 'the status bar item back to "Jobs"');
			await expectCards(frame, { Runs: '2', Canceled: '1', 'Running now': '0' });
			await shot(page, 'jobs-03-slow-canceled');

			// With the Jobs view hidden, a failed run is notified and counted in the status bar (error
			// icon and color); clicking the item opens the Jobs view and clears the count.
			await openViewContainer(page, 'Explorer');
			await runCommand(page, 'Workspace Jobs: Run Job Now');
			const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Fail' });
			await expectVisible(pick, 'the job "Fail" in the Run Job Now quick pick');
			await pick.first().click();
			const failed = await expectVisible(notification(page, /Fail failed: exit 3 after \d+ ms/), 'the notification of the failed run');
			await expectVisible(failed.locator('.monaco-button', { hasText: 'Show Log' }), 'the Show Log button of the notification');
			await expectVisible(failed.locator('.monaco-button', { hasText: 'Run Again' }), 'the Run Again button of the notification');
			await expectVisible(page.locator(STATUS_ITEM, { hasText: /Jobs\s+1/ }).locator('.codicon-error'), 'the failure count in the status bar item');
			assert.match(await statusItemLabel(page), /1 failed run since you last looked/);
			await shot(page, 'jobs-04-failure-notified');
			await page.locator(STATUS_ITEM).click();
			await expectJobState(page, 'Fail', 'failed');
			await expectVisible(page.locator(STATUS_ITEM, { hasText: IDLE_STATUS }), 'the status bar item without the failure count');
			await failed.hover();
			await failed.locator('.codicon-notifications-clear').click();
			await failed.waitFor({ state: 'hidden', timeout: 5_000 });

			// Show Metrics from Hello's context menu: the same panel, Hello highlighted; totals, both
			// charts with values above zero, the job table.
			await clickContextMenu(page, jobRow(page, 'Hello'), 'Show Metrics');
			await expectVisible(frame.locator('table.jobs tbody tr.focused', { hasText: 'Hello' }), 'Hello highlighted in the metrics table');
			await expectCards(frame, {
				Runs: '3',
				Completed: '1',
				Failed: '1',
				Canceled: '1',
				'Failure rate': '50.0%',
				'Running now': '0',
				Waiting: '0',
				Retries: '0',
				Skipped: '0',
			});
			assert.match(await cardValue(frame, 'Longest run'), /^\d+(\.\d+)? m?s$/);
			await expectChartDrawn(frame.locator('#chart-runs'), 'the runs-ended chart', { aboveZero: true });
			await expectChartDrawn(frame.locator('#chart-busy'), 'the running-at-once chart', { aboveZero: true });
			await expectVisible(frame.locator('#chart-runs .legend', { hasText: /Completed 1\s*Failed 1\s*Retries 0/ }), 'the legend of the runs-ended chart with its totals');
			const tableRow = (name) => frame.locator('table.jobs tbody tr', { has: frame.locator('th', { hasText: name }) });
			for (const [name, counts] of [['Hello', ['1', '1', '0']], ['Fail', ['1', '0', '1']], ['Slow', ['1', '0', '0']]]) {
				await expectVisible(tableRow(name), `the row of ${name} in the metrics table`);
				assert.deepEqual((await tableRow(name).locator('td').allInnerTexts()).slice(0, 3), counts, `runs, completed, failed of ${name}`);
			}
			await shot(page, 'jobs-05-metrics-panel', { settle: 800 });

			// The run log of Hello opens in an editor with the job's output (its tab titled after the job and the start).
			await clickContextMenu(page, jobRow(page, 'Hello'), 'Show Run Log');
			await expectVisible(page.locator('.tabs-container .tab.active', { hasText: /^Hello · \d\d:\d\d:\d\d/ }), 'the run log editor tab');
			await expectVisible(
				page.locator('.editor-group-container.active .monaco-editor .view-lines', { hasText: 'hello' }),
				'the output "hello" in the run log editor',
			);
			await shot(page, 'jobs-06-run-log');
		},
	));

test('Run Now asks for approval first, and Allow on the review lets the job run', { timeout: 120_000 }, () =>
	// No requireApproval in the user settings: the default (true) applies, as for a new user.
	withWorkbench({ fixture: 'basic', label: 'jobs-approval' }, async ({ page }) => {
		await openJobsView(page);
		await expectVisible(treeMessage(page, 'wait for your approval'), 'the "wait for your approval" message above the tree');
		await expectVisible(page.locator('#workbench\\.parts\\.sidebar .action-label[aria-label="Review and Allow Jobs"]'), 'the Review and Allow Jobs title action');
		assert.match(await statusItemLabel(page), /Jobs wait for your approval/);
		await expectVisible(page.locator(STATUS_ITEM, { hasText: 'Jobs need approval' }), 'the status bar item saying "Jobs need approval"');
		// A click on it opens the review, where the jobs can be allowed.
		await page.locator(STATUS_ITEM).click();
		await expectVisible(page.locator('.tabs-container .tab.active', { hasText: 'basic.jobs-review' }), 'the review, opened from the status bar');
		await runCommand(page, 'View: Close All Editors');
		await expectJobState(page, 'Hello', 'idle');
		assert.doesNotMatch((await jobRow(page, 'Nightly').getAttribute('aria-label')) ?? '', /next/, 'no schedule runs before approval');
		await expectVisible(notification(page, 'have not been approved to run yet'), 'the approval notification of the folder');

		// Run Now (the row's inline action): nothing runs; the review opens at once, since the
		// user asked for a run and the review is where it can be allowed.
		await jobRow(page, 'Hello').hover();
		await jobRow(page, 'Hello').locator('.action-label[aria-label="Run Job Now"]').click();
		await expectJobState(page, 'Hello', 'idle');
		await shot(page, 'jobs-07-approval-needed');

		// The review document listing every job -> Allow These Jobs -> modal -> Allow.
		const review = page.locator('.editor-group-container.active .monaco-editor');
		await expectVisible(page.locator('.tabs-container .tab.active', { hasText: 'basic.jobs-review' }), 'the review editor tab');
		// Jobs are listed by id; the first three are on screen (the host suite reads the whole text).
		for (const text of ['build (name: Build)', 'command echo building && echo built > build.out', 'fail (name: Fail)', 'command echo 3 tests failed >&2; exit 3', 'hello (name: Hello)', 'command echo hello']) {
			await expectVisible(review.locator('.view-line', { hasText: text }), `"${text}" in the review`);
		}
		await shot(page, 'jobs-08-approval-review');
		await review.locator('.codelens-decoration a', { hasText: 'Allow These Jobs' }).click();
		const dialog = await expectVisible(page.locator('.monaco-dialog-box'), 'the approval dialog');
		await expectVisible(dialog.locator('.dialog-message-text', { hasText: 'Allow the 6 jobs of "basic" to run, exactly as the review shows them?' }), 'the approval question');
		await dialog.locator('.monaco-button', { hasText: /^Allow$/ }).click();
		await page.locator('.monaco-dialog-box').waitFor({ state: 'hidden', timeout: 10_000 });
		await treeMessage(page, 'wait for your approval').waitFor({ state: 'hidden', timeout: 10_000 });
		// The notice shown when the folder opened closes once the jobs are allowed.
		await notification(page, 'have not been approved to run yet').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {
			throw new Error('the approval notification stayed open after the jobs were allowed');
		});
		assert.doesNotMatch(await statusItemLabel(page), /approval/);
		await expectVisible(jobRow(page, 'Nightly').and(page.locator('[aria-label*="next"]')), 'the next run of Nightly (scheduler started)');

		// Now Run Now runs it.
		await jobRow(page, 'Hello').hover();
		await jobRow(page, 'Hello').locator('.action-label[aria-label="Run Job Now"]').click();
		await expectJobState(page, 'Hello', 'completed');
		await shot(page, 'jobs-09-approved-and-ran');
	}));

test('in an untrusted folder the installed extension runs nothing', { timeout: 120_000 }, () =>
	withWorkbench({ fixture: 'untrusted', trust: false, label: 'jobs-untrusted' }, async ({ page, folder }) => {
		const marker = path.join(folder, 'ran-untrusted.txt');
		await expectVisible(
			page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: 'Restricted Mode' }),
			'the Restricted Mode indicator in the status bar',
		);
		// The extension supports Restricted Mode in a limited way: enabled, showing why nothing runs.
		await openJobsView(page);
		await expectVisible(treeMessage(page, 'Restricted Mode: jobs do not run until you trust this workspace.'), 'the Restricted Mode message above the tree');
		await expectJobState(page, 'marker', 'idle');
		assert.match(await statusItemLabel(page), /Restricted Mode: jobs do not run/);

		// The view's way out: VS Code's trust editor, from the view's title.
		await expectVisible(page.locator('#workbench\\.parts\\.sidebar .action-label[aria-label="Manage Workspace Trust"]'), "the view's Manage Workspace Trust action").then((action) => action.click());
		await expectVisible(page.locator('.tabs-container .tab.active', { hasText: 'Workspace Trust' }), "VS Code's Workspace Trust editor");
		await shot(page, 'jobs-10-manage-trust');
		await runCommand(page, 'View: Close Editor');

		// Commands that cannot apply in Restricted Mode are not offered: not in the job's context
		// menu, not in the palette.
		await jobRow(page, 'marker').click({ button: 'right' });
		const menu = await expectVisible(page.locator('.context-view .monaco-menu'), 'the context menu of marker');
		await expectVisible(menu.locator('.action-label', { hasText: 'Show Metrics' }), 'Show Metrics in the context menu');
		for (const label of ['Run Job Now', 'Enable Job', 'Disable Job']) {
			assert.equal(await menu.locator('.action-label', { hasText: label }).count(), 0, `${label} in the context menu in Restricted Mode`);
		}
		await page.keyboard.press('Escape');
		const palette = await openCommandPalette(page);
		await page.keyboard.type('Workspace Jobs: ');
		await expectVisible(palette.locator('.monaco-list-row', { hasText: 'Workspace Jobs: Manage Workspace Trust' }), 'Manage Workspace Trust in the palette');
		const offered = await palette.locator('.monaco-list-row .label-name').allInnerTexts();
		for (const hidden of ['Pause', 'Resume', 'Enable Job', 'Disable Job', 'Run Job', 'Show Jobs']) {
			assert.ok(!offered.some((t) => t.includes(hidden)), `"${hidden}" offered in Restricted Mode: ${offered.join(' | ')}`);
		}
		await page.keyboard.press('Escape');

		// No Run Now is offered; the every-1s schedule does not fire either.
		await jobRow(page, 'marker').hover();
		assert.equal(await jobRow(page, 'marker').locator('.action-label[aria-label="Run Job Now"]').count(), 0, 'Run Now offered in Restricted Mode');
		await page.waitForTimeout(3000);
		await expectJobState(page, 'marker', 'idle');
		assert.equal(fs.existsSync(marker), false, `${marker} exists: a job ran in Restricted Mode`);
		await shot(page, 'jobs-10-restricted-mode');
	}));
