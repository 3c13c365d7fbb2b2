import type { Node } from 'jsonc-parser';
import { closestMatch } from '../../base/closestMatch';
import { parseDuration } from '../../base/duration';
import type { Diagnostic } from '../diagnostic';
import { LineIndex } from './jsonPosition';

/**
 * The small toolkit `jobsFile.ts` validates with: a diagnostics collector that knows positions,
 * per-job scopes that count errors, and readers for objects and leaf values that report
 * wrong types with the field path.
 */

/** A span of the text; jsonc-parser nodes and parse errors both fit. */
export interface Span {
	offset: number;
	length: number;
}

/** Every string in the file is capped: a 1 MB command is a mistake or an attack, not a job. */
export const maxStringLength = 64 * 1024;

/** Beyond this many diagnostics the rest are counted, not kept: one summary line is enough. */
const maxDiagnostics = 1000;

/** How many candidate comparisons "did you mean" may spend per file, so huge files stay fast. */
const suggestionBudget = 200_000;

/** Keys that could reach `Object.prototype` if copied into a plain object. */
const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Thrown by a `Problems` made with `abortOnProblem` at the first diagnostic: the fast reader
 * knows no positions, so it gives up and the full reader reads the file again.
 */
export class ProblemFound extends Error {
	constructor() {
		super('the file has a problem; read it with positions');
	}
}

/** Collects diagnostics for one file, converting offsets to 1-based line:column once. */
export class Problems {
	private readonly list: Diagnostic[] = [];
	private dropped = 0;
	private budget = suggestionBudget;
	private lineIndex?: LineIndex;

	constructor(
		readonly file: string,
		private readonly text: string,
		private readonly abortOnProblem = false,
	) {}

	/** Line starts, indexed on first use: a file without problems needs them only for each job's `source`. */
	get lines(): LineIndex {
		this.lineIndex ??= new LineIndex(this.text);
		return this.lineIndex;
	}

	/** Adds a diagnostic; `text` is prefixed with the path so the message stands on its own. */
	add(span: Span, path: string, text: string, severity: Diagnostic['severity'], jobId?: string): Diagnostic {
		if (this.abortOnProblem) {
			throw new ProblemFound();
		}
		const start = this.lines.positionAt(span.offset);
		const end = this.lines.positionAt(span.offset + span.length);
		const diagnostic: Diagnostic = {
			file: this.file,
			line: start.line,
			column: start.column,
			endLine: end.line,
			endColumn: end.column,
			path,
			message: path ? `${path}: ${text}` : text,
			severity,
		};
		if (jobId !== undefined) {
			diagnostic.jobId = jobId;
		}
		if (this.list.length < maxDiagnostics) {
			this.list.push(diagnostic);
		} else {
			this.dropped++;
		}
		return diagnostic;
	}

	/** True once new diagnostics are only counted; callers skip costly message details then. */
	get full(): boolean {
		return this.list.length >= maxDiagnostics;
	}

	/** ` (did you mean "x"?)`, or '' when nothing is close or the suggestion budget is spent. */
	suggest(word: string, candidates: readonly string[]): string {
		if (this.full || this.budget < candidates.length) {
			return '';
		}
		this.budget -= candidates.length;
		const match = closestMatch(word, candidates);
		return match === undefined ? '' : ` (did you mean "${match}"?)`;
	}

	/** The diagnostics in file order, plus a summary when some were dropped. */
	finish(): Diagnostic[] {
		const sorted = [...this.list].sort((a, b) => a.line - b.line || a.column - b.column);
		const last = sorted[sorted.length - 1];
		if (this.dropped > 0 && last) {
			const { file, line, column, endLine, endColumn } = last;
			const message = `${this.dropped} more problems not shown`;
			sorted.push({ file, line, column, endLine, endColumn, path: '', message, severity: 'error' });
		}
		return sorted;
	}

	/** A scope for one job (or the top level) that counts its errors. */
	scope(): Scope {
		return new Scope(this);
	}
}

/**
 * Errors of one job. The job id is often read after the first problems are found (an unknown
 * field comes before `id`), so `setJobId` fills it in on what was reported so far.
 */
export class Scope {
	errors = 0;
	private jobId?: string;
	private readonly reported: Diagnostic[] = [];

	constructor(readonly problems: Problems) {}

	error(span: Span, path: string, text: string): void {
		this.errors++;
		this.reported.push(this.problems.add(span, path, text, 'error', this.jobId));
	}

	warning(span: Span, path: string, text: string): void {
		this.reported.push(this.problems.add(span, path, text, 'warning', this.jobId));
	}

	/** Counts an error reported elsewhere (a syntax error inside this job) as this job's. */
	adopt(diagnostic: Diagnostic): void {
		this.errors++;
		this.reported.push(diagnostic);
		if (this.jobId !== undefined) {
			diagnostic.jobId = this.jobId;
		}
	}

	setJobId(jobId: string): void {
		this.jobId = jobId;
		for (const diagnostic of this.reported) {
			diagnostic.jobId = jobId;
		}
	}
}

/** One property of an object: its key node (for key-level errors) and its value. */
export interface Member {
	key: Node;
	value: Node;
}

/** Hints for unknown fields that are known elsewhere, such as `cron` written on the job itself. */
export type MisplacedHints = Readonly<Record<string, string>>;

