/**
 * What `npm run bench` measures: each measurement names its scenario bundle(s), the variants run
 * alternately in fresh processes, how often, and how its results become table rows.
 */
import type { ProductBundles, ScenarioName } from './lib/build';
import { type Figure, figure, fmtFigure } from './lib/stats';

/** One child-process result. */
export type Result = Record<string, unknown>;
/** Results of one measurement: per variant, one result per repetition in run order. */
export type Collected = Record<string, Result[]>;

export interface Variant {
	name: string;
	scenario: ScenarioName;
	/** Parameters for the child; may use results of earlier variants (heap parity). */
	params: (collected: Collected) => object;
}

export interface Row {
	scenario: string;
	engine: string;
	baseline: string;
	ratio: string;
	goal: string;
	met: boolean | undefined;
	figures: { engine?: Figure; baseline?: Figure; ratio?: Figure };
}

export interface Measurement {
	id: string;
	title: string;
	reps: number;
	/** Per child. */
	timeoutMs: number;
	variants: Variant[];
	note?: string;
	rows: (c: Collected) => Row[];
}

export interface PlanContext {
	root: string;
	coreBundle: string;
	product: ProductBundles;
}

// ---- helpers over collected results ----

const values = (c: Collected, variant: string, field: string): number[] => (c[variant] ?? []).map((r) => r[field]).filter((v): v is number => typeof v === 'number');
const fig = (c: Collected, variant: string, field: string): Figure | undefined => figure(values(c, variant, field));

/** Per-repetition a/b (runs of one repetition ran back to back on the same machine state). */
function pairRatio(c: Collected, a: [string, string], b: [string, string]): Figure | undefined {
	const xs = c[a[0]] ?? [];
	const ys = c[b[0]] ?? [];
	const ratios: number[] = [];
	for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
		const x = xs[i][a[1]];
		const y = ys[i][b[1]];
		if (typeof x === 'number' && typeof y === 'number' && y !== 0) {
			ratios.push(x / y);
		}
	}
	return figure(ratios);
}

function pairDiff(c: Collected, a: [string, string], b: [string, string]): Figure | undefined {
	const xs = c[a[0]] ?? [];
	const ys = c[b[0]] ?? [];
	const diffs: number[] = [];
	for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
		const x = xs[i][a[1]];
		const y = ys[i][b[1]];
		if (typeof x === 'number' && typeof y === 'number') {
			diffs.push(x - y);
		}
	}
	return figure(diffs);
}

function row(scenario: string, goal: string, engine: Figure | undefined, unit: string, baseline: Figure | undefined, ratio: Figure | undefined, met: boolean | undefined): Row {
	return {
		scenario,
		engine: fmtFigure(engine, unit),
		baseline: fmtFigure(baseline, unit),
		ratio: ratio ? fmtFigure(ratio, '×') : '—',
		goal,
		met,
		figures: { engine, baseline, ratio },
	};
}

const below = (f: Figure | undefined, limit: number): boolean | undefined => (f ? f.median < limit : undefined);

// ---- the plan ----

export function buildPlan(ctx: PlanContext): Measurement[] {
	return [...dispatch(), ...commands(), ...timers(), ...memory(), ...output(), startup(ctx)];
}

function dispatch(): Measurement[] {
	return [1, 8, 64].map((concurrency) => ({
		id: `dispatch.c${concurrency}`,
		title: `1. Dispatch of 100k in-process no-op runs, concurrency ${concurrency}`,
		reps: 5,
		timeoutMs: 180_000,
		note: 'Backlog bounded at 1,000 submissions for both; engine: 100 jobs, overlap allow, history on disk, 3 event listeners.',
		variants: (['pqueue', 'engine'] as const).map((variant) => ({
			name: variant,
			scenario: 'dispatch' as const,
			params: () => ({ variant, concurrency, runs: 100_000, backlog: 1000, jobs: 100 }),
		})),
		rows: (c) => {
			const ratio = pairRatio(c, ['engine', 'runsPerSec'], ['pqueue', 'runsPerSec']);
			const engine = fig(c, 'engine', 'runsPerSec');
			return [row(`1. dispatch runs/s, c=${concurrency} (vs raw p-queue)`, '≥0.5× and ≫1,000/s', engine, '/s', fig(c, 'pqueue', 'runsPerSec'), ratio, ratio && engine ? ratio.median >= 0.5 && engine.median >= 1000 : undefined)];
		},
	}));
}

