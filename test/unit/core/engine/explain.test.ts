import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../../../../src/core/base/clock';
import { Engine } from '../../../../src/core/engine/engine';
import { explainJob, type ScheduleRunner } from '../../../../src/core/engine/explain';
import { explainSummary, renderExplanation } from '../../../../src/core/engine/explainText';
import type { JobDefinition, RunRecord } from '../../../../src/core/model';
import { clockSleep, drive, settle } from '../../../support/manualTime';

// Each reason an explanation gives, from records a real engine wrote on a manual clock.

const dirs: string[] = [];
test.after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function engineAt(start: number, jobs: JobDefinition[], dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-explain-'))) {
	dirs.push(dir);
	const clock = new ManualClock(start);
	const engine = new Engine({ workspaceFolder: dir, stateDir: path.join(dir, 'state'), clock });
	engine.load({ jobs });
	return { engine, clock, dir };
}

const here = { runner: { kind: 'this' } } as const;
const utc = { utc: true };
const text = (engine: Engine, id: string, now: number, host: Parameters<Engine['explain']>[1] = here) => renderExplanation(engine.explain(id, host, now), { now, time: utc });

test('a run skipped because the previous one still ran says so, with the overlap policy', async () => {
	const t0 = Date.UTC(2026, 0, 5, 12);
	const { engine, clock } = engineAt(t0, [{ id: 'slow', run: (ctx) => clockSleep(clock, 60_000, ctx.signal) }]);
	const first = engine.run(['slow']);
	await settle();
	const [skipped] = await engine.run(['slow']);
	assert.equal(skipped.reason, 'overlap');
	const ex = engine.explain('slow', here);
	assert.equal(ex.decisions[0].record.reason, 'overlap');
	assert.equal(ex.active[0]?.state, 'running');
	const out = text(engine, 'slow', clock.now());
	assert.match(out, /skipped · previous run \S+ is still running \(overlap: skip\) · started by hand/);
	assert.match(out, /Running now \(run \S+, manual\)/);
	assert.deepEqual(explainSummary(ex, clock.now(), utc), [`Skipped just now: previous run ${ex.active[0].runId} is still running`]);
	await drive(clock, first, 1000);
	engine.dispose();
});

test('scheduled times while paused are recorded as skips, merged into one decision, and the pause is named', async () => {
	const t0 = Date.UTC(2026, 0, 5, 12);
	const { engine, clock } = engineAt(t0, [{ id: 'tick', run: async () => undefined, schedule: { kind: 'every', everyMs: 60_000 } }]);
	engine.start();
	engine.pause();
	for (let i = 0; i < 3; i++) {
		clock.advance(60_000);
		await settle();
	}
	await engine.whenIdle();
	const ex = engine.explain('tick', here);
	assert.deepEqual(ex.blockers, [{ kind: 'paused' }]);
	assert.equal(ex.decisions.length, 1, 'three skips of one streak are one decision');
	assert.equal(ex.decisions[0].record.reason, 'paused');
	assert.equal(ex.decisions[0].record.count, 3);
	const out = text(engine, 'tick', clock.now());
	assert.match(out, /The scheduler is paused/);
	assert.match(out, /skipped ×3 since 2026-01-05 12:01:00 UTC · the scheduler was paused · scheduled 2026-01-05 12:03:00 UTC/);
	await engine.stop();
	engine.dispose();
});

/** Runs an engine on a state folder from `startAt` to `stopAt`, then a second one from `restartAt`: what it missed in between. */
async function restartAfterGap(job: JobDefinition, startAt: number, stopAt: number, restartAt: number) {
	const first = engineAt(startAt, [job]);
	first.engine.start();
	first.clock.advance(stopAt - startAt);
	await settle();
	await drive(first.clock, first.engine.whenIdle(), 10);
	await first.engine.stop();
	first.engine.dispose();
	const second = engineAt(restartAt, [job], first.dir);
	second.engine.start();
	await settle();
	await drive(second.clock, second.engine.whenIdle(), 10);
	return second;
}

