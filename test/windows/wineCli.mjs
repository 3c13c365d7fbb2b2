// Helpers of the end-to-end Windows tests (test/windows/*.test.mjs): the CLI (dist/cli.js) under
// node.exe in the Wine session of `npm run test:windows` (test/harness/runWindowsTests.mjs), which
// names it in WORKSPACE_JOBS_WINE_SESSION. Output always goes to files: node.exe dies with EBADF
// when its stdio is a Unix pipe.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../harness/provision.mjs';
import { attachWine, hostPath, ROOTFS, windowsPath } from '../harness/wine.mjs';

const scratch = process.env.WORKSPACE_JOBS_WINE_SESSION;

/** Why these tests cannot run here (they need the stage's session), or undefined. */
export const skipReason = scratch ? undefined : 'needs the Wine session of `npm run test:windows`';

export const wine = scratch ? attachWine(scratch) : undefined;

const CLI = windowsPath(path.join(ROOT, 'dist', 'cli.js'));
/** The image name of the host node.exe in `tasklist`. */
export const HOST_IMAGE = wine ? path.posix.basename(wine.nodeExe) : '';

/**
 * A fresh workspace folder with `.jobs.json` = `jobs` (an object, written as JSON). `root` is
 * its path in the Wine root, `host` on the host, `win` as Windows sees it.
 */
export function workspace(name, jobs) {
	const root = `${scratch}/ws-${name}-${randomBytes(3).toString('hex')}`;
	const host = hostPath(root);
	fs.mkdirSync(host, { recursive: true });
	fs.writeFileSync(path.join(host, '.jobs.json'), `${JSON.stringify(jobs, null, '\t')}\n`);
	return { root, host, win: windowsPath(root), file: windowsPath(`${root}/.jobs.json`) };
}

/** `workspace-jobs ARGS` under node.exe, to its end, from the workspace folder. */
export function cli(ws, args, { timeoutMs = 120_000 } = {}) {
	const result = wine.runSync(wine.nodeExe, [CLI, ...args], { cwd: ws.root, timeoutMs });
	return { ...result, records: jsonLines(result.stdout) };
}

/**
 * `workspace-jobs ARGS` under node.exe in the background. `linuxPid()` finds the Linux process
 * that is the node.exe host (its command line names the jobs file, which is unique).
 */
export function startCli(ws, args) {
	const out = wine.hostFile(`cli-${randomBytes(4).toString('hex')}`);
	const stdoutFd = fs.openSync(`${out}.stdout`, 'w');
	const stderrFd = fs.openSync(`${out}.stderr`, 'w');
	const child = spawn(...wine.command(wine.nodeExe, [CLI, '--file', ws.file, ...args], { cwd: ws.root }), { stdio: ['ignore', stdoutFd, stderrFd] });
	fs.closeSync(stdoutFd);
	fs.closeSync(stderrFd);
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	const read = (stream) => {
		try {
			return fs.readFileSync(`${out}.${stream}`, 'utf8');
		} catch {
			return '';
		}
	};
	return {
		child,
		exited,
		stdout: () => read('stdout'),
		stderr: () => read('stderr'),
		records: () => jsonLines(read('stdout')),
		linuxPid: () => linuxProcesses().find((p) => p.cmdline.includes(ws.file) && p.cmdline.includes(HOST_IMAGE))?.pid,
	};
}

function jsonLines(text) {
	return text
		.split('\n')
		.filter((line) => line.startsWith('{'))
		.map((line) => JSON.parse(line));
}

/** Linux processes with their command lines (Wine gives a Windows process the Windows command line). */
export function linuxProcesses() {
	const list = [];
	for (const name of fs.readdirSync('/proc')) {
		if (/^\d+$/.test(name)) {
			try {
				list.push({ pid: Number(name), cmdline: fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ') });
			} catch {
				// Gone.
			}
		}
	}
	return list;
}

/** Windows processes of the prefix, from `tasklist /FO CSV /NH`: `{ image, pid }`. */
export function tasklist() {
	const result = wine.runSync('tasklist', ['/FO', 'CSV', '/NH']);
	if (result.status !== 0) {
		throw new Error(`tasklist failed (exit ${result.status}): ${result.stderr}`);
	}
	return result.stdout
		.split(/\r?\n/)
		.filter((line) => line.startsWith('"'))
		.map((line) => {
			const [image, pid] = line.split('","').map((cell) => cell.replaceAll('"', ''));
			return { image, pid: Number(pid) };
		});
}

/** `taskkill ARGS`; returns its exit status and output. */
export function taskkill(args) {
	return wine.runSync('taskkill', args);
}

/**
 * A program with a name no other process has: a copy of node.exe as `wjmark-<hex>.exe` in the
 * scratch folder, so `tasklist` shows exactly the processes a job started with it. (A hard link
 * does not do: Wine shows it under the name of the file it links.)
 * `command(script)` is the cmd.exe text that runs `script` (JavaScript without double quotes) with it.
 */
export function markerProgram() {
	const image = `wjmark-${randomBytes(4).toString('hex')}.exe`;
	const rootPath = `${scratch}/bin/${image}`;
	fs.mkdirSync(path.dirname(hostPath(rootPath)), { recursive: true });
	fs.copyFileSync(path.join(ROOTFS, wine.nodeExe), hostPath(rootPath));
	return {
		image,
		command: (script) => `"${windowsPath(rootPath)}" -e "${script}"`,
		running: () => tasklist().filter((p) => p.image.toLowerCase() === image.toLowerCase()),
	};
}

/** A JavaScript line for markerProgram: writes `file` (in the job's folder), then stays alive. */
export function startedThenWait(file) {
	return `require('fs').writeFileSync('${file}', String(process.pid)); setInterval(Date.now, 1000)`;
}

/** The host's path of a path node.exe printed (drive Z: is the Wine root, C: the prefix's drive_c); case as Windows ignores it. */
export function hostOfWindowsPath(winPath) {
	const m = /^([A-Za-z]):[\\/](.*)$/.exec(winPath);
	if (!m) {
		throw new Error(`not an absolute Windows path: ${winPath}`);
	}
	const base = m[1].toUpperCase() === 'Z' ? ROOTFS : hostPath(`${wine.env.WINEPREFIX}/drive_c`);
	let current = base;
	for (const part of m[2].split(/[\\/]/).filter(Boolean)) {
		const exact = path.join(current, part);
		if (fs.existsSync(exact)) {
			current = exact;
			continue;
		}
		const match = fs.existsSync(current) ? fs.readdirSync(current).find((name) => name.toLowerCase() === part.toLowerCase()) : undefined;
		current = path.join(current, match ?? part);
	}
	return current;
}

/** Polls `check` every `stepMs` until it returns a truthy value or `ms` pass; returns the last value. */
export async function pollFor(check, ms, stepMs = 250) {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = check();
		if (value || Date.now() > deadline) {
			return value;
		}
		await new Promise((resolve) => setTimeout(resolve, stepMs));
	}
}
