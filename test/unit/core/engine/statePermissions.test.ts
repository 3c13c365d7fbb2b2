import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { workspaceStateDir } from '../../../../src/core/base/stateDir';
import { repoRoot, tsxFlags } from '../../../support/paths';

/**
 * Run logs, history and state hold whatever jobs print (tokens included): every folder the
 * engine makes is 0700 and every file 0600 whatever the umask, on every path that writes them,
 * and what an older version left with looser modes is tightened when an engine opens its folder.
 * Each case is a real host process with its own umask (the launcher inherits it at spawn).
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-permissions-'));
const child = path.join(repoRoot, 'test', 'support', 'privateStateChild.ts');

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface ChildReport {
	stateDir: string;
	launcher: number | undefined;
	records: Array<{ jobId: string; status: string; logFile?: string }>;
	recovered: string[];
}

function runHost(umask: string, launcher: boolean, root: string, workspace: string): ChildReport {
	const r = spawnSync(process.execPath, [...tsxFlags, child, umask, workspace], {
		encoding: 'utf8',
		env: { ...process.env, WORKSPACE_JOBS_STATE_DIR: root, WORKSPACE_JOBS_LAUNCHER: launcher ? '1' : '0' },
		timeout: 60_000,
	});
	assert.equal(r.status, 0, `host failed: ${r.stderr}`);
	return JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildReport;
}

/** Every path under `root` (itself included) with its lstat mode, as `0700 d path`. */
function modes(root: string): Array<{ file: string; mode: number; kind: 'd' | 'f' | 'l' | 'o'; uid: number }> {
	const out: Array<{ file: string; mode: number; kind: 'd' | 'f' | 'l' | 'o'; uid: number }> = [];
	const visit = (file: string) => {
		const st = fs.lstatSync(file);
		const kind = st.isDirectory() ? 'd' : st.isFile() ? 'f' : st.isSymbolicLink() ? 'l' : 'o';
		out.push({ file, mode: st.mode & 0o7777, kind, uid: st.uid });
		if (kind === 'd') {
			for (const name of fs.readdirSync(file)) {
				visit(path.join(file, name));
			}
		}
	};
	visit(root);
	return out;
}

function assertPrivate(root: string, except: ReadonlySet<string> = new Set()): void {
	const wrong = modes(root)
		.filter((m) => !except.has(m.file) && m.kind !== 'l')
		.filter((m) => m.mode !== (m.kind === 'd' ? 0o700 : 0o600))
		.map((m) => `${m.mode.toString(8).padStart(4, '0')} ${m.kind} ${m.file}`);
	assert.deepEqual(wrong, [], 'every folder 0700 and every file 0600');
}

/** A state folder as an older version left it under umask 022 (0755 folders, 0644 files), plus things the engine must not touch. */
function looseStateFolder(root: string, workspace: string): { foreign?: string; linkTarget: string } {
	const stateDir = workspaceStateDir(workspace, root);
	fs.mkdirSync(path.join(stateDir, 'logs', 'old'), { recursive: true });
	for (const dir of [root, stateDir, path.join(stateDir, 'logs'), path.join(stateDir, 'logs', 'old')]) {
		fs.chmodSync(dir, 0o755);
	}
	fs.writeFileSync(path.join(stateDir, 'logs', 'old', 'r-1.log'), 'an old token\n', { mode: 0o644 });
	fs.chmodSync(path.join(stateDir, 'logs', 'old', 'r-1.log'), 0o666);
	fs.writeFileSync(path.join(stateDir, 'history.jsonl'), '', { mode: 0o644 });
	fs.chmodSync(path.join(stateDir, 'history.jsonl'), 0o644);
	// A journal of a dead host: recovery turns its run into an `interrupted` record.
	const deadPid = deadProcessId();
	const start = { type: 'start', host: deadPid, run: { jobId: 'print', runId: 'lost-run', attempt: 1, startedAt: new Date().toISOString(), trigger: 'manual' } };
	fs.writeFileSync(path.join(stateDir, `inflight-${deadPid}.jsonl`), `${JSON.stringify(start)}\n`, { mode: 0o644 });
	// A link is not followed: its target outside keeps its mode.
	const linkTarget = path.join(tmp, `outside-${path.basename(workspace)}.txt`);
	fs.writeFileSync(linkTarget, 'not ours to change\n');
	fs.chmodSync(linkTarget, 0o644);
	fs.symlinkSync(linkTarget, path.join(stateDir, 'logs', 'old', 'link.log'));
	// A file of another user (as root, one can be made) is left as it is.
	let foreign: string | undefined;
	if (process.geteuid?.() === 0) {
		foreign = path.join(stateDir, 'logs', 'old', 'foreign.log');
		fs.writeFileSync(foreign, 'x');
		fs.chmodSync(foreign, 0o644);
		fs.chownSync(foreign, 65534, 65534);
	}
	return { foreign, linkTarget };
}

