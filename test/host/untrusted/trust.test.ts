// Restricted Mode: the extension activates (limited support) and shows the jobs, but nothing
// runs: not the scheduler, not a command, not the API.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, setRequireApproval, workspaceFolder } from '../helpers';
import { sleep } from '../../support/wait';

suite('trust (untrusted fixture)', () => {
	test('activates in Restricted Mode and lists the jobs', async () => {
		const api = await activateExtension();
		assert.equal(vscode.workspace.isTrusted, false);
		assert.deepEqual(
			api._test.getTreeChildren().map((n) => api._test.getTreeItem(n).label),
			api._test.engines()[0].engine.getJobs().map((j) => j.name),
		);
		assert.ok(api._test.engines()[0].engine.getJobs().length > 0);
		assert.match(api._test.getStatusBarTooltip(), /Restricted Mode/);
	});

	test('no run path runs a job, even with approval off', async () => {
		const api = await activateExtension();
		await setRequireApproval(false);
		try {
			const engine = api._test.engines()[0].engine;
			const [job] = engine.getJobs();
			assert.equal(engine.isStarted, false, 'the scheduler did not start');
			assert.equal(await vscode.commands.executeCommand('workspaceJobs.runJob', job.id), undefined);
			assert.equal(await vscode.commands.executeCommand('workspaceJobs.runAll'), undefined);
			await assert.rejects(api.run(job.id), /Restricted Mode/);
			const fn = api.submit({ id: 'api-untrusted', run: async () => 'ran' });
			await assert.rejects(fn.run(), /Restricted Mode/);
			fn.dispose();
			await sleep(2500);
			assert.equal(engine.isStarted, false);
			assert.deepEqual(engine.readHistory(), []);
			assert.equal(fs.existsSync(path.join(workspaceFolder().uri.fsPath, 'ran-untrusted.txt')), false);
			assert.ok(api._test.getLogLines().some((l) => l.level === 'warn' && /Restricted Mode/.test(l.text)));
		} finally {
			await setRequireApproval(undefined);
		}
	});
});
