// The approval review as a user meets it: code-server with the packaged .vsix installed, on the
// review fixture (test/fixtures/review: commands that hide what they do from a short prompt).
// The notice points to the review document, which shows every job in full with its hidden
// characters written out; Allow is on the document (CodeLens and editor title) and confirms in a
// modal dialog. After the file changes, the next review shows what changed. Screenshots:
// test-results/ui/approval-*.png.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectVisible, notification, withWorkbench } from '../harness/ui.mjs';
import { openJobsView, shot, treeMessage } from './jobsUi.mjs';

const EDITOR = '.editor-group-container.active .monaco-editor';
const reviewTab = (page) => page.locator('.tabs-container .tab', { hasText: 'review.jobs-review' });
const line = (page, text) => page.locator(`${EDITOR} .view-line`, { hasText: text });

/** Clicks Allow in the modal dialog the review's Allow opens, after a screenshot of it. */
async function confirmAllow(page, name, jobs) {
	const dialog = await expectVisible(page.locator('.monaco-dialog-box'), 'the Allow dialog');
	await expectVisible(dialog.locator('.dialog-message-text', { hasText: `Allow the ${jobs} jobs of "review" to run, exactly as the review shows them?` }), 'the Allow question');
	await shot(page, name);
	await dialog.locator('.monaco-button', { hasText: /^Allow$/ }).click();
	await page.locator('.monaco-dialog-box').waitFor({ state: 'hidden', timeout: 10_000 });
}

test('the review shows every job in full, and Allow is on it; the next review shows what changed', { timeout: 240_000 }, () =>
	withWorkbench({ fixture: 'review', label: 'approval-review' }, async ({ page, folder }) => {
		await openJobsView(page, { width: 300 });
		await expectVisible(treeMessage(page, 'wait for your approval'), 'the "wait for your approval" message above the tree');
		const notice = await expectVisible(notification(page, 'have not been approved to run yet'), 'the approval notification');
		await notice.locator('a', { hasText: 'Review and Allow' }).click();

		// The review document: read-only, every job, whole commands, env values, cwd, hidden characters.
		await expectVisible(reviewTab(page), 'the review editor tab');
		await expectVisible(line(page, 'Workspace Jobs: review the jobs of "review" before they run'), 'the review title');
		await expectVisible(line(page, '14 jobs run shell commands; 1 of them unattended'), 'the job count');
		await expectVisible(page.locator(`${EDITOR} .codelens-decoration a`, { hasText: 'Allow These Jobs' }), 'the Allow These Jobs CodeLens');
		await expectVisible(page.locator('.editor-actions .action-label[aria-label^="Allow These Jobs"]'), 'the Allow These Jobs button in the editor title');
		await expectVisible(line(page, 'npm test«120 spaces»; echo pwned > pwned-padded.txt'), 'the padded command, whole');
		await expectVisible(line(page, 'NODE_OPTIONS=--require /tmp/evil.js'), 'the env value');
		await expectVisible(line(page, `cwd ${path.join(folder, 'sub')}`), 'the cwd');
		await shot(page, 'approval-01-review-top');
		await expectVisible(page.locator(`${EDITOR} .view-lines`), 'the review text');
		await page.locator(`${EDITOR} .view-lines`).click();
		await page.keyboard.press('Control+F');
		await page.keyboard.type('c-hidden');
		// Its close button, not Escape: Escape would first hide the approval notification, which
		// stays open until the jobs are allowed (checked below).
		await page.locator(`${EDITOR} .find-widget .codicon-widget-close`).click();
		await page.locator(`${EDITOR} .view-lines`).click();
		await expectVisible(line(page, 'echo ok«\\r»«\\x1b»[2K«\\t»echo ignore«U+202E RLO» txt.sh; echo pwned > pwned-hidden.txt'), 'the hidden characters, written out');
		await expectVisible(line(page, 'set -e«\\n»'), 'the first line of the script');
		await shot(page, 'approval-02-review-hidden-characters');
		await page.keyboard.press('Control+End');
		await expectVisible(line(page, 'echo the thirteenth and fourteenth jobs are shown too'), 'the 14th job (no "... and N more")');
		await shot(page, 'approval-03-review-end');

		await expectVisible(notice, 'the approval notification, still open while the review is read', 2_000);
		// Allow (CodeLens above the first line) -> modal -> Allow: the review closes, the jobs are allowed.
		await page.keyboard.press('Control+Home');
		await page.locator(`${EDITOR} .codelens-decoration a`, { hasText: 'Allow These Jobs' }).click();
		await confirmAllow(page, 'approval-04-allow-dialog', 14);
		await reviewTab(page).waitFor({ state: 'hidden', timeout: 10_000 });
		await expectVisible(notification(page, 'the jobs of "review" are allowed to run'), 'the "allowed" notification');
		await notice.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {
			throw new Error('the approval notification stayed open after the jobs were allowed');
		});
		await treeMessage(page, 'wait for your approval').waitFor({ state: 'hidden', timeout: 10_000 });

		// The file changes: an env value, a manual job gains a schedule, a job goes, one comes.
		const file = path.join(folder, '.jobs.json');
		const changed = fs
			.readFileSync(file, 'utf8')
			.replace('"NODE_OPTIONS": "--require /tmp/evil.js"', '"NODE_OPTIONS": "--require /tmp/evil2.js"')
			.replace('{ "id": "f1", "command": "echo f1" }', '{ "id": "f1", "command": "echo f1", "schedule": { "every": "1h" } }')
			.replace(/\n\t\t\{ "id": "z-last"[^\n]*\n/, '\n\t\t{ "id": "g-new", "command": "echo new" }\n')
			.replace('{ "id": "f8", "command": "echo f8" }\n', '{ "id": "f8", "command": "echo f8" },\n');
		fs.writeFileSync(file, changed);
		const again = await expectVisible(notification(page, 'changed since you allowed them (1 added, 2 changed, 1 removed)'), 'the re-approval notification', 20_000);
		await shot(page, 'approval-05-changed-notice');
		await again.locator('a', { hasText: 'Review and Allow' }).click();
		await expectVisible(line(page, 'Changes since you allowed these jobs'), 'the changes heading');
		await expectVisible(line(page, '~ b-env: changed <- needs approval'), 'the changed job');
		await expectVisible(line(page, 'now --require /tmp/evil2.js'), 'the new env value');
		await expectVisible(line(page, '~ f1: changed <- needs approval'), 'the job that gained a schedule');
		await expectVisible(line(page, '+ g-new: new job'), 'the added job');
		await expectVisible(line(page, '- z-last: removed'), 'the removed job');
		await shot(page, 'approval-06-review-changes');

		// Allow from the editor title this time.
		await page.locator('.editor-actions .action-label[aria-label^="Allow These Jobs"]').click();
		await confirmAllow(page, 'approval-07-allow-dialog-again', 14);
		await reviewTab(page).waitFor({ state: 'hidden', timeout: 10_000 });
		for (const name of ['padded', 'hidden', 'script', 'last']) {
			assert.equal(fs.existsSync(path.join(folder, `pwned-${name}.txt`)), false, `pwned-${name}.txt: a job ran`);
		}
	}));
