import { isSameLiveProcess, listProcesses, type ProcInfo, readProcInfo } from './procfs';
import { SharedPoll } from './sharedPoll';

/**
 * Finds processes that left a job's process group (`setsid`, `setpgid`, daemons), which a
 * group kill cannot reach. Linux offers no cheap notification for this without cgroups, so
 * it is best effort: `/proc` is sampled while the job runs, and a process counts as the job's
 * when its parent chain leads to the leader or to a group member at a sampling time, or when
 * it stays in the job's session. A process that escapes and loses its parent between two
 * samples is missed; so is every escape from a run shorter than the first sample.
 *
 * One timer serves all runs, and each run is sampled less often as it ages (50 ms, then
 * doubling up to 2 s), so short runs cost nothing and long runs cost one scan every 2 s.
 */

const firstSampleMs = 50;
const maxSampleMs = 2000;
/** Runs older than this get full scans: more than one pid wrap may have happened since. */
const rangeScanMaxAgeMs = 10_000;

interface Tracked {
	readonly pgid: number;
	readonly startedAt: number;
	nextAt: number;
	intervalMs: number;
	/** pid -> start time of processes seen outside the group. */
	readonly escaped: Map<number, number>;
}

const poll = new SharedPoll<Tracked>(onDue, 5, false);

/** The tracking of one run, from its start until its group is gone. */
export interface EscapeWatch {
	/**
	 * Samples now, before the group is killed or its members lose their parents. Skipped for a
	 * run younger than the first sample, so the quickest runs never scan `/proc`.
	 */
	sample(): void;
	/** Stops sampling and returns the escaped processes that still run. */
	stop(): number[];
}

/** Starts watching the group `pgid` (its leader has just been started). */
export function watchForEscapes(pgid: number): EscapeWatch {
	const now = performance.now();
	const entry: Tracked = { pgid, startedAt: now, nextAt: now + firstSampleMs, intervalMs: firstSampleMs, escaped: new Map() };
	poll.add(entry);
	let lastSampleAt = -Infinity;
	return {
		sample() {
			const now = performance.now();
			if (now - entry.startedAt >= firstSampleMs && now - lastSampleAt > 5) {
				lastSampleAt = performance.now();
				sampleRuns([entry]);
			}
		},
		stop() {
			poll.delete(entry);
			return [...entry.escaped].filter(([pid, start]) => isSameLiveProcess(pid, start)).map(([pid]) => pid);
		},
	};
}

/** Samples the due runs with one scan; each is sampled again after twice its last interval (up to 2 s). */
function onDue(due: Tracked[], now: number): Tracked[] {
	sampleRuns(due);
	for (const entry of due) {
		entry.intervalMs = Math.min(maxSampleMs, entry.intervalMs * 2);
		entry.nextAt = now + entry.intervalMs;
	}
	return [];
}

/** One `/proc` scan shared by the given runs. */
function sampleRuns(entries: Tracked[]): void {
	if (entries.length === 0) {
		return;
	}
	const now = performance.now();
	const young = entries.every((entry) => now - entry.startedAt < rangeScanMaxAgeMs);
	const processes = listProcesses(young ? Math.min(...entries.map((entry) => entry.pgid)) : undefined);
	const children = new Map<number, ProcInfo[]>();
	for (const p of processes) {
		const list = children.get(p.ppid);
		if (list) {
			list.push(p);
		} else {
			children.set(p.ppid, [p]);
		}
	}
	for (const entry of entries) {
		collectEscapes(entry, processes, children);
	}
}

/** Walks the tree below the leader, the group's members and known escapees. */
function collectEscapes(entry: Tracked, processes: ProcInfo[], children: Map<number, ProcInfo[]>): void {
	const { pgid, escaped } = entry;
	const stack: number[] = [pgid];
	for (const p of processes) {
		if (escaped.get(p.pid) === p.startTime) {
			stack.push(p.pid);
		} else if (p.pgrp === pgid) {
			stack.push(p.pid);
		} else if (p.session === pgid) {
			escaped.set(p.pid, p.startTime);
			stack.push(p.pid);
		}
	}
	const seen = new Set<number>();
	while (stack.length > 0) {
		const pid = stack.pop() as number;
		if (seen.has(pid)) {
			continue;
		}
		seen.add(pid);
		for (const child of children.get(pid) ?? []) {
			if (child.pgrp !== pgid && child.state !== 'Z') {
				escaped.set(child.pid, child.startTime);
			}
			stack.push(child.pid);
		}
	}
}

/**
 * Kills escaped processes: SIGTERM (to its whole group when it leads one, since it created that
 * group), then SIGKILL to those still there after `graceMs`. Resolves when they are gone or a
 * short bound after the SIGKILL; a pid is only signalled while it is still the same process.
 */
export async function killEscaped(pids: number[], graceMs: number): Promise<void> {
	const targets = pids.map((pid) => readProcInfo(pid)).filter((p): p is ProcInfo => p !== undefined);
	const alive = () => targets.filter((p) => isSameLiveProcess(p.pid, p.startTime));
	const send = (signal: NodeJS.Signals) => {
		for (const p of alive()) {
			try {
				process.kill(p.pgrp === p.pid ? -p.pid : p.pid, signal);
			} catch {
				// Gone in the meantime.
			}
		}
	};
	send('SIGTERM');
	const deadline = performance.now() + graceMs;
	let delay = 1;
	while (alive().length > 0) {
		if (performance.now() >= deadline) {
			send('SIGKILL');
			await pollUntil(() => alive().length === 0, 1000);
			return;
		}
		await sleep(delay);
		delay = Math.min(50, delay * 2);
	}
}

async function pollUntil(done: () => boolean, ms: number): Promise<void> {
	const deadline = performance.now() + ms;
	let delay = 1;
	while (!done() && performance.now() < deadline) {
		await sleep(delay);
		delay = Math.min(50, delay * 2);
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
