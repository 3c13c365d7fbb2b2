// Bundles the extension-host suites: test/host/index.ts (the mocha runner entry) and every
// test/host/**/*.test.ts into out/test/host/ (CJS, one bundle per test file; `vscode` and
// `mocha` stay external: the extension host provides `vscode`, and `mocha` resolves from the
// project's node_modules because out/ is inside the project).
//
// Usage: node test/harness/buildHostTests.mjs
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './provision.mjs';

export const HOST_SRC = path.join(ROOT, 'test/host');
export const HOST_OUT = path.join(ROOT, 'out/test/host');

export async function buildHostTests() {
	const entryPoints = [path.join(HOST_SRC, 'index.ts')];
	for (const file of fs.readdirSync(HOST_SRC, { recursive: true })) {
		if (String(file).endsWith('.test.ts')) {
			entryPoints.push(path.join(HOST_SRC, String(file)));
		}
	}
	fs.rmSync(HOST_OUT, { recursive: true, force: true }); // no stale bundles of deleted tests
	const result = await esbuild.build({
		entryPoints,
		outbase: HOST_SRC,
		outdir: HOST_OUT,
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		sourcemap: 'inline',
		sourcesContent: false,
		external: ['vscode', 'mocha'],
		// As in esbuild.mjs: jsonc-parser's CommonJS build cannot be bundled.
		mainFields: ['module', 'main'],
		// As in esbuild.mjs: a helper program (the launcher's .pl) is bundled as its text.
		loader: { '.pl': 'text' },
		logLevel: 'warning',
	});
	if (result.errors.length > 0) {
		throw new Error('building the host tests failed');
	}
	return entryPoints.length - 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		const count = await buildHostTests();
		console.log(`[host] built ${count} test file(s) into ${path.relative(ROOT, HOST_OUT)}/`);
	} catch (error) {
		console.error(error.message);
		process.exit(1);
	}
}
