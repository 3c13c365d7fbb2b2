import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicAsync } from '../base/atomicFile';
import type { RetentionOptions, RunRecord } from '../model';
import { forEachLine, isNotFound, parseJsonLine, splitJsonLine } from './jsonLines';
import { recordProblem } from './recordSchema';
import { type KeptRecord, RetentionPlanner } from './retentionPlanner';

/**
 * One prune of a state folder: history rewritten without the records retention drops, and the
 * run logs of dropped runs, orphaned logs and the oldest logs past the size limit deleted. All
 * reading, writing and deleting is asynchronous; the only synchronous step is the swap of the
 * rewritten history, which copies what was appended meanwhile and renames, so an append of this
 * process is never lost or held up. Appends of another process sharing the folder are copied
 * too, bar one in the microseconds of the swap; two processes pruning at once are told apart by
 * the file's inode, and the later one gives up.
 */

/** What a prune needs. */
export interface PruneContext {
	readonly stateDir: string;
	/** The history file and its rotated predecessor. */
	readonly historyFile: string;
	readonly rotatedFile: string;
	readonly limits: Required<RetentionOptions>;
	/** The engine clock's now, for the age limit. */
	readonly now: number;
	/** Logs of runs in flight in this process (those of other processes are in their journals). */
	readonly activeLogs: Iterable<string>;
}

/** What a prune did. */
export interface PruneResult {
	recordsDropped: number;
	logsDeleted: number;
	bytesFreed: number;
	/** The history was not rewritten because another writer replaced it meanwhile. */
	raced: boolean;
}

/** A log this young that no record names may belong to a run that just started: it stays. */
const freshLogMs = 10 * 60_000;
const chunkSize = 64 * 1024;
/** File operations in flight at once: a few per thread of libuv's pool, so 10,000 logs take a second, not ten. */
const parallelOps = 16;

export async function pruneStateFolder(ctx: PruneContext): Promise<PruneResult> {
	const result: PruneResult = { recordsDropped: 0, logsDeleted: 0, bytesFreed: 0, raced: false };
	const planner = new RetentionPlanner(ctx.limits);
	const rotated = await openHistory(ctx.rotatedFile);
	const current = await openHistory(ctx.historyFile);
	try {
		if (rotated) {
			await readRecords(rotated, planner);
		}
		const readUpTo = current ? await readRecords(current, planner) : 0;
		const kept = planner.kept(ctx.now);
		const dropped = planner.changes;
		const logs = await planLogs(ctx, kept);
		for (const entry of kept) {
			if (entry.record.logFile && logs.deleting.has(path.resolve(entry.record.logFile))) {
				delete entry.record.logFile;
				entry.line = undefined;
				planner.changes++;
			}
		}
		if (planner.changes > 0) {
			const text = kept.map((k) => `${k.line ?? JSON.stringify(k.record)}\n`).join('');
			const swapped = await swapHistory(ctx, text, current, readUpTo, rotated, logs.protect);
			result.raced = !swapped;
			if (!swapped) {
				return result;
			}
			result.recordsDropped = dropped;
		}
		const doomed = [...logs.deleting].filter(([file]) => !logs.protect.has(file));
		await inParallel(doomed, async ([file, size]) => {
			try {
				await fs.promises.unlink(file);
				result.logsDeleted++;
				result.bytesFreed += size;
			} catch {
				// Gone already, or not ours to delete: the next prune looks again.
			}
		});
		return result;
	} finally {
		await current?.handle.close();
		await rotated?.handle.close();
	}
}

interface OpenHistory {
	handle: fs.promises.FileHandle;
	ino: number;
}

async function openHistory(file: string): Promise<OpenHistory | undefined> {
	try {
		const handle = await fs.promises.open(file, 'r');
		const stat = await handle.stat();
		if (!stat.isFile()) {
			await handle.close();
			// Without the history no log is known to be named by a record: none may go.
			throw Object.assign(new Error(`${file} is not a file`), { code: stat.isDirectory() ? 'EISDIR' : 'EINVAL' });
		}
		return { handle, ino: stat.ino };
	} catch (err) {
		if (isNotFound(err)) {
			return undefined;
		}
		throw err;
	}
}

/** Feeds every valid record to the planner; returns the offset after the last complete line. */
async function readRecords(file: OpenHistory, planner: RetentionPlanner): Promise<number> {
	const size = (await file.handle.stat()).size;
	let pos = 0;
	let lineStart = 0;
	let carry: Buffer | undefined;
	while (pos < size) {
		const chunk = Buffer.allocUnsafe(Math.min(chunkSize, size - pos));
		const { bytesRead } = await file.handle.read(chunk, 0, chunk.length, pos);
		if (bytesRead === 0) {
			break;
		}
		pos += bytesRead;
		const buf = carry ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
		let start = 0;
		for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
			const line = buf.toString('utf8', start, nl);
			// The records of a line where a torn write was glued to the next are kept, each on its own line.
			const { values, fragment } = splitJsonLine(line);
			if (fragment !== '') {
				planner.changes++;
			}
			for (const { value, text } of values) {
				if (recordProblem(value) === undefined) {
					planner.add(value as unknown as RunRecord, text);
				} else {
					planner.changes++;
				}
			}
			lineStart += nl + 1 - start;
			start = nl + 1;
		}
		carry = start < buf.length ? buf.subarray(start) : undefined;
	}
	return lineStart;
}

/** Logs to delete (path to size) and logs that must stay whatever a record says. */
interface LogPlan {
	deleting: Map<string, number>;
	protect: Set<string>;
}

/**
 * Every `logs/<job>/*.log` file (regular files only: a record's `logFile` is never trusted as a
 * path to delete). A log goes when no kept record names it, no run in flight writes it and it is
 * not fresh; then the oldest go until the rest fit in the size limit.
 */
