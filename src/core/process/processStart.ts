import type { Readable } from 'node:stream';
import type { ShellSpec } from '../model';

/**
 * The one process-start interface, `JobProcess`: what the runner gets from a started job
 * whatever the platform, including how to end its whole tree. `startGroup.ts` is the one place
 * that picks the implementation: `posixStart.ts` (a process group, started through the
 * long-lived launcher or with Node's `spawn`) or `windows/windowsStart.ts` (a Job Object owned
 * by a small helper program). The runner itself has no platform checks.
 *
 * `GroupProcess` is the narrower shape both POSIX starters (`launcher/launcher.ts`,
 * `processGroup.ts`) return; `posixStart.ts` adds the group kill, the group watch and the
 * escape tracking to it.
 */

/** What a start needs. */
export interface GroupSpawnOptions {
	command: string;
	/** The shell `command` goes to. @default `/bin/sh -c`; `cmd.exe /d /s /c` on Windows */
	shell?: ShellSpec;
	cwd: string;
	env: NodeJS.ProcessEnv;
	/** How long the POSIX watchdog waits between SIGTERM and SIGKILL after the host died. */
	killGraceMs: number;
	/** The run's log file; the launcher appends the output to it itself when it can (`writesLog`). */
	logFile?: string;
}

/** A started job: the leader of a new session and process group (pgid = pid). */
/** What every started job gives the runner, whichever way and on whichever platform it started. */
interface StartedOutput {
	/** True when the starter appends the output to the log file itself: the runner must not. */
	readonly writesLog: boolean;
	/**
	 * Why the starter stopped appending to the log file (it could not open it, or a write
	 * failed: a full disk), once that happened; the output after it is only relayed.
	 */
	readonly logError?: NodeJS.ErrnoException;
	readonly stdout: Readable;
	readonly stderr: Readable;
	/** Called once, after the leader (the shell) has exited. */
	onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
	/**
	 * Called if the leader's end can no longer be known (its starter died: the launcher's
	 * watchdog is killing the group). `onExit` is not called then.
	 */
	onLost(listener: (message: string) => void): void;
}

export interface GroupProcess extends StartedOutput {
	/** Leader pid and process group id; undefined when the start failed (see `onError`). */
	readonly pid: number | undefined;
	/** Called when the process could not be started. */
	onError(listener: (err: Error) => void): void;
	/** The watchdog's pid once known; on the direct path a group member the runner waits out differently. */
	watchdogPid(): number | undefined;
	/**
	 * Tells the watchdog to exit quietly and waits (at most `ms`) until it has, then closes the
	 * pipe. Call it only once the rest of the group is gone.
	 */
	dismissWatchdog(ms: number): Promise<void>;
	/** The run is over: drop what is still open for it. */
	release(): void;
}

/** A started job, or why it could not start. */
export type GroupStart = { proc: GroupProcess } | { error: Error };

/** A started job on any platform: its output, its end, and the ways to end its whole tree. */
export interface JobProcess extends StartedOutput {
	/** The shell's pid (on POSIX also its process group id). */
	readonly pid: number;
	/**
	 * Asks the whole tree to end: SIGTERM to the group on POSIX; on Windows the helper ends its
	 * Job Object at once (Windows has no SIGTERM for console programs) and still relays the
	 * exit code and output.
	 */
	terminate(): void;
	/** Ends the whole tree now, whatever it does: SIGKILL to the group; on Windows the helper dies and its job with it. */
	forceKill(): void;
	/**
	 * Resolves once no process of the tree runs any more, or at `deadline` (a
	 * `performance.now()` time). Called after the shell exited.
	 */
	waitTreeGone(deadline: number): Promise<void>;
	/** Samples the processes that left the tree, before a kill makes them lose their parents. */
	sampleEscapes(): void;
	/** Stops watching for escapes; returns the escaped processes still alive. */
	stopEscapes(): number[];
	/** Ends escaped processes (gracefully, then by force after `graceMs`). */
	killEscaped(pids: number[], graceMs: number): Promise<void>;
	/** The run is over: drop what is still open for it. */
	release(): void;
}

/** A started job, or why it could not start. */
export type JobStart = { proc: JobProcess } | { error: Error };
