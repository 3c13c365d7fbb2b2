import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { createLogger, MemoryLogSink } from '../../../../src/core/base/logger';
import { Engine } from '../../../../src/core/engine/engine';
import type { RunRecord } from '../../../../src/core/model';
import { type FileProblem, formatFileProblem } from '../../../../src/core/records/fileProblems';
import { HistoryStore } from '../../../../src/core/records/history';
import { readPersistedState } from '../../../../src/core/records/persistedState';
import { RunJournal, takeDeadJournals } from '../../../../src/core/records/runJournal';
import { RunStore } from '../../../../src/core/records/runStore';

// History, the journals and state.json are input like any other file: each reader here is given
// a bad record, a file that is a folder, or a value of the wrong type, and must go on with one
// warning that names the file (and the line), never a throw.

const roots: string[] = [];
after(() => {
	for (const root of roots) {
		fs.rmSync(root, { recursive: true, force: true });
	}
});

function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-state-files-'));
	roots.push(dir);
	return dir;
}

function rec(jobId: string, n: number, extra: Partial<RunRecord> = {}): RunRecord {
	const at = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
	return { jobId, runId: `${jobId}-${n}`, attempt: 1, status: 'completed', exitCode: 0, startedAt: at, endedAt: at, durationMs: 5, trigger: 'manual', ...extra };
}

function lines(...values: unknown[]): string {
	return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)) + '\n').join('');
}

function collect(): { problems: FileProblem[]; sink: (p: FileProblem) => void } {
	const problems: FileProblem[] = [];
	return { problems, sink: (p) => problems.push(p) };
}

/** `record` without `field`. */
function without(record: RunRecord, field: keyof RunRecord): Record<string, unknown> {
	const copy: Record<string, unknown> = { ...record };
	delete copy[field];
	return copy;
}

describe('history records are checked as they are read', () => {
	test('a record without "trigger" is skipped with one warning naming file and line', () => {
		const file = path.join(tempDir(), 'history.jsonl');
		fs.writeFileSync(file, lines(rec('a', 1), rec('a', 2), without(rec('a', 3), 'trigger'), rec('a', 4)));
		const { problems, sink } = collect();
		const records = new HistoryStore(file, { problems: sink }).read();
		assert.deepEqual(
			records.map((r) => r.runId),
			['a-1', 'a-2', 'a-4'],
		);
		assert.equal(problems.length, 1);
		assert.equal(formatFileProblem(problems[0]), `${file}:3: skipped a record without "trigger"`);
	});

	test('many bad lines make one warning at the first with a count of the rest, once per store', () => {
		const file = path.join(tempDir(), 'history.jsonl');
		const bad = [
			without(rec('a', 2), 'runId'),
			{ ...rec('a', 3), attempt: 0 },
			{ ...rec('a', 4), status: 'exploded' },
			{ ...rec('a', 5), endedAt: 'yesterday' },
			{ ...rec('a', 6), logFile: 42 },
			{ ...rec('a', 7), escaped: ['x'] },
			'[1, 2]',
			'not json at all',
		];
		fs.writeFileSync(file, lines(rec('a', 1), ...bad, rec('a', 9)));
		const { problems, sink } = collect();
		const store = new HistoryStore(file, { problems: sink });
		assert.deepEqual(
			store.read().map((r) => r.runId),
			['a-1', 'a-9'],
		);
		assert.equal(problems.length, 1);
		assert.equal(formatFileProblem(problems[0]), `${file}:2: skipped a record without "runId" (and 7 more bad lines)`);
		store.read();
		store.scan(() => undefined);
		assert.equal(problems.length, 1, 'the same lines are not reported again');
	});

	test('scan skips bad records and names their line too', () => {
		const file = path.join(tempDir(), 'history.jsonl');
		fs.writeFileSync(file, lines(rec('a', 1), { ...rec('a', 2), durationMs: -1 }, rec('a', 3)));
		const { problems, sink } = collect();
		const seen: string[] = [];
		new HistoryStore(file, { problems: sink }).scan((r) => seen.push(r.runId));
		assert.deepEqual(seen, ['a-1', 'a-3']);
		assert.equal(formatFileProblem(problems[0]), `${file}:2: skipped a record whose "durationMs" is not a number of milliseconds`);
	});

	test('the line named is right past the 64 KB chunks of both the backward and the forward reader', () => {
		const file = path.join(tempDir(), 'history.jsonl');
		const pad = 'p'.repeat(200);
		const all = Array.from({ length: 3000 }, (_, i) => (i === 2499 ? without(rec('a', i), 'endedAt') : rec('a', i, { message: pad })));
		fs.writeFileSync(file, lines(...all));
		for (const read of [(s: HistoryStore) => s.read({ limit: 5000 }), (s: HistoryStore) => s.scan(() => undefined)]) {
			const { problems, sink } = collect();
			read(new HistoryStore(file, { problems: sink }));
			assert.equal(formatFileProblem(problems[0]), `${file}:2500: skipped a record without "endedAt"`);
		}
	});

	test('a history that is a folder reads as empty with one warning', () => {
		const dir = tempDir();
		const file = path.join(dir, 'history.jsonl');
		fs.mkdirSync(file);
		const { problems, sink } = collect();
		const store = new HistoryStore(file, { problems: sink });
		assert.deepEqual(store.read({ limit: 10 }), []);
		assert.deepEqual(store.read(), []);
		let visited = 0;
		store.scan(() => visited++);
		assert.equal(visited, 0);
		assert.equal(problems.length, 1);
		assert.match(formatFileProblem(problems[0]), /history\.jsonl: cannot be read: it is a folder, not a file \(EISDIR\)/);
		assert.equal(problems[0].unreadable, true);
	});

	test('a rotated file that is a folder does not hide the current one', () => {
		const dir = tempDir();
		const file = path.join(dir, 'history.jsonl');
		fs.mkdirSync(path.join(dir, 'history.1.jsonl'));
		fs.writeFileSync(file, lines(rec('a', 1)));
		const { problems, sink } = collect();
		assert.deepEqual(
			new HistoryStore(file, { problems: sink }).read().map((r) => r.runId),
			['a-1'],
		);
		assert.equal(problems.length, 1);
		assert.match(problems[0].file, /history\.1\.jsonl$/);
	});
});

