import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, describe, test, type TestContext } from 'node:test';
import { buildSync } from 'esbuild';
import { createLogger, MemoryLogSink } from '../../../../src/core/base/logger';
import type { Engine } from '../../../../src/core/engine/engine';
import { RunnerLease } from '../../../../src/core/engine/lease';
import { RunnerService } from '../../../../src/core/engine/runnerService';
import { sleep } from '../../../support/wait';

/**
 * The lease must be held by the same user: another user's process that comes first (seen here: a
 * `nobody` process on the old abstract socket made the real runner passive) is ignored with a
 * warning. The tests with another uid need root and the `nobody` user (65534).
 */

const nobody = 65534;
const canSwitchUser = process.platform !== 'win32' && process.geteuid?.() === 0;
const needsRoot = 'needs root to start a process as nobody (uid 65534)';

let tmp: string;
/** A world-writable sticky folder like /tmp, private to this test file: the intruder's TMPDIR and ours. */
let sharedTmp: string;
let intruderScript: string;
const savedTmpdir = process.env.TMPDIR;
const leases: RunnerLease[] = [];
const intruders: ChildProcess[] = [];

before(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-lease-'));
	sharedTmp = path.join(tmp, 'shared-tmp');
	fs.mkdirSync(sharedTmp);
	fs.chmodSync(sharedTmp, 0o1777);
	// The bundle goes where `nobody` can read it.
	fs.chmodSync(tmp, 0o755);
	intruderScript = path.join(tmp, 'leaseIntruder.cjs');
	buildSync({ entryPoints: [path.join(__dirname, '../../../support/leaseIntruder.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: intruderScript, logLevel: 'silent' });
	fs.chmodSync(intruderScript, 0o644);
	// Our fallback folders (`<tmp>/workspace-jobs-<uid>`) go there too, not into the real /tmp.
	process.env.TMPDIR = sharedTmp;
});

afterEach(async () => {
	for (const lease of leases.splice(0)) {
		lease.dispose();
	}
	await Promise.all(intruders.splice(0).map(killed));
});

after(() => {
	if (savedTmpdir === undefined) {
		delete process.env.TMPDIR;
	} else {
		process.env.TMPDIR = savedTmpdir;
	}
	fs.rmSync(tmp, { recursive: true, force: true });
});

function freshKey(): string {
	return `/test/workspace-${randomBytes(8).toString('hex')}`;
}

/** A state root of the test's own, `mode` applied whatever the umask. */
function stateRoot(mode: number): string {
	const dir = fs.mkdtempSync(path.join(tmp, 'state-'));
	fs.chmodSync(dir, mode);
	return dir;
}

function lease(key: string, folder: string, warnings: string[] = []): RunnerLease {
	const l = new RunnerLease(key, 'real runner', { folder, warn: (m) => warnings.push(m) });
	leases.push(l);
	return l;
}

/** Starts the intruder as nobody and resolves with its report lines once it is ready. */
async function intruder(key: string, folders: string[]): Promise<string[]> {
	const child = spawn(process.execPath, [intruderScript, key, ...folders], {
		uid: nobody,
		gid: nobody,
		cwd: tmp,
		env: { PATH: process.env.PATH, TMPDIR: sharedTmp, HOME: sharedTmp },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	intruders.push(child);
	let out = '';
	child.stdout!.setEncoding('utf8');
	child.stderr!.setEncoding('utf8');
	child.stderr!.on('data', (text: string) => (out += text));
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`intruder not ready in 10 s: ${out}`)), 10_000);
		child.stdout!.on('data', (text: string) => {
			out += text;
			if (/^ready /m.test(out)) {
				clearTimeout(timer);
				resolve(out.trim().split('\n'));
			}
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`intruder exited ${code}: ${out}`));
		});
	});
}

function killed(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		return Promise.resolve();
	}
	return new Promise((resolve) => {
		child.once('exit', () => resolve());
		child.kill('SIGKILL');
	});
}

function skipUnlessRoot(t: TestContext): boolean {
	if (!canSwitchUser) {
		t.diagnostic(`skipped: ${needsRoot}`);
		t.skip(needsRoot);
		return true;
	}
	return false;
}

/** A socket file at `file` that nobody listens on any more, as a SIGKILLed holder leaves it. */
async function staleSocketAt(file: string): Promise<fs.Stats> {
	const temp = `${file}.making`;
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(temp, resolve));
	try {
		fs.linkSync(temp, file);
	} finally {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}
	return fs.lstatSync(file);
}

