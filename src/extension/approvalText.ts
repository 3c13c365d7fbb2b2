/**
 * Text as the approval review shows it: every character that could hide what a command does is
 * written out between « and », so what the user reads is all that runs. Free of VS Code so it is
 * unit-tested (test/unit/extension/approvalText.test.ts).
 *
 * Written out: line breaks and tabs (`«\n»`, `«\t»`, `«\r»`), every other C0 and C1 control and
 * DEL (`«\x1b»`), invisible, zero-width, direction-changing and unusual space characters
 * (`«U+202E RLO»`), private-use, unassigned and lone surrogate code points, runs of two or more
 * spaces and any spaces at the start or end (`«120 spaces»`), and « and » themselves, so a
 * command cannot fake an escape. Everything else, non-ASCII letters included, is shown as is.
 */

/** Opens and closes an escape; a literal one in the text is itself escaped. */
export const escapeOpen = '«';
export const escapeClose = '»';

/**
 * Characters no one can see or that change how the text around them is drawn: controls (Cc),
 * format characters such as zero-width and bidi controls (Cf), private use (Co), unassigned (Cn),
 * lone surrogates (Cs), line and paragraph separators (Zl, Zp), spaces other than U+0020 (Zs),
 * and marks or letters that draw nothing: combining grapheme joiner, variation selectors,
 * Mongolian free variation selectors, Khmer inherent vowels, Hangul fillers, Braille blank.
 */
const hidden =
	/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\p{Zs}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f\uffa0\u{e0100}-\u{e01ef}]/u;

/** Printable ASCII with single spaces between words: nothing to write out (the common case, checked fast). */
const plain = /^(?! )(?:[\x21-\x7e]| (?! |$))*$/;

const controlNames: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** Short names of the invisible characters people meet in attacks, after their code point. */
const unicodeNames: Record<number, string> = {
	0x00a0: 'NBSP',
	0x00ad: 'SOFT HYPHEN',
	0x061c: 'ALM',
	0x200b: 'ZWSP',
	0x200c: 'ZWNJ',
	0x200d: 'ZWJ',
	0x200e: 'LRM',
	0x200f: 'RLM',
	0x2028: 'LINE SEPARATOR',
	0x2029: 'PARAGRAPH SEPARATOR',
	0x202a: 'LRE',
	0x202b: 'RLE',
	0x202c: 'PDF',
	0x202d: 'LRO',
	0x202e: 'RLO',
	0x2060: 'WJ',
	0x2066: 'LRI',
	0x2067: 'RLI',
	0x2068: 'FSI',
	0x2069: 'PDI',
	0xfeff: 'BOM',
};

/** The escape of one character, without the marks: `\n`, `\x1b`, `U+202E RLO`. */
function escapeOf(char: string): string {
	const named = controlNames[char];
	if (named) {
		return named;
	}
	const code = char.codePointAt(0) as number;
	if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
		return `\\x${code.toString(16).padStart(2, '0')}`;
	}
	const name = unicodeNames[code];
	return `U+${code.toString(16).toUpperCase().padStart(4, '0')}${name ? ` ${name}` : ''}`;
}

function spaces(count: number): string {
	return `${escapeOpen}${count} space${count === 1 ? '' : 's'}${escapeClose}`;
}

/**
 * The text with every hidden character written out (see the file comment). The result has no
 * line breaks: a `\n` in the text becomes `«\n»`; `visibleLines` splits after them for display.
 */
export function visibleText(text: string): string {
	if (plain.test(text)) {
		return text;
	}
	let out = '';
	let i = 0;
	while (i < text.length) {
		if (text[i] === ' ') {
			let end = i;
			while (text[end] === ' ') {
				end++;
			}
			const run = end - i;
			out += run >= 2 || i === 0 || end === text.length ? spaces(run) : ' ';
			i = end;
			continue;
		}
		const char = String.fromCodePoint(text.codePointAt(i) as number);
		// A lone surrogate is one UTF-16 unit; codePointAt gives it alone, so this stays in step.
		i += char.length;
		out += char === escapeOpen || char === escapeClose || hidden.test(char) ? `${escapeOpen}${escapeOf(char)}${escapeClose}` : char;
	}
	return out;
}

/**
 * `visibleText` cut into display lines after each `«\n»`, so a multi-line script reads as lines
 * while every break stays marked. Never empty: `''` gives `['']`.
 */
export function visibleLines(text: string): string[] {
	const marker = `${escapeOpen}\\n${escapeClose}`;
	const parts = visibleText(text).split(marker);
	const lines = parts.map((part, index) => (index < parts.length - 1 ? `${part}${marker}` : part));
	if (lines.length > 1 && lines[lines.length - 1] === '') {
		lines.pop();
	}
	return lines;
}

/** True when `visibleText` changes the text (the review then says so next to it). */
export function hasHiddenCharacters(text: string): boolean {
	return visibleText(text) !== text;
}
