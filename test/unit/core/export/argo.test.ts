import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { formatFidelityNote } from '../../../../src/core/export/fidelityReport';
import { exampleFile, exportFile, exportFiles, fixtureFile } from '../../../support/exportCases';
import { exportProblems } from '../../../support/exportValidators';

type Manifest = Record<string, any>;

test('@kubernetes-models/argo-workflows validates every exported CronWorkflow', async () => {
	for (const file of exportFiles) {
		assert.deepEqual(await exportProblems('argo', exportFile(file, 'argo').files), [], file);
	}
	const f = exportFile(exampleFile, 'argo').files[0];
	const broken = parse(f.content) as Manifest;
	broken.spec.schedules = '*/15 * * * *';
	assert.notDeepEqual(await exportProblems('argo', [{ path: f.path, content: stringify(broken) }]), []);
});

test('dependencies become a DAG and each job a template with its retry and timeout', () => {
	const report = parse(exportFile(exampleFile, 'argo').files.find((f) => f.path === 'report.yaml')!.content) as Manifest;
	const [main, ...templates] = report.spec.workflowSpec.templates;
	assert.equal(report.spec.workflowSpec.entrypoint, 'main');
	assert.deepEqual(
		main.dag.tasks.map((t: Manifest) => [t.name, t.dependencies ?? []]),
		[['prepare', []], ['inventory', ['prepare']], ['disk', ['prepare']], ['report', ['inventory', 'disk']]],
	);
	const byName = new Map<string, Manifest>(templates.map((t: Manifest) => [t.name, t]));
	assert.equal(byName.get('inventory')!.activeDeadlineSeconds, 30);
	assert.deepEqual(byName.get('disk')!.retryStrategy, { limit: 2, retryPolicy: 'Always', backoff: { duration: '1s', factor: 2 } });
	const fetch = (parse(exportFile(fixtureFile, 'argo').files[0].content) as Manifest).spec.workflowSpec.templates[1];
	assert.deepEqual(fetch.retryStrategy.backoff, { duration: '2s', factor: 2, cap: '5s' });
	assert.deepEqual(report.spec.schedules, ['*/15 * * * *']);
});

test('the report keeps dependencies and names the jitter and the template tags', () => {
	const lines = exportFile(fixtureFile, 'argo').report.sorted().map(formatFidelityNote);
	assert.ok(!lines.some((l) => l.includes('dependsOn')), lines.join('\n'));
	assert.ok(lines.includes('jobs[0].retry: Argo backoff has no jitter; delays are the full curve (approximate)'), lines.join('\n'));
	assert.ok(lines.some((l) => l.startsWith('jobs[0].command: Argo reads {{...}}')), lines.join('\n'));
});
