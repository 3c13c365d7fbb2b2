/**
 * `npm run bench`: builds the scenario bundles, runs every measurement in fresh child processes
 * (variants alternating within each repetition), prints a table of engine vs baseline and the raw
 * figures, and writes both to bench/results.json. See bench/README.md for how to read it.
 *
 * Options: --only id[,id…] (prefixes such as `dispatch` or `commands.c4`), --reps N (all
 * measurements), --list, --profile id[:variant] (one run with --cpu-prof; prints the top self-time
 * functions instead of benchmarking).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPlan, type Collected, type Measurement, type Result, type Row, sizeRows } from './plan';
import { buildProduct, buildScenarios, type ProductBundles, type ScenarioName } from './lib/build';
import { resultMarker } from './lib/child';
import { topSelfTime } from './lib/profile';
import { type Figure, figure, fmtFigure } from './lib/stats';

const root = path.resolve(__dirname, '..');

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			only: { type: 'string' },
			reps: { type: 'string' },
			list: { type: 'boolean', default: false },
			profile: { type: 'string' },
		},
	});
	const started = Date.now();
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wjbench-build-'));
	try {
		const bundles = await buildScenarios(root, work);
		const product = await buildProduct(root, work);
		const plan = buildPlan({ root, coreBundle: bundles.coreEntry, product });
		if (values.list) {
			for (const m of plan) {
				console.log(`${m.id.padEnd(18)} ${m.reps}× ${m.variants.map((v) => v.name).join('/')}  ${m.title}`);
			}
			return;
		}
		if (values.profile) {
			await profile(plan, values.profile, bundles);
			return;
		}
		const only = values.only?.split(',').map((s) => s.trim());
		const selected = plan.filter((m) => !only || only.some((o) => m.id === o || m.id.startsWith(`${o}.`) || m.id.startsWith(o)));
		const reps = values.reps ? Number.parseInt(values.reps, 10) : undefined;
		await benchmark(selected, bundles, reps, started, only ? undefined : product);
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

async function benchmark(plan: Measurement[], bundles: Record<ScenarioName, string>, repsOverride: number | undefined, started: number, product: ProductBundles | undefined): Promise<void> {
	console.log(`Workspace Jobs benchmark: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
	const rows: Row[] = [];
	const measurements: object[] = [];
	for (const m of plan) {
		const reps = repsOverride ?? m.reps;
		const t0 = Date.now();
		process.stdout.write(`\n${m.title} (${reps}×: ${m.variants.map((v) => v.name).join(', ')})\n`);
		const collected: Collected = {};
		const errors: string[] = [];
		const loads: number[] = [];
		for (let rep = 0; rep < reps; rep++) {
			for (const variant of m.variants) {
				loads.push(os.loadavg()[0]);
				const outcome = await runChild(bundles[variant.scenario], variant.params(collected), m.timeoutMs);
				if ('error' in outcome) {
					errors.push(`${variant.name}#${rep + 1}: ${outcome.error}`);
					process.stdout.write(`  ${variant.name} #${rep + 1}: ERROR ${outcome.error.split('\n')[0]}\n`);
					continue;
				}
				(collected[variant.name] ??= []).push(outcome.result);
				process.stdout.write(`  ${variant.name} #${rep + 1}: ${brief(outcome.result)}\n`);
			}
		}
		const mRows = m.rows(collected);
		rows.push(...mRows);
		measurements.push({
			id: m.id,
			title: m.title,
			reps,
			note: m.note,
			seconds: Math.round((Date.now() - t0) / 100) / 10,
			loadAverage1m: figure(loads),
			errors,
			summary: summarize(collected),
			runs: collected,
		});
		process.stdout.write(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
	}
	let sizes: Array<{ label: string; bytes: number; shipped: boolean }> = [];
	if (product) {
		sizes = bundleSizes(product);
		rows.push(...sizeRows(sizes));
	}
	const seconds = Math.round((Date.now() - started) / 1000);
	printTable(rows);
	printRaw(measurements as Array<{ id: string; title: string; note?: string; summary: Record<string, Record<string, Figure>>; loadAverage1m?: Figure; errors: string[] }>);
	// A partial run (--only) must not replace the last full one.
	const out = product ? 'results.json' : 'results.partial.json';
	console.log(`\nTotal ${seconds} s. Results in bench/${out}.`);
	const results = {
		startedAt: new Date(started).toISOString(),
		seconds,
		machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, platform: `${os.type()} ${os.release()}`, totalMemMb: Math.round(os.totalmem() / 2 ** 20) },
		rows: rows.map(({ figures, ...r }) => ({ ...r, figures })),
		bundleSizes: sizes,
		measurements,
	};
	fs.writeFileSync(path.join(root, 'bench', out), `${JSON.stringify(results, null, '\t')}\n`);
}

/** Runs one scenario bundle in a fresh process and returns its result line. */
function runChild(bundle: string, params: object, timeoutMs: number, extraFlags: string[] = []): Promise<{ result: Result } | { error: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--expose-gc', ...extraFlags, bundle, JSON.stringify(params)], { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
		child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr = (stderr + t).slice(-4000)));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const line = stdout.split('\n').reverse().find((l) => l.startsWith(resultMarker));
			if (code === 0 && line) {
				resolve({ result: JSON.parse(line.slice(resultMarker.length)) as Result });
			} else {
				resolve({ error: signal === 'SIGKILL' ? `timed out after ${timeoutMs / 1000} s` : `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
			}
		});
	});
}

/** A one-line digest of a child's result for the progress output. */
function brief(result: Result): string {
	return Object.entries(result)
		.filter(([, v]) => typeof v === 'number' || typeof v === 'string')
		.slice(0, 7)
		.map(([k, v]) => `${k}=${v}`)
		.join(' ');
}

function summarize(collected: Collected): Record<string, Record<string, Figure>> {
	const out: Record<string, Record<string, Figure>> = {};
	for (const [variant, results] of Object.entries(collected)) {
		const fields = new Set(results.flatMap((r) => Object.keys(r)));
		out[variant] = {};
		for (const field of fields) {
			const f = figure(results.map((r) => r[field]).filter((v): v is number => typeof v === 'number'));
			if (f) {
				out[variant][field] = f;
			}
		}
	}
	return out;
}

function printTable(rows: Row[]): void {
	const header = ['scenario', 'n', 'engine', 'baseline', 'ratio', 'goal', 'met?'];
	const cells = rows.map((r) => [r.scenario, String(r.figures.engine?.n ?? ''), r.engine, r.baseline, r.ratio, r.goal, r.met === undefined ? '—' : r.met ? 'yes' : 'NO']);
	const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
	const line = (c: string[]) => `| ${c.map((s, i) => s.padEnd(widths[i])).join(' | ')} |`;
	console.log('\nResults: median (min–max) over n repetitions, each in fresh processes; ratio = engine / baseline within each repetition.\n');
	console.log(line(header));
	console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const c of cells) {
		console.log(line(c));
	}
}

function printRaw(measurements: Array<{ id: string; title: string; note?: string; summary: Record<string, Record<string, Figure>>; loadAverage1m?: Figure; errors: string[] }>): void {
	console.log('\nRaw figures: median (min–max) per variant and field.');
	for (const m of measurements) {
		console.log(`\n${m.title} [${m.id}]${m.loadAverage1m ? ` — machine load average ${fmtFigure(m.loadAverage1m)}` : ''}`);
		if (m.note) {
			console.log(`  ${m.note}`);
		}
		for (const [variant, fields] of Object.entries(m.summary)) {
			console.log(`  ${variant}: ${Object.entries(fields).map(([k, f]) => `${k} ${fmtFigure(f)}`).join(', ')}`);
		}
		for (const e of m.errors) {
			console.log(`  error: ${e}`);
		}
	}
}

function bundleSizes(product: ProductBundles): Array<{ label: string; bytes: number; shipped: boolean }> {
	const size = (file: string): number => fs.statSync(file).size;
	return [
		{ label: 'extension, --production (vscode:prepublish, shipped)', bytes: size(product.extensionProduction), shipped: true },
		{ label: 'extension, dev build (npm run build)', bytes: size(product.extensionDev), shipped: false },
		{ label: 'CLI, --production', bytes: size(product.cliProduction), shipped: true },
		{ label: 'CLI, dev build (npm run build / prepare)', bytes: size(product.cliDev), shipped: false },
	];
}

/** One run of a variant under --cpu-prof, then the hottest functions by self time. */
async function profile(plan: Measurement[], spec: string, bundles: Record<ScenarioName, string>): Promise<void> {
	const [id, variantName] = spec.split(':');
	const m = plan.find((x) => x.id === id);
	if (!m) {
		throw new Error(`unknown measurement ${id}; --list shows them`);
	}
	const variant = m.variants.find((v) => v.name === (variantName ?? 'engine')) ?? m.variants[0];
	const dir = path.join(os.tmpdir(), `wjbench-profile-${m.id}-${variant.name}-${Date.now()}`);
	fs.mkdirSync(dir, { recursive: true });
	const outcome = await runChild(bundles[variant.scenario], variant.params({}), m.timeoutMs * 2, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200']);
	console.log(`${m.id} / ${variant.name}: ${'error' in outcome ? `ERROR ${outcome.error}` : brief(outcome.result)}`);
	for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
		const { totalMs, top, inclusive } = topSelfTime(path.join(dir, file), root, 20);
		console.log(`\n${path.join(dir, file)}: ${totalMs} ms of samples (idle excluded). Top self time:`);
		for (const f of top) {
			console.log(`  ${String(f.percent).padStart(5)}%  ${String(f.selfMs).padStart(8)} ms  ${f.name}  ${f.where}`);
		}
		console.log('\nProject functions by total time (self + callees):');
		for (const f of inclusive) {
			console.log(`  ${String(f.percent).padStart(5)}%  ${String(f.selfMs).padStart(8)} ms  ${f.name}  ${f.where}`);
		}
	}
}

main().catch((err) => {
	console.error(err);
	process.exitCode = 1;
});
