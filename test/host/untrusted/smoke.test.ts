// Smoke suite for the untrusted fixture: Workspace Trust on, folder not trusted (Restricted Mode).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sleep } from '../../support/wait';

suite('smoke (untrusted fixture)', () => {
	test('opens the untrusted fixture in Restricted Mode', () => {
		assert.equal(vscode.workspace.workspaceFolders?.[0]?.name, 'untrusted');
		assert.equal(vscode.workspace.isTrusted, false);
	});

	test('no job of the untrusted workspace ran', async () => {
		await sleep(1500);
		const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
		assert.equal(fs.existsSync(path.join(folder, 'ran-untrusted.txt')), false);
	});
});
