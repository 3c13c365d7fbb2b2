import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { ManualClock } from '../../../../src/core/base/clock';
import { createLogger, MemoryLogSink } from '../../../../src/core/base/logger';
import { Engine } from '../../../../src/core/engine/engine';
import type { JobDefinition, RunRecord } from '../../../../src/core/model';
import { RunnerService } from '../../../../src/core/engine/runnerService';
import { type Fire, type Missed, Scheduler } from '../../../../src/core/schedule/scheduler';
import { workspaceStateDir } from '../../../../src/core/base/stateDir';
import { launcherAvailable, launcherPid } from '../../../../src/core/process/launcher/launcher';
import { killLeftovers, liveSleeps, procHidden, sleepTag } from '../../../support/processes';
import { testRandom } from '../../../support/random';
import { sleep, waitFor } from '../../../support/wait';
import { repoRoot } from '../../../support/paths';

/**
 * The reliability promises with real state folders, real processes and real signals: restart
 * catch-up, run identity across restarts, the lease guard, SIGKILL of the host (watchdog,
 * `interrupted`, escaped processes) and kill -9 at random moments. Long-lived job processes are
 * `sleep`s with a unique duration (`302.<pid as 7 digits><n>`), so leak checks see only this file's.
 */

const root = repoRoot;
const minute = 60_000;
const t0 = Date.parse('2026-06-01T10:00:30Z');
let tmp: string;
let cli: string;
let stateRoot: string;
let markers = 0;
const fileTag = sleepTag(302);
const children: ChildProcess[] = [];

before(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-reliability-'));
	stateRoot = path.join(tmp, 'state');
	cli = path.join(tmp, 'cli.js');
	buildSync({ entryPoints: [path.join(root, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], loader: { '.pl': 'text' }, outfile: cli, logLevel: 'error' });
});

