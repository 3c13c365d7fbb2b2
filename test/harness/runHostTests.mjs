#!/usr/bin/env node
// Runs the extension-host suites (test/host/) inside code-server: for each suite, a fresh
// code-server on a copy of the suite's fixture, and Chromium opening the workbench with the
// `payload` URL parameter (extensionDevelopmentPath = this project, extensionTestsPath =
// out/test/host/index.js). The workbench reports output through window.codeAutomationLog and the
// result through window.codeAutomationExit, exposed here with Playwright. Measured facts behind
// this: "Measured here" in test/harness/README.md.
//
// Usage: node test/harness/runHostTests.mjs [--suite NAME]... [--grep PATTERN] [--timeout SECONDS]
//        [--no-build]   (--no-build: neither `node esbuild.mjs` nor the test bundles)
//   NAME is a suite of test/harness/suites.mjs (basic, broken, untrusted); default: every suite
//   that has test files.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format, parseArgs } from 'node:util';
import { launchBrowser } from './browser.mjs';
import { buildHostTests } from './buildHostTests.mjs';
import { LOGS, leftoverPids, startCodeServer } from './codeServer.mjs';
import { CACHE, ROOT, provisionOrExit } from './provision.mjs';
import { copyFixture, hostSuites, suiteTestFiles } from './suites.mjs';

const { values: args, positionals } = parseArgs({
	options: {
		suite: { type: 'string', multiple: true },
		grep: { type: 'string' },
		timeout: { type: 'string', default: process.env.WORKSPACE_JOBS_HOST_TIMEOUT ?? '180' },
		build: { type: 'boolean', default: true },
		'no-build': { type: 'boolean', default: false },
	},
	allowPositionals: true,
});
const timeoutMs = Number(args.timeout) * 1000;
const wanted = [...(args.suite ?? []), ...positionals];

const log = (message) => console.log(`[host] ${message}`);
// Fixture copies; removed on any exit (Ctrl+C included: codeServer.mjs exits on SIGINT).
const workspaces = path.join(CACHE, `workspaces-${process.pid}`);
process.on('exit', () => fs.rmSync(workspaces, { recursive: true, force: true }));

/**
 * Runs one suite; resolves to { code, passed, failed, skipped, seconds }.
 * @param {import('playwright-core').Browser} browser
 * @param {import('./suites.mjs').HostSuite} suite
 */
