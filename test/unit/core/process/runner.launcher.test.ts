import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { launcherPid } from '../../../../src/core/process/launcher/launcher';
import { findEscapedRunProcesses } from '../../../../src/core/process/leftovers';
import { type ProcessSpec, runProcess } from '../../../../src/core/process/runner';
import { killLeftovers, liveSleeps, sleepTag } from '../../../support/processes';
import { waitFor } from '../../../support/wait';
import { repoRoot, tsxFlags } from '../../../support/paths';

/** What only the launcher path has to get right; the shared behaviour is in runner.test.ts. */

let tmp: string;
const fileTag = sleepTag(301);
let markers = 0;

before(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-launcher-test-'));
});

after(() => {
	try {
		killLeftovers(fileTag);
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
});

function run(command: string, extra: Partial<ProcessSpec> = {}) {
	return runProcess({ command, cwd: tmp, env: process.env, ...extra });
}


test('jobs are started by the launcher, in their own session', async () => {
	const result = await run('cut -d" " -f4,6 /proc/$$/stat; echo $$');
	const [ppidAndSid, pid] = result.tail.trim().split('\n');
	const launcher = launcherPid();
	assert.ok(launcher, 'the launcher runs');
	assert.equal(ppidAndSid, `${launcher} ${pid}`);
	assert.equal(result.pid, Number(pid));
});

test('ends a run as soon as its group is gone: the launcher reaps leftovers and dismisses the watchdog', async () => {
	const m = `${fileTag}${++markers}`;
	// The leftover's parent (the leader) is gone: the launcher inherits it and sees it die.
	const started = Date.now();
	const result = await run(`(sleep ${m}; :) & exit 4`, { killGraceMs: 60_000 });
	assert.equal(result.exitCode, 4);
	assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
	assert.deepEqual(liveSleeps(m), []);
	const watchdogs = fs.readdirSync('/proc').filter((name) => {
		try {
			return fs.readFileSync(`/proc/${name}/stat`, 'latin1').split(' ')[4] === String(result.pid);
		} catch {
			return false;
		}
	});
	assert.deepEqual(watchdogs, [], 'nothing is left in the group, the watchdog neither');
});

test('sends each run only its environment\'s differences, and every run sees exactly its own', async () => {
	const print = `node -e "process.stdout.write(JSON.stringify(process.env))"`;
	const base = { PATH: process.env.PATH, KEEP: 'same', CHANGE: 'old', DROP: 'gone soon' };
	const first = JSON.parse((await run(print, { env: base })).tail);
	assert.equal(first.DROP, 'gone soon');
	const { DROP: _dropped, ...rest } = base;
	const second = JSON.parse((await run(print, { env: { ...rest, CHANGE: 'new', 'ADDED=x': 'y', EMPTY: '' } })).tail);
	assert.equal(second.KEEP, 'same');
	assert.equal(second.CHANGE, 'new');
	assert.equal(second.ADDED, 'x=y');
	assert.equal(second.EMPTY, '');
	assert.equal(second.DROP, undefined);
	// Many differences at once make a new base; the runs before and after still get their own.
	const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`WIDE_${i}`, String(i)]));
	const [third, fourth] = await Promise.all([run(print, { env: { PATH: process.env.PATH, ...wide } }), run(print, { env: base })]);
	const thirdEnv = JSON.parse(third.tail);
	assert.equal(thirdEnv.WIDE_39, '39');
	assert.equal(thirdEnv.KEEP, undefined);
	assert.deepEqual(JSON.parse(fourth.tail), first);
});