after(() => {
	for (const child of children) {
		child.kill('SIGKILL');
	}
	try {
		killLeftovers(fileTag);
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
});

// ---- helpers -------------------------------------------------------------------

function folder(): { dir: string; stateDir: string } {
	const dir = fs.mkdtempSync(path.join(tmp, 'ws-'));
	return { dir, stateDir: path.join(dir, 'state') };
}

/** An engine on a real state folder whose clock says `now`. */
function engineAt(ws: { dir: string; stateDir: string }, now: number, jobs: JobDefinition[]) {
	const clock = new ManualClock(now);
	const sink = new MemoryLogSink();
	const engine = new Engine({ workspaceFolder: ws.dir, stateDir: ws.stateDir, clock, logger: createLogger(sink), killGraceMs: 200 });
	engine.load({ jobs });
	return { engine, clock, sink };
}

/** Starts an engine at `now`, lets what is due run, and stops it; returns the records it wrote. */
async function session(ws: { dir: string; stateDir: string }, now: number, jobs: JobDefinition[], then?: (clock: ManualClock) => void): Promise<RunRecord[]> {
	const { engine, clock } = engineAt(ws, now, jobs);
	const records: RunRecord[] = [];
	engine.onDidFinishRun((r) => records.push(r));
	engine.start();
	await settle(engine);
	if (then) {
		then(clock);
		await settle(engine);
	}
	await engine.stop();
	engine.dispose();
	return records;
}

/** Waits until scheduled work (including guard checks and record batches) is done. */
async function settle(engine: Engine): Promise<void> {
	for (let i = 0; i < 3; i++) {
		await new Promise((resolve) => setImmediate(resolve));
		await engine.whenIdle();
	}
}

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(`2026-06-01T${text}Z`);
const summary = (records: RunRecord[]) => records.map((r) => [r.jobId, r.status, r.trigger, r.scheduledAt]);

/** A `sleep` argument no other process uses. */
function marker(): string {
	return `${fileTag}${++markers}`;
}


function workspaceWith(jobs: object[]): { dir: string; file: string } {
	const dir = fs.mkdtempSync(path.join(tmp, 'cli-ws-'));
	const file = path.join(dir, '.jobs.json');
	fs.writeFileSync(file, JSON.stringify({ jobs }, null, '\t'));
	return { dir, file };
}

/** `start` on `file`; sub-second `every` intervals are allowed (the default minimum is 1 s), so a test sees many fires. */
function startCli(file: string): ChildProcess & { output: () => string; exited: Promise<number | null> } {
	const child = spawn(process.execPath, [cli, 'start', '--file', file], { env: { ...process.env, WORKSPACE_JOBS_STATE_DIR: stateRoot, WORKSPACE_JOBS_MIN_INTERVAL_MS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
	children.push(child);
	let output = '';
	child.stdout!.on('data', (d) => (output += d));
	child.stderr!.on('data', (d) => (output += d));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	return Object.assign(child, { output: () => output, exited });
}

/** SIGTERM once the schedule runs (a signal before the CLI set its handlers would simply kill it); resolves with the exit code. */
async function stopCli(child: ReturnType<typeof startCli>): Promise<number | null> {
	assert.ok(await waitFor(() => child.output().includes('Scheduler started'), 10_000), child.output());
	child.kill('SIGTERM');
	return child.exited;
}

function cliHistory(file: string): RunRecord[] {
	const r = spawnSync(process.execPath, [cli, 'history', '--json', '--limit', '100000', '--file', file], { encoding: 'utf8', env: { ...process.env, WORKSPACE_JOBS_STATE_DIR: stateRoot } });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as RunRecord);
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
	const r = spawnSync('true');
	return r.pid as number;
}

// ---- missed runs: restart catch-up -------------------------------------------------------------------

const cron10: JobDefinition = { id: 'c', command: 'true', schedule: { kind: 'cron', expression: '*/10 * * * *', timezone: 'UTC' } };

test('restart: a cron job runs its latest missed time once as catch-up and records the others as one missed record', async () => {
	const ws = folder();
	assert.deepEqual(await session(ws, t0, [cron10]), []);
	const records = await session(ws, at('10:45:30'), [cron10], (clock) => clock.advance(2 * minute));
	assert.deepEqual(summary(records), [
		['c', 'missed', 'schedule', iso(at('10:30:00'))],
		['c', 'completed', 'catch-up', iso(at('10:40:00'))],
	]);
	assert.match(records[0].message ?? '', /missed 3 runs scheduled from 2026-06-01T10:10:00.000Z to 2026-06-01T10:30:00.000Z/);
});

test('restart: the same scheduled run never starts twice, also when the clock moves back', async () => {
	const ws = folder();
	await session(ws, t0, [cron10]);
	assert.equal((await session(ws, at('10:45:30'), [cron10])).filter((r) => r.status === 'completed').length, 1);
	// Restarted a minute later, and again with the clock set back before the caught-up instant.
	assert.deepEqual(await session(ws, at('10:46:30'), [cron10]), []);
	assert.deepEqual(await session(ws, at('10:39:00'), [cron10], (clock) => clock.advance(2 * minute)), []);
	const all = new Engine({ workspaceFolder: ws.dir, stateDir: ws.stateDir }).readHistory();
	const runs = all.filter((r) => r.status !== 'missed').map((r) => r.scheduledAt);
	assert.deepEqual(runs, [iso(at('10:40:00'))]);
});

test('restart: catchUp none records the missed times and runs nothing', async () => {
	const ws = folder();
	const job: JobDefinition = { ...cron10, catchUp: 'none' };
	await session(ws, t0, [job]);
	const records = await session(ws, at('10:45:30'), [job]);
	assert.deepEqual(summary(records), [['c', 'missed', 'schedule', iso(at('10:40:00'))]]);
	assert.match(records[0].message ?? '', /missed 4 runs/);
});

test('restart: a missed time older than startingDeadline is recorded as missed, not run', async () => {
	const ws = folder();
	const job: JobDefinition = { id: 'h', command: 'true', schedule: { kind: 'cron', expression: '0 * * * *', timezone: 'UTC' }, startingDeadlineMs: 10 * minute };
	await session(ws, t0, [job]);
	const records = await session(ws, at('12:30:00'), [job]);
	assert.deepEqual(summary(records), [['h', 'missed', 'schedule', iso(at('12:00:00'))]]);
	assert.match(records[0].message ?? '', /missed 2 runs/);
});

test('restart: an every job with catchUp once keeps its grid and catches up once', async () => {
	const ws = folder();
	const job: JobDefinition = { id: 'e', command: 'true', schedule: { kind: 'every', everyMs: 10 * minute }, catchUp: 'once' };
	const first = await session(ws, t0, [job], (clock) => clock.advance(10 * minute));
	assert.deepEqual(summary(first), [['e', 'completed', 'schedule', iso(at('10:10:30'))]]);
	const records = await session(ws, at('10:45:00'), [job], (clock) => clock.advance(6 * minute));
	assert.deepEqual(summary(records), [
		['e', 'missed', 'schedule', iso(at('10:30:30'))],
		['e', 'completed', 'catch-up', iso(at('10:40:30'))],
		['e', 'completed', 'schedule', iso(at('10:50:30'))],
	]);
	assert.match(records[0].message ?? '', /missed 2 runs/);
});

test('restart: an at job whose instant passed while closed runs once', async () => {
	const ws = folder();
	const job: JobDefinition = { id: 'o', command: 'true', schedule: { kind: 'at', at: at('10:05:00') } };
	await session(ws, t0, [job]);
	assert.deepEqual(summary(await session(ws, at('10:20:00'), [job])), [['o', 'completed', 'catch-up', iso(at('10:05:00'))]]);
	assert.deepEqual(await session(ws, at('10:21:00'), [job]), []);
});

// ---- missed runs: sleep and a busy event loop -------------------------------------------------------------------

test('sleep while running: the wall-clock jump is logged and runs one catch-up, never a burst', async () => {
	const ws = folder();
	const { engine, clock, sink } = engineAt(ws, t0, [cron10]);
	const records: RunRecord[] = [];
	engine.onDidFinishRun((r) => records.push(r));
	engine.start();
	clock.jumpWall(45 * minute);
	clock.advance(30_000);
	await settle(engine);
	assert.ok(sink.lines.some((l) => /Wall clock moved 2700s/.test(l.message)), JSON.stringify(sink.lines));
	assert.deepEqual(summary(records), [
		['c', 'missed', 'schedule', iso(at('10:30:00'))],
		['c', 'completed', 'catch-up', iso(at('10:40:00'))],
	]);
	clock.advance(9 * minute);
	await settle(engine);
	assert.deepEqual(summary(records.slice(2)), [['c', 'completed', 'schedule', iso(at('10:50:00'))]]);
	await engine.stop();
	engine.dispose();
});

test('a timer late by more than one interval runs the newest due time and records the older ones as missed', () => {
	const clock = new ManualClock(t0);
	const fires: Fire[] = [];
	const missed: Missed[] = [];
	const scheduler = new Scheduler(clock, (f) => fires.push(f), (m) => missed.push(m), createLogger(new MemoryLogSink()));
	scheduler.set('fast', { kind: 'every', everyMs: 100 }, { catchUp: 'none', startingDeadlineMs: 3_600_000 });
	scheduler.start();
	// A blocked event loop: the 100 ms timer runs 250 ms late.
	clock.jumpWall(250);
	clock.advance(100);
	assert.deepEqual(
		fires.map((f) => [f.scheduledAt - t0, f.catchUp]),
		[[300, false]],
	);
	assert.deepEqual(missed, [{ jobId: 'fast', first: t0 + 100, last: t0 + 200, count: 2 }]);
	clock.advance(50);
	assert.deepEqual(
		fires.map((f) => f.scheduledAt - t0),
		[300, 400],
	);
});

// ---- one runner per folder -------------------------------------------------------------------

test('a runner re-checks its lease before a scheduled run and starts nothing when it no longer holds it', async () => {
	const ws = folder();
	const { engine, clock, sink } = engineAt(ws, t0, [{ id: 'g', command: 'true', schedule: { kind: 'every', everyMs: minute } }]);
	const service = new RunnerService(engine, ws.dir, 'test', createLogger(sink), 50);
	const records: RunRecord[] = [];
	engine.onDidFinishRun((r) => records.push(r));
	try {
		assert.equal(await service.start(), 'runner');
		clock.advance(minute);
		await settle(engine);
		assert.deepEqual(summary(records), [['g', 'completed', 'schedule', iso(t0 + minute)]]);
		// What a process sees after its event loop was blocked while the lease went away: still
		// scheduling, but the lease's socket is gone before the loss is reported.
		const lease = (service as unknown as { lease: { server: net.Server } }).lease;
		lease.server.close();
		clock.advance(minute);
		await settle(engine);
		assert.equal(records.length, 1, JSON.stringify(records));
		assert.ok(
			sink.lines.some((l) => l.level === 'warn' && l.message.includes('no longer holds the runner lease') && l.context?.jobId === 'g'),
			JSON.stringify(sink.lines),
		);
	} finally {
		await service.stop();
		service.dispose();
		engine.dispose();
	}
});

// ---- the host dying -------------------------------------------------------------------

test('SIGKILL of start: the job dies within 3 s and the next start records the run as interrupted', async (t) => {
	const m = marker();
	const { dir, file } = workspaceWith([{ id: 'long', command: `echo "$WORKSPACE_JOBS_RUN_ID" > run-id; sleep ${m}`, schedule: { every: '100ms' } }]);
	const first = startCli(file);
	assert.ok(await waitFor(() => liveSleeps(m).length === 1, 10_000), first.output());
	const runId = fs.readFileSync(path.join(dir, 'run-id'), 'utf8').trim();
	first.kill('SIGKILL');
	await first.exited;
	const killedAt = Date.now();
	assert.ok(await waitFor(() => liveSleeps(m).length === 0, 3000), `still running: ${liveSleeps(m).join(' ')}`);
	const goneAfter = Date.now() - killedAt;
	assert.ok(goneAfter < 3000, `${goneAfter} ms`);
	t.diagnostic(`job process gone ${goneAfter} ms after the SIGKILL of its host`);

	fs.writeFileSync(file, JSON.stringify({ jobs: [{ id: 'long', command: 'true' }] }));
	const second = startCli(file);
	assert.ok(await waitFor(() => second.output().includes('was interrupted'), 10_000), second.output());
	assert.equal(await stopCli(second), 0, second.output());
	const interrupted = cliHistory(file).filter((r) => r.status === 'interrupted');
	assert.equal(interrupted.length, 1, JSON.stringify(interrupted));
	assert.equal(interrupted[0].runId, runId);
	assert.equal(interrupted[0].jobId, 'long');
	assert.equal(interrupted[0].reason, 'interrupted');
	assert.equal(interrupted[0].trigger, 'schedule');
	assert.ok(interrupted[0].scheduledAt);
});

test('SIGKILL of start: a process that escaped with setsid is found, killed and reported by the next start', { skip: procHidden && 'no process table without /proc: escapes are not found there (README, platforms)' }, async () => {
	const escapee = marker();
	const member = marker();
	const { file } = workspaceWith([{ id: 'daemon', command: `setsid sleep ${escapee} & sleep ${member}`, schedule: { every: '100ms' } }]);
	const first = startCli(file);
	assert.ok(await waitFor(() => liveSleeps(escapee).length === 1 && liveSleeps(member).length === 1, 10_000), first.output());
	const [escapedPid] = liveSleeps(escapee);
	first.kill('SIGKILL');
	await first.exited;
	// The watchdog kills the job's group; the setsid child is out of its reach.
	assert.ok(await waitFor(() => liveSleeps(member).length === 0, 3000), 'group member killed by the watchdog');
	assert.deepEqual(liveSleeps(escapee), [escapedPid]);

	fs.writeFileSync(file, JSON.stringify({ jobs: [{ id: 'daemon', command: 'true' }] }));
	const second = startCli(file);
	// Its log line may come through the pipe after the process is gone.
	assert.ok(await waitFor(() => liveSleeps(escapee).length === 0 && second.output().includes('are killed now'), 5000), `escaped process still alive\n${second.output()}`);
	assert.match(second.output(), new RegExp(`escaped its process group and are killed now: ${escapedPid}\n`));
	assert.equal(await stopCli(second), 0, second.output());
	const [record] = cliHistory(file).filter((r) => r.status === 'interrupted');
	assert.deepEqual(record?.escaped, [escapedPid]);
});

test('a process that escaped with setsid while the host lives is reported in the record and killed', { skip: procHidden && 'no process table without /proc: escapes are not found there (README, platforms)' }, async () => {
	const ws = folder();
	const m = marker();
	const { engine } = engineAt(ws, Date.now(), [{ id: 'd', command: `setsid sleep ${m} & sleep 0.3` }]);
	const [record] = await engine.run(['d']);
	assert.equal(record.status, 'completed');
	assert.equal(record.escaped?.length, 1, JSON.stringify(record));
	assert.ok(await waitFor(() => liveSleeps(m).length === 0, 1000), `escaped ${liveSleeps(m)} still alive`);
	assert.deepEqual(engine.readHistory().at(-1)?.escaped, record.escaped);
	engine.dispose();
});

test('a launcher killed mid-run ends the run as failed, launcher-lost, with its group killed; the next run starts a new launcher', async (t) => {
	if (!launcherAvailable() || process.env.WORKSPACE_JOBS_LAUNCHER === '0') {
		t.skip('jobs do not go through the launcher here (no Perl, not Linux, or WORKSPACE_JOBS_LAUNCHER=0)');
		return;
	}
	const ws = folder();
	const m = marker();
	const { engine } = engineAt(ws, Date.now(), [
		{ id: 'long', command: `trap '' TERM; sleep ${m} & sleep ${m}; wait` },
		{ id: 'after', command: 'echo after' },
	]);
	try {
		const running = engine.run(['long']);
		assert.ok(await waitFor(() => liveSleeps(m).length === 2, 10_000), `running: ${liveSleeps(m)}`);
		const first = launcherPid();
		assert.ok(first, 'the launcher runs');
		process.kill(first, 'SIGKILL');
		const [record] = await running;
		assert.equal(record.status, 'failed');
		assert.equal(record.reason, 'launcher-lost');
		assert.match(record.message ?? '', new RegExp(`^the job launcher \\(pid ${first}\\) died while the job ran; the job's process group was killed`));
		assert.equal(record.exitCode, null);
		assert.deepEqual(liveSleeps(m), [], 'the group is gone when the record is written');
		assert.deepEqual(engine.readHistory().at(-1), record);
		const [next] = await engine.run(['after']);
		assert.equal(next.status, 'completed');
		assert.ok(launcherPid() && launcherPid() !== first, 'a new launcher started');
	} finally {
		engine.dispose();
	}
});

// ---- crash safety -------------------------------------------------------------------

test('a run whose record was written just before the host died is not reported again as interrupted', () => {
	const ws = folder();
	const pid = deadPid();
	const record: RunRecord = {
		jobId: 'w',
		runId: 'r1',
		attempt: 1,
		status: 'completed',
		exitCode: 0,
		startedAt: iso(t0),
		endedAt: iso(t0 + 1000),
		durationMs: 1000,
		trigger: 'manual',
	};
	fs.mkdirSync(ws.stateDir, { recursive: true });
	fs.writeFileSync(path.join(ws.stateDir, 'history.jsonl'), JSON.stringify(record) + '\n');
	const start = { type: 'start', host: pid, run: { jobId: 'w', runId: 'r1', attempt: 1, startedAt: iso(t0), trigger: 'manual' } };
	const open = { type: 'start', host: pid, run: { jobId: 'w', runId: 'r2', attempt: 1, startedAt: iso(t0), trigger: 'manual' } };
	fs.writeFileSync(path.join(ws.stateDir, `inflight-${pid}.jsonl`), `${JSON.stringify(start)}\n${JSON.stringify(open)}\n`);
	const { engine } = engineAt(ws, t0 + minute, [{ id: 'w', command: 'true' }]);
	assert.deepEqual(
		engine.readHistory().map((r) => [r.runId, r.status]),
		[
			['r1', 'completed'],
			['r2', 'interrupted'],
		],
	);
	engine.dispose();
});

test('a scheduled run a dead host had started is not started again as catch-up', async () => {
	const ws = folder();
	const pid = deadPid();
	fs.mkdirSync(ws.stateDir, { recursive: true });
	// What a kill right after the 10:10 run started leaves: the journal has it, state.json does not yet.
	fs.writeFileSync(path.join(ws.stateDir, 'state.json'), JSON.stringify({ version: 1, lastAlive: at('10:09:45'), known: ['c'] }));
	const run = { jobId: 'c', runId: 'r10', attempt: 1, startedAt: iso(at('10:10:00')), trigger: 'schedule', scheduledAt: iso(at('10:10:00')) };
	fs.writeFileSync(path.join(ws.stateDir, `inflight-${pid}.jsonl`), JSON.stringify({ type: 'start', host: pid, run }) + '\n');
	const records = await session(ws, at('10:12:00'), [cron10]);
	assert.deepEqual(records, []);
	const history = new Engine({ workspaceFolder: ws.dir, stateDir: ws.stateDir }).readHistory();
	assert.deepEqual(summary(history), [['c', 'interrupted', 'schedule', iso(at('10:10:00'))]]);
});

test('a scheduled run a dead host had finished is not started again as catch-up, though state.json never said it fired', async () => {
	const ws = folder();
	fs.mkdirSync(ws.stateDir, { recursive: true });
	// A kill after the 10:10 record was appended and before the state file was rewritten.
	fs.writeFileSync(path.join(ws.stateDir, 'state.json'), JSON.stringify({ version: 1, lastAlive: at('10:09:45'), known: ['c'] }));
	const record: RunRecord = {
		jobId: 'c',
		runId: 'r10',
		attempt: 1,
		status: 'completed',
		exitCode: 0,
		startedAt: iso(at('10:10:00')),
		endedAt: iso(at('10:10:01')),
		durationMs: 1000,
		trigger: 'schedule',
		scheduledAt: iso(at('10:10:00')),
	};
	fs.writeFileSync(path.join(ws.stateDir, 'history.jsonl'), JSON.stringify(record) + '\n');
	assert.deepEqual(await session(ws, at('10:12:00'), [cron10]), []);
	// Without the record, the same state catches 10:10 up: the record is what prevents it.
	const fresh = folder();
	fs.mkdirSync(fresh.stateDir, { recursive: true });
	fs.writeFileSync(path.join(fresh.stateDir, 'state.json'), JSON.stringify({ version: 1, lastAlive: at('10:09:45'), known: ['c'] }));
	assert.deepEqual(summary(await session(fresh, at('10:12:00'), [cron10])), [['c', 'completed', 'catch-up', iso(at('10:10:00'))]]);
});

test('state.json is written after scheduled fires without waiting for a stop, and holds the last fire', async () => {
	const ws = folder();
	const { engine, clock } = engineAt(ws, at('10:09:59'), [cron10]);
	engine.start();
	clock.advance(1000);
	await settle(engine);
	const file = path.join(ws.stateDir, 'state.json');
	assert.ok(await waitFor(() => fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).lastFired?.c === at('10:10:00'), 3000));
	await engine.stop();
	engine.dispose();
	assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).lastAlive, at('10:10:00'));
	assert.deepEqual(
		fs.readdirSync(ws.stateDir).filter((n) => n.includes('.tmp-')),
		[],
	);
});

