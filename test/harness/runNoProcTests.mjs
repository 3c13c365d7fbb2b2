#!/usr/bin/env node
// `npm run test:noproc`: the process and reliability tests with `/proc` hidden from the code under
// test, which is what macOS gives a job runner (no `/proc`; see test/harness/README.md, "The
// no-/proc stage"). Linux only, as root: a private mount namespace (`unshare -m`) with a tmpfs
// over `/proc`. Elsewhere it says why and skips (exit 0), unless WORKSPACE_JOBS_REQUIRE_NOPROC=1
// (CI), then it fails.
//
// Leak checks must not go blind with the engine: inside the namespace the real process table
// stays readable at a folder only the tests know (WORKSPACE_JOBS_TEST_PROC, read by
// test/support/processes.ts), and after the run this script, outside the namespace, looks for any
// process that still carries the stage's marker in its environment (every job inherits it), kills
// it and fails.
//
// Usage: node test/harness/runNoProcTests.mjs [FOLDER|FILE]... [-- NODE_TEST_OPTIONS...]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What runs, and why each: the code that reads `/proc` (or must do without it) and the tests of
 * what the issue asks to hold without it: timeouts, cancel and host death leave no process, and
 * runs are recorded.
 */
const defaultTargets = [
	// Asserts that this stage really hides /proc from the engine (skipped elsewhere).
	'test/unit/core/process/noProcfs.test.ts',
	// The group watch by kill(-pgid, 0), the guard, ps parsing; timeouts, cancel, host death through
	// the launcher. Not runner.direct.test.ts: without /proc a zombie counts as a member until PID 1
	// reaps it, and this machine's PID 1 does that only every second or two (the launcher reaps at
	// once as a subreaper), so its timing checks measure the machine, not the code.
	'test/unit/core/process/groupWatch.test.ts',
	'test/unit/core/process/groupGuard.test.ts',
	'test/unit/core/process/psTable.test.ts',
	// The leftover search after a crash: finds nothing and does not throw with no table.
	'test/unit/core/process/leftovers.test.ts',
	// Escape tracking: none without a table, and it does not throw.
	'test/unit/core/process/escapeTracker.test.ts',
	'test/unit/core/process/runner.test.ts',
	// Host SIGKILLed mid-run, recovery of interrupted runs and of escaped processes, launcher death.
	'test/unit/core/engine/reliability.test.ts',
	// The CLI end to end: runs recorded, a timeout, SIGTERM of `start` leaving nothing behind.
	'test/unit/cli/cli.test.ts',
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const targets = dash === -1 ? argv : argv.slice(0, dash);
const extra = dash === -1 ? [] : argv.slice(dash + 1);
const markerName = 'WORKSPACE_JOBS_NOPROC_STAGE';

function skip(why) {
	if (process.env.WORKSPACE_JOBS_REQUIRE_NOPROC === '1') {
		console.error(`test:noproc: cannot run: ${why} (WORKSPACE_JOBS_REQUIRE_NOPROC=1 requires it)`);
		process.exit(1);
	}
	console.log(`test:noproc: skipped: ${why}`);
	process.exit(0);
}

if (process.platform !== 'linux') {
	skip(`needs Linux mount namespaces (this is ${process.platform})`);
}
if (process.getuid?.() !== 0) {
	skip('needs root for unshare -m and mount (run it as root, or in CI)');
}
const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { stdio: 'pipe' });
if (probe.status !== 0) {
	skip(`unshare -m failed: ${probe.error?.message ?? String(probe.stderr).trim()}`);
}

const marker = randomBytes(8).toString('hex');
const view = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-realproc-'));
// Inside the namespace: a view of the real /proc for the tests, then an empty /proc for everyone.
const script = 'mount --bind /proc "$1" && mount -t tmpfs -o size=64k,mode=0555 none /proc && shift && exec "$@"';
const started = Date.now();
const result = spawnSync(
	'unshare',
	['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', view, process.execPath, path.join(root, 'test/harness/runUnitTests.mjs'), ...(targets.length ? targets : defaultTargets), ...(extra.length ? ['--', ...extra] : [])],
	{ cwd: root, stdio: 'inherit', env: { ...process.env, WORKSPACE_JOBS_TEST_PROC: view, [markerName]: marker } },
);
fs.rmSync(view, { recursive: true, force: true });

const left = await leftovers(marker);
console.log(`test:noproc: ${((Date.now() - started) / 1000).toFixed(1)} s in the namespace; processes left outside it: ${left.length}`);
if (left.length > 0) {
	console.error(`test:noproc: processes of the stage outlived it (killed now): ${left.map((p) => `${p.pid} ${p.command}`).join('; ')}`);
	process.exit(1);
}
process.exit(result.status ?? 1);

/**
 * Processes whose environment holds the stage's marker, read from the real /proc after a grace
 * (a watchdog whose host just died may still be in its grace); each is SIGKILLed with its group.
 */
async function leftovers(value) {
	const needle = Buffer.from(`\0${markerName}=${value}\0`);
	const find = () => {
		const found = [];
		for (const name of fs.readdirSync('/proc')) {
			if (!/^\d+$/.test(name) || Number(name) === process.pid) {
				continue;
			}
			try {
				const environ = Buffer.concat([Buffer.from('\0'), fs.readFileSync(`/proc/${name}/environ`), Buffer.from('\0')]);
				const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
				const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
				if (environ.includes(needle) && fields[0] !== 'Z') {
					const command = fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
					found.push({ pid: Number(name), pgid: Number(fields[2]), command });
				}
			} catch {
				// Gone, or not ours to read.
			}
		}
		return found;
	};
	const deadline = Date.now() + 5000;
	let found = find();
	while (found.length > 0 && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 100));
		found = find();
	}
	const ownStat = fs.readFileSync('/proc/self/stat', 'latin1');
	const ownGroup = Number(ownStat.slice(ownStat.lastIndexOf(')') + 2).split(' ')[2]);
	for (const p of found) {
		for (const target of p.pgid > 1 && p.pgid !== ownGroup ? [-p.pgid, p.pid] : [p.pid]) {
			try {
				process.kill(target, 'SIGKILL');
			} catch {
				// Gone already.
			}
		}
	}
	return found;
}
