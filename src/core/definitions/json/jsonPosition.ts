import { createScanner, ParseErrorCode, SyntaxKind } from 'jsonc-parser';

/** A 1-based line and column, the way editors and `file:line:col` links count. */
export interface Position {
	line: number;
	column: number;
}

/**
 * Turns character offsets (what jsonc-parser reports) into 1-based lines and columns. Columns
 * count UTF-16 code units, as VS Code does, so a diagnostic lands on the same character in the
 * editor. Line breaks are `\n`, `\r\n` and `\r`, matching both jsonc-parser and VS Code.
 */
export class LineIndex {
	private readonly starts: number[] = [0];

	constructor(text: string) {
		if (!text.includes('\r')) {
			// The common case, found natively: much cheaper than the loop below on a cold start.
			for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
				this.starts.push(i + 1);
			}
			return;
		}
		for (let i = 0; i < text.length; i++) {
			const ch = text.charCodeAt(i);
			if (ch === 13 && text.charCodeAt(i + 1) === 10) {
				i++;
				this.starts.push(i + 1);
			} else if (ch === 10 || ch === 13) {
				this.starts.push(i + 1);
			}
		}
	}

	/** The position of an offset; offsets past the end clamp to the last line. */
	positionAt(offset: number): Position {
		let low = 0;
		let high = this.starts.length - 1;
		while (low < high) {
			const mid = (low + high + 1) >> 1;
			if (this.starts[mid] <= offset) {
				low = mid;
			} else {
				high = mid - 1;
			}
		}
		return { line: low + 1, column: Math.max(0, offset - this.starts[low]) + 1 };
	}
}

/**
 * Finds where `{`/`[` nesting first goes deeper than `maxDepth`, or returns undefined.
 *
 * jsonc-parser parses recursively and throws a RangeError on deep input (10,000 `[` were
 * enough), so this runs first, with the same (iterative) scanner the parser uses. A closing
 * token only counts when it matches the innermost open one: the parser skips mismatched closers
 * during error recovery without leaving a level, so input such as `{"a": ], "b": {"a": ], ...`
 * nests the parser ever deeper while a plain open-minus-close count stays at 1.
 */
export function findExcessiveNesting(text: string, maxDepth: number): number | undefined {
	const scanner = createScanner(text, true);
	const stack: SyntaxKind[] = [];
	for (let token = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
		if (token === SyntaxKind.OpenBraceToken || token === SyntaxKind.OpenBracketToken) {
			stack.push(token);
			if (stack.length > maxDepth) {
				return scanner.getTokenOffset();
			}
		} else if (token === SyntaxKind.CloseBraceToken && stack[stack.length - 1] === SyntaxKind.OpenBraceToken) {
			stack.pop();
		} else if (token === SyntaxKind.CloseBracketToken && stack[stack.length - 1] === SyntaxKind.OpenBracketToken) {
			stack.pop();
		}
	}
	return undefined;
}

/**
 * Readable text for jsonc-parser's error codes, in VS Code's JSON words but saying what they are:
 * the file was read, its text is not valid JSON(C) here. A reload with a typo shows the same.
 */
const parseErrorText: Readonly<Record<number, string>> = {
	[ParseErrorCode.InvalidSymbol]: 'invalid symbol',
	[ParseErrorCode.InvalidNumberFormat]: 'invalid number format',
	[ParseErrorCode.PropertyNameExpected]: 'property name expected',
	[ParseErrorCode.ValueExpected]: 'value expected',
	[ParseErrorCode.ColonExpected]: 'colon expected',
	[ParseErrorCode.CommaExpected]: 'expected comma',
	[ParseErrorCode.CloseBraceExpected]: "expected '}'",
	[ParseErrorCode.CloseBracketExpected]: "expected ']'",
	[ParseErrorCode.EndOfFileExpected]: 'end of file expected',
	[ParseErrorCode.InvalidCommentToken]: 'invalid comment token',
	[ParseErrorCode.UnexpectedEndOfComment]: 'unexpected end of comment',
	[ParseErrorCode.UnexpectedEndOfString]: 'unexpected end of string',
	[ParseErrorCode.UnexpectedEndOfNumber]: 'unexpected end of number',
	[ParseErrorCode.InvalidUnicode]: 'invalid unicode sequence in string',
	[ParseErrorCode.InvalidEscapeCharacter]: 'invalid escape character in string',
	[ParseErrorCode.InvalidCharacter]: 'invalid characters in string; control characters must be escaped',
};

/** `syntax error: ...` for a jsonc-parser error code; unknown codes (a newer parser) still get a message. */
export function describeParseError(code: ParseErrorCode): string {
	return `syntax error: ${parseErrorText[code] ?? `code ${code}`}`;
}
