#!/usr/bin/env node
// Provisions what the host and UI tests need, once, and caches it:
//  - Debian packages: chromium (drives the workbench), libkrb5-dev (code-server's `kerberos`
//    module builds against gssapi.h); installed with apt-get when running as root.
//  - code-server (a real VS Code served by Node, from the npm registry) in
//    .vscode-test/code-server-<version>/, the way @vscode/test-electron caches its VS Code.
// Idempotent: a marker file inside the install folder says it is done. Nothing is downloaded from
// anywhere but the npm registry and Debian's archive (why: "Measured here" in
// test/harness/README.md).
//
// Usage: node test/harness/provision.mjs [--force]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = path.join(ROOT, '.vscode-test');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_DIR = path.join(CACHE, `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'node_modules/code-server/out/node/entry.js');
export const CHROMIUM = process.env.WJ_CHROMIUM || '/usr/bin/chromium';
const MARKER = path.join(CODE_SERVER_DIR, '.provisioned.json');

// @vscode/ripgrep's postinstall downloads rg from GitHub, but first looks for this tarball in
// $TMPDIR. These names belong to the @vscode/ripgrep that code-server 4.100.3 pins.
const RIPGREP_CACHE_DIR = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export class ProvisionError extends Error {}

function log(message) {
	console.log(`[provision] ${message}`);
}

/**
 * Environment for child tools: the caller's, without the package and lifecycle variables an
 * enclosing `npm run` sets (npm_config_* settings such as a registry or cache pass through).
 */
function cleanEnv(extra = {}) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^npm_(package_|lifecycle_|config_local_prefix$|command$)/i.test(key) && key !== 'INIT_CWD') {
			env[key] = value;
		}
	}
	return { ...env, ...extra };
}

function run(command, args, options = {}) {
	log(`$ ${command} ${args.join(' ')}`);
	const result = spawnSync(command, args, { stdio: 'inherit', env: cleanEnv(options.env), cwd: options.cwd });
	if (result.error) {
		throw new ProvisionError(`${command} could not be started: ${result.error.message}`);
	}
	if (result.status !== 0) {
		throw new ProvisionError(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
	}
}

function has(command) {
	return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

// ---- Debian packages --------------------------------------------------------------------------

let aptUpdated = false;
function aptInstall(packages, why) {
	if (!isRoot) {
		throw new ProvisionError(
			`${why}\n  Install it with: sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}\n` +
				'  (the test harness installs Debian packages itself only when it runs as root)',
		);
	}
	if (!has('apt-get')) {
		throw new ProvisionError(`${why}\n  apt-get is not available; install ${packages.join(' ')} by other means.`);
	}
	const aptEnv = { DEBIAN_FRONTEND: 'noninteractive' };
	if (!aptUpdated) {
		run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update'], { env: aptEnv });
		aptUpdated = true;
	}
	run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', ...packages], {
		env: aptEnv,
	});
}

export function ensureChromium() {
	if (fs.existsSync(CHROMIUM)) {
		return CHROMIUM;
	}
	log(`${CHROMIUM} is missing: installing Debian's chromium`);
	aptInstall(['chromium'], `The UI and host tests drive the workbench with Chromium, and ${CHROMIUM} is missing.`);
	if (!fs.existsSync(CHROMIUM)) {
		throw new ProvisionError(`apt-get installed chromium but ${CHROMIUM} is still missing.`);
	}
	return CHROMIUM;
}

function ensureBuildPrerequisites() {
	const missing = [];
	if (!fs.existsSync('/usr/include/gssapi/gssapi.h')) {
		missing.push('libkrb5-dev');
	}
	for (const [tool, pkg] of [
		['make', 'make'],
		['g++', 'g++'],
		['python3', 'python3'],
	]) {
		if (!has(tool)) {
			missing.push(pkg);
		}
	}
	if (missing.length > 0) {
		log(`installing build prerequisites of code-server's native modules: ${missing.join(' ')}`);
		aptInstall(missing, `code-server's native modules need ${missing.join(', ')} to build.`);
	}
}

