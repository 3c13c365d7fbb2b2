import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { launcherPid } from '../../src/core/launcher';
import { type ProcessSpec, runProcess } from '../../src/core/runner';
import { waitFor } from './fixtures/processes';

/** What only the launcher path has to get right; the shared behaviour is in runner.test.ts. */

const repoRoot = path.resolve(__dirname, '../..');
let tmp: string;
const fileTag = `301.${String(process.pid).padStart(7, '0')}`;
let markers = 0;

before(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-launcher-test-'));
});

after(() => {
	fs.rmSync(tmp, { recursive: true, force: true });
	assert.deepEqual(liveSleeps(fileTag), [], 'no test process may outlive the tests');
});

function liveSleeps(prefix: string): number[] {
	const pids: number[] = [];
	for (const name of fs.readdirSync('/proc')) {
		try {
			const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
			if (argv[0].endsWith('sleep') && argv[1]?.startsWith(prefix) && stat[stat.lastIndexOf(')') + 2] !== 'Z') {
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


test('jobs are started by the launcher, in their own session', async () => {
	const result = await run('cut -d" " -f4,6 /proc/$$/stat; echo $$');
	const [ppidAndSid, pid] = result.tail.trim().split('\n');
	const launcher = launcherPid();
	assert.ok(launcher, 'the launcher runs');
	assert.equal(ppidAndSid, `${launcher} ${pid}`);
	assert.equal(result.pid, Number(pid));
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

test('ends runs as canceled and kills their groups when the launcher dies, then starts a new one', async () => {
	const m = `${fileTag}${++markers}`;
	const running = run(`sleep ${m} & sleep ${m}; wait`, { killGraceMs: 300 });
	assert.ok(await waitFor(() => liveSleeps(m).length === 2, 2000));
	const first = launcherPid();
	assert.ok(first);
	process.kill(first, 'SIGKILL');
	const result = await running;
	assert.equal(result.reason, 'canceled');
	assert.equal(result.message, 'killed: the job launcher exited unexpectedly');
	assert.ok(await waitFor(() => liveSleeps(m).length === 0, 3000), `still alive: ${liveSleeps(m)}`);
	const next = await run('echo again');
	assert.equal(next.tail, 'again\n');
	assert.notEqual(launcherPid(), first);
});

test('falls back to spawn when the launcher cannot start', async () => {
	const script = path.join(tmp, 'no-perl.mts');
	const runnerUrl = new URL(`file://${path.join(repoRoot, 'src/core/runner.ts')}`).href;
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
		const host = spawn(process.execPath, ['--import', 'tsx', script], {
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
