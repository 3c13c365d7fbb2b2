import type { Readable } from 'node:stream';

/**
 * What the runner gets from a started job, whichever way it was started: through the
 * long-lived launcher (`launcher/launcher.ts`, the default on Linux: no fork of Node, so no
 * blocked event loop) or with Node's synchronous `spawn` (`processGroup.ts`, the fallback).
 * Both ways implement this and import nothing of each other; `startGroup.ts` chooses between
 * them. Both run the same `/bin/sh -c` text with the same watchdog (`wrapCommand`).
 */

/** What a start needs. */
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
	/**
	 * Why the starter stopped appending to the log file (it could not open it, or a write
	 * failed: a full disk), once that happened; the output after it is only relayed.
	 */
	readonly logError?: NodeJS.ErrnoException;
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
