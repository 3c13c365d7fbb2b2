import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { HistoryStore } from '../../../../src/core/records/history';
import { type InFlightRun, RunJournal } from '../../../../src/core/records/runJournal';
import type { RunRecord } from '../../../../src/core/model';
import type { FileProblem } from '../../../../src/core/records/fileProblems';
import { startStorageChild } from '../../../support/childProcess';
import { testRandom } from '../../../support/random';

const roots: string[] = [];
after(() => {
	for (const root of roots) {
		fs.rmSync(root, { recursive: true, force: true });
	}
});

function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-history-'));
	roots.push(dir);
	return dir;
}

function rec(jobId: string, n: number, extra: Partial<RunRecord> = {}): RunRecord {
	const at = new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString();
	return { jobId, runId: `${jobId}-${n}`, attempt: 1, status: 'completed', exitCode: 0, startedAt: at, endedAt: at, durationMs: 5, trigger: 'manual', ...extra };
}

/** Spins instead of sleeping: timers are too coarse to aim a kill inside a write of a few ms. */
function busyWait(ms: number): void {
	const until = performance.now() + ms;
	while (performance.now() < until) {
		// spin
	}
}

/**
 * The file from `offset` to its end, and where that end was: a file can grow after a writer's
 * exit is reported (under Wine the killed process's last write is still landing), so the end is
 * the size this read saw, never a second `stat`.
 */
function readFrom(file: string, offset: number): { text: string; end: number } {
	const fd = fs.openSync(file, 'r');
	try {
		const end = fs.fstatSync(fd).size;
		const buf = Buffer.alloc(Math.max(0, end - offset));
		fs.readSync(fd, buf, 0, buf.length, offset);
		return { text: buf.toString('utf8'), end };
	} finally {
		fs.closeSync(fd);
	}
}

function run(id: string): InFlightRun {
	return { jobId: `job-${id}`, runId: `run-${id}`, attempt: 1, startedAt: '2025-01-01T00:00:00.000Z', trigger: 'schedule' };
}