test('fire times missed past the starting deadline are not caught up, and the deadline is named', async () => {
	const job: JobDefinition = { id: 'hourly', run: async () => undefined, schedule: { kind: 'cron', expression: '0 * * * *', timezone: 'UTC' }, startingDeadlineMs: 600_000 };
	const { engine, clock } = await restartAfterGap(job, Date.UTC(2026, 0, 5, 12, 29), Date.UTC(2026, 0, 5, 12, 30), Date.UTC(2026, 0, 5, 16, 30));
	const ex = engine.explain('hourly', here);
	assert.equal(ex.decisions[0].record.status, 'missed');
	assert.equal(ex.decisions[0].missed, 'deadline');
	assert.match(text(engine, 'hourly', clock.now()), /missed 4 runs scheduled from 2026-01-05 13:00:00 UTC to 2026-01-05 16:00:00 UTC; not caught up: older than the starting deadline \(10 min\) when the scheduler saw it/);
	engine.dispose();
});

test('with catch-up once, the newest missed time runs and the older ones say so', async () => {
	const job: JobDefinition = { id: 'tenmin', run: async () => undefined, schedule: { kind: 'cron', expression: '*/10 * * * *', timezone: 'UTC' } };
	const { engine } = await restartAfterGap(job, Date.UTC(2026, 0, 5, 12, 4), Date.UTC(2026, 0, 5, 12, 5), Date.UTC(2026, 0, 5, 12, 45));
	const [newest, missed] = engine.explain('tenmin', here).decisions;
	assert.deepEqual([newest.record.status, newest.record.trigger], ['completed', 'catch-up']);
	assert.equal(newest.scheduledAt, Date.UTC(2026, 0, 5, 12, 40));
	assert.deepEqual([missed.record.status, missed.missed], ['missed', 'newer-ran']);
	engine.dispose();
});

test('an every schedule (catch-up none by default) says catch-up is off', async () => {
	const job: JobDefinition = { id: 'beat', run: async () => undefined, schedule: { kind: 'every', everyMs: 600_000 } };
	const { engine } = await restartAfterGap(job, Date.UTC(2026, 0, 5, 11, 50), Date.UTC(2026, 0, 5, 12, 0, 1), Date.UTC(2026, 0, 5, 13));
	const missed = engine.explain('beat', here).decisions.find((d) => d.record.status === 'missed');
	assert.equal(missed?.missed, 'catch-up-off');
	engine.dispose();
});

test('disabled, not approved, untrusted, no schedule and a passed one-time run are each named', () => {
	const now = Date.UTC(2026, 0, 5, 12);
	const job: JobDefinition = { id: 'j', command: 'true', schedule: { kind: 'every', everyMs: 60_000 } };
	const base = { job, enabled: true, records: [] as RunRecord[], runner: { kind: 'this' } as ScheduleRunner, now };
	const said = (input: Partial<typeof base> & Record<string, unknown>) => renderExplanation(explainJob({ ...base, ...input }), { now, time: utc }).split('\n')[3];
	assert.equal(said({ enabled: false }), '  Disabled: its schedule does not fire until it is enabled again.');
	assert.equal(said({ refusal: 'unapproved' }), '  Nothing runs until you approve the commands in .jobs.json.');
	assert.equal(said({ refusal: 'untrusted' }), '  Nothing runs: this workspace is not trusted (Restricted Mode).');
	assert.equal(said({ job: { id: 'j', command: 'true', dependsOn: ['build'] } }), '  No schedule: it runs when started, after build.');
	assert.equal(said({ job: { ...job, schedule: { kind: 'at', at: now - 60_000 } } }), '  Its one fire time, 2026-01-05 11:59:00 UTC, has passed.');
	assert.equal(said({ runner: { kind: 'stopped' } }), '  The scheduler of this window is not running.');
	assert.equal(said({}), '  Scheduled: next run 2026-01-05 12:01:00 UTC (in 1 min).');
});

