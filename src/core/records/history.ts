import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendToFile, forEachLine, forEachLineBackward, isNotFound, parseJsonLine, repairTornTail } from './jsonLines';
import type { RunRecord } from '../model';

/**
 * Persistent run history (`history.jsonl`, one `RunRecord` per line) and the journal of runs in
 * flight (`inflight.jsonl`). Both are append-only JSON lines written synchronously, so a record is
 * on disk before the engine reports it, and a SIGKILL can at worst tear the last line, which the
 * readers skip and the next writer cuts off (`repairTornTail` in jsonLines.ts; the SIGKILL tests
 * in test/unit/core/records/history.test.ts tear lines that way).
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
	private readonly rotatedFile: string;
	private readonly maxBytes: number;
	/** Cut a torn tail before the first append, and again after any append that failed midway. */
	private needsRepair = true;
	private _bytesRead = 0;

	constructor(
		private readonly file: string,
		options: HistoryStoreOptions = {},
	) {
		this.maxBytes = options.maxBytes ?? defaultMaxBytes;
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
			fs.mkdirSync(path.dirname(this.file), { recursive: true });
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
	 * so a small `limit` costs the same whatever the file size. Torn or unparseable lines are skipped.
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
		const visit = (line: string): boolean => {
			const record = toRecord(parseJsonLine(line));
			if (!record) {
				return true;
			}
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
		for (const file of [this.file, this.rotatedFile]) {
			this._bytesRead += forEachLineBackward(file, visit);
			if (done) {
				break;
			}
		}
		return found.reverse();
	}

	/** Visits every record oldest-first (rotated file, then current), one chunk in memory at a time. */
	scan(visit: (r: RunRecord) => void): void {
		for (const file of [this.rotatedFile, this.file]) {
			forEachLine(file, (line) => {
				const record = toRecord(parseJsonLine(line));
				if (record) {
					visit(record);
				}
			});
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

/** Narrows a parsed line to a record; lines from a newer or broken writer are skipped. */
function toRecord(value: Record<string, unknown> | undefined): RunRecord | undefined {
	if (!value || typeof value.jobId !== 'string' || typeof value.runId !== 'string' || typeof value.status !== 'string' || typeof value.endedAt !== 'string') {
		return undefined;
	}
	return value as unknown as RunRecord;
}
