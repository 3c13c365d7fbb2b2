/**
 * Bundles the scenario files the way esbuild.mjs bundles dist/ (CJS, node20, same resolution), so
 * the engine runs as it ships, not through a TypeScript loader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

export const scenarioNames = ['dispatch', 'commands', 'timers', 'memory', 'bare', 'output', 'startup', 'coreEntry'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

/** Bundles every scenario into `outDir`; returns the bundle path of each. */
export async function buildScenarios(root: string, outDir: string): Promise<Record<ScenarioName, string>> {
	fs.mkdirSync(outDir, { recursive: true });
	const entryPoints = scenarioNames.map((name) => path.join(root, 'bench', 'scenarios', `${name}.ts`));
	await esbuild.build({
		entryPoints,
		outdir: outDir,
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		sourcemap: 'linked',
		sourcesContent: false,
		mainFields: ['module', 'main'],
		// As esbuild.mjs: a helper program (the launcher's .pl) is bundled as its text.
		loader: { '.pl': 'text' },
		logLevel: 'warning',
	});
	return Object.fromEntries(scenarioNames.map((name) => [name, path.join(outDir, `${name}.js`)])) as Record<ScenarioName, string>;
}

/** The product bundles the start-up scenario loads, built as esbuild.mjs builds them (dev and --production). */
export interface ProductBundles {
	extensionDev: string;
	extensionProduction: string;
	cliDev: string;
	cliProduction: string;
}

/**
 * Builds the extension and CLI entries into `outDir` with esbuild.mjs's options, so start-up and
 * sizes do not depend on whatever build other work left in dist/.
 */
export async function buildProduct(root: string, outDir: string): Promise<ProductBundles> {
	const entries = [
		{ key: 'extensionDev', entry: 'src/extension.ts', external: ['vscode'], production: false },
		{ key: 'extensionProduction', entry: 'src/extension.ts', external: ['vscode'], production: true },
		{ key: 'cliDev', entry: 'src/cli/main.ts', external: [], production: false },
		{ key: 'cliProduction', entry: 'src/cli/main.ts', external: [], production: true },
	] as const;
	const out = {} as ProductBundles;
	for (const { key, entry, external, production } of entries) {
		const outfile = path.join(outDir, 'product', `${key}.js`);
		await esbuild.build({
			entryPoints: [path.join(root, entry)],
			outfile,
			bundle: true,
			platform: 'node',
			target: 'node20',
			format: 'cjs',
			minify: production,
			sourcemap: !production,
			sourcesContent: false,
			external: [...external],
			mainFields: ['module', 'main'],
			loader: { '.pl': 'text' },
			logLevel: 'warning',
		});
		out[key] = outfile;
	}
	return out;
}
