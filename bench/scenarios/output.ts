/**
 * Output capture: one job writing 100 MB of text lines to stdout, through the engine (log file,
 * bounded tail, line logger) against a raw pipe read that only counts bytes. Same producer.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine/engine';
import { mb, params, removeDir, round, RssSampler, runMain, settledMemory, tempDir } from '../lib/child';

interface Params {
	variant: 'engine' | 'raw';
	bytes: number;
}

const line = 'workspace-jobs output benchmark: a line of ordinary log text, about eighty bytes.';

/** `yes` writes whole lines fast; `head -c` cuts the exact byte count. */
function producer(bytes: number): string {
	return `yes '${line}' | head -c ${bytes}`;
}

runMain(async () => {
	const p = params<Params>();
	const dir = tempDir('output');
	const before = await settledMemory();
	const rss = new RssSampler().start(5);
	const result = p.variant === 'engine' ? await engine(p, dir) : await raw(p);
	const peakRssMb = rss.stop();
	removeDir(dir);
	const mbPerSec = round(result.bytes / (1024 * 1024) / result.seconds, 1);
	return { mbPerSec, ...result, seconds: round(result.seconds, 3), rssBeforeMb: before.rssMb, peakRssMb, rssGrowthMb: round(peakRssMb - before.rssMb, 1) };
});

async function engine(p: Params, dir: string): Promise<{ bytes: number; seconds: number; logFileMb: number; status: string }> {
	const engine = new Engine({ workspaceFolder: dir, stateDir: path.join(dir, 'state') });
	engine.load({ jobs: [{ id: 'loud', command: producer(p.bytes), timeoutMs: 600_000 }] });
	// The extension's log channel listens to output; a listener makes the engine decode every chunk.
	engine.onDidOutput(() => undefined);
	const t0 = performance.now();
	const [record] = await engine.run(['loud']);
	const seconds = (performance.now() - t0) / 1000;
	const logBytes = record.logFile ? fs.statSync(record.logFile).size : 0;
	engine.dispose();
	return { bytes: logBytes, seconds, logFileMb: mb(logBytes), status: record.status };
}

async function raw(p: Params): Promise<{ bytes: number; seconds: number }> {
	const t0 = performance.now();
	let bytes = 0;
	await new Promise<void>((resolve, reject) => {
		const child = spawn('/bin/sh', ['-c', producer(p.bytes)], { stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
		child.stderr.on('data', () => undefined);
		child.on('error', reject);
		child.on('close', () => resolve());
	});
	return { bytes, seconds: (performance.now() - t0) / 1000 };
}
