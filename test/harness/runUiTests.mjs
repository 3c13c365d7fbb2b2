#!/usr/bin/env node
// UI end-to-end tests: builds the extension, packages it (`vsce package`), installs the .vsix into
// a code-server extensions folder, then runs test/ui/*.test.mjs with node:test, one file at a time.
// Each test opens its own workbench through test/harness/ui.mjs (withWorkbench). Screenshots go to
// test-results/ui/.
//
// Usage: node test/harness/runUiTests.mjs [--no-build] [--vsix FILE] [FILE...] [-- node --test options]
//   FILE: test files to run (default test/ui/*.test.mjs); --vsix installs FILE instead of packaging.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { leftoverPids } from './codeServer.mjs';
import { CACHE, ROOT, provisionOrExit } from './provision.mjs';
import { SCREENSHOTS, prepareExtensions } from './ui.mjs';

const { values: args, positionals } = parseArgs({
	options: {
		build: { type: 'boolean', default: true },
		'no-build': { type: 'boolean', default: false },
		vsix: { type: 'string' },
		'test-name-pattern': { type: 'string' },
	},
	allowPositionals: true,
});
const log = (message) => console.log(`[ui] ${message}`);

async function main() {
	const started = Date.now();
	provisionOrExit();
	if (args.build && !args['no-build']) {
		const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
		if (build.status !== 0) {
			console.error('[ui] the build failed');
			return 1;
		}
	}
	const extensionsDir = path.join(CACHE, 'ui-extensions');
	try {
		const t = Date.now();
		prepareExtensions({ extensionsDir, vsix: args.vsix ?? process.env.WORKSPACE_JOBS_UI_VSIX });
		log(`packaged and installed ${fs.readdirSync(extensionsDir).filter((d) => !d.endsWith('.json')).join(', ')} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
	} catch (error) {
		console.error(`[ui] ${error.message}`);
		return 1;
	}

	const files = positionals.length > 0
		? positionals.map((f) => path.resolve(f))
		: fs.readdirSync(path.join(ROOT, 'test/ui')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join(ROOT, 'test/ui', f));
	if (files.length === 0) {
		console.error('[ui] no test/ui/*.test.mjs files');
		return 1;
	}
	fs.rmSync(SCREENSHOTS, { recursive: true, force: true });
	fs.mkdirSync(SCREENSHOTS, { recursive: true });
	const testArgs = [
		'--test',
		'--test-concurrency=1',
		'--test-reporter=spec',
		...(args['test-name-pattern'] ? [`--test-name-pattern=${args['test-name-pattern']}`] : []),
		...files,
	];
	const code = await new Promise((resolve) => {
		const child = spawn(process.execPath, testArgs, {
			cwd: ROOT,
			stdio: 'inherit',
			env: { ...process.env, WORKSPACE_JOBS_UI_EXTENSIONS: extensionsDir },
		});
		const forward = (signal) => child.kill(signal);
		process.on('SIGINT', forward);
		process.on('SIGTERM', forward);
		child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
	});
	fs.rmSync(extensionsDir, { recursive: true, force: true });

	const leftovers = leftoverPids();
	if (leftovers.length > 0) {
		console.error(`[ui] processes left behind by the tests: ${leftovers.join(' ')}`);
	}
	const shots = fs.readdirSync(SCREENSHOTS).filter((f) => f.endsWith('.png'));
	log(`${shots.length} screenshot(s) in ${path.relative(ROOT, SCREENSHOTS)}/; ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
	return code === 0 && leftovers.length === 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(`[ui] ${error?.stack ?? error}`);
		process.exit(1);
	},
);
