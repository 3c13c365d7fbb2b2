import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../../../../src/core/base/clock';
import { createLogger, MemoryLogSink } from '../../../../src/core/base/logger';
import { Engine } from '../../../../src/core/engine/engine';
import type { JobDefinition, RunRecord } from '../../../../src/core/model';
import { runStats } from '../../../../src/core/records/runStats';
import { clockSleep, drive, settle } from '../../../support/manualTime';

function tmpDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'wj-engine-'));
}

/**
 * Every engine here runs on this manual clock (retry delays, timeouts, every instant on a record);
 * function jobs that take time wait on it through `sleep`, and `drive` moves it until a run ends.
 */
let clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
const sleep = (ms: number, signal?: AbortSignal) => clockSleep(clock, ms, signal);
const run = (engine: Engine, ids: string[]) => drive(clock, engine.run(ids));

function setup(jobs: JobDefinition[], concurrency = 4) {
	const dir = tmpDir();
	const sink = new MemoryLogSink();
	clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
	const engine = new Engine({ workspaceFolder: dir, stateDir: path.join(dir, 'state'), logger: createLogger(sink), killGraceMs: 200, clock });
	engine.load({ concurrency, jobs });
	const finished: RunRecord[] = [];
	engine.onDidFinishRun((r) => finished.push(r));
	return { dir, engine, sink, finished };
}

const fn = (id: string, run: JobDefinition['run'], extra: Partial<JobDefinition> = {}): JobDefinition => ({ id, run, ...extra });
const ok = async () => undefined;
const boom = async () => {
	throw new Error('boom');
};

test('runs a job and records one completed attempt', async () => {
	const { engine, finished } = setup([fn('a', ok)]);
	const [record] = await engine.run(['a']);
	assert.equal(record.status, 'completed');
	assert.equal(record.attempt, 1);
	assert.equal(record.trigger, 'manual');
	assert.deepEqual(finished, [record]);
	assert.equal(engine.getJob('a')?.state, 'completed');
	engine.dispose();
});

test('a finished record is in history before anyone hears of it', async () => {
	const { engine } = setup([fn('a', ok)]);
	const seen: number[] = [];
	engine.onDidFinishRun((r) => seen.push(engine.readHistory({ jobId: r.jobId }).length));
	await engine.run(['a']);
	assert.deepEqual(seen, [1]);
	engine.dispose();
});

test('retries N times after the first failure, N+1 attempts in all', async () => {
	let calls = 0;
	const { engine, finished } = setup([
		fn(
			'a',
			async () => {
				calls++;
				throw new Error('nope');
			},
			{ retry: { retries: 2, backoff: 'fixed', delayMs: 5 } },
		),
	]);
	const [last] = await run(engine, ['a']);
	assert.equal(calls, 3);
	assert.deepEqual(
		finished.map((r) => [r.attempt, r.status, r.willRetry ?? false]),
		[
			[1, 'failed', true],
			[2, 'failed', true],
			[3, 'failed', false],
		],
	);
	assert.equal(last.reason, 'error');
	assert.equal(last.message, 'nope');
	assert.equal(new Set(finished.map((r) => r.runId)).size, 1, 'attempts share the run id');
	// One run of three attempts, in the history the metrics panel counts from.
	const { totals } = runStats([{ source: 'ws', records: engine.readHistory() }], clock.now());
	assert.deepEqual([totals.runs, totals.failed, totals.attempts, totals.retries], [1, 1, 3, 2]);
	engine.dispose();
});

test('stops retrying once an attempt succeeds', async () => {
	let calls = 0;
	const { engine } = setup([
		fn(
			'a',
			async () => {
				if (++calls < 2) {
					throw new Error('flaky');
				}
			},
			{ retry: { retries: 5, backoff: 'exponential', delayMs: 1 } },
		),
	]);
	const [last] = await run(engine, ['a']);
	assert.equal(last.status, 'completed');
	assert.equal(last.attempt, 2);
	engine.dispose();
});

