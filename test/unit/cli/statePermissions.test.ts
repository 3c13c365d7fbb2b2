import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { repoRoot } from '../../support/paths';

/**
 * `workspace-jobs run` under a umask that lets everyone read (022) or write (000): the state
 * root, the workspace's state folder and everything in it (history, journal, run logs)
 * are 0700 folders and 0600 files, through the launcher and through direct spawn.
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-cli-permissions-'));
const cli = path.join(tmp, 'cli.js');

before(() => {
	buildSync({ entryPoints: [path.join(repoRoot, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], loader: { '.pl': 'text' }, outfile: cli, logLevel: 'error' });
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function wrongModes(root: string): string[] {
	const wrong: string[] = [];
	const visit = (file: string) => {
		const st = fs.lstatSync(file);
		const want = st.isDirectory() ? 0o700 : 0o600;
		if ((st.mode & 0o7777) !== want) {
			wrong.push(`${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${file}`);
		}
		if (st.isDirectory()) {
			for (const name of fs.readdirSync(file)) {
				visit(path.join(file, name));
			}
		}
	};
	visit(root);
	return wrong;
}

for (const launcher of ['1', '0']) {
	for (const umask of ['022', '000']) {
		test(`run keeps the state private with umask ${umask} (${launcher === '1' ? 'the launcher' : 'direct spawn'})`, () => {
			const workspace = fs.mkdtempSync(path.join(tmp, 'ws-'));
			const jobs = { jobs: [{ id: 'token', command: 'echo secret-token; echo also >&2' }, { id: 'fails', command: 'echo no; exit 4' }] };
			fs.writeFileSync(path.join(workspace, '.jobs.json'), JSON.stringify(jobs));
			const root = path.join(tmp, `state-${umask}-${launcher}`, 'workspace-jobs');
			const r = spawnSync('/bin/sh', ['-c', `umask ${umask}; exec "$0" "$@"`, process.execPath, cli, 'run', '--json'], {
				cwd: workspace,
				encoding: 'utf8',
				env: { ...process.env, WORKSPACE_JOBS_STATE_DIR: root, WORKSPACE_JOBS_LAUNCHER: launcher },
				timeout: 30_000,
			});
			assert.equal(r.status, 1, r.stderr);
			const records = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { jobId: string; logFile?: string });
			assert.equal(records.length, 2);
			for (const record of records) {
				assert.ok(record.logFile && fs.readFileSync(record.logFile, 'utf8').length > 0, `${record.jobId} has a log`);
			}
			const stateDir = path.dirname(path.dirname(path.dirname(records[0].logFile as string)));
			assert.ok(fs.existsSync(path.join(stateDir, 'history.jsonl')), 'history written');
			assert.ok(fs.readdirSync(stateDir).some((n) => n.startsWith('inflight-')), 'the journal was written');
			// The state root and the folder above it (both made by the run) included.
			assert.deepEqual(wrongModes(path.dirname(root)), []);
		});
	}
}
