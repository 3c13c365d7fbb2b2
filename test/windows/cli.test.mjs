// End-to-end: the workspace-jobs CLI under Wine 10 with Windows Node, on .jobs.json files of cmd
// jobs. Run by `npm run test:windows` (test/harness/runWindowsTests.mjs), one test at a time:
// every test checks `tasklist` of the one Wine prefix.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { ROOT } from '../harness/provision.mjs';
import { cli, HOST_IMAGE, hostOfWindowsPath, markerProgram, pollFor, skipReason, startCli, startedThenWait, taskkill, tasklist, workspace } from './wineCli.mjs';

const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
let markerCopy;
/** The marker program of this file (one copy of node.exe, 72 MB); no process of it runs when a test starts. */
function marker() {
	markerCopy ??= markerProgram();
	assert.deepEqual(markerCopy.running(), [], `no ${markerCopy.image} runs before the test`);
	return markerCopy;
}
afterEach(async () => {
	// A failed test must not leave processes for the next one's tasklist checks.
	const left = markerCopy?.running() ?? [];
	if (left.length > 0) {
		taskkill(['/F', ...left.flatMap((p) => ['/PID', String(p.pid)])]);
		await pollFor(() => markerCopy.running().length === 0, 10_000, 500);
	}
});

/** A job whose shell starts a background grandchild (`start /b`) and a foreground one, both the marker program. */
function treeJob(id, m, extra = {}) {
	return { id, command: `start /b "" ${m.command(startedThenWait('bg.started'))} & ${m.command(startedThenWait('fg.started'))}`, ...extra };
}

/** Waits until both processes of treeJob started (or the run ended first) and tasklist shows them. */
async function bothStarted(ws, m, run) {
	let ended = false;
	void run.exited.then(() => (ended = true));
	const started = await pollFor(() => ended || (fs.existsSync(path.join(ws.host, 'bg.started')) && fs.existsSync(path.join(ws.host, 'fg.started'))), 60_000);
	assert.ok(started && !ended, `the job's two ${m.image} processes did not start; the CLI said:\n${run.stdout()}${run.stderr()}`);
	assert.equal(m.running().length, 2, `tasklist shows both ${m.image} processes while the job runs`);
}

