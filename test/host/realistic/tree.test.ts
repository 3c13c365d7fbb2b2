// The Jobs tree on a realistic workspace (test/fixtures/realistic): what a row says while a
// dependency runs, runs with their attempts nested, a run going on under a changed definition,
// and no expand arrow on a job that never ran.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../../src/core/model';
import type { WorkspaceJobsExports } from '../../../src/extension';
import type { JobTreeNode } from '../../../src/extension/jobTreeProvider';
import { activateExtension, setRequireApproval, waitFor, workspaceFolder } from '../helpers';

suite('tree (realistic fixture)', () => {
	let api: WorkspaceJobsExports;
	const engine = () => api._test.engines()[0].engine;
	const jobNode = (label: string): JobTreeNode => {
		api._test.flush();
		const node = api._test.getTreeChildren().find((n) => api._test.getTreeItem(n).label === label);
		assert.ok(node, `tree row "${label}"`);
		return node;
	};
	const item = (label: string) => api._test.getTreeItem(jobNode(label));

	suiteSetup(async () => {
		api = await activateExtension();
		await setRequireApproval(false);
		await waitFor(() => api._test.engines()[0]?.engine.getJob('lint'), 'the realistic jobs to load');
	});

	suiteTeardown(async () => {
		await setRequireApproval(undefined);
	});

	test('a job that never ran has no expand arrow; after a run it has one', async () => {
		assert.equal(item('Deploy').collapsibleState, vscode.TreeItemCollapsibleState.None);
		assert.equal(item('Lint').description, 'needs build');
		await vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', 'deploy');
		assert.equal(item('Deploy').collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
		assert.match(String(item('Deploy').description), /^✗ just now$/);
	});

	test('a job whose dependency runs says "waiting for build" at once', async () => {
		const runs = vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', 'lint');
		await waitFor(() => engine().getJob('build')?.state === 'running', 'build to run');
		api._test.flush();
		assert.equal(item('Lint').description, 'waiting for build');
		assert.equal((item('Lint').iconPath as vscode.ThemeIcon).id, 'watch');
		assert.match(String(item('Build').description), /^running/);
		const records = (await runs)!;
		assert.deepEqual(
			records.map((r) => [r.jobId, r.status]),
			[
				['build', 'completed'],
				['lint', 'completed'],
			],
		);
		api._test.flush();
		assert.match(String(item('Lint').description), /^✓ just now/);
	});

	test('a flaky run is one green row that passed on attempt 2 of 3, its attempts under it', async () => {
		const records = (await vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', 'unit'))!;
		assert.deepEqual(
			records.map((r) => [r.attempt, r.status]),
			[[2, 'completed']],
		);
		const runs = api._test.getTreeChildren(jobNode('Unit tests'));
		assert.equal(runs.length, 1, 'one run, not one row per attempt');
		const run = api._test.getTreeItem(runs[0]);
		assert.equal(run.description, 'passed on attempt 2 of 3');
		assert.equal((run.iconPath as vscode.ThemeIcon).id, 'pass');
		assert.equal(run.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
		const attempts = api._test.getTreeChildren(runs[0]).map((n) => api._test.getTreeItem(n));
		assert.deepEqual(
			attempts.map((a) => [a.label, (a.iconPath as vscode.ThemeIcon).id]),
			[
				['attempt 1', 'error'],
				['attempt 2', 'pass'],
			],
		);
		assert.match(String(attempts[0].description), /^exit 1 after \d+ ms$/);
	});

	test('a run going on under a definition changed since is marked', async () => {
		const file = path.join(workspaceFolder().uri.fsPath, '.jobs.json');
		const original = fs.readFileSync(file, 'utf8');
		const runs = vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', 'query');
		try {
			await waitFor(() => engine().getJob('query')?.state === 'running', 'the query to run');
			assert.doesNotMatch(String(item('Slow query').description), /definition changed/);
			fs.writeFileSync(file, original.replace('"timeout": "8s"', '"timeout": "9s"'));
			await waitFor(() => {
				api._test.flush();
				return /definition changed/.test(String(item('Slow query').description));
			}, 'the running query marked as running under an old definition');
		} finally {
			await vscode.commands.executeCommand('workspaceJobs.cancelJob', 'query');
			await runs;
			fs.writeFileSync(file, original);
		}
	});
});
