import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { repoRoot } from '../../support/paths';
import { mountSmallVolume, type SmallVolume } from '../../support/smallVolume';

/**
 * `workspace-jobs run` with its state on a full 1 MB volume (a real tmpfs): a run whose output
 * fills it is printed and kept as completed with `outputTruncated`, with a line that says why;
 * when its record cannot be written at all, `run` says why and exits non-zero.
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-cli-full-disk-'));
const cli = path.join(tmp, 'cli.js');
let volume: SmallVolume | string;

before(() => {
	buildSync({ entryPoints: [path.join(repoRoot, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], loader: { '.pl': 'text' }, outfile: cli, logLevel: 'error' });
	volume = mountSmallVolume('1m');
});

after(() => {
	if (typeof volume !== 'string') {
		volume.unmount();
	}
	fs.rmSync(tmp, { recursive: true, force: true });
});

function runCli(stateRoot: string, launcher: string, job: string) {
	const workspace = fs.mkdtempSync(path.join(tmp, 'ws-'));
	const jobs = { jobs: [{ id: 'loud', command: 'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 5000000; echo; echo done' }, { id: 'small', command: 'echo hello' }] };
	fs.writeFileSync(path.join(workspace, '.jobs.json'), JSON.stringify(jobs));
	const r = spawnSync(process.execPath, [cli, 'run', job, '--json'], {
		cwd: workspace,
		encoding: 'utf8',
		env: { ...process.env, WORKSPACE_JOBS_STATE_DIR: stateRoot, WORKSPACE_JOBS_LAUNCHER: launcher },
		timeout: 60_000,
	});
	const records = r.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
	return { code: r.status, records, stderr: r.stderr };
}

function historyLines(stateRoot: string): Array<Record<string, unknown>> {
	const [folder] = fs.readdirSync(stateRoot);
	const text = fs.readFileSync(path.join(stateRoot, folder, 'history.jsonl'), 'utf8');
	return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

for (const launcher of ['1', '0']) {
	const how = launcher === '1' ? 'the launcher' : 'direct spawn';

	test(`run prints and keeps a run that filled the disk as completed with outputTruncated (${how})`, (t) => {
		if (typeof volume === 'string') {
			t.skip(volume);
			return;
		}
		volume.clear();
		const stateRoot = path.join(volume.dir, 'state');
		const r = runCli(stateRoot, launcher, 'loud');
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.records.length, 1);
		assert.equal(r.records[0].status, 'completed');
		assert.equal(r.records[0].outputTruncated, true);
		assert.match(r.stderr, /could not write the run log .*: the disk is full \(ENOSPC\)/);
		const history = historyLines(stateRoot);
		assert.deepEqual(
			history.map((h) => [h.runId, h.status, h.outputTruncated]),
			[[r.records[0].runId, 'completed', true]],
		);
	});

	test(`run exits non-zero and says why when a record cannot be written (${how})`, (t) => {
		if (typeof volume === 'string') {
			t.skip(volume);
			return;
		}
		volume.clear();
		volume.fill();
		const r = runCli(path.join(volume.dir, 'state'), launcher, 'small');
		assert.equal(r.records[0]?.status, 'completed', 'the run itself went well');
		assert.equal(r.code, 1, r.stderr);
		assert.match(r.stderr, /workspace-jobs: 1 run record could not be written to .*history\.jsonl: the disk is full \(ENOSPC\)/);
	});
}
