/**
 * The fast way into `.jobs.json`: blank the comments and trailing commas JSONC allows, hand the
 * rest to the native `JSON.parse`, and keep just enough positions from one cheap scan to locate
 * the jobs. It only answers for text that jsonc-parser reads without any syntax error and
 * without duplicate keys; for anything else it returns undefined and the caller takes the full
 * jsonc-parser tree, which knows every position a diagnostic needs.
 */

/** A text JSON.parse could read once comments and trailing commas were blanked. */
export interface StrictJson {
	/** What `JSON.parse` made of the text. */
	value: unknown;
	/** Offsets of the `{` and `[` that open at depth 2, in file order: the elements of the jobs array. */
	elementOffsets: number[];
}

/**
 * Reads JSONC text with `JSON.parse`, or returns undefined when that could differ from what
 * jsonc-parser reads (with trailing commas allowed): syntax errors, duplicate keys (JSON.parse
 * keeps the last one silently) and nesting deeper than `maxDepth` (reported by the caller).
 */
export function readStrictJson(text: string, maxDepth: number): StrictJson | undefined {
	const scan = scanJsonc(text, maxDepth);
	if (!scan) {
		return undefined;
	}
	let value: unknown;
	try {
		value = JSON.parse(scan.json);
	} catch {
		return undefined;
	}
	// Every `:` outside strings and comments separates one member; fewer keys means a duplicate.
	if (countMembers(value) !== scan.members) {
		return undefined;
	}
	return { value, elementOffsets: scan.elementOffsets };
}

/** What one pass over the text learns. */
interface Scan {
	/** The text with comments and trailing commas replaced by a space. */
	json: string;
	/** How many `:` separators there are outside strings and comments. */
	members: number;
	elementOffsets: number[];
}

/** Kinds of the last significant token, which decide whether a comma before `]` or `}` is a trailing one. */
const afterOpen = 0;
const afterColon = 1;
const afterComma = 2;
const afterValue = 3;

/**
 * One pass over the characters: strings are skipped with `indexOf`, comments and trailing
 * commas are recorded for blanking, colons counted, nesting tracked. Anything odd (an
 * unterminated string or comment, a lone `/`, nesting past `maxDepth`) returns undefined.
 * Mismatched brackets are left to JSON.parse, which rejects them.
 */
function scanJsonc(text: string, maxDepth: number): Scan | undefined {
	const cuts: number[] = [];
	const elementOffsets: number[] = [];
	let members = 0;
	let depth = 0;
	let last = afterOpen;
	let beforeComma = afterOpen;
	let commaAt = -1;
	for (let i = 0; i < text.length; i++) {
		switch (text.charCodeAt(i)) {
			case 0x20:
			case 0x09:
			case 0x0a:
			case 0x0d:
				continue;
			case 0x22: // "
				i = endOfString(text, i);
				if (i < 0) {
					return undefined;
				}
				last = afterValue;
				break;
			case 0x3a: // :
				members++;
				last = afterColon;
				break;
			case 0x2c: // ,
				beforeComma = last;
				commaAt = i;
				last = afterComma;
				break;
			case 0x7b: // {
			case 0x5b: // [
				if (depth === 2) {
					elementOffsets.push(i);
				}
				if (++depth > maxDepth) {
					return undefined;
				}
				last = afterOpen;
				break;
			case 0x7d: // }
			case 0x5d: // ]
				if (last === afterComma && beforeComma === afterValue) {
					cuts.push(commaAt, commaAt + 1);
				}
				depth--;
				last = afterValue;
				break;
			case 0x2f: {
				// /
				const end = endOfComment(text, i);
				if (end < 0) {
					return undefined;
				}
				cuts.push(i, end);
				i = end - 1;
				break;
			}
			default:
				last = afterValue;
		}
	}
	return { json: blank(text, cuts), members, elementOffsets };
}

/** The offset of the quote that closes the string opening at `start`, or -1. */
function endOfString(text: string, start: number): number {
	let from = start + 1;
	for (;;) {
		const quote = text.indexOf('"', from);
		if (quote < 0) {
			return -1;
		}
		let backslash = quote - 1;
		while (text.charCodeAt(backslash) === 0x5c) {
			backslash--;
		}
		if ((quote - 1 - backslash) % 2 === 0) {
			return quote;
		}
		from = quote + 1;
	}
}

/** The end (exclusive) of the comment at `start`; a line comment keeps its line break. -1 when it is no comment. */
function endOfComment(text: string, start: number): number {
	const next = text.charCodeAt(start + 1);
	if (next === 0x2f) {
		let end = start + 2;
		while (end < text.length && text.charCodeAt(end) !== 0x0a && text.charCodeAt(end) !== 0x0d) {
			end++;
		}
		return end;
	}
	if (next === 0x2a) {
		const close = text.indexOf('*/', start + 2);
		return close < 0 ? -1 : close + 2;
	}
	return -1;
}

/** Replaces each cut with one space, so tokens on either side never run together (`1/**\/2`). */
function blank(text: string, cuts: readonly number[]): string {
	if (cuts.length === 0) {
		return text;
	}
	const pieces: string[] = [];
	let from = 0;
	for (let k = 0; k < cuts.length; k += 2) {
		pieces.push(text.slice(from, cuts[k]));
		from = cuts[k + 1];
	}
	pieces.push(text.slice(from));
	return pieces.join(' ');
}

/** Keys in all objects of a parsed value (depth is bounded by the scan, so recursion is safe). */
function countMembers(value: unknown): number {
	if (typeof value !== 'object' || value === null) {
		return 0;
	}
	let count = 0;
	if (Array.isArray(value)) {
		for (const item of value) {
			count += countMembers(item);
		}
		return count;
	}
	const record = value as Record<string, unknown>;
	// for-in allocates no key array; an enumerable property inherited from a polluted
	// Object.prototype would only make the counts differ, which sends the file to the tree.
	for (const key in record) {
		count += 1 + countMembers(record[key]);
	}
	return count;
}