test('dependencies run first, once per trigger, and a failed one skips its dependents', async () => {
	const order: string[] = [];
	const track = (id: string, fail = false) =>
		fn(id, async () => {
			order.push(id);
			if (fail) {
				throw new Error('fail');
			}
		});
	const { engine } = setup([
		track('build'),
		{ ...track('test'), dependsOn: ['build'] },
		{ ...track('lint'), dependsOn: ['build'] },
		{ ...track('deploy'), dependsOn: ['test', 'lint'] },
		track('broken', true),
		{ ...track('after'), dependsOn: ['broken'] },
	]);
	const records = await engine.run(['deploy']);
	assert.equal(order.filter((id) => id === 'build').length, 1);
	assert.equal(order[0], 'build');
	assert.equal(order.at(-1), 'deploy');
	assert.deepEqual(records.map((r) => r.status), ['completed', 'completed', 'completed', 'completed']);
	assert.equal(records.find((r) => r.jobId === 'test')?.trigger, 'dependency');
	const [failed, skipped] = await engine.run(['after']);
	assert.equal(failed.status, 'failed');
	assert.equal(skipped.jobId, 'after');
	assert.equal(skipped.status, 'skipped');
	assert.equal(skipped.reason, 'dependency-failed');
	assert.ok(!order.includes('after'));
	engine.dispose();
});

test('the concurrency limit holds and higher priority runs first', async () => {
	let running = 0;
	let peak = 0;
	const order: string[] = [];
	const job = (id: string, priority = 0) =>
		fn(
			id,
			async () => {
				running++;
				peak = Math.max(peak, running);
				order.push(id);
				await sleep(10);
				running--;
			},
			{ priority },
		);
	const { engine } = setup([job('blocker'), job('low1'), job('low2'), job('high', 10)], 1);
	await run(engine, ['blocker', 'low1', 'low2', 'high']);
	assert.equal(peak, 1);
	assert.equal(order[0], 'blocker');
	assert.equal(order[1], 'high');
	engine.dispose();
});

test('cancel stops a running job, and a queued one never starts', async () => {
	let started = 0;
	const slow = async ({ signal }: { signal: AbortSignal }) => {
		started++;
		await sleep(10_000, signal);
	};
	const { engine } = setup([fn('a', slow), fn('b', slow)], 1);
	const runs = engine.run(['a', 'b']);
	await settle();
	assert.equal(engine.getJob('a')?.state, 'running');
	assert.equal(engine.getJob('b')?.state, 'queued');
	assert.equal(engine.cancel({ jobId: 'b' }), 1);
	assert.equal(engine.cancel({ jobId: 'a' }), 1);
	const records = await runs;
	assert.deepEqual(records.map((r) => [r.jobId, r.status, r.reason]).sort(), [
		['a', 'canceled', 'canceled'],
		['b', 'canceled', 'canceled'],
	]);
	assert.equal(started, 1);
	engine.dispose();
});

test('a timeout fails the run with reason timeout', async () => {
	const { engine } = setup([fn('a', ({ signal }) => sleep(10_000, signal), { timeoutMs: 30 })]);
	const [r] = await run(engine, ['a']);
	assert.equal(r.durationMs, 30, 'the clock says how long it ran');
	assert.equal(r.status, 'failed');
	assert.equal(r.reason, 'timeout');
	engine.dispose();
});

test('overlap skip records a skipped run while the previous one goes on', async () => {
	const { engine } = setup([fn('a', ({ signal }) => sleep(100, signal))]);
	const first = engine.run(['a']);
	await settle();
	const [second] = await engine.run(['a']);
	assert.equal(second.status, 'skipped');
	assert.equal(second.reason, 'overlap');
	assert.equal((await drive(clock, first))[0].status, 'completed');
	engine.dispose();
});

test('overlap queue runs the next trigger after the previous one', async () => {
	const spans: Array<[number, number]> = [];
	const { engine } = setup([
		fn(
			'a',
			async () => {
				const s = clock.now();
				await sleep(30);
				spans.push([s, clock.now()]);
			},
			{ overlap: 'queue' },
		),
	]);
	await drive(clock, Promise.all([engine.run(['a']), engine.run(['a'])]));
	assert.equal(spans.length, 2);
	assert.ok(spans[1][0] >= spans[0][1], 'runs do not overlap');
	engine.dispose();
});

