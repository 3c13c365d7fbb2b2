import { signalGroup } from './processGroup';
import { SharedPoll } from './sharedPoll';
import { hasProcfs, listProcesses, probeNewTasks, type ProcInfo } from './procfs';

/**
 * Waits for process groups to empty by polling `/proc`, one scan per tick for every run that
 * waits. Used for every run: the launcher does not decide that a group is gone (see
 * `launcher.pl`), and on the direct path nobody else could.
 *
 * `kill(-pgid, 0)` alone also counts zombies, and orphaned members are reaped by PID 1, which on
 * some machines does it only every second or two (measured here: 1.2 to 1.7 s); a zombie has
 * closed its pipes and can do nothing more, so while the kernel still reports members, `/proc`
 * decides. One scan reads the stat files of the pids allocated since the oldest waiting leader
 * (see `probeNewTasks`), indexes them by group and wakes every run whose group has no live
 * member left, so the cost no longer grows with the square of the runs in flight. Each run
 * backs off on its own (1 ms doubling to 50 ms); the timer fires for the earliest and takes
 * along every run due within a millisecond.
 *
 * Without `/proc` (macOS, or Linux with `/proc` hidden) `kill(-pgid, 0)` alone decides, in the
 * same poller: ESRCH is gone, anything else (EPERM from a member of another user) is there. It
 * cannot tell the watchdog or a zombie from a live member, so the runner dismisses the watchdog
 * first there (runner.ts `waitGroupGone`) and a zombie holds the wait until it is reaped
 * (launchd and the launcher, a subreaper on Linux, reap at once).
 */

/** Runs older than this get full scans: more than one pid wrap may have happened since. */
const rangeScanMaxAgeMs = 10_000;
const maxDelayMs = 50;

interface Waiter {
	readonly pgid: number;
	/** Whether `/proc` tells members apart; else `kill(-pgid, 0)` alone decides. */
	readonly procfs: boolean;
	/** The member that does not count (the watchdog), asked at every check: its pid may come after the leader's exit. */
	readonly exceptPid: (() => number | undefined) | undefined;
	readonly startedAt: number;
	readonly deadline: number;
	readonly resolve: () => void;
	delayMs: number;
	nextAt: number;
}

const poll = new SharedPoll<Waiter>(onDue, 1, true);

/** What `waitGroupEmpty` needs to know about a group. */
export interface GroupWaitOptions {
	/**
	 * The member that does not count (the watchdog). Asked at every check: the watchdog's pid can
	 * arrive after the leader's exit, and until it does the watchdog counts.
	 */
	exceptPid?: () => number | undefined;
	/** When the leader started (`performance.now()`): pids are scanned from the leader's only while young. */
	startedAt: number;
	/** Gives up at this `performance.now()` time. */
	deadline: number;
	/** Whether to read `/proc` (tests turn it off to try the `kill(-pgid, 0)` way). @default whether `/proc` is readable */
	procfs?: boolean;
}

/**
 * Resolves once no process of group `pgid` but `exceptPid` runs, or at the deadline. The first
 * check runs at once (synchronously).
 */
export function waitGroupEmpty(pgid: number, options: GroupWaitOptions): Promise<void> {
	return new Promise((resolve) => {
		const now = performance.now();
		const waiter: Waiter = { pgid, procfs: options.procfs ?? hasProcfs, exceptPid: options.exceptPid, startedAt: options.startedAt, deadline: options.deadline, resolve, delayMs: 1, nextAt: Math.min(now + 1, options.deadline) };
		if (check([waiter], now).length > 0) {
			poll.add(waiter);
		}
	});
}

/** Checks the given waiters with one scan; resolves the finished ones and returns the others. */
function check(due: Waiter[], now: number): Waiter[] {
	const waiting = due.filter((w) => {
		if (signalGroup(w.pgid, 0) && now < w.deadline) {
			return true;
		}
		w.resolve();
		return false;
	});
	const scanned = waiting.filter((w) => w.procfs);
	if (scanned.length === 0) {
		return waiting;
	}
	const members = membersByGroup(scanned, now);
	return waiting.filter((w) => {
		if (!w.procfs) {
			return true;
		}
		const except = w.exceptPid?.();
		if ((members.get(w.pgid) ?? []).some((pid) => pid !== except)) {
			return true;
		}
		w.resolve();
		return false;
	});
}

/** Live (not zombie) pids by process group, from one scan of `/proc`. */
function membersByGroup(waiting: Waiter[], now: number): Map<number, number[]> {
	const young = waiting.every((w) => now - w.startedAt < rangeScanMaxAgeMs);
	const since = young ? Math.min(...waiting.map((w) => w.pgid)) : undefined;
	const tasks: ProcInfo[] = (since !== undefined ? probeNewTasks(since) : undefined) ?? listProcesses(since);
	const wanted = new Set(waiting.map((w) => w.pgid));
	const members = new Map<number, number[]>();
	for (const task of tasks) {
		if (!wanted.has(task.pgrp) || task.state === 'Z' || task.state === 'X') {
			continue;
		}
		const list = members.get(task.pgrp);
		if (list) {
			list.push(task.pid);
		} else {
			members.set(task.pgrp, [task.pid]);
		}
	}
	return members;
}

/** Checks the due waiters with one scan; the others back off (1 ms doubling to 50 ms, never past their deadline). */
function onDue(due: Waiter[], now: number): Waiter[] {
	const waiting = new Set(check(due, now));
	for (const w of waiting) {
		w.delayMs = Math.min(maxDelayMs, w.delayMs * 2);
		w.nextAt = Math.min(now + w.delayMs, w.deadline);
	}
	return due.filter((w) => !waiting.has(w));
}
