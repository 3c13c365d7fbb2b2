// Helpers for the UI end-to-end tests (test/ui/*.test.mjs, run by node:test through
// runUiTests.mjs): code-server with the packaged .vsix installed, driven by Debian's Chromium.
//
//   import { test } from 'node:test';
//   import { withWorkbench, runCommand, expectVisible, screenshot } from './ui.mjs';
//   test('runs a job from the tree', { timeout: 180_000 }, () =>
//     withWorkbench({ fixture: 'basic' }, async ({ page }) => {
//       await runCommand(page, 'Workspace Jobs: Run Job');
//       await screenshot(page, 'run-job');
//     }));
//
// Every surface check fails with the name of the missing surface and leaves a screenshot
// test-results/ui/FAILED-<name>.png.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { RESULTS, installExtension, startCodeServer } from './codeServer.mjs';
import { CACHE, ROOT, provision } from './provision.mjs';
import { copyFixture } from './suites.mjs';

export const SCREENSHOTS = path.join(RESULTS, 'ui');
export const EXTENSION_ID = 'workspace-jobs.workspace-jobs';
export const DEFAULT_VSIX = path.join(CACHE, 'workspace-jobs.vsix');
const UI_EXTENSIONS = path.join(CACHE, 'ui-extensions');

/** Runs `vsce package` into .vscode-test/workspace-jobs.vsix (dist/ must be built). */
export function packageExtension(out = DEFAULT_VSIX) {
	if (!fs.existsSync(path.join(ROOT, 'dist/extension.js'))) {
		throw new Error('dist/extension.js is missing: run `npm run build` first (is src/extension.ts there?)');
	}
	fs.rmSync(out, { force: true });
	const vsce = path.join(ROOT, 'node_modules/@vscode/vsce/vsce');
	const result = spawnSync(
		process.execPath,
		[vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', out],
		{ cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
	);
	if (result.status !== 0 || !fs.existsSync(out)) {
		throw new Error(`vsce package failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
	}
	return out;
}

/**
 * Packages (unless WORKSPACE_JOBS_UI_VSIX names a .vsix) and installs the extension into a fresh
 * extensions folder; returns that folder. runUiTests.mjs does this once and passes the folder to
 * the test files in WORKSPACE_JOBS_UI_EXTENSIONS; a test file run on its own does it itself.
 */
export function prepareExtensions({ extensionsDir = UI_EXTENSIONS, vsix = process.env.WORKSPACE_JOBS_UI_VSIX } = {}) {
	const file = vsix ? path.resolve(vsix) : packageExtension();
	fs.rmSync(extensionsDir, { recursive: true, force: true });
	fs.mkdirSync(extensionsDir, { recursive: true });
	installExtension(file, { extensionsDir });
	const installed = fs.readdirSync(extensionsDir).filter((d) => d.startsWith(`${EXTENSION_ID}-`));
	if (installed.length === 0) {
		throw new Error(`${file} did not install ${EXTENSION_ID} into ${extensionsDir}`);
	}
	return extensionsDir;
}

function extensionsDirForTests() {
	const fromRunner = process.env.WORKSPACE_JOBS_UI_EXTENSIONS;
	if (fromRunner && fs.existsSync(fromRunner)) {
		return fromRunner;
	}
	provision();
	const dir = path.join(CACHE, `ui-extensions-${process.pid}`);
	prepareExtensions({ extensionsDir: dir });
	process.env.WORKSPACE_JOBS_UI_EXTENSIONS = dir;
	process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
	return dir;
}

/**
 * Opens a workbench: code-server on a fresh copy of test/fixtures/<fixture> with the packaged
 * extension installed, and a Chromium page on it, loaded. Call close() when done (withWorkbench
 * does).
 * @param {{ fixture?: string, folder?: string, trust?: boolean, settings?: Record<string, unknown>,
 *   env?: Record<string, string>, viewport?: { width: number, height: number } }} [options]
 *   fixture: a folder name under test/fixtures (default "basic"); folder: any absolute folder
 *   instead (opened in place); trust: false opens it in Restricted Mode
 */
export async function openWorkbench(options = {}) {
	const { fixture = 'basic', trust = true, settings, env, viewport = { width: 1400, height: 900 } } = options;
	const extensionsDir = extensionsDirForTests();
	const scratch = path.join(CACHE, `ui-workspaces-${process.pid}-${++workbenchCount}`);
	scratchDirs.add(scratch);
	const folder = options.folder ?? copyFixture(path.join(ROOT, 'test/fixtures', fixture), scratch);
	const server = await startCodeServer(folder, {
		trust,
		settings,
		env,
		label: `ui-${path.basename(folder)}`,
		// A private copy: code-server writes extensions.json and caches into the folder.
		extensionsDir: copyDir(extensionsDir, path.join(scratch, 'extensions')),
	});
	let browser;
	try {
		browser = await launchBrowser();
		const context = await browser.newContext({ viewport });
		const page = await context.newPage();
		const consoleLines = [];
		page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
		page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.stack ?? e}`));
		await page.goto(server.workbenchUrl, { waitUntil: 'domcontentloaded', timeout: 60_000 });
		await waitForWorkbench(page);
		return {
			page,
			context,
			browser,
			server,
			folder,
			consoleLines,
			async close() {
				await browser.close().catch(() => {});
				await server.stop();
				fs.rmSync(scratch, { recursive: true, force: true });
			},
		};
	} catch (error) {
		await browser?.close().catch(() => {});
		await server.stop();
		fs.rmSync(scratch, { recursive: true, force: true });
		throw error;
	}
}

/**
 * Opens a workbench, runs fn with it, and always closes it. On failure, saves a screenshot
 * test-results/ui/FAILED-<label>.png and the page's console next to it.
 * @template T
 * @param {Parameters<typeof openWorkbench>[0] & { label?: string }} options
 * @param {(workbench: Awaited<ReturnType<typeof openWorkbench>>) => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withWorkbench(options, fn) {
	const workbench = await openWorkbench(options);
	try {
		return await fn(workbench);
	} catch (error) {
		const label = options.label ?? options.fixture ?? 'workbench';
		await screenshot(workbench.page, `FAILED-${label}`).catch(() => {});
		fs.writeFileSync(path.join(SCREENSHOTS, `FAILED-${label}.console.log`), workbench.consoleLines.join('\n'));
		throw error;
	} finally {
		await workbench.close();
	}
}

let workbenchCount = 0;
const scratchDirs = new Set();
process.on('exit', () => {
	for (const dir of scratchDirs) {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});

function copyDir(from, to) {
	fs.cpSync(from, to, { recursive: true });
	return to;
}

// ---- page helpers ------------------------------------------------------------------------------

/** Waits until the workbench is up: parts rendered and the remote extension host connected. */
export async function waitForWorkbench(page, timeout = 60_000) {
	await expectVisible(page.locator('.monaco-workbench'), 'the workbench', timeout);
	await expectVisible(page.locator('#workbench\\.parts\\.activitybar'), 'the activity bar', timeout);
	await expectVisible(page.locator('#workbench\\.parts\\.statusbar'), 'the status bar', timeout);
	await expectVisible(page.locator('.explorer-folders-view, .explorer-viewlet'), 'the Explorer', timeout);
	// The remote indicator shows the host once the server connection is established.
	await page.waitForFunction(
		() => !document.querySelector('#workbench\\.parts\\.statusbar .codicon-loading, #workbench\\.parts\\.statusbar .codicon-sync~spin'),
		undefined,
		{ timeout },
	);
}

/**
 * Fails with "missing surface: <what>" unless the locator becomes visible.
 * @param {import('playwright-core').Locator} locator
 */
export async function expectVisible(locator, what, timeout = 15_000) {
	try {
		await locator.first().waitFor({ state: 'visible', timeout });
	} catch (error) {
		throw new Error(`missing surface: ${what} (${locator}) not visible within ${timeout} ms: ${error.message.split('\n')[0]}`);
	}
	return locator.first();
}

/** Saves test-results/ui/<name>.png (after a short pause, so notifications finish sliding in). */
export async function screenshot(page, name, { settle = 400 } = {}) {
	fs.mkdirSync(SCREENSHOTS, { recursive: true });
	await page.waitForTimeout(settle);
	const file = path.join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
	await page.screenshot({ path: file });
	return file;
}

/** Opens the command palette with F1; returns the quick input widget. */
export async function openCommandPalette(page) {
	// Focus the workbench first: a fresh page has no focused element for the keybinding.
	await page.locator('#workbench\\.parts\\.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => {});
	const widget = page.locator('.quick-input-widget');
	for (let attempt = 0; attempt < 3; attempt++) {
		await page.keyboard.press('F1');
		try {
			await widget.waitFor({ state: 'visible', timeout: 5_000 });
			break;
		} catch {
			// the keybinding service may not be ready yet
		}
	}
	await expectVisible(widget, 'the command palette (F1)');
	return widget;
}

/**
 * Runs a command by its palette label, e.g. "Workspace Jobs: Run Job". Fails if the palette has
 * no such entry. The palette lists what its `when` clauses allow when it opens and does not follow
 * later changes, so a command whose context key the extension sets a moment later (right after
 * activation) is looked for again in a freshly opened palette, as a person would, until `timeout`.
 */
export async function runCommand(page, label, timeout = 15_000) {
	const deadline = Date.now() + timeout;
	for (;;) {
		const widget = await openCommandPalette(page);
		await page.keyboard.type(label);
		const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
		try {
			await row.waitFor({ state: 'visible', timeout: Math.max(1_000, Math.min(4_000, deadline - Date.now())) });
			await row.click();
			return;
		} catch (error) {
			if (Date.now() >= deadline) {
				throw new Error(`missing surface: command "${label}" in the command palette not visible within ${timeout} ms: ${error.message.split('\n')[0]}`);
			}
			await closeQuickInput(page);
		}
	}
}

/** Closes any quick input (palette, quick pick). */
export async function closeQuickInput(page) {
	await page.keyboard.press('Escape');
	await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
}

/** A status bar item containing text (string or RegExp). */
export function statusBarItem(page, text) {
	return page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: text });
}

/** A notification toast containing text. */
export function notification(page, text) {
	return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

/** Opens a view container from the activity bar by its title (the action's aria-label). */
export async function openViewContainer(page, title) {
	const action = page.locator(`#workbench\\.parts\\.activitybar .action-item a[aria-label^="${title}"]`);
	await expectVisible(action, `activity bar entry "${title}"`);
	const item = action.locator('xpath=..');
	if (!/checked/.test((await item.getAttribute('class')) ?? '')) {
		await action.click();
	}
	return page.locator('#workbench\\.parts\\.sidebar');
}

/** A tree item in the side bar with the given label. */
export function treeItem(page, label) {
	return page.locator('#workbench\\.parts\\.sidebar .monaco-list-row', { hasText: label });
}