function commands(): Measurement[] {
	return [1, 4, 16].map((concurrency) => ({
		id: `commands.c${concurrency}`,
		title: `2. Command jobs: 2,000 runs of \`true\`, concurrency ${concurrency}`,
		reps: 3,
		timeoutMs: 300_000,
		note: 'Raw spawn: `/bin/sh -c true` with piped stdout/stderr, heap grown to the engine run\'s peak RSS. Shell: `concurrency` dash loops of /bin/true in parallel. Event-loop block: longest gap of a 1 ms interval timer minus 1 ms, over the whole timed run (spawns, launcher traffic, GC, history writes); spawnCalls/…SpawnBlockMs time the child_process.spawn calls made in the process after warm-up (0 when the launcher starts the jobs). 3 repetitions (slow).',
		variants: [
			{ name: 'engine', scenario: 'commands', params: () => ({ variant: 'engine', concurrency, runs: 2000 }) },
			{
				name: 'spawn',
				scenario: 'commands',
				params: (c: Collected) => ({ variant: 'spawn', concurrency, runs: 2000, targetRssMb: (c.engine?.at(-1)?.peakRssMb as number | undefined) ?? 0 }),
			},
			{ name: 'shell', scenario: 'commands', params: () => ({ variant: 'shell', concurrency, runs: 2000 }) },
		],
		rows: (c) => {
			const engine = fig(c, 'engine', 'runsPerSec');
			const vsSpawn = pairRatio(c, ['engine', 'runsPerSec'], ['spawn', 'runsPerSec']);
			const vsShell = pairRatio(c, ['engine', 'runsPerSec'], ['shell', 'runsPerSec']);
			const block = fig(c, 'engine', 'maxLoopBlockMs');
			return [
				row(`2. command runs/s, c=${concurrency} (vs raw spawn, same heap)`, '≥2×', engine, '/s', fig(c, 'spawn', 'runsPerSec'), vsSpawn, vsSpawn ? vsSpawn.median >= 2 : undefined),
				row(`2. command runs/s, c=${concurrency} (vs dash loop floor)`, '≥0.8×', engine, '/s', fig(c, 'shell', 'runsPerSec'), vsShell, vsShell ? vsShell.median >= 0.8 : undefined),
				row(`2. longest event-loop block while running, c=${concurrency}`, '≤5 ms, every run', block, ' ms', fig(c, 'spawn', 'maxLoopBlockMs'), undefined, block ? block.max <= 5 : undefined),
			];
		},
	}));
}

function timers(): Measurement[] {
	const loads = [
		{ load: 'idle', limit: 2, label: 'idle' },
		{ load: 'commands', limit: 20, label: 'under command load' },
		{ load: 'dispatch', limit: 20, label: 'under dispatch load' },
	] as const;
	return loads.map(({ load, limit, label }) => ({
		id: `timers.${load}`,
		title: `3. Timer lateness, 1,000 fires over 10 s, ${label}`,
		reps: 2,
		timeoutMs: 60_000,
		note: 'Engine: 1,000 in-process jobs with `at` schedules (real Scheduler, system clock); lateness taken at the fire (the run\'s first state change), start lateness in the job. Raw: setTimeout to the same instants. Loads run through an engine in the same process in both variants (commands: `true` at concurrency 4, 16 waiting; dispatch: no-op runs at concurrency 8, 1,000 waiting). 2 repetitions (each takes 11 s).',
		variants: (['engine', 'raw'] as const).map((variant) => ({
			name: variant,
			scenario: 'timers' as const,
			params: () => ({ variant, load, fires: 1000, spanMs: 10_000, leadMs: 700, seed: 42 }),
		})),
		rows: (c) => {
			const engine = fig(c, 'engine', 'p99Ms');
			return [row(`3. timer p99 lateness, ${label}`, `<${limit} ms`, engine, ' ms', fig(c, 'raw', 'p99Ms'), undefined, below(engine, limit))];
		},
	}));
}

