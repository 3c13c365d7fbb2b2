// Import cycles in src/, type-only imports included (ESLint's import plugins skip those).
// `npm run lint` runs this after ESLint: `node --import tsx test/support/importCycles.ts [GLOB...]`
// exits 1 and prints each cycle when there is one.
import { parseCircular, parseDependencyTree } from 'dpdm';
import { repoRoot } from './paths';

/** Every cycle among the files matched by `globs` under `cwd`, each as the list of its files. */
export async function findCycles(globs: string[], cwd: string): Promise<string[][]> {
	const tree = await parseDependencyTree(globs, {
		cwd,
		context: cwd,
		extensions: ['.ts', '.mts', '.js', '.mjs'],
		// Type-only imports count: a cycle of types is still a tangle for a reader.
		transform: false,
		skipDynamicImports: false,
		exclude: /node_modules/,
		onProgress: () => {},
	});
	return parseCircular(tree);
}

if (require.main === module) {
	void (async () => {
		const globs = process.argv.slice(2);
		const cycles = await findCycles(globs.length ? globs : ['src/**/*.ts'], repoRoot);
		for (const [i, cycle] of cycles.entries()) {
			console.error(`import cycle ${i + 1}: ${[...cycle, cycle[0]].join(' -> ')}`);
		}
		if (cycles.length > 0) {
			process.exit(1);
		}
		console.log('no import cycles in src/');
	})();
}
