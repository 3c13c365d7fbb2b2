// The extension in a real VS Code on the basic fixture: activation, commands, tree, runs, status
// bar, log, reload and diagnostics, approval, metrics panel, CodeLens and the API.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/model';
import type { WorkspaceJobsExports } from '../../src/extension';
import { activateExtension, EXTENSION_ID, setRequireApproval, waitFor, workspaceFolder } from './helpers';

suite('extension (basic fixture)', () => {
	let api: WorkspaceJobsExports;
	let jobsFile: string;

	const engine = () => api._test.engines()[0].engine;
	const items = () => api._test.getTreeChildren().map((node) => api._test.getTreeItem(node));
	const itemOf = (label: string) => {
		api._test.flush();
		const item = items().find((i) => i.label === label);
		assert.ok(item, `tree item "${label}"`);
		return item;
	};
	const historyOf = (jobId: string) => engine().readHistory({ jobId });

	suiteSetup(async () => {
		// No explicit activate first: workspaceContains:.jobs.json must have activated it already.
		const extension = vscode.extensions.getExtension(EXTENSION_ID);
		await waitFor(() => extension?.isActive, 'activation on workspaceContains:.jobs.json', 15_000);
		api = await activateExtension();
		jobsFile = path.join(workspaceFolder().uri.fsPath, '.jobs.json');
		// The fixture's commands are known; approval has its own test below.
		await setRequireApproval(false);
	});

	suiteTeardown(async () => {
		await setRequireApproval(undefined);
	});

	test('activates on the fixture folder and returns the API', () => {
		assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
		assert.equal(api.version, 1);
		assert.equal(typeof api.submit, 'function');
		assert.equal(api._test.engines().length, 1);
		assert.equal(api._test.engines()[0].folder.fsPath, workspaceFolder().uri.fsPath);
	});

	test('registers every command it contributes', async () => {
		const contributed: Array<{ command: string }> = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
		const registered = new Set(await vscode.commands.getCommands(true));
		assert.ok(contributed.length >= 15);
		for (const { command } of contributed) {
			assert.ok(registered.has(command), `${command} is registered`);
		}
	});

	test('the tree lists the jobs of .jobs.json in file order', () => {
		// The fixture's ids, straight from the file text (host tests do not bundle the parser).
		const ids = [...fs.readFileSync(jobsFile, 'utf8').matchAll(/\{ "id": "([^"]+)"/g)].map((m) => m[1]);
		assert.ok(ids.length >= 5);
		assert.deepEqual(
			api._test.getTreeChildren().map((n) => (n.kind === 'job' ? n.jobId : '')),
			ids,
		);
		const tree = items();
		assert.deepEqual(
			tree.map((i) => i.label),
			ids.map((id) => engine().getJob(id)!.name),
		);
		for (const item of tree) {
			assert.match(String(item.contextValue), /^job\.\w+\.on\.file$/);
			assert.ok(item.iconPath instanceof vscode.ThemeIcon);
		}
	});

	test('Run Now runs a job, records it and updates tree, status bar and log', async () => {
		const before = historyOf('hello').length;
		const records = (await vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', 'hello'))!;
		assert.equal(records.length, 1);
		assert.equal(records[0].status, 'completed');
		assert.equal(historyOf('hello').length, before + 1);
		assert.equal(engine().getJob('hello')?.state, 'completed');
		const item = itemOf('Hello');
		assert.match(String(item.description), /^✓ just now/);
		assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
		assert.match(String(item.contextValue), /^job\.completed\./);
		assert.match(api._test.getStatusBarText(), /Jobs/);
		const runLine = api._test.getLogLines().find((l) => l.text.includes(`[hello ${records[0].runId}]`) && l.level === 'debug');
		assert.ok(runLine, 'a debug line with the job and run id (a completed run is detail)');
		assert.ok(records[0].logFile && fs.readFileSync(records[0].logFile, 'utf8').includes('hello'), 'the run log file has the output');
	});

	test('a failing job is red in the tree, counted in the status bar and logged as an error', async () => {
		const [record] = (await vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', { jobId: 'fail' }))!;
		assert.equal(record.status, 'failed');
		assert.equal(record.exitCode, 3);
		const item = itemOf('Fail');
		assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
		assert.match(String(item.description), /^✗ just now/);
		assert.match(api._test.getStatusBarText(), /\$\(error\) \d+/);
		assert.ok(api._test.getLogLines().some((l) => l.level === 'error' && l.text.startsWith(`[fail ${record.runId}]`)));
		await vscode.commands.executeCommand('workspaceJobs.showJobs');
		assert.doesNotMatch(api._test.getStatusBarText(), /\$\(error\)/, 'looking at the view resets the failure count');
	});

	test('a job runs after its dependency', async () => {
		const folder = workspaceFolder().uri.fsPath;
		fs.rmSync(path.join(folder, 'build.out'), { force: true });
		const records = (await vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', 'test'))!;
		assert.deepEqual(
			records.map((r) => [r.jobId, r.status]),
			[
				['build', 'completed'],
				['test', 'completed'],
			],
		);
		assert.ok(fs.existsSync(path.join(folder, 'build.out')));
	});

	test('a running job spins and can be canceled', async () => {
		const run = vscode.commands.executeCommand<RunRecord[]>('workspaceJobs.runJob', 'slow');
		await waitFor(() => engine().getJob('slow')?.state === 'running', 'slow to run');
		const item = itemOf('Slow');
		assert.equal((item.iconPath as vscode.ThemeIcon).id, 'sync~spin');
		assert.match(String(item.contextValue), /^job\.running\./);
		assert.match(api._test.getStatusBarText(), /^\$\(sync~spin\) 1 running/);
		const runs = api._test.getTreeChildren().find((n) => api._test.getTreeItem(n).label === 'Slow')!;
		assert.match(String(api._test.getTreeItem(api._test.getTreeChildren(runs)[0]).contextValue), /^run\.running/);
		const canceled = await vscode.commands.executeCommand<number>('workspaceJobs.cancelJob', 'slow');
		assert.equal(canceled, 1);
		const [record] = (await run)!;
		assert.equal(record.status, 'canceled');
		assert.doesNotMatch(api._test.getStatusBarText(), /running/);
	});

	test('disable and enable change the job and its menu context', async () => {
		await vscode.commands.executeCommand('workspaceJobs.disableJob', 'nightly');
		assert.equal(engine().isEnabled('nightly'), false);
		assert.match(String(itemOf('Nightly').contextValue), /^job\.disabled\.off\.file$/);
		await vscode.commands.executeCommand('workspaceJobs.enableJob', 'nightly');
		assert.equal(engine().isEnabled('nightly'), true);
		assert.match(String(itemOf('Nightly').contextValue), /\.on\.file$/);
		assert.match(String(itemOf('Nightly').description), /next /);
	});

	test('Open Definition jumps to the job in .jobs.json', async () => {
		const line = engine().getDefinition('build')!.source!.line;
		await vscode.commands.executeCommand('workspaceJobs.openDefinition', 'build');
		const editor = vscode.window.activeTextEditor;
		assert.equal(editor?.document.uri.fsPath, jobsFile);
		assert.equal(editor?.selection.active.line, line - 1);
		assert.equal(editor?.document.languageId, 'jsonc');
	});

	test('CodeLens offers Run Now on every job and the next run on scheduled ones', async () => {
		const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(jobsFile));
		const titles = lenses.map((l) => l.command?.title ?? '');
		assert.equal(titles.filter((t) => t.includes('Run Now')).length, engine().getJobs().length);
		assert.ok(titles.some((t) => t.startsWith('next ')), titles.join(', '));
	});

	test('a broken save keeps the last good jobs and shows the errors at the right line', async () => {
		const good = fs.readFileSync(jobsFile, 'utf8');
		const jobCount = engine().getJobs().length;
		const uri = vscode.Uri.file(jobsFile);
		try {
			const broken = good.replace('"command": "echo 3 tests failed >&2; exit 3"', '"command": 42');
			const line = broken.split('\n').findIndex((l) => l.includes('"command": 42'));
			fs.writeFileSync(jobsFile, broken);
			const diagnostics = await waitFor(() => api._test.getDiagnostics(uri).length > 0 && api._test.getDiagnostics(uri), 'diagnostics');
			assert.equal(diagnostics[0].range.start.line, line);
			assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
			assert.match(diagnostics[0].message, /command/);
			assert.ok(engine().getDefinition('fail'), 'the last good definition of "fail" stays loaded');
			assert.equal(items().length, jobCount);
			assert.match(String(api._test.getTreeItem(api._test.getTreeChildren()[0]).label), /Hello/);
		} finally {
			fs.writeFileSync(jobsFile, good);
		}
		await waitFor(() => api._test.getDiagnostics(uri).length === 0, 'the diagnostics to clear');
	});

	test('with requireApproval on, a run without approval is refused', async () => {
		await setRequireApproval(true);
		try {
			await waitFor(() => vscode.workspace.getConfiguration('workspaceJobs').inspect('requireApproval')?.globalValue === true, 'the setting');
			const before = historyOf('hello').length;
			const result = await vscode.commands.executeCommand('workspaceJobs.runJob', 'hello');
			assert.equal(result, undefined);
			assert.equal(historyOf('hello').length, before);
			assert.ok(api._test.getLogLines().some((l) => l.level === 'warn' && /Not running hello: .*not approved/.test(l.text)));
			await assert.rejects(api.run('hello'), /not approved/);
		} finally {
			await setRequireApproval(false);
		}
	});

	test('the metrics panel loads under its CSP, handshakes and gets a snapshot', async () => {
		await vscode.commands.executeCommand('workspaceJobs.showMetrics', 'hello');
		const state = await waitFor(() => {
			const s = api._test.getMetricsPanelState();
			return s.readyCount > 0 && s.postedCount > 0 && s;
		}, 'webview/ready and metrics/didChange');
		// Runs, not attempts: one per runId whose last attempt ended, as history has them.
		const runs = new Set(engine().readHistory().filter((r) => !r.willRetry && r.status !== 'skipped' && r.status !== 'missed').map((r) => r.runId));
		assert.equal(state.lastView?.totals.runs, runs.size);
		assert.ok(state.lastView!.totals.runs >= 3);
		assert.equal(state.lastView?.focus, 'basic/hello');
		await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
	});

	test('the API registers a function job that runs through the engine', async () => {
		const finished: string[] = [];
		const listener = api.onDidFinishRun((e) => finished.push(e.record.jobId));
		const handle = api.submit({ id: 'api-job', name: 'API job', run: async ({ signal }) => (signal.aborted ? 'aborted' : 'ok') });
		try {
			api._test.flush();
			assert.ok(items().some((i) => i.label === 'API job' && /\.api$/.test(String(i.contextValue))));
			const [record] = await handle.run();
			assert.equal(record.status, 'completed');
			assert.equal(record.trigger, 'api');
			assert.equal(handle.status()?.state, 'completed');
			assert.deepEqual(finished, ['api-job']);
		} finally {
			listener.dispose();
			handle.dispose();
		}
		api._test.flush();
		assert.ok(!items().some((i) => i.label === 'API job'));
	});
});