test('history and state stay readable through kill -9 of start at random moments, with no run recorded twice', async (t) => {
	const random = testRandom(t);
	const m = marker();
	const { file } = workspaceWith([
		{ id: 'quick', command: 'true', schedule: { every: '20ms' }, overlap: 'allow' },
		{ id: 'flaky', command: 'exit 1', schedule: { every: '30ms' }, overlap: 'allow', retry: { retries: 2, delay: '5ms' } },
		{ id: 'slow', command: `sleep ${m}`, schedule: { every: '50ms' }, overlap: 'allow', timeout: '150ms' },
	]);
	const stateDir = workspaceStateDir(path.dirname(file), stateRoot);
	for (let i = 0; i < 6; i++) {
		const child = startCli(file);
		assert.ok(await waitFor(() => child.output().includes('Scheduler started'), 10_000), child.output());
		await sleep(150 + random.next() * 350);
		child.kill('SIGKILL');
		await child.exited;
	}
	// The next start recovers the last host's runs; meanwhile every job process is gone.
	assert.ok(await waitFor(() => liveSleeps(m).length === 0, 3000), `left behind: ${liveSleeps(m)}`);
	fs.writeFileSync(file, JSON.stringify({ jobs: [{ id: 'quick', command: 'true' }] }));
	const last = startCli(file);
	assert.equal(await stopCli(last), 0, last.output());

	const state = JSON.parse(fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8'));
	assert.equal(state.version, 1);
	assert.deepEqual(
		fs.readdirSync(stateDir).filter((n) => n.includes('.tmp-')),
		[],
	);
	const lines = fs.readFileSync(path.join(stateDir, 'history.jsonl'), 'utf8').split('\n');
	assert.equal(lines.pop(), '', 'history ends with a complete line');
	const records = lines.map((line) => JSON.parse(line) as RunRecord);
	const keys = records.map((r) => `${r.runId}#${r.attempt}`);
	assert.equal(new Set(keys).size, keys.length, 'no attempt recorded twice');
	assert.ok(records.some((r) => r.status === 'interrupted'), 'runs in flight at a kill show as interrupted');
	assert.ok(records.filter((r) => r.status === 'completed').length > 10);
});