describe('journals and state.json are checked as they are read', () => {
	test('a journal line with a missing or wrong field is skipped with its line number', () => {
		const file = path.join(tempDir(), 'inflight-1.jsonl');
		const good = { jobId: 'a', runId: 'r1', attempt: 1, startedAt: '2026-01-01T00:00:00.000Z', trigger: 'manual' };
		fs.writeFileSync(
			file,
			lines(
				{ type: 'start', host: 999_999_999, run: good },
				{ type: 'start', host: 999_999_999, run: { ...good, runId: 'r2', trigger: undefined } },
				{ type: 'start', host: 'me', run: { ...good, runId: 'r3' } },
				{ type: 'wat' },
			),
		);
		const { problems, sink } = collect();
		const orphans = new RunJournal(file, sink).takeOrphans();
		assert.deepEqual(
			orphans.map((o) => o.runId),
			['r1'],
		);
		assert.equal(problems.length, 1);
		assert.equal(formatFileProblem(problems[0]), `${file}:2: skipped a start line without "trigger" (and 2 more bad lines)`);
	});

	test("a dead process's journal that is a folder is reported and recovery goes on", () => {
		const dir = tempDir();
		// A pid that cannot be alive: above the kernel's pid_max.
		fs.mkdirSync(path.join(dir, 'inflight-999999999.jsonl'));
		const good = { jobId: 'a', runId: 'r1', attempt: 1, startedAt: '2026-01-01T00:00:00.000Z', trigger: 'schedule' };
		fs.writeFileSync(path.join(dir, 'inflight-999999998.jsonl'), lines({ type: 'start', host: 999_999_998, run: good }));
		const { problems, sink } = collect();
		const orphans = takeDeadJournals(dir, sink);
		assert.deepEqual(
			orphans.map((o) => o.runId),
			['r1'],
		);
		assert.ok(problems.some((p) => /inflight-999999999\.jsonl\.claimed-\d+$/.test(p.file) && p.unreadable), JSON.stringify(problems));
	});

	test('state.json values of the wrong type are dropped with one warning; the rest is kept', () => {
		const file = path.join(tempDir(), 'state.json');
		fs.writeFileSync(file, JSON.stringify({ version: 1, lastAlive: 'soon', lastFired: { a: 5, b: 'x' }, enabled: { a: false, b: 1 }, known: 7 }));
		const { problems, sink } = collect();
		const state = readPersistedState(file, sink);
		assert.equal(state.lastAlive, undefined);
		assert.deepEqual({ ...state.lastFired }, { a: 5 });
		assert.deepEqual({ ...state.enabled }, { a: false });
		assert.equal(state.known, undefined);
		assert.equal(problems.length, 1);
		assert.equal(formatFileProblem(problems[0]), `${file}: ignored "lastAlive" (not a number) and 3 more invalid values`);
	});

	test('state.json that is a folder, not JSON or not an object gives a fresh state with a warning', () => {
		const dir = tempDir();
		const cases: Array<[string, (file: string) => void, RegExp]> = [
			['folder', (f) => fs.mkdirSync(f), /cannot be read: it is a folder/],
			['garbage', (f) => fs.writeFileSync(f, '{"version": 1, "known": ['), /is not valid JSON/],
			['array', (f) => fs.writeFileSync(f, '[1, 2]'), /is not a JSON object/],
		];
		for (const [name, make, expected] of cases) {
			const file = path.join(dir, name, 'state.json');
			fs.mkdirSync(path.dirname(file));
			make(file);
			const { problems, sink } = collect();
			assert.deepEqual(readPersistedState(file, sink), { version: 1 }, name);
			assert.equal(problems.length, 1, name);
			assert.match(problems[0].message, expected, name);
		}
		const { problems, sink } = collect();
		assert.deepEqual(readPersistedState(path.join(dir, 'missing', 'state.json'), sink), { version: 1 });
		assert.equal(problems.length, 0, 'a missing file is no problem');
	});
});

