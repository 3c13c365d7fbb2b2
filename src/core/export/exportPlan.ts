/**
 * What every target starts from: the jobs to export (the named ones and what they depend on, or
 * all), each with its `jobs[i]` path, and the jobs left out with a note. A job is left out when
 * it is disabled, programmatic (no command a target could run), or has no schedule and no job
 * that depends on it (nothing would ever start it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CatchUpPolicy, JobDefinition, JobsConfig } from '../model';
import { FidelityReport } from './fidelityReport';
import type { TargetPlatform } from '../base/platform';

export const exportTargets = ['github-actions', 'kubernetes', 'argo', 'systemd'] as const;
export type ExportTarget = (typeof exportTargets)[number];

/** Target names as the report says them. */
/** Every target runs the jobs on Linux: read the file for it, so its `linux` blocks apply. */
export const exportPlatform: TargetPlatform = 'linux';

export const targetTitles: Record<ExportTarget, string> = {
	'github-actions': 'GitHub Actions',
	kubernetes: 'Kubernetes',
	argo: 'Argo Workflows',
	systemd: 'systemd',
};

export interface ExportOptions {
	target: ExportTarget;
	/** The `.jobs.json` the config came from: `cwd` values are written relative to its folder. */
	file: string;
	/** Jobs to export (with their dependencies); all when empty. */
	ids?: readonly string[];
	/** Kubernetes and Argo: the image that holds the repository and a POSIX shell. */
	image?: string;
	/** Kubernetes and Argo: where the image holds the folder of `.jobs.json`. @default '/workspace' */
	imageDir?: string;
	/** GitHub Actions: the folder of `.jobs.json` relative to the repository root. @default found from the nearest `.git` above (`repositoryDirOf`) */
	repositoryDir?: string;
}

/** One file of an export: a path relative to the output folder and its text. */
export interface ExportedFile {
	path: string;
	content: string;
}

export interface ExportResult {
	files: ExportedFile[];
	report: FidelityReport;
	/** Set when nothing could be exported (a missing `--image`, an unknown id); the files are empty then. */
	error?: string;
}

/** A job to export, with where it sits in the file. */
export interface PlannedJob {
	job: JobDefinition;
	/** `jobs[3]` */
	path: string;
	/** The job's `cwd` relative to the folder of `.jobs.json`, `.` for that folder itself. */
	relativeCwd: string;
}

export interface ExportPlan {
	jobs: PlannedJob[];
	byId: Map<string, PlannedJob>;
	/** Jobs that start on their own schedule: the roots of workflows and CronJobs. */
	scheduled: PlannedJob[];
	report: FidelityReport;
}

/**
 * Chooses the jobs to export. `config` must come from a file without errors, so `jobs[i]` is the
 * job's index in the file too. Returns a message instead for an id that is not in the file.
 */
export function planExport(config: JobsConfig, options: ExportOptions): ExportPlan | string {
	const report = new FidelityReport();
	const all = config.jobs.map((job, index) => ({ job, index }));
	const known = new Map(all.map((entry) => [entry.job.id, entry]));
	const unknown = (options.ids ?? []).filter((id) => !known.has(id));
	if (unknown.length) {
		return `no valid job ${unknown.map((id) => `"${id}"`).join(', ')} in ${options.file}`;
	}
	const wanted = options.ids?.length ? withDependencies(options.ids, known) : new Set(known.keys());
	const runnable = (job: JobDefinition) => job.enabled !== false && typeof job.command === 'string';
	const dependents = new Set(all.filter((e) => wanted.has(e.job.id) && runnable(e.job)).flatMap((e) => e.job.dependsOn ?? []));
	const base = realFolder(path.dirname(path.resolve(options.file)));
	const jobs: PlannedJob[] = [];
	for (const { job, index } of all) {
		const at = `jobs[${index}]`;
		if (!wanted.has(job.id)) {
			continue;
		}
		if (job.enabled === false) {
			report.leftOut(at, 'left out: disabled', job.id);
		} else if (typeof job.command !== 'string') {
			report.leftOut(at, 'left out: programmatic (registered in code, no command)', job.id);
		} else if (!job.schedule && !dependents.has(job.id)) {
			report.leftOut(at, 'left out: no schedule and no job depends on it (manual only)', job.id);
		} else {
			const relativeCwd = path.relative(base, job.cwd ?? base).split(path.sep).join('/') || '.';
			jobs.push({ job, path: at, relativeCwd });
			reportShell(report, job, at, options.target);
		}
	}
	const byId = new Map(jobs.map((p) => [p.job.id, p]));
	// A limit at or above the number of jobs never holds a run back.
	if (config.concurrency !== undefined && config.concurrency < jobs.length) {
		report.lost('concurrency', `${targetTitles[options.target]} has no limit of runs at once across jobs; dropped`);
	}
	return { jobs, byId, scheduled: jobs.filter((p) => p.job.schedule), report };
}

