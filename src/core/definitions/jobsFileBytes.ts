import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import { LineIndex } from './json/jsonPosition';

/**
 * The bytes of a jobs file on disk, turned into text or into one problem that says what is
 * wrong with the file as a file: missing, a folder or a device, unreadable, too large, or not
 * UTF-8 text (UTF-16 and UTF-32 saved by an editor, binary data, another 8-bit encoding). A
 * UTF-16 file read as UTF-8 gave three unrelated syntax errors; here it gets one sentence.
 */

/** A problem of the whole file, at a 1-based line and column (1:1 unless a byte is to blame). */
export interface FileProblem {
	message: string;
	line: number;
	column: number;
}

export type FileText = { text: string } | { problem: FileProblem };

/**
 * Reads `file` as UTF-8 text of at most `maxBytes`. The file is opened without blocking and
 * checked again through its descriptor: a named pipe at the path would otherwise block the host
 * until something writes to it, and a file replaced between the checks is caught.
 */
export function readJobsFileText(file: string, maxBytes: number): FileText {
	let fd: number;
	try {
		const problem = fileTypeProblem(fs.statSync(file), maxBytes);
		if (problem) {
			return at1(problem);
		}
		fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
	} catch (err) {
		return at1(describeFileError(err));
	}
	try {
		const problem = fileTypeProblem(fs.fstatSync(fd), maxBytes);
		if (problem) {
			return at1(problem);
		}
		const bytes = readAtMost(fd, maxBytes + 1);
		if (bytes.length > maxBytes) {
			return at1(tooLarge(bytes.length, maxBytes, 'grew while it was read: more than'));
		}
		return decodeJobsFile(bytes);
	} catch (err) {
		return at1(describeFileError(err));
	} finally {
		fs.closeSync(fd);
	}
}

/** Text for a file's bytes, or why they are not UTF-8 text. A UTF-8 byte order mark is kept (the parser skips it). */
export function decodeJobsFile(bytes: Buffer): FileText {
	const nul = bytes.indexOf(0);
	const encoding = byteOrderMark(bytes) ?? (nul >= 0 ? guessUtf16(bytes) : undefined);
	if (encoding) {
		return at1(`this file is ${encoding}; save it as UTF-8`);
	}
	if (nul >= 0) {
		const { line, column } = positionOfByte(bytes, nul);
		return { problem: { message: `the file contains a NUL byte (line ${line}, column ${column}): it is binary data, not a text file; a jobs file is UTF-8 JSON text`, line, column } };
	}
	if (!isUtf8(bytes)) {
		const bad = firstInvalidUtf8(bytes);
		const { line, column } = bad < 0 ? { line: 1, column: 1 } : positionOfByte(bytes, bad);
		const shown = bad < 0 ? '' : ` (byte 0x${bytes[bad].toString(16).toUpperCase().padStart(2, '0')} at line ${line}, column ${column})`;
		return { problem: { message: `the file is not valid UTF-8${shown}; it may be Latin-1 or Windows-1252: save it as UTF-8`, line, column } };
	}
	return { text: bytes.toString('utf8') };
}

function at1(message: string): { problem: FileProblem } {
	return { problem: { message, line: 1, column: 1 } };
}

function fileTypeProblem(stat: fs.Stats, maxBytes: number): string | undefined {
	if (stat.isDirectory()) {
		return 'the path is a folder, not a jobs file';
	}
	if (!stat.isFile()) {
		const kind = stat.isFIFO() ? 'a named pipe' : stat.isSocket() ? 'a socket' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'not a regular file';
		return `the path is ${kind}, not a jobs file; only a regular file is read`;
	}
	return stat.size > maxBytes ? tooLarge(stat.size, maxBytes, 'is') : undefined;
}

function tooLarge(size: number, maxBytes: number, verb: string): string {
	return `the file is too large: it ${verb} ${size} bytes; the limit is ${maxBytes} bytes (${maxBytes / 1024 / 1024} MB)`;
}

