import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { buildSync } from 'esbuild';
import { killAllGroups, type ProcessResult, type ProcessSpec, runProcess } from '../../../../src/core/process/runner';
import { killLeftovers, liveSleeps, procHidden, procRoot, sleepTag } from '../../../support/processes';
import { waitFor } from '../../../support/wait';
import { repoRoot } from '../../../support/paths';

/**
 * Real processes throughout. Every long-lived test process is a `sleep` with a unique
 * duration (`300.<pid as 7 digits><n>`), so the leak checks find this file's processes and
 * nobody else's, even while other test files run.
 */

let tmp: string;
let markers = 0;
const fileTag = sleepTag(300);

before(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-test-'));
});

after(() => {
	try {
		killLeftovers(fileTag);
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
});

/** A `sleep` argument no other process uses. */
function marker(): string {
	return `${fileTag}${++markers}`;
}


/** Non-zombie processes in process group `pgid`. */
function liveGroupMembers(pgid: number): number[] {
	const pids: number[] = [];
	for (const name of fs.readdirSync(procRoot)) {
		try {
			const stat = fs.readFileSync(`${procRoot}/${name}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) === pgid && fields[0] !== 'Z') {
				pids.push(Number(name));
			}
		} catch {
			// Not a process, or gone.
		}
	}
	return pids;
}


function run(command: string, extra: Partial<ProcessSpec> = {}) {
	return runProcess({ command, cwd: tmp, env: process.env, ...extra });
}

test('resolves with exit code 0, no reason and the output tail', async () => {
	const result = await run('echo hello; echo world >&2');
	assert.equal(result.exitCode, 0);
	assert.equal(result.signal, null);
	assert.equal(result.reason, undefined);
	assert.equal(result.message, undefined);
	assert.equal(typeof result.pid, 'number');
	assert.match(result.tail, /^(hello\nworld\n|world\nhello\n)$/);
	assert.equal(result.outputBytes, 12);
	assert.deepEqual(result.escaped, []);
	assert.ok(result.endedAt >= result.startedAt);
});

test('reports a nonzero exit code', async () => {
	const result = await run(`node -e "process.exit(2)"`);
	assert.equal(result.exitCode, 2);
	assert.equal(result.reason, 'exit-code');
	assert.equal(result.message, 'exited with code 2');
});

test('reports death by a signal', async () => {
	const result = await run('kill -USR1 $$');
	assert.equal(result.exitCode, null);
	assert.equal(result.signal, 'SIGUSR1');
	assert.equal(result.reason, 'signal');
	assert.equal(result.message, 'killed by SIGUSR1');
});

test('kills the whole group on timeout, background grandchild included', async () => {
	const m = marker();
	const started = Date.now();
	const result = await run(`sleep ${m} & sleep ${m}; wait`, { timeoutMs: 300 });
	assert.equal(result.reason, 'timeout');
	assert.equal(result.message, 'timed out after 300 ms');
	assert.equal(result.signal, 'SIGTERM');
	assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
	assert.deepEqual(liveSleeps(m), []);
});

test('kills the whole group on cancel and reports the abort reason', async () => {
	const m = marker();
	const controller = new AbortController();
	setTimeout(() => controller.abort(new Error('stopped by the user')), 200);
	const result = await run(`sleep ${m} & sleep ${m}; wait`, { signal: controller.signal });
	assert.equal(result.reason, 'canceled');
	assert.equal(result.message, 'stopped by the user');
	assert.deepEqual(liveSleeps(m), []);
});

test('returns canceled without starting anything when the signal is already aborted', async () => {
	const result = await run('echo never', { signal: AbortSignal.abort('too late') });
	assert.equal(result.reason, 'canceled');
	assert.equal(result.message, 'too late');
	assert.equal(result.pid, undefined);
	assert.equal(result.outputBytes, 0);
});

test('escalates to SIGKILL after the grace when SIGTERM is ignored', async () => {
	const m = marker();
	const started = Date.now();
	const result = await run(`trap '' TERM; sleep ${m} & sleep ${m}; wait`, { timeoutMs: 200, killGraceMs: 300 });
	const took = Date.now() - started;
	assert.equal(result.reason, 'timeout');
	assert.equal(result.signal, 'SIGKILL');
	assert.ok(took >= 450 && took < 2000, `took ${took} ms`);
	assert.deepEqual(liveSleeps(m), []);
});

test('ends when the leader exits and kills what it left in the group', async () => {
	const m = marker();
	const started = Date.now();
	const result = await run(`sleep ${m} & echo done`);
	assert.equal(result.exitCode, 0);
	assert.equal(result.reason, undefined);
	assert.equal(result.tail, 'done\n');
	assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
	assert.deepEqual(liveSleeps(m), []);
});

test('waits for a leftover that ignores SIGTERM until its SIGKILL, then ends with the leader\'s status', async () => {
	const m = marker();
	const started = Date.now();
	// The leader exits once the leftover ignores SIGTERM (the runner's SIGTERM follows at once).
	const result = await run(`(trap '' TERM; : > ready-${m}; sleep ${m}) & while [ ! -e ready-${m} ]; do :; done; echo started; exit 3`, { killGraceMs: 400 });
	const took = Date.now() - started;
	assert.equal(result.exitCode, 3);
	assert.equal(result.reason, 'exit-code');
	assert.equal(result.tail, 'started\n');
	assert.ok(took >= 380, `ended after ${took} ms, before the leftover's SIGKILL`);
	assert.deepEqual(liveSleeps(m), [], 'the leftover is gone when the run ends');
});

test('on timeout kills a background child that ignores SIGTERM and outlives the leader', async () => {
	const m = marker();
	const started = Date.now();
	const result = await run(`(trap '' TERM; sleep ${m}; sleep ${m}) & sleep ${m}`, { timeoutMs: 200, killGraceMs: 300 });
	const took = Date.now() - started;
	assert.equal(result.reason, 'timeout');
	assert.ok(took >= 480 && took < 3000, `took ${took} ms`);
	assert.deepEqual(liveSleeps(m), []);
});

test('a burst of 50 runs at once all end with their own exit code and output', async () => {
	const results = await Promise.all(Array.from({ length: 50 }, (_, i) => run(`echo run ${i}; exit ${i % 5}`)));
	results.forEach((result, i) => {
		assert.equal(result.exitCode, i % 5, `run ${i}`);
		assert.equal(result.tail, `run ${i}\n`);
	});
	assert.equal(new Set(results.map((r) => r.pid)).size, 50);
});

test('reports a missing cwd as a spawn error instead of throwing', async () => {
	const result = await runProcess({ command: 'true', cwd: path.join(tmp, 'missing'), env: process.env });
	assert.equal(result.reason, 'spawn-error');
	assert.match(result.message ?? '', /^spawn \/bin\/sh ENOENT/);
	assert.equal(result.exitCode, null);
});

test('reports an environment Node rejects as a spawn error instead of throwing', async () => {
	const result = await run('true', { env: { BAD: 'a\0b' } });
	assert.equal(result.reason, 'spawn-error');
	assert.match(result.message ?? '', /null bytes/);
});

test('reports and kills processes that left the group', { skip: procHidden && 'no process table without /proc: escapes are not reported there (README, platforms)' }, async () => {
	const m = marker();
	const result = await run(`setsid sleep ${m} & echo $!; sleep 0.3`);
	assert.equal(result.exitCode, 0);
	assert.deepEqual(result.escaped, [Number(result.tail)]);
	assert.deepEqual(liveSleeps(m), []);
});

/**
 * Runs `fn` and returns how far live Buffer memory rose above its start. Garbage counts in
 * `arrayBuffers` until collected, so each sample collects first (about 5 ms per collection).
 */
async function peakBufferGrowth(fn: () => Promise<unknown>): Promise<number> {
	v8.setFlagsFromString('--expose-gc');
	const gc = vm.runInNewContext('gc') as () => void;
	gc();
	const base = process.memoryUsage().arrayBuffers;
	let peak = 0;
	const sampler = setInterval(() => {
		gc();
		peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
	}, 25);
	try {
		await fn();
	} finally {
		clearInterval(sampler);
	}
	return peak;
}

test('reports and kills escaped processes when a timeout kills the group', { skip: procHidden && 'no process table without /proc: escapes are not reported there (README, platforms)' }, async () => {
	const m = marker();
	const result = await run(`setsid sleep ${m} & echo $!; sleep ${m}`, { timeoutMs: 300 });
	assert.equal(result.reason, 'timeout');
	assert.deepEqual(result.escaped, [Number(result.tail)]);
	assert.deepEqual(liveSleeps(m), []);
});

test('parses and reports the command exactly as plain sh -c would', async () => {
	const missing = await run('no_such_command_wj');
	assert.equal(missing.exitCode, 127);
	assert.match(missing.tail, /^\/bin\/sh: 1: no_such_command_wj: not found\n$/);
	const syntax = await run('echo before; if');
	assert.equal(syntax.exitCode, 2);
	assert.match(syntax.tail, /Syntax error/);
	const second = await run('true\nno_such_command_wj');
	assert.match(second.tail, /^\/bin\/sh: 2: no_such_command_wj: not found\n$/);
});

test('streams 80 MB to the log file and keeps only the tail in memory', { skip: procHidden && 'measures memory with process.memoryUsage(), which reads /proc' }, async () => {
	const logFile = path.join(tmp, 'logs', 'deep', 'run.log');
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	fs.writeFileSync(logFile, 'previous run\n');
	// Without backpressure all 80 MB would sit in buffers. With it the growth is bounded, and it
	// does not grow with the size: the figure is mostly buffers already dropped that V8 has not
	// freed yet, up to ~20 MB at the launcher path's 600 MB/s (the same for 40 and 80 MB).
	const size = 80_000_000;
	let result: ProcessResult | undefined;
	const peak = await peakBufferGrowth(async () => {
		result = await run(`head -c ${size} /dev/zero; printf end`, { logFile, tailBytes: 4096 });
	});
	assert.equal(result?.exitCode, 0);
	assert.equal(result?.outputBytes, size + 3);
	assert.equal(result?.tail.length, 4096);
	assert.ok(result?.tail.endsWith('\0\0end'));
	assert.equal(fs.statSync(logFile).size, 'previous run\n'.length + size + 3);
	assert.ok(peak < 32_000_000, `buffers grew by ${peak} bytes`);
});

test('pauses the job instead of buffering when the log file cannot keep up', { skip: procHidden && 'measures memory with process.memoryUsage(), which reads /proc' }, async () => {
	// A FIFO whose reader starts late: every write blocks until then.
	const logFile = path.join(tmp, 'slow.fifo');
	execFileSync('mkfifo', [logFile]);
	const reader = spawn('/bin/sh', ['-c', 'sleep 0.7; wc -c < "$1"', 'sh', logFile], { stdio: ['ignore', 'pipe', 'inherit'] });
	let counted = '';
	reader.stdout.on('data', (chunk) => (counted += chunk));
	const readerDone = new Promise((resolve) => reader.once('close', resolve));
	// Without the pause, all 40 MB would sit in buffers; with it, growth stays far below (the margin absorbs GC noise on a loaded machine).
	const size = 40_000_000;
	let result: ProcessResult | undefined;
	const peak = await peakBufferGrowth(async () => {
		result = await run(`head -c ${size} /dev/zero`, { logFile });
	});
	await readerDone;
	assert.equal(result?.outputBytes, size);
	assert.equal(Number(counted), size);
	assert.ok(peak < 16_000_000, `buffers grew by ${peak} bytes`);
});

test('uses a 64 KiB tail by default and creates the log folder', async () => {
	const logFile = path.join(tmp, 'new', 'folder', 'run.log');
	const result = await run('head -c 200000 /dev/zero', { logFile });
	assert.equal(result.tail.length, 64 * 1024);
	assert.equal(fs.statSync(logFile).size, 200_000);
});

test('passes live output to onOutput by stream, without splitting characters', async () => {
	const seen: Record<string, string> = { stdout: '', stderr: '' };
	let calls = 0;
	const result = await run(`echo out; echo err >&2; printf '\\303'; sleep 0.05; printf '\\251\\n'`, {
		onOutput: (stream, text) => {
			calls++;
			seen[stream] += text;
		},
	});
	assert.equal(result.exitCode, 0);
	assert.equal(seen.stdout, 'out\né\n');
	assert.equal(seen.stderr, 'err\n');
	assert.ok(calls >= 3);
});

test('survives an onOutput that throws', async () => {
	const result = await run('echo a; echo b', {
		onOutput: () => {
			throw new Error('listener bug');
		},
	});
	assert.equal(result.exitCode, 0);
	assert.equal(result.tail, 'a\nb\n');
});

test('hides the watchdog from the command: no fd 3, a bare wait returns, exit status kept', async () => {
	const result = await run(`[ -e /proc/$$/fd/3 ] && echo fd3 || echo no-fd3; sleep 0.05 & wait; echo waited; exit 7`);
	assert.equal(result.tail, 'no-fd3\nwaited\n');
	assert.equal(result.exitCode, 7);
});

test('killAllGroups kills every running group, within its own grace', async () => {
	const m = marker();
	const runs = [run(`sleep ${m}`), run(`sleep ${m} & sleep ${m}; wait`), run(`trap '' TERM; sleep ${m}`, { killGraceMs: 60_000 })];
	assert.ok(await waitFor(() => liveSleeps(m).length === 4, 2000));
	const started = Date.now();
	await killAllGroups(200);
	const results = await Promise.all(runs);
	assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
	for (const result of results) {
		assert.equal(result.reason, 'canceled');
		assert.equal(result.message, 'killed: all job process groups were stopped');
	}
	assert.equal(results[2].signal, 'SIGKILL');
	assert.deepEqual(liveSleeps(m), []);
});

let hostBundle: string | undefined;

/**
 * `test/support/runnerHost.ts`, bundled once per test process as the CLI is: a host in plain JS
 * starts in a fraction of the time one under tsx takes, which each host-death test pays.
 */
function hostScript(): string {
	if (!hostBundle) {
		hostBundle = path.join(tmp, 'runnerHost.cjs');
		buildSync({ entryPoints: [path.join(repoRoot, 'test/support/runnerHost.ts')], bundle: true, platform: 'node', format: 'cjs', loader: { '.pl': 'text' }, outfile: hostBundle, logLevel: 'error' });
	}
	return hostBundle;
}

/** Starts a Node process that runs `command` through runProcess and prints its output as it comes. */
function startHost(command: string, killGraceMs = 500) {
	const host = spawn(process.execPath, [hostScript(), command, tmp, String(killGraceMs)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
	let out = '';
	host.stdout.on('data', (chunk) => (out += chunk));
	const printed = (text: string) =>
		new Promise<void>((resolve, reject) => {
			const check = () => (out.includes(text) ? resolve() : undefined);
			host.stdout.on('data', check);
			host.once('exit', () => (out.includes(text) ? resolve() : reject(new Error(`host exited; output: ${out}`))));
			check();
		});
	const exited = new Promise<number | null>((resolve) => host.once('exit', (code) => resolve(code)));
	return { host, printed, exited, output: () => out };
}

test('kills the job group when the host process dies by SIGKILL', async () => {
	const m = marker();
	const { host, printed, exited, output } = startHost(`sleep ${m} & echo ready $$; sleep ${m}; wait`);
	try {
		await printed('ready');
		// `echo ready` may run before the background shell has exec'd sleep.
		assert.ok(await waitFor(() => liveSleeps(m).length === 2, 2000), `running: ${liveSleeps(m)}`);
		const pgid = Number(/ready (\d+)/.exec(output())?.[1]);
		assert.ok(pgid > 1);
		host.kill('SIGKILL');
		await exited;
		const started = Date.now();
		assert.ok(await waitFor(() => liveSleeps(m).length === 0, 3000), `still alive: ${liveSleeps(m)}`);
		// The watchdog itself goes after its grace (500 ms here), taking nothing else with it.
		assert.ok(await waitFor(() => liveGroupMembers(pgid).length === 0, 3000), `group alive: ${liveGroupMembers(pgid)}`);
		assert.ok(Date.now() - started < 3000);
	} finally {
		host.kill('SIGKILL');
	}
});

test('kills leftovers that ignore SIGTERM when the host dies during the grace', async () => {
	const m = marker();
	// The leader exits at once; its leftover ignores the runner's SIGTERM and waits for the SIGKILL.
	const { host, printed, exited, output } = startHost(`trap '' TERM; sleep ${m} & echo ready $$`, 1000);
	try {
		await printed('ready');
		const pgid = Number(/ready (\d+)/.exec(output())?.[1]);
		assert.ok(await waitFor(() => liveSleeps(m).length === 1, 5000), `running: ${liveSleeps(m)}`);
		host.kill('SIGKILL');
		await exited;
		// Grace is 1 s; the rest is margin for a loaded machine.
		assert.ok(await waitFor(() => liveGroupMembers(pgid).length === 0, 5000), `group alive: ${liveGroupMembers(pgid)}`);
		assert.deepEqual(liveSleeps(m), []);
	} finally {
		host.kill('SIGKILL');
	}
});

test('keeps the watchdog through signals the job sends its group as it starts, so the host\'s death still kills the group', async () => {
	const m = marker();
	// The job's first act signals its whole group while the watchdog is being forked; the leader
	// and its sleep ignore those signals and run on, so only the watchdog can end them.
	const signals = 'HUP INT QUIT TERM USR1 USR2 ALRM';
	const kills = signals.split(' ').map((name) => `kill -${name} 0`).join('; ');
	const { host, printed, exited, output } = startHost(`trap '' ${signals}; ${kills}; echo ready $$; sleep ${m}`, 200);
	try {
		await printed('ready');
		const pgid = Number(/ready (\d+)/.exec(output())?.[1]);
		assert.ok(await waitFor(() => liveSleeps(m).length === 1, 5000), `running: ${liveSleeps(m)}`);
		host.kill('SIGKILL');
		await exited;
		assert.ok(await waitFor(() => liveGroupMembers(pgid).length === 0, 5000), `group alive: ${liveGroupMembers(pgid)}`);
		assert.deepEqual(liveSleeps(m), []);
	} finally {
		host.kill('SIGKILL');
	}
});

test('does not keep the host alive once its runs are over', async () => {
	const { host, printed, exited } = startHost('echo ready');
	try {
		await printed('done 0');
		let timer: NodeJS.Timeout | undefined;
		const hung = new Promise((resolve) => (timer = setTimeout(() => resolve('hung'), 2000)));
		const code = await Promise.race([exited, hung]);
		clearTimeout(timer);
		assert.equal(code, 0);
	} finally {
		host.kill('SIGKILL');
	}
});
