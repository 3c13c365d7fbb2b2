// "Export Jobs…" as a user runs it from the command palette: a target, an image where the target
// needs one, and a folder (VS Code's own folder dialog) or untitled documents; the fidelity report
// opens beside. What lands on disk is checked by the target's own validator and against what
// `workspace-jobs export --out` writes for the same file (test/support/validateExportDir.ts), on
// the every-field fixture and on the bundled example. Screenshots: test-results/ui/export-*.png.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../harness/provision.mjs';
import { expectVisible, notification, runCommand, withWorkbench } from '../harness/ui.mjs';
import { openJobsView, shot } from './jobsUi.mjs';

const IMAGE = 'ghcr.io/example/repo:1.0';
const TARGETS = [
	{ target: 'github-actions', title: 'GitHub Actions' },
	{ target: 'kubernetes', title: 'Kubernetes', image: true },
	{ target: 'argo', title: 'Argo Workflows', image: true },
	{ target: 'systemd', title: 'systemd' },
];

/** Picks the quick pick row whose label starts with label. */
async function pick(page, label) {
	const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label });
	await expectVisible(row, `"${label}" in the quick pick`);
	await row.first().click();
}

/** Runs the command up to the question of where the files go. */
async function startExport(page, { title, image }) {
	await runCommand(page, 'Workspace Jobs: Export Jobs');
	await pick(page, title);
	if (image) {
		const input = page.locator('.quick-input-widget input.input');
		await expectVisible(page.locator('.quick-input-widget', { hasText: 'runs jobs in a container' }), `the image prompt of ${title}`);
		await input.fill(IMAGE);
		await page.keyboard.press('Enter');
	}
}

/** What `workspace-jobs export` writes for the same file, in a fresh folder. */
function cliExport(file, { target, image }) {
	const out = fs.mkdtempSync(path.join(os.tmpdir(), `wj-export-${target}-`));
	const args = [path.join(ROOT, 'dist/cli.js'), 'export', '--target', target, '--file', file, '--out', out, ...(image ? ['--image', IMAGE] : [])];
	const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
	assert.equal(r.status, 0, `workspace-jobs export --target ${target}: ${r.stderr}`);
	return out;
}

/** The target's validator on dir, and dir's files equal to sameAs's. */
function assertValidExport(target, dir, sameAs) {
	const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/validateExportDir.ts'), target, dir, sameAs], { cwd: ROOT, encoding: 'utf8' });
	assert.equal(r.status, 0, `${target} export in ${dir}:\n${r.stdout}${r.stderr}`);
}

test('Export Jobs… writes every target into a chosen folder: valid, and what the CLI writes', { timeout: 300_000 }, () =>
	withWorkbench({ fixture: 'export', label: 'export-folder' }, async ({ page, folder }) => {
		await openJobsView(page);
		for (const target of TARGETS) {
			const out = path.join(folder, `out-${target.target}`);
			fs.mkdirSync(out);
			await startExport(page, target);
			await pick(page, 'Write to a Folder');
			// VS Code's own folder dialog: it opens on the workspace folder (wait for that, or it
			// overwrites what is typed), then type the empty folder and wait for its listing.
			const input = page.locator('.quick-input-widget input.input');
			await expectVisible(page.locator('.quick-input-widget .monaco-list-row', { hasText: 'tools' }), 'the dialog on the workspace folder');
			await input.fill(`${out}/`);
			const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
			await expectVisible(rows.filter({ hasText: '..' }), `the dialog inside ${out}`);
			for (let i = 0; i < 50 && (await rows.count()) !== 1; i++) {
				await page.waitForTimeout(100);
			}
			assert.equal(await rows.count(), 1, `the dialog lists the empty ${out} (only "..")`);
			assert.equal(await input.inputValue(), `${out}/`);
			await page.locator('.quick-input-widget .monaco-button', { hasText: 'Export Here' }).click();
			await expectVisible(notification(page, `for ${target.title};`), `the summary notification of ${target.title}`);
			await expectVisible(page.locator('.tabs-container .tab.active', { hasText: `to ${target.title} (export report)` }), `the read-only report of ${target.title} beside`);
			await expectVisible(page.locator('.editor-instance .view-lines', { hasText: `Export to ${target.title}:` }), `the report's heading for ${target.title}`);
			await shot(page, `export-${target.target}`);
			assertValidExport(target.target, out, cliExport(path.join(folder, '.jobs.json'), target));
			// The report is read-only: closing it asks nothing.
			await runCommand(page, 'View: Close All Editors');
			await expectVisible(page.locator('.editor-group-watermark, .editor-group-container.empty').first(), 'no editor open, and no save prompt');
			assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no dialog asks to save the report');
		}
	}),
);

test('Export Jobs… on the bundled example opens each workflow as an untitled document', { timeout: 180_000 }, async () => {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-export-example-'));
	fs.cpSync(path.join(ROOT, 'examples'), folder, { recursive: true });
	try {
		await withWorkbench({ folder, label: 'export-untitled' }, async ({ page }) => {
			await openJobsView(page);
			const target = TARGETS[0];
			const expected = fs.readdirSync(path.join(cliExport(path.join(folder, '.jobs.json'), target), '.github/workflows'));
			assert.ok(expected.length > 1, 'the example exports several workflows');
			await startExport(page, target);
			await pick(page, 'Open as Untitled Documents');
			await expectVisible(notification(page, `${expected.length} files for GitHub Actions;`), 'the summary notification');
			await expectVisible(page.locator('.editor-instance .view-lines', { hasText: 'Export to GitHub Actions:' }), "the report's heading");
			// One unsaved document per workflow, named as the workflow file (so Save proposes
			// .github/workflows/<name>), and the report beside.
			for (const name of expected) {
				await expectVisible(page.locator('.tabs-container .tab.dirty', { hasText: name }), `the unsaved document ${name}`);
			}
			await expectVisible(page.locator('.tabs-container .tab', { hasText: 'to GitHub Actions (export report)' }), 'the report');
			await page.locator('.tabs-container .tab', { hasText: expected[0] }).click();
			await expectVisible(page.locator('.editor-instance .view-lines', { hasText: 'schedule:' }), 'a workflow with its schedule in the first document');
			await shot(page, 'export-untitled');
		});
	} finally {
		fs.rmSync(folder, { recursive: true, force: true });
	}
});
