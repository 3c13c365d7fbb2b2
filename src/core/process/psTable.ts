import { execFile, execFileSync } from 'node:child_process';

/**
 * The process table from `ps(1)`, for where `/proc` is not readable (macOS). The escape report
 * (escapeTracker.ts) and the leftover search after a crash (leftovers.ts) read it there.
 *
 * The options are ones both procps (Linux) and BSD `ps` (macOS) document: `-A` every process,
 * `-ww` unlimited width, one `-o keyword=` per column (an empty header each, so no header line;
 * one `-o` each because BSD `ps` takes the text after `=` as the header up to the end of the
 * argument), keywords `pid`, `ppid`, `pgid`, `state` (its first letter; `Z` is a zombie in both)
 * and `lstart` (the start time, which with the pid tells a process from a later one with a reused
 * pid; `LC_ALL=C` keeps it five words). macOS's `ps` is known here from its manual page only:
 * these machines run Linux, where procps reads `/proc` and so is as blind as this code without it.
 * A `ps` that cannot see this very process is treated as no `ps` at all.
 */

/** One process as `ps` lists it. */
export interface PsRow {
	pid: number;
	ppid: number;
	pgid: number;
	/** `ps`'s state column: R, S, D, Z (zombie), T, I, U, ... with flags after the first letter. */
	state: string;
	/** The start time as `ps` prints it: with the pid, the process's identity across pid reuse. */
	started: string;
	/** What follows the fixed columns when asked for (the command, with `-E` its environment); else ''. */
	rest: string;
}

const columns = ['pid', 'ppid', 'pgid', 'state', 'lstart'];
/** `ps` arguments for the table; `extra` keywords after the fixed ones (only the last may hold spaces). */
export function psArguments(extra: string[] = [], flags: string[] = []): string[] {
	return ['-A', '-ww', ...flags, ...[...columns, ...extra].flatMap((keyword) => ['-o', `${keyword}=`])];
}

/** Words of `lstart` in the C locale: `Tue Jan  2 10:00:00 2024`. */
const startWords = 5;
const psEnv = { PATH: '/bin:/usr/bin:/usr/sbin:/sbin', LC_ALL: 'C' };
const psTimeoutMs = 5000;
const maxOutput = 64 * 1024 * 1024;

/**
 * Parses `ps` output in the column order of `psArguments`. Lines that do not fit (a header, a
 * truncated last line, garbage) are skipped rather than failing the table: a process can vanish
 * while `ps` prints.
 */
export function parsePsTable(text: string): PsRow[] {
	const rows: PsRow[] = [];
	for (const line of text.split('\n')) {
		const words = line.trim().split(/\s+/);
		if (words.length < 4 + startWords) {
			continue;
		}
		const [pid, ppid, pgid] = words.slice(0, 3).map((word) => (/^\d+$/.test(word) ? Number(word) : NaN));
		const state = words[3];
		if (!Number.isSafeInteger(pid) || !Number.isSafeInteger(ppid) || !Number.isSafeInteger(pgid) || !/^[A-Za-z]/.test(state)) {
			continue;
		}
		const started = words.slice(4, 4 + startWords).join(' ');
		rows.push({ pid, ppid, pgid, state, started, rest: restAfter(line, 4 + startWords) });
	}
	return rows;
}

/** The text of `line` after its first `count` words, as printed (inner spacing kept). */
function restAfter(line: string, count: number): string {
	const pattern = new RegExp(`^\\s*(?:\\S+\\s+){${count}}`);
	const match = pattern.exec(line);
	return match ? line.slice(match[0].length) : '';
}

/** Set once `ps` turned out missing or blind: it is not run again in this process. */
let unusable = false;

/** Whether `ps` may be asked (not yet found missing or blind). */
export function psUsable(): boolean {
	return !unusable;
}

/** The table, or undefined when `ps` is missing, fails or cannot see this process. Off the event loop. */
export function readPsTable(extra: string[] = [], flags: string[] = []): Promise<PsRow[] | undefined> {
	if (unusable) {
		return Promise.resolve(undefined);
	}
	return new Promise((resolve) => {
		execFile('ps', psArguments(extra, flags), { env: psEnv, timeout: psTimeoutMs, maxBuffer: maxOutput, encoding: 'latin1' }, (err, stdout) => {
			resolve(judge(stdout, err));
		});
	});
}

/** As `readPsTable`, blocking: for the one search at a host's start (leftovers.ts). */
export function readPsTableSync(extra: string[] = [], flags: string[] = []): PsRow[] | undefined {
	if (unusable) {
		return undefined;
	}
	try {
		const stdout = execFileSync('ps', psArguments(extra, flags), { env: psEnv, timeout: psTimeoutMs, maxBuffer: maxOutput, encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] });
		return judge(stdout, undefined);
	} catch (err) {
		return judge((err as { stdout?: string }).stdout, err);
	}
}

/**
 * The rows of one `ps` run, or undefined. Missing (ENOENT) or blind (it ran but did not list
 * this process: procps without `/proc` exits 47 with no rows) makes `ps` unusable for good; a
 * run stopped by the timeout or a signal (a loaded machine) only fails this once.
 */
function judge(stdout: string | undefined, err: unknown): PsRow[] | undefined {
	const failure = err as (NodeJS.ErrnoException & { killed?: boolean; signal?: string | null }) | null | undefined;
	if (failure?.code === 'ENOENT') {
		unusable = true;
		return undefined;
	}
	if (failure && (failure.killed || failure.signal)) {
		return undefined;
	}
	const rows = parsePsTable(stdout ?? '');
	if (!rows.some((row) => row.pid === process.pid)) {
		unusable = true;
		return undefined;
	}
	return rows;
}
