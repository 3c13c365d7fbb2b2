#!/usr/bin/env node
// `npm run test:windows`: the Windows stage. Under Wine 10 with Windows Node (provisioned by
// wine.mjs into .vscode-test/) it runs
//  1. the unit test files of WINDOWS_UNIT_TESTS below, bundled with esbuild, under node.exe --test;
//  2. test/windows/*.test.mjs, end-to-end cases of the CLI (dist/cli.js under node.exe), driven
//     from Linux Node.
// A machine that cannot provision Wine (not root, no apt repositories, not Linux) gets a line
// saying why and exit 0, unless WORKSPACE_JOBS_REQUIRE_WINE=1 (set by .ci/run): then exit 1.
//
// The stage re-executes itself in a private mount namespace (`unshare -m`), so the bind mounts it
// makes into the Wine root can never outlive it, even when it is killed; it unmounts them itself
// too, on success, failure and Ctrl-C.
//
// Usage: node test/harness/runWindowsTests.mjs [--no-build] [--only unit|e2e] [-- NODE_TEST_OPTIONS...]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ROOT } from './provision.mjs';
import { openWine, provisionWine, WineUnavailable, windowsPath } from './wine.mjs';

/**
 * Unit test files that apply to Windows, run under node.exe. Each is here for what it shows on
 * win32; files left out need Linux (`/proc`, `/bin/sh`, process groups, loop mounts, POSIX
 * modes, another user) and have Windows counterparts in the end-to-end cases or none.
 * Left out for now, though they apply: records/skipStreaks and records/stateFiles (their `after`
 * cannot remove the temp folder, ENOTEMPTY: a store still holds a file open, which Windows
 * does not let go) and records/runLogs (its jobs are sh scripts).
 */
export const WINDOWS_UNIT_TESTS = [
	// The Windows start: cmd.exe jobs through the job helper (dist/jobHost.exe) and its Job
	// Object, exit codes, output, a tree ended on timeout, cancel and host death.
	'test/unit/core/process/windows/windowsStart.test.ts',
	// Command lines and cmd quoting of a job's shell.
	'test/unit/core/process/windows/commandLine.test.ts',
	// A job's shell found on PATH only: node.exe, pwsh.exe, bash.exe planted in the job folder do
	// not run; a path with a folder does; jobHost.exe refuses a program without an absolute path.
	'test/unit/core/process/windows/plantedProgram.test.ts',
	// The resolver's win32 rules, and the file check on a Windows file system.
	'test/unit/core/process/programSearch.test.ts',
	// Crash-safe replace (rename over a file, EPERM while held open), the state folder's place
	// (%LOCALAPPDATA%) and per-workspace hashing of a drive-letter path; a writer killed mid-write.
	'test/unit/core/base/atomicFile.test.ts',
	// History: append-only JSONL, rotation, torn-line repair, a writer killed mid-append.
	'test/unit/core/records/history.test.ts',
	// Retention limits, which compute paths and sizes of files.
	'test/unit/core/records/retention.test.ts',
	// The runner lease's named pipe: separate keys, no answer once disposed. Its exclusivity
	// cannot be shown under Wine (WINDOWS_EXPECTED).
	'test/unit/core/engine/lease.test.ts',
	// The engine on a manual clock: dependencies, retries, cancel and records on win32 paths.
	'test/unit/core/engine/engine.test.ts',
	// Definitions as win32 reads them: paths, cwd, env names, the file's bytes and line ends.
	'test/unit/core/definitions/jobsFile.test.ts',
	'test/unit/core/definitions/jobsFileFields.test.ts',
	'test/unit/core/definitions/jobsFileEncoding.test.ts',
	'test/unit/core/definitions/jobsSource.test.ts',
];

// Measured under Wine 10 (node.exe 20): symlinkSync(dir, link) and `mklink /D` return success and leave no link; a
// junction fails (ENOTSUP, `mklink /J`: "Failed to open"). Links made on the Linux side are not links to Windows Node
// (lstat: a plain folder; fs.realpathSync keeps the link's name, only fs.realpathSync.native resolves them).
const noLinksUnderWine = "Wine 10: fs.symlinkSync (CreateSymbolicLinkW) and mklink /D succeed but create nothing, and a junction (symlinkSync 'junction', mklink /J) fails with ENOTSUP";