test('another window or workspace-jobs start holding the lease is named with its pid; nobody holding it is said too', () => {
	const now = Date.UTC(2026, 0, 5, 12);
	const job: JobDefinition = { id: 'j', command: 'true', schedule: { kind: 'every', everyMs: 60_000 } };
	const holder = { pid: 4242, since: '2026-01-05T11:00:00.000Z', holder: 'workspace-jobs CLI start (pid 4242)' };
	const other = renderExplanation(explainJob({ job, enabled: true, records: [], runner: { kind: 'other', holder }, now }), { now, time: utc });
	assert.match(other, /Scheduled by another process: workspace-jobs CLI start \(pid 4242\), since 2026-01-05 11:00:00 UTC\./);
	assert.match(other, /Next runs:/, 'running elsewhere holds nothing back');
	const window = renderExplanation(explainJob({ job, enabled: true, records: [], runner: { kind: 'other', holder: { ...holder, holder: 'VS Code window' } }, now }), { now, time: utc });
	assert.match(window, /VS Code window, pid 4242/);
	const nobody = renderExplanation(explainJob({ job, enabled: true, records: [], runner: { kind: 'none' }, now }), { now, time: utc });
	assert.match(nobody, /no VS Code window and no "workspace-jobs start" holds its runner lease/);
	assert.match(nobody, /Next fire times \(if nothing held it back\):/);
});

for (const { zone, gapStart } of [
	{ zone: 'America/New_York', gapStart: Date.UTC(2026, 2, 8, 7) },
	{ zone: 'Europe/Berlin', gapStart: Date.UTC(2026, 2, 29, 1) },
]) {
	test(`a 02:30 job in ${zone} that ran at 03:00 on spring-forward day says DST moved it`, async () => {
		const job: JobDefinition = { id: 'nightly', run: async () => undefined, schedule: { kind: 'cron', expression: '30 2 * * *', timezone: zone } };
		const { engine, clock } = engineAt(gapStart - 60_000, [job]);
		engine.start();
		clock.advance(60_000);
		await settle();
		await drive(clock, engine.whenIdle(), 10);
		const [ran] = engine.explain('nightly', here).decisions;
		assert.deepEqual([ran.record.status, ran.scheduledAt], ['completed', gapStart]);
		assert.deepEqual(ran.dst, { kind: 'moved', zone, nominal: '02:30', actual: '03:00' });
		assert.match(text(engine, 'nightly', clock.now()), new RegExp(`DST: 02:30 does not exist in ${zone === 'America/New_York' ? 'New York' : 'Berlin'} that day \\(clocks go forward\\), so it ran at 03:00`));
		await engine.stop();
		engine.dispose();
	});
}

test('the next runs mark a DST shift ahead, in the list and in the summary', () => {
	const now = Date.UTC(2026, 2, 6, 12);
	const job: JobDefinition = { id: 'nightly', command: 'true', schedule: { kind: 'cron', expression: '30 2 * * *', timezone: 'America/New_York' } };
	const ex = explainJob({ job, enabled: true, records: [], runner: { kind: 'this' }, now, nextCount: 3 });
	assert.deepEqual(ex.nextRuns.map((r) => r.dst?.kind), [undefined, 'moved', undefined]);
	const out = renderExplanation(ex, { now, time: utc });
	assert.match(out, /2026-03-08 07:00:00 UTC \(in 1 d 19 h\) · DST: 02:30 does not exist in New York that day \(clocks go forward\), so it runs at 03:00/);
	assert.deepEqual(explainSummary(ex, now, utc), ['Next DST shift 2026-03-08 07:00:00 UTC: DST: 02:30 does not exist in New York that day (clocks go forward), so it runs at 03:00']);
});