describe('the engine runs without the files it cannot use', () => {
	test('history.jsonl as a folder: the engine starts, runs, reports once, and writing is reported not thrown', async () => {
		const dir = tempDir();
		const stateDir = path.join(dir, 'state');
		fs.mkdirSync(path.join(stateDir, 'history.jsonl'), { recursive: true });
		const sink = new MemoryLogSink();
		const engine = new Engine({ workspaceFolder: dir, stateDir, logger: createLogger(sink) });
		try {
			let ran = 0;
			engine.register({
				id: 'f',
				run: async () => {
					ran++;
				},
			});
			for (let i = 0; i < 5; i++) {
				const [record] = await engine.run(['f']);
				assert.equal(record.status, 'completed');
			}
			await engine.whenIdle();
			assert.equal(ran, 5);
			assert.deepEqual(engine.readHistory(), []);
			const about = sink.lines.filter((l) => l.message.includes('history.jsonl'));
			const reads = about.filter((l) => l.level === 'warn' && l.message.includes('cannot be read'));
			const writes = about.filter((l) => l.level === 'error' && l.message.includes('Could not write run history'));
			assert.equal(reads.length, 1, JSON.stringify(about));
			assert.equal(writes.length, 1, JSON.stringify(about));
			assert.ok(
				about.every((l) => !l.message.includes('    at ')),
				'no stack traces',
			);
		} finally {
			engine.dispose();
		}
	});

	test('a bad record in history is skipped at start and the last good result is shown', async () => {
		const dir = tempDir();
		const stateDir = path.join(dir, 'state');
		fs.mkdirSync(stateDir, { recursive: true });
		fs.writeFileSync(path.join(stateDir, 'history.jsonl'), lines(rec('f', 1), without(rec('f', 2), 'trigger')));
		fs.writeFileSync(path.join(stateDir, 'state.json'), JSON.stringify({ version: 1, known: 'f', lastFired: [] }));
		const sink = new MemoryLogSink();
		const engine = new Engine({ workspaceFolder: dir, stateDir, logger: createLogger(sink) });
		try {
			engine.register({ id: 'f', run: async () => undefined });
			assert.equal(engine.getJob('f')?.lastRun?.runId, 'f-1');
			const warnings = sink.lines.filter((l) => l.level === 'warn').map((l) => l.message);
			assert.ok(warnings.includes(`${path.join(stateDir, 'history.jsonl')}:2: skipped a record without "trigger"`), JSON.stringify(warnings));
			assert.ok(
				warnings.some((w) => w.startsWith(`${path.join(stateDir, 'state.json')}: ignored "lastFired" (not an object)`)),
				JSON.stringify(warnings),
			);
			engine.start();
			await engine.stop();
		} finally {
			engine.dispose();
		}
	});

	test('a failing journal is reported once, apart from history, which still gets every record', async () => {
		const stateDir = tempDir();
		const sink = new MemoryLogSink();
		const store = new RunStore(stateDir, createLogger(sink), () => undefined);
		// Every start and end append of the journal fails: its file is a folder.
		fs.mkdirSync(path.join(stateDir, `inflight-${process.pid}.jsonl`));
		for (let i = 1; i <= 3; i++) {
			const run = { jobId: 'a', runId: `a-${i}`, attempt: 1, state: 'running' as const, trigger: 'manual' as const, startedAt: rec('a', i).startedAt };
			await store.commandStarted(run);
			await store.finish(rec('a', i));
		}
		assert.deepEqual(
			store.history!.read().map((r) => r.runId),
			['a-1', 'a-2', 'a-3'],
		);
		const errors = sink.lines.filter((l) => l.level === 'error');
		assert.equal(errors.length, 1, JSON.stringify(errors));
		assert.match(errors[0].message, /^Could not write the journal of running jobs: it is a folder/);
	});
});
