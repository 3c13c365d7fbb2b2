/**
 * Cold parse of `.jobs.json`: how long the first parse takes in a fresh Node process, which is
 * what activation and the CLI pay (the second parse in a process is about twice as fast, so an
 * in-process loop would flatter whatever code is hottest).
 *
 *   node --import tsx bench/parseCold.ts [--runs 11] [--jobs 20,200,1000] [--src DIR]
 *
 * `--src` is a checkout to measure (default: this one), so an older commit can be compared:
 * `git worktree add /tmp/before <commit> && node --import tsx bench/parseCold.ts --src /tmp/before`
 * (that checkout needs `node_modules`: `ln -s "$PWD/node_modules" /tmp/before/`).
 *
 * The reader (`src/core/definitions/jobsFile.ts` of that checkout) is bundled with esbuild as
 * `esbuild.mjs` bundles the hosts. Each run starts `node` once per file size and variant, in
 * alternating order, loads the bundle, reads the generated file (bench/lib/jobsText.ts: comments,
 * every schedule kind, zones, retry, env, dependencies; no problems) and times one parse.
 * Variants: `parseJobsText`, the readers' entry point, and `parseJobsTextTree` (always through
 * jsonc-parser's tree) when the checkout still has a second path.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { jobsFileText } from './lib/jobsText';
import { figure, fmtFigure } from './lib/stats';

const variants = ['parseJobsText', 'parseJobsTextTree'] as const;
type Variant = (typeof variants)[number];

interface ChildResult {
	requireMs: number;
	parseMs: number;
	/** CPU time of the parse (all threads of the process): less moved by other processes than wall time. */
	parseCpuMs: number;
	jobs: number;
	diagnostics: number;
}

/**
 * The child: loads the bundle, then times one parse. A checkout from before the readers called
 * cron/ themselves gets the cron check its hosts injected (`validateCron`).
 */
const childScript = `
const fs = require('node:fs');
const [bundle, file, variant] = process.argv.slice(1);
const t0 = performance.now();
const reader = require(bundle);
const requireMs = performance.now() - t0;
const text = fs.readFileSync(file, 'utf8');
const options = reader.validateCron ? { validateCron: reader.validateCron } : {};
const cpu = process.cpuUsage();
const t1 = performance.now();
const result = reader[variant](text, file, options);
const parseMs = performance.now() - t1;
const used = process.cpuUsage(cpu);
const parseCpuMs = (used.user + used.system) / 1000;
process.stdout.write(JSON.stringify({ requireMs, parseMs, parseCpuMs, jobs: result.config.jobs.length, diagnostics: result.diagnostics.length }));
`;

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			runs: { type: 'string', default: '11' },
			jobs: { type: 'string', default: '20,200,1000' },
			src: { type: 'string', default: path.resolve(__dirname, '..') },
		},
	});
	const runs = Number(values.runs);
	const sizes = values.jobs.split(',').map(Number);
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wjbench-parse-'));
	try {
		const bundle = await buildReader(path.resolve(values.src), work);
		const present = variants.filter((v) => typeof (require(bundle) as Record<string, unknown>)[v] === 'function');
		const files = new Map(sizes.map((n) => [n, writeFile(work, n)]));
		const results = new Map<string, ChildResult[]>();
		for (let run = 0; run < runs; run++) {
			// Alternate the order per run, so neither variant always goes first after the other size.
			const order = run % 2 === 0 ? present : [...present].reverse();
			for (const n of sizes) {
				for (const variant of order) {
					const result = JSON.parse(execFileSync(process.execPath, ['-e', childScript, bundle, files.get(n)!, variant], { encoding: 'utf8' })) as ChildResult;
					if (result.jobs !== n || result.diagnostics !== 0) {
						throw new Error(`${variant} read ${result.jobs} of ${n} jobs with ${result.diagnostics} diagnostics`);
					}
					const key = `${n} ${variant}`;
					results.set(key, [...(results.get(key) ?? []), result]);
				}
			}
		}
		report(values.src, runs, sizes, present, results);
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

async function buildReader(src: string, work: string): Promise<string> {
	const entry = path.join(work, 'entry.ts');
	const definitions = path.join(src, 'src', 'core', 'definitions', 'jobsFile');
	const cron = path.join(src, 'src', 'core', 'cron', 'fireTimes');
	fs.writeFileSync(
		entry,
		`export * from ${JSON.stringify(definitions)};\nimport * as cron from ${JSON.stringify(cron)};\nexport const validateCron = (cron as Record<string, unknown>).validateCron;\n`,
	);
	const outfile = path.join(work, 'reader.js');
	await esbuild.build({
		entryPoints: [entry],
		outfile,
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		mainFields: ['module', 'main'],
		nodePaths: [path.join(src, 'node_modules'), path.resolve(__dirname, '..', 'node_modules')],
		logLevel: 'warning',
	});
	return outfile;
}

function writeFile(work: string, jobs: number): string {
	const dir = path.join(work, `jobs-${jobs}`);
	fs.mkdirSync(dir);
	const file = path.join(dir, '.jobs.json');
	fs.writeFileSync(file, jobsFileText(jobs));
	return file;
}

function report(src: string, runs: number, sizes: readonly number[], present: readonly Variant[], results: Map<string, ChildResult[]>): void {
	console.log(`Cold parse of .jobs.json (${src}): ${runs} fresh processes per cell, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`);
	console.log('median ms (min–max); "saved" is the tree path minus parseJobsText, paired within each run\n');
	const figures: Array<[string, (r: ChildResult) => number]> = [
		['parse', (r) => r.parseMs],
		['parse CPU', (r) => r.parseCpuMs],
	];
	const header = ['jobs', 'bytes', ...figures.flatMap(([name]) => [...present.map((v) => `${v} ${name}`), ...(present.length === 2 ? [`saved ${name}`] : [])]), ...present.map((v) => `${v} require`)];
	console.log(`| ${header.join(' | ')} |`);
	console.log(`|${header.map(() => '---').join('|')}|`);
	for (const n of sizes) {
		const of = (v: Variant) => results.get(`${n} ${v}`) ?? [];
		const cells = figures.flatMap(([, value]) => {
			const each = present.map((v) => fmtFigure(figure(of(v).map(value)), ' ms'));
			const saved = present.length === 2 ? [fmtFigure(figure(of(present[1]).map((r, i) => value(r) - value(of(present[0])[i]))), ' ms')] : [];
			return [...each, ...saved];
		});
		const load = present.map((v) => fmtFigure(figure(of(v).map((r) => r.requireMs)), ' ms'));
		console.log(`| ${[String(n), String(jobsFileText(n).length), ...cells, ...load].join(' | ')} |`);
	}
}

main().catch((err) => {
	console.error(err);
	process.exitCode = 1;
});
