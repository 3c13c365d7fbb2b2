/**
 * The targets' own validators for exported files, one home for the unit tests
 * (test/unit/core/export/) and the UI test of the "Export Jobs…" command (test/ui/export.test.mjs,
 * through validateExportDir.ts): GitHub's workflow parser, kubernetes-models and
 * @kubernetes-models/argo-workflows, and `systemd-analyze verify`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ExportTarget } from '../../src/core/export/exportPlan';

/** One exported file: its path relative to the output folder, and its text. */
export interface ExportedFile {
	path: string;
	content: string;
}

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
/** Why the systemd checks cannot run here, or undefined when they can. */
export const systemdAnalyzeMissing =
	analyze.error || analyze.status !== 0 ? 'systemd-analyze is not installed (Debian package systemd; .ci/run installs it)' : undefined;

export function systemdAnalyze(args: string[], env: NodeJS.ProcessEnv = {}) {
	return spawnSync('systemd-analyze', args, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', ...env }, timeout: 60_000 });
}

/**
 * What the target's validator says is wrong with the files, one message each; empty when they
 * all pass. Throws when the validator itself cannot run (systemd-analyze missing).
 */
export async function exportProblems(target: ExportTarget, files: ExportedFile[]): Promise<string[]> {
	if (files.length === 0) {
		return ['no files were exported'];
	}
	switch (target) {
		case 'github-actions':
			return githubProblems(files);
		case 'kubernetes': {
			const { CronJob } = await import('kubernetes-models/batch/v1/CronJob');
			return manifestProblems(files, 'CronJob', (m) => new CronJob(m as never).validate());
		}
		case 'argo': {
			const { CronWorkflow } = await import('@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/CronWorkflow');
			return manifestProblems(files, 'CronWorkflow', (m) => new CronWorkflow(m as never).validate());
		}
		case 'systemd':
			return systemdProblems(files);
	}
}

async function githubProblems(files: ExportedFile[]): Promise<string[]> {
	// ESM only (and a JSON import that tsx's loader handles): loaded the way ESM is from CommonJS.
	const { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } = await import('@actions/workflow-parser');
	const problems: string[] = [];
	for (const f of files) {
		const parsed = parseWorkflow({ name: f.path, content: f.content }, new NoOperationTraceWriter());
		problems.push(...parsed.context.errors.getErrors().map((e) => `${f.path}: ${e.message}`));
		if (!parsed.value) {
			continue;
		}
		const template = await convertWorkflowTemplate(parsed.context, parsed.value);
		problems.push(...(template.errors ?? []).map((e) => `${f.path}: ${e.Message}`));
		if (!template.jobs?.length) {
			problems.push(`${f.path}: a workflow without jobs`);
		}
	}
	return problems;
}

function manifestProblems(files: ExportedFile[], kind: string, validate: (manifest: unknown) => void): string[] {
	const problems: string[] = [];
	for (const f of files) {
		const docs = parseAllDocuments(f.content);
		if (docs.length !== 1) {
			problems.push(`${f.path}: ${docs.length} YAML documents, not one`);
			continue;
		}
		const manifest = docs[0].toJS() as { kind?: string } | null;
		if (manifest?.kind !== kind) {
			problems.push(`${f.path}: kind ${manifest?.kind}, not ${kind}`);
			continue;
		}
		try {
			validate(manifest);
		} catch (error) {
			problems.push(`${f.path}: ${error instanceof Error ? error.message : String(error)}`);
		}
	}
	return problems;
}

function systemdProblems(files: ExportedFile[]): string[] {
	if (systemdAnalyzeMissing) {
		throw new Error(systemdAnalyzeMissing);
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-systemd-'));
	try {
		for (const unit of files) {
			fs.writeFileSync(path.join(dir, unit.path), unit.content);
		}
		// The folder is the unit path, so Requires= must name units that are really there.
		const r = systemdAnalyze(['verify', '--man=no', ...files.map((u) => path.join(dir, u.path))], { SYSTEMD_UNIT_PATH: `${dir}:` });
		const said = `${r.stdout}${r.stderr}`.trim();
		return r.status === 0 && !said ? [] : [`systemd-analyze verify (exit ${r.status}): ${said}`];
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** Every file under dir, as ExportedFile with `/`-separated relative paths, sorted. */
export function readExportDir(dir: string): ExportedFile[] {
	return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
		.filter((d) => d.isFile())
		.map((d) => path.join(d.parentPath, d.name))
		.map((file) => ({ path: path.relative(dir, file).split(path.sep).join('/'), content: fs.readFileSync(file, 'utf8') }))
		.sort((a, b) => a.path.localeCompare(b.path));
}
