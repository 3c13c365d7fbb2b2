// The Jobs tree, its tooltips and the run notifications on a realistic workspace
// (test/fixtures/realistic), at the side bar's default width and with the local zone pinned to
// Europe/Berlin (TZ of code-server and so of the extension host), so the cron jobs in New York and
// Tokyo show both wall times. Screenshots: test-results/ui/tree-*.png; the tree and the tooltip
// also go to media/screenshots/ for the README.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { expectVisible, notification, openViewContainer, screenshot, withWorkbench } from '../harness/ui.mjs';
import { clickContextMenu, expectJobState, jobRow, saveForReadme, shot } from './jobsUi.mjs';

const SIDEBAR = '#workbench\\.parts\\.sidebar';

/** Rows whose label or description is cut (ellipsis) at the current width, by their text. */
async function cutRows(page) {
	return page.locator(`${SIDEBAR} .monaco-list-row`).evaluateAll((rows) =>
		rows
			.filter((row) => {
				const container = row.querySelector('.monaco-icon-label-container');
				return container && container.scrollWidth > container.clientWidth + 1;
			})
			.map((row) => row.getAttribute('aria-label')),
	);
}

/** The accessible label of a job row ("<name> <description>"). */
const rowLabel = async (page, name) => (await jobRow(page, name).first().getAttribute('aria-label')) ?? '';

test('the tree at its default width: short rows, waiting for a dependency, runs with attempts, zones in the tooltip, notifications that count', { timeout: 240_000 }, () =>
	withWorkbench(
		{ fixture: 'realistic', label: 'tree', settings: { 'workspaceJobs.requireApproval': false }, env: { TZ: 'Europe/Berlin' }, viewport: { width: 1280, height: 760 } },
		async ({ page }) => {
			await openViewContainer(page, 'Workspace Jobs');
			await expectVisible(page.locator(`${SIDEBAR} .customview-tree`), 'the Jobs tree', 30_000);
			const width = (await page.locator(SIDEBAR).boundingBox())?.width ?? 0;
			await expectJobState(page, 'Heartbeat', 'completed', 20_000);

			// A job that never ran has no expand arrow; a dependency-only job says what it needs.
			assert.equal(await jobRow(page, 'Deploy').locator('.monaco-tl-twistie.collapsible').count(), 0, 'no expand arrow on Deploy');
			assert.match(await rowLabel(page, 'Lint'), /needs build$/);
			assert.match(await rowLabel(page, 'Nightly report'), /next (\w{3} )?\d\d:\d\d$/);

			// Run Lint: it waits for Build at once, and says so.
			await clickContextMenu(page, jobRow(page, 'Lint'), 'Run Job Now');
			await expectJobState(page, 'Lint', 'pending', 5_000);
			await expectJobState(page, 'Build', 'running');
			await shot(page, 'tree-01-waiting-for-build');
			await expectJobState(page, 'Lint', 'completed', 20_000);

			// The flaky test passes on its second attempt: one green run, its attempts under it.
			await clickContextMenu(page, jobRow(page, 'Unit tests'), 'Run Job Now');
			await expectJobState(page, 'Unit tests', 'completed', 20_000);
			await jobRow(page, 'Unit tests').locator('.monaco-tl-twistie').click();
			const run = page.locator(`${SIDEBAR} .monaco-list-row[aria-level="2"]`, { hasText: 'passed on attempt 2 of 3' });
			await expectVisible(run.locator('.codicon-pass'), 'the run of Unit tests that passed on attempt 2 of 3');
			await run.locator('.monaco-tl-twistie').click();
			await expectVisible(page.locator(`${SIDEBAR} .monaco-list-row[aria-level="3"]`, { hasText: 'attempt 1' }).locator('.codicon-error'), 'the failed first attempt under the run');
			await expectVisible(page.locator(`${SIDEBAR} .monaco-list-row[aria-level="3"]`, { hasText: 'attempt 2' }).locator('.codicon-pass'), 'the passing second attempt');

			// The query times out (8 s) and Deploy fails: red rows, each a notification.
			await clickContextMenu(page, jobRow(page, 'Slow query'), 'Run Job Now');
			await clickContextMenu(page, jobRow(page, 'Deploy'), 'Run Job Now');
			await expectJobState(page, 'Deploy', 'failed');
			const deploy = await expectVisible(notification(page, /Deploy failed: exit 2 after \d+ ms/), 'the notification of the failed Deploy');
			await expectVisible(deploy.locator('.monaco-button', { hasText: 'Show Log' }), 'its Show Log button');
			await expectJobState(page, 'Slow query', 'failed', 20_000);
			await expectVisible(notification(page, /Slow query failed: .*\b8 ?s\b/), 'the notification of the timed-out query');

			// Deploy fails twice more while its notification is open: no second Deploy toast.
			for (let i = 0; i < 2; i++) {
				await clickContextMenu(page, jobRow(page, 'Deploy'), 'Run Job Now');
				await page.waitForTimeout(1500);
			}
			assert.equal(await notification(page, 'Deploy failed').count(), 1, 'failures of one job do not stack');

			// Every row reads whole at the default width.
			assert.deepEqual(await cutRows(page), [], `rows cut at the default side bar width (${width} px)`);
			const tree = await shot(page, 'tree-02-runs-and-notifications');
			saveForReadme(tree, 'tree.png');

			// Dismissed, the next failure says how many in a row and since when.
			await deploy.hover();
			await deploy.locator('.codicon-notifications-clear').click();
			await deploy.waitFor({ state: 'hidden', timeout: 5_000 });
			await clickContextMenu(page, jobRow(page, 'Deploy'), 'Run Job Now');
			await expectVisible(notification(page, /Deploy failed 4 times since \d\d:\d\d \(last: exit 2 after \d+ ms\)/), 'the counted notification of Deploy');
			await shot(page, 'tree-03-failed-4-times');

			// The tooltip of a cron job in another zone: its schedule, both wall times, labelled.
			const toasts = page.locator('.notifications-toasts .notification-toast');
			for (let left = await toasts.count(); left > 0; left = await toasts.count()) {
				await toasts.first().hover();
				await toasts.first().locator('.codicon-notifications-clear').click();
				await page.waitForFunction((n) => document.querySelectorAll('.notifications-toasts .notification-toast').length < n, left, { timeout: 5_000 });
			}
			await jobRow(page, 'Nightly report').hover();
			const hover = await expectVisible(page.locator('.monaco-hover', { hasText: 'Next run' }), 'the tooltip of Nightly report');
			assert.match(await hover.innerText(), /Schedule: every day at 02:30 \(America\/New_York\)/);
			assert.match(await hover.innerText(), /Next run: (\w{3} )?02:30 New York · (\w{3} )?0[78]:30 here \(in /);
			// Not `shot`: it moves the mouse away, and the tooltip with it.
			const tooltip = await screenshot(page, 'tree-04-zone-tooltip', { settle: 300 });
			saveForReadme(tooltip, 'tree-tooltip.png');
		},
	));
