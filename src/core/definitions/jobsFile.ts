import * as path from 'node:path';
import { type Node, type ParseError, parseTree } from 'jsonc-parser';
import { hostPlatform, type TargetPlatform } from '../base/platform';
import { realFolder } from './cwdReader';
import type { Diagnostic } from './diagnostic';
import { checkJobGraph } from './jobGraph';
import { type JobRead, type JobReadContext, readJob } from './jobReader';
import { type FileProblem, readJobsFileText } from './jobsFileBytes';
import { describeParseError, findExcessiveNesting } from './json/jsonPosition';
import { openingBrace, ProblemFound, Problems, readNumber, readObject, readString, type Scope, typeName } from './json/jsonReader';
import type { JobsConfig } from '../model';
import { knownTopLevelOverrideFields, overrideHints, readEffectiveShell, readOverrideBlocks, type ShellRead } from './platformOverrides';
import { readStrictJson, type StrictJson } from './json/strictJson';
import { readRetention } from './retentionReader';
import { minimumEveryMs } from './scheduleReader';
import { ValueNode } from './json/valueNode';

/**
 * Reads `.jobs.json` (JSONC: comments and trailing commas allowed) into a `JobsConfig` and a
 * list of diagnostics with `file:line:col` and the field path. A job with any error is left out
 * and every valid job stays, so one typo never stops the other jobs. Nothing here throws on bad
 * input: the file comes from a workspace and may be anything.
 */

/** Fields of the top-level object. */
export const knownTopLevelFields = ['$schema', 'concurrency', 'retention', 'shell', 'windows', 'osx', 'linux', 'jobs'] as const;

/** Top-level overrides set only `shell`; the job fields people try there belong in a job's override. */
const topLevelOverrideHints = overrideHints(['command', 'cwd', 'env', ...knownTopLevelFields], knownTopLevelOverrideFields, ' at the top level; put the others in a job\'s own "windows", "osx" or "linux"');

/** Bigger files are refused before parsing: no real job list is this large. */
export const maxFileSize = 5 * 1024 * 1024;
/** jsonc-parser recurses per level and overflowed the stack at 10,000 levels; real files use 4. */
export const maxNesting = 64;
/** More jobs than this is a generated file gone wrong; each job costs a timer and a tree item. */
export const maxJobs = 10_000;
/** The global run limit when the file gives none (or an invalid one). */
export const defaultConcurrency = 4;
export const maxConcurrency = 256;

export interface ParseResult {
	config: JobsConfig;
	diagnostics: Diagnostic[];
}

export interface ParseOptions {
	/** folder that cwd is relative to; default dirname(file) */
	baseDir?: string;
	/** When the file is read (epoch ms), for the warning on an `at` already past. @default Date.now() */
	now?: number;
	/** The shortest `every` accepted. @default minimumEveryMs() (1 s) */
	minEveryMs?: number;
	/**
	 * The platform the file is read for: which `windows`/`osx`/`linux` block applies, what the
	 * short forms of `shell` resolve to, and the path and env name rules. @default the host's
	 */
	platform?: TargetPlatform;
}

/**
 * Parses the text of a jobs file. `file` is only used in diagnostics and `source` locations
 * (and, without `baseDir`, for the folder `cwd` is relative to), so unsaved editor text works.
 *
 * A file without problems is read through `JSON.parse` (`parseJobsTextFast`); any problem, or
 * text only jsonc-parser reads exactly, sends it through the full tree (`parseJobsTextTree`),
 * which finds the positions for the diagnostics. Both give the same result.
 */
export function parseJobsText(text: string, file: string, options: ParseOptions = {}): ParseResult {
	return parseJobsTextFast(text, file, options) ?? parseJobsTextTree(text, file, options);
}

/**
 * The fast path of `parseJobsText`: the native JSON parser and no positions but the jobs'.
 * Returns undefined as soon as the result could have any diagnostic (or differ from
 * `parseJobsTextTree` in any other way): syntax errors, duplicate keys, deep nesting, and every
 * error or warning the readers report.
 */
