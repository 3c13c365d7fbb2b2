import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../../support/paths';
import { exampleFile, fixtureFile } from '../../support/exportCases';

const cli = path.join(os.tmpdir(), `wj-export-cli-test-${process.pid}.js`);

before(() => {
	buildSync({ entryPoints: [path.join(repoRoot, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], loader: { '.pl': 'text' }, outfile: cli, logLevel: 'error' });
});

function cliRun(args: string[]) {
	const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 60_000 });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workspace(jobs: object[]): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-export-ws-'));
	const file = path.join(dir, '.jobs.json');
	fs.writeFileSync(file, JSON.stringify({ jobs }));
	return file;
}

test('export --out writes the workflows, prints their paths and reports on stderr', () => {
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-export-out-'));
	const r = cliRun(['export', '--target', 'github-actions', '--file', fixtureFile, '--out', out]);
	assert.equal(r.code, 0, r.stderr);
	const paths = r.stdout.trim().split('\n');
	assert.ok(paths.includes(path.join(out, '.github/workflows/jobs-build.Report.yml')), r.stdout);
	for (const p of paths) {
		assert.ok(fs.existsSync(p), p);
	}
	assert.match(r.stderr, /^jobs\[0\]\.retry: GitHub Actions has no job retry; emitted as a shell loop without jitter \(approximate\)$/m);
	assert.match(r.stderr, /^jobs\[6\]: left out: disabled$/m);
});

test('export without --out prints YAML documents, and systemd units under a header naming each file', () => {
	const k8s = cliRun(['export', '--target', 'kubernetes', '--image', 'repo:1', '--file', exampleFile]);
	assert.equal(k8s.code, 0, k8s.stderr);
	const docs = parseAllDocuments(k8s.stdout).map((d) => d.toJS());
	assert.deepEqual(docs.map((d) => d.metadata.name), ['report', 'heartbeat', 'nightly']);
	const units = cliRun(['export', '--target', 'systemd', '--file', exampleFile]);
	assert.equal(units.code, 0, units.stderr);
	assert.deepEqual(
		[...units.stdout.matchAll(/^# ==> (.+) <==$/gm)].map((m) => m[1]),
		['prepare', 'inventory', 'disk', 'report', 'report.timer', 'heartbeat', 'heartbeat.timer', 'nightly', 'nightly.timer'].map((n) => `workspace-jobs-${n.includes('.') ? n : `${n}.service`}`),
	);
});

test('--strict exits 3 when something was lost and 0 when everything mapped', () => {
	assert.equal(cliRun(['export', '--target', 'github-actions', '--strict', '--file', fixtureFile]).code, 3);
	const exact = workspace([{ id: 'tick', command: 'date', schedule: { cron: '*/15 * * * *' }, overlap: 'allow', catchUp: 'none' }]);
	const r = cliRun(['export', '--target', 'github-actions', '--strict', '--file', exact]);
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stderr, '');
	assert.equal(cliRun(['export', '--target', 'github-actions', '--file', fixtureFile]).code, 0);
});

test('--json puts the report on stdout and needs --out', () => {
	const refused = cliRun(['export', '--target', 'systemd', '--json', '--file', fixtureFile]);
	assert.equal(refused.code, 2);
	assert.match(refused.stderr, /--json .*--out DIR/);
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-export-out-'));
	const r = cliRun(['export', '--target', 'argo', '--image', 'repo:1', '--json', '--out', out, '--file', fixtureFile]);
	assert.equal(r.code, 0, r.stderr);
	const report = JSON.parse(r.stdout);
	assert.equal(report.target, 'argo');
	assert.equal(report.lost, true);
	assert.ok(report.files.every((f: string) => fs.existsSync(f)));
	assert.ok(report.notes.some((n: { path: string; fidelity: string }) => n.path === 'jobs[1].overlap' && n.fidelity === 'lost'), r.stdout);
	assert.equal(r.stderr, '');
});

test('Kubernetes and Argo without --image fail with a message that says so', () => {
	for (const target of ['kubernetes', 'argo']) {
		const r = cliRun(['export', '--target', target, '--file', exampleFile]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /--image IMAGE/);
		assert.equal(r.stdout, '');
	}
});

test('a file with errors exits 1 with the messages of validate', () => {
	const broken = path.join(repoRoot, 'test/fixtures/broken/.jobs.json');
	const validate = cliRun(['validate', '--file', broken]);
	const r = cliRun(['export', '--target', 'systemd', '--file', broken]);
	assert.equal(r.code, 1);
	assert.equal(validate.code, 1);
	assert.equal(r.stderr, validate.stdout);
	assert.equal(r.stdout, '');
});

test('named jobs are exported with what they depend on; an unknown id or target is refused', () => {
	const r = cliRun(['export', '--target', 'systemd', '--file', exampleFile, 'report']);
	assert.equal(r.code, 0, r.stderr);
	assert.deepEqual(
		[...r.stdout.matchAll(/^# ==> (.+) <==$/gm)].map((m) => m[1]),
		['prepare.service', 'inventory.service', 'disk.service', 'report.service', 'report.timer'].map((n) => `workspace-jobs-${n}`),
	);
	// A named job that nothing starts is still left out, with its note.
	assert.match(cliRun(['export', '--target', 'systemd', '--file', exampleFile, 'inventory']).stderr, /^jobs\[1\]: left out: no schedule and no job depends on it/m);
	const unknown = cliRun(['export', '--target', 'systemd', '--file', exampleFile, 'nope']);
	assert.equal(unknown.code, 1);
	assert.match(unknown.stderr, /no valid job "nope"/);
	assert.equal(cliRun(['export', '--target', 'cron', '--file', exampleFile]).code, 2);
});

test('the exported OnCalendar= gives the times of workspace-jobs next', (t) => {
	const analyze = spawnSync('systemd-analyze', ['--version']);
	if (analyze.error || analyze.status !== 0) {
		t.skip('systemd-analyze is not installed (Debian package systemd)');
		return;
	}
	const units = cliRun(['export', '--target', 'systemd', '--file', exampleFile, 'nightly']).stdout;
	const calendar = /^OnCalendar=(.+)$/m.exec(units)![1];
	const from = '2026-03-27T00:00:00Z';
	const next = cliRun(['next', 'nightly', '--count', '6', '--from', from, '--json', '--file', exampleFile]).stdout.trim().split('\n').map((l) => JSON.parse(l).at as string);
	const r = spawnSync('systemd-analyze', ['calendar', '--iterations=6', `--base-time=@${Date.parse(from) / 1000}`, calendar], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
	const theirs = [...r.stdout.matchAll(/: \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map((m) => new Date(`${m[1].replace(' ', 'T')}Z`).toISOString());
	// 2026-03-29 02:30 does not exist in Berlin: the engine runs at 03:00 (01:00Z), systemd skips the day.
	assert.deepEqual(next.filter((t) => t !== '2026-03-29T01:00:00.000Z'), theirs.slice(0, 5));
	assert.ok(next.includes('2026-03-29T01:00:00.000Z'), next.join('\n'));
	const report = cliRun(['export', '--target', 'systemd', '--file', exampleFile, 'nightly']).stderr;
	assert.match(report, /jobs\[5\]\.schedule: on 20\d\d-03-\d\d the clocks spring forward past a time of "30 2 \* \* \*"/);
});
