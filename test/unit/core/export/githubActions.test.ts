import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { parse } from 'yaml';
import { formatFidelityNote } from '../../../../src/core/export/fidelityReport';
import { exampleFile, exportFile, exportFiles, fixtureFile } from '../../../support/exportCases';
import { exportProblems } from '../../../support/exportValidators';

type Workflow = {
	on: { schedule?: Array<{ cron: string; timezone?: string }> };
	concurrency?: { group: string; 'cancel-in-progress': boolean };
	jobs: Record<string, { needs?: string[]; 'timeout-minutes'?: number; steps: Array<{ run?: string; env?: Record<string, string>; shell?: string; 'working-directory'?: string }> }>;
};

function workflows(file: string): Map<string, Workflow> {
	return new Map(exportFile(file, 'github-actions').files.map((f) => [f.path, parse(f.content) as Workflow]));
}

test("GitHub's own parser accepts every exported workflow with no errors", async () => {
	for (const file of exportFiles) {
		assert.deepEqual(await exportProblems('github-actions', exportFile(file, 'github-actions').files), [], file);
	}
	const broken = exportFile(fixtureFile, 'github-actions').files[0];
	assert.notDeepEqual(await exportProblems('github-actions', [{ ...broken, content: broken.content.replace('runs-on:', 'runs_on:') }]), []);
});

test('a scheduled job and its dependencies share one workflow, linked by needs', () => {
	const report = workflows(exampleFile).get('.github/workflows/jobs-report.yml')!;
	assert.deepEqual(report.on.schedule, [{ cron: '*/15 * * * *' }]);
	assert.deepEqual(Object.keys(report.jobs), ['prepare', 'inventory', 'disk', 'report']);
	assert.deepEqual(report.jobs.report.needs, ['inventory', 'disk']);
	assert.deepEqual(report.jobs.inventory.needs, ['prepare']);
	assert.equal(report.jobs.inventory['timeout-minutes'], 1);
});

test('timezone, overlap and cwd map to timezone, concurrency and working-directory', () => {
	const all = workflows(fixtureFile);
	const build = all.get('.github/workflows/jobs-build.Report.yml')!;
	assert.deepEqual(build.on.schedule, [{ cron: '30 2 * * *', timezone: 'Europe/Berlin' }]);
	const buildJob = Object.values(build.jobs).find((j) => j.needs)!;
	assert.equal(buildJob.steps[1]['working-directory'], 'test/fixtures/export/tools');
	assert.equal(buildJob.steps[1].shell, 'sh {0}');
	assert.deepEqual(all.get('.github/workflows/jobs-hourly.yml')!.concurrency, { group: 'workspace-jobs-hourly', 'cancel-in-progress': true });
	assert.equal(all.get('.github/workflows/jobs-weekday-morning.yml')!.concurrency, undefined);
	assert.deepEqual(all.get('.github/workflows/jobs-weekday-morning.yml')!.on.schedule, [{ cron: '0 9 1,15 * 1-5', timezone: 'UTC' }]);
	assert.deepEqual(all.get('.github/workflows/jobs-hourly.yml')!.on.schedule, [{ cron: '15 * * * *', timezone: 'America/New_York' }]);
});

test('the retry loop runs the command until it succeeds, with the literal command and env', () => {
	const build = workflows(fixtureFile).get('.github/workflows/jobs-build.Report.yml')!;
	const step = build.jobs.fetch.steps[1];
	assert.match(step.env!.WORKSPACE_JOBS_COMMAND, /\$\{\{ '\$\{\{' \}\} not\.an\.expression/);
	assert.equal(step.env!.QUOTE, 'say "hi" \\ $PATH');
	// Two failures, then success: the loop must end 0 after three attempts, sleeping in between.
	const script = step.run!.replace(/for delay in [\d. ]+last/, 'for delay in 0 0 0 last');
	const counter = `/tmp/wj-retry-${process.pid}`;
	const r = spawnSync('sh', ['-c', `rm -f ${counter}; ${script}`], {
		encoding: 'utf8',
		env: { ...process.env, WORKSPACE_JOBS_COMMAND: `echo x >> ${counter}; [ $(wc -l < ${counter}) -ge 3 ]` },
	});
	assert.equal(r.status, 0, r.stderr);
	const failing = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, WORKSPACE_JOBS_COMMAND: 'exit 7' } });
	assert.equal(failing.status, 7);
});

test('the report says what GitHub cannot do, one line per job and field', () => {
	const lines = exportFile(fixtureFile, 'github-actions').report.sorted().map(formatFidelityNote);
	for (const expected of [
		'concurrency: GitHub Actions has no limit of runs at once across jobs; dropped (lost)',
		'jobs[0].retry: GitHub Actions has no job retry; emitted as a shell loop without jitter (approximate)',
		'jobs[0].timeout: timeout-minutes: 7 covers all 4 attempts together, not each one (approximate)',
		'jobs[1].priority: GitHub Actions does not order waiting runs by priority; dropped (lost)',
		'jobs[1].catchUp: GitHub drops runs missed while it was busy or down; no catch-up (lost)',
		'jobs[4].schedule: GitHub Actions has no interval schedule; emitted as "*/10 * * * *" on a grid from the full hour instead of from when the schedule started (approximate)',
		'jobs[6]: left out: disabled',
		'jobs[7]: left out: no schedule and no job depends on it (manual only)',
	]) {
		assert.ok(lines.includes(expected), `missing: ${expected}\n${lines.join('\n')}`);
	}
});

test('crons more often than every 5 minutes are reported', () => {
	const lines = exportFile(exampleFile, 'github-actions').report.sorted().map(formatFidelityNote);
	assert.ok(lines.some((l) => l.startsWith('jobs[4].schedule: "* * * * *" fires more often than every 5 minutes')), lines.join('\n'));
	assert.ok(!lines.some((l) => l.startsWith('jobs[3].schedule:')), lines.join('\n'));
});
