import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { hasProcfs, listProcesses } from './procfs';

/**
 * The one place the runner starts processes, and the process-group primitives around it.
 * Everything the runner needs from a started job is in `GroupProcess`, so a long-lived
 * launcher process (faster than Node's synchronous `spawn`, see RELIABILITY.md) could later
 * return the same shape without the runner changing.
 */

/** What `spawnGroup` needs to start a job. */
export interface GroupSpawnOptions {
	command: string;
	cwd: string;
	env: NodeJS.ProcessEnv;
	/** How long the watchdog waits between SIGTERM and SIGKILL after the host died. */
	killGraceMs: number;
}

/** A started job: the leader of a new session and process group (pgid = pid). */
export interface GroupProcess {
	/** Leader pid and process group id; undefined when the start failed (see `onError`). */
	readonly pid: number | undefined;
	readonly stdout: Readable;
	readonly stderr: Readable;
	/** Called once, after the leader has exited and been reaped. */
	onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
	/** Called when the process could not be started. */
	onError(listener: (err: Error) => void): void;
	/** Called when the watchdog has gone, a hint that the group may be empty now. */
	onWatchdogGone(listener: () => void): void;
	/**
	 * Closes the host's end of the watchdog pipe. Call it only once the group is gone: the
	 * watchdog reads the close as "the host died" and kills the group.
	 */
	release(): void;
}

/**
 * Builds the shell text that runs `command` with a watchdog beside it, in the same group.
 *
 * Why this shape:
 * - The watchdog blocks in `read` on fd 3, a socket whose other end only this Node process
 *   holds. `read` returns only at EOF, that is when the host died (even by SIGKILL), and then
 *   the watchdog kills its own group (`kill 0`: the caller's group), SIGTERM first, SIGKILL
 *   after the grace, ignoring SIGTERM itself so it lives to send the SIGKILL.
 * - `( … & )` double-forks, so the watchdog is not a child of the job's shell: a bare `wait`
 *   in the command would otherwise wait for the watchdog forever.
 * - The watchdog's stdio goes to /dev/null so it never holds the job's output pipes open.
 * - `exec 3<&-` closes fd 3 before the command runs: the command sees the same descriptors as
 *   with plain `sh -c`, and only the watchdog holds the pipe, so its close is a signal too.
 * - The command follows on the same line, so it is parsed, numbered (`$LINENO`, error
 *   messages) and exited exactly as under `sh -c "$command"`: its `$$` is the leader, its
 *   exit status and its death by a signal are the leader's. No quoting is involved.
 * - While the host lives, the runner's own group SIGTERM at the end of a run takes the watchdog
 *   with it, so it never outlives a run.
 */
export function wrapCommand(command: string, killGraceMs: number): string {
	const grace = Math.max(0.1, Math.round(killGraceMs / 100) / 10);
	const watchdog = `read w <&3 || { trap '' TERM; kill -TERM 0; sleep ${grace}; kill -KILL 0; }`;
	return `( { ${watchdog}; } >/dev/null 2>&1 </dev/null & ); exec 3<&-; ${command}`;
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
	const watchdogPipe = child.stdio[3] as Socket | null;
	let watchdogGone: (() => void) | undefined;
	if (watchdogPipe) {
		// Never keep the host alive for the pipe; read it only to notice the watchdog's end.
		watchdogPipe.unref();
		watchdogPipe.on('error', () => undefined);
		watchdogPipe.on('close', () => watchdogGone?.());
		watchdogPipe.resume();
	}
	return {
		pid: child.pid,
		stdout: child.stdout as Readable,
		stderr: child.stderr as Readable,
		onExit: (listener) => void child.once('exit', listener),
		onError: (listener) => void child.once('error', listener),
		onWatchdogGone: (listener) => {
			watchdogGone = listener;
		},
		release: () => watchdogPipe?.destroy(),
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

/**
 * True while a process of the group still runs. `kill(-pgid, 0)` alone also counts zombies,
 * and orphaned members are reaped by PID 1, which on some machines does it only every second
 * or two (measured here: 1.2 to 1.7 s); a zombie has already closed its pipes and can do
 * nothing more, so when the kernel still reports members, `/proc` decides. `sincePid` limits
 * that scan to pids allocated since the leader (see `listProcesses`).
 */
export function groupHasLiveMembers(pgid: number, sincePid?: number): boolean {
	if (!signalGroup(pgid, 0)) {
		return false;
	}
	if (!hasProcfs) {
		return true;
	}
	return listProcesses(sincePid).some((p) => p.pgrp === pgid && p.state !== 'Z' && p.state !== 'X');
}