describe('HistoryStore', () => {
	test('appends records and reads them back newest last', () => {
		const file = path.join(tempDir(), 'nested', 'history.jsonl');
		const store = new HistoryStore(file);
		assert.deepEqual(store.read(), []);
		store.append([rec('a', 1), rec('b', 2)]);
		store.append([rec('a', 3)]);
		assert.deepEqual(
			store.read().map((r) => r.runId),
			['a-1', 'b-2', 'a-3'],
		);
		assert.deepEqual(new HistoryStore(file).read()[2], rec('a', 3));
	});

	test('limit keeps the newest records', () => {
		const store = new HistoryStore(path.join(tempDir(), 'history.jsonl'));
		store.append(Array.from({ length: 50 }, (_, i) => rec('a', i)));
		assert.deepEqual(
			store.read({ limit: 3 }).map((r) => r.runId),
			['a-47', 'a-48', 'a-49'],
		);
		assert.deepEqual(store.read({ limit: 0 }), []);
	});

	test('jobId filter combines with limit', () => {
		const store = new HistoryStore(path.join(tempDir(), 'history.jsonl'));
		store.append(Array.from({ length: 30 }, (_, i) => rec(i % 3 === 0 ? 'rare' : 'often', i)));
		assert.deepEqual(
			store.read({ jobId: 'rare', limit: 2 }).map((r) => r.runId),
			['rare-24', 'rare-27'],
		);
		assert.equal(store.read({ jobId: 'rare' }).length, 10);
		assert.deepEqual(store.read({ jobId: 'none' }), []);
	});

	test('since keeps records that ended at or after the instant', () => {
		const store = new HistoryStore(path.join(tempDir(), 'history.jsonl'));
		store.append(Array.from({ length: 10 }, (_, i) => rec('a', i)));
		assert.deepEqual(
			store.read({ since: rec('a', 7).endedAt }).map((r) => r.runId),
			['a-7', 'a-8', 'a-9'],
		);
		assert.throws(() => store.read({ since: 'yesterday' }), RangeError);
	});

	test('drops a torn last line and cuts it off before the next append', () => {
		const file = path.join(tempDir(), 'history.jsonl');
		new HistoryStore(file).append([rec('a', 1), rec('a', 2)]);
		fs.appendFileSync(file, JSON.stringify(rec('a', 3)).slice(0, 40));
		const store = new HistoryStore(file);
		assert.deepEqual(
			store.read().map((r) => r.runId),
			['a-1', 'a-2'],
		);
		store.append([rec('a', 4)]);
		const lines = fs.readFileSync(file, 'utf8').split('\n');
		assert.equal(lines.pop(), '');
		assert.deepEqual(
			lines.map((l) => JSON.parse(l).runId),
			['a-1', 'a-2', 'a-4'],
		);
	});

	test('a complete record without its newline counts as torn', () => {
		const file = path.join(tempDir(), 'history.jsonl');
		fs.writeFileSync(file, JSON.stringify(rec('a', 1)) + '\n' + JSON.stringify(rec('a', 2)));
		const store = new HistoryStore(file);
		assert.deepEqual(
			store.read().map((r) => r.runId),
			['a-1'],
		);
		store.append([rec('a', 3)]);
		assert.deepEqual(
			store.read().map((r) => r.runId),
			['a-1', 'a-3'],
		);
	});

	test('skips unparseable lines and keeps every complete record, also one glued to a torn fragment', () => {
		const file = path.join(tempDir(), 'history.jsonl');
		const good = (n: number) => JSON.stringify(rec('a', n));
		fs.writeFileSync(file, [good(1), good(2).slice(0, 30) + good(3), 'not json', '[1]', '', good(4)].join('\n') + '\n');
		const problems: FileProblem[] = [];
		const store = new HistoryStore(file, { problems: (p) => problems.push(p) });
		assert.deepEqual(
			store.read().map((r) => r.runId),
			['a-1', 'a-3', 'a-4'],
		);
		assert.deepEqual(problems, [{ file, line: 2, message: 'skipped a torn record of 30 bytes glued to the next (the record after it kept) (and 2 more bad lines)' }]);
		const scanned: string[] = [];
		store.scan((r) => scanned.push(r.runId));
		assert.deepEqual(scanned, ['a-1', 'a-3', 'a-4']);
	});

	test('a glued line gives back each whole record in it, whatever the fragment holds', () => {
		const file = path.join(tempDir(), 'history.jsonl');
		const nested = JSON.stringify(rec('a', 2, { escaped: [5, 6], message: 'a {"quoted": "brace"} }' }));
		const lines = [
			// A torn record cut inside a nested value, then two records glued behind it.
			nested.slice(0, nested.indexOf('[') + 2) + JSON.stringify(rec('a', 3)) + nested,
			// A complete record that lost its newline, glued to the next.
			JSON.stringify(rec('a', 4)) + JSON.stringify(rec('a', 5)),
			// A fragment that ends in a brace but is no object.
			'"x"}' + JSON.stringify(rec('a', 6)),
		];
		fs.writeFileSync(file, lines.join('\n') + '\n');
		const store = new HistoryStore(file);
		assert.deepEqual(
			store.read().map((r) => r.runId),
			['a-3', 'a-2', 'a-4', 'a-5', 'a-6'],
		);
		assert.deepEqual(
			store.read({ limit: 4 }).map((r) => r.runId),
			['a-2', 'a-4', 'a-5', 'a-6'],
		);
		assert.equal(store.read()[1].message, 'a {"quoted": "brace"} }');
	});

	test('records survive SIGKILL during appends and are never glued', async (t) => {
		const random = testRandom(t);
		const file = path.join(tempDir(), 'history.jsonl');
		// Few large records make each append one multi-megabyte write, which a kill can tear.
		const batch = 8;
		const acked = new Map<string, number>();
		let checkedUpTo = 0;
		let torn = 0;
		for (let i = 0; i < 12; i++) {
			const name = `child${i}`;
			const child = startStorageChild(['history', file, name, String(batch), '500000']);
			// The child announces each write; aim at its first or second one, at a random point.
			const target = 1 + (i % 2);
			await child.waitFor(() => child.lines.filter((l) => l === 'writing').length >= target);
			busyWait(random.next() * 2);
			await child.kill();
			acked.set(name, Math.max(0, ...child.lines.filter((l) => /^\d+$/.test(l)).map(Number)));
			if (!fs.existsSync(file)) {
				continue;
			}
			// Before the next writer repairs the tail: what this child added is whole records only.
			const { text, end } = readFrom(file, checkedUpTo);
			const added = text.split('\n');
			const tail = added.pop() ?? '';
			if (tail !== '') {
				torn++;
			}
			for (const line of added) {
				assert.equal(typeof JSON.parse(line).runId, 'string', `line glued or torn after kill ${i}`);
			}
			checkedUpTo = end - Buffer.byteLength(tail);
		}
		t.diagnostic(`torn tails seen: ${torn} of 12 kills`);
		const seqs = new Map<string, number[]>();
		new HistoryStore(file).scan((r) => {
			const list = seqs.get(r.jobId) ?? [];
			list.push(Number(r.runId.split('-')[1]));
			seqs.set(r.jobId, list);
		});
		for (const [name, count] of acked) {
			const list = seqs.get(name) ?? [];
			// Every acknowledged record is there, in order, with no gap (a glued line would leave one).
			assert.deepEqual(
				list,
				list.map((_, k) => k),
				`${name} has a gap`,
			);
			assert.ok(list.length >= count, `${name}: ${list.length} records on disk, ${count} acknowledged`);
			assert.ok(list.length <= count + batch, `${name}: more records than appended`);
		}
	});

	test('reading the newest 10 of 200k records reads only the end of the file', () => {
		const file = path.join(tempDir(), 'history.jsonl');
		const total = 200_000;
		const fd = fs.openSync(file, 'w');
		for (let start = 0; start < total; start += 10_000) {
			const lines: string[] = [];
			for (let n = start; n < start + 10_000; n++) {
				lines.push(JSON.stringify(rec(n === total - 5 ? 'rare' : 'bulk', n)));
			}
			fs.writeSync(fd, lines.join('\n') + '\n');
		}
		fs.closeSync(fd);
		const size = fs.statSync(file).size;
		const store = new HistoryStore(file);
		const newest = store.read({ limit: 10 });
		assert.equal(newest.length, 10);
		assert.equal(newest[9].runId, `bulk-${total - 1}`);
		assert.equal(newest[0].runId, `bulk-${total - 10}`);
		const rare = store.read({ jobId: 'rare', limit: 1 });
		assert.equal(rare[0]?.runId, `rare-${total - 5}`);
		assert.ok(size > 30_000_000, `fixture is ${size} bytes`);
		assert.ok(store.bytesRead <= 2 * 64 * 1024, `read ${store.bytesRead} of ${size} bytes`);
	});

	test('rotates past maxBytes and reads across the rotated file', () => {
		const dir = tempDir();
		const file = path.join(dir, 'history.jsonl');
		const store = new HistoryStore(file, { maxBytes: 2000 });
		for (let n = 0; n < 30; n++) {
			store.append([rec('a', n)]);
		}
		const rotated = path.join(dir, 'history.1.jsonl');
		assert.ok(fs.existsSync(rotated));
		assert.ok(fs.statSync(file).size <= 2000);
		assert.ok(fs.statSync(rotated).size <= 2000);
		assert.deepEqual(fs.readdirSync(dir).sort(), ['history.1.jsonl', 'history.jsonl']);
		const all = store.read();
		// The newest records are contiguous across both files, and the oldest ones were dropped.
		const last = all.map((r) => Number(r.runId.split('-')[1]));
		assert.deepEqual(
			last,
			last.map((_, k) => 30 - last.length + k),
		);
		assert.ok(last.length < 30 && last.length > 10);
		const scanned: string[] = [];
		store.scan((r) => scanned.push(r.runId));
		assert.deepEqual(
			scanned,
			all.map((r) => r.runId),
		);
		assert.deepEqual(
			store.read({ limit: 2 }).map((r) => r.runId),
			['a-28', 'a-29'],
		);
	});
});

