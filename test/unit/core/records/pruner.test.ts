import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { createLogger, MemoryLogSink } from '../../../../src/core/base/logger';
import type { RetentionOptions, RunRecord } from '../../../../src/core/model';
import { RunStore } from '../../../../src/core/records/runStore';

// Prunes of a real state folder in a temp dir: history rewritten, logs deleted, and nothing that
// must stay (new appends, logs of runs in flight, files outside logs/) lost.

const roots: string[] = [];
after(() => {
	for (const root of roots) {
		fs.rmSync(root, { recursive: true, force: true });
	}
});

const day = 86_400_000;
const t0 = Date.UTC(2026, 0, 1);
/** Old enough that no log counts as fresh (a prune spares unnamed logs younger than 10 minutes). */
const oldMtime = new Date(Date.now() - 2 * 3_600_000);

function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-prune-'));
	roots.push(dir);
	return dir;
}

interface Folder {
	stateDir: string;
	history: string;
	store: RunStore;
	sink: MemoryLogSink;
	log(jobId: string, n: number): string;
}

function rec(stateDir: string | undefined, jobId: string, n: number, extra: Partial<RunRecord> = {}): RunRecord {
	const at = new Date(t0 + n * 60_000).toISOString();
	const record: RunRecord = { jobId, runId: `${jobId}-${n}`, attempt: 1, status: 'completed', exitCode: 0, startedAt: at, endedAt: at, durationMs: 5, trigger: 'manual', ...extra };
	if (stateDir) {
		record.logFile = path.join(stateDir, 'logs', jobId, `${jobId}-${n}-1.log`);
	}
	return record;
}

/** Records of one job with their logs, in a folder made for them. */
function withLogs(count: number, jobId = 'a'): { dir: string; records: RunRecord[] } {
	const dir = tempDir();
	return { dir, records: Array.from({ length: count }, (_, i) => rec(dir, jobId, i)) };
}

function lines(file: string): RunRecord[] {
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((l) => JSON.parse(l) as RunRecord);
}

/** A state folder at `dir` whose history holds `records`, each with a log of `logBytes` (old) when it names one. */
function folderAt(dir: string, records: RunRecord[], options: { retention?: RetentionOptions; now?: number; logBytes?: number } = {}): Folder {
	const history = path.join(dir, 'history.jsonl');
	fs.writeFileSync(history, records.map((r) => JSON.stringify(r) + '\n').join(''));
	for (const r of records) {
		if (r.logFile?.startsWith(dir)) {
			fs.mkdirSync(path.dirname(r.logFile), { recursive: true });
			fs.writeFileSync(r.logFile, 'x'.repeat(options.logBytes ?? 10));
			fs.utimesSync(r.logFile, oldMtime, oldMtime);
		}
	}
	const sink = new MemoryLogSink();
	const now = options.now ?? t0 + day;
	const store = new RunStore(dir, createLogger(sink), () => undefined, () => now, options.retention);
	return { stateDir: dir, history, store, sink, log: (jobId, n) => path.join(dir, 'logs', jobId, `${jobId}-${n}-1.log`) };
}

/** This process has `file` open (Linux: one of /proc/self/fd links to it). */
function isOpenHere(file: string): boolean {
	return fs.readdirSync('/proc/self/fd').some((fd) => {
		try {
			return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
		} catch {
			return false;
		}
	});
}

