// "Why Didn't This Run?" in a real VS Code on the basic fixture: a run skipped because the
// previous one still ran is explained in the document the command opens and in the job's hover.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/model';
import type { WorkspaceJobsExports } from '../../src/extension';
import { activateExtension, EXTENSION_ID, setRequireApproval, waitFor } from './helpers';

suite('explain (basic fixture)', () => {
	let api: WorkspaceJobsExports;
	const engine = () => api._test.engines()[0].engine;

	suiteSetup(async () => {
		api = await activateExtension();
		await setRequireApproval(false);
	});

	suiteTeardown(async () => {
		await setRequireApproval(undefined);
	});

	test('the command is contributed to the palette and the job context menu', () => {
		const contributes = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes;
		const command = contributes.commands.find((c: { command: string }) => c.command === 'workspaceJobs.explainJob');
		assert.deepEqual([command?.title, command?.category], ["Why Didn't This Run?", 'Workspace Jobs']);
		assert.ok(contributes.menus['view/item/context'].some((m: { command: string; when: string }) => m.command === 'workspaceJobs.explainJob' && m.when.includes('viewItem =~ /^job\\./')));
	});

	test('a run skipped for overlap is explained in the document and the hover', async () => {
		const first = vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', 'slow');
		await waitFor(() => engine().getJob('slow')?.state === 'running', 'slow to run');
		const [skipped] = (await vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', 'slow'))!;
		assert.equal(skipped.reason, 'overlap');
		try {
			const uri = await vscode.commands.executeCommand<vscode.Uri>('workspaceJobs.explainJob', 'slow');
			assert.ok(uri, 'the command resolves with the document');
			assert.equal(uri.scheme, 'workspace-jobs-explain');
			const text = (await vscode.workspace.openTextDocument(uri)).getText();
			assert.match(text, /^# Why didn't "Slow" \(slow\) run\?$/m);
			assert.match(text, /^- Running now \(run \S+, manual\)/m);
			assert.match(text, /^- \S+ \S+ skipped · previous run \S+ is still running \(overlap: skip\) · started by hand$/m);
			api._test.flush();
			const node = api._test.getTreeChildren().find((n) => api._test.getTreeItem(n).label === 'Slow')!;
			assert.match(api._test.getTreeTooltip(node), /\$\(question\) Skipped (just now|\d+ s ago): previous run \S+ is still running/);
		} finally {
			await vscode.commands.executeCommand<number>('workspaceJobs.cancelJob', 'slow');
			await first;
		}
	});

	test('an open explanation follows the engine: the cancel shows up without opening it again', async () => {
		const uri = (await vscode.commands.executeCommand<vscode.Uri>('workspaceJobs.explainJob', 'slow'))!;
		const doc = await vscode.workspace.openTextDocument(uri);
		const before = (doc.getText().match(/^- .* canceled/gm) ?? []).length;
		const run = vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', 'slow');
		await waitFor(() => engine().getJob('slow')?.state === 'running', 'slow to run');
		await vscode.commands.executeCommand<number>('workspaceJobs.cancelJob', 'slow');
		await run;
		await waitFor(() => (doc.getText().match(/^- .* canceled/gm) ?? []).length > before, 'the new cancel in the open document');
	});

	test('an unknown job id is refused without opening anything', async () => {
		const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('workspaceJobs.explainJob', 'nope');
		assert.equal(uri, undefined);
	});
});
