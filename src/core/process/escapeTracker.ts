import { isProcessAlive } from '../base/processAlive';
import { hasProcfs, isSameLiveProcess, listProcesses, type ProcInfo, readProcInfo } from './procfs';
import { psUsable, readPsTable } from './psTable';
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
 *
 * Without `/proc` (macOS) the samples come from `ps` (psTable.ts), off the event loop and so a
 * little later than asked: one `ps` at a time serves every due run, the sample taken just before
 * a kill arrives after the SIGTERM (an escapee whose parent dies of it meanwhile is missed), the
 * session is unknown (`ps` on macOS prints no session id), and an escapee counts as still
 * running while its pid exists (no start time is checked at the end). With no usable `ps` either,
 * escapes are not reported: the documented weaker guarantee.
 */

const firstSampleMs = 50;
const maxSampleMs = 2000;
/** Runs older than this get full scans: more than one pid wrap may have happened since. */
const rangeScanMaxAgeMs = 10_000;

/** Where samples come from. */
export type EscapeTable = 'procfs' | 'ps' | 'none';

/** One process as a sample sees it; `start` tells it from a later one with the same pid. */
interface Proc {
	pid: number;
	ppid: number;
	pgrp: number;
	/** Unknown from `ps`. */
	session?: number;
	state: string;
	start: number | string;
}

interface Tracked {
	readonly pgid: number;
	readonly table: EscapeTable;
	readonly startedAt: number;
	nextAt: number;
	intervalMs: number;
	/** pid -> start time of processes seen outside the group. */
	readonly escaped: Map<number, number | string>;
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

/** The table this machine offers: `/proc`, else `ps` while it works, else none. */
export function escapeTable(): EscapeTable {
	return hasProcfs ? 'procfs' : psUsable() ? 'ps' : 'none';
}

/** Starts watching the group `pgid` (its leader has just been started). */
export function watchForEscapes(pgid: number, table: EscapeTable = escapeTable()): EscapeWatch {
	const now = performance.now();
	const entry: Tracked = { pgid, table, startedAt: now, nextAt: now + firstSampleMs, intervalMs: firstSampleMs, escaped: new Map() };
	if (table !== 'none') {
		poll.add(entry);
	}
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
			const live = ([pid, start]: [number, number | string]) => (typeof start === 'number' ? isSameLiveProcess(pid, start) : isProcessAlive(pid));
			return [...entry.escaped].filter(live).map(([pid]) => pid);
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

/** Runs waiting for the `ps` in flight, if one is. */
let psWaiting: Set<Tracked> | undefined;

/** One scan shared by the given runs: `/proc` at once, `ps` when it answers. */
function sampleRuns(entries: Tracked[]): void {
	const fromProc = entries.filter((entry) => entry.table === 'procfs');
	if (fromProc.length > 0) {
		const now = performance.now();
		const young = fromProc.every((entry) => now - entry.startedAt < rangeScanMaxAgeMs);
		const processes = listProcesses(young ? Math.min(...fromProc.map((entry) => entry.pgid)) : undefined).map(
			(p: ProcInfo): Proc => ({ pid: p.pid, ppid: p.ppid, pgrp: p.pgrp, session: p.session, state: p.state, start: p.startTime }),
		);
		collectAll(fromProc, processes);
	}
	const fromPs = entries.filter((entry) => entry.table === 'ps');
	if (fromPs.length === 0) {
		return;
	}
	if (psWaiting) {
		fromPs.forEach((entry) => psWaiting?.add(entry));
		return;
	}
	const waiting = new Set(fromPs);
	psWaiting = waiting;
	void readPsTable().then((rows) => {
		psWaiting = undefined;
		const processes = (rows ?? []).map((row): Proc => ({ pid: row.pid, ppid: row.ppid, pgrp: row.pgid, state: row.state.charAt(0), start: row.started }));
		collectAll([...waiting], processes);
	});
}

function collectAll(entries: Tracked[], processes: Proc[]): void {
	const children = new Map<number, Proc[]>();
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
function collectEscapes(entry: Tracked, processes: Proc[], children: Map<number, Proc[]>): void {
	const { pgid, escaped } = entry;
	const stack: number[] = [pgid];
	for (const p of processes) {
		if (escaped.get(p.pid) === p.start) {
			stack.push(p.pid);
		} else if (p.pgrp === pgid) {
			stack.push(p.pid);
		} else if (p.session === pgid) {
			escaped.set(p.pid, p.start);
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
				escaped.set(child.pid, child.start);
			}
			stack.push(child.pid);
		}
	}
}

/**
 * Kills escaped processes: SIGTERM (to its whole group when it leads one, since it created that
 * group), then SIGKILL to those still there after `graceMs`. Resolves when they are gone or a
 * short bound after the SIGKILL; a pid is only signalled while it is still the same process
 * (with `/proc`; without it, while the pid exists).
 */
export async function killEscaped(pids: number[], graceMs: number, procfs: boolean = hasProcfs): Promise<void> {
	const targets = procfs ? pids.map((pid) => readProcInfo(pid)).filter((p): p is ProcInfo => p !== undefined) : pids.map((pid) => byPid(pid));
	const alive = () => targets.filter((p) => (procfs ? isSameLiveProcess(p.pid, p.startTime) : isProcessAlive(p.pid)));
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

/**
 * A target known by its pid alone (no `/proc`): it leads a group when a group of that number
 * exists (a group's number is its creator's pid, which is not reused while the group lives).
 */
function byPid(pid: number): ProcInfo {
	let leads = false;
	try {
		process.kill(-pid, 0);
		leads = true;
	} catch (err) {
		leads = (err as NodeJS.ErrnoException).code === 'EPERM';
	}
	return { pid, ppid: 0, pgrp: leads ? pid : 0, session: 0, state: '?', startTime: 0 };
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
