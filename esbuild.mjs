// Builds the three bundles: the extension (CJS, vscode external), the CLI and the metrics webview.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the format of VS Code's esbuild problem matcher. */
const problemMatcher = {
	name: 'problem-matcher',
	setup(build) {
		build.onStart(() => {
			if (watch) {
				console.log('[watch] build started');
			}
		});
		build.onEnd((result) => {
			for (const { text, location } of result.errors) {
				console.error(`✘ [ERROR] ${text}`);
				if (location) {
					console.error(`    ${location.file}:${location.line}:${location.column}:`);
				}
			}
			if (watch) {
				console.log('[watch] build finished');
			}
		});
	},
};

const node = {
	bundle: true,
	platform: 'node',
	target: 'node20',
	format: 'cjs',
	minify: production,
	sourcemap: !production,
	sourcesContent: false,
	// jsonc-parser's CommonJS build loads its parts through a UMD wrapper that esbuild cannot follow.
	mainFields: ['module', 'main'],
	// Helper programs in other languages are files of their own, bundled as their text
	// (src/core/process/launcher/launcher.pl); tsx gets the same from test/harness/textImports.mjs.
	loader: { '.pl': 'text' },
	logLevel: 'silent',
	plugins: [problemMatcher],
};

const entries = [
	{ ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
	{ ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' },
	{
		...node,
		platform: 'browser',
		format: 'iife',
		target: 'es2022',
		entryPoints: ['src/webview/metrics.ts'],
		outfile: 'dist/webview/metrics.js',
	},
];

const contexts = await Promise.all(entries.filter((e) => existsAll(e.entryPoints)).map((e) => esbuild.context(e)));
if (watch) {
	await Promise.all(contexts.map((c) => c.watch()));
} else {
	const results = await Promise.allSettled(contexts.map((c) => c.rebuild()));
	await Promise.all(contexts.map((c) => c.dispose()));
	if (results.some((r) => r.status === 'rejected' || r.value.errors.length > 0)) {
		process.exit(1);
	}
}

function existsAll(paths) {
	return paths.every((p) => fs.existsSync(p));
}
import * as fs from 'node:fs';