test('a failed run with retries is one decision with its attempts; Markdown escapes the job name', () => {
	const now = Date.UTC(2026, 0, 5, 12);
	const at = (s: number) => new Date(now - 60_000 + s * 1000).toISOString();
	const attempt = (n: number, status: 'failed' | 'completed'): RunRecord => ({ jobId: 't', runId: 'r1', attempt: n, status, reason: status === 'failed' ? 'exit-code' : undefined, exitCode: status === 'failed' ? 2 : 0, startedAt: at(n), endedAt: at(n), durationMs: 1200, trigger: 'manual' });
	const ex = explainJob({ job: { id: 't', name: 'Unit *tests*', command: 'false' }, enabled: true, records: [attempt(1, 'failed'), attempt(2, 'failed'), attempt(3, 'failed')], runner: { kind: 'this' }, now });
	assert.equal(ex.decisions.length, 1);
	assert.equal(ex.decisions[0].attempts, 3);
	const md = renderExplanation(ex, { now, time: utc, markdown: true });
	assert.match(md, /^# Why didn't "Unit \\\*tests\\\*" \(t\) run\?$/m);
	assert.match(md, /^- 2026-01-05 11:59:03 UTC ran: failed \(exit 2\) after 3 attempts · started by hand$/m);
	assert.doesNotMatch(md, /\*tests\*/, 'no emphasis from the name');
});

test('a repeated hour and skipped gap times read as such, for past and next runs', () => {
	const now = Date.UTC(2026, 9, 31, 12);
	const fixed: JobDefinition = { id: 'f', command: 'true', schedule: { kind: 'cron', expression: '30 1 * * *', timezone: 'America/New_York' } };
	const ex = explainJob({ job: fixed, enabled: true, records: [], runner: { kind: 'this' }, now, nextCount: 1 });
	assert.equal(ex.nextRuns[0].at, Date.UTC(2026, 10, 1, 5, 30));
	const last = renderExplanation(ex, { now, time: utc }).trimEnd().split('\n').at(-1);
	assert.equal(last, '  2026-11-01 05:30:00 UTC (in 17 h 30 min) · DST: 01:30 happens twice in New York that day (clocks go back); it runs at the first only');
	const stepped: JobDefinition = { id: 's', command: 'true', schedule: { kind: 'cron', expression: '*/30 1-3 * * *', timezone: 'America/New_York' } };
	const ran: RunRecord = { jobId: 's', runId: 'r', attempt: 1, status: 'completed', exitCode: 0, startedAt: '2026-03-08T07:00:00.000Z', endedAt: '2026-03-08T07:00:01.000Z', durationMs: 1000, trigger: 'schedule', scheduledAt: '2026-03-08T07:00:00.000Z' };
	const later = Date.UTC(2026, 2, 8, 12);
	assert.match(renderExplanation(explainJob({ job: stepped, enabled: true, records: [ran], runner: { kind: 'this' }, now: later }), { now: later, time: utc }), /ran: completed in 1 s · scheduled 2026-03-08 07:00:00 UTC · DST: 02:00–03:00 does not exist in New York that day \(clocks go forward\); 2 times in it were skipped/);
});

test('locally, next runs show the job zone beside the reader zone, DST shift included', () => {
	const now = Date.UTC(2026, 2, 6, 12);
	const job: JobDefinition = { id: 'nightly', command: 'true', schedule: { kind: 'cron', expression: '30 2 * * *', timezone: 'America/New_York' } };
	const out = renderExplanation(explainJob({ job, enabled: true, records: [], runner: { kind: 'this' }, now, nextCount: 2 }), { now, time: { zone: 'Europe/London' } });
	assert.match(out, /^ {2}Scheduled: next run Sat 02:30 New York · Sat 07:30 here \(in 19 h 30 min\)\.$/m);
	assert.match(out, /^ {2}Sun 03:00 New York · Sun 07:00 here \(in 1 d 19 h\) · DST: 02:30 does not exist in New York that day \(clocks go forward\), so it runs at 03:00$/m);
});

test('next runs under a minute apart show their seconds, so no two read as the same minute', () => {
	const now = Date.UTC(2026, 2, 6, 12, 0, 10);
	const job: JobDefinition = { id: 'beat', command: 'true', schedule: { kind: 'every', everyMs: 30_000 } };
	const out = renderExplanation(explainJob({ job, enabled: true, records: [], runner: { kind: 'this' }, now, nextCount: 3 }), { now, time: { zone: 'UTC' } });
	const lines = out.split('\n').filter((l) => /^ {2}\d\d:\d\d/.test(l));
	assert.equal(lines.length, 3, out);
	assert.ok(lines.every((l) => /^ {2}\d\d:\d\d:\d\d \(/.test(l)), out);
	assert.equal(new Set(lines.map((l) => l.trim().slice(0, 8))).size, 3, out);

	const daily: JobDefinition = { id: 'nightly', command: 'true', schedule: { kind: 'cron', expression: '30 2 * * *' } };
	const plain = renderExplanation(explainJob({ job: daily, enabled: true, records: [], runner: { kind: 'this' }, now, nextCount: 2 }), { now, time: { zone: 'UTC' } });
	assert.doesNotMatch(plain, /\d\d:\d\d:\d\d \(in/, 'a daily job keeps hh:mm');
});
