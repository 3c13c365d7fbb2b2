import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { workspaceStateDir } from '../../../src/core/base/stateDir';
import type { RunRecord } from '../../../src/core/model';
import { bundledCli } from '../../support/cliBundle';
import { waitFor } from '../../support/wait';

// `workspace-jobs explain ID` as a user types it: a second process that reads the file, history,
// state.json and asks the runner lease who schedules the folder.

const cli = bundledCli('cli-explain-test');
const roots: string[] = [];
after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

function workspace(jobs: object[]): { file: string; stateRoot: string; stateDir: string } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-cli-explain-ws-'));
	const stateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-cli-explain-state-'));
	roots.push(dir, stateRoot);
	const file = path.join(dir, '.jobs.json');
	fs.writeFileSync(file, JSON.stringify({ jobs }));
	const stateDir = workspaceStateDir(dir, stateRoot);
	fs.mkdirSync(stateDir, { recursive: true });
	return { file, stateRoot, stateDir };
}

const env = (stateRoot: string) => ({ ...process.env, WORKSPACE_JOBS_STATE_DIR: stateRoot, NO_COLOR: '1' });

function cliRun(args: string[], stateRoot: string) {
	const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: env(stateRoot), timeout: 30_000 });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const base = Date.now() - 3_600_000;
const iso = (s: number) => new Date(base + s * 1000).toISOString();
function rec(n: number, extra: Partial<RunRecord>): RunRecord {
	return { jobId: 'beat', runId: `r${n}`, attempt: 1, status: 'completed', exitCode: 0, startedAt: iso(n), endedAt: iso(n), durationMs: 0, trigger: 'schedule', ...extra };
}

test('explain names an overlap skip and a miss past the deadline from history, and that nothing runs the schedule', () => {
	const { file, stateRoot, stateDir } = workspace([{ id: 'beat', command: 'true', schedule: { every: '1m' }, catchUp: 'once', startingDeadline: '10m' }]);
	const miss = rec(2, { status: 'missed', reason: 'missed', message: `missed 5 runs scheduled from ${iso(-1800)} to ${iso(-1200)}`, exitCode: null, scheduledAt: iso(-1200) });
	const skip = rec(8, { status: 'skipped', reason: 'overlap', message: 'previous run r1 is still running', exitCode: null, scheduledAt: iso(8), count: 3, firstAt: iso(6), lastAt: iso(8) });
	fs.writeFileSync(path.join(stateDir, 'history.jsonl'), [rec(1, { durationMs: 1500, scheduledAt: iso(1) }), miss, skip].map((r) => JSON.stringify(r) + '\n').join(''));
	const r = cliRun(['explain', 'beat', '--utc', '--file', file], stateRoot);
	assert.equal(r.code, 0, r.stderr);
	const lines = r.stdout.split('\n');
	assert.equal(lines[0], 'Why didn\'t "beat" run?');
	assert.match(r.stdout, /Nothing runs this folder's schedule now: no VS Code window and no "workspace-jobs start" holds its runner lease\./);
	const [skipped, missed, ran] = lines.slice(lines.indexOf('Recent decisions, newest first:') + 1);
	assert.match(missed, /^ {2}\S+ \S+ UTC missed · missed 5 runs scheduled from .+ UTC to .+ UTC; not caught up: older than the starting deadline \(10 min\) when the scheduler saw it$/);
	assert.match(skipped, /^ {2}\S+ \S+ UTC skipped ×3 since \S+ \S+ UTC · previous run r1 is still running \(overlap: skip\) · scheduled \S+ \S+ UTC$/);
	assert.match(ran, /^ {2}\S+ \S+ UTC ran: completed in 1.5 s · scheduled /);
	assert.match(r.stdout, /Next fire times \(if nothing held it back\):\n {2}\S+ \S+ UTC \(in /);
});

test('explain names the workspace-jobs start that holds the lease, with its pid', async () => {
	const { file, stateRoot } = workspace([{ id: 'tick', command: 'true', schedule: { every: '1h' } }]);
	const start = spawn(process.execPath, [cli, 'start', '--quiet', '--file', file], { env: env(stateRoot), stdio: ['ignore', 'ignore', 'pipe'], detached: true });
	try {
		let out = '';
		const held = await waitFor(() => {
			out = cliRun(['explain', 'tick', '--file', file], stateRoot).stdout;
			return out.includes('Scheduled by another process');
		}, 20_000, 200);
		assert.ok(held, out);
		assert.match(out, new RegExp(`Scheduled by another process: workspace-jobs CLI start \\(pid ${start.pid}\\), since `));
		assert.match(out, /Scheduled: next run .+ \(in 1 h\)\./);
	} finally {
		process.kill(-start.pid!, 'SIGTERM');
		await new Promise((resolve) => start.once('exit', resolve));
	}
});

test('explain says a job is disabled (state.json toggle) and --json gives one object with ISO instants', () => {
	const { file, stateRoot, stateDir } = workspace([{ id: 'nightly', command: 'true', schedule: { cron: '30 2 * * *', timezone: 'America/New_York' } }]);
	fs.writeFileSync(path.join(stateDir, 'state.json'), JSON.stringify({ version: 1, enabled: { nightly: false } }));
	const text = cliRun(['explain', 'nightly', '--file', file], stateRoot);
	assert.equal(text.code, 0, text.stderr);
	assert.match(text.stdout, /Disabled: its schedule does not fire until it is enabled again\./);
	const json = cliRun(['explain', 'nightly', '--json', '--count', '2', '--file', file], stateRoot);
	assert.equal(json.code, 0, json.stderr);
	const lines = json.stdout.trim().split('\n');
	assert.equal(lines.length, 1);
	const ex = JSON.parse(lines[0]);
	assert.deepEqual(ex.blockers.map((b: { kind: string }) => b.kind), ['disabled', 'nobody']);
	assert.equal(ex.zone, 'America/New_York');
	assert.equal(ex.nextRuns.length, 2);
	assert.match(ex.nextRuns[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
});

test('explain of an unknown id suggests the nearest, exit 1; without an id it is a usage error', () => {
	const { file, stateRoot } = workspace([{ id: 'nightly', command: 'true' }]);
	const r = cliRun(['explain', 'nightyl', '--file', file], stateRoot);
	assert.equal(r.code, 1);
	assert.equal(r.stderr, 'workspace-jobs: unknown job "nightyl"; did you mean "nightly"?\n');
	assert.equal(r.stdout, '');
	const none = cliRun(['explain', '--file', file], stateRoot);
	assert.equal(none.code, 2);
	assert.match(none.stderr, /explain needs a job id/);
});

test('--help documents explain', () => {
	const r = cliRun(['--help'], os.tmpdir());
	assert.match(r.stdout, /^ {2}explain ID \[--json\] \[--count N\]$/m);
});