function deadProcessId(): number {
	const r = spawnSync('/bin/sh', ['-c', 'echo $$']);
	return Number(String(r.stdout).trim());
}

for (const launcher of [true, false]) {
	for (const umask of ['022', '000']) {
		const how = launcher ? 'the launcher' : 'direct spawn';
		test(`every state folder is 0700 and every file 0600 with umask ${umask} (${how})`, () => {
			const root = path.join(tmp, `root-${umask}-${launcher ? 'l' : 'd'}`);
			const workspace = fs.mkdtempSync(path.join(tmp, 'ws-'));
			const report = runHost(umask, launcher, root, workspace);
			assert.equal(report.launcher !== undefined, launcher, 'the runs went the way the case says');
			const stateDir = report.stateDir;
			// Every writer ran: logs (both streams), history and its rotation, the journal, state.json, a rewrite, a compaction.
			for (const name of ['history.jsonl', 'history.1.jsonl', 'state.json', 'journal-compaction.jsonl', 'logs']) {
				assert.ok(fs.existsSync(path.join(stateDir, name)), `${name} written`);
			}
			const logs = report.records.filter((r) => r.logFile).map((r) => r.logFile as string);
			assert.equal(logs.length, 3, `logs of print (twice) and of fail: ${JSON.stringify(report.records)}`);
			assert.ok(logs.every((log) => fs.existsSync(log)));
			assertPrivate(root);
		});
	}
}

for (const launcher of [true, false]) {
	test(`opening a state folder tightens what an older version left, and nothing else (${launcher ? 'the launcher' : 'direct spawn'})`, () => {
		const root = path.join(tmp, `loose-${launcher ? 'l' : 'd'}`);
		const workspace = fs.mkdtempSync(path.join(tmp, 'ws-'));
		const { foreign, linkTarget } = looseStateFolder(root, workspace);
		const report = runHost('022', launcher, root, workspace);
		assert.deepEqual(report.recovered, ['lost-run'], 'recovery wrote the run of the dead host');
		assertPrivate(root, new Set(foreign ? [foreign] : []));
		assert.equal(fs.statSync(linkTarget).mode & 0o7777, 0o644, 'a link target outside is not changed');
		if (foreign) {
			assert.equal(fs.lstatSync(foreign).mode & 0o7777, 0o644, "another user's file is not changed");
		}
	});
}

test('a state root that is shared on purpose (sticky, like /tmp) is not changed', () => {
	const root = path.join(tmp, 'sticky-root');
	fs.mkdirSync(root);
	fs.chmodSync(root, 0o1777);
	const workspace = fs.mkdtempSync(path.join(tmp, 'ws-'));
	const report = runHost('022', false, root, workspace);
	assert.equal(fs.statSync(root).mode & 0o7777, 0o1777);
	assertPrivate(report.stateDir);
	execFileSync('chmod', ['0700', root]);
});
