import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { defaultStateRoot, workspaceStateDir } from '../../../../src/core/base/stateDir';
import { readJsonFile, writeFileAtomic } from '../../../../src/core/base/atomicFile';
import { startStorageChild } from '../../../support/childProcess';
import { testRandom } from '../../../support/random';

const roots: string[] = [];
after(() => {
	for (const root of roots) {
		fs.rmSync(root, { recursive: true, force: true });
	}
});

function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-state-'));
	roots.push(dir);
	return dir;
}

function tmpSiblings(file: string): string[] {
	return fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith(`${path.basename(file)}.tmp-`));
}

/** Runs `fn` with environment variables replaced, restoring them afterwards. */
function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
	const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
	const apply = (values: Record<string, string | undefined>) => {
		for (const [k, v] of Object.entries(values)) {
			if (v === undefined) {
				delete process.env[k];
			} else {
				process.env[k] = v;
			}
		}
	};
	apply(vars);
	try {
		fn();
	} finally {
		apply(saved);
	}
}

describe('state folders', () => {
	test('WORKSPACE_JOBS_STATE_DIR overrides XDG_STATE_HOME', () => {
		withEnv({ WORKSPACE_JOBS_STATE_DIR: '/custom/state', XDG_STATE_HOME: '/xdg' }, () => {
			assert.equal(defaultStateRoot(), path.resolve('/custom/state'));
		});
		withEnv({ WORKSPACE_JOBS_STATE_DIR: undefined, XDG_STATE_HOME: '/xdg' }, () => {
			assert.equal(defaultStateRoot(), path.join('/xdg', 'workspace-jobs'));
		});
		withEnv({ WORKSPACE_JOBS_STATE_DIR: undefined, XDG_STATE_HOME: 'relative' }, () => {
			assert.notEqual(defaultStateRoot(), path.join('relative', 'workspace-jobs'));
		});
	});

	test('a workspace folder and a symlink to it share one state folder', () => {
		const dir = tempDir();
		const folder = path.join(dir, 'My Project');
		fs.mkdirSync(folder);
		fs.symlinkSync(folder, path.join(dir, 'link'));
		const root = path.join(dir, 'state');
		const stateDir = workspaceStateDir(folder, root);
		assert.match(path.basename(stateDir), /^My_Project-[0-9a-f]{12}$/);
		assert.equal(path.dirname(stateDir), root);
		assert.equal(workspaceStateDir(path.join(dir, 'link'), root), stateDir);
		assert.notEqual(workspaceStateDir(dir, root), stateDir);
	});
});

describe('writeFileAtomic and readJsonFile', () => {
	test('writes, replaces and reads back JSON, creating folders', () => {
		const file = path.join(tempDir(), 'a', 'b', 'state.json');
		writeFileAtomic(file, JSON.stringify({ v: 1 }));
		writeFileAtomic(file, JSON.stringify({ v: 2 }));
		assert.deepEqual(readJsonFile(file), { v: 2 });
		assert.deepEqual(tmpSiblings(file), []);
	});

	test('returns undefined for a missing or unparseable file', () => {
		const dir = tempDir();
		assert.equal(readJsonFile(path.join(dir, 'missing.json')), undefined);
		fs.writeFileSync(path.join(dir, 'bad.json'), '{"v":');
		assert.equal(readJsonFile(path.join(dir, 'bad.json')), undefined);
	});

	test('removes temp files of dead or old writers and keeps a live writer\'s', () => {
		const file = path.join(tempDir(), 'state.json');
		writeFileAtomic(file, '{}');
		const dead = `${file}.tmp-99999999-0000aaaa`;
		const old = `${file}.tmp-${process.pid}-0000bbbb`;
		const live = `${file}.tmp-${process.pid}-0000cccc`;
		for (const tmp of [dead, old, live]) {
			fs.writeFileSync(tmp, '{"partial');
		}
		const hourAgo = new Date(Date.now() - 3_600_000);
		fs.utimesSync(old, hourAgo, hourAgo);
		assert.deepEqual(readJsonFile(file), {});
		assert.deepEqual(tmpSiblings(file), [path.basename(live)]);
	});

	test('the file stays parseable when the writer is SIGKILLed mid-write', async (t) => {
		const random = testRandom(t);
		const file = path.join(tempDir(), 'state.json');
		let leftovers = 0;
		let previous: { child: string; seq: number } | undefined;
		for (let i = 0; i < 12; i++) {
			const name = `child${i}`;
			const child = startStorageChild(['atomic', file, name, '1000000']);
			// Aim at the first or second data write, at a random point inside it.
			const target = 1 + (i % 2);
			await child.waitFor(() => child.lines.filter((l) => l === 'writing').length >= target);
			const until = performance.now() + random.next() * 2;
			while (performance.now() < until) {
				// spin: timers are too coarse to land inside a write of a few ms
			}
			await child.kill();
			const acked = Math.max(0, ...child.lines.filter((l) => /^\d+$/.test(l)).map(Number));
			leftovers += tmpSiblings(file).length;
			const state = readJsonFile<{ child: string; seq: number; big: string }>(file);
			assert.deepEqual(tmpSiblings(file), [], 'stale temp file left after readJsonFile');
			if (!previous && acked === 0 && state === undefined) {
				continue; // killed before the very first rename: nothing to keep yet
			}
			assert.ok(state, `state file unreadable after kill ${i}`);
			assert.equal(state.big.length, 1_000_000);
			if (state.child === name) {
				// The acknowledged content or the one being written, never older.
				assert.ok(state.seq >= acked && state.seq <= acked + 1, `seq ${state.seq}, acknowledged ${acked}`);
			} else {
				assert.equal(acked, 0, `${name} acknowledged a write that is not on disk`);
				assert.deepEqual({ child: state.child, seq: state.seq }, previous);
			}
			previous = { child: state.child, seq: state.seq };
		}
		t.diagnostic(`temp files left by kills: ${leftovers} of 12`);
	});
});
