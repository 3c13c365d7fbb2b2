/**
 * Start-up: loading dist/extension.js (with a stub `vscode` module) and calling `activate()` on a
 * workspace holding a 1,000-job .jobs.json; loading the core alone and parsing the same file; and
 * loading dist/cli.js. Each figure comes from a fresh process, so nothing is cached.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';
import { params, removeDir, round, runMain, tempDir } from '../lib/child';
import { jobsFileText } from '../lib/jobsText';
import { createContext, createVscodeStub, vscodeNamesIn } from '../lib/vscodeStub';

interface Params {
	variant: 'extension' | 'core' | 'cli' | 'processes';
	/** The repository root (dist/ lives there). */
	root: string;
	/** The bundled core entry (Engine, parseJobsText). */
	coreBundle: string;
	/** The extension bundle to load. @default dist/extension.js */
	bundle?: string;
	/** The CLI bundle to load. @default dist/cli.js */
	cliBundle?: string;
	jobs: number;
}

interface CoreModule {
	Engine: typeof import('../../src/core/engine/engine').Engine;
	parseJobsText: typeof import('../../src/core/definitions/jobsFile').parseJobsText;
}

const load = createRequire(__filename);

runMain(async () => {
	const p = params<Params>();
	const dir = tempDir('startup');
	fs.writeFileSync(path.join(dir, '.jobs.json'), jobsFileText(p.jobs));
	try {
		switch (p.variant) {
			case 'extension':
				return await extension(p, dir);
			case 'core':
				return core(p, dir);
			case 'cli':
				return cli(p);
			default:
				return processes(p);
		}
	} finally {
		removeDir(dir);
	}
});

async function extension(p: Params, folder: string): Promise<object> {
	const stub = createVscodeStub([folder], vscodeNamesIn(extensionSources(p.root)));
	const stubId = path.join(folder, 'vscode-stub.js');
	const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string; _cache: Record<string, unknown> };
	const resolve = moduleInternals._resolveFilename;
	moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
		return request === 'vscode' ? stubId : resolve.call(this, request, ...rest);
	};
	load.cache[stubId] = { id: stubId, filename: stubId, loaded: true, exports: stub } as NodeJS.Module;
	const t0 = performance.now();
	const ext = load(p.bundle ?? path.join(p.root, 'dist', 'extension.js')) as {
		activate: (context: unknown) => { _test?: { engines(): Array<{ engine: { getJobs(): unknown[] } }> } };
		deactivate: () => Promise<void>;
	};
	const requireMs = performance.now() - t0;
	let activateMs: number | undefined;
	let activateError: string | undefined;
	let jobsLoaded: number | undefined;
	try {
		const t1 = performance.now();
		const api = ext.activate(createContext(folder));
		activateMs = performance.now() - t1;
		jobsLoaded = api._test?.engines().reduce((n, e) => n + e.engine.getJobs().length, 0);
	} catch (err) {
		activateError = String((err as Error)?.stack ?? err).split('\n').slice(0, 3).join(' | ');
	}
	await ext.deactivate?.();
	return {
		requireMs: round(requireMs, 1),
		...(activateMs !== undefined ? { activateMs: round(activateMs, 1), activationWorkMs: round(requireMs + activateMs, 1) } : { activateError }),
		jobsLoaded,
	};
}

function core(p: Params, folder: string): object {
	const t0 = performance.now();
	const mod = load(p.coreBundle) as CoreModule;
	const requireMs = performance.now() - t0;
	const file = path.join(folder, '.jobs.json');
	const text = fs.readFileSync(file, 'utf8');
	const t1 = performance.now();
	const parsed = mod.parseJobsText(text, file);
	const parseMs = performance.now() - t1;
	const t2 = performance.now();
	mod.parseJobsText(text, file);
	const parseSecondMs = performance.now() - t2;
	const engine = new mod.Engine({ workspaceFolder: folder, stateDir: path.join(folder, 'state') });
	const t3 = performance.now();
	engine.load(parsed.config);
	engine.start();
	const loadAndStartMs = performance.now() - t3;
	engine.dispose();
	return {
		requireMs: round(requireMs, 1),
		parseMs: round(parseMs, 1),
		parseSecondMs: round(parseSecondMs, 1),
		loadAndStartMs: round(loadAndStartMs, 1),
		coreWorkMs: round(requireMs + parseMs + loadAndStartMs, 1),
		jobs: parsed.config.jobs.length,
	};
}

function cli(p: Params): object {
	const bundle = p.cliBundle ?? path.join(p.root, 'dist', 'cli.js');
	process.argv = [process.argv[0], bundle, '--help'];
	const write = process.stdout.write;
	process.stdout.write = (() => true) as typeof process.stdout.write;
	const t0 = performance.now();
	try {
		load(bundle);
	} finally {
		process.stdout.write = write;
	}
	return { requireMs: round(performance.now() - t0, 1) };
}

/** Wall time of `workspace-jobs --help` as a process, beside an empty `node -e ''`. */
function processes(p: Params): object {
	const time = (args: string[]): number => {
		const t0 = performance.now();
		const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
		if (r.status !== 0) {
			throw new Error(`node ${args.join(' ')} exited with ${r.status}`);
		}
		return performance.now() - t0;
	};
	const nodeMs = time(['-e', '']);
	const cliMs = time([p.cliBundle ?? path.join(p.root, 'dist', 'cli.js'), '--help']);
	return { cliHelpWallMs: round(cliMs, 1), bareNodeWallMs: round(nodeMs, 1), cliOverBareMs: round(cliMs - nodeMs, 1) };
}

function extensionSources(root: string): string[] {
	const dir = path.join(root, 'src', 'extension');
	const files = [path.join(root, 'src', 'extension.ts'), ...fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f)))];
	return files.filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(f, 'utf8'));
}
