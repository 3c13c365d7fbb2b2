// Smoke suite: the harness really runs inside a VS Code extension host, on the basic fixture.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'workspace-jobs.workspace-jobs';

suite('smoke (basic fixture)', () => {
	test('runs in a real VS Code', () => {
		assert.match(vscode.version, /^\d+\.\d+\.\d+/);
		assert.equal(typeof vscode.commands.executeCommand, 'function');
	});

	test('opens the basic fixture as the only workspace folder', () => {
		const folders = vscode.workspace.workspaceFolders ?? [];
		assert.equal(folders.length, 1);
		assert.equal(folders[0].name, 'basic');
		assert.ok(fs.existsSync(path.join(folders[0].uri.fsPath, '.jobs.json')), '.jobs.json is in the workspace');
	});

	test('the workspace is trusted', () => {
		assert.equal(vscode.workspace.isTrusted, true);
	});

	test('finds the .jobs.json through the workspace API', async () => {
		const found = await vscode.workspace.findFiles('.jobs.json');
		assert.equal(found.length, 1);
		const text = (await vscode.workspace.openTextDocument(found[0])).getText();
		assert.match(text, /"hello"/);
	});

	test('the extension under development is loaded and activates', async function () {
		const extension = vscode.extensions.getExtension(EXTENSION_ID);
		assert.ok(extension, `${EXTENSION_ID} is not loaded (extensionDevelopmentPath)`);
		if (!fs.existsSync(path.join(extension.extensionPath, 'dist', 'extension.js'))) {
			this.skip(); // dist/extension.js not built yet (src/extension.ts missing)
		}
		await extension.activate();
		assert.equal(extension.isActive, true);
	});
});
