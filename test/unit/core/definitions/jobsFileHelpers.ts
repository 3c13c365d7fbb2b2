import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Diagnostic, formatDiagnostic } from '../../../../src/core/definitions/diagnostic';
import { type ParseOptions, type ParseResult, parseJobsText } from '../../../../src/core/definitions/jobsFile';

/** The name diagnostics carry in these tests; the text never touches this path. */
export const file = 'ws/.jobs.json';

let workspaceDir: string | undefined;

/**
 * A real folder for `cwd` checks: `packages/app`, a plain file, a symlink to a folder outside
 * and a symlink to a folder inside. Created once and removed when the process exits.
 */
export function workspace(): string {
	if (!workspaceDir) {
		const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-file-')));
		workspaceDir = path.join(root, 'ws');
		fs.mkdirSync(path.join(workspaceDir, 'packages', 'app'), { recursive: true });
		fs.mkdirSync(path.join(root, 'outside'));
		fs.writeFileSync(path.join(workspaceDir, 'notes.txt'), 'not a folder');
		fs.symlinkSync(path.join(root, 'outside'), path.join(workspaceDir, 'link-out'));
		fs.symlinkSync(path.join(workspaceDir, 'packages', 'app'), path.join(workspaceDir, 'link-in'));
		process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
	}
	return workspaceDir;
}

/** Parses text as if it were `ws/.jobs.json` inside the test workspace. */
export function parse(text: string, options: ParseOptions = {}): ParseResult {
	return parseJobsText(text, file, { baseDir: workspace(), ...options });
}

/** 1-based line and column of the `occurrence`-th `needle` in `text`, counted independently of the parser. */
export function locate(text: string, needle: string, occurrence = 0): { line: number; column: number } {
	let offset = -1;
	for (let i = 0; i <= occurrence; i++) {
		offset = text.indexOf(needle, offset + 1);
		assert.notEqual(offset, -1, `"${needle}" (occurrence ${occurrence}) not in the test text`);
	}
	const before = text.slice(0, offset).split('\n');
	return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** The expected formatted diagnostic at `needle`. */
export function at(text: string, needle: string, message: string, options: { occurrence?: number; severity?: string } = {}): string {
	const { line, column } = locate(text, needle, options.occurrence);
	return `${file}:${line}:${column}: ${options.severity ?? 'error'}: ${message}`;
}

export function formatted(diagnostics: readonly Diagnostic[]): string[] {
	return diagnostics.map(formatDiagnostic);
}

/** A file with one job `a` plus extra fields, laid out on known lines (the job is on line 3). */
export function oneJob(fields: string): string {
	return `{\n\t"jobs": [\n\t\t{ "id": "a", "command": "echo a"${fields ? `, ${fields}` : ''} }\n\t]\n}\n`;
}

/** Asserts the file gives exactly one error, at `needle`, and that job `a` is left out. */
export function expectOneError(text: string, needle: string, message: string, occurrence = 0): Diagnostic {
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [at(text, needle, message, { occurrence })]);
	assert.deepEqual(result.config.jobs, []);
	return result.diagnostics[0];
}
