/**
 * Argo Workflows: one CronWorkflow per scheduled job, whose workflow is a DAG of the job and every
 * job it depends on (a task starts when its `dependencies` succeeded, so a failed one skips the
 * rest, as here). Each job is a container template with its own `retryStrategy` (the file's
 * backoff curve, no jitter) and `activeDeadlineSeconds` per attempt.
 */
import { dependencyClosure, type ExportOptions, type ExportPlan, exportedDependencies, type ExportResult, type PlannedJob, reportPriority } from './exportPlan';
import { container, cronFor, deadlineSeconds, metadata, startPolicy } from './kubernetes';
import { dnsLabel } from './targetNames';
import { toYaml, type YamlValue } from './yamlText';

/** CronWorkflow names leave room for the suffix of the Workflows they create. */
const nameMax = 52;

export function exportArgo(plan: ExportPlan, options: ExportOptions): ExportResult {
	const files = [];
	for (const root of plan.scheduled) {
		const schedule = cronFor(plan, root, 'argo');
		if (!schedule) {
			continue;
		}
		const closure = dependencyClosure(plan, root);
		const templates: YamlValue[] = [{ name: 'main', dag: { tasks: closure.map((p) => task(plan, p)) } }];
		for (const p of closure) {
			templates.push(template(plan, p, options));
		}
		const name = dnsLabel(root.job.id, nameMax);
		const manifest: YamlValue = {
			apiVersion: 'argoproj.io/v1alpha1',
			kind: 'CronWorkflow',
			metadata: metadata(root, name),
			spec: {
				schedules: [schedule.expression!],
				timezone: schedule.timezone,
				...startPolicy(plan, root, 'argo'),
				workflowSpec: { entrypoint: 'main', templates },
			},
		};
		files.push({ path: `${name}.yaml`, content: toYaml(manifest) });
	}
	return { files, report: plan.report };
}

function task(plan: ExportPlan, p: PlannedJob): YamlValue {
	const dependencies = exportedDependencies(plan, p).map((d) => dnsLabel(d.job.id));
	return { name: dnsLabel(p.job.id), template: dnsLabel(p.job.id), dependencies: dependencies.length ? dependencies : undefined };
}

function template(plan: ExportPlan, p: PlannedJob, options: ExportOptions): YamlValue {
	reportPriority(plan, p, 'argo');
	if (p.job.command!.includes('{{')) {
		plan.report.approximate(`${p.path}.command`, 'Argo reads {{...}} in a template as a variable; the command may not run as written', p.job.id);
	}
	return {
		name: dnsLabel(p.job.id),
		activeDeadlineSeconds: deadlineSeconds(plan, p, 'argo', true),
		retryStrategy: retryStrategy(plan, p),
		container: container(p, options),
	};
}

function retryStrategy(plan: ExportPlan, p: PlannedJob): YamlValue | undefined {
	const retry = p.job.retry;
	if (!retry || retry.retries <= 0) {
		return undefined;
	}
	if (retry.jitter) {
		plan.report.approximate(`${p.path}.retry`, 'Argo backoff has no jitter; delays are the full curve', p.job.id);
	}
	return {
		limit: retry.retries,
		retryPolicy: 'Always',
		backoff: {
			duration: seconds(retry.delayMs),
			factor: retry.backoff === 'exponential' ? 2 : 1,
			cap: retry.maxDelayMs === undefined ? undefined : seconds(retry.maxDelayMs),
		},
	};
}

/** Go duration text: `1s`, `1.5s`. */
function seconds(ms: number): string {
	return `${ms / 1000}s`;
}
