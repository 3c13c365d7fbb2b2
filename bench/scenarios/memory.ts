/**
 * Memory: RSS of an engine holding 10,000 scheduled jobs (read from a generated .jobs.json, as the
 * extension would), and RSS / live heap while a million history records are written through the
 * engine, sampled along the way to show whether anything grows with history.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine/engine';
import { parseJobsText } from '../../src/core/definitions/jobsFile';
import { collect, mb, params, pump, removeDir, round, runMain, settledMemory, sleep, tempDir } from '../lib/child';
import { jobsFileText } from '../lib/jobsText';

interface Params {
	/** `write` only writes the generated file (`file`), in its own process. */
	variant: 'scheduled' | 'history' | 'write';
	file?: string;
	jobs?: number;
	records?: number;
	concurrency?: number;
	/** How long the memory of the scheduled engine is left to settle before the figure is taken. */
	settleMs?: number;
}

runMain(async () => {
	const p = params<Params>();
	if (p.variant === 'write') {
		fs.writeFileSync(p.file as string, jobsFileText(p.jobs ?? 10_000));
		return {};
	}
	return p.variant === 'scheduled' ? scheduled(p.jobs ?? 10_000, p.settleMs ?? 5000) : history(p.records ?? 1_000_000, p.concurrency ?? 64);
});

async function scheduled(count: number, settleMs: number): Promise<object> {
	const dir = tempDir('memory');
	const file = path.join(dir, '.jobs.json');
	// Generated in another process: the generator's garbage would otherwise count as the engine's.
	execFileSync(process.execPath, [process.argv[1], JSON.stringify({ variant: 'write', jobs: count, file })]);
	const t0 = performance.now();
	const parsed = parseJobsText(fs.readFileSync(file, 'utf8'), file);
	const parseMs = performance.now() - t0;
	const engine = new Engine({ workspaceFolder: dir, stateDir: path.join(dir, 'state') });
	const t1 = performance.now();
	engine.load(parsed.config);
	engine.start();
	const loadMs = performance.now() - t1;
	const atOnce = await settledMemory();
	// V8 hands back the heap that parsing grew only after a few idle seconds (its memory reducer).
	const memory = await idleMemory(settleMs);
	const result = {
		jobs: parsed.config.jobs.length,
		errors: parsed.diagnostics.filter((d) => d.severity === 'error').length,
		scheduled: engine.getJobs().filter((j) => j.nextRunAt !== undefined).length,
		parseMs: round(parseMs, 1),
		loadAndStartMs: round(loadMs, 1),
		rssAtOnceMb: atOnce.rssMb,
		heapUsedAtOnceMb: atOnce.heapUsedMb,
		...memory,
	};
	await engine.stop();
	engine.dispose();
	removeDir(dir);
	return result;
}

async function history(records: number, concurrency: number): Promise<object> {
	const dir = tempDir('history');
	const stateDir = path.join(dir, 'state');
	const engine = new Engine({ workspaceFolder: dir, stateDir, concurrency });
	const ids = Array.from({ length: 100 }, (_, i) => `noop-${i}`);
	engine.load({ jobs: ids.map((id) => ({ id, run: async () => undefined, overlap: 'allow' as const })) });
	engine.onDidFinishRun(() => undefined);
	const checkpoints = [10_000, 100_000, 250_000, 500_000, 750_000, records].filter((c) => c <= records);
	const samples: Array<{ records: number; rssMb: number; heapUsedMb: number }> = [];
	let written = 0;
	const t0 = performance.now();
	for (const checkpoint of checkpoints) {
		written += await pump(checkpoint - written, 1000, (i) => engine.run([ids[i % ids.length]]));
		await engine.whenIdle();
		const m = await settledMemory();
		samples.push({ records: written, rssMb: m.rssMb, heapUsedMb: m.heapUsedMb });
	}
	const seconds = (performance.now() - t0) / 1000;
	const files = fs.readdirSync(stateDir).filter((f) => f.startsWith('history'));
	const historyBytes = files.reduce((sum, f) => sum + fs.statSync(path.join(stateDir, f)).size, 0);
	const at = (n: number) => samples.find((s) => s.records >= n) ?? samples[0];
	const last = samples[samples.length - 1];
	const from = at(100_000);
	engine.dispose();
	removeDir(dir);
	return {
		records: written,
		seconds: round(seconds, 1),
		rssGrowthMb: round(last.rssMb - from.rssMb, 2),
		heapGrowthMb: round(last.heapUsedMb - from.heapUsedMb, 2),
		historyFiles: files.length,
		historyOnDiskMb: mb(historyBytes),
		samples,
	};
}

/** Memory after `ms` of idling with a full GC every second: the steady state of a long-lived host. */
async function idleMemory(ms: number): Promise<Awaited<ReturnType<typeof settledMemory>>> {
	for (let waited = 0; waited < ms; waited += 1000) {
		await sleep(1000);
		collect();
	}
	return settledMemory();
}