test('tells the processes of a running job\'s group from those that left it, as a restarted host would', async () => {
	const m = `${fileTag}${++markers}`;
	const runId = `run-${m}`;
	const running = run(`sleep ${m} & setsid sleep ${m} & wait`, { env: { ...process.env, WORKSPACE_JOBS_RUN_ID: runId }, timeoutMs: 2000, killGraceMs: 100 });
	assert.ok(await waitFor(() => liveSleeps(m).length === 2, 2000));
	// The setsid child leads a group and session of its own.
	const escapee = liveSleeps(m).find((pid) => {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
		const [pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(2, 4).map(Number);
		return pgrp === pid && session === pid;
	});
	assert.ok(escapee);
	const found = findEscapedRunProcesses('WORKSPACE_JOBS_RUN_ID', new Set([runId]));
	assert.deepEqual(found.get(runId), [escapee]);
	const result = await running;
	assert.deepEqual(result.escaped, [escapee]);
	assert.deepEqual(liveSleeps(m), []);
});

test('tells an exit status above 128 from death by a signal', async () => {
	const exited = await run('exit 143');
	assert.equal(exited.exitCode, 143);
	assert.equal(exited.signal, null);
	assert.equal(exited.reason, 'exit-code');
	const killed = await run('kill -TERM $$');
	assert.equal(killed.exitCode, null);
	assert.equal(killed.signal, 'SIGTERM');
});

test('passes exactly the given environment, as spawn does', async () => {
	const env = { PATH: process.env.PATH, 'odd.name-1': 'x y', QUOTE: `it's "q" $HOME \\ \n2nd line`, EMPTY: '', UNSET: undefined };
	const print = `node -e "process.stdout.write(JSON.stringify(process.env))"`;
	const viaLauncher = JSON.parse((await run(print, { env })).tail);
	const direct = await new Promise<string>((resolve) => {
		let out = '';
		const child = spawn('/bin/sh', ['-c', print], { cwd: tmp, env });
		child.stdout.on('data', (chunk) => (out += chunk));
		child.on('close', () => resolve(out));
	});
	assert.deepEqual(viaLauncher, JSON.parse(direct));
	assert.equal(viaLauncher.QUOTE, env.QUOTE);
	assert.equal(viaLauncher.EMPTY, '');
	assert.equal(viaLauncher.UNSET, undefined);
});

test('reports a cwd that is a file as spawn does', async () => {
	const file = path.join(tmp, 'a-file');
	fs.writeFileSync(file, '');
	const result = await runProcess({ command: 'true', cwd: file, env: process.env });
	assert.equal(result.reason, 'spawn-error');
	assert.equal(result.message, 'spawn /bin/sh ENOTDIR');
});

test('runs many jobs at once with their own output', async () => {
	const results = await Promise.all(Array.from({ length: 40 }, (_, i) => run(`echo out ${i}; echo err ${i} >&2; exit ${i % 3}`)));
	results.forEach((result, i) => {
		assert.equal(result.exitCode, i % 3);
		assert.match(result.tail, new RegExp(`^(out ${i}\\nerr ${i}\\n|err ${i}\\nout ${i}\\n)$`));
	});
});

test('ends runs as launcher-lost and kills their groups when the launcher dies, then starts a new one', async () => {
	const m = `${fileTag}${++markers}`;
	// One job that ends at SIGTERM, and one whose processes ignore it and wait for the SIGKILL.
	const plain = run(`sleep ${m} & sleep ${m}; wait`, { killGraceMs: 300 });
	const stubborn = run(`trap '' TERM; sleep ${m} & wait`, { killGraceMs: 300 });
	assert.ok(await waitFor(() => liveSleeps(m).length === 3, 5000), `running: ${liveSleeps(m)}`);
	const first = launcherPid();
	assert.ok(first);
	process.kill(first, 'SIGKILL');
	const results = await Promise.all([plain, stubborn]);
	for (const result of results) {
		assert.equal(result.reason, 'launcher-lost');
		assert.equal(result.message, `the job launcher (pid ${first}) died while the job ran; the job's process group was killed, and how the job itself ended is unknown`);
		assert.equal(result.exitCode, null);
		assert.equal(result.signal, null);
		// The run ends once its group is gone: nothing of it is orphaned.
		assert.deepEqual(groupMembers(result.pid as number), [], `group ${result.pid} outlived its run`);
	}
	assert.deepEqual(liveSleeps(m), []);
	const next = await run('echo again');
	assert.equal(next.tail, 'again\n');
	assert.ok(launcherPid() && launcherPid() !== first, 'a new launcher started');
});

/** Live (non-zombie) processes of process group `pgid`. */
function groupMembers(pgid: number): number[] {
	return fs.readdirSync('/proc').filter((name) => {
		try {
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
			const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			return Number(pgrp) === pgid && state !== 'Z';
		} catch {
			return false;
		}
	}).map(Number);
}

test('falls back to spawn when the launcher cannot start', async () => {
	const script = path.join(tmp, 'no-perl.mts');
	const runnerUrl = new URL(`file://${path.join(repoRoot, 'src/core/process/runner.ts')}`).href;
	fs.writeFileSync(
		script,
		[
			`import { runProcess } from ${JSON.stringify(runnerUrl)};`,
			`const result = await runProcess({ command: 'echo $PPID', cwd: ${JSON.stringify(tmp)}, env: process.env });`,
			`process.stdout.write(result.tail.trim() + ' ' + process.pid + ' ' + result.exitCode);`,
		].join('\n'),
	);
	const out = await new Promise<string>((resolve) => {
		let text = '';
		const host = spawn(process.execPath, [...tsxFlags, script], {
			cwd: repoRoot,
			env: { ...process.env, WORKSPACE_JOBS_PERL: path.join(tmp, 'no-such-perl') },
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		host.stdout.on('data', (chunk) => (text += chunk));
		host.on('close', () => resolve(text));
	});
	const [ppid, hostPid, code] = out.split(' ');
	assert.equal(ppid, hostPid, 'the job is the host\'s own child');
	assert.equal(code, '0');
});