function memory(): Measurement[] {
	const settleMs = 4000;
	return [
		{
			id: 'memory.scheduled',
			title: '4. Memory: 10,000 jobs defined and scheduled',
			reps: 2,
			timeoutMs: 60_000,
			note: `Jobs read from a generated .jobs.json (cron, cron with time zone, every), engine started. RSS after ${settleMs / 1000} s idle with a GC every second. "bare" is \`node\` with nothing loaded; "empty" loads the engine with no jobs. 2 repetitions.`,
			variants: [
				{ name: 'bare', scenario: 'bare', params: () => ({ settleMs }) },
				{ name: 'engine', scenario: 'memory', params: () => ({ variant: 'scheduled', jobs: 10_000, settleMs }) },
				{ name: 'empty', scenario: 'memory', params: () => ({ variant: 'scheduled', jobs: 0, settleMs }) },
			],
			rows: (c) => {
				const above = pairDiff(c, ['engine', 'rssMb'], ['bare', 'rssMb']);
				const heap = pairDiff(c, ['engine', 'heapUsedMb'], ['bare', 'heapUsedMb']);
				const anon = pairDiff(c, ['engine', 'rssAnonMb'], ['bare', 'rssAnonMb']);
				const file = pairDiff(c, ['engine', 'rssFileMb'], ['bare', 'rssFileMb']);
				return [
					row('4. RSS above bare node, 10,000 scheduled jobs', '<25 MB', above, ' MB', fig(c, 'bare', 'rssMb'), undefined, below(above, 25)),
					row('4. of which anonymous (heaps, malloc)', '(info)', anon, ' MB', fig(c, 'bare', 'rssAnonMb'), undefined, undefined),
					row('4. of which file pages (node binary code, ICU data)', '(info)', file, ' MB', fig(c, 'bare', 'rssFileMb'), undefined, undefined),
					row('4. live JS heap above bare node, same', '(info)', heap, ' MB', fig(c, 'bare', 'heapUsedMb'), undefined, undefined),
				];
			},
		},
		{
			id: 'memory.history',
			title: '4. Memory: 1,000,000 history records written through the engine',
			reps: 1,
			timeoutMs: 300_000,
			note: 'In-process no-op runs at concurrency 64; RSS and live heap after GC at 10k, 100k, 250k, 500k, 750k and 1M records. Flat = growth from 100k to 1M under 10 MB RSS and 2 MB heap. 1 repetition (about 30 s).',
			variants: [{ name: 'engine', scenario: 'memory', params: () => ({ variant: 'history', records: 1_000_000, concurrency: 64 }) }],
			rows: (c) => {
				const rss = fig(c, 'engine', 'rssGrowthMb');
				const heap = fig(c, 'engine', 'heapGrowthMb');
				const r = row('4. RSS growth 100k → 1M history records', 'flat (<10 MB)', rss, ' MB', undefined, undefined, rss ? rss.median < 10 : undefined);
				const h = row('4. live heap growth 100k → 1M history records', 'flat (<2 MB)', heap, ' MB', undefined, undefined, heap ? heap.median < 2 : undefined);
				return [r, h];
			},
		},
	];
}

