import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { workspaceStateDir } from '../../../src/core/base/stateDir';
import type { RunRecord } from '../../../src/core/model';
import { repoRoot } from '../../support/paths';
import { waitFor } from '../../support/wait';

// The CLI as a user meets it: bundled like dist/cli.js, spawned with pipes (or a terminal from `script`).
const cli = path.join(os.tmpdir(), `wj-cli-output-test-${process.pid}.js`);
const roots: string[] = [];

before(() => {
	buildSync({ entryPoints: [path.join(repoRoot, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], loader: { '.pl': 'text' }, outfile: cli, logLevel: 'error' });
});

after(() => {
	fs.rmSync(cli, { force: true });
	for (const root of roots) {
		fs.rmSync(root, { recursive: true, force: true });
	}
});

interface Workspace {
	file: string;
	stateRoot: string;
	stateDir: string;
}

function workspace(jobs: object[]): Workspace {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-cli-output-ws-'));
	const stateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-cli-output-state-'));
	roots.push(dir, stateRoot);
	const file = path.join(dir, '.jobs.json');
	fs.writeFileSync(file, JSON.stringify({ jobs }, null, '\t'));
	return { file, stateRoot, stateDir: workspaceStateDir(dir, stateRoot) };
}

/** The environment of a plain pipe: no colour variables from the machine running the tests. */
function env(ws: Workspace, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	const base: NodeJS.ProcessEnv = { ...process.env, WORKSPACE_JOBS_STATE_DIR: ws.stateRoot };
	delete base.FORCE_COLOR;
	delete base.NO_COLOR;
	return { ...base, ...extra };
}

function cliRun(ws: Workspace, args: string[], extra: NodeJS.ProcessEnv = {}) {
	const r = spawnSync(process.execPath, [cli, ...args, '--file', ws.file], { encoding: 'utf8', env: env(ws, extra), timeout: 30_000 });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `command` in a shell with pipefail, so the status is the CLI's even though `head` is last. */
function shell(ws: Workspace, command: string) {
	const r = spawnSync('bash', ['-o', 'pipefail', '-c', command], { encoding: 'utf8', env: env(ws, { CLI: cli, FILE: ws.file }), timeout: 30_000 });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeHistory(ws: Workspace, records: RunRecord[]): void {
	fs.mkdirSync(ws.stateDir, { recursive: true });
	fs.writeFileSync(path.join(ws.stateDir, 'history.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

function record(n: number, extra: Partial<RunRecord> = {}): RunRecord {
	const at = new Date(Date.UTC(2026, 0, 15, 12, 0, 0) + n * 1000).toISOString();
	return { jobId: 'a', runId: `run-${n}`, attempt: 1, status: 'completed', exitCode: 0, startedAt: at, endedAt: at, durationMs: 307, trigger: 'manual', ...extra };
}

const escape = /\u001b\[/;

test('history --json | head -1 exits 0 without an EPIPE error', () => {
	const ws = workspace([{ id: 'a', command: 'true' }]);
	// Far more than a pipe's 64 KiB buffer, so the CLI is still writing when head exits.
	writeHistory(ws, Array.from({ length: 3000 }, (_, n) => record(n, { message: 'x'.repeat(200) })));
	const r = shell(ws, 'node "$CLI" history --json --limit 3000 --file "$FILE" | head -1');
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stderr, '');
	assert.equal(JSON.parse(r.stdout).runId, 'run-0');
});

test('list --json | head -1 and a closed stderr exit 0 quietly', () => {
	const ws = workspace(Array.from({ length: 4000 }, (_, n) => ({ id: `job-${n}`, command: 'true', schedule: { every: '1h' } })));
	const r = shell(ws, 'node "$CLI" list --json --file "$FILE" | head -1');
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stderr, '');
	assert.equal(JSON.parse(r.stdout).id, 'job-0');
	const table = shell(ws, 'node "$CLI" list --file "$FILE" 2>&1 | head -2');
	assert.equal(table.code, 0, table.stdout);
	assert.equal(table.stdout.split('\n').length, 3);
});

test('--version prints the version of package.json', () => {
	const ws = workspace([]);
	const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
	const r = cliRun(ws, ['--version']);
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stdout, `${version}\n`);
});

test('run prints results and a totals line on stdout and its log on stderr', () => {
	const ws = workspace([
		{ id: 'build', command: 'true' },
		{ id: 'lint', command: 'exit 2', dependsOn: ['build'] },
		{ id: 'deploy', command: 'true', dependsOn: ['lint'] },
	]);
	const r = cliRun(ws, ['run']);
	assert.equal(r.code, 1, r.stderr);
	const lines = r.stdout.trimEnd().split('\n');
	assert.match(lines[0], /^ok {3}build \(\d+ ms\)$/);
	assert.ok(lines.some((l) => /^FAIL lint \([\d.]+ m?s\) failed \(exit 2\)/.test(l)), r.stdout);
	assert.match(lines.at(-1)!, /^3 jobs: 1 completed, 1 failed, 1 skipped in [\d.]+ m?s$/);
	assert.doesNotMatch(r.stdout, /INFO/);
	assert.match(r.stderr, /^\d\d:\d\d:\d\d\.\d{3} INFO /m);
	const json = cliRun(ws, ['run', 'build', '--json']);
	assert.equal(JSON.parse(json.stdout.trim()).jobId, 'build');
	assert.match(json.stderr, /^1 job: 1 completed in /m);
});

test('start logs on stderr and leaves stdout empty', async () => {
	const ws = workspace([{ id: 'tick', command: 'true', schedule: { every: '1s' } }]);
	const child = spawn(process.execPath, [cli, 'start', '--verbose', '--file', ws.file], { env: env(ws), stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (d) => (stdout += d));
	child.stderr.on('data', (d) => (stderr += d));
	const exited = new Promise((resolve) => child.on('exit', resolve));
	try {
		assert.ok(await waitFor(() => /DEBUG .*\[tick .*running -> completed/.test(stderr), 15_000), stderr);
	} finally {
		child.kill('SIGTERM');
		await exited;
	}
	assert.equal(stdout, '');
});

test('run of an unknown job suggests the closest id', () => {
	const ws = workspace([{ id: 'nightly', command: 'true' }, { id: 'build', command: 'true' }]);
	const r = cliRun(ws, ['run', 'nightyl']);
	assert.equal(r.code, 1);
	assert.equal(r.stderr, 'workspace-jobs: unknown job "nightyl"; did you mean "nightly"?\n');
	const next = cliRun(ws, ['next', 'biuld']);
	assert.match(next.stderr, /unknown job "biuld"; did you mean "build"\?/);
});

test('a misspelt time zone gets a suggestion', () => {
	const ws = workspace([{ id: 'a', command: 'true', schedule: { cron: '0 2 * * *', timezone: 'Europe/Berln' } }]);
	const r = cliRun(ws, ['validate']);
	assert.equal(r.code, 1);
	assert.match(r.stdout, /unknown time zone "Europe\/Berln"; did you mean "Europe\/Berlin"\?/);
});

test('run --strict runs nothing when the file has a warning', () => {
	const ws = workspace([{ id: 'a', command: 'echo ran > ran.txt', schedule: { at: '2020-01-01T00:00:00Z' } }]);
	const strict = cliRun(ws, ['run', '--strict']);
	assert.equal(strict.code, 1, strict.stdout + strict.stderr);
	assert.match(strict.stderr, /warning: .*is in the past/);
	assert.match(strict.stderr, /--strict: 1 problem in .*; nothing was run/);
	assert.equal(fs.existsSync(path.join(path.dirname(ws.file), 'ran.txt')), false);
	assert.equal(cliRun(ws, ['run']).code, 0);
});

test('history shows the exit code, local times by default and UTC with --utc', () => {
	const ws = workspace([{ id: 'a', command: 'true' }]);
	writeHistory(ws, [record(0, { status: 'failed', reason: 'exit-code', exitCode: 2, durationMs: 4200 }), record(1, { status: 'failed', reason: 'signal', exitCode: null, signal: 'SIGTERM' })]);
	const local = cliRun(ws, ['history'], { TZ: 'Asia/Kolkata' });
	assert.equal(local.code, 0, local.stderr);
	assert.match(local.stdout, /^2026-01-15 17:30:00 +a +run-0 +failed \(exit 2\) +4\.2 s +manual$/m);
	assert.match(local.stdout, /failed \(SIGTERM\) +307 ms/);
	const utc = cliRun(ws, ['history', '--utc'], { TZ: 'Asia/Kolkata' });
	assert.match(utc.stdout, /^2026-01-15 12:00:00 UTC +a +run-0 /m);
	const json = cliRun(ws, ['history', '--json'], { TZ: 'Asia/Kolkata' });
	assert.equal(JSON.parse(json.stdout.split('\n')[0]).endedAt, '2026-01-15T12:00:00.000Z');
});

test('list and next print local times, --json keeps ISO-8601 UTC', () => {
	const ws = workspace([{ id: 'c', command: 'true', schedule: { cron: '*/15 * * * *', timezone: 'UTC' } }, { id: 'once', command: 'true', schedule: { at: '2099-01-01T00:00:00Z' } }]);
	const next = cliRun(ws, ['next', 'c', '--count', '2', '--from', '2026-01-01T00:07:00Z'], { TZ: 'Asia/Kolkata' });
	assert.deepEqual(next.stdout.trim().split('\n'), ['2026-01-01 05:45:00', '2026-01-01 06:00:00']);
	const nextJson = cliRun(ws, ['next', 'c', '--count', '1', '--from', '2026-01-01T00:07:00Z', '--json']);
	assert.deepEqual(JSON.parse(nextJson.stdout), { at: '2026-01-01T00:15:00.000Z' });
	const list = cliRun(ws, ['list'], { TZ: 'Asia/Kolkata' });
	assert.match(list.stdout, /^once .*2099-01-01 05:30:00 \(in \d+ d( \d+ h)?\)$/m);
	const listJson = cliRun(ws, ['list', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
	assert.equal(listJson[1].nextRun, '2099-01-01T00:00:00.000Z');
	assert.equal('nextRunText' in listJson[1], false);
});

test('--help documents --json as JSON Lines', () => {
	const r = cliRun(workspace([]), ['--help']);
	assert.match(r.stdout, /--json +JSON Lines on stdout: one object per line/);
});

test('colour: none in a pipe, on with FORCE_COLOR, on a terminal unless NO_COLOR', (t) => {
	const ws = workspace([{ id: 'a', command: 'true' }]);
	assert.doesNotMatch(cliRun(ws, ['run']).stdout, escape);
	assert.match(cliRun(ws, ['run'], { FORCE_COLOR: '1' }).stdout, /\u001b\[32mok {2}\u001b\[39m a/);
	assert.doesNotMatch(cliRun(ws, ['run'], { FORCE_COLOR: '0' }).stdout, escape);
	if (spawnSync('script', ['--version']).status !== 0) {
		t.diagnostic('no `script` for a pseudo-terminal; the TTY half is skipped');
		return;
	}
	// `script` gives the CLI a pseudo-terminal for stdout, as an interactive shell would.
	const tty = (extra: NodeJS.ProcessEnv) => spawnSync('script', ['-qec', `"${process.execPath}" "${cli}" run --file "${ws.file}"`, '/dev/null'], { encoding: 'utf8', env: env(ws, { TERM: 'xterm', ...extra }), timeout: 30_000 }).stdout;
	assert.match(tty({}), /\u001b\[32mok/);
	assert.doesNotMatch(tty({ NO_COLOR: '1' }), /\u001b\[32m/);
});
