// The approval review in a real VS Code: the read-only document that shows every job in full,
// the Allow action it carries, what Allow approves, and when the extension asks again.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkspaceJobsExports } from '../../src/extension';
import { activateExtension, waitFor, workspaceFolder } from './helpers';
import { sleep } from '../support/wait';

const Commands = {
	approveJobs: 'workspaceJobs.approveJobs',
	allowJobs: 'workspaceJobs.allowJobs',
	forgetApprovals: 'workspaceJobs.forgetApprovals',
};
const reviewScheme = 'workspace-jobs-review';
const padded = `echo test${' '.repeat(120)}; echo padded > padded.txt`;

type JobEntry = Record<string, unknown> & { id: string; command: string };

suite('approval review (basic fixture)', () => {
	let api: WorkspaceJobsExports;
	let jobsFile: string;
	let original: string;
	const folderPath = () => workspaceFolder().uri.fsPath;

	const writeJobs = (jobs: JobEntry[]) => {
		fs.writeFileSync(jobsFile, JSON.stringify({ jobs }, null, '\t'));
		api._test.reload();
	};
	const refused = async (jobId = 'hello') => {
		await assert.rejects(api.run(jobId), /not approved/, `${jobId} is refused`);
	};
	const openReview = async (): Promise<{ uri: vscode.Uri; text: string }> => {
		const uri = await vscode.commands.executeCommand<vscode.Uri>(Commands.approveJobs, folderPath());
		assert.ok(uri instanceof vscode.Uri, 'approveJobs resolves with the review URI');
		const editor = await waitFor(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString()), 'the review editor');
		return { uri, text: editor.document.getText() };
	};
	const allow = (uri?: vscode.Uri) => vscode.commands.executeCommand<boolean>(Commands.allowJobs, uri);
	const tabOpen = (uri: vscode.Uri) =>
		vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString()));

	const base: JobEntry[] = [
		{ id: 'hello', name: 'Hello', command: 'echo hello' },
		{ id: 'test', command: padded, env: { NODE_OPTIONS: '--require /tmp/evil.js' }, cwd: 'sub' },
		{ id: 'multi', command: 'set -e\n\techo one\necho \u001b[2Ktwo \u202e' },
		...Array.from({ length: 12 }, (_, i) => ({ id: `extra${i}`, command: `echo extra ${i}` })),
	];

	suiteSetup(async () => {
		api = await activateExtension();
		jobsFile = path.join(folderPath(), '.jobs.json');
		original = fs.readFileSync(jobsFile, 'utf8');
		fs.mkdirSync(path.join(folderPath(), 'sub'), { recursive: true });
		await vscode.commands.executeCommand(Commands.forgetApprovals);
		api._test.setRequireApproval(true);
		writeJobs(base);
	});

	suiteTeardown(async () => {
		api._test.answerAllowDialog(undefined);
		api._test.setRequireApproval(undefined);
		fs.writeFileSync(jobsFile, original);
		api._test.reload();
		await vscode.commands.executeCommand(Commands.forgetApprovals);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	test('the review is a read-only document that shows every job in full', async () => {
		await refused();
		const { uri, text } = await openReview();
		assert.equal(uri.scheme, reviewScheme);
		const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
		assert.equal(document.languageId, 'workspace-jobs-review');
		for (const job of base) {
			assert.ok(text.includes(`\n${job.id}`), `job ${job.id} is in the review`);
		}
		assert.ok(text.includes('echo test«120 spaces»; echo padded > padded.txt'), 'the padded command, whole');
		assert.ok(text.includes('NODE_OPTIONS=--require /tmp/evil.js'), 'the env value');
		assert.ok(text.includes(`cwd       ${path.join(folderPath(), 'sub')}`), 'the cwd');
		assert.ok(text.includes('set -e«\\n»\n              «\\t»echo one«\\n»\n              echo «\\x1b»[2Ktwo «U+202E RLO»'), 'the escaped multi-line command');
		assert.doesNotMatch(text, /\.\.\. and \d+ more/);
	});

	test('a review whose text was changed allows nothing', async () => {
		const { uri } = await openReview();
		// The editor is read-only for the user, but an extension can still edit the document.
		const edit = new vscode.WorkspaceEdit();
		edit.replace(uri, new vscode.Range(0, 0, 1, 0), 'harmless\n');
		await vscode.workspace.applyEdit(edit);
		api._test.answerAllowDialog(true);
		assert.equal(await allow(uri), false);
		await refused();
		api._test.answerAllowDialog(undefined);
	});

	test('the review carries the Allow action', async () => {
		const { uri } = await openReview();
		const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
		const allowLens = lenses.find((l) => l.command?.command === Commands.allowJobs);
		assert.ok(allowLens, `an Allow lens among ${lenses.map((l) => l.command?.title).join(', ')}`);
		assert.match(allowLens.command!.title, /Allow These Jobs/);
		assert.equal(allowLens.range.start.line, 0);
	});

	test('Allow needs the answer of its dialog, and a review', async () => {
		const { uri } = await openReview();
		api._test.answerAllowDialog(false);
		assert.equal(await allow(uri), false, 'dismissed');
		await refused();
		assert.equal(await allow(vscode.Uri.from({ scheme: reviewScheme, path: '/basic.jobs-review', query: 'review=forged' })), false, 'an unknown review');
		await refused();
	});

	test('Allow approves what the review showed; the approval is kept outside the workspace', async () => {
		const before = fs.readdirSync(folderPath(), { recursive: true }).map(String).sort();
		const { uri } = await openReview();
		api._test.answerAllowDialog(true);
		assert.equal(await allow(uri), true);
		assert.equal(tabOpen(uri), false, 'the review closes');
		assert.deepEqual(fs.readdirSync(folderPath(), { recursive: true }).map(String).sort(), before, 'approving wrote nothing into the workspace');
		const records = await api.run('hello');
		assert.equal(records.at(-1)?.status, 'completed');
	});

	test('a change after the review opened is not approved by it', async () => {
		writeJobs([...base, { id: 'late', command: 'echo late' }]);
		await refused();
		const { uri } = await openReview();
		writeJobs([...base, { id: 'late', command: 'echo late; echo pwned > pwned.txt' }]);
		api._test.answerAllowDialog(true);
		assert.equal(await allow(uri), false, 'the stale review allows nothing');
		await refused();
		await refused('late');
		const fresh = await waitFor(
			() => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === reviewScheme && e.document.uri.toString() !== uri.toString()),
			'a new review',
		);
		assert.ok(fresh.document.getText().includes('echo late; echo pwned > pwned.txt'), 'the new review shows the new command');
		assert.equal(tabOpen(uri), false, 'the stale review closes');
		writeJobs([...base, { id: 'late', command: 'echo later > later.txt' }]);
		const { uri: current } = await openReview();
		assert.equal(await allow(current), true);
		await api.run('late');
		assert.ok(fs.existsSync(path.join(folderPath(), 'later.txt')));
	});

	test('the next review shows what changed since the last approval, old and new', async () => {
		const changed = base.map((job) => (job.id === 'hello' ? { ...job, command: 'echo hello; echo changed', env: { HELLO: 'changed' } } : job)).filter((job) => job.id !== 'extra0');
		writeJobs([...changed, { id: 'late', command: 'echo later > later.txt' }, { id: 'added', command: 'echo added' }]);
		await refused();
		const { text } = await openReview();
		assert.match(text, /Changes since you allowed these jobs \(\d{4}-\d\d-\d\dT/);
		assert.match(text, /\+ added: new job/);
		assert.match(text, /- extra0: removed/);
		assert.match(text, /~ hello: changed {3}<- needs approval\n {4}command {3}<- needs approval\n {8}was {7}echo hello\n {8}now {7}echo hello; echo changed/);
		assert.match(text, /env HELLO {3}<- needs approval\n {8}was {7}\(not set\)\n {8}now {7}changed/);
		api._test.answerAllowDialog(true);
		assert.equal(await allow(), true, 'Allow from the active review editor');
	});

	test('a manual job that gains a schedule asks again; a new name does not', async () => {
		const approved = fs.readFileSync(jobsFile, 'utf8');
		const jobs = JSON.parse(approved).jobs as JobEntry[];
		writeJobs(jobs.map((job) => (job.id === 'added' ? { ...job, name: 'Renamed' } : job)));
		await api.run('hello');
		writeJobs(jobs.map((job) => (job.id === 'added' ? { ...job, schedule: { cron: '0 3 1 1 *' } } : job)));
		await refused();
		const { text } = await openReview();
		assert.match(text, /~ added: changed {3}<- needs approval\n {4}schedule\n {8}was {7}\(not set\)\n {8}now {7}cron "0 3 1 1 \*"\n {4}runs {3}<- needs approval/);
	});

	test('a job that gains a schedule does not fire before it is approved again', async () => {
		const marker = path.join(folderPath(), 'fired.txt');
		const jobs = (JSON.parse(fs.readFileSync(jobsFile, 'utf8')).jobs as JobEntry[]).filter((job) => job.id !== 'added');
		writeJobs([...jobs, { id: 'added', command: 'echo added' }]);
		const { uri } = await openReview();
		api._test.answerAllowDialog(true);
		assert.equal(await allow(uri), true);
		await waitFor(() => api._test.engines()[0].engine.isStarted, 'the scheduler to start');
		writeJobs([...jobs, { id: 'added', command: 'echo fired >> fired.txt', schedule: { every: '1s' } }, { id: 'ticker', command: 'echo fired >> fired.txt', schedule: { cron: '* * * * * *' } }]);
		await refused('added');
		assert.equal(api._test.engines()[0].engine.isStarted, false, 'the scheduler stopped at the reload');
		await sleep(2500);
		assert.equal(fs.existsSync(marker), false, 'nothing fired');
	});

	test('no command ran that was not approved', () => {
		assert.equal(fs.existsSync(path.join(folderPath(), 'pwned.txt')), false);
	});
});
