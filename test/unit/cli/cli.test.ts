import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { repoRoot } from '../../support/paths';
import { waitFor } from '../../support/wait';

const root = repoRoot;
const cli = path.join(os.tmpdir(), `wj-cli-test-${process.pid}.js`);
const stateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-cli-state-'));

before(() => {
	buildSync({ entryPoints: [path.join(root, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], loader: { '.pl': 'text' }, outfile: cli, logLevel: 'error' });
});

function workspace(content: string): { dir: string; file: string } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-cli-ws-'));
	const file = path.join(dir, '.jobs.json');
	fs.writeFileSync(file, content);
	return { dir, file };
}

function cliRun(args: string[], cwd?: string) {
	const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, WORKSPACE_JOBS_STATE_DIR: stateRoot }, timeout: 30_000 });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const jobs = (list: object[], extra = '') => JSON.stringify({ jobs: list }, null, '\t').replace(/^\{/, `{${extra}`);

test('validate exits 0 on a valid file', () => {
	const { file } = workspace(jobs([{ id: 'a', command: 'true' }]));
	const r = cliRun(['validate', '--file', file]);
	assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('validate prints PATH:LINE:COL: error: lines and exits 1', () => {
	const { file } = workspace(`{
	"jobs": [
		{ "id": "a", "command": "true", "timeout": true },
		{ "id": "b", "comand": "true" }
	]
}`);
	const r = cliRun(['validate', '--file', file]);
	assert.equal(r.code, 1);
	const lines = r.stdout.trim().split('\n');
	assert.ok(lines.length >= 2, r.stdout);
	for (const line of lines) {
		assert.match(line, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: `));
	}
	assert.ok(lines.some((l) => l.includes(':3:') && l.includes('jobs[0].timeout')), r.stdout);
	assert.ok(lines.some((l) => l.includes(':4:') && l.includes('comand') && l.includes('command')), r.stdout);
});

test('validate reports invalid JSON without a stack trace', () => {
	const { file } = workspace('{ "jobs": [ { "id": "a" "command": "x" } ] }');
	const r = cliRun(['validate', '--file', file]);
	assert.equal(r.code, 1);
	assert.match(r.stdout, /:1:\d+: error: /);
	assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);
});

test('list shows jobs with schedule, enabled and next run', () => {
	const { file } = workspace(jobs([{ id: 'a', command: 'true', schedule: { every: '1h' } }, { id: 'b', command: 'true', enabled: false }]));
	const r = cliRun(['list', '--json', '--file', file]);
	assert.equal(r.code, 0, r.stderr);
	const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
	assert.equal(rows.length, 2);
	assert.equal(rows[0].id, 'a');
	assert.ok(Date.parse(rows[0].nextRun) > Date.now());
	assert.equal(rows[1].enabled, false);
	assert.equal(rows[1].nextRun, null);
});

test('next --json prints N ISO instants from --from', () => {
	const { file } = workspace(jobs([{ id: 'c', command: 'true', schedule: { cron: '*/15 * * * *', timezone: 'UTC' } }]));
	const r = cliRun(['next', 'c', '--count', '3', '--from', '2026-01-01T00:07:00Z', '--json', '--file', file]);
	assert.equal(r.code, 0, r.stderr);
	assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l).at), ['2026-01-01T00:15:00.000Z', '2026-01-01T00:30:00.000Z', '2026-01-01T00:45:00.000Z']);
});

test('run --json prints one record per attempt and exits by the outcome', () => {
	const { file } = workspace(
		jobs([
			{ id: 'build', command: 'echo built' },
			{ id: 'test', command: 'exit 3', dependsOn: ['build'], retry: { retries: 1, delay: 10 } },
			{ id: 'deploy', command: 'true', dependsOn: ['test'] },
		]),
	);
	const r = cliRun(['run', 'deploy', '--json', '--file', file]);
	assert.equal(r.code, 1);
	const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
	assert.deepEqual(
		records.map((x) => [x.jobId, x.attempt, x.status, x.reason ?? null, x.exitCode]),
		[
			['build', 1, 'completed', null, 0],
			['test', 1, 'failed', 'exit-code', 3],
			['test', 2, 'failed', 'exit-code', 3],
			['deploy', 1, 'skipped', 'dependency-failed', null],
		],
	);
	for (const x of records) {
		for (const key of ['runId', 'startedAt', 'endedAt', 'durationMs', 'trigger']) {
			assert.ok(key in x, `${key} in ${JSON.stringify(x)}`);
		}
	}
	const ok = cliRun(['run', 'build', '--file', file]);
	assert.equal(ok.code, 0, ok.stderr);
});

test('history lists persisted runs across processes', () => {
	const { file } = workspace(jobs([{ id: 'h', command: 'echo one' }]));
	assert.equal(cliRun(['run', '--file', file]).code, 0);
	assert.equal(cliRun(['run', '--file', file]).code, 0);
	const r = cliRun(['history', 'h', '--json', '--file', file]);
	const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
	assert.equal(records.length, 2);
	assert.ok(records.every((x) => x.jobId === 'h' && x.status === 'completed'));
	const limited = cliRun(['history', '--json', '--limit', '1', '--file', file]);
	assert.equal(limited.stdout.trim().split('\n').length, 1);
});

test('unknown command and bad options exit 2 with a message, not a stack', () => {
	const r = cliRun(['frobnicate']);
	assert.equal(r.code, 2);
	assert.match(r.stderr, /unknown command/);
	const bad = cliRun(['next', 'x', '--count', 'zero']);
	assert.equal(bad.code, 2);
	assert.doesNotMatch(bad.stderr, /\n\s+at /);
});

function marker(): string {
	return `300.${Math.floor(Math.random() * 1e6)}`;
}

function pidsWith(text: string): number[] {
	const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
	return out
		.split('\n')
		.filter((l) => l.includes(`sleep ${text}`))
		.map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** `start` on `file`; sub-second `every` intervals are allowed (the default minimum is 1 s), so a test sees many fires. */
function startCli(file: string): ChildProcess & { output: () => string } {
	const child = spawn(process.execPath, [cli, 'start', '--file', file], { env: { ...process.env, WORKSPACE_JOBS_STATE_DIR: stateRoot, WORKSPACE_JOBS_MIN_INTERVAL_MS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout?.on('data', (d) => (output += d));
	child.stderr?.on('data', (d) => (output += d));
	return Object.assign(child, { output: () => output });
}

test('start runs the schedule and stops on SIGTERM leaving no process behind', async () => {
	const m = marker();
	const { file } = workspace(jobs([{ id: 'tick', command: `sleep ${m} & sleep ${m}; wait`, schedule: { every: '200ms' }, overlap: 'skip' }]));
	const child = startCli(file);
	assert.ok(await waitFor(() => pidsWith(m).length >= 2, 10_000, 50), `jobs started: ${child.output()}`);
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	child.kill('SIGTERM');
	assert.equal(await exited, 0, child.output());
	assert.ok(await waitFor(() => pidsWith(m).length === 0, 3000, 50), `left behind: ${pidsWith(m).join(' ')}`);
	assert.match(child.output(), /\[tick [^\]]+\]/);
});

test('start reloads the file on change', async () => {
	const { file } = workspace(jobs([{ id: 'one', command: 'true' }]));
	const child = startCli(file);
	assert.ok(await waitFor(() => child.output().includes('Loaded 1 job'), 10_000), child.output());
	fs.writeFileSync(file, jobs([{ id: 'one', command: 'true' }, { id: 'two', command: 'true' }]));
	assert.ok(await waitFor(() => child.output().includes('Loaded 2 jobs'), 10_000), child.output());
	const exited = new Promise((resolve) => child.on('exit', resolve));
	child.kill('SIGINT');
	await exited;
});

test('start keeps the last good definitions when a save has errors, as VS Code does', async () => {
	const { file } = workspace(jobs([{ id: 'one', command: 'true' }]));
	const child = startCli(file);
	assert.ok(await waitFor(() => child.output().includes('Loaded 1 job'), 10_000), child.output());
	fs.writeFileSync(file, jobs([{ id: 'one', command: 'true' }, { id: 'two' }]));
	assert.ok(await waitFor(() => child.output().includes('keeping the last good definitions'), 10_000), child.output());
	assert.match(child.output(), /jobs\[1\]: missing required field "command"/);
	assert.equal(child.output().match(/Loaded \d+ job/g)?.length, 1, child.output());
	const exited = new Promise((resolve) => child.on('exit', resolve));
	child.kill('SIGINT');
	await exited;
});

test('a second start on the same folder stays passive until the first goes away', async () => {
	const { file } = workspace(jobs([{ id: 'x', command: 'true', schedule: { every: '1h' } }]));
	const first = startCli(file);
	assert.ok(await waitFor(() => first.output().includes('Scheduler started'), 10_000), first.output());
	const second = startCli(file);
	assert.ok(await waitFor(() => second.output().includes('run in another process'), 10_000), second.output());
	assert.doesNotMatch(second.output(), /Scheduler started/);
	first.kill('SIGKILL');
	assert.ok(await waitFor(() => second.output().includes('Scheduler started'), 5000), second.output());
	const exited = new Promise((resolve) => second.on('exit', resolve));
	second.kill('SIGTERM');
	await exited;
});
