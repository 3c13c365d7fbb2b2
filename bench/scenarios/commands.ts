/**
 * Command-job throughput: `true` through the engine (process group, watchdog, timeout armed,
 * output captured to a log file, history written) against a raw `child_process.spawn` loop with
 * the same live heap (fork cost grows with the parent's memory) and a plain shell loop of
 * /bin/true, the floor the OS allows.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine/engine';
import { LoopBlockTracker, mb, params, pump, removeDir, round, RssSampler, runMain, tempDir, timeSpawns } from '../lib/child';

interface Params {
	variant: 'engine' | 'spawn' | 'shell';
	concurrency: number;
	runs: number;
	/** Baseline only: grow the heap until RSS reaches this many MB (the engine process's peak). */
	targetRssMb?: number;
}

runMain(async () => {
	const p = params<Params>();
	switch (p.variant) {
		case 'engine':
			return engine(p);
		case 'spawn':
			return rawSpawn(p);
		default:
			return shellLoop(p);
	}
});

async function engine(p: Params): Promise<object> {
	const spawns = timeSpawns();
	const dir = tempDir('commands');
	const engine = new Engine({ workspaceFolder: dir, stateDir: path.join(dir, 'state'), concurrency: p.concurrency });
	const ids = Array.from({ length: Math.max(p.concurrency, 4) }, (_, i) => `true-${i}`);
	engine.load({ jobs: ids.map((id) => ({ id, command: 'true', timeoutMs: 600_000, overlap: 'allow' as const })) });
	let failed = 0;
	engine.onDidFinishRun((r) => void (r.status !== 'completed' && failed++));
	// Warm-up: code paths compiled, log folders created.
	await pump(p.concurrency * 2, p.concurrency * 2, (i) => engine.run([ids[i % ids.length]]));
	spawns.reset();
	const rss = new RssSampler().start(10);
	const loop = new LoopBlockTracker().start();
	const t0 = performance.now();
	const done = await pump(p.runs, p.concurrency * 4, (i) => engine.run([ids[i % ids.length]]));
	await engine.whenIdle();
	const seconds = (performance.now() - t0) / 1000;
	const maxLoopBlockMs = loop.stop();
	const peakRssMb = rss.stop();
	const heapUsedMb = mb(process.memoryUsage().heapUsed);
	engine.dispose();
	removeDir(dir);
	return {
		runsPerSec: round(done / seconds, 1),
		seconds: round(seconds, 2),
		failed,
		spawnCalls: spawns.count(),
		maxSpawnBlockMs: spawns.max(),
		p50SpawnBlockMs: spawns.p50(),
		maxLoopBlockMs,
		peakRssMb,
		heapUsedMb,
	};
}

async function rawSpawn(p: Params): Promise<object> {
	const ballast = fillHeap(p.targetRssMb ?? 0);
	const spawns = timeSpawns();
	const once = (): Promise<void> =>
		new Promise((resolve, reject) => {
			const child = spawn('/bin/sh', ['-c', 'true'], { stdio: ['ignore', 'pipe', 'pipe'] });
			child.stdout.on('data', () => undefined);
			child.stderr.on('data', () => undefined);
			child.on('error', reject);
			child.on('close', () => resolve());
		});
	await pump(p.concurrency * 2, p.concurrency, once);
	spawns.reset();
	const rss = new RssSampler().start(10);
	const loop = new LoopBlockTracker().start();
	const t0 = performance.now();
	const done = await pump(p.runs, p.concurrency, once);
	const seconds = (performance.now() - t0) / 1000;
	const maxLoopBlockMs = loop.stop();
	const peakRssMb = rss.stop();
	return {
		runsPerSec: round(done / seconds, 1),
		seconds: round(seconds, 2),
		spawnCalls: spawns.count(),
		maxSpawnBlockMs: spawns.max(),
		p50SpawnBlockMs: spawns.p50(),
		maxLoopBlockMs,
		peakRssMb,
		heapUsedMb: mb(process.memoryUsage().heapUsed),
		ballastItems: ballast.length,
	};
}

/** `concurrency` dash loops of /bin/true side by side, timed from Node (one spawn in all). */
async function shellLoop(p: Params): Promise<object> {
	const perLoop = Math.ceil(p.runs / p.concurrency);
	const loop = `i=0; while [ $i -lt ${perLoop} ]; do /bin/true; i=$((i+1)); done`;
	const script = `${Array.from({ length: p.concurrency }, () => `( ${loop} ) &`).join(' ')} wait`;
	const t0 = performance.now();
	await new Promise<void>((resolve, reject) => {
		const child = spawn('/bin/sh', ['-c', script], { stdio: 'ignore' });
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`shell loop exited with ${code}`))));
	});
	const seconds = (performance.now() - t0) / 1000;
	return { runsPerSec: round((perLoop * p.concurrency) / seconds, 1), seconds: round(seconds, 2) };
}

/** Live objects (kept reachable by the return value) until RSS reaches the target. */
function fillHeap(targetRssMb: number): unknown[][] {
	const ballast: unknown[][] = [];
	while (process.memoryUsage.rss() < targetRssMb * 1024 * 1024) {
		const chunk: unknown[] = new Array(10_000);
		for (let i = 0; i < chunk.length; i++) {
			chunk[i] = { i, s: `ballast-${i}` };
		}
		ballast.push(chunk);
	}
	return ballast;
}
