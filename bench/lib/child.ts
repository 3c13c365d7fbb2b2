/**
 * Helpers for one measurement in a child process: read the parameters the orchestrator passed,
 * sample memory and event-loop blocks, and print one result line it can find among other output.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The orchestrator looks for the last stdout line starting with this. */
export const resultMarker = '@@RESULT ';

/** The JSON object passed as the first argument. */
export function params<T>(): T {
	return JSON.parse(process.argv[2] ?? '{}') as T;
}

/** Runs a measurement, prints its result and exits (engines and sockets may keep the loop alive). */
export function runMain(measure: () => Promise<object>): void {
	measure().then(
		(result) => {
			process.stdout.write(`${resultMarker}${JSON.stringify(result)}\n`, () => process.exit(0));
		},
		(err) => {
			process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
			process.exit(1);
		},
	);
}

/** A fresh folder under the OS temp dir, removed by `removeDir`. */
export function tempDir(prefix: string): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), `wjbench-${prefix}-`));
}

export function removeDir(dir: string): void {
	fs.rmSync(dir, { recursive: true, force: true });
}

/** Full GC when the child runs with --expose-gc (the orchestrator always passes it). */
export function collect(): void {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (gc) {
		gc();
		gc();
	}
}

export const mb = (bytes: number): number => Math.round((bytes / (1024 * 1024)) * 100) / 100;

/** Memory after a full GC and a short settle, in MB. */
export async function settledMemory(): Promise<{ rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number; rssAnonMb?: number; rssFileMb?: number }> {
	collect();
	await sleep(100);
	collect();
	const m = process.memoryUsage();
	return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external + m.arrayBuffers), ...rssParts() };
}

/**
 * RSS split as Linux counts it: anonymous memory (heaps, malloc) and pages of mapped files (the
 * node binary's code and the ICU data built into it, shared with every other Node process and
 * dropped first under memory pressure). Empty where `/proc` is missing.
 */
function rssParts(): { rssAnonMb?: number; rssFileMb?: number } {
	let status: string;
	try {
		status = fs.readFileSync('/proc/self/status', 'utf8');
	} catch {
		return {};
	}
	const kb = (name: string): number | undefined => {
		const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
		return match ? Number(match[1]) * 1024 : undefined;
	};
	const anon = kb('RssAnon');
	const file = kb('RssFile');
	return anon === undefined || file === undefined ? {} : { rssAnonMb: mb(anon), rssFileMb: mb(file) };
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The longest time the event loop could not run a 1 ms interval timer: gap between two ticks
 * minus the 1 ms period. Catches any synchronous stretch (a `spawn`, a microtask burst).
 */
export class LoopBlockTracker {
	private last = 0;
	private timer: NodeJS.Timeout | undefined;
	maxBlockMs = 0;
	ticks = 0;

	start(): this {
		this.last = performance.now();
		this.timer = setInterval(() => {
			const now = performance.now();
			this.maxBlockMs = Math.max(this.maxBlockMs, now - this.last - 1);
			this.last = now;
			this.ticks++;
		}, 1);
		return this;
	}

	stop(): number {
		clearInterval(this.timer);
		// A stretch that never yielded (a microtask burst) produced no tick at all.
		this.maxBlockMs = Math.max(this.maxBlockMs, performance.now() - this.last - 1);
		return round(this.maxBlockMs, 2);
	}
}

/** Samples RSS every `everyMs` and keeps the maximum. */
export class RssSampler {
	private timer: NodeJS.Timeout | undefined;
	maxRss = 0;

	start(everyMs = 5): this {
		this.sample();
		this.timer = setInterval(() => this.sample(), everyMs);
		return this;
	}

	sample(): void {
		this.maxRss = Math.max(this.maxRss, process.memoryUsage.rss());
	}

	stop(): number {
		clearInterval(this.timer);
		this.sample();
		return mb(this.maxRss);
	}
}

/**
 * Times every synchronous `child_process.spawn` call in this process (bundled code looks the
 * function up on the module object at call time, so replacing it here reaches the runner too).
 */
export function timeSpawns(): { count: () => number; max: () => number; p50: () => number; reset: () => void } {
	const cp = require('node:child_process') as typeof import('node:child_process');
	const original = cp.spawn;
	let durations: number[] = [];
	(cp as { spawn: unknown }).spawn = function (this: unknown, ...args: unknown[]) {
		const t = performance.now();
		try {
			return (original as (...a: unknown[]) => unknown).apply(this, args);
		} finally {
			durations.push(performance.now() - t);
		}
	};
	return {
		count: () => durations.length,
		max: () => round(Math.max(0, ...durations), 2),
		p50: () => round(percentile(durations, 50), 2),
		reset: () => void (durations = []),
	};
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) {
		return NaN;
	}
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}

export function round(value: number, digits = 0): number {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}

/**
 * Keeps at most `backlog` submissions in flight, topping up when half have finished, until `total`
 * have completed. The same driver feeds the engine and raw p-queue, so neither holds 100k promises.
 */
export function pump(total: number, backlog: number, submit: (i: number) => Promise<unknown>, shouldStop?: () => boolean): Promise<number> {
	return new Promise((resolve, reject) => {
		let inflight = 0;
		let done = 0;
		let next = 0;
		const refill = (): void => {
			while (inflight < backlog && next < total && !shouldStop?.()) {
				inflight++;
				submit(next++).then(onDone, reject);
			}
			if (inflight === 0) {
				resolve(done);
			}
		};
		const onDone = (): void => {
			inflight--;
			done++;
			if (inflight === 0 || (inflight < backlog / 2 && next < total)) {
				refill();
			}
		};
		refill();
	});
}