/**
 * Every target runs the command with `/bin/sh -c` on Linux (the file is read for Linux, so its
 * `linux` blocks apply); another shell is not carried over.
 */
function reportShell(report: FidelityReport, job: JobDefinition, at: string, target: ExportTarget): void {
	const shell = job.shell;
	if (shell && !(shell.executable === '/bin/sh' && shell.args.length === 1 && shell.args[0] === '-c')) {
		const shown = [shell.executable, ...shell.args].join(' ');
		report.lost(`${at}.shell`, `${targetTitles[target]} runs the command with /bin/sh -c; the shell "${shown}" is not kept`, job.id);
	}
}

/** The ids named and every job they depend on, transitively. */
function withDependencies(ids: readonly string[], known: Map<string, { job: JobDefinition }>): Set<string> {
	const seen = new Set<string>();
	const stack = [...ids];
	while (stack.length) {
		const id = stack.pop()!;
		if (!seen.has(id) && known.has(id)) {
			seen.add(id);
			stack.push(...(known.get(id)!.job.dependsOn ?? []));
		}
	}
	return seen;
}

/**
 * A job and its exported dependencies, dependencies first (the file reader refused cycles). A
 * dependency that was left out (disabled) is reported on the job's `dependsOn`.
 */
export function dependencyClosure(plan: ExportPlan, root: PlannedJob): PlannedJob[] {
	const order: PlannedJob[] = [];
	const seen = new Set<string>();
	const visit = (p: PlannedJob) => {
		if (seen.has(p.job.id)) {
			return;
		}
		seen.add(p.job.id);
		for (const id of p.job.dependsOn ?? []) {
			const dependency = plan.byId.get(id);
			if (dependency) {
				visit(dependency);
			}
		}
		order.push(p);
	};
	visit(root);
	return order;
}

/** Exported dependencies of a job; a left-out one is reported once as lost. */
export function exportedDependencies(plan: ExportPlan, p: PlannedJob): PlannedJob[] {
	const found: PlannedJob[] = [];
	for (const id of p.job.dependsOn ?? []) {
		const dependency = plan.byId.get(id);
		if (dependency) {
			found.push(dependency);
		} else {
			plan.report.lost(`${p.path}.dependsOn`, `"${id}" is not exported (disabled or programmatic); the job runs without waiting for it`, p.job.id);
		}
	}
	return found;
}

/** The catch-up policy in force: the file's, or the default of its schedule kind. */
export function catchUpOf(job: JobDefinition): CatchUpPolicy {
	return job.catchUp ?? (job.schedule?.kind === 'every' ? 'none' : 'once');
}

/** The catch-up deadline in force, in ms. */
export function startingDeadlineOf(job: JobDefinition): number {
	return job.startingDeadlineMs ?? 3_600_000;
}

/** Reports a non-zero `priority`: no target orders runs that wait for a slot. */
export function reportPriority(plan: ExportPlan, p: PlannedJob, target: ExportTarget): void {
	if (p.job.priority) {
		plan.report.lost(`${p.path}.priority`, `${targetTitles[target]} does not order waiting runs by priority; dropped`, p.job.id);
	}
}

function realFolder(folder: string): string {
	try {
		return fs.realpathSync(folder);
	} catch {
		return folder;
	}
}

/** The folder of a jobs file relative to its repository root (the nearest `.git` above), `.` when there is none. */
export function repositoryDirOf(file: string): string {
	const folder = path.dirname(path.resolve(file));
	for (let dir = folder; ; dir = path.dirname(dir)) {
		if (fs.existsSync(path.join(dir, '.git'))) {
			return path.relative(dir, folder).split(path.sep).join('/') || '.';
		}
		if (path.dirname(dir) === dir) {
			return '.';
		}
	}
}