/**
 * Tests of those files that are expected not to pass here, by name, each with why
 * (windowsExpected.cjs applies it). `skip`: Wine cannot show it. `todo`: Windows does not do it
 * yet (issue 12); the test still runs and its failure is printed. Remove an entry once it passes.
 */
export const WINDOWS_EXPECTED = {
	'only one of two leases on the same key holds it': { skip: 'Wine: a second server on one pipe name succeeds (Windows: EADDRINUSE)' },
	'a waiting lease takes over within two retries when the holder is disposed': { skip: 'Wine: a second server on one pipe name succeeds' },
	'takes the lease within 2 s of the holding process being SIGKILLed': { skip: 'Wine: a second server on one pipe name succeeds' },
	'a holder whose event loop is blocked keeps the lease': { skip: 'Wine: a second server on one pipe name succeeds' },
	'a workspace folder and a symlink to it share one state folder': { skip: noLinksUnderWine },
	'accepts an absolute cwd inside and a symlink that stays inside': { skip: noLinksUnderWine },
	'rejects a cwd that leaves the folder through a symlink': { skip: noLinksUnderWine },
	'records survive SIGKILL during appends and are never glued': { todo: 'Wine: a killed writer runs on after its exit is reported (measured: the file grew 2.4 MB after exit; in 2 of 8 runs a child wrote a batch more than its acknowledged count plus the one in flight), so only the upper bound fails; no gap and no lost record in 8 runs' },
};

/** Where the node.exe bundles go: two levels under the root, so `__dirname/../..` is the repository as it is for the sources. */
const BUNDLES = path.join(ROOT, 'out', 'windows');

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const options = dash === -1 ? argv : argv.slice(0, dash);
const nodeTestOptions = dash === -1 ? [] : argv.slice(dash + 1);
const only = options.includes('--only') ? options[options.indexOf('--only') + 1] : undefined;
const required = process.env.WORKSPACE_JOBS_REQUIRE_WINE === '1';
/** The test process now running (node.exe under Wine, or Linux Node for the end-to-end tests), killed on Ctrl-C. */
let running;

function unavailable(reason) {
	if (required) {
		console.error(`[windows] FAILED: WORKSPACE_JOBS_REQUIRE_WINE=1 and ${reason}`);
		process.exit(1);
	}
	console.log(`[windows] SKIPPED: ${reason}`);
	process.exit(0);
}

if (process.platform !== 'linux') {
	unavailable(`the Windows stage runs Wine in a Debian chroot, which needs Linux (this is ${process.platform})`);
}
if (process.getuid() !== 0) {
	unavailable('it needs root (debootstrap, chroot and bind mounts); run `npm run test:windows` as root');
}
if (process.env.WORKSPACE_JOBS_WINE_NAMESPACE !== '1') {
	// Again, in a private mount namespace: its mounts die with it.
	const child = spawn('unshare', ['--mount', '--propagation', 'private', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
		stdio: 'inherit',
		env: { ...process.env, WORKSPACE_JOBS_WINE_NAMESPACE: '1' },
	});
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.on(signal, () => child.kill(signal));
	}
	child.on('exit', (code) => process.exit(code ?? 1));
} else {
	await stage();
}

async function stage() {
	const started = Date.now();
	try {
		provisionWine();
	} catch (err) {
		if (err instanceof WineUnavailable) {
			unavailable(err.message);
		}
		throw err;
	}
	const provisioned = Date.now();
	if (!options.includes('--no-build')) {
		step('npm', ['run', 'build']);
	}
	const wine = openWine();
	let closing = false;
	const close = () => {
		if (!closing) {
			closing = true;
			running?.kill('SIGKILL');
			wine.close();
		}
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(signal, () => {
			console.error(`[windows] ${signal}: ending Wine and unmounting`);
			close();
			process.exit(130);
		});
	}
	const results = [];
	try {
		const version = wine.runSync(wine.nodeExe, ['-p', 'process.platform + " " + process.version + " " + process.arch']);
		console.log(`[windows] Wine prefix ready: node.exe says "${version.stdout.trim()}" (${((Date.now() - provisioned) / 1000).toFixed(1)} s after provisioning)`);
		if (version.status !== 0 || !version.stdout.startsWith('win32 ')) {
			throw new Error(`node.exe does not start under Wine (exit ${version.status}): ${version.stderr}`);
		}
		if (only !== 'e2e') {
			results.push(['unit tests under node.exe', await unitTests(wine)]);
		}
		if (only !== 'unit') {
			results.push(['end-to-end CLI tests', await endToEnd(wine)]);
		}
	} finally {
		close();
	}
	console.log(`[windows] ${results.map(([name, code]) => `${name}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`}`).join('; ')}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
	process.exit(results.every(([, code]) => code === 0) ? 0 : 1);
}

