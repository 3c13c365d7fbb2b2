import * as fs from 'node:fs';
import { wrapCommand } from './processGroup';
import { hasProcfs, listProcesses, type ProcInfo } from './procfs';

/**
 * Finds the processes that runs of a dead host left outside their process group. The watchdog
 * kills a job's group when its host dies, but a process that left the group (`setsid`, a
 * daemon) survives it, and nobody is left who saw it leave. Every job process inherits its run
 * id in the environment (`WORKSPACE_JOBS_RUN_ID`), and `/proc/<pid>/environ` keeps the
 * environment a process started with, so the next host finds them by it.
 *
 * A process of the run still in the job's group is not escaped: the watchdog may still be in
 * its grace period (a host restarted within seconds), and it kills that group itself. The group
 * is the one of the job's shells, the leader and its watchdog fork, known by their command line.
 * Best effort: a process that cleared its environment (`env -i`) or runs as another user is not
 * found. Linux only; elsewhere the map is empty.
 */
export function findEscapedRunProcesses(envName: string, runIds: ReadonlySet<string>): Map<string, number[]> {
	const byRun = new Map<string, ProcInfo[]>();
	if (!hasProcfs || runIds.size === 0) {
		return new Map();
	}
	const prefix = `${envName}=`;
	for (const p of listProcesses()) {
		if (p.pid === process.pid || p.state === 'Z' || p.state === 'X') {
			continue;
		}
		const runId = envValue(p.pid, prefix);
		if (runId !== undefined && runIds.has(runId)) {
			byRun.set(runId, [...(byRun.get(runId) ?? []), p]);
		}
	}
	const escaped = new Map<string, number[]>();
	for (const [runId, procs] of byRun) {
		const jobGroups = new Set(procs.filter((p) => isJobShell(p.pid)).map((p) => p.pgrp));
		const outside = procs.filter((p) => !jobGroups.has(p.pgrp)).map((p) => p.pid);
		if (outside.length > 0) {
			escaped.set(runId, outside);
		}
	}
	return escaped;
}

/**
 * The constant start of every job shell's `-c` text, taken from the wrapper itself (the part
 * before the command and the grace), so this never goes out of step with `wrapCommand`.
 */
const shellSignature = commonPrefix(wrapCommand('a', 1000), wrapCommand('b', 9000));

function isJobShell(pid: number): boolean {
	if (shellSignature.length < 8) {
		return false;
	}
	try {
		const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
		return argv[1] === '-c' && argv[2]?.startsWith(shellSignature) === true;
	} catch {
		return false;
	}
}

function commonPrefix(a: string, b: string): string {
	let i = 0;
	while (i < a.length && a[i] === b[i]) {
		i++;
	}
	return a.slice(0, i);
}

/** The value of one variable in a process's initial environment, or undefined. */
function envValue(pid: number, prefix: string): string | undefined {
	let text: string;
	try {
		text = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
	} catch {
		return undefined;
	}
	// With a NUL in front, every entry starts after a NUL; the match index is the entry's start in `text`.
	const start = `\0${text}`.indexOf(`\0${prefix}`);
	if (start < 0) {
		return undefined;
	}
	const end = text.indexOf('\0', start);
	return text.slice(start + prefix.length, end < 0 ? undefined : end);
}
