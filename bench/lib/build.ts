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
		logLevel: 'warning',
	});
	return Object.fromEntries(scenarioNames.map((name) => [name, path.join(outDir, `${name}.js`)])) as Record<ScenarioName, string>;
}

/** Size in bytes of a minified build of an entry, built as esbuild.mjs does with `--production`. */
export async function minifiedSize(root: string, entry: string, external: string[]): Promise<number> {
	const result = await esbuild.build({
		entryPoints: [path.join(root, entry)],
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		minify: true,
		write: false,
		external,
		mainFields: ['module', 'main'],
		logLevel: 'silent',
	});
	return result.outputFiles[0].contents.length;
}
