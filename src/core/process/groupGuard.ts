import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { type GroupWaitOptions, waitGroupEmpty } from './groupWatch';
import { signalGroup } from './processGroup';

/**
 * Waiting for a job's group where nothing tells its members apart (no `/proc`: macOS, or Linux
 * with `/proc` hidden). `kill(-pgid, 0)` counts the watchdog, so the runner dismisses it first
 * (runner.ts `waitGroupGone`); what is left in the group then has the runner's SIGTERM behind it
 * and waits for its SIGKILL at the end of the grace. Were the host to die in between, nobody
 * would send that SIGKILL. So before the watchdog goes, a guard takes its place, outside the group (its own session, so neither a job's `kill 0` nor a
 * signal to the host's group reaches it): a tiny shell that blocks reading a pipe only this
 * process holds. A line means "the group is gone" and it exits; end of file means the host died,
 * and it sends the group its SIGKILL when the grace is over.
 *
 * The guard costs one `spawn` per run (about 6 ms of blocked event loop), paid only where no
 * process table is readable: nothing else can tell an empty group from one with a leftover
 * (`cmd &`) once the watchdog is there. Weaker than the
 * watchdog in one way: it signals the group by its number from outside, so if the group ended
 * and the number was reused by a new group within the grace after the host died, that group
 * would be killed (pids rise until they wrap, so this takes a wrap within seconds).
 */

/** What `waitGroupEmptyGuarded` needs besides `waitGroupEmpty`'s options. */
export interface GuardedWaitOptions extends GroupWaitOptions {
	/** When (`performance.now()`) the group gets its SIGKILL: the guard sends it then, if the host has died. */
	killAt: number;
}

/**
 * Puts a guard outside group `pgid`, then dismisses its watchdog (`dismissWatchdog`), then
 * resolves once the group is gone (`kill(-pgid, 0)` says ESRCH) or at the deadline, and lets the
 * guard go. The guard comes first so that no moment is unguarded.
 */
export async function waitGroupEmptyGuarded(pgid: number, options: GuardedWaitOptions, dismissWatchdog: () => Promise<void>): Promise<void> {
	const guard = signalGroup(pgid, 0) ? startGuard(pgid, options.killAt - performance.now()) : undefined;
	try {
		await dismissWatchdog();
		await waitGroupEmpty(pgid, { ...options, procfs: false });
	} finally {
		guard?.dismiss();
	}
}

/** A started guard; `dismiss` lets it exit without signalling anything. */
interface Guard {
	dismiss(): void;
}

/**
 * The guard's shell text: `read` returns at a line (dismissed) or fails at end of file (the
 * host died), then SIGKILL to the group after the rest of the grace. Exported for its test.
 */
export function guardScript(pgid: number, graceMs: number): string {
	if (!Number.isInteger(pgid) || pgid <= 1) {
		throw new RangeError(`not a job's process group: ${pgid}`);
	}
	const grace = Math.max(0, Math.ceil(graceMs / 100) / 10);
	return `read w || { sleep ${grace}; kill -s KILL -- -${pgid}; }`;
}

function startGuard(pgid: number, graceMs: number): Guard | undefined {
	let input: Writable | null;
	try {
		const child = spawn('/bin/sh', ['-c', guardScript(pgid, graceMs)], {
			detached: true,
			stdio: ['pipe', 'ignore', 'ignore'],
			env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
		});
		child.on('error', () => undefined);
		child.unref();
		input = child.stdin;
	} catch {
		return undefined;
	}
	input?.on('error', () => undefined);
	(input as unknown as { unref?: () => void } | null)?.unref?.();
	return {
		dismiss: () => {
			input?.end('\n');
		},
	};
}
