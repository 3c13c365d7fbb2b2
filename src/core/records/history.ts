import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendToFile, forEachLine, forEachLineBackward, isNotFound, lineNumberAt, repairTornTail, splitJsonLine } from './jsonLines';
import type { RunRecord } from '../model';
import { type BadLines, LineProblems, type ProblemSink } from './fileProblems';
import { recordProblem } from './recordSchema';
import { ensurePrivateFolder } from '../base/privateFiles';

/**
 * Persistent run history (`history.jsonl`, one `RunRecord` per line) and the journal of runs in
 * flight (`inflight.jsonl`). Both are append-only JSON lines written synchronously, so a record is
 * on disk before the engine reports it, and a SIGKILL can at worst tear the last line, which the
 * readers skip and the next writer cuts off (`repairTornTail` in jsonLines.ts; the SIGKILL tests
 * in test/unit/core/records/history.test.ts tear lines that way). When something was appended
 * after a torn line before it was cut, the readers resynchronise at the record glued to it and
 * keep that record (`splitJsonLine`). Reading never throws on what
 * is in the files: a line that is not a valid `RunRecord` is skipped, an unreadable file (a
 * folder in its place, no permission) reads as empty, and both are reported to `problems` once.
 */

/** Which records `HistoryStore.read` returns. */
export interface HistoryQuery {
	jobId?: string;
	/** At most this many records, the newest ones. @default all */
	limit?: number;
	/** Only records with `endedAt >= since` (ISO-8601). */
	since?: string;
}

/** Options of a `HistoryStore`. */
export interface HistoryStoreOptions {
	/** Size past which the file is rotated to `history.1.jsonl` before the next append. @default 64 MB */
	maxBytes?: number;
	/** Hears of skipped lines and unreadable files. @default nobody */
	problems?: ProblemSink;
}

const defaultMaxBytes = 64 * 1024 * 1024;
/**
 * Records are appended in the order runs end, so `endedAt` only grows, except when the wall clock
 * steps back. A backwards read with `since` stops at the first record older than `since` by more
 * than this, which tolerates such steps without reading the whole file.
 */
const sinceSlackMs = 60 * 60_000;

/** Append-only JSONL history of finished attempts, with one rotated predecessor. */
export class HistoryStore {
	/** The rotated predecessor, read after (before, oldest-first) `file`. */
	readonly rotatedFile: string;
	private readonly maxBytes: number;
	private readonly problems: LineProblems;
	/** Cut a torn tail before the first append, and again after any append that failed midway. */
	private needsRepair = true;
	private _bytesRead = 0;

	constructor(
		readonly file: string,
		options: HistoryStoreOptions = {},
	) {
		this.maxBytes = options.maxBytes ?? defaultMaxBytes;
		this.problems = new LineProblems(options.problems);
		const ext = path.extname(file);
		this.rotatedFile = ext ? `${file.slice(0, -ext.length)}.1${ext}` : `${file}.1`;
	}

	/**
	 * Bytes `read` has read from disk over this store's life. Tests use it to check that reading
	 * the newest records touches only the end of a large file.
	 */
	get bytesRead(): number {
		return this._bytesRead;
	}

	/**
	 * Appends finished records in one synchronous write, so once this returns a kill -9 of the
	 * process cannot lose them (the page cache outlives the process).
	 */
	append(records: readonly RunRecord[]): void {
		if (records.length === 0) {
			return;
		}
		const data = records.map((r) => JSON.stringify(r) + '\n').join('');
		if (this.needsRepair) {
			ensurePrivateFolder(path.dirname(this.file));
			repairTornTail(this.file);
			this.needsRepair = false;
		}
		this.rotateIfNeeded(Buffer.byteLength(data));
		try {
			appendToFile(this.file, data);
		} catch (err) {
			this.needsRepair = true;
			throw err;
		}
	}