async function planLogs(ctx: PruneContext, kept: readonly KeptRecord[]): Promise<LogPlan> {
	const protect = new Set<string>([...ctx.activeLogs].map((f) => path.resolve(f)));
	for (const file of inFlightLogs(ctx.stateDir)) {
		protect.add(file);
	}
	const named = new Set<string>();
	for (const { record } of kept) {
		if (record.logFile) {
			named.add(path.resolve(record.logFile));
		}
	}
	const deleting = new Map<string, number>();
	const remaining: Array<{ file: string; size: number; mtimeMs: number }> = [];
	let total = 0;
	for (const { file, size, mtimeMs } of await listLogs(path.join(ctx.stateDir, 'logs'))) {
		// Modification times are the machine's wall clock, not the engine's (a test's) clock.
		const fresh = Date.now() - mtimeMs < freshLogMs;
		if (protect.has(file) || (fresh && !named.has(file))) {
			total += size;
		} else if (!named.has(file)) {
			deleting.set(file, size);
		} else {
			remaining.push({ file, size, mtimeMs });
			total += size;
		}
	}
	remaining.sort((a, b) => a.mtimeMs - b.mtimeMs);
	for (const log of remaining) {
		if (total <= ctx.limits.size) {
			break;
		}
		deleting.set(log.file, log.size);
		total -= log.size;
	}
	return { deleting, protect };
}

async function listLogs(root: string): Promise<Array<{ file: string; size: number; mtimeMs: number }>> {
	const logs: Array<{ file: string; size: number; mtimeMs: number }> = [];
	let jobs: fs.Dirent[];
	try {
		jobs = await fs.promises.readdir(root, { withFileTypes: true });
	} catch {
		return logs;
	}
	for (const job of jobs) {
		if (!job.isDirectory()) {
			continue;
		}
		const dir = path.join(root, job.name);
		let names: fs.Dirent[];
		try {
			names = await fs.promises.readdir(dir, { withFileTypes: true });
		} catch {
			continue;
		}
		const files = names.filter((name) => name.isFile() && name.name.endsWith('.log')).map((name) => path.join(dir, name.name));
		await inParallel(files, async (file) => {
			try {
				const stat = await fs.promises.lstat(file);
				logs.push({ file, size: stat.size, mtimeMs: stat.mtimeMs });
			} catch {
				// Deleted meanwhile.
			}
		});
	}
	return logs;
}

/** The logs named by the start lines of every journal in the folder (any process's runs in flight). */
function inFlightLogs(stateDir: string): string[] {
	const logs: string[] = [];
	let names: string[];
	try {
		names = fs.readdirSync(stateDir).filter((n) => /^inflight-\d+\.jsonl/.test(n));
	} catch {
		return logs;
	}
	for (const name of names) {
		try {
			forEachLine(path.join(stateDir, name), (text) => {
				const run = parseJsonLine(text)?.run as { logFile?: unknown } | undefined;
				if (typeof run?.logFile === 'string') {
					logs.push(path.resolve(run.logFile));
				}
			});
		} catch {
			// An unreadable journal protects nothing; its runs' logs are fresh or named anyway.
		}
	}
	return logs;
}

/**
 * Writes the kept records next to the history (fsynced, off the event loop), then in one
 * synchronous step: checks nobody replaced the files meanwhile, appends the lines added since
 * the read, renames over the history and removes the rotated file. Lines appended to the old
 * file by another process during the step are copied after it. The logs those lines name are
 * added to `protect`. Returns false (and leaves the history as it was) when it lost a race.
 */
async function swapHistory(ctx: PruneContext, text: string, current: OpenHistory | undefined, readUpTo: number, rotated: OpenHistory | undefined, protect: Set<string>): Promise<boolean> {
	const staged = `${ctx.historyFile}.pruned`;
	await writeFileAtomicAsync(staged, text);
	const same = (file: string, open: OpenHistory | undefined) => {
		const stat = fs.statSync(file, { throwIfNoEntry: false });
		return open ? stat?.ino === open.ino : stat === undefined;
	};
	if (!same(ctx.historyFile, current) || !same(ctx.rotatedFile, rotated)) {
		await fs.promises.rm(staged, { force: true });
		return false;
	}
	let copied = readUpTo;
	if (current) {
		copied = copyTail(current, copied, staged, protect);
	}
	fs.renameSync(staged, ctx.historyFile);
	if (rotated) {
		fs.rmSync(ctx.rotatedFile, { force: true });
	}
	if (current) {
		copyTail(current, copied, ctx.historyFile, protect);
	}
	return true;
}

/** Appends the complete lines of `from` after `offset` to `to`; returns the offset after them. */
function copyTail(from: OpenHistory, offset: number, to: string, protect: Set<string>): number {
	const size = fs.fstatSync(from.handle.fd).size;
	if (size <= offset) {
		return offset;
	}
	const buf = Buffer.allocUnsafe(size - offset);
	const n = fs.readSync(from.handle.fd, buf, 0, buf.length, offset);
	const end = buf.subarray(0, n).lastIndexOf(0x0a) + 1;
	if (end === 0) {
		return offset;
	}
	const tail = buf.subarray(0, end);
	for (const line of tail.toString('utf8').split('\n')) {
		const logFile = parseJsonLine(line)?.logFile;
		if (typeof logFile === 'string') {
			protect.add(path.resolve(logFile));
		}
	}
	fs.appendFileSync(to, tail);
	return offset + end;
}

/** Runs `work` on every item, `parallelOps` at a time. */
async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			await work(items[next++]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(parallelOps, items.length) }, worker));
}