test('overlap replace cancels the running one with reason replaced', async () => {
	const { engine } = setup([fn('a', ({ signal }) => sleep(10_000, signal), { overlap: 'replace' })]);
	const first = engine.run(['a']);
	await settle();
	const second = engine.run(['a']);
	const [r1] = await first;
	assert.equal(r1.status, 'canceled');
	assert.equal(r1.reason, 'replaced');
	engine.cancel({ jobId: 'a' });
	await second;
	engine.dispose();
});

test('overlap allow runs triggers side by side', async () => {
	let running = 0;
	let peak = 0;
	const { engine } = setup([
		fn(
			'a',
			async () => {
				running++;
				peak = Math.max(peak, running);
				await sleep(30);
				running--;
			},
			{ overlap: 'allow' },
		),
	]);
	await drive(clock, Promise.all([engine.run(['a']), engine.run(['a'])]));
	assert.equal(peak, 2);
	engine.dispose();
});

test('state changes are reported as events in order', async () => {
	const { engine } = setup([fn('a', ok)]);
	const states: string[] = [];
	engine.onDidChangeJobState((e) => e.jobId === 'a' && states.push(e.state));
	await engine.run(['a']);
	assert.deepEqual(states, ['pending', 'queued', 'running', 'completed']);
	engine.dispose();
});

test('a disabled job keeps its definition, is not scheduled, and the choice persists', async () => {
	const { engine, dir } = setup([fn('a', ok, { schedule: { kind: 'every', everyMs: 60_000 } })]);
	engine.start();
	assert.ok(engine.getJob('a')?.nextRunAt);
	engine.setEnabled('a', false);
	assert.equal(engine.getJob('a')?.state, 'disabled');
	assert.equal(engine.getJob('a')?.nextRunAt, undefined);
	await engine.stop();
	engine.dispose();
	const again = new Engine({ workspaceFolder: dir, stateDir: path.join(dir, 'state') });
	again.load({ jobs: [fn('a', ok, { schedule: { kind: 'every', everyMs: 60_000 } })] });
	assert.equal(again.isEnabled('a'), false);
	again.dispose();
});

test('a programmatic job shares the queue and metrics', async () => {
	const { engine } = setup([fn('file', ok)]);
	const reg = engine.register({ id: 'api', run: ok });
	await engine.run(['api', 'file']);
	assert.deepEqual(
		engine.readHistory().map((r) => [r.jobId, r.status]).sort(),
		[
			['api', 'completed'],
			['file', 'completed'],
		],
	);
	assert.equal(engine.getJob('api')?.programmatic, true);
	reg.dispose();
	assert.equal(engine.getJob('api'), undefined);
	engine.dispose();
});

test('reload keeps a running run under its old definition', async () => {
	let version = 'old';
	const { engine } = setup([
		fn('a', async () => {
			await sleep(30);
			version = 'old-finished';
		}),
	]);
	const running = engine.run(['a']);
	await settle();
	engine.load({ jobs: [fn('a', async () => void (version = 'new'))] });
	const [r] = await drive(clock, running);
	assert.equal(r.status, 'completed');
	assert.equal(version, 'old-finished');
	await engine.run(['a']);
	assert.equal(version, 'new');
	engine.dispose();
});

test('stop cancels running work with reason stopped', async () => {
	const { engine } = setup([fn('a', ({ signal }) => sleep(10_000, signal))]);
	const running = engine.run(['a']);
	await settle();
	await engine.stop();
	const [r] = await running;
	assert.equal(r.status, 'canceled');
	assert.equal(r.reason, 'stopped');
	engine.dispose();
});

test('logs one line per finished run with the job and run id', async () => {
	const { engine, sink } = setup([fn('a', boom)]);
	const [r] = await engine.run(['a']);
	const line = sink.lines.find((l) => l.message.startsWith('running -> failed'));
	assert.ok(line, 'a finish line');
	assert.equal(line.level, 'error');
	assert.deepEqual(line.context, { jobId: 'a', runId: r.runId });
	engine.dispose();
});