async function runSuite(browser, suite) {
	const started = Date.now();
	const folder = copyFixture(suite.fixture, workspaces);
	const env = {
		WORKSPACE_JOBS_HOST_SUITE: suite.name,
		WORKSPACE_JOBS_HOST_COLOR: process.stdout.isTTY ? '1' : '0',
		...(args.grep ? { WORKSPACE_JOBS_HOST_GREP: args.grep } : {}),
	};
	const server = await startCodeServer(folder, { trust: suite.trust, env, label: `host-${suite.name}` });
	const browserLog = path.join(LOGS, `host-${suite.name}-browser.log`);
	const browserLines = [];
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const result = { code: 1, passed: 0, failed: 0, skipped: 0, sawSummary: false };
	try {
		let finish;
		const exited = new Promise((resolve) => {
			finish = resolve;
		});
		let suiteStarted = false;
		let suiteDone = false;
		await context.exposeFunction('codeAutomationLog', (type, message) => {
			const text = formatLog(message);
			browserLines.push(`[automation ${type}] ${text}`);
			// The workbench logs its own start-up here too: echo from the runner's first line on.
			// Shutdown noise after the summary line or the exit stays in the log file.
			suiteStarted ||= text.startsWith(`suite "${suite.name}"`);
			const echo = (suiteStarted && !suiteDone) || (type === 'error' && !suiteDone && !/ENOTFOUND open-vsx\.org/.test(text));
			if (!echo) {
				return;
			}
			const summary = /^(\S+): (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m.exec(text);
			if (summary && summary[1] === suite.name) {
				result.sawSummary = true;
				result.passed = Number(summary[2]);
				result.failed = Number(summary[3]);
				result.skipped = Number(summary[4] ?? 0);
				suiteDone = true;
			}
			(type === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
		});
		await context.exposeFunction('codeAutomationExit', (code) => {
			suiteDone = true;
			finish(Number(code));
		});
		const page = await context.newPage();
		page.on('console', (m) => browserLines.push(`[${m.type()}] ${m.text()}`));
		page.on('pageerror', (e) => browserLines.push(`[pageerror] ${e.stack ?? e}`));

		const payload = [
			['extensionDevelopmentPath', server.remoteUri(ROOT)],
			['extensionTestsPath', server.remoteUri(path.join(ROOT, 'out/test/host/index.js'))],
		];
		const url = `${server.workbenchUrl}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
		log(`suite ${suite.name}: ${path.relative(ROOT, suite.fixture)} (${suite.trust ? 'trusted' : 'Restricted Mode'}) on ${server.url}`);
		await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

		let timer;
		const timedOut = new Promise((resolve) => {
			timer = setTimeout(() => resolve('timeout'), timeoutMs);
		});
		const code = await Promise.race([exited, timedOut]);
		clearTimeout(timer);
		if (code === 'timeout') {
			suiteDone = true;
			console.error(`[host] suite ${suite.name}: no result within ${timeoutMs / 1000} s (--timeout)`);
			await page.screenshot({ path: path.join(ROOT, 'test-results', `host-${suite.name}-timeout.png`) }).catch(() => {});
			result.code = 1;
		} else {
			result.code = code;
		}
	} finally {
		await context.close().catch(() => {});
		await server.stop();
		fs.writeFileSync(browserLog, browserLines.join('\n'));
		fs.rmSync(workspaces, { recursive: true, force: true });
	}
	if (result.code !== 0) {
		console.error(`[host] suite ${suite.name} failed (exit ${result.code}); logs: ${path.relative(ROOT, server.logFile)}, ${path.relative(ROOT, browserLog)}`);
	}
	if (!result.sawSummary && result.code !== 0) {
		result.failed = Math.max(result.failed, 1); // crashed before mocha could report
	}
	result.seconds = (Date.now() - started) / 1000;
	return result;
}

/** codeAutomationLog gets console arguments as a JSON array (format string first). */
function formatLog(message) {
	let parts = message;
	if (typeof message === 'string' && message.startsWith('[')) {
		try {
			parts = JSON.parse(message);
		} catch {
			// plain text
		}
	}
	return Array.isArray(parts) ? format(...parts) : String(parts);
}

async function main() {
	const started = Date.now();
	provisionOrExit();
	const unknown = wanted.filter((name) => !hostSuites.some((s) => s.name === name));
	if (unknown.length > 0) {
		console.error(`[host] unknown suite(s): ${unknown.join(', ')}; known: ${hostSuites.map((s) => s.name).join(', ')}`);
		return 2;
	}
	const suites = hostSuites.filter((s) => (wanted.length > 0 ? wanted.includes(s.name) : suiteTestFiles(s).length > 0));
	for (const suite of suites) {
		if (suiteTestFiles(suite).length === 0) {
			console.error(`[host] suite ${suite.name} has no *.test.ts in ${path.relative(ROOT, suite.testDir)}/`);
			return 2;
		}
	}
	if (args.build && !args['no-build']) {
		// The extension itself (dist/), then the test bundles.
		const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
		if (build.status !== 0) {
			console.error('[host] the build (node esbuild.mjs) failed');
			return 1;
		}
		const count = await buildHostTests();
		log(`built ${count} test file(s) into out/test/host/`);
	}
	fs.mkdirSync(LOGS, { recursive: true });
	const browser = await launchBrowser();
	const results = [];
	try {
		for (const suite of suites) {
			results.push([suite.name, await runSuite(browser, suite)]);
		}
	} finally {
		await browser.close();
	}

	const leftovers = leftoverPids();
	if (leftovers.length > 0) {
		console.error(`[host] processes left behind by the harness: ${leftovers.join(' ')}`);
	}
	let passed = 0;
	let failed = 0;
	let skipped = 0;
	for (const [name, r] of results) {
		log(`${name}: exit ${r.code}, ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (${r.seconds.toFixed(1)} s)`);
		passed += r.passed;
		failed += r.failed;
		skipped += r.skipped;
	}
	const ok = results.every(([, r]) => r.code === 0) && leftovers.length === 0;
	log(`${results.length} suite(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	console.log(`host: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
	return ok ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(`[host] ${/^Build failed/.test(error?.message) ? error.message : error?.stack ?? error}`);
		process.exit(1);
	},
);