function step(command, args) {
	const result = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
	}
}

/** Bundles the listed test files (and the child processes they start) for node.exe, runs them, prints the report file. */
async function unitTests(wine) {
	fs.rmSync(BUNDLES, { recursive: true, force: true });
	const entryPoints = Object.fromEntries(WINDOWS_UNIT_TESTS.map((file) => [file.replace(/^test\/unit\//, '').replace(/\.ts$/, '').replaceAll('/', '_'), file]));
	entryPoints.storageChild = 'test/support/storageChild.ts';
	await esbuild.build({
		absWorkingDir: ROOT,
		entryPoints,
		outdir: BUNDLES,
		outExtension: { '.js': '.cjs' },
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		mainFields: ['module', 'main'],
		loader: { '.pl': 'text' },
		// Only the Linux build of esbuild is installed; under node.exe the children come prebuilt (WORKSPACE_JOBS_TEST_CHILDREN).
		external: ['esbuild'],
		logLevel: 'warning',
	});
	const report = wine.hostFile('unit-report.txt');
	const files = WINDOWS_UNIT_TESTS.map((file) => windowsPath(path.join(BUNDLES, `${file.replace(/^test\/unit\//, '').replace(/\.ts$/, '').replaceAll('/', '_')}.cjs`)));
	console.log(`[windows] node.exe --test: ${files.length} files`);
	const t0 = Date.now();
	const status = await wine.run(wine.nodeExe, ['--require', windowsPath(path.join(ROOT, 'test', 'harness', 'windowsExpected.cjs')), '--test', '--test-reporter=spec', `--test-reporter-destination=${windowsPath(wine.rootFile('unit-report.txt'))}`, ...nodeTestOptions, ...files], {
		cwd: ROOT,
		extraEnv: { WORKSPACE_JOBS_TEST_CHILDREN: windowsPath(BUNDLES), WORKSPACE_JOBS_WINDOWS_EXPECTED: JSON.stringify(WINDOWS_EXPECTED) },
		stdoutFile: wine.hostFile('unit.stdout'),
		stderrFile: wine.hostFile('unit.stderr'),
		onChild: (child) => (running = child),
	});
	const printed = `${fs.readFileSync(wine.hostFile('unit.stdout'), 'utf8')}${fs.readFileSync(wine.hostFile('unit.stderr'), 'utf8')}`;
	process.stdout.write(fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '(no report was written)\n');
	if (printed.trim()) {
		process.stdout.write(`[windows] node.exe printed:\n${printed}\n`);
	}
	console.log(`[windows] unit tests under node.exe: exit ${status} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	return status ?? 1;
}

/** test/windows/*.test.mjs under Linux Node; they reach this run's Wine session through WORKSPACE_JOBS_WINE_SESSION. */
function endToEnd(wine) {
	const dir = path.join(ROOT, 'test', 'windows');
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join(dir, f));
	running = spawn(process.execPath, ['--test', '--test-concurrency=1', `--test-reporter=${process.env.WORKSPACE_JOBS_TEST_REPORTER ?? 'spec'}`, ...nodeTestOptions, ...files], {
		stdio: 'inherit',
		cwd: ROOT,
		env: { ...process.env, WORKSPACE_JOBS_WINE_SESSION: wine.scratch },
	});
	return new Promise((resolve) => running.once('exit', (code) => resolve(code ?? 1)));
}
