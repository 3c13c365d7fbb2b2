// Starts and stops code-server (a real VS Code workbench served by Node) for tests.
//
// Each server gets a free loopback port, a throwaway HOME/XDG/TMPDIR under .vscode-test/tmp-<id>/,
// and its own process group. stop() kills the whole group (SIGTERM, then SIGKILL) and then any
// process that still carries this server's marker variable (a job started with setsid leaves the
// group but keeps its environment), and removes the temp folder. A watchdog inside the group kills
// the group if this Node process dies without calling stop(). Why the group and the throwaway
// HOME: "Measured here" in test/harness/README.md.
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { CACHE, CODE_SERVER_ENTRY, ROOT, isCodeServerProvisioned } from './provision.mjs';

export const RESULTS = path.join(ROOT, 'test-results');
export const LOGS = path.join(RESULTS, 'logs');
const MARKER_VAR = 'WORKSPACE_JOBS_TEST_SERVER';
export const BROWSER_MARKER_VAR = 'WORKSPACE_JOBS_TEST_BROWSER';

/** User settings for every test workbench: no welcome page, tips, update checks or telemetry. */
export const DEFAULT_SETTINGS = {
	'workbench.startupEditor': 'none',
	'workbench.tips.enabled': false,
	'workbench.enableExperiments': false,
	'workbench.welcomePage.walkthroughs.openOnInstall': false,
	'telemetry.telemetryLevel': 'off',
	'update.mode': 'none',
	'extensions.autoCheckUpdates': false,
	'extensions.autoUpdate': false,
	'extensions.ignoreRecommendations': true,
	'window.restoreWindows': 'none',
	'files.hotExit': 'off',
	'git.openRepositoryInParentFolders': 'never',
	'chat.commandCenter.enabled': false,
	'security.workspace.trust.startupPrompt': 'never',
	'security.workspace.trust.banner': 'never',
};

const running = new Set();
let staleCleaned = false;

/** Removes tmp-<pid>-* folders left by harness processes that died (their watchdog killed the servers). */
function cleanStaleTemp() {
	if (staleCleaned) {
		return;
	}
	staleCleaned = true;
	for (const entry of fs.existsSync(CACHE) ? fs.readdirSync(CACHE) : []) {
		const match = /^tmp-(?:install-)?(\d+)-/.exec(entry);
		if (!match) {
			continue;
		}
		const pid = Number(match[1]);
		let alive = pid === process.pid;
		try {
			process.kill(pid, 0);
			alive = true;
		} catch (error) {
			alive = alive || error.code === 'EPERM';
		}
		if (!alive) {
			fs.rmSync(path.join(CACHE, entry), { recursive: true, force: true });
		}
	}
}

/** A free TCP port on 127.0.0.1 (the kernel picks one for a listen on port 0). */
export function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** Environment for code-server: ours, without editor/npm variables that would redirect it. */
function serverEnv(dirs, marker, extra) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(npm_|VSCODE_|ELECTRON_|CODE_SERVER_)/i.test(key) || key === 'INIT_CWD' || key === 'PASSWORD') {
			continue;
		}
		env[key] = value;
	}
	return {
		...env,
		HOME: dirs.home,
		XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
		XDG_DATA_HOME: path.join(dirs.home, '.local/share'),
		XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
		XDG_STATE_HOME: path.join(dirs.home, '.local/state'),
		TMPDIR: dirs.tmp,
		[MARKER_VAR]: marker,
		...extra,
	};
}

function makeDirs(id, { extensionsDir, userDataDir }) {
	const base = path.join(CACHE, `tmp-${id}`);
	const dirs = {
		base,
		home: path.join(base, 'home'),
		tmp: path.join(base, 'tmp'),
		userData: userDataDir ?? path.join(base, 'user-data'),
		extensions: extensionsDir ?? path.join(base, 'extensions'),
	};
	for (const dir of [dirs.home, dirs.tmp, dirs.userData, dirs.extensions]) {
		fs.mkdirSync(dir, { recursive: true });
	}
	return dirs;
}

function writeSettings(userDataDir, settings) {
	const file = path.join(userDataDir, 'User', 'settings.json');
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, JSON.stringify(settings, null, '\t'));
}