describe('pruning a state folder', () => {
	test('keeps the newest 100 runs per job and deletes the logs of the runs it drops', async () => {
		const { dir, records } = withLogs(150);
		records.push(rec(dir, 'b', 500));
		const f = folderAt(dir, records);
		const result = await f.store.prune();
		assert.equal(result?.recordsDropped, 50);
		assert.equal(result?.logsDeleted, 50);
		const kept = lines(f.history);
		assert.equal(kept.length, 101);
		assert.equal(kept[0].runId, 'a-50');
		assert.equal(kept.at(-1)?.runId, 'b-500');
		assert.equal(fs.existsSync(f.log('a', 49)), false);
		assert.equal(fs.existsSync(f.log('a', 50)), true);
		assert.equal(fs.readdirSync(path.join(f.stateDir, 'logs', 'a')).length, 100);
		assert.ok(f.sink.lines.some((l) => l.level === 'debug' && /^Retention .*removed 50 history records and 50 log files/.test(l.message)));
	});

	test('drops records older than the age limit, but keeps each job newest run', async () => {
		const dir = tempDir();
		const records = [rec(dir, 'a', 0), rec(dir, 'a', 1), rec(dir, 'b', 2)];
		const f = folderAt(dir, records, { retention: { days: 1 }, now: t0 + 3 * day });
		await f.store.prune();
		assert.deepEqual(
			lines(f.history).map((r) => r.runId),
			['a-1', 'b-2'],
		);
		assert.equal(fs.existsSync(f.log('a', 0)), false);
	});

	test('deletes the oldest logs past the size limit, and their records lose logFile', async () => {
		const { dir, records } = withLogs(10);
		records.forEach((r, i) => {
			r.endedAt = new Date(t0 + i * 60_000).toISOString();
		});
		const f = folderAt(dir, records, { retention: { size: 4096 }, logBytes: 1000 });
		// Modification times give the order logs are deleted in: oldest first.
		records.forEach((_, i) => fs.utimesSync(f.log('a', i), new Date(oldMtime.getTime() + i * 1000), new Date(oldMtime.getTime() + i * 1000)));
		const result = await f.store.prune();
		assert.equal(result?.logsDeleted, 6);
		assert.equal(result?.bytesFreed, 6000);
		const kept = lines(f.history);
		assert.equal(kept.length, 10, 'the records stay');
		assert.deepEqual(
			kept.map((r) => r.logFile !== undefined),
			[false, false, false, false, false, false, true, true, true, true],
		);
		assert.deepEqual(fs.readdirSync(path.join(f.stateDir, 'logs', 'a')).sort(), ['a-6-1.log', 'a-7-1.log', 'a-8-1.log', 'a-9-1.log']);
	});

	test('orphaned old logs go; fresh ones, logs of runs in flight and anything outside logs/ stay', async () => {
		const outside = path.join(tempDir(), 'precious.txt');
		fs.writeFileSync(outside, 'keep me');
		const dir = tempDir();
		// A history line can say anything: a record naming a file outside logs/ must not get it deleted.
		const records = [rec(dir, 'a', 0, { logFile: outside }), ...Array.from({ length: 3 }, (_, i) => rec(dir, 'a', i + 1))];
		const f = folderAt(dir, records, { retention: { runs: 1 } });
		const logs = path.join(f.stateDir, 'logs', 'a');
		const orphan = path.join(logs, 'gone-1.log');
		const fresh = path.join(logs, 'fresh-1.log');
		const inFlight = path.join(logs, 'running-1.log');
		for (const file of [orphan, fresh, inFlight]) {
			fs.writeFileSync(file, 'x');
		}
		fs.utimesSync(orphan, oldMtime, oldMtime);
		fs.utimesSync(inFlight, oldMtime, oldMtime);
		fs.symlinkSync(outside, path.join(logs, 'link-1.log'));
		fs.writeFileSync(
			path.join(f.stateDir, 'inflight-999999999.jsonl'),
			JSON.stringify({ type: 'start', host: 999_999_999, run: { jobId: 'a', runId: 'running', attempt: 1, startedAt: new Date(t0).toISOString(), trigger: 'manual', logFile: inFlight } }) + '\n',
		);
		await f.store.prune();
		assert.deepEqual(
			lines(f.history).map((r) => r.runId),
			['a-3'],
		);
		assert.equal(fs.readFileSync(outside, 'utf8'), 'keep me');
		assert.equal(fs.existsSync(orphan), false);
		assert.equal(fs.existsSync(fresh), true);
		assert.equal(fs.existsSync(inFlight), true);
		assert.equal(fs.lstatSync(path.join(logs, 'link-1.log')).isSymbolicLink(), true);
		assert.equal(fs.existsSync(f.log('a', 3)), true);
		assert.equal(fs.existsSync(f.log('a', 1)), false);
	});

	test('merges the rotated file into the rewritten history and removes it', async () => {
		const dir = tempDir();
		const f = folderAt(dir, [rec(undefined, 'a', 5), rec(undefined, 'a', 6)], { retention: { runs: 3 } });
		fs.writeFileSync(path.join(f.stateDir, 'history.1.jsonl'), [1, 2, 3, 4].map((n) => JSON.stringify(rec(undefined, 'a', n)) + '\n').join(''));
		await f.store.prune();
		assert.deepEqual(
			lines(f.history).map((r) => r.runId),
			['a-4', 'a-5', 'a-6'],
		);
		assert.equal(fs.existsSync(path.join(f.stateDir, 'history.1.jsonl')), false);
		assert.equal((fs.statSync(f.history).mode & 0o777).toString(8), '600');
	});

	test('records appended while a prune runs are all kept, in order', async () => {
		const { dir, records } = withLogs(3000);
		// Retention must not apply to b's runs: the ones appended before the prune reads the file
		// are planned like any other (and runs: 10 would drop the oldest), only the rest are copied.
		const f = folderAt(dir, records, { retention: { runs: 1000 } });
		let n = 10_000;
		let done = false;
		const prune = f.store.prune().finally(() => {
			done = true;
		});
		const appended: string[] = [];
		while (!done) {
			const r = rec(undefined, 'b', n++);
			f.store.appendNow([r]);
			appended.push(r.runId);
			await new Promise((resolve) => setTimeout(resolve, 1));
		}
		const result = await prune;
		assert.equal(result?.raced, false);
		assert.ok(appended.length > 1, `appends during the prune: ${appended.length}`);
		const kept = lines(f.history);
		assert.deepEqual(
			kept.filter((r) => r.jobId === 'a').map((r) => r.runId),
			Array.from({ length: 1000 }, (_, i) => `a-${2000 + i}`),
		);
		assert.ok(appended.length < 1000, `b stays within the limit: ${appended.length}`);
		assert.deepEqual(
			kept.filter((r) => r.jobId === 'b').map((r) => r.runId),
			appended,
		);
	});

	test('a history replaced by another writer meanwhile is left alone', { skip: process.platform !== 'linux' && 'needs /proc/self/fd' }, async () => {
		const { dir, records } = withLogs(300);
		const f = folderAt(dir, records, { retention: { runs: 1 } });
		const prune = f.store.prune();
		// Another process's prune (or a person) replaces the file once this one has it open.
		while (!isOpenHere(f.history)) {
			await new Promise((resolve) => setImmediate(resolve));
		}
		const replacement = `${JSON.stringify(rec(undefined, 'z', 1))}\n`;
		fs.writeFileSync(`${f.history}.other`, replacement);
		fs.renameSync(`${f.history}.other`, f.history);
		const result = await prune;
		assert.equal(result?.raced, true);
		assert.equal(fs.readFileSync(f.history, 'utf8'), replacement);
		assert.equal(fs.existsSync(f.log('a', 0)), true, 'no log is deleted on a lost race');
	});

	test('a history that is a folder is not pruned and no log is deleted', async () => {
		const { dir, records } = withLogs(3);
		const f = folderAt(dir, records, { retention: { runs: 1 } });
		fs.rmSync(f.history);
		fs.mkdirSync(f.history);
		assert.equal(await f.store.prune(), undefined);
		assert.equal(fs.readdirSync(path.join(f.stateDir, 'logs', 'a')).length, 3);
		const errors = f.sink.lines.filter((l) => l.level === 'error');
		assert.equal(errors.length, 1);
		assert.match(errors[0].message, /history and logs are not pruned/);
	});

	test('bad lines are dropped by the rewrite, valid ones kept verbatim', async () => {
		const dir = tempDir();
		const f = folderAt(dir, [rec(undefined, 'a', 1)], { retention: { runs: 5 } });
		const withExtra = JSON.stringify({ ...rec(undefined, 'a', 2), futureField: { x: 1 } });
		fs.appendFileSync(f.history, `{"jobId": "a"}\n${withExtra}\n`);
		await f.store.prune();
		const text = fs.readFileSync(f.history, 'utf8').split('\n');
		assert.equal(text.length, 3);
		assert.equal(text[1], withExtra);
	});
});

describe('pruning follows batches on its own', () => {
	test('the first batch after a start prunes when none ran in 10 minutes; the next batches do not', async () => {
		const { dir, records } = withLogs(20);
		const f = folderAt(dir, records, { retention: { runs: 5 } });
		await f.store.finish(rec(undefined, 'a', 100));
		for (let i = 0; i < 100 && lines(f.history).length > 5; i++) {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		assert.equal(lines(f.history).length, 5);
		assert.equal(typeof f.store.state.prunedAt, 'number');
		await f.store.finish(rec(undefined, 'a', 101));
		await f.store.finish(rec(undefined, 'a', 102));
		await new Promise((resolve) => setTimeout(resolve, 200));
		assert.equal(lines(f.history).length, 7, 'throttled: no second prune within 10 minutes');
	});
});
