/**
 * Timer accuracy: 1,000 fires spread over a window, through the engine's real Scheduler
 * (`at` schedules of in-process jobs, system clock) or as raw `setTimeout`s to the same instants,
 * while the same process is idle, runs command jobs through the engine at full rate, or
 * dispatches in-process jobs through the engine without pause.
 */
import * as path from 'node:path';
import { Engine } from '../../src/core/engine/engine';
import type { JobDefinition } from '../../src/core/model';
import { params, percentile, pump, removeDir, round, runMain, sleep, tempDir } from '../lib/child';

interface Params {
	variant: 'engine' | 'raw';
	load: 'idle' | 'commands' | 'dispatch';
	fires: number;
	spanMs: number;
	/** Time between setting up and the first fire, so the load is at full rate by then. */
	leadMs: number;
	seed: number;
}

const commandConcurrency = 4;
const dispatchConcurrency = 8;

runMain(async () => {
	const p = params<Params>();
	const dir = tempDir('timers');
	const engine = new Engine({ workspaceFolder: dir, stateDir: path.join(dir, 'state'), concurrency: p.load === 'commands' ? commandConcurrency : dispatchConcurrency });
	const t0 = Date.now() + p.leadMs;
	const instants = spread(p.fires, p.spanMs, p.seed).map((offset) => t0 + offset);
	const fireLateness: number[] = [];
	const startLateness: number[] = [];
	const timerJobs = new Map<string, number>();
	const jobs: JobDefinition[] = loadJobs(p.load);
	if (p.variant === 'engine') {
		instants.forEach((at, i) => {
			const id = `timer-${i}`;
			timerJobs.set(id, at);
			// Ahead of queued load jobs; the global concurrency limit still applies to them.
			jobs.push({ id, schedule: { kind: 'at', at }, priority: 1000, run: async () => void startLateness.push(Date.now() - at) });
		});
		// The run is created synchronously inside the scheduler's fire: its first state change is the fire.
		engine.onDidChangeJobState((e) => {
			const at = timerJobs.get(e.jobId);
			if (at !== undefined && e.previous === 'idle') {
				fireLateness.push(Date.now() - at);
			}
		});
	}
	engine.load({ jobs });
	engine.start();
	if (p.variant === 'raw') {
		for (const at of instants) {
			setTimeout(() => fireLateness.push(Date.now() - at), at - Date.now());
		}
	}
	const end = t0 + p.spanMs + 200;
	const loadRuns = startLoad(engine, p.load, () => Date.now() >= end);
	await sleep(end - Date.now());
	const load = await loadRuns;
	await engine.whenIdle();
	await engine.stop();
	engine.dispose();
	removeDir(dir);
	return {
		fired: fireLateness.length,
		...stats('', fireLateness),
		early: fireLateness.filter((l) => l < 0).length,
		...(startLateness.length ? stats('start', startLateness) : {}),
		loadRuns: load,
	};
});

/** `count` offsets in [0, span): an even grid with a seeded jitter, so fires do not share a millisecond. */
function spread(count: number, span: number, seed: number): number[] {
	let state = seed >>> 0 || 1;
	const random = (): number => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) / 2 ** 32;
	};
	const step = span / count;
	return Array.from({ length: count }, (_, i) => Math.floor(i * step + random() * step));
}

function loadJobs(load: Params['load']): JobDefinition[] {
	if (load === 'commands') {
		return Array.from({ length: 8 }, (_, i) => ({ id: `load-${i}`, command: 'true', timeoutMs: 600_000, overlap: 'allow' as const }));
	}
	if (load === 'dispatch') {
		return Array.from({ length: 100 }, (_, i) => ({ id: `load-${i}`, run: async () => undefined, overlap: 'allow' as const }));
	}
	return [];
}

/** Keeps the queue full until `stop()`: 16 command runs waiting for 4 slots, or 1,000 in-process runs. */
function startLoad(engine: Engine, load: Params['load'], stop: () => boolean): Promise<number> {
	if (load === 'idle') {
		return Promise.resolve(0);
	}
	const ids = load === 'commands' ? 8 : 100;
	const backlog = load === 'commands' ? commandConcurrency * 4 : 1000;
	return pump(Number.MAX_SAFE_INTEGER, backlog, (i) => engine.run([`load-${i % ids}`]), stop);
}

function stats(prefix: string, values: number[]): Record<string, number> {
	const key = (name: string): string => (prefix ? `${prefix}${name[0].toUpperCase()}${name.slice(1)}` : name);
	return {
		[key('p50Ms')]: round(percentile(values, 50), 2),
		[key('p99Ms')]: round(percentile(values, 99), 2),
		[key('maxMs')]: round(Math.max(...values), 2),
	};
}
