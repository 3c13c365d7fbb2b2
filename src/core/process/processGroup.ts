import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { GroupProcess, GroupSpawnOptions } from './processStart';

/**
 * The direct way to start a job, Node's synchronous `spawn` (the fallback when the launcher is
 * unavailable, and `WORKSPACE_JOBS_LAUNCHER=0`), and the process-group primitives around it:
 * the watchdog text both ways run (`wrapCommand`) and the group signal. On both paths the
 * runner's shared `/proc` poller (`groupWatch.ts`) decides when a group is gone.
 */

/**
 * Signals the watchdog ignores, so neither the runner's group SIGTERM, nor the kernel's SIGHUP
 * to an orphaned group with a stopped member, nor a job's `kill -<signal> 0` removes it while
 * the group may still need its SIGKILL. SIGKILL and SIGSTOP cannot be ignored; the kernel drops
 * the terminal stop signals for an orphaned group, which a job's group always is (its session
 * holds no parent of it).
 */
const watchdogIgnores = 'HUP INT QUIT PIPE USR1 USR2 ALRM TERM';

/**
 * Builds the shell text that runs `command` with a watchdog beside it, in the same group.
 *
 * Why this shape:
 * - The watchdog blocks in `read` on fd 3, a socket whose other end only this Node process
 *   holds. At EOF, that is when the host died (even by SIGKILL), it kills its own group
 *   (`kill 0`): SIGTERM, then SIGKILL after the grace. A line from the host instead means
 *   "the run is over", and it exits without killing anything.
 * - It ignores SIGTERM (and `watchdogIgnores`) from its first instruction on, so the runner's
 *   own group SIGTERM (timeout, cancel, leftovers after the leader exited) or a job's `kill 0`
 *   does not remove it while members that ignore SIGTERM may still be there: if the host dies
 *   during the grace, the watchdog still sends the SIGKILL. The leader sets the ignore before
 *   it forks the watchdog and restores the defaults right after, so the watchdog is born with
 *   it. A `trap` run by the watchdog itself left a window: a leader that exits at once is
 *   SIGTERMed by the runner before the forked watchdog has run its `trap`, the watchdog dies,
 *   and a leftover that ignores SIGTERM outlived a host that died during the grace (7 times in
 *   40 tries here). A signal that reaches the leader inside those two builtins is lost; the
 *   runner's SIGKILL after the grace still ends it.
 * - `( … & echo $! >&3 )` double-forks, so the watchdog is not a child of the job's shell (a
 *   bare `wait` in the command would otherwise wait for it forever), and reports its pid.
 * - Its stdio goes to /dev/null so it never holds the job's output pipes open.
 * - `exec 3<&-` closes fd 3 before the command runs: the command sees the same descriptors as
 *   with plain `sh -c`, and the watchdog alone holds the pipe, so the host sees its exit.
 * - The command follows on the same line, so it is parsed, numbered (`$LINENO`, error
 *   messages) and exited exactly as under `sh -c "$command"`: its `$$` is the leader, its
 *   exit status and its death by a signal are the leader's, its signals have their default
 *   actions (a signal ignored when the shell started stays ignored, as under `sh -c`). No
 *   quoting is involved.
 */
export function wrapCommand(command: string, killGraceMs: number): string {
	const grace = Math.max(0.1, Math.round(killGraceMs / 100) / 10);
	const watchdog = `read w <&3 || { kill -TERM 0; sleep ${grace}; kill -KILL 0; }`;
	return `trap '' ${watchdogIgnores}; ( { ${watchdog}; } >/dev/null 2>&1 </dev/null & echo $! >&3 ); trap - ${watchdogIgnores}; exec 3<&-; ${command}`;
}

/**
 * Starts `/bin/sh -c` with the watchdog in a new session and process group (`detached`),
 * stdin from /dev/null, stdout and stderr piped, fd 3 the watchdog pipe. Throws only for
 * arguments Node rejects synchronously (such as a NUL in `env`); failures of the start itself
 * come through `onError`.
 */
export function spawnGroup(options: GroupSpawnOptions): GroupProcess {
	const child = spawn('/bin/sh', ['-c', wrapCommand(options.command, options.killGraceMs)], {
		cwd: options.cwd,
		env: options.env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
	});
	const pipe = child.stdio[3] as Socket | null;
	let reported = '';
	let closed = !pipe;
	const onClose: Array<() => void> = [];
	if (pipe) {
		// Never keep the host alive for the pipe; read it for the pid and to see the watchdog go.
		pipe.unref();
		pipe.setEncoding('latin1');
		pipe.on('data', (text: string) => (reported = (reported + text).slice(0, 32)));
		pipe.on('error', () => undefined);
		pipe.on('close', () => {
			closed = true;
			onClose.splice(0).forEach((fn) => fn());
		});
	}
	return {
		pid: child.pid,
		writesLog: false,
		stdout: child.stdout as Readable,
		stderr: child.stderr as Readable,
		onExit: (listener) => void child.once('exit', listener),
		onError: (listener) => void child.once('error', listener),
		onLost: () => undefined,
		release: () => {
			child.stdout?.destroy();
			child.stderr?.destroy();
		},
		watchdogPid: () => (/^\d+\n/.test(reported) ? Number.parseInt(reported, 10) : undefined),
		dismissWatchdog: async (ms) => {
			if (!pipe || closed) {
				return;
			}
			pipe.write('\n');
			let timer: NodeJS.Timeout | undefined;
			await new Promise<void>((resolve) => {
				onClose.push(resolve);
				timer = setTimeout(resolve, ms);
			});
			clearTimeout(timer);
			pipe.destroy();
		},
	};
}

/**
 * Sends `signal` to every process of the group. False when the group no longer exists; other
 * errors (EPERM from a member that changed its user) count as "still there".
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
	try {
		process.kill(-pgid, signal);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code !== 'ESRCH';
	}
}