/** Puts a tarball of Debian's rg where @vscode/ripgrep's postinstall looks before downloading. */
function prepareRipgrepCache(tmpDir) {
	const cacheDir = path.join(tmpDir, RIPGREP_CACHE_DIR);
	const tarball = path.join(cacheDir, RIPGREP_TARBALL);
	fs.mkdirSync(cacheDir, { recursive: true });
	const stage = fs.mkdtempSync(path.join(tmpDir, 'rg-'));
	fs.chmodSync(stage, 0o755); // apt-get download fetches as user _apt
	let rg = '/usr/bin/rg';
	if (!fs.existsSync(rg)) {
		if (!has('apt-get') || !has('dpkg')) {
			throw new ProvisionError('code-server needs ripgrep: install Debian\'s "ripgrep" package (or put rg in /usr/bin).');
		}
		log('taking rg from Debian\'s ripgrep package (apt-get download, dpkg -x)');
		const download = () =>
			spawnSync('apt-get', ['download', 'ripgrep'], { cwd: stage, stdio: 'inherit', env: cleanEnv() }).status === 0;
		if (!download()) {
			if (isRoot && !aptUpdated) {
				run('apt-get', ['update'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
				aptUpdated = true;
			}
			if (!download()) {
				throw new ProvisionError(
					'apt-get download ripgrep failed; run `apt-get update` (as root) or install ripgrep, then try again.',
				);
			}
		}
		const deb = fs.readdirSync(stage).find((f) => f.endsWith('.deb'));
		run('dpkg', ['-x', path.join(stage, deb), path.join(stage, 'root')]);
		rg = path.join(stage, 'root/usr/bin/rg');
		if (!fs.existsSync(rg)) {
			throw new ProvisionError('the ripgrep package did not contain usr/bin/rg');
		}
	}
	fs.copyFileSync(rg, path.join(stage, 'rg'));
	fs.chmodSync(path.join(stage, 'rg'), 0o755);
	run('tar', ['-czf', tarball, '-C', stage, 'rg']);
	fs.rmSync(stage, { recursive: true, force: true });
}

// ---- code-server -------------------------------------------------------------------------------

export function isCodeServerProvisioned() {
	try {
		const marker = JSON.parse(fs.readFileSync(MARKER, 'utf8'));
		return marker.version === CODE_SERVER_VERSION && fs.existsSync(CODE_SERVER_ENTRY);
	} catch {
		return false;
	}
}

export function ensureCodeServer({ force = false } = {}) {
	if (!force && isCodeServerProvisioned()) {
		return CODE_SERVER_ENTRY;
	}
	const started = Date.now();
	log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(ROOT, CODE_SERVER_DIR)}/ (about 1 minute, 300 MB)`);
	ensureBuildPrerequisites();

	// Install into a staging folder and rename at the end, so an interrupted install is never
	// mistaken for a finished one.
	const staging = `${CODE_SERVER_DIR}.partial`;
	fs.rmSync(staging, { recursive: true, force: true });
	fs.rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
	const tmpDir = path.join(staging, '.tmp');
	fs.mkdirSync(tmpDir, { recursive: true });
	prepareRipgrepCache(tmpDir);
	fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ name: 'wj-code-server', private: true }, null, '\t'));

	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	run(
		npm,
		[
			'install',
			'--prefix',
			staging,
			'--no-audit',
			'--no-fund',
			'--no-package-lock',
			'--loglevel=error',
			`code-server@${CODE_SERVER_VERSION}`,
		],
		{
			cwd: staging,
			env: {
				TMPDIR: tmpDir,
				npm_config_unsafe_perm: 'true', // code-server's postinstall insists on it; npm 11 does not pass it through
				npm_config_yes: 'true', // node-pty's postinstall runs npx
			},
		},
	);
	fs.rmSync(tmpDir, { recursive: true, force: true });

	const rgBin = path.join(staging, 'node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg');
	if (!fs.existsSync(rgBin)) {
		log(`warning: ${rgBin} is missing; search in the workbench will not work`);
	}
	const entry = path.join(staging, 'node_modules/code-server/out/node/entry.js');
	// A throwaway HOME: code-server writes a default config.yaml into ~/.config on any start.
	const home = fs.mkdtempSync(path.join(staging, '.home-'));
	const version = spawnSync(process.execPath, [entry, '--version'], {
		encoding: 'utf8',
		env: cleanEnv({ HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share') }),
	});
	fs.rmSync(home, { recursive: true, force: true });
	if (version.status !== 0) {
		throw new ProvisionError(`the installed code-server does not start: ${version.stderr || version.stdout}`);
	}
	fs.renameSync(staging, CODE_SERVER_DIR);
	fs.writeFileSync(
		MARKER,
		JSON.stringify(
			{ version: CODE_SERVER_VERSION, node: process.version, date: new Date().toISOString(), seconds: (Date.now() - started) / 1000 },
			null,
			'\t',
		),
	);
	log(`code-server ${version.stdout.trim().split('\n').pop()} ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
	return CODE_SERVER_ENTRY;
}

/** Everything the host and UI tests need. Throws ProvisionError with a readable message. */
export function provision({ force = false } = {}) {
	const major = Number(process.versions.node.split('.')[0]);
	if (major < 20) {
		throw new ProvisionError(`Node ${process.version} is too old: code-server ${CODE_SERVER_VERSION} needs Node 20.`);
	}
	if (process.platform !== 'linux') {
		throw new ProvisionError(
			'The code-server test harness supports Linux only; on other systems use `npm run test:electron`.',
		);
	}
	fs.mkdirSync(CACHE, { recursive: true });
	const chromium = ensureChromium();
	const codeServer = ensureCodeServer({ force });
	return { chromium, codeServer };
}

/** For harness scripts: provision or exit non-zero with the message. */
export function provisionOrExit() {
	try {
		return provision();
	} catch (error) {
		console.error(`[provision] FAILED: ${error instanceof ProvisionError ? error.message : error?.stack ?? error}`);
		process.exit(2);
	}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const started = Date.now();
	try {
		const result = provision({ force: process.argv.includes('--force') });
		log(`chromium: ${result.chromium}`);
		log(`code-server: ${path.relative(ROOT, result.codeServer)}`);
		log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	} catch (error) {
		console.error(`[provision] FAILED: ${error instanceof ProvisionError ? error.message : error?.stack ?? error}`);
		process.exit(2);
	}
}