function output(): Measurement[] {
	return [
		{
			id: 'output',
			title: '5. Output: one job writing 100 MB to stdout',
			reps: 3,
			timeoutMs: 120_000,
			note: "Producer `yes '<80-byte line>' | head -c 100MiB` for both. Engine: log file, bounded tail, line logger, an onDidOutput listener. Raw: spawn, count bytes of 'data' events. Peak RSS sampled every 5 ms, growth over the RSS before the run.",
			variants: (['raw', 'engine'] as const).map((variant) => ({
				name: variant,
				scenario: 'output' as const,
				params: () => ({ variant, bytes: 100 * 1024 * 1024 }),
			})),
			rows: (c) => {
				const ratio = pairRatio(c, ['engine', 'mbPerSec'], ['raw', 'mbPerSec']);
				const growth = fig(c, 'engine', 'rssGrowthMb');
				return [
					row('5. output MB/s (vs raw byte count)', '≥0.7×', fig(c, 'engine', 'mbPerSec'), ' MB/s', fig(c, 'raw', 'mbPerSec'), ratio, ratio ? ratio.median >= 0.7 : undefined),
					row('5. peak RSS growth during 100 MB', 'flat (<32 MB)', growth, ' MB', fig(c, 'raw', 'rssGrowthMb'), undefined, below(growth, 32)),
				];
			},
		},
	];
}

function startup(ctx: PlanContext): Measurement {
	const base = { root: ctx.root, coreBundle: ctx.coreBundle, jobs: 1000, cliBundle: ctx.product.cliDev };
	return {
		id: 'startup',
		title: '6. Start-up with a 1,000-job .jobs.json',
		reps: 5,
		timeoutMs: 60_000,
		note: 'Extension: require() of the bundle with a stub `vscode` module, then activate() on a workspace folder holding the file (it is read, parsed and loaded into an engine inside activate). "extension" is the --production build that vscode:prepublish ships; "extensionDev" the `npm run build` one. Core: require of a bundle of Engine + parseJobsText, parse (cron checked), parse again (cron answers cached), load + start. CLI: the dev build (what `prepare` leaves in dist/).',
		variants: [
			{ name: 'extension', scenario: 'startup', params: () => ({ ...base, variant: 'extension', bundle: ctx.product.extensionProduction }) },
			{ name: 'extensionDev', scenario: 'startup', params: () => ({ ...base, variant: 'extension', bundle: ctx.product.extensionDev }) },
			{ name: 'core', scenario: 'startup', params: () => ({ ...base, variant: 'core' }) },
			{ name: 'cli', scenario: 'startup', params: () => ({ ...base, variant: 'cli' }) },
			{ name: 'processes', scenario: 'startup', params: () => ({ ...base, variant: 'processes' }) },
		],
		rows: (c) => {
			const work = fig(c, 'extension', 'activationWorkMs');
			const dev = fig(c, 'extensionDev', 'activationWorkMs');
			return [
				row('6. activation: require + activate, shipped bundle', '<50 ms', work, ' ms', undefined, undefined, below(work, 50)),
				row('6. activation, dev bundle', '<50 ms', dev, ' ms', undefined, undefined, below(dev, 50)),
				row('6. of which: parse 1,000 jobs (core, cron checked)', '(info)', fig(c, 'core', 'parseMs'), ' ms', undefined, undefined, undefined),
				row('6. CLI: require of the CLI bundle, --help', '(info)', fig(c, 'cli', 'requireMs'), ' ms', undefined, undefined, undefined),
				row('6. CLI --help process wall time (vs `node -e ""`)', '(info)', fig(c, 'processes', 'cliHelpWallMs'), ' ms', fig(c, 'processes', 'bareNodeWallMs'), undefined, undefined),
			];
		},
	};
}

/** Rows for bundle sizes, measured by the orchestrator itself; the goal applies to what ships. */
export function sizeRows(sizes: Array<{ label: string; bytes: number; shipped: boolean }>): Row[] {
	return sizes.map(({ label, bytes, shipped }) => {
		const kb = figure([bytes / 1024]);
		return row(`6. bundle size, ${label}`, shipped ? '<500 KB' : '(info)', kb, ' KB', undefined, undefined, shipped ? below(kb, 500) : undefined);
	});
}