describe('RunnerLease against other users', { timeout: 30_000 }, () => {
	test('a process of another user that comes first does not make the real runner passive', async (t) => {
		if (skipUnlessRoot(t)) {
			return;
		}
		const key = freshKey();
		const folder = path.join(stateRoot(0o700), 'leases');
		const report = await intruder(key, [folder]);
		t.diagnostic(`intruder: ${report.join(' | ')}`);
		assert.equal(report.at(-1), `ready ${nobody}`);
		const mine = lease(key, folder);
		assert.equal(await mine.tryAcquire(), true, report.join(' | '));
		assert.equal(path.dirname(mine.address), folder);
		assert.equal(await mine.verify(), true);
		const info = await lease(key, folder).queryHolder();
		assert.equal(info?.pid, process.pid);
		assert.equal(info?.holder, 'real runner');
	});

	test('a lease folder and a fallback folder another user made first are refused with a warning', async (t) => {
		if (skipUnlessRoot(t)) {
			return;
		}
		const key = freshKey();
		// A state root anyone may write (WORKSPACE_JOBS_STATE_DIR=/tmp/...): the intruder makes the
		// lease folder there, and the fallback folder in the shared tmp, before we do.
		const folder = path.join(stateRoot(0o1777), 'leases');
		const fallback = path.join(sharedTmp, `workspace-jobs-${process.geteuid!()}`);
		t.after(() => fs.rmSync(fallback, { recursive: true, force: true }));
		const report = await intruder(key, [folder, fallback]);
		t.diagnostic(`intruder: ${report.join(' | ')}`);
		assert.ok(report[1].startsWith(`held ${folder}/`) && report[2].startsWith(`held ${fallback}/`), report.join(' | '));
		assert.equal(fs.statSync(folder).uid, nobody);
		assert.equal(fs.statSync(fallback).uid, nobody);
		const warnings: string[] = [];
		const mine = lease(key, folder, warnings);
		assert.equal(await mine.tryAcquire(), true);
		assert.ok(![folder, fallback].includes(path.dirname(mine.address)), mine.address);
		assert.equal(fs.lstatSync(mine.address).uid, process.geteuid!());
		assert.equal((await mine.queryHolder())?.pid, process.pid);
		assert.ok(warnings.some((w) => w.includes(folder) && w.includes(`uid ${nobody}`)), warnings.join('\n'));
		assert.ok(warnings.some((w) => w.includes(fallback) && w.includes(`uid ${nobody}`)), warnings.join('\n'));
		assert.ok(warnings.some((w) => w.includes('may run the same schedule')), warnings.join('\n'));
	});

	test('RunnerService runs the schedule and logs a warning when another user holds the shared lease folder', async (t) => {
		if (skipUnlessRoot(t)) {
			return;
		}
		const root = stateRoot(0o1777);
		const workspace = fs.mkdtempSync(path.join(tmp, 'ws-'));
		const report = await intruder(fs.realpathSync(workspace), [path.join(root, 'leases')]);
		assert.match(report[1], /^held /);
		const calls: string[] = [];
		const engine = {
			setScheduleGuard: () => calls.push('guard'),
			start: () => calls.push('start'),
			stopScheduling: () => calls.push('stopScheduling'),
			stop: async () => void calls.push('stop'),
		} as unknown as Engine;
		const sink = new MemoryLogSink();
		const saved = process.env.WORKSPACE_JOBS_STATE_DIR;
		process.env.WORKSPACE_JOBS_STATE_DIR = root;
		const service = new RunnerService(engine, workspace, 'test window', createLogger(sink), 50);
		try {
			assert.equal(await service.start(), 'runner', JSON.stringify(sink.lines));
			assert.deepEqual(calls, ['guard', 'start']);
			assert.equal(await service.verify(), true);
			assert.ok(
				sink.lines.some((l) => l.level === 'warn' && l.message.includes(`uid ${nobody}`)),
				JSON.stringify(sink.lines),
			);
		} finally {
			await service.stop();
			service.dispose();
			if (saved === undefined) {
				delete process.env.WORKSPACE_JOBS_STATE_DIR;
			} else {
				process.env.WORKSPACE_JOBS_STATE_DIR = saved;
			}
		}
	});

	test('a socket owned by another user in our folder is removed with a warning, not deferred to', async (t) => {
		if (skipUnlessRoot(t)) {
			return;
		}
		const key = freshKey();
		const folder = path.join(stateRoot(0o700), 'leases');
		const probe = lease(key, folder);
		fs.mkdirSync(folder, { mode: 0o700 });
		// A listening socket under our name, owned by nobody (only root could put it there).
		const stranger = net.createServer((s) => s.end(JSON.stringify({ pid: 1, since: new Date().toISOString(), holder: 'stranger' }) + '\n'));
		const temp = path.join(folder, 'stranger.tmp');
		await new Promise<void>((resolve) => stranger.listen(temp, resolve));
		try {
			fs.linkSync(temp, probe.address);
			fs.lchownSync(probe.address, nobody, nobody);
			const warnings: string[] = [];
			const mine = lease(key, folder, warnings);
			assert.equal(await mine.tryAcquire(), true);
			assert.equal(fs.lstatSync(mine.address).uid, process.geteuid!());
			assert.equal((await probe.queryHolder())?.holder, 'real runner');
			assert.ok(warnings.some((w) => w.includes(`owned by uid ${nobody}`)), warnings.join('\n'));
		} finally {
			stranger.close();
		}
	});
});