export function parseJobsTextFast(text: string, file: string, options: ParseOptions = {}): ParseResult | undefined {
	const body = withoutByteOrderMark(text);
	if (body.length > maxFileSize) {
		return undefined;
	}
	const json = readStrictJson(body, maxNesting);
	if (!json || !hasJobOffsets(json)) {
		return undefined;
	}
	const problems = new Problems(file, body, true);
	try {
		return readConfig(new ValueNode(json.value, 0, json.elementOffsets), problems, [], options);
	} catch (err) {
		if (err instanceof ProblemFound) {
			return undefined;
		}
		throw err;
	}
}

/** The slow path of `parseJobsText`: jsonc-parser's full tree, with a position for every problem. */
export function parseJobsTextTree(text: string, file: string, options: ParseOptions = {}): ParseResult {
	const body = withoutByteOrderMark(text);
	const problems = new Problems(file, body);
	const { root, syntaxErrors } = parseRoot(body, problems);
	if (!root) {
		return { config: { concurrency: defaultConcurrency, jobs: [] }, diagnostics: problems.finish() };
	}
	return readConfig(root, problems, syntaxErrors, options);
}

/** Editors hide a byte order mark, so columns on line 1 must not count it. */
function withoutByteOrderMark(text: string): string {
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The scan found one offset per element of `jobs` (anything else is a file with problems). */
function hasJobOffsets(json: StrictJson): boolean {
	const root = json.value;
	if (typeof root !== 'object' || root === null || Array.isArray(root)) {
		return false;
	}
	const jobs = (root as Record<string, unknown>).jobs;
	return Array.isArray(jobs) && jobs.length === json.elementOffsets.length;
}

/** Reads the parsed file into a config, then runs the checks across jobs. */
function readConfig(root: Node, problems: Problems, syntaxErrors: readonly SyntaxProblem[], options: ParseOptions): ParseResult {
	const config: JobsConfig = { concurrency: defaultConcurrency, jobs: [] };
	const reads = readTopLevel(root, problems, config, options);
	chargeSyntaxErrors(reads, syntaxErrors);
	checkJobGraph(reads, problems);
	config.jobs = reads.filter((job) => job.scope.errors === 0 && job.definition).map((job) => job.definition!);
	return { config, diagnostics: problems.finish() };
}

/**
 * Reads and parses a jobs file from disk. A file that is missing, not a regular file, unreadable,
 * too large or not UTF-8 text is a single diagnostic saying which (at 1:1, or at the byte to
 * blame) and an empty job list, never an exception.
 */
export function readJobsFile(file: string, options: ParseOptions = {}): ParseResult {
	const read = readJobsFileText(file, maxFileSize);
	return 'problem' in read ? fileProblem(file, read.problem) : parseJobsText(read.text, file, options);
}

function fileProblem(file: string, { message, line, column }: FileProblem): ParseResult {
	const diagnostic: Diagnostic = { file, line, column, endLine: line, endColumn: column, path: '', message, severity: 'error' };
	return { config: { concurrency: defaultConcurrency, jobs: [] }, diagnostics: [diagnostic] };
}

/** A reported syntax error, with its offset so it can be charged to the job it falls in. */
interface SyntaxProblem {
	offset: number;
	diagnostic: Diagnostic;
}

/** Size and nesting guards, then jsonc-parser; syntax errors are reported but parsing goes on. */
function parseRoot(text: string, problems: Problems): { root?: Node; syntaxErrors: SyntaxProblem[] } {
	const scope = problems.scope();
	if (text.length > maxFileSize) {
		scope.error({ offset: 0, length: 0 }, '', `the file is too large: it has ${text.length} characters; the limit is ${maxFileSize} (${maxFileSize / 1024 / 1024} MB)`);
		return { syntaxErrors: [] };
	}
	const nul = text.indexOf('\0');
	if (nul >= 0) {
		// JSON allows no raw NUL anywhere (in strings it is written \u0000): binary data, or UTF-16 read as UTF-8.
		scope.error({ offset: nul, length: 1 }, '', 'the file contains a NUL character: it is binary or UTF-16, not UTF-8 JSON text; save it as UTF-8');
		return { syntaxErrors: [] };
	}
	if (text.trim() === '') {
		scope.error({ offset: 0, length: 0 }, '', 'the file is empty; expected an object with a "jobs" array');
		return { syntaxErrors: [] };
	}
	const tooDeep = findExcessiveNesting(text, maxNesting);
	if (tooDeep !== undefined) {
		scope.error({ offset: tooDeep, length: 1 }, '', `nesting is deeper than ${maxNesting} levels; the file is not a jobs file`);
		return { syntaxErrors: [] };
	}
	const errors: ParseError[] = [];
	let root: Node | undefined;
	try {
		root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
	} catch (err) {
		// The nesting guard should make this unreachable; a parser bug must still not crash the host.
		scope.error({ offset: 0, length: 0 }, '', `cannot parse the file: ${String(err)}`);
		return { syntaxErrors: [] };
	}
	const syntaxErrors = errors.map((e) => ({ offset: e.offset, diagnostic: problems.add(e, '', describeParseError(e.error), 'error') }));
	if (root && root.type !== 'object') {
		scope.error(root, '', `the file must contain an object with a "jobs" array, got ${typeName(root)}`);
		return { syntaxErrors };
	}
	return { root, syntaxErrors };
}

function createContext(problems: Problems, options: ParseOptions, platform: TargetPlatform, fileShell: ShellRead): JobReadContext {
	const baseDir = path.resolve(options.baseDir ?? path.dirname(problems.file));
	let realBaseDir = baseDir;
	try {
		realBaseDir = realFolder(baseDir);
	} catch {
		// Unsaved text in a folder that is gone: relative cwd values then fail as "does not exist".
	}
	return { problems, platform, baseDir, realBaseDir, fileShell, now: options.now ?? Date.now(), minEveryMs: options.minEveryMs ?? minimumEveryMs() };
}

/** The file's `shell` for jobs that set none: the top-level platform block's, else the top-level one. */
function readFileShell(fields: ReturnType<typeof readObject>, scope: Scope, platform: TargetPlatform): ShellRead {
	const blocks = readOverrideBlocks(fields, '', scope, platform, knownTopLevelOverrideFields, topLevelOverrideHints);
	return readEffectiveShell(fields.get('shell'), 'shell', blocks, scope, platform);
}

/** Reads `$schema`, `concurrency`, `retention`, `shell` and its overrides, and `jobs`; returns every job as read, valid or not. */
function readTopLevel(root: Node, problems: Problems, config: JobsConfig, options: ParseOptions): JobRead[] {
	const scope = problems.scope();
	const fields = readObject(root, '', scope, knownTopLevelFields);
	const platform = options.platform ?? hostPlatform();
	const context = createContext(problems, options, platform, readFileShell(fields, scope, platform));
	const schema = fields.get('$schema');
	if (schema) {
		readString(schema.value, '$schema', scope, 'a URL or path string');
	}
	const concurrency = fields.get('concurrency');
	if (concurrency) {
		const range = { min: 1, max: maxConcurrency, integer: true };
		config.concurrency = readNumber(concurrency.value, 'concurrency', scope, range) ?? defaultConcurrency;
	}
	const retention = fields.get('retention') && readRetention(fields.get('retention')!.value, scope);
	if (retention) {
		config.retention = retention;
	}
	const jobs = fields.get('jobs')?.value;
	if (!jobs) {
		scope.error(openingBrace(root), '', 'missing required field "jobs" (an array of jobs)');
		return [];
	}
	if (jobs.type !== 'array') {
		scope.error(jobs, 'jobs', `must be an array of jobs, got ${typeName(jobs)}`);
		return [];
	}
	const items = jobs.children ?? [];
	if (items.length > maxJobs) {
		scope.error(jobs, 'jobs', `has ${items.length} jobs; the limit is ${maxJobs}`);
		return [];
	}
	return items.map((item, index) => readJob(item, index, context));
}

/**
 * A syntax error inside a job's braces means the job may have been read from a half-parsed
 * object (jsonc-parser recovers and goes on; a truncated file can lose `"enabled": false`), so
 * that job is left out like any invalid job. Ends are inclusive: an unterminated object ends at
 * the error that ends it.
 */
function chargeSyntaxErrors(reads: readonly JobRead[], errors: readonly SyntaxProblem[]): void {
	for (const { offset, diagnostic } of errors) {
		let low = 0;
		let high = reads.length - 1;
		while (low < high) {
			const mid = (low + high + 1) >> 1;
			if (reads[mid].node.offset <= offset) {
				low = mid;
			} else {
				high = mid - 1;
			}
		}
		const job = reads[low];
		if (job && job.node.offset <= offset && offset <= job.node.offset + job.node.length) {
			job.scope.adopt(diagnostic);
		}
	}
}
