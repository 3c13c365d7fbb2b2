/**
 * Kubernetes: one batch/v1 CronJob per scheduled job, running the command with `/bin/sh -c` in
 * `--image`, which must hold the folder of `.jobs.json` at `imageDir`. CronJobs cannot wait for
 * each other, so `dependsOn` is lost here (Argo's DAGs keep it). Kubernetes expands `$(NAME)` in
 * `command` and `env` values and reads `$$` as `$`, so every `$` is doubled to stay literal.
 */
import * as path from 'node:path';
import type { JobDefinition } from '../model';
import { catchUpOf, type ExportOptions, type ExportPlan, type ExportResult, type PlannedJob, reportPriority, startingDeadlineOf, type ExportTarget, targetTitles } from './exportPlan';
import { type CronConversion, toFiveFieldCron } from './cronConversion';
import { dnsLabel } from './targetNames';
import { toYaml, type YamlValue } from './yamlText';

/** CronJob names leave 11 characters for the Jobs they create. */
const cronJobNameMax = 52;
/** The controller checks schedules every 10 s; a shorter deadline may never start a run. */
const minimumDeadlineSeconds = 10;
const defaultImageDir = '/workspace';

/** Kubernetes expands `$(VAR)` and turns `$$` into `$`: doubling every `$` keeps the text as written. */
export function kubernetesLiteral(text: string): string {
	return text.replace(/\$/g, '$$$$');
}

export function exportKubernetes(plan: ExportPlan, options: ExportOptions): ExportResult {
	const files = [];
	for (const p of plan.jobs.filter((j) => !j.job.schedule)) {
		plan.report.leftOut(p.path, 'left out: it runs only before the jobs that depend on it, which Kubernetes CronJobs cannot express (export with --target argo)', p.job.id);
	}
	for (const p of plan.scheduled) {
		const schedule = cronFor(plan, p, 'kubernetes');
		if (!schedule) {
			continue;
		}
		reportPriority(plan, p, 'kubernetes');
		if (p.job.dependsOn?.length) {
			plan.report.lost(`${p.path}.dependsOn`, 'Kubernetes CronJobs cannot wait for other jobs; dropped (export with --target argo to keep it)', p.job.id);
		}
		const retries = p.job.retry?.retries ?? 0;
		if (retries > 0) {
			plan.report.approximate(`${p.path}.retry`, `backoffLimit: ${retries} retries on the Job's own curve (10 s doubling, at most 6 min), not the file's`, p.job.id);
		}
		const name = dnsLabel(p.job.id, cronJobNameMax);
		const manifest: YamlValue = {
			apiVersion: 'batch/v1',
			kind: 'CronJob',
			metadata: metadata(p, name),
			spec: {
				schedule: schedule.expression!,
				timeZone: schedule.timezone,
				...startPolicy(plan, p, 'kubernetes'),
				jobTemplate: {
					spec: {
						backoffLimit: retries,
						activeDeadlineSeconds: deadlineSeconds(plan, p, 'kubernetes'),
						template: { spec: { restartPolicy: 'Never', containers: [container(p, options)] } },
					},
				},
			},
		};
		files.push({ path: `${name}.yaml`, content: toYaml(manifest) });
	}
	return { files, report: plan.report };
}

/** The schedule as five-field cron; reports what changed, and undefined (job left out) when there is none. */
export function cronFor(plan: ExportPlan, p: PlannedJob, target: ExportTarget): CronConversion | undefined {
	const conversion = toFiveFieldCron(p.job.schedule!, targetTitles[target]);
	if (conversion.problem) {
		plan.report[conversion.problem.fidelity](`${p.path}.schedule`, conversion.problem.message, p.job.id);
	}
	return conversion.expression ? conversion : undefined;
}

export function metadata(p: PlannedJob, name: string): YamlValue {
	return {
		name,
		labels: { 'app.kubernetes.io/managed-by': 'workspace-jobs' },
		annotations: { 'workspace-jobs/id': p.job.id, 'workspace-jobs/name': p.job.name },
	};
}

/** `concurrencyPolicy` and `startingDeadlineSeconds`, shared by CronJob and CronWorkflow. */
export function startPolicy(plan: ExportPlan, p: PlannedJob, target: ExportTarget): Record<string, YamlValue> {
	const overlap = p.job.overlap ?? 'skip';
	const policy = { skip: 'Forbid', queue: 'Forbid', allow: 'Allow', replace: 'Replace' }[overlap];
	if (overlap === 'queue') {
		plan.report.lost(`${p.path}.overlap`, `${targetTitles[target]} cannot queue a run behind the running one; emitted as Forbid, which skips it`, p.job.id);
	}
	let deadline: number;
	if (catchUpOf(p.job) === 'once') {
		deadline = Math.max(minimumDeadlineSeconds, Math.ceil(startingDeadlineOf(p.job) / 1000));
	} else {
		deadline = minimumDeadlineSeconds;
		plan.report.approximate(`${p.path}.catchUp`, `"none" emitted as startingDeadlineSeconds: ${minimumDeadlineSeconds}, so a run up to 10 s late still starts`, p.job.id);
	}
	return { concurrencyPolicy: policy, startingDeadlineSeconds: deadline };
}

/** `activeDeadlineSeconds` for the job's timeout, whole seconds rounded up. */
export function deadlineSeconds(plan: ExportPlan, p: PlannedJob, target: ExportTarget, perAttempt = false): number | undefined {
	const ms = p.job.timeoutMs;
	if (ms === undefined) {
		return undefined;
	}
	const seconds = Math.max(1, Math.ceil(ms / 1000));
	if (!perAttempt && (p.job.retry?.retries ?? 0) > 0) {
		plan.report.approximate(`${p.path}.timeout`, `${targetTitles[target]}'s activeDeadlineSeconds: ${seconds} covers the Job with all its retries, not each attempt`, p.job.id);
	} else if (seconds * 1000 !== ms) {
		plan.report.approximate(`${p.path}.timeout`, `activeDeadlineSeconds is whole seconds; rounded up to ${seconds}`, p.job.id);
	}
	return seconds;
}

/** The container that runs a job's command in the image. */
export function container(p: PlannedJob, options: ExportOptions): YamlValue {
	const definition: JobDefinition = p.job;
	const env = Object.entries(definition.env ?? {}).map(([name, value]) => ({ name, value: kubernetesLiteral(value) }));
	return {
		name: 'job',
		image: options.image!,
		workingDir: path.posix.join(options.imageDir ?? defaultImageDir, p.relativeCwd),
		command: ['/bin/sh', '-c', kubernetesLiteral(definition.command!)],
		env: env.length ? env : undefined,
	};
}