describe('RunnerLease socket file', { timeout: 30_000 }, () => {
	for (const umask of [0o000, 0o022]) {
		test(`the folder is 0700 and the socket 0600 with umask ${umask.toString(8).padStart(3, '0')}`, async () => {
			const folder = path.join(stateRoot(0o700), 'missing', 'leases');
			const old = process.umask(umask);
			try {
				const mine = lease(freshKey(), folder);
				assert.equal(await mine.tryAcquire(), true);
				assert.equal(fs.statSync(folder).mode & 0o7777, 0o700);
				assert.equal(fs.statSync(path.dirname(folder)).mode & 0o7777, 0o700);
				const socket = fs.lstatSync(mine.address);
				assert.ok(socket.isSocket());
				assert.equal(socket.mode & 0o177, 0, `socket mode ${(socket.mode & 0o777).toString(8)}`);
			} finally {
				process.umask(old);
			}
		});
	}

	test('a symbolic link as the lease folder is refused with a warning', async () => {
		const key = freshKey();
		const real = path.join(stateRoot(0o700), 'leases');
		const other = lease(key, real);
		assert.equal(await other.tryAcquire(), true);
		const linked = path.join(stateRoot(0o700), 'leases');
		fs.symlinkSync(real, linked);
		const warnings: string[] = [];
		const mine = lease(key, linked, warnings);
		assert.equal(await mine.tryAcquire(), true);
		assert.notEqual(fs.realpathSync(path.dirname(mine.address)), real);
		assert.ok(warnings.some((w) => w.includes(linked) && w.includes('symbolic link')), warnings.join('\n'));
	});

	test('a lease folder others may write is refused with a warning', async () => {
		const key = freshKey();
		const folder = path.join(stateRoot(0o700), 'leases');
		const other = lease(key, folder);
		assert.equal(await other.tryAcquire(), true);
		fs.chmodSync(folder, 0o777);
		const warnings: string[] = [];
		const mine = lease(key, folder, warnings);
		assert.equal(await mine.tryAcquire(), true);
		assert.notEqual(path.dirname(mine.address), folder);
		assert.ok(warnings.some((w) => w.includes(folder) && w.includes('writable by its group and others')), warnings.join('\n'));
	});

	test('a folder too long for a socket path still gives one holder, on a path that binds', async () => {
		const key = freshKey();
		const folder = path.join(stateRoot(0o700), 'x'.repeat(120));
		const a = lease(key, folder);
		const b = lease(key, folder);
		const [gotA, gotB] = await Promise.all([a.tryAcquire(), b.tryAcquire()]);
		assert.equal(gotA !== gotB, true, 'exactly one acquires');
		const holder = gotA ? a : b;
		assert.ok(Buffer.byteLength(holder.address) <= 103, holder.address);
		assert.ok(fs.lstatSync(holder.address).isSocket());
		assert.equal((await (gotA ? b : a).queryHolder())?.pid, process.pid);
	});

	test('a stale socket file is replaced by exactly one of several takers, and the winner keeps it', async () => {
		const key = freshKey();
		const folder = path.join(stateRoot(0o700), 'leases');
		const takers = Array.from({ length: 6 }, () => lease(key, folder));
		fs.mkdirSync(folder, { mode: 0o700 });
		const stale = await staleSocketAt(takers[0].address);
		const got = await Promise.all(takers.map((l) => l.tryAcquire()));
		assert.equal(got.filter(Boolean).length, 1, JSON.stringify(got));
		const winner = takers[got.indexOf(true)];
		// The losers' servers are closed by now; none of them took the winner's file with it.
		await sleep(50);
		const now = fs.lstatSync(winner.address);
		assert.notEqual(now.ino, stale.ino);
		assert.equal(await winner.verify(), true);
		assert.equal((await lease(key, folder).queryHolder())?.pid, process.pid);
		assert.deepEqual(
			fs.readdirSync(folder).filter((name) => !name.endsWith('.sock')),
			[],
			'no temporary names left behind',
		);
	});

	test('verify notices that the socket file was replaced and reports the loss', async () => {
		const key = freshKey();
		const folder = path.join(stateRoot(0o700), 'leases');
		const mine = lease(key, folder);
		assert.equal(await mine.tryAcquire(), true);
		let lost = 0;
		mine.onDidLose(() => lost++);
		fs.rmSync(mine.address);
		await staleSocketAt(mine.address);
		assert.equal(await mine.verify(), false);
		assert.equal(mine.held, false);
		assert.equal(lost, 1);
	});
});
