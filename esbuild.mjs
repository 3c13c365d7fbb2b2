// Builds the three bundles: the extension (CJS, vscode external), the CLI and the metrics webview,
// and the Windows job helper (dist/jobHost.exe) when the MinGW cross-compiler is installed.
import { spawnSync } from 'node:child_process';
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

buildJobHost();

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

/**
 * Cross-compiles the Windows job helper (src/core/process/windows/jobHost.c) into
 * dist/jobHost.exe: stripped, no timestamp (the same source gives the same bytes). Without the
 * compiler the build says so and goes on; Windows runs then fall back to `taskkill /T /F`
 * (src/core/process/windows/windowsStart.ts).
 */
function buildJobHost() {
	const source = 'src/core/process/windows/jobHost.c';
	const target = 'dist/jobHost.exe';
	if (!fs.existsSync(source) || (fs.existsSync(target) && fs.statSync(target).mtimeMs >= fs.statSync(source).mtimeMs)) {
		return;
	}
	const compiler = 'x86_64-w64-mingw32-gcc';
	fs.mkdirSync('dist', { recursive: true });
	const result = spawnSync(compiler, ['-Os', '-s', '-Wall', '-Wextra', '-Werror', '-Wl,--no-insert-timestamp', '-o', target, source], { encoding: 'utf8' });
	if (result.error?.code === 'ENOENT') {
		console.warn(`${target} not built: ${compiler} not found (Debian: apt-get install gcc-mingw-w64-x86-64). On Windows, jobs then fall back to taskkill /T /F, which cannot end a tree when the host dies.`);
		return;
	}
	if (result.status !== 0) {
		console.error(`✘ [ERROR] ${compiler} failed on ${source}:\n${result.stderr ?? result.error}`);
		process.exit(1);
	}
}

function existsAll(paths) {
	return paths.every((p) => fs.existsSync(p));
}
import * as fs from 'node:fs';
