/**
 * `workspace-jobs export --target T [--out DIR] [--image IMAGE] [--strict] [--json] [ID...]`:
 * the jobs as GitHub Actions workflows, Kubernetes CronJobs, Argo CronWorkflows or systemd units
 * (src/core/export/). Manifests go to stdout or `--out`; the fidelity report to stderr, or as
 * JSON to stdout with `--json`. Exit 0 when all mapped exactly or approximately, 3 with
 * `--strict` when something was lost, 1 on a file with errors or an export that cannot be made.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Diagnostic, formatDiagnostic } from '../core/definitions/diagnostic';
import type { ParseResult } from '../core/definitions/jobsFile';
import { exportJobs } from '../core/export/exportJobs';
import { type ExportedFile, type ExportTarget, exportTargets } from '../core/export/exportPlan';
import { formatFidelityNote } from '../core/export/fidelityReport';

export interface ExportArguments {
	file: string;
	target?: string;
	out?: string;
	image?: string;
	strict: boolean;
	json: boolean;
	ids: string[];
}

/** Thrown for bad usage; main.ts prints it with the --help hint and exits 2. */
export type UsageErrorFactory = (message: string) => Error;

export function exportCommand(result: ParseResult, args: ExportArguments, usageError: UsageErrorFactory): number {
	if (!args.target || !(exportTargets as readonly string[]).includes(args.target)) {
		throw usageError(`export needs --target ${exportTargets.join('|')}${args.target ? `, got "${args.target}"` : ''}`);
	}
	if (args.json && !args.out) {
		throw usageError('export --json prints the report on stdout, so the manifests need --out DIR');
	}
	printDiagnostics(result.diagnostics);
	if (result.diagnostics.some((d) => d.severity === 'error')) {
		return 1;
	}
	const target = args.target as ExportTarget;
	const exported = exportJobs(result.config, { target, file: args.file, ids: args.ids, image: args.image });
	if (exported.error) {
		process.stderr.write(`workspace-jobs: ${exported.error}\n`);
		return 1;
	}
	const notes = exported.report.sorted();
	if (args.out) {
		const written = writeFiles(path.resolve(args.out), exported.files);
		if (!args.json) {
			for (const file of written) {
				process.stdout.write(`${file}\n`);
			}
		}
	} else {
		process.stdout.write(joinManifests(target, exported.files));
	}
	if (args.json) {
		const json = { target, files: exported.files.map((f) => path.join(path.resolve(args.out!), f.path)), lost: exported.report.anyLost, notes };
		process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
	} else {
		for (const note of notes) {
			process.stderr.write(`${formatFidelityNote(note)}\n`);
		}
	}
	if (exported.files.length === 0) {
		process.stderr.write('workspace-jobs: nothing to export (no enabled job with a schedule)\n');
	}
	return args.strict && exported.report.anyLost ? 3 : 0;
}

/** YAML documents joined with `---`; systemd units each under a `# ==> NAME <==` header line. */
export function joinManifests(target: ExportTarget, files: readonly ExportedFile[]): string {
	if (target === 'systemd') {
		return files.map((f) => `# ==> ${f.path} <==\n${f.content}`).join('\n');
	}
	return files.map((f) => `---\n# ${f.path}\n${f.content}`).join('');
}

function writeFiles(out: string, files: readonly ExportedFile[]): string[] {
	return files.map((f) => {
		const target = path.join(out, f.path);
		fs.mkdirSync(path.dirname(target), { recursive: true });
		fs.writeFileSync(target, f.content);
		return target;
	});
}

function printDiagnostics(diagnostics: readonly Diagnostic[]): void {
	for (const d of diagnostics) {
		process.stderr.write(`${formatDiagnostic(d)}\n`);
	}
}
