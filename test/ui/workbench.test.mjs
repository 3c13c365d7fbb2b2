// UI smoke test: the workbench loads in code-server with the packaged extension installed, the
// command palette works, and the extension shows up as installed. The real scenario goes into
// further test/ui/*.test.mjs files built on the same helpers (test/harness/ui.mjs).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
	closeQuickInput,
	expectVisible,
	openCommandPalette,
	openViewContainer,
	screenshot,
	treeItem,
	withWorkbench,
} from '../harness/ui.mjs';

test('workbench loads the basic fixture with the extension installed', { timeout: 180_000 }, () =>
	withWorkbench({ fixture: 'basic', label: 'workbench' }, async ({ page }) => {
		await expectVisible(treeItem(page, '.jobs.json'), 'the fixture\'s .jobs.json in the Explorer');
		await screenshot(page, 'workbench');

		const palette = await openCommandPalette(page);
		await page.keyboard.type('View: Toggle Status Bar');
		await expectVisible(palette.locator('.monaco-list-row', { hasText: 'Toggle Status Bar' }), 'a command in the palette');
		await screenshot(page, 'command-palette');
		await closeQuickInput(page);

		const sidebar = await openViewContainer(page, 'Extensions');
		await page.keyboard.type('@installed workspace jobs');
		const item = sidebar.locator('.extension-list-item', { hasText: 'Workspace Jobs' });
		await expectVisible(item, 'Workspace Jobs in the installed extensions', 30_000);
		assert.match(await item.first().innerText(), /Workspace Jobs/);
		await screenshot(page, 'extension-installed');
	}));

test('an untrusted folder opens in Restricted Mode', { timeout: 180_000 }, () =>
	withWorkbench({ fixture: 'untrusted', trust: false, label: 'restricted-mode' }, async ({ page }) => {
		await expectVisible(
			page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: 'Restricted Mode' }),
			'the Restricted Mode indicator in the status bar',
		);
		await screenshot(page, 'restricted-mode');
	}));