test('a burst of finishes is reported over several turns of the event loop, never all in one', async () => {
	const ids = Array.from({ length: 100 }, (_, i) => `j${i}`);
	const { engine, finished } = setup(
		ids.map((id) => fn(id, ok, { overlap: 'allow' })),
		64,
	);
	// How many finish events arrive between two consecutive turns of the loop.
	let inTurn = 0;
	let most = 0;
	let ticking = true;
	const tick = () => {
		most = Math.max(most, inTurn);
		inTurn = 0;
		if (ticking) {
			setImmediate(tick);
		}
	};
	setImmediate(tick);
	engine.onDidFinishRun(() => inTurn++);
	await Promise.all(Array.from({ length: 3000 }, (_, i) => engine.run([ids[i % ids.length]])));
	ticking = false;
	most = Math.max(most, inTurn);
	assert.equal(finished.length, 3000);
	assert.equal(engine.readHistory().length, 3000);
	assert.ok(most > 0 && most <= 256, `finishes in one turn: ${most}`);
	engine.dispose();
});

test('a timeout ends a function that ignores its signal, frees its slot, and a retry follows', async () => {
	let calls = 0;
	const stubborn = () => {
		calls++;
		return sleep(2000);
	};
	const { engine, finished } = setup([fn('a', stubborn, { timeoutMs: 30, retry: { retries: 1, backoff: 'fixed', delayMs: 1 } }), fn('b', ok)], 1);
	const started = clock.now();
	const [a] = await run(engine, ['a']);
	assert.ok(clock.now() - started < 1000, 'did not wait for the function');
	assert.deepEqual(
		finished.map((r) => [r.attempt, r.status, r.reason, r.willRetry]),
		[
			[1, 'failed', 'timeout', true],
			[2, 'failed', 'timeout', undefined],
		],
	);
	assert.equal(a.attempt, 2);
	assert.equal(calls, 2);
	const [b] = await engine.run(['b']);
	assert.equal(b.status, 'completed');
	engine.dispose();
});

test('every instant on a record comes from the injected clock: commands, functions, skips, dependency failures', async () => {
	const { engine, finished } = setup([
		{ id: 'cmd', command: 'exit 0' },
		{ id: 'bad', command: 'exit 3' },
		{ id: 'after', command: 'exit 0', dependsOn: ['bad'] },
		fn('f', ({ signal }) => sleep(250, signal)),
	]);
	const t0 = clock.now();
	const [cmd] = await engine.run(['cmd']);
	const f = engine.run(['f']);
	await settle();
	const [skipped] = await engine.run(['f']);
	const [fRecord] = await drive(clock, f);
	const [bad, after] = await engine.run(['after']);
	const iso = (t: number) => new Date(t).toISOString();
	assert.deepEqual([cmd.startedAt, cmd.endedAt, cmd.durationMs], [iso(t0), iso(t0), 0], 'no time passes for a command on a manual clock');
	assert.equal(skipped.status, 'skipped');
	assert.deepEqual([skipped.startedAt, skipped.endedAt], [iso(t0), iso(t0)]);
	assert.deepEqual([fRecord.startedAt, fRecord.endedAt, fRecord.durationMs], [iso(t0), iso(t0 + 250), 250]);
	assert.deepEqual([bad.status, after.status, after.reason], ['failed', 'skipped', 'dependency-failed']);
	assert.equal(after.endedAt, iso(t0 + 250));
	assert.ok(finished.every((r) => Date.parse(r.startedAt) >= t0 && Date.parse(r.endedAt) <= clock.now()));
	engine.dispose();
});

test('a stopped engine reports no next run: nothing fires until it schedules again', async () => {
	const { engine } = setup([fn('a', ok, { schedule: { kind: 'every', everyMs: 60_000 } })]);
	assert.equal(engine.getJob('a')?.nextRunAt, undefined, 'not started yet');
	engine.start();
	assert.equal(engine.getJob('a')?.nextRunAt, clock.now() + 60_000);
	assert.equal(engine.nextDue()?.jobId, 'a');
	engine.stopScheduling();
	assert.equal(engine.getJob('a')?.nextRunAt, undefined);
	assert.equal(engine.nextDue(), undefined);
	engine.dispose();
});
