/**
 * Dispatch throughput of in-process no-op jobs: the full engine path (definition, queue, state
 * changes, events, metrics, history record on disk) against raw p-queue running the same no-op
 * tasks. Both are fed by the same bounded-backlog driver.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import PQueue from 'p-queue';
import { Engine } from '../../src/core/engine/engine';
import { LoopBlockTracker, params, pump, removeDir, round, runMain, settledMemory, tempDir } from '../lib/child';

interface Params {
	variant: 'engine' | 'pqueue';
	concurrency: number;
	runs: number;
	backlog: number;
	jobs: number;
}

runMain(async () => {
	const p = params<Params>();
	return p.variant === 'engine' ? engine(p) : pqueue(p);
});

async function pqueue(p: Params): Promise<object> {
	const queue = new PQueue({ concurrency: p.concurrency });
	const noop = async (): Promise<void> => undefined;
	await pump(1000, p.backlog, () => queue.add(noop));
	const loop = new LoopBlockTracker().start();
	const t0 = performance.now();
	const done = await pump(p.runs, p.backlog, () => queue.add(noop));
	const seconds = (performance.now() - t0) / 1000;
	return { runsPerSec: round(done / seconds), seconds: round(seconds, 3), maxLoopBlockMs: loop.stop(), ...(await settledMemory()) };
}

async function engine(p: Params): Promise<object> {
	const dir = tempDir('dispatch');
	const stateDir = path.join(dir, 'state');
	const engine = new Engine({ workspaceFolder: dir, stateDir, concurrency: p.concurrency });
	const ids = Array.from({ length: p.jobs }, (_, i) => `noop-${i}`);
	const jobs = ids.map((id) => ({ id, run: async () => undefined, overlap: 'allow' as const }));
	engine.load({ jobs });
	// What the extension's tree, status bar and notifications subscribe to.
	let events = 0;
	engine.onDidChangeJobState(() => events++);
	engine.onDidStartRun(() => events++);
	engine.onDidFinishRun(() => events++);
	await pump(1000, p.backlog, (i) => engine.run([ids[i % ids.length]]));
	await engine.whenIdle();
	const loop = new LoopBlockTracker().start();
	const t0 = performance.now();
	const done = await pump(p.runs, p.backlog, (i) => engine.run([ids[i % ids.length]]));
	await engine.whenIdle();
	const seconds = (performance.now() - t0) / 1000;
	const maxLoopBlockMs = loop.stop();
	const records = countLines(stateDir, /^history(\.\d+)?\.jsonl$/);
	const memory = await settledMemory();
	engine.dispose();
	removeDir(dir);
	return { runsPerSec: round(done / seconds), seconds: round(seconds, 3), maxLoopBlockMs, events, historyRecords: records, ...memory };
}

function countLines(dir: string, name: RegExp): number {
	let lines = 0;
	for (const file of fs.readdirSync(dir).filter((f) => name.test(f))) {
		const data = fs.readFileSync(path.join(dir, file));
		for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) {
			lines++;
		}
	}
	return lines;
}
