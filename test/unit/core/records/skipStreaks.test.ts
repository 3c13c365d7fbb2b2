import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { nullLogger } from '../../../../src/core/base/logger';
import type { RunRecord } from '../../../../src/core/model';
import { RunStore } from '../../../../src/core/records/runStore';

// Identical consecutive skips reach history as few records: the first, then one with a count.

const roots: string[] = [];
after(() => {
	for (const root of roots) {
		fs.rmSync(root, { recursive: true, force: true });
	}
});

const t0 = Date.UTC(2026, 0, 1);

function store(now: () => number): { store: RunStore; reported: RunRecord[]; history: () => RunRecord[] } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-skips-'));
	roots.push(dir);
	const reported: RunRecord[] = [];
	const s = new RunStore(dir, nullLogger, (records) => reported.push(...records), now);
	const history = () =>
		fs
			.readFileSync(path.join(dir, 'history.jsonl'), 'utf8')
			.split('\n')
			.filter(Boolean)
			.map((l) => JSON.parse(l) as RunRecord);
	return { store: s, reported, history };
}

function record(jobId: string, n: number, extra: Partial<RunRecord> = {}): RunRecord {
	const at = new Date(t0 + n * 1000).toISOString();
	return { jobId, runId: `${jobId}-${n}`, attempt: 1, status: 'completed', exitCode: 0, startedAt: at, endedAt: at, durationMs: 0, trigger: 'schedule', ...extra };
}

function skip(jobId: string, n: number, message = 'previous run r1 is still running'): RunRecord {
	return record(jobId, n, { status: 'skipped', reason: 'overlap', message, exitCode: null });
}

test('a streak of identical skips is written as its first skip and one record with a count', async () => {
	let now = t0;
	const { store: s, reported, history } = store(() => now);
	for (let i = 1; i <= 50; i++) {
		now = t0 + i * 1000;
		await s.finish(skip('a', i));
	}
	await s.finish(record('a', 51));
	const lines = history();
	assert.deepEqual(
		lines.map((r) => [r.runId, r.status, r.count ?? 1]),
		[
			['a-1', 'skipped', 1],
			['a-50', 'skipped', 49],
			['a-51', 'completed', 1],
		],
	);
	assert.equal(lines[1].firstAt, skip('a', 2).startedAt);
	assert.equal(lines[1].lastAt, skip('a', 50).endedAt);
	assert.equal(reported.length, 51, 'listeners still hear of every skip');
});

test('a different message, another job between, or another status ends a streak', async () => {
	const { store: s, history } = store(() => t0);
	await s.finish(skip('a', 1));
	await s.finish(skip('a', 2));
	await s.finish(skip('b', 3));
	await s.finish(skip('a', 4));
	await s.finish(skip('a', 5, 'previous run r2 is still running'));
	await s.finish(skip('a', 6, 'previous run r2 is still running'));
	await s.flush();
	assert.deepEqual(
		history().map((r) => [r.runId, r.count ?? 1]),
		[
			['a-1', 1],
			['b-3', 1],
			['a-4', 2],
			['a-5', 1],
			['a-6', 1],
		],
	);
});

test('flush writes the streak held in memory, and a long streak is written every minute', async () => {
	let now = t0;
	const { store: s, history } = store(() => now);
	await s.finish(skip('a', 1));
	await s.finish(skip('a', 2));
	assert.equal(history().length, 1);
	await s.flush();
	assert.deepEqual(
		history().map((r) => r.runId),
		['a-1', 'a-2'],
	);
	for (let i = 3; i <= 5; i++) {
		await s.finish(skip('a', i));
	}
	now = t0 + 61_000;
	await s.finish(skip('a', 6));
	assert.deepEqual(
		history().map((r) => [r.runId, r.count ?? 1]),
		[
			['a-1', 1],
			['a-2', 1],
			['a-6', 4],
		],
	);
});
