/**
 * GitHub Actions: one workflow per scheduled job, `.github/workflows/jobs-<id>.yml`, holding the
 * job and every job it depends on, linked by `needs` (a failed need skips the job, as here).
 * Each workflow also has `workflow_dispatch` for "Run Job Now". Commands run with `shell: sh {0}`,
 * which is `/bin/sh` on the script without `-e`, as the engine's `/bin/sh -c`.
 */
import * as path from 'node:path';
import { maxAttempts, retryDelay } from '../dispatch/backoff';
import { catchUpOf, dependencyClosure, type ExportOptions, type ExportPlan, exportedDependencies, type ExportResult, type PlannedJob, reportPriority, repositoryDirOf } from './exportPlan';
import { shortestGapMs, toFiveFieldCron } from './cronConversion';
import { githubJobId } from './targetNames';
import { toYaml, type YamlValue } from './yamlText';

const title = 'GitHub Actions';
/** GitHub starts scheduled workflows at most this often. */
const minimumIntervalMs = 5 * 60_000;
/** Sample start for the interval check; any fixed instant gives the same shortest gap. */
const sampleFrom = Date.UTC(2026, 0, 1);

/** `${{` starts an expression in any GitHub string; this writes it literally. */
export function githubLiteral(text: string): string {
	return text.replace(/\$\{\{/g, "${{ '${{' }}");
}

export function exportGithubActions(plan: ExportPlan, options: ExportOptions): ExportResult {
	const files = plan.scheduled.map((root) => ({
		path: `.github/workflows/jobs-${root.job.id}.yml`,
		content: toYaml(workflow(plan, root, options)),
	}));
	return { files, report: plan.report };
}

function workflow(plan: ExportPlan, root: PlannedJob, options: ExportOptions): YamlValue {
	const on: Record<string, YamlValue | undefined> = {};
	const schedule = scheduleEntry(plan, root);
	if (schedule) {
		on.schedule = [schedule];
	}
	on.workflow_dispatch = null;
	const jobs: Record<string, YamlValue> = {};
	for (const p of dependencyClosure(plan, root)) {
		jobs[githubJobId(p.job.id)] = job(plan, p, options);
	}
	return { name: root.job.name ?? root.job.id, on, concurrency: concurrency(plan, root), jobs };
}

function scheduleEntry(plan: ExportPlan, root: PlannedJob): YamlValue | undefined {
	const { job, path: at } = root;
	const conversion = toFiveFieldCron(job.schedule!, title);
	if (conversion.problem) {
		plan.report[conversion.problem.fidelity](`${at}.schedule`, conversion.problem.message.replace('so the job is left out', 'so the workflow runs only when started by hand'), job.id);
	}
	if (!conversion.expression) {
		return undefined;
	}
	if (job.schedule!.kind !== 'at' && shortestGapMs(conversion.expression, conversion.timezone, sampleFrom) < minimumIntervalMs) {
		plan.report.approximate(`${at}.schedule`, `"${conversion.expression}" fires more often than every 5 minutes; GitHub runs scheduled workflows at most every 5 minutes`, job.id);
	}
	if (job.schedule!.kind === 'cron' && !conversion.timezone && !/^\S+ \* \* \* \*$/.test(conversion.expression)) {
		plan.report.approximate(`${at}.schedule`, "no timezone: GitHub reads the cron in UTC, not in the machine's zone", job.id);
	}
	if (catchUpOf(job) === 'once') {
		plan.report.lost(`${at}.catchUp`, 'GitHub drops runs missed while it was busy or down; no catch-up', job.id);
		if (job.startingDeadlineMs !== undefined) {
			plan.report.lost(`${at}.startingDeadline`, 'GitHub has no catch-up, so no deadline for it; dropped', job.id);
		}
	}
	return { cron: conversion.expression, timezone: conversion.timezone };
}

function concurrency(plan: ExportPlan, root: PlannedJob): YamlValue | undefined {
	const overlap = root.job.overlap ?? 'skip';
	const group = `workspace-jobs-${root.job.id}`;
	switch (overlap) {
		case 'allow':
			return undefined;
		case 'replace':
			return { group, 'cancel-in-progress': true };
		case 'skip':
			plan.report.approximate(`${root.path}.overlap`, 'GitHub concurrency keeps one run waiting for the running one instead of skipping it', root.job.id);
			return { group, 'cancel-in-progress': false };
		case 'queue':
			plan.report.approximate(`${root.path}.overlap`, 'GitHub concurrency keeps only the newest waiting run and cancels older waiting ones', root.job.id);
			return { group, 'cancel-in-progress': false };
	}
}

function job(plan: ExportPlan, p: PlannedJob, options: ExportOptions): YamlValue {
	const { job: definition, path: at } = p;
	reportPriority(plan, p, 'github-actions');
	const needs = exportedDependencies(plan, p).map((d) => githubJobId(d.job.id));
	const attempts = maxAttempts(definition.retry);
	const delays = Array.from({ length: attempts - 1 }, (_, i) => retryDelay(definition.retry!, i + 1, () => 0));
	let timeoutMinutes: number | undefined;
	if (definition.timeoutMs !== undefined) {
		const total = definition.timeoutMs * attempts + delays.reduce((a, b) => a + b, 0);
		timeoutMinutes = Math.max(1, Math.ceil(total / 60_000));
		if (attempts > 1) {
			plan.report.approximate(`${at}.timeout`, `timeout-minutes: ${timeoutMinutes} covers all ${attempts} attempts together, not each one`, definition.id);
		} else if (timeoutMinutes * 60_000 !== definition.timeoutMs) {
			plan.report.approximate(`${at}.timeout`, `timeout-minutes is whole minutes; rounded up to ${timeoutMinutes}`, definition.id);
		}
	}
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(definition.env ?? {})) {
		env[key] = githubLiteral(value);
	}
	let run = githubLiteral(definition.command!);
	if (attempts > 1) {
		plan.report.approximate(`${at}.retry`, `GitHub Actions has no job retry; emitted as a shell loop${definition.retry!.jitter ? ' without jitter' : ''}`, definition.id);
		env.WORKSPACE_JOBS_COMMAND = run;
		run = retryLoop(delays);
	}
	const workingDirectory = path.posix.normalize(path.posix.join(options.repositoryDir ?? repositoryDirOf(options.file), p.relativeCwd));
	return {
		name: definition.name ?? definition.id,
		needs: needs.length ? needs : undefined,
		'runs-on': 'ubuntu-latest',
		'timeout-minutes': timeoutMinutes,
		steps: [
			{ uses: 'actions/checkout@v4' },
			{
				name: definition.id,
				shell: 'sh {0}',
				'working-directory': workingDirectory === '.' ? undefined : workingDirectory,
				env: Object.keys(env).length ? env : undefined,
				run,
			},
		],
	};
}

/** Runs the command up to `delays.length + 1` times, sleeping between attempts; exits with the last status. */
function retryLoop(delays: number[]): string {
	const seconds = delays.map((ms) => String(Math.round(ms) / 1000));
	return [
		`for delay in ${seconds.join(' ')} last; do`,
		'\tsh -c "$WORKSPACE_JOBS_COMMAND" && exit 0',
		'\tstatus=$?',
		'\tif [ "$delay" != last ]; then sleep "$delay"; fi',
		'done',
		'exit "$status"',
	].join('\n');
}