describe('RunJournal', () => {
	test('returns the runs a SIGKILLed host left in flight once, then clears the file', async () => {
		const file = path.join(tempDir(), 'inflight.jsonl');
		const child = startStorageChild(['journal', file]);
		await child.waitFor((l) => l === 'ready');
		// The host is alive: its runs are not orphans yet and stay in the journal.
		assert.deepEqual(new RunJournal(file).takeOrphans(), []);
		assert.ok(fs.statSync(file).size > 0);
		await child.kill();
		const journal = new RunJournal(file);
		assert.deepEqual(
			journal.takeOrphans().map((r) => r.runId),
			['run-a', 'run-c'],
		);
		assert.equal(fs.statSync(file).size, 0);
		assert.deepEqual(journal.takeOrphans(), []);
		assert.deepEqual(new RunJournal(file).takeOrphans(), []);
	});

	test('takes runs an earlier instance in this process never ended', () => {
		const file = path.join(tempDir(), 'inflight.jsonl');
		const crashed = new RunJournal(file);
		crashed.started([run('1'), run('2')]);
		crashed.ended([{ runId: 'run-1', attempt: 1 }]);
		const next = new RunJournal(file);
		assert.deepEqual(next.takeOrphans(), [run('2')]);
		assert.deepEqual(new RunJournal(file).takeOrphans(), []);
	});

	test('does not take its own runs in flight', () => {
		const file = path.join(tempDir(), 'inflight.jsonl');
		const journal = new RunJournal(file);
		journal.started([run('1')]);
		assert.deepEqual(journal.takeOrphans(), []);
		journal.ended([{ runId: 'run-1', attempt: 1 }]);
		assert.deepEqual(new RunJournal(file).takeOrphans(), []);
	});

	test('ended empties the file once nothing is in flight', () => {
		const file = path.join(tempDir(), 'inflight.jsonl');
		const journal = new RunJournal(file);
		journal.started([run('1'), run('2')]);
		journal.started([{ ...run('2'), attempt: 2 }]);
		journal.ended([{ runId: 'run-1', attempt: 1 }]);
		journal.ended([{ runId: 'run-2', attempt: 1 }]);
		assert.ok(fs.statSync(file).size > 0);
		journal.ended([{ runId: 'run-2', attempt: 2 }]);
		assert.equal(fs.statSync(file).size, 0);
	});

	test('ended passes over runs it never journaled and writes nothing for them', () => {
		const file = path.join(tempDir(), 'inflight.jsonl');
		const journal = new RunJournal(file);
		journal.started([run('1')]);
		const size = fs.statSync(file).size;
		journal.ended([{ runId: 'run-9', attempt: 1 }]);
		assert.equal(fs.statSync(file).size, size);
		journal.ended([{ runId: 'run-9', attempt: 1 }, { runId: 'run-1', attempt: 1 }]);
		assert.equal(fs.statSync(file).size, 0);
	});

	test('tolerates a torn last line and cuts it off before appending', () => {
		const file = path.join(tempDir(), 'inflight.jsonl');
		new RunJournal(file).started([run('1')]);
		fs.appendFileSync(file, '{"type":"start","host":1,"run":{"jobId":"x"');
		const next = new RunJournal(file);
		next.started([run('3')]);
		const lines = fs.readFileSync(file, 'utf8').split('\n');
		assert.equal(lines.pop(), '');
		assert.ok(lines.every((l) => JSON.parse(l)));
		assert.deepEqual(new RunJournal(file).takeOrphans(), [run('1'), run('3')]);
	});
});
