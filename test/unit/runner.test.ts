import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { killAllGroups, type ProcessResult, type ProcessSpec, runProcess } from '../../src/core/runner';

/**
 * Real processes throughout. Every long-lived test process is a `sleep` with a unique
 * duration (`300.<pid><n>`), so the leak checks find this file's processes and nobody else's.
 */

const repoRoot = path.resolve(__dirname, '../..');
let tmp: string;
let markers = 0;

before(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-test-'));
});

after(() => {
	fs.rmSync(tmp, { recursive: true, force: true });
	assert.deepEqual(liveSleeps(`300.${process.pid}`), [], 'no test process may outlive the tests');
});

/** A `sleep` argument no other process uses. */
function marker(): string {
	return `300.${process.pid}${++markers}`;
}

/** Live (non-zombie) `sleep` processes whose argument starts with `prefix`. */
function liveSleeps(prefix: string): number[] {
	const pids: number[] = [];
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) {
			continue;
		}
		try {
			const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
			const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
			if (argv[0].endsWith('sleep') && argv[1]?.startsWith(prefix) && state !== 'Z') {
				pids.push(Number(name));
			}
		} catch {
			// Gone while we looked.
		}
	}
	return pids;
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
	const deadline = Date.now() + ms;
	while (!check()) {
		if (Date.now() > deadline) {
			return false;
		}
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	return true;
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
	assert.equal(result.message, 'timed out after 300ms');
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

test('reports and kills processes that left the group', async () => {
	const m = marker();
	const result = await run(`setsid sleep ${m} & echo $!; sleep 0.3`);
	assert.equal(result.exitCode, 0);
	assert.deepEqual(result.escaped, [Number(result.tail)]);
	assert.deepEqual(liveSleeps(m), []);
});

/** Runs `fn` and returns how far live Buffer memory rose above its start, collecting garbage first. */
async function peakBufferGrowth(fn: () => Promise<unknown>): Promise<number> {
	v8.setFlagsFromString('--expose-gc');
	const gc = vm.runInNewContext('gc') as () => void;
	gc();
	const base = process.memoryUsage().arrayBuffers;
	let peak = 0;
	const sampler = setInterval(() => {
		gc();
		peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
	}, 5);
	try {
		await fn();
	} finally {
		clearInterval(sampler);
	}
	return peak;
}

test('streams 20 MB to the log file and keeps only the tail in memory', async () => {
	const logFile = path.join(tmp, 'logs', 'deep', 'run.log');
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	fs.writeFileSync(logFile, 'previous run\n');
	const size = 20_000_000;
	let result: ProcessResult | undefined;
	const peak = await peakBufferGrowth(async () => {
		result = await run(`head -c ${size} /dev/zero; printf end`, { logFile, tailBytes: 4096 });
	});
	assert.equal(result?.exitCode, 0);
	assert.equal(result?.outputBytes, size + 3);
	assert.equal(result?.tail.length, 4096);
	assert.ok(result?.tail.endsWith('\0\0end'));
	assert.equal(fs.statSync(logFile).size, 'previous run\n'.length + size + 3);
	assert.ok(peak < 8_000_000, `buffers grew by ${peak} bytes`);
});

test('pauses the job instead of buffering when the log file cannot keep up', async () => {
	// A FIFO whose reader starts late: every write blocks until then.
	const logFile = path.join(tmp, 'slow.fifo');
	execFileSync('mkfifo', [logFile]);
	const reader = spawn('/bin/sh', ['-c', 'sleep 0.7; wc -c < "$1"', 'sh', logFile], { stdio: ['ignore', 'pipe', 'inherit'] });
	let counted = '';
	reader.stdout.on('data', (chunk) => (counted += chunk));
	const readerDone = new Promise((resolve) => reader.once('close', resolve));
	const size = 20_000_000;
	let result: ProcessResult | undefined;
	const peak = await peakBufferGrowth(async () => {
		result = await run(`head -c ${size} /dev/zero`, { logFile });
	});
	await readerDone;
	assert.equal(result?.outputBytes, size);
	assert.equal(Number(counted), size);
	assert.ok(peak < 8_000_000, `buffers grew by ${peak} bytes`);
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

test('killAllGroups kills every running group', async () => {
	const m = marker();
	const runs = [run(`sleep ${m}`), run(`sleep ${m} & sleep ${m}; wait`)];
	assert.ok(await waitFor(() => liveSleeps(m).length === 3, 2000));
	await killAllGroups(500);
	const results = await Promise.all(runs);
	for (const result of results) {
		assert.equal(result.reason, 'canceled');
	}
	assert.deepEqual(liveSleeps(m), []);
});

/** Starts a Node process that runs `command` through runProcess and prints `ready` once it runs. */
function startHost(command: string, mode: 'hold' | 'exit') {
	const script = path.join(tmp, `host-${mode}.mts`);
	const runnerUrl = new URL(`file://${path.join(repoRoot, 'src/core/runner.ts')}`).href;
	fs.writeFileSync(
		script,
		[
			`import { runProcess } from ${JSON.stringify(runnerUrl)};`,
			`const onOutput = (_s: string, text: string) => { if (text.includes('ready')) { process.stdout.write('ready\\n'); } };`,
			`const result = await runProcess({ command: ${JSON.stringify(command)}, cwd: ${JSON.stringify(tmp)}, env: process.env, onOutput });`,
			`process.stdout.write('done ' + result.exitCode + '\\n');`,
		].join('\n'),
	);
	const host = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
	let out = '';
	const printed = (text: string) =>
		new Promise<void>((resolve, reject) => {
			const check = () => (out.includes(text) ? resolve() : undefined);
			host.stdout.on('data', (chunk) => {
				out += chunk;
				check();
			});
			host.once('exit', () => (out.includes(text) ? resolve() : reject(new Error(`host exited; output: ${out}`))));
			check();
		});
	const exited = new Promise<number | null>((resolve) => host.once('exit', (code) => resolve(code)));
	return { host, printed, exited };
}

test('kills the job group when the host process dies by SIGKILL', async () => {
	const m = marker();
	const { host, printed, exited } = startHost(`sleep ${m} & echo ready; sleep ${m}; wait`, 'hold');
	await printed('ready');
	assert.equal(liveSleeps(m).length, 2);
	host.kill('SIGKILL');
	await exited;
	const started = Date.now();
	assert.ok(await waitFor(() => liveSleeps(m).length === 0, 3000), `still alive: ${liveSleeps(m)}`);
	assert.ok(Date.now() - started < 3000);
});

test('does not keep the host alive once its runs are over', async () => {
	const { printed, exited } = startHost('echo ready', 'exit');
	await printed('done 0');
	const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('hung'), 2000))]);
	assert.equal(code, 0);
});
