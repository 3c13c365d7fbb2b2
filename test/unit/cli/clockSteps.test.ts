// End to end: `workspace-jobs start` under libfaketime, whose offset file is changed during the
// run, so the process sees its wall clock (`Date.now()`) step back while its monotonic clock (the
// timers) keeps going: the NTP correction, manual change or VM restore of issue 11.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { buildSync } from 'esbuild';
import type { RunRecord } from '../../../src/core/model';
import { repoRoot } from '../../support/paths';
import { sleep, waitFor } from '../../support/wait';

const libfaketime = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const hour = 3_600_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-clock-step-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function bundleCli(): string {
	const outfile = path.join(dir, 'cli.js');
	buildSync({ entryPoints: [path.join(repoRoot, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], loader: { '.pl': 'text' }, outfile, logLevel: 'error' });
	return outfile;
}

/** `HH:MM:SS` of an instant as the fields of a fixed-time 6-field cron expression in UTC. */
function fixedCron(instant: number): string {
	const d = new Date(instant);
	return `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} * * *`;
}

function exited(child: ChildProcess): Promise<void> {
	return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

test('start: after the wall clock steps back, interval and per-second jobs keep running and a fixed time runs once', { timeout: 90_000 }, async (t) => {
	if (process.platform !== 'linux' || !fs.existsSync(libfaketime)) {
		t.skip('faketime not installed: apt-get install faketime');
		return;
	}
	const cli = bundleCli();
	const workspace = path.join(dir, 'ws');
	const stateDir = path.join(dir, 'state');
	fs.mkdirSync(workspace);
	// The fixed job's one instant, a few seconds after the process is up.
	const fixedAt = Math.ceil(Date.now() / 1000) * 1000 + 5000;
	const file = path.join(workspace, '.jobs.json');
	const jobs = [
		{ id: 'every', command: 'true', schedule: { every: '1s' } },
		{ id: 'sec', command: 'true', schedule: { cron: '* * * * * *' } },
		{ id: 'fixed', command: 'true', schedule: { cron: fixedCron(fixedAt), timezone: 'UTC' } },
	];
	fs.writeFileSync(file, JSON.stringify({ jobs }));
	const offsetFile = path.join(dir, 'faketime');
	const setOffset = (seconds: number) => fs.writeFileSync(offsetFile, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
	setOffset(0);
	const env = {
		...process.env,
		WORKSPACE_JOBS_STATE_DIR: stateDir,
		LD_PRELOAD: libfaketime,
		FAKETIME_TIMESTAMP_FILE: offsetFile,
		FAKETIME_NO_CACHE: '1',
		// Timers run on the monotonic clock; only the wall clock steps, as with a real clock change.
		FAKETIME_DONT_FAKE_MONOTONIC: '1',
	};
	const child = spawn(process.execPath, [cli, 'start', '--verbose', '--file', file], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	try {
		assert.ok(await waitFor(() => /\[fixed [^\]]*\] running -> completed/.test(output), fixedAt - Date.now() + 20_000), output);
		// A step back of 3 s: the wall clock passes the fixed instant a second time.
		setOffset(-3);
		await sleep(4500);
		// And a step back of an hour more.
		setOffset(-3603);
		await sleep(6000);
	} finally {
		child.kill('SIGINT');
		if (!(await waitFor(() => child.exitCode !== null || child.signalCode !== null, 15_000))) {
			child.kill('SIGKILL');
			await exited(child);
		}
	}
	const history = spawnSync(process.execPath, [cli, 'history', '--json', '--limit', '10000', '--file', file], { cwd: workspace, env: { ...process.env, WORKSPACE_JOBS_STATE_DIR: stateDir }, encoding: 'utf8' });
	assert.equal(history.status, 0, history.stderr);
	// One record a line, in the order the runs ended.
	const lines = history.stdout.split('\n').filter((line) => line.trim() !== '');
	const records = lines.map((line) => JSON.parse(line) as RunRecord).filter((r) => r.status !== 'missed' && r.status !== 'skipped');
	const runs = (id: string) => records.filter((r) => r.jobId === id).map((r) => Date.parse(r.scheduledAt ?? ''));
	const afterHourStep = (id: string) => runs(id).filter((at) => at < fixedAt - hour / 2).length;
	assert.ok(/Wall clock moved -3600s/.test(output), output);
	assert.deepEqual(
		runs('fixed').map((at) => new Date(at).toISOString()),
		[new Date(fixedAt).toISOString()],
		'the fixed instant ran once, though the wall clock passed it twice',
	);
	// About 6 each in 6 s; a slow, shared machine may lose a few to start-up and load.
	assert.ok(afterHourStep('every') >= 3, `every ran ${afterHourStep('every')} times after the step\n${output}`);
	assert.ok(afterHourStep('sec') >= 3, `sec ran ${afterHourStep('sec')} times after the step\n${output}`);
	// Across the 3 s step the per-second job ran on too (4 or 5 times in its 4.5 s; once without the fix).
	const fixedEnd = records.findIndex((r) => r.jobId === 'fixed');
	const hourStep = records.findIndex((r) => Date.parse(r.scheduledAt ?? '') < fixedAt - hour / 2);
	const small = records.slice(fixedEnd + 1, hourStep).filter((r) => r.jobId === 'sec').length;
	t.diagnostic(`sec runs after the 3 s step: ${small}; after the 1 h step: every ${afterHourStep('every')}, sec ${afterHourStep('sec')}; fixed runs: ${runs('fixed').length}`);
	assert.ok(small >= 3, `sec ran ${small} times between the 3 s step and the 1 h step\n${output}`);
});
