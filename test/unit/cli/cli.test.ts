import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { repoRoot } from '../../support/paths';
import { liveSleeps } from '../../support/processes';
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

/** Live `sleep` processes of marker `text`, read where the leak checks read (also with /proc hidden from the CLI). */
function pidsWith(text: string): number[] {
	return liveSleeps(text);
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
	assert.ok(await waitFor(() => child.output().includes('Reloaded: two: added'), 10_000), child.output());
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

/** `LINE:COL` of the first `needle` in `text`, counted apart from the reader. */
function position(text: string, needle: string): string {
	const before = text.slice(0, text.indexOf(needle)).split('\n');
	return `${before.length}:${before[before.length - 1].length + 1}`;
}

/** A file whose default shell is fine everywhere but whose job uses cmd.exe without a POSIX block. */
const windowsOnlyShell = `{
	"jobs": [
		{ "id": "win", "command": "echo hi", "shell": "cmd",
			"env": { "Path": "C:\\\\tools" } },
		{ "id": "all", "command": "echo hi", "windows": { "shell": "pwsh", "cwd": "sub\\\\dir" } }
	]
}`;

test('validate --platform reads the file as that platform does', () => {
	const { dir, file } = workspace(windowsOnlyShell);
	fs.mkdirSync(path.join(dir, 'sub', 'dir'), { recursive: true });
	const windows = cliRun(['validate', '--platform', 'win32', '--file', file]);
	assert.equal(windows.code, 0, windows.stdout + windows.stderr);
	assert.equal(windows.stdout, '');
	assert.equal(windows.stderr, '2 jobs, no problems (read as win32)\n');
	for (const platform of ['linux', 'darwin']) {
		const posix = cliRun(['validate', '--platform', platform, '--file', file]);
		assert.equal(posix.code, 1, posix.stdout + posix.stderr);
		assert.equal(posix.stdout, `${file}:${position(windowsOnlyShell, '"cmd"')}: error: jobs[0].shell: cmd.exe exists only on Windows; set it for Windows alone with "windows": { "shell": "cmd" }\n`);
	}
});

test('validate --platform win32 reports what only Windows gets wrong: env names without case, Windows paths', () => {
	const text = `{
	"jobs": [
		{ "id": "a", "command": "x", "env": { "PATH": "a", "Path": "b" } },
		{ "id": "b", "command": "x", "cwd": "..\\\\up" }
	]
}`;
	const { file } = workspace(text);
	const r = cliRun(['validate', '--platform', 'win32', '--file', file]);
	assert.equal(r.code, 1);
	assert.deepEqual(r.stdout.trim().split('\n'), [
		`${file}:${position(text, '"Path"')}: error: jobs[0].env.Path: "Path" and "PATH" (line 3) are one variable on Windows, where names ignore case; keep one`,
		`${file}:${position(text, '"..')}: error: jobs[1].cwd: "..\\up" is outside the folder ${path.dirname(file)}`,
	]);
	// On Linux the names are two variables, and "..\\up" is a file name in the folder (here a missing one).
	const linux = cliRun(['validate', '--platform', 'linux', '--file', file]);
	assert.deepEqual(linux.stdout.trim().split('\n'), [`${file}:${position(text, '"..')}: error: jobs[1].cwd: "..\\up" does not exist (resolved to ${path.join(path.dirname(file), '..\\up')})`]);
});

test('--platform with a bad value, or on a command that runs jobs, is a usage error', () => {
	const { file } = workspace(jobs([{ id: 'a', command: 'true' }]));
	const bad = cliRun(['validate', '--platform', 'windows', '--file', file]);
	assert.equal(bad.code, 2);
	assert.equal(bad.stderr, 'workspace-jobs: --platform must be one of win32, darwin, linux, got "windows" (did you mean "win32"?)\nTry \'workspace-jobs --help\'.\n');
	const unknown = cliRun(['list', '--platform', 'beos', '--file', file]);
	assert.equal(unknown.code, 2);
	assert.match(unknown.stderr, /--platform must be one of win32, darwin, linux, got "beos"\n/);
	const running = cliRun(['run', '--platform', 'win32', '--file', file]);
	assert.equal(running.code, 2);
	assert.match(running.stderr, /--platform applies to validate, list, next only; run runs jobs on this machine/);
	assert.match(cliRun(['--help']).stdout, /--platform win32\|darwin\|linux/);
});

test('list --json --platform shows each job\'s command, shell and cwd as that platform reads them', () => {
	const { dir, file } = workspace(windowsOnlyShell.replace('"shell": "cmd",', '"shell": "cmd", "linux": { "shell": "bash", "command": "echo linux" },'));
	fs.mkdirSync(path.join(dir, 'sub', 'dir'), { recursive: true });
	const rows = (platform: string) => cliRun(['list', '--json', '--platform', platform, '--file', file]).stdout.trim().split('\n').map((line) => JSON.parse(line));
	const real = fs.realpathSync(dir);
	const windows = rows('win32');
	assert.deepEqual(windows.map((row) => [row.id, row.command, row.shell, row.cwd]), [
		['win', 'echo hi', { executable: 'cmd.exe', args: ['/d', '/s', '/c'] }, real],
		['all', 'echo hi', { executable: 'pwsh.exe', args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command'] }, path.join(real, 'sub', 'dir')],
	]);
	const linux = rows('linux');
	assert.deepEqual(linux.map((row) => [row.id, row.command, row.shell, row.cwd]), [
		['win', 'echo linux', { executable: 'bash', args: ['-c'] }, real],
		['all', 'echo hi', { executable: '/bin/sh', args: ['-c'] }, real],
	]);
});

test('run starts a job with its shell, and its platform block applied, on this machine', { skip: process.platform === 'win32' ? 'the block it checks is "linux"/"osx"' : false }, () => {
	const block = { command: 'text of this platform', env: { B: 'from the block' } };
	const { file } = workspace(
		jobs([
			{
				id: 'echo',
				command: 'text of the job',
				env: { A: 'from the job' },
				shell: { executable: process.execPath, args: ['-e', 'console.log([process.argv[1], process.env.A, process.env.B].join("|"))', '--'] },
				linux: block,
				osx: block,
				windows: { command: 'text of Windows' },
			},
		]),
	);
	const r = cliRun(['run', '--json', '--file', file]);
	assert.equal(r.code, 0, r.stderr);
	const [record] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
	assert.equal(fs.readFileSync(record.logFile, 'utf8'), 'text of this platform|from the job|from the block\n');
});
