// Smoke suite for the broken fixture: its .jobs.json breaks the schema.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

suite('smoke (broken fixture)', () => {
	test('opens the broken fixture', async () => {
		assert.equal(vscode.workspace.workspaceFolders?.[0]?.name, 'broken');
		const [file] = await vscode.workspace.findFiles('.jobs.json');
		assert.ok(file, '.jobs.json is in the workspace');
		assert.match((await vscode.workspace.openTextDocument(file)).getText(), /no-command/);
	});
});