describe('workspace-jobs under Wine with node.exe', { skip: skipReason }, () => {
	test('--version prints the package version', () => {
		const ws = workspace('version', { jobs: [] });
		const result = cli(ws, ['--version']);
		assert.equal(result.status, 0, result.stderr);
		assert.equal(result.stdout.trim(), version);
	});

	test('validate accepts a file of cmd jobs and names file, line and column of a problem', () => {
		const good = workspace('valid', { jobs: [{ id: 'dir', command: 'dir /b & echo %CD%' }, { id: 'exit', command: 'exit /b 5', timeout: '10s' }] });
		const ok = cli(good, ['validate']);
		assert.equal(ok.status, 0, ok.stderr);
		assert.match(ok.stderr, /2 jobs, no problems/);

		const bad = workspace('invalid', { jobs: [{ id: 'x', command: 'echo', timeout: 'soon' }] });
		const failed = cli(bad, ['validate']);
		assert.equal(failed.status, 1);
		// PATH:LINE:COL with the Windows path of the file.
		assert.ok(failed.stdout.includes(`${bad.win}\\.jobs.json:`), failed.stdout);
		assert.match(failed.stdout, /:\d+:\d+/);
	});

	test('list and history work on a fresh state', () => {
		const ws = workspace('empty', { jobs: [{ id: 'a', command: 'echo a' }, { id: 'b', command: 'echo b', dependsOn: ['a'] }] });
		const list = cli(ws, ['list', '--json']);
		assert.equal(list.status, 0, list.stderr);
		assert.deepEqual(
			list.records.map((r) => r.id),
			['a', 'b'],
		);
		const history = cli(ws, ['history']);
		assert.equal(history.status, 0, history.stderr);
		assert.match(history.stderr, /No runs recorded yet/);
	});

	test('run --json: output with CRLF, exit codes 0, 3, 9009 and 4294967295; history reads them back', () => {
		const ws = workspace('codes', {
			jobs: [
				{ id: 'ok', command: 'echo line one& echo line two' },
				{ id: 'three', command: 'echo failing& exit 3' },
				{ id: 'unknown', command: 'wj-no-such-command-7f3a' },
				{ id: 'minus', command: 'exit -1' },
			],
		});
		const run = cli(ws, ['run', '--json']);
		assert.equal(run.status, 1, `a failed job makes exit 1\n${run.stderr}`);
		const byId = Object.fromEntries(run.records.map((r) => [r.jobId, r]));
		assert.deepEqual(Object.keys(byId).sort(), ['minus', 'ok', 'three', 'unknown'], run.stderr);
		assert.equal(byId.ok.status, 'completed');
		assert.equal(byId.ok.exitCode, 0);
		assert.deepEqual([byId.three.status, byId.three.reason, byId.three.exitCode], ['failed', 'exit-code', 3]);
		assert.deepEqual([byId.unknown.status, byId.unknown.exitCode], ['failed', 9009]);
		assert.deepEqual([byId.minus.status, byId.minus.exitCode], ['failed', 4294967295]);

		// The run log holds what cmd printed; lines end in CRLF or LF, never a stray CR.
		const log = fs.readFileSync(hostOfWindowsPath(byId.ok.logFile), 'utf8');
		assert.deepEqual(log.split(/\r?\n/).filter(Boolean), ['line one', 'line two']);
		assert.doesNotMatch(log.replaceAll('\r\n', '\n'), /\r/);
		// The CLI's log shows each output line once, without the CR.
		const shown = run.stderr.split('\n').filter((line) => /line (one|two)/.test(line));
		assert.equal(shown.length, 2, run.stderr);
		for (const line of shown) {
			assert.ok(!line.includes('\r'), JSON.stringify(line));
		}
		// State is under %LOCALAPPDATA%\workspace-jobs.
		assert.match(byId.ok.logFile, /^C:\\users\\[^\\]+\\AppData\\Local\\workspace-jobs\\/i);

		const history = cli(ws, ['history', '--json']);
		assert.equal(history.status, 0, history.stderr);
		assert.deepEqual(
			history.records.map((r) => [r.jobId, r.runId, r.status, r.exitCode]).sort(),
			run.records.map((r) => [r.jobId, r.runId, r.status, r.exitCode]).sort(),
		);
		const table = cli(ws, ['history', 'minus']);
		assert.equal(table.status, 0, table.stderr);
		assert.match(table.stdout, /minus/);
		assert.doesNotMatch(table.stdout, /three/);
	});

	test('a timeout kills the job with its grandchildren: nothing is left in tasklist', async () => {
		const m = marker();
		const ws = workspace('timeout', { jobs: [treeJob('slow', m, { timeout: '8s' })] });
		const started = Date.now();
		const run = startCli(ws, ['run', '--json']);
		await bothStarted(ws, m, run);
		const { code } = await run.exited;
		assert.equal(code, 1, run.stderr());
		const [record] = run.records();
		assert.deepEqual([record?.jobId, record?.status, record?.reason], ['slow', 'failed', 'timeout'], run.stderr());
		assert.ok(Date.now() - started < 60_000, 'the run ended soon after its timeout');
		assert.deepEqual(m.running(), [], `no ${m.image} is left after the timeout`);
	});

	test('cancel (Ctrl-C to run) kills the whole tree and records the run as canceled', async () => {
		const m = marker();
		const ws = workspace('cancel', { jobs: [treeJob('long', m, { timeout: '5m' })] });
		const run = startCli(ws, ['run', '--json']);
		await bothStarted(ws, m, run);
		const pid = await pollFor(() => run.linuxPid(), 10_000);
		assert.ok(pid, 'the Linux process of the node.exe host is found');
		// Wine turns SIGINT of a console program into CTRL_C_EVENT, Node's SIGINT on Windows.
		process.kill(pid, 'SIGINT');
		const { code } = await run.exited;
		assert.notEqual(code, 0, 'a canceled run exits non-zero');
		const [record] = run.records();
		assert.deepEqual([record?.jobId, record?.status], ['long', 'canceled'], run.stderr());
		assert.deepEqual(m.running(), [], `no ${m.image} is left after the cancel`);
		const history = cli(ws, ['history', '--json']);
		assert.deepEqual(
			history.records.map((r) => [r.jobId, r.status]),
			[['long', 'canceled']],
		);
	});

	for (const how of ['taskkill /F', 'SIGKILL of its Linux process']) {
		test(`the host killed mid-run (${how}) leaves no job process; the run is recorded as interrupted`, async () => {
			const m = marker();
			const ws = workspace('killed', { jobs: [treeJob('long', m, { timeout: '5m' }), { id: 'after', command: 'echo after' }] });
			const run = startCli(ws, ['run', 'long', '--json']);
			await bothStarted(ws, m, run);
			if (how === 'taskkill /F') {
				const hosts = tasklist().filter((p) => p.image.toLowerCase() === HOST_IMAGE.toLowerCase());
				assert.equal(hosts.length, 1, `one ${HOST_IMAGE} host runs: ${JSON.stringify(hosts)}`);
				const kill = taskkill(['/F', '/PID', String(hosts[0].pid)]);
				assert.equal(kill.status, 0, `${kill.stdout}${kill.stderr}`);
			} else {
				const pid = await pollFor(() => run.linuxPid(), 10_000);
				assert.ok(pid, 'the Linux process of the node.exe host is found');
				process.kill(pid, 'SIGKILL');
			}
			await run.exited;
			const left = await pollFor(() => m.running().length === 0, 15_000, 500);
			assert.ok(left, `no ${m.image} is left after the host died: ${JSON.stringify(m.running())}`);

			// The next CLI run finds the dead host's run and records it; history shows both.
			const next = cli(ws, ['run', 'after', '--json']);
			assert.equal(next.status, 0, next.stderr);
			const history = cli(ws, ['history', '--json']);
			assert.deepEqual(
				history.records.map((r) => [r.jobId, r.status]).sort(),
				[
					['after', 'completed'],
					['long', 'interrupted'],
				],
			);
		});
	}
});

