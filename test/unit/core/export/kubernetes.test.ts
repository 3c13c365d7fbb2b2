import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { readJobsFile } from '../../../../src/core/definitions/jobsFile';
import { exportJobs } from '../../../../src/core/export/exportJobs';
import { formatFidelityNote } from '../../../../src/core/export/fidelityReport';
import { exportFile, exportFiles, fixtureFile, testImage } from '../../../support/exportCases';
import { exportProblems } from '../../../support/exportValidators';

type Manifest = Record<string, any>;

test('kubernetes-models validates every exported CronJob', async () => {
	for (const file of exportFiles) {
		const result = exportFile(file, 'kubernetes');
		assert.deepEqual(await exportProblems('kubernetes', result.files), [], file);
		for (const f of result.files) {
			const manifest = parse(f.content) as Manifest;
			assert.match(manifest.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
			assert.ok(manifest.metadata.name.length <= 52, manifest.metadata.name);
		}
	}
});

test('a broken CronJob fails the same validation', async () => {
	const f = exportFile(fixtureFile, 'kubernetes').files[0];
	const manifest = parse(f.content) as Manifest;
	manifest.spec.jobTemplate.spec.template.spec.containers[0].command = '/bin/sh';
	assert.notDeepEqual(await exportProblems('kubernetes', [{ path: f.path, content: stringify(manifest) }]), []);
});

test('schedule, zone, overlap, catch-up, retry, timeout, cwd and env map to the CronJob fields', () => {
	const files = new Map(exportFile(fixtureFile, 'kubernetes').files.map((f) => [f.path, parse(f.content) as Manifest]));
	const build = files.get('build-report-a4b3d9.yaml')!;
	assert.equal(build.spec.schedule, '30 2 * * *');
	assert.equal(build.spec.timeZone, 'Europe/Berlin');
	assert.equal(build.spec.concurrencyPolicy, 'Forbid');
	assert.equal(build.spec.startingDeadlineSeconds, 7200);
	const container = build.spec.jobTemplate.spec.template.spec.containers[0];
	assert.equal(container.image, testImage);
	assert.equal(container.workingDir, '/workspace/tools');
	assert.deepEqual(container.command, ['/bin/sh', '-c', "printf 'line one\\n'\nprintf 'line two\\n'"]);
	const hourly = files.get('hourly.yaml')!;
	assert.equal(hourly.spec.concurrencyPolicy, 'Replace');
	assert.equal(hourly.spec.jobTemplate.spec.activeDeadlineSeconds, 120);
	assert.equal(hourly.spec.jobTemplate.spec.backoffLimit, 0);
	assert.equal(files.get('weekday-morning.yaml')!.spec.concurrencyPolicy, 'Allow');
	assert.equal(files.get('poll.yaml')!.spec.schedule, '*/10 * * * *');
	assert.equal(files.has('fetch.yaml'), false);
});

test('every $ is doubled so Kubernetes leaves $(...) in commands and env alone', () => {
	const parsed = readJobsFile(fixtureFile);
	parsed.config.jobs[2].command = 'echo $(date) $$ $HOME';
	parsed.config.jobs[2].env = { A: '$(B)' };
	const hourly = exportJobs(parsed.config, { target: 'kubernetes', file: fixtureFile, image: testImage }).files.find((f) => f.path === 'hourly.yaml')!;
	const container = (parse(hourly.content) as Manifest).spec.jobTemplate.spec.template.spec.containers[0];
	assert.equal(container.command[2], 'echo $$(date) $$$$ $$HOME');
	assert.deepEqual(container.env, [{ name: 'A', value: '$$(B)' }]);
});

test('without --image the export is an error that says so', () => {
	const parsed = readJobsFile(fixtureFile);
	for (const target of ['kubernetes', 'argo'] as const) {
		const result = exportJobs(parsed.config, { target, file: fixtureFile });
		assert.equal(result.files.length, 0);
		assert.match(result.error ?? '', /--image IMAGE/);
	}
});

test('the report names what CronJobs cannot do', () => {
	const lines = exportFile(fixtureFile, 'kubernetes').report.sorted().map(formatFidelityNote);
	for (const expected of [
		'jobs[0]: left out: it runs only before the jobs that depend on it, which Kubernetes CronJobs cannot express (export with --target argo)',
		'jobs[1].dependsOn: Kubernetes CronJobs cannot wait for other jobs; dropped (export with --target argo to keep it) (lost)',
		'jobs[1].overlap: Kubernetes cannot queue a run behind the running one; emitted as Forbid, which skips it (lost)',
	]) {
		assert.ok(lines.includes(expected), `missing: ${expected}\n${lines.join('\n')}`);
	}
	// A six-field cron at second 0 is exact in five fields.
	assert.ok(!lines.some((l) => l.startsWith('jobs[2].schedule')), lines.join('\n'));
});