/**
 * Reads an object's properties into a Map, reporting forbidden keys (`__proto__` and friends),
 * duplicate keys (jsonc-parser would silently keep the last) at the second occurrence, and,
 * when `known` is given, unknown fields with the nearest known name. Only the first occurrence of
 * a key is kept. A Map is used so user-chosen keys never touch an object prototype.
 */
export function readObject(node: Node, path: string, scope: Scope, known?: readonly string[], hints?: MisplacedHints): Map<string, Member> {
	const members = new Map<string, Member>();
	for (const property of node.children ?? []) {
		const key = property.children?.[0];
		const value = property.children?.[1];
		if (key?.type !== 'string' || typeof key.value !== 'string') {
			continue;
		}
		const name: string = key.value;
		if (name.length > maxStringLength) {
			scope.error(key, path, `a key is ${name.length} characters long; the limit is ${maxStringLength}`);
			continue;
		}
		if (forbiddenKeys.has(name)) {
			scope.error(key, memberPath(path, name), `"${name}" is not allowed as a key`);
			continue;
		}
		const first = members.get(name);
		if (first) {
			const line = scope.problems.lines.positionAt(first.key.offset).line;
			scope.error(key, memberPath(path, name), `duplicate key "${name}" (first at line ${line})`);
			continue;
		}
		if (known && !known.includes(name)) {
			const hint = hints?.[name] ?? scope.problems.suggest(name, known).trim();
			scope.error(key, memberPath(path, name), hint ? `unknown field ${hint}` : `unknown field (known fields: ${known.join(', ')})`);
			continue;
		}
		if (value) {
			members.set(name, { key, value });
		}
	}
	return members;
}

/**
 * `jobs[0]` + `env` → `jobs[0].env`; keys that are not identifiers are quoted: `env["A B"]`.
 * Very long keys are shortened, since the path is repeated in every message about them.
 */
export function memberPath(path: string, key: string): string {
	const shown = key.length > 100 ? `${key.slice(0, 100)}...` : key;
	if (/^[A-Za-z_$][\w$]*$/.test(shown)) {
		return path ? `${path}.${shown}` : shown;
	}
	return `${path}[${JSON.stringify(shown)}]`;
}

/** The JSON type of a node for "got X" messages. */
export function typeName(node: Node): string {
	return node.type;
}

/** The span of an object's opening brace, where "missing field" errors go (as VS Code does). */
export function openingBrace(node: Node): Span {
	return { offset: node.offset, length: 1 };
}

/** Reads a string value, capped at `maxStringLength` and free of NUL characters. */
export function readString(node: Node, path: string, scope: Scope, what = 'a string'): string | undefined {
	if (node.type !== 'string') {
		scope.error(node, path, `must be ${what}, got ${typeName(node)}`);
		return undefined;
	}
	const value: string = node.value;
	if (value.length > maxStringLength) {
		scope.error(node, path, `is ${value.length} characters long; the limit is ${maxStringLength}`);
		return undefined;
	}
	if (value.includes('\0')) {
		scope.error(node, path, 'must not contain a NUL character (\\u0000)');
		return undefined;
	}
	return value;
}

/** Reads one of a fixed set of strings, suggesting the nearest on a typo. */
export function readEnum<T extends string>(node: Node, path: string, scope: Scope, values: readonly T[]): T | undefined {
	const list = () => values.map((v) => `"${v}"`).join(', ');
	if (node.type !== 'string') {
		scope.error(node, path, `must be one of ${list()}, got ${typeName(node)}`);
		return undefined;
	}
	const index = (values as readonly string[]).indexOf(node.value);
	if (index < 0) {
		const shown = String(node.value).slice(0, 80);
		scope.error(node, path, `must be one of ${list()}, got "${shown}"${scope.problems.suggest(node.value, values)}`);
		return undefined;
	}
	// The listed string rather than the file's copy: 10,000 jobs then share one.
	return values[index];
}

export function readBoolean(node: Node, path: string, scope: Scope): boolean | undefined {
	if (node.type !== 'boolean') {
		scope.error(node, path, `must be true or false, got ${typeName(node)}`);
		return undefined;
	}
	return node.value as boolean;
}

/** Reads a finite number (jsonc-parser turns `1e999` into Infinity), optionally an integer in a range. */
export function readNumber(node: Node, path: string, scope: Scope, range?: { min: number; max: number; integer: boolean }): number | undefined {
	const what = () => (range ? `${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}` : 'a finite number');
	if (node.type !== 'number') {
		scope.error(node, path, `must be ${what()}, got ${typeName(node)}`);
		return undefined;
	}
	const value = node.value as number;
	const ok = Number.isFinite(value) && (!range || (value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value))));
	if (!ok) {
		scope.error(node, path, `must be ${what()}, got ${value}`);
		return undefined;
	}
	return value;
}

/** Reads a duration (number of ms or string such as "30s") through `parseDuration`. */
export function readDuration(node: Node, path: string, scope: Scope): number | undefined {
	const value = node.type === 'object' ? {} : node.type === 'array' ? [] : node.value;
	const result = parseDuration(value);
	if (!result.ok) {
		scope.error(node, path, result.message);
		return undefined;
	}
	return result.ms;
}
