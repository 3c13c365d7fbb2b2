import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { launch } from './launcher/launcher';

/**
 * The one place the runner starts processes, and the process-group primitives around it.
 * Everything the runner needs from a started job is in `GroupProcess`, whichever way it was
 * started: through the long-lived launcher (`launcher.ts`, the default on Linux: no fork of
 * Node, so no blocked event loop) or with Node's synchronous `spawn` (the fallback, and
 * `WORKSPACE_JOBS_LAUNCHER=0`). Both run the same `/bin/sh -c` text with the same watchdog.
 * On both paths the runner's shared `/proc` poller (`groupWatch.ts`) decides when a group is gone.
 */

/** What `spawnGroup` needs to start a job. */
export interface GroupSpawnOptions {
	command: string;
	cwd: string;
	env: NodeJS.ProcessEnv;
	/** How long the watchdog waits between SIGTERM and SIGKILL after the host died. */
	killGraceMs: number;
	/** The run's log file; the launcher appends the output to it itself when it can (`writesLog`). */
	logFile?: string;
}

/** A started job: the leader of a new session and process group (pgid = pid). */
export interface GroupProcess {
	/** Leader pid and process group id; undefined when the start failed (see `onError`). */
	readonly pid: number | undefined;
	/** True when the starter appends the output to the log file itself: the runner must not. */
	readonly writesLog: boolean;
	readonly stdout: Readable;
	readonly stderr: Readable;
	/** Called once, after the leader has exited and been reaped. */
	onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
	/** Called when the process could not be started. */
	onError(listener: (err: Error) => void): void;
	/** The watchdog's pid once known; on the direct path a group member the runner waits out differently. */
	watchdogPid(): number | undefined;
	/**
	 * Tells the watchdog to exit quietly and waits (at most `ms`) until it has, then closes the
	 * pipe. Call it only once the rest of the group is gone.
	 */
	dismissWatchdog(ms: number): Promise<void>;
	/**
	 * Called if the leader's end can no longer be known (the launcher died; its watchdog is
	 * killing the group). `onExit` is not called then.
	 */
	onLost(listener: (message: string) => void): void;
	/** The run is over: drop what is still open for it. */
	release(): void;
}

/** A started job, or why it could not start. */
export type GroupStart = { proc: GroupProcess } | { error: Error };

/**
 * Starts a job, through the launcher unless `WORKSPACE_JOBS_LAUNCHER=0` or it is unavailable.
 * Throws only for arguments Node rejects synchronously (such as a NUL in `env`).
 */
export async function startGroup(options: GroupSpawnOptions): Promise<GroupStart> {
	if (process.env.WORKSPACE_JOBS_LAUNCHER !== '0') {
		const outcome = await launch({ ...options, command: wrapCommand(options.command, options.killGraceMs) });
		if (outcome) {
			return outcome;
		}
	}
	const proc = spawnGroup(options);
	if (proc.pid === undefined) {
		const error = await new Promise<Error>((resolve) => proc.onError(resolve));
		proc.release();
		await proc.dismissWatchdog(0);
		return { error };
	}
	return { proc };
}

/**
 * Builds the shell text that runs `command` with a watchdog beside it, in the same group.
 *
 * Why this shape:
 * - The watchdog blocks in `read` on fd 3, a socket whose other end only this Node process
 *   holds. At EOF, that is when the host died (even by SIGKILL), it kills its own group
 *   (`kill 0`): SIGTERM, then SIGKILL after the grace. A line from the host instead means
 *   "the run is over", and it exits without killing anything.
 * - It ignores SIGTERM from the start, so the runner's own group SIGTERM (timeout, cancel,
 *   leftovers after the leader exited) or a job's `kill 0` does not remove it while members
 *   that ignore SIGTERM may still be there: if the host dies during the grace, the watchdog
 *   still sends the SIGKILL.
 * - `( … & echo $! >&3 )` double-forks, so the watchdog is not a child of the job's shell (a
 *   bare `wait` in the command would otherwise wait for it forever), and reports its pid.
 * - Its stdio goes to /dev/null so it never holds the job's output pipes open.
 * - `exec 3<&-` closes fd 3 before the command runs: the command sees the same descriptors as
 *   with plain `sh -c`, and the watchdog alone holds the pipe, so the host sees its exit.
 * - The command follows on the same line, so it is parsed, numbered (`$LINENO`, error
 *   messages) and exited exactly as under `sh -c "$command"`: its `$$` is the leader, its
 *   exit status and its death by a signal are the leader's. No quoting is involved.
 */
export function wrapCommand(command: string, killGraceMs: number): string {
	const grace = Math.max(0.1, Math.round(killGraceMs / 100) / 10);
	const watchdog = `trap '' TERM; read w <&3 || { kill -TERM 0; sleep ${grace}; kill -KILL 0; }`;
	return `( { ${watchdog}; } >/dev/null 2>&1 </dev/null & echo $! >&3 ); exec 3<&-; ${command}`;
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