function assertProvisioned() {
	if (!isCodeServerProvisioned()) {
		throw new Error('code-server is not provisioned: run `node test/harness/provision.mjs` first.');
	}
}

/**
 * Installs a .vsix into an extensions folder with code-server's CLI (offline, about a second).
 * @param {string} vsix
 * @param {{ extensionsDir: string }} options
 */
export function installExtension(vsix, { extensionsDir }) {
	assertProvisioned();
	cleanStaleTemp();
	const id = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
	const dirs = makeDirs(`install-${id}`, { extensionsDir });
	try {
		const result = spawnSync(
			process.execPath,
			[CODE_SERVER_ENTRY, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData, '--install-extension', vsix, '--force'],
			{ encoding: 'utf8', env: serverEnv(dirs, id, {}), timeout: 120_000 },
		);
		if (result.status !== 0 || /Failed Installing/i.test(result.stdout + result.stderr)) {
			throw new Error(`code-server --install-extension ${vsix} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
		}
		return result.stdout.trim();
	} finally {
		fs.rmSync(dirs.base, { recursive: true, force: true });
	}
}

function get(url, timeoutMs) {
	return new Promise((resolve) => {
		const request = http.get(url, { timeout: timeoutMs }, (response) => {
			response.resume();
			resolve(response.statusCode);
		});
		request.on('timeout', () => request.destroy());
		request.on('error', () => resolve(0));
	});
}

function groupAlive(pgid) {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/** Pids of processes whose environment holds MARKER_VAR=marker (Linux /proc). */
function markedPids(marker) {
	const needle = Buffer.from(`\0${MARKER_VAR}=${marker}\0`);
	const pids = [];
	let entries = [];
	try {
		entries = fs.readdirSync('/proc');
	} catch {
		return pids;
	}
	for (const entry of entries) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) {
			continue;
		}
		try {
			if (Buffer.concat([Buffer.from('\0'), fs.readFileSync(`/proc/${entry}/environ`)]).includes(needle)) {
				pids.push(Number(entry));
			}
		} catch {
			// gone, or not ours
		}
	}
	return pids;
}

function killMarked(marker) {
	const pids = markedPids(marker);
	for (const pid of pids) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	return pids.length;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The group leader is this shell: it keeps a watchdog that kills the group when our stdin pipe
// closes (this Node process died), then becomes code-server itself.
const LAUNCHER = `exec 3<&0
( cat <&3 >/dev/null; kill -KILL 0 ) &
exec "$0" "$@" 3<&- </dev/null`;

/**
 * Starts code-server on a folder.
 * @param {string} folder absolute path of the workspace folder to open
 * @param {{
 *   extensionsDir?: string, userDataDir?: string, trust?: boolean,
 *   settings?: Record<string, unknown>, env?: Record<string, string>, label?: string,
 *   startTimeoutMs?: number,
 * }} [options] trust: false keeps Workspace Trust on (the folder opens in Restricted Mode)
 * @returns {Promise<{ url: string, port: number, folder: string, workbenchUrl: string,
 *   remoteUri(p: string): string, logFile: string, dirs: object, stop(): Promise<void> }>}
 */
export async function startCodeServer(folder, options = {}) {
	assertProvisioned();
	cleanStaleTemp();
	installExitHandlers();
	const { trust = true, settings = {}, env = {}, startTimeoutMs = 60_000 } = options;
	const id = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
	const label = options.label ?? path.basename(folder);
	const dirs = makeDirs(id, options);
	writeSettings(dirs.userData, { ...DEFAULT_SETTINGS, ...settings });
	fs.mkdirSync(LOGS, { recursive: true });
	const logFile = path.join(LOGS, `code-server-${label}-${id}.log`);

	let lastError;
	for (let attempt = 0; attempt < 3; attempt++) {
		const port = await freePort();
		const configFile = path.join(dirs.base, 'config.yaml');
		fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
		const args = [
			CODE_SERVER_ENTRY,
			'--bind-addr',
			`127.0.0.1:${port}`,
			'--auth',
			'none',
			'--disable-telemetry',
			'--disable-update-check',
			'--disable-getting-started-override',
			'--ignore-last-opened',
			...(trust ? ['--disable-workspace-trust'] : []),
			'--user-data-dir',
			dirs.userData,
			'--extensions-dir',
			dirs.extensions,
			'--config',
			configFile,
			folder,
		];
		const out = fs.openSync(logFile, 'a');
		const child = spawn('/bin/sh', ['-c', LAUNCHER, process.execPath, ...args], {
			cwd: dirs.home,
			env: serverEnv(dirs, id, env),
			detached: true, // own process group, with the shell as leader
			stdio: ['pipe', out, out],
		});
		fs.closeSync(out);
		child.stdin.on('error', () => {}); // EPIPE once the group is gone
		let exited = null;
		child.on('exit', (code, signal) => {
			exited = { code, signal };
		});
		const server = { pid: child.pid, child, marker: id, dirs, stopped: false };
		running.add(server);

		const url = `http://127.0.0.1:${port}`;
		const deadline = Date.now() + startTimeoutMs;
		let healthy = false;
		while (Date.now() < deadline && !exited) {
			if ((await get(`${url}/healthz`, 2000)) === 200) {
				healthy = true;
				break;
			}
			await sleep(200);
		}
		if (healthy) {
			const stop = () => stopServer(server);
			return {
				url,
				port,
				folder,
				logFile,
				dirs,
				workbenchUrl: `${url}/?folder=${encodeURIComponent(folder)}`,
				remoteUri: (p) => `vscode-remote://127.0.0.1:${port}${p.split(path.sep).map(encodeURIComponent).join('/')}`,
				stop,
			};
		}
		await stopServer(server, { keepDirs: true });
		const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
		lastError = new Error(
			exited
				? `code-server exited at start (${exited.code ?? exited.signal}); log ${logFile}:\n${tail}`
				: `code-server did not answer /healthz within ${startTimeoutMs} ms; log ${logFile}:\n${tail}`,
		);
		if (!exited || !/EADDRINUSE/.test(tail)) {
			break; // only a lost race for the port is worth another try
		}
	}
	fs.rmSync(dirs.base, { recursive: true, force: true });
	throw lastError;
}

async function stopServer(server, { keepDirs = false } = {}) {
	if (!server.stopped) {
		server.stopped = true;
		const pgid = server.pid;
		try {
			process.kill(-pgid, 'SIGTERM');
		} catch {
			// group already gone
		}
		const deadline = Date.now() + 3000;
		while (groupAlive(pgid) && Date.now() < deadline) {
			await sleep(50);
		}
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			// gone
		}
		// Processes that left the group (setsid) but inherited the marker.
		for (let i = 0; i < 20 && (killMarked(server.marker) > 0 || groupAlive(pgid)); i++) {
			await sleep(50);
		}
		server.child.stdin.destroy();
		running.delete(server);
	}
	if (!keepDirs) {
		fs.rmSync(server.dirs.base, { recursive: true, force: true });
	}
}

/** Synchronous last resort on exit: kill every server we started and remove its folder. */
function killAllSync() {
	for (const server of running) {
		try {
			process.kill(-server.pid, 'SIGKILL');
		} catch {
			// gone
		}
		killMarked(server.marker);
		try {
			fs.rmSync(server.dirs.base, { recursive: true, force: true });
		} catch {
			// best effort
		}
	}
	running.clear();
}

let handlersInstalled = false;
/** Installed with the first server, so that merely importing this module changes nothing. */
function installExitHandlers() {
	if (handlersInstalled) {
		return;
	}
	handlersInstalled = true;
	process.on('exit', killAllSync);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.once(signal, () => {
			killAllSync();
			process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
		});
	}
}

/** Pids still alive that a harness server or browser started (for leak checks). */
export function leftoverPids() {
	const pids = [];
	const markers = [Buffer.from(`\0${MARKER_VAR}=`), Buffer.from(`\0${BROWSER_MARKER_VAR}=`)];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) {
			continue;
		}
		try {
			const environ = Buffer.concat([Buffer.from('\0'), fs.readFileSync(`/proc/${entry}/environ`)]);
			if (markers.some((m) => environ.includes(m))) {
				pids.push(Number(entry));
			}
		} catch {
			// gone
		}
	}
	return pids;
}
