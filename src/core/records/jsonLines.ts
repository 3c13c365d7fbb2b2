import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendPrivateFile, ensurePrivateFolder } from '../base/privateFiles';

/**
 * Low-level reading and repair of append-only JSON-lines files (history and run journal).
 * Everything works on bytes and splits on `\n` (0x0A), which never occurs inside a multi-byte
 * UTF-8 sequence, so chunk boundaries cannot break a character.
 */

const newline = 0x0a;
const closingBrace = 0x7d;
const chunkSize = 64 * 1024;

/**
 * Cuts a torn last line (bytes after the last `\n`) off the file. A single append is not atomic
 * under SIGKILL (measured here: one `appendFileSync` of a large line, killed, left a torn last
 * line); appending after a torn tail would glue the next record onto the fragment and lose both.
 * Returns the number of bytes removed.
 */
export function repairTornTail(file: string): number {
	let fd: number;
	try {
		fd = fs.openSync(file, 'r+');
	} catch (err) {
		if (isNotFound(err)) {
			return 0;
		}
		throw err;
	}
	try {
		const size = fs.fstatSync(fd).size;
		let pos = size;
		while (pos > 0) {
			const len = Math.min(chunkSize, pos);
			pos -= len;
			const buf = Buffer.allocUnsafe(len);
			readFully(fd, buf, pos);
			const nl = buf.lastIndexOf(newline);
			if (nl >= 0) {
				const keep = pos + nl + 1;
				if (keep < size) {
					fs.ftruncateSync(fd, keep);
				}
				return size - keep;
			}
		}
		if (size > 0) {
			fs.ftruncateSync(fd, 0);
		}
		return size;
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Calls `visit` with each complete line and the byte offset it starts at, last line first, until
 * it returns `false`. Reads the file backwards in 64 KB chunks, so the newest lines cost the same
 * in a 1 GB file as in a small one. A torn last line is skipped. Returns the number of bytes read
 * from disk. A missing file has no lines; any other error (a folder, no permission) is thrown.
 */
export function forEachLineBackward(file: string, visit: (line: string, offset: number) => boolean): number {
	const fd = openForRead(file);
	if (fd === undefined) {
		return 0;
	}
	let bytesRead = 0;
	try {
		let pos = fs.fstatSync(fd).size;
		// Bytes of a line that started before the current chunk and ended after it.
		let carry: Buffer | undefined;
		// Bytes after the file's last newline are a torn line, and are never visited.
		let seenLastNewline = false;
		while (pos > 0) {
			const len = Math.min(chunkSize, pos);
			pos -= len;
			const chunk = Buffer.allocUnsafe(len);
			readFully(fd, chunk, pos);
			bytesRead += len;
			const buf = carry ? Buffer.concat([chunk, carry]) : chunk;
			let end = buf.length;
			let nl = buf.lastIndexOf(newline, end - 1);
			while (nl >= 0) {
				if (seenLastNewline) {
					if (!visit(buf.toString('utf8', nl + 1, end), pos + nl + 1)) {
						return bytesRead;
					}
				} else {
					seenLastNewline = true;
				}
				end = nl;
				nl = end > 0 ? buf.lastIndexOf(newline, end - 1) : -1;
			}
			carry = seenLastNewline ? buf.subarray(0, end) : undefined;
		}
		// What is left is the first line of the file.
		if (carry) {
			visit(carry.toString('utf8'), 0);
		}
		return bytesRead;
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Calls `visit` with each complete line, its 1-based line number and the byte offset it starts
 * at, first line first, holding one chunk at a time. Stops at the size the file had when it was opened; a torn or half-appended
 * last line is skipped. A missing file has no lines; any other error is thrown.
 */
export function forEachLine(file: string, visit: (line: string, lineNumber: number, offset: number) => void): void {
	const fd = openForRead(file);
	if (fd === undefined) {
		return;
	}
	try {
		const size = fs.fstatSync(fd).size;
		let pos = 0;
		let lineNumber = 0;
		// File offset of the carry (or of the chunk, when there is none).
		let bufStart = 0;
		let carry: Buffer | undefined;
		while (pos < size) {
			const len = Math.min(chunkSize, size - pos);
			const chunk = Buffer.allocUnsafe(len);
			readFully(fd, chunk, pos);
			pos += len;
			const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
			let start = 0;
			let nl = buf.indexOf(newline, start);
			while (nl >= 0) {
				visit(buf.toString('utf8', start, nl), ++lineNumber, bufStart + start);
				start = nl + 1;
				nl = buf.indexOf(newline, start);
			}
			carry = start < buf.length ? buf.subarray(start) : undefined;
			bufStart += start;
		}
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * The 1-based number of the line that starts at byte `offset`: one forward count of newlines,
 * made only to name a bad line in a warning (backward reads know offsets, not line numbers).
 */
export function lineNumberAt(file: string, offset: number): number {
	const fd = fs.openSync(file, 'r');
	try {
		let line = 1;
		const buf = Buffer.allocUnsafe(chunkSize);
		for (let pos = 0; pos < offset; ) {
			const n = fs.readSync(fd, buf, 0, Math.min(chunkSize, offset - pos), pos);
			if (n === 0) {
				break;
			}
			for (let i = buf.indexOf(newline, 0); i >= 0 && i < n; i = buf.indexOf(newline, i + 1)) {
				line++;
			}
			pos += n;
		}
		return line;
	} finally {
		fs.closeSync(fd);
	}
}

/** Parses one line, or `undefined` when it is empty, torn, glued or not a JSON object. */
export function parseJsonLine(line: string): Record<string, unknown> | undefined {
	if (line.length === 0) {
		return undefined;
	}
	try {
		const value: unknown = JSON.parse(line);
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** The JSON objects of one line (`splitJsonLine`), each with its text, and the torn bytes before them. */
export interface LinePieces {
	values: { value: Record<string, unknown>; text: string }[];
	/** Bytes of the line that are no whole object: a torn write's fragment ('' when none). */
	fragment: string;
}

/** At most this many `{"` positions are tried per line: a bad line costs a bounded number of parses. */
const maxResyncTries = 64;

/**
 * A line as the objects it holds. A whole line is one object. A line that is not resynchronises
 * at the objects that end it: a write torn by a kill leaves a fragment without its newline, and
 * when anything is appended after it before the tail is cut (a writer that Windows reported
 * dead while its last write was still landing: measured under Wine, the file grew by 2.4 MB
 * after the killed writer's exit was reported), the next record is glued onto the fragment.
 * Each object starts with `{"`, and in JSON text a `"` inside a string is always escaped, so
 * the glued record starts at one of the line's `{"`: the one, from the right, whose suffix
 * parses (a suffix from a nested object inside it keeps the outer closing brace and cannot
 * parse; nor can a longer one, whose closing brace would have to be the record's own). Then the
 * same again before it, until what is left is the fragment.
 */
export function splitJsonLine(line: string): LinePieces {
	const whole = parseJsonLine(line);
	if (whole) {
		return { values: [{ value: whole, text: line }], fragment: '' };
	}
	const values: LinePieces['values'] = [];
	let end = line.length;
	let tries = 0;
	while (end > 0 && line.charCodeAt(end - 1) === closingBrace) {
		let found = -1;
		for (let at = line.lastIndexOf('{"', end - 2); at >= 0 && tries < maxResyncTries; at = at > 0 ? line.lastIndexOf('{"', at - 1) : -1) {
			tries++;
			const value = parseJsonLine(line.slice(at, end));
			if (value) {
				values.unshift({ value, text: line.slice(at, end) });
				found = at;
				break;
			}
		}
		if (found < 0) {
			break;
		}
		end = found;
	}
	return { values, fragment: line.slice(0, end) };
}

/**
 * One append of all lines, all or nothing (a write cut short by a full disk is undone, so a retry
 * never doubles a line), to a private (0600) file; recreates the folder (0700) if someone deleted it.
 */
export function appendToFile(file: string, data: string): void {
	try {
		appendPrivateFile(file, data);
	} catch (err) {
		if (!isNotFound(err)) {
			throw err;
		}
		ensurePrivateFolder(path.dirname(file));
		appendPrivateFile(file, data);
	}
}

export function truncateFile(file: string): void {
	try {
		fs.truncateSync(file, 0);
	} catch (err) {
		if (!isNotFound(err)) {
			throw err;
		}
	}
}

export function isNotFound(err: unknown): boolean {
	return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function openForRead(file: string): number | undefined {
	try {
		return fs.openSync(file, 'r');
	} catch (err) {
		if (isNotFound(err)) {
			return undefined;
		}
		throw err;
	}
}

/** `readSync` may return fewer bytes than asked; loop until the buffer is full or the file ends. */
function readFully(fd: number, buf: Buffer, position: number): void {
	let done = 0;
	while (done < buf.length) {
		const n = fs.readSync(fd, buf, done, buf.length - done, position + done);
		if (n === 0) {
			buf.fill(0, done);
			return;
		}
		done += n;
	}
}
