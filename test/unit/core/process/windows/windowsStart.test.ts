import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { type ProcessSpec, runProcess } from '../../../../../src/core/process/runner';
import { findJobHost } from '../../../../../src/core/process/windows/windowsStart';
import { pollFor, waitFor } from '../../../../support/wait';

/**
 * The Windows start with real processes: cmd.exe jobs through the job helper (dist/jobHost.exe),
 * grandchildren that must die with their job. Windows only; on Linux the Windows stage of
 * `npm test` runs this file bundled, with Windows Node under Wine. Long-lived processes are
 * Node itself (`process.execPath`) printing its pid, so the test knows exactly which processes
 * must be gone.
 *
 * This file is also its own job host for the host-death test: a bundled test cannot bundle
 * another file, so with `hostEnv` set it runs one job instead of tests.
 */

const hostEnv = 'WORKSPACE_JOBS_TEST_WINDOWS_HOST';
const skip = process.platform !== 'win32' ? 'Windows only: the Windows stage of npm test runs it under Wine with Windows Node' : false;
const node = `"${process.execPath}"`;

/**
 * cmd text that starts Node printing `<tag> <pid>` and then living `ms`. (After `start`, an
 * empty title comes first: its first quoted argument is the window title.)
 */
function nodeThatLives(tag: string, ms: number): string {
	return `${node} -e "console.log('${tag} ' + process.pid); setTimeout(() => {}, ${ms})"`;
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Runs a cmd job and collects the `<tag> <pid>` lines it prints. */
function runWithPids(spec: Omit<ProcessSpec, 'cwd' | 'env'>) {
	const pids = new Map<string, number>();
	let text = '';
	const done = runProcess({
		cwd: os.tmpdir(),
		env: process.env,
		killGraceMs: 1000,
		...spec,
		onOutput: (_stream, chunk) => {
			text += chunk;
			for (const [, tag, pid] of text.matchAll(/^(\w+) (\d+)\r?$/gm)) {
				pids.set(tag, Number(pid));
			}
		},
	});
	return { pids, done };
}

if (process.env[hostEnv]) {
	// Host mode (see the file comment): run the job, relay its output, and wait to be killed.
	void runProcess({ command: process.env[hostEnv], cwd: os.tmpdir(), env: process.env, onOutput: (_s, text) => void process.stdout.write(text) });
} else {
	registerTests();
}

function registerTests(): void {
	test('the job helper is built, so trees are ended by a Job Object and not by taskkill', { skip }, () => {
		assert.ok(findJobHost(), 'dist/jobHost.exe is missing: build with x86_64-w64-mingw32-gcc installed');
	});

	test('relays output with CRLF as LF in the tail, and the exit code of cmd', { skip }, async () => {
		const result = await runProcess({ command: 'echo one& echo two& exit 3', cwd: os.tmpdir(), env: process.env });
		assert.equal(result.exitCode, 3);
		assert.equal(result.reason, 'exit-code');
		assert.equal(result.tail, 'one\ntwo\n');
	});

	test('keeps 9009 for an unknown command and large unsigned exit codes', { skip }, async () => {
		const unknown = await runProcess({ command: 'no-such-command-wj', cwd: os.tmpdir(), env: process.env });
		assert.equal(unknown.exitCode, 9009);
		const minusOne = await runProcess({ command: 'exit -1', cwd: os.tmpdir(), env: process.env });
		assert.equal(minusOne.exitCode, 4294967295);
	});

	test('decodes output as UTF-8 (the job console runs code page 65001)', { skip }, async () => {
		const result = await runProcess({ command: 'echo h\u00e9llo \u2713', cwd: os.tmpdir(), env: process.env });
		assert.equal(result.tail, 'h\u00e9llo \u2713\n');
	});

	test('gives a command to another shell quoted so that it arrives unchanged', { skip }, async () => {
		const script = 'process.stdout.write("q\\"x\\\\ y & %OS%")';
		let stdout = '';
		const result = await runProcess({
			command: script,
			shell: { executable: process.execPath, args: ['-e'] },
			cwd: os.tmpdir(),
			env: process.env,
			onOutput: (stream, text) => (stdout += stream === 'stdout' ? text : ''),
		});
		assert.equal(result.exitCode, 0, result.tail);
		assert.equal(stdout, 'q"x\\ y & %OS%');
	});

	test('a timeout ends the whole tree: the grandchild and a background process', { skip }, async () => {
		// The timeout counts from the start, and two node.exe starts took over 4 s on a loaded
		// machine under Wine: 10 s leaves both time to print their pids before it ends them.
		const { pids, done } = runWithPids({ command: `start "" /b ${nodeThatLives('bg', 60_000)} & ${nodeThatLives('fg', 61_000)}`, timeoutMs: 10_000 });
		const result = await done;
		assert.equal(result.reason, 'timeout');
		assert.equal(pids.size, 2, `both printed their pids: ${result.tail}`);
		for (const pid of pids.values()) {
			assert.equal(isAlive(pid), false, `pid ${pid} survived the timeout`);
		}
	});

	test('what the shell leaves running ends when the shell ends', { skip }, async () => {
		const { pids, done } = runWithPids({ command: `start "" /b ${nodeThatLives('bg', 60_000)} & ${node} -e "setTimeout(() => {}, 2500)"` });
		const result = await done;
		assert.equal(result.exitCode, 0, result.tail);
		const bg = pids.get('bg');
		assert.ok(bg, result.tail);
		assert.equal(isAlive(bg), false);
	});

	test('cancel ends the whole tree', { skip }, async () => {
		const abort = new AbortController();
		const { pids, done } = runWithPids({ command: nodeThatLives('fg', 60_000), signal: abort.signal });
		assert.ok(await waitFor(() => pids.has('fg'), 10_000));
		abort.abort(new Error('canceled by the test'));
		const result = await done;
		assert.equal(result.reason, 'canceled');
		assert.equal(isAlive(pids.get('fg') as number), false);
	});

	test('the host killed mid-run leaves no process of the job', { skip }, async () => {
		const host = spawn(process.execPath, [__filename], { env: { ...process.env, [hostEnv]: nodeThatLives('fg', 60_000) }, stdio: ['ignore', 'pipe', 'inherit'] });
		let text = '';
		host.stdout.setEncoding('utf8');
		host.stdout.on('data', (chunk: string) => (text += chunk));
		const pid = await pollFor(() => /^fg (\d+)/m.exec(text)?.[1], 15_000);
		assert.ok(pid, `the job printed its pid: ${text}`);
		assert.equal(isAlive(Number(pid)), true);
		host.kill('SIGKILL');
		assert.ok(await waitFor(() => !isAlive(Number(pid)), 5000), `pid ${pid} outlived its host`);
	});

	test('a missing shell and a missing working folder give clear spawn errors', { skip }, async () => {
		const shell = await runProcess({ command: 'x', shell: { executable: 'no-such-shell-wj.exe', args: [] }, cwd: os.tmpdir(), env: process.env });
		assert.equal(shell.reason, 'spawn-error');
		assert.match(shell.message ?? '', /no-such-shell-wj\.exe ENOENT/);
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-win-'));
		const cwd = await runProcess({ command: 'echo x', cwd: path.join(dir, 'gone'), env: process.env });
		fs.rmdirSync(dir);
		assert.equal(cwd.reason, 'spawn-error');
		assert.match(cwd.message ?? '', /working directory .*gone does not exist/);
	});
}
