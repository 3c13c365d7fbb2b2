import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { createLogger, MemoryLogSink } from '../../../../src/core/base/logger';
import { Engine } from '../../../../src/core/engine/engine';
import type { JobDefinition, RunRecord } from '../../../../src/core/model';
import { pollFor } from '../../../support/wait';

// Run logs with real commands: a run that printed nothing, or never started, leaves no file.

const roots: string[] = [];
after(() => {
	for (const root of roots) {
		fs.rmSync(root, { recursive: true, force: true });
	}
});

function setup(jobs: JobDefinition[]): { engine: Engine; stateDir: string; logs: () => string[] } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-run-logs-'));
	roots.push(dir);
	const stateDir = path.join(dir, 'state');
	const engine = new Engine({ workspaceFolder: dir, stateDir, logger: createLogger(new MemoryLogSink()), killGraceMs: 200 });
	engine.load({ jobs });
	const logs = () => {
		const root = path.join(stateDir, 'logs');
		return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith('.log')) : [];
	};
	return { engine, stateDir, logs };
}

test('a run that prints nothing keeps no log file and its record no logFile; one that prints keeps both', async () => {
	const { engine, logs } = setup([
		{ id: 'quiet', command: 'true' },
		{ id: 'loud', command: 'echo hello' },
	]);
	try {
		const [quiet] = await engine.run(['quiet']);
		const [loud] = await engine.run(['loud']);
		assert.equal(quiet.status, 'completed');
		assert.equal(quiet.logFile, undefined);
		assert.equal(loud.status, 'completed');
		assert.ok(loud.logFile);
		assert.equal(fs.readFileSync(loud.logFile, 'utf8'), 'hello\n');
		assert.deepEqual(logs(), [path.join('loud', path.basename(loud.logFile))]);
		const history = engine.readHistory();
		assert.equal(history.find((r) => r.jobId === 'quiet')?.logFile, undefined);
	} finally {
		engine.dispose();
	}
});

test('skipped runs and runs canceled while queued never create a log file', async () => {
	const { engine, logs } = setup([
		{ id: 'busy', command: 'sleep 0.5', overlap: 'skip' },
		{ id: 'waiting', command: 'echo never' },
	]);
	try {
		engine.configure({ concurrency: 1, outputLogLimit: 0 });
		const first = engine.run(['busy']);
		await pollFor(() => engine.getJob('busy')?.state === 'running', 5000);
		const skips: RunRecord[] = [];
		for (let i = 0; i < 20; i++) {
			skips.push(...(await engine.run(['busy'])));
		}
		const queued = engine.run(['waiting']);
		await pollFor(() => engine.getJob('waiting')?.state === 'queued', 5000);
		engine.cancel({ jobId: 'waiting' });
		const [canceled] = await queued;
		await first;
		await engine.whenIdle();
		assert.ok(skips.every((r) => r.status === 'skipped' && r.logFile === undefined));
		assert.equal(canceled.status, 'canceled');
		assert.equal(canceled.logFile, undefined);
		assert.deepEqual(logs(), [], 'sleep prints nothing, and nothing else started');
		// 20 identical skips: history keeps the first and one record counting the other 19.
		const recorded = engine.readHistory({ jobId: 'busy' }).filter((r) => r.status === 'skipped');
		assert.deepEqual(
			recorded.map((r) => r.count ?? 1),
			[1, 19],
		);
	} finally {
		engine.dispose();
	}
});

test('retention from .jobs.json applies to the prune after the first batch', async () => {
	const { engine, stateDir } = setup([{ id: 'a', command: 'echo a' }]);
	try {
		const at = new Date(Date.now() - 3_600_000).toISOString();
		const old = Array.from({ length: 10 }, (_, i) => JSON.stringify({ jobId: 'a', runId: `old-${i}`, attempt: 1, status: 'completed', exitCode: 0, startedAt: at, endedAt: at, durationMs: 1, trigger: 'manual' }) + '\n');
		fs.mkdirSync(stateDir, { recursive: true });
		fs.writeFileSync(path.join(stateDir, 'history.jsonl'), old.join(''));
		engine.load({ retention: { runs: 3 }, jobs: [{ id: 'a', command: 'echo a' }] });
		await engine.run(['a']);
		const pruned = await pollFor(() => engine.readHistory({ jobId: 'a' }).length === 3 && engine.readHistory(), 5000);
		assert.ok(pruned, `history: ${engine.readHistory().length} records`);
		assert.deepEqual(
			engine.readHistory().map((r) => r.runId.startsWith('old-')),
			[true, true, false],
		);
	} finally {
		engine.dispose();
	}
});
