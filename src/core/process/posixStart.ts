import type { ShellSpec } from '../model';
import { type EscapeWatch, killEscaped, watchForEscapes } from './escapeTracker';
import { waitGroupEmptyGuarded } from './groupGuard';
import { waitGroupEmpty } from './groupWatch';
import { launch } from './launcher/launcher';
import { signalGroup, spawnGroup, wrapCommand } from './processGroup';
import type { GroupProcess, GroupSpawnOptions, JobProcess, JobStart } from './processStart';
import { findProgram, isProgramFile, type ProgramSearch, programNotFound } from './programSearch';
import { hasProcfs } from './procfs';

/**
 * The POSIX start: a new session and process group, through the long-lived launcher unless
 * `WORKSPACE_JOBS_LAUNCHER=0` or it is unavailable (no Perl, not Linux, arguments only `spawn`
 * should judge), else with Node's `spawn`. Both run `/bin/sh -c` with the watchdog
 * (`wrapCommand`); another shell (`ProcessSpec.shell`) is `exec`ed by that text, so it keeps the
 * leader's pid, group and exit status. That shell is `exec`ed by its absolute path, found here on
 * PATH's absolute entries only (`programSearch.ts`): an empty entry or `.` would be the job's own
 * folder. Throws only for arguments Node rejects synchronously
 * (such as a NUL in `env`).
 */
export async function startPosix(options: GroupSpawnOptions): Promise<JobStart> {
	let shell = options.shell;
	if (shell && !isDefaultShell(shell)) {
		const search: ProgramSearch = { platform: 'posix', env: options.env, cwd: options.cwd, isProgram: isProgramFile };
		const program = findProgram(shell.executable, search);
		if (program === undefined) {
			return { error: programNotFound(shell.executable, search) };
		}
		shell = { ...shell, executable: program };
	}
	const command = shellText(shell, options.command);
	if (process.env.WORKSPACE_JOBS_LAUNCHER !== '0') {
		const outcome = await launch({ ...options, command: wrapCommand(command, options.killGraceMs) });
		if (outcome) {
			return 'error' in outcome ? outcome : { proc: new PosixJob(outcome.proc, options.killGraceMs) };
		}
	}
	const proc = spawnGroup({ ...options, command });
	if (proc.pid === undefined) {
		const error = await new Promise<Error>((resolve) => proc.onError(resolve));
		proc.release();
		await proc.dismissWatchdog(0);
		return { error };
	}
	return { proc: new PosixJob(proc, options.killGraceMs) };
}

/** How long a dismissed watchdog gets to exit before its pipe is closed. */
const watchdogBoundMs = 500;
const defaultShell: ShellSpec = { executable: '/bin/sh', args: ['-c'] };

/** The text `/bin/sh -c` runs for `command` given to `shell`: itself, or an `exec` of the other shell. */
export function shellText(shell: ShellSpec | undefined, command: string): string {
	if (!shell || isDefaultShell(shell)) {
		return command;
	}
	return ['exec', ...[shell.executable, ...shell.args, command].map(shellQuote)].join(' ');
}

function isDefaultShell(shell: ShellSpec): boolean {
	return shell.executable === defaultShell.executable && shell.args.length === 1 && shell.args[0] === '-c';
}

/** One word for `/bin/sh`, whatever it holds. */
function shellQuote(word: string): string {
	return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A POSIX job: its tree is its process group, watched through `/proc` where there is one. */
class PosixJob implements JobProcess {
	readonly pid: number;
	private readonly escapes: EscapeWatch;
	private readonly startedMono = performance.now();

	constructor(
		private readonly group: GroupProcess,
		/** SIGTERM to SIGKILL, for the guard that stands in for the watchdog without /proc. */
		private readonly graceMs: number,
	) {
		this.pid = group.pid as number;
		this.escapes = watchForEscapes(this.pid);
	}

	get writesLog(): boolean {
		return this.group.writesLog;
	}

	get logError(): NodeJS.ErrnoException | undefined {
		return this.group.logError;
	}

	get stdout() {
		return this.group.stdout;
	}

	get stderr() {
		return this.group.stderr;
	}

	onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
		this.group.onExit(listener);
	}

	onLost(listener: (message: string) => void): void {
		this.group.onLost(listener);
	}

	terminate(): void {
		signalGroup(this.pid, 'SIGTERM');
	}

	forceKill(): void {
		signalGroup(this.pid, 'SIGKILL');
	}

	/**
	 * Waits until no member but the watchdog runs (`groupWatch.ts`), then dismisses the
	 * watchdog. The watchdog ignores SIGTERM, so it stays on guard until here: were the host to
	 * die while members that ignore SIGTERM wait for their SIGKILL, it would send it.
	 */
	async waitTreeGone(deadline: number): Promise<void> {
		if (!hasProcfs) {
			// Without /proc the watchdog cannot be told apart from the rest: a guard outside the group takes its place.
			const killAt = performance.now() + this.graceMs;
			return waitGroupEmptyGuarded(this.pid, { startedAt: this.startedMono, deadline, killAt }, () => this.group.dismissWatchdog(watchdogBoundMs));
		}
		await waitGroupEmpty(this.pid, { exceptPid: () => this.group.watchdogPid(), startedAt: this.startedMono, deadline });
		await this.group.dismissWatchdog(watchdogBoundMs);
	}

	sampleEscapes(): void {
		this.escapes.sample();
	}

	stopEscapes(): number[] {
		return this.escapes.stop();
	}

	killEscaped(pids: number[], graceMs: number): Promise<void> {
		return killEscaped(pids, graceMs);
	}

	release(): void {
		this.group.release();
	}
}