	/**
	 * Matching records, newest last. Reads backwards from the end (then into the rotated file),
	 * so a small `limit` costs the same whatever the file size. Torn lines are skipped silently,
	 * invalid ones with one warning per read.
	 */
	read(query: HistoryQuery = {}): RunRecord[] {
		const limit = query.limit ?? Number.POSITIVE_INFINITY;
		const since = query.since === undefined ? undefined : Date.parse(query.since);
		if (since !== undefined && Number.isNaN(since)) {
			throw new RangeError(`Invalid 'since' instant: ${query.since}`);
		}
		const found: RunRecord[] = [];
		if (limit <= 0) {
			return found;
		}
		let done = false;
		let bad: BadLines | undefined;
		const visitRecord = (record: RunRecord): boolean => {
			if (since !== undefined) {
				const ended = Date.parse(record.endedAt);
				if (ended < since - sinceSlackMs) {
					done = true;
					return false;
				}
				if (!(ended >= since)) {
					return true;
				}
			}
			if (query.jobId !== undefined && record.jobId !== query.jobId) {
				return true;
			}
			found.push(record);
			done = found.length >= limit;
			return !done;
		};
		// Newest first, so the records of a glued line from its end.
		const visit = (line: string, offset: number): boolean => toRecords(line, bad!, offset).reverse().every(visitRecord);
		for (const file of [this.file, this.rotatedFile]) {
			bad = this.problems.read(file);
			try {
				this._bytesRead += forEachLineBackward(file, visit);
				this.problems.readable(file);
			} catch (err) {
				this.problems.cannotRead(file, err, 'its runs are not shown and the engine goes on without them');
			}
			bad.finish((offset) => lineNumberAt(file, offset));
			if (done) {
				break;
			}
		}
		return found.reverse();
	}

	/** Visits every record oldest-first (rotated file, then current), one chunk in memory at a time. */
	scan(visit: (r: RunRecord) => void): void {
		for (const file of [this.rotatedFile, this.file]) {
			const bad = this.problems.read(file);
			try {
				forEachLine(file, (line, lineNumber, offset) => {
					for (const record of toRecords(line, bad, offset, lineNumber)) {
						visit(record);
					}
				});
				this.problems.readable(file);
			} catch (err) {
				this.problems.cannotRead(file, err, 'its runs are not shown and the engine goes on without them');
			}
			bad.finish();
		}
	}

	/** Keeps history bounded: the current file moves to `history.1.jsonl`, replacing the older one. */
	private rotateIfNeeded(incoming: number): void {
		let size: number;
		try {
			size = fs.statSync(this.file).size;
		} catch (err) {
			if (isNotFound(err)) {
				return;
			}
			throw err;
		}
		if (size > 0 && size + incoming > this.maxBytes) {
			fs.renameSync(this.file, this.rotatedFile);
		}
	}
}

/**
 * The records of a line, each one checked (a bad one noted in `bad`). A line where a torn write
 * was glued to the next record keeps that record (`splitJsonLine`), and the fragment is noted.
 * Empty lines are passed over silently; they hold nothing to lose.
 */
function toRecords(line: string, bad: BadLines, offset: number, lineNumber?: number): RunRecord[] {
	if (line.length === 0) {
		return [];
	}
	const { values, fragment } = splitJsonLine(line);
	if (values.length === 0) {
		bad.add(offset, 'a line that is not a JSON object', lineNumber);
		return [];
	}
	if (fragment !== '') {
		bad.add(offset, `a torn record of ${Buffer.byteLength(fragment)} bytes glued to the next (the record${values.length === 1 ? '' : 's'} after it kept)`, lineNumber);
	}
	const records: RunRecord[] = [];
	for (const { value } of values) {
		const problem = recordProblem(value);
		if (problem === undefined) {
			records.push(value as unknown as RunRecord);
		} else {
			bad.add(offset, `a record ${problem}`, lineNumber);
		}
	}
	return records;
}