/** The reason in words, with the error code for searching; the path is already the diagnostic's file. */
function describeFileError(err: unknown): string {
	const code = (err as NodeJS.ErrnoException).code;
	switch (code) {
		case 'ENOENT':
			return 'the jobs file does not exist';
		case 'ENOTDIR':
			return 'the jobs file does not exist: a part of its path is a file, not a folder';
		case 'EISDIR':
			return 'the path is a folder, not a jobs file';
		case 'EACCES':
		case 'EPERM':
			return `permission denied: this user may not read the jobs file (${code})`;
		case 'ELOOP':
			return 'the path is a loop of symbolic links (ELOOP)';
		default:
			return `cannot read the jobs file: ${String((err as Error).message ?? err)}`;
	}
}

function readAtMost(fd: number, limit: number): Buffer {
	const chunks: Buffer[] = [];
	let total = 0;
	while (total < limit) {
		const chunk = Buffer.allocUnsafe(Math.min(limit - total, 1024 * 1024));
		const read = fs.readSync(fd, chunk, 0, chunk.length, null);
		if (read === 0) {
			break;
		}
		chunks.push(read === chunk.length ? chunk : chunk.subarray(0, read));
		total += read;
	}
	return Buffer.concat(chunks, total);
}

function byteOrderMark(b: Buffer): string | undefined {
	if (b[0] === 0xff && b[1] === 0xfe) {
		return b[2] === 0 && b[3] === 0 && b.length >= 4 ? 'UTF-32 (little-endian, with a byte order mark)' : 'UTF-16 (little-endian, with a byte order mark)';
	}
	if (b[0] === 0xfe && b[1] === 0xff) {
		return 'UTF-16 (big-endian, with a byte order mark)';
	}
	if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) {
		return 'UTF-32 (big-endian, with a byte order mark)';
	}
	return undefined;
}

/**
 * UTF-16 without a byte order mark: JSON is mostly ASCII, so every other byte is zero (the odd
 * ones in little-endian, the even ones in big-endian) while the others almost never are. Judged
 * on the first 1,024 bytes; binary data with NULs does not show that pattern.
 */
function guessUtf16(b: Buffer): string | undefined {
	const pairs = Math.floor(Math.min(b.length, 1024) / 2);
	if (pairs === 0) {
		return undefined;
	}
	let evenZero = 0;
	let oddZero = 0;
	for (let i = 0; i < pairs; i++) {
		evenZero += b[2 * i] === 0 ? 1 : 0;
		oddZero += b[2 * i + 1] === 0 ? 1 : 0;
	}
	if (oddZero >= pairs * 0.6 && evenZero <= pairs * 0.1) {
		return 'UTF-16 (little-endian, without a byte order mark)';
	}
	if (evenZero >= pairs * 0.6 && oddZero <= pairs * 0.1) {
		return 'UTF-16 (big-endian, without a byte order mark)';
	}
	return undefined;
}

/** Line and column (UTF-16 code units, as VS Code counts) of the byte at `offset`. */
function positionOfByte(bytes: Buffer, offset: number): { line: number; column: number } {
	const before = bytes.subarray(0, offset).toString('utf8');
	return new LineIndex(before).positionAt(before.length);
}

/** The offset of the first byte that does not start (or continue) a well-formed UTF-8 character, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
	for (let i = 0; i < b.length; ) {
		const c = b[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		const trailing = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
		if (trailing === 0 || i + trailing >= b.length) {
			return i;
		}
		for (let k = 1; k <= trailing; k++) {
			if ((b[i + k] & 0xc0) !== 0x80) {
				return i;
			}
		}
		// Overlong forms, UTF-16 surrogates and code points above U+10FFFF.
		const next = b[i + 1];
		if ((c === 0xe0 && next < 0xa0) || (c === 0xed && next > 0x9f) || (c === 0xf0 && next < 0x90) || (c === 0xf4 && next > 0x8f)) {
			return i;
		}
		i += trailing + 1;
	}
	return -1;
}
