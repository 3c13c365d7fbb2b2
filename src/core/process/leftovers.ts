import * as fs from 'node:fs';
import { wrapCommand } from './processGroup';
import { hasProcfs, listProcesses } from './procfs';
import { readPsTableSync } from './psTable';

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
 * found. Read from `/proc`, or without it from `ps` (`fromPs`); with neither the map is empty.
 */
export function findEscapedRunProcesses(envName: string, runIds: ReadonlySet<string>, table: 'procfs' | 'ps' = hasProcfs ? 'procfs' : 'ps'): Map<string, number[]> {
	if (runIds.size === 0) {
		return new Map();
	}
	const found = table === 'procfs' ? fromProcfs(envName, runIds) : fromPs(envName, runIds);
	const byRun = new Map<string, RunProcess[]>();
	for (const p of found) {
		byRun.set(p.runId, [...(byRun.get(p.runId) ?? []), p]);
	}
	const escaped = new Map<string, number[]>();
	for (const [runId, procs] of byRun) {
		const jobGroups = new Set(procs.filter((p) => p.jobShell).map((p) => p.pgrp));
		const outside = procs.filter((p) => !jobGroups.has(p.pgrp)).map((p) => p.pid);
		if (outside.length > 0) {
			escaped.set(runId, outside);
		}
	}
	return escaped;
}

/** A live process that carries one of the run ids. */
interface RunProcess {
	pid: number;
	pgrp: number;
	runId: string;
	/** One of the job's own shells (the leader or its watchdog fork). */
	jobShell: boolean;
}

function fromProcfs(envName: string, runIds: ReadonlySet<string>): RunProcess[] {
	const prefix = `${envName}=`;
	const found: RunProcess[] = [];
	for (const p of listProcesses()) {
		if (p.pid === process.pid || p.state === 'Z' || p.state === 'X') {
			continue;
		}
		const runId = envValue(p.pid, prefix);
		if (runId !== undefined && runIds.has(runId)) {
			found.push({ pid: p.pid, pgrp: p.pgrp, runId, jobShell: isJobShell(p.pid) });
		}
	}
	return found;
}

/**
 * Without `/proc` (macOS): `ps` prints each process's command and then its initial environment
 * (`-E` on macOS, `e` in procps), space-separated, so a variable is a word `NAME=value` after the
 * command. Run ids hold no spaces; a command that itself contains `NAME=<a run id>` would be
 * taken for that run's process (best effort, as is everything here). macOS shows the environment
 * of this user's processes only (documentation; untested here). No usable `ps`: nothing found.
 */
function fromPs(envName: string, runIds: ReadonlySet<string>): RunProcess[] {
	const rows = readPsTableSync(['command'], [process.platform === 'darwin' ? '-E' : 'e']);
	const prefix = `${envName}=`;
	const found: RunProcess[] = [];
	for (const row of rows ?? []) {
		if (row.pid === process.pid || row.state.startsWith('Z')) {
			continue;
		}
		const runId = row.rest
			.split(' ')
			.filter((word) => word.startsWith(prefix))
			.map((word) => word.slice(prefix.length))
			.find((value) => runIds.has(value));
		if (runId !== undefined) {
			found.push({ pid: row.pid, pgrp: row.pgid, runId, jobShell: shellSignature.length >= 8 && row.rest.startsWith(`/bin/sh -c ${shellSignature}`) });
		}
	}
	return found;
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
