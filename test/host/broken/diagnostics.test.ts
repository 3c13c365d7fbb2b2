// The broken fixture: engine diagnostics land in the Problems panel at the right lines, and the
// valid job still shows and runs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, setRequireApproval, waitFor, workspaceFolder } from '../helpers';

suite('diagnostics (broken fixture)', () => {
	test('every problem of .jobs.json is in the Problems panel at its line and column', async () => {
		const api = await activateExtension();
		const file = path.join(workspaceFolder().uri.fsPath, '.jobs.json');
		const expected = api._test.getProblems().find((p) => p.file === file)!.problems;
		assert.ok(expected.length >= 3, 'the fixture has several problems');
		const uri = vscode.Uri.file(file);
		const shown = await waitFor(() => api._test.getDiagnostics(uri).length === expected.length && api._test.getDiagnostics(uri), 'diagnostics');
		const fromPanel = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Workspace Jobs');
		assert.equal(fromPanel.length, expected.length, 'the same diagnostics through the public API');
		expected.forEach((d, i) => {
			const got = shown[i];
			assert.equal(got.range.start.line, d.line - 1, d.message);
			assert.equal(got.range.start.character, d.column - 1, d.message);
			assert.equal(got.range.end.line, d.endLine - 1, d.message);
			assert.equal(got.range.end.character, d.endColumn - 1, d.message);
			assert.equal(got.message, d.message);
			assert.equal(got.severity, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
		});
		const noCommandLine = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('"no-command"'));
		assert.ok(shown.some((d) => d.range.start.line === noCommandLine && /missing required field "command"/.test(d.message)), 'the job without a command');
	});

	test('the valid job is in the tree and runs', async () => {
		const api = await activateExtension();
		await setRequireApproval(false);
		try {
			const labels = api._test.getTreeChildren().map((n) => api._test.getTreeItem(n).label);
			assert.deepEqual(labels, ['ok']);
			const records = await vscode.commands.executeCommand<Array<{ status: string }>>('workspaceJobs.runJob', 'ok');
			assert.equal(records?.[0].status, 'completed');
		} finally {
			await setRequireApproval(undefined);
		}
	});
});

suite('schema (broken fixture)', () => {
	test('the JSON language service validates .jobs.json against the contributed schema', async function () {
		this.timeout(40_000);
		const uri = vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, '.jobs.json'));
		const document = await vscode.workspace.openTextDocument(uri);
		await vscode.window.showTextDocument(document);
		assert.equal(document.languageId, 'jsonc');
		const schemaProblems = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source !== 'Workspace Jobs' && /timout/i.test(document.getText(d.range) + d.message));
		const fromSchema = await waitFor(
			() => schemaProblems().length > 0 && schemaProblems(),
			'a schema diagnostic on the misspelled "timout"',
			30_000,
		).catch(() => []);
		assert.ok(fromSchema.length > 0, `schema diagnostics: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => [d.source, d.message]))}`);
	});
});
