import * as fs from 'node:fs';
import { chainedTimeout, maxTimerDelay } from '../base/clock';
import type { IDisposable } from '../base/disposable';
import { formatElapsed } from '../base/timeFormat';
import type { ShellSpec } from '../model';
import { OutputCapture, type OutputStream } from './outputCapture';
import type { JobProcess, JobStart } from './processStart';
import { startGroup } from './startGroup';

/** One shell command to run. */
export interface ProcessSpec {
	/** Run with `shell`, as the root of a process tree that is killed whole. */
	command: string;
	/** The shell for `command`. @default the platform's: `/bin/sh -c`, or `cmd.exe /d /s /c` on Windows */
	shell?: ShellSpec;
	cwd: string;
	/** The full environment (the engine has already merged it over `process.env`). */
	env: NodeJS.ProcessEnv;
	/** The whole process group is killed after this many milliseconds (reason `timeout`). */
	timeoutMs?: number;
	/** Aborting cancels the run: the whole group is killed (reason `canceled`). */
	signal?: AbortSignal;
	/**
	 * Milliseconds between asking the tree to end and killing it: SIGTERM, then SIGKILL. On
	 * Windows, which has no SIGTERM for console programs, the tree ends at once and this only
	 * bounds how long the job helper gets to report it. @default 2000
	 */
	killGraceMs?: number;
	/** The full output of both streams is appended here as it comes; the folder is created. */
	logFile?: string;
	/** Bytes of output kept in memory for `ProcessResult.tail`. @default 65536 */
	tailBytes?: number;
	/** Live output as decoded UTF-8 chunks, which may split lines. */
	onOutput?: (stream: OutputStream, text: string) => void;
}

/** How a run ended. */
export interface ProcessResult {
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	/**
	 * undefined when exit code 0 (the leader exited 0 on its own; leftovers killed after that do
	 * not count). `timeout` and `canceled` win over whatever status the killed leader reports.
	 * `launcher-lost`: the job launcher died while the job ran, so how the leader ended is not
	 * known (`exitCode` and `signal` are null); the group was killed all the same.
	 */
	reason?: 'exit-code' | 'signal' | 'timeout' | 'canceled' | 'spawn-error' | 'launcher-lost';
	/** For people: `exited with code 2`, `timed out after 5 s`, `spawn /bin/sh ENOENT`, the abort reason. */
	message?: string;
	/** The shell's pid (on POSIX also its process group id). */
	pid?: number;
	/** The last `tailBytes` of combined output, line ends as `\n` (Windows programs write `\r\n`). */
	tail: string;
	outputBytes: number;
	/** pids that had left the job's process group (setsid/daemons) and were still alive when the run ended; killed too if possible, but reported */
	escaped: number[];
	/**
	 * Why the log file misses output: it could not be opened, or a write failed (a full disk).
	 * Absent when the whole output is in it (or no log file was asked for).
	 */
	logError?: NodeJS.ErrnoException;
	/** Epoch milliseconds. */
	startedAt: number;
	endedAt: number;
}

const defaultGraceMs = 2000;
const defaultTailBytes = 64 * 1024;
/** After SIGKILL, how long to wait for the group before giving up (uninterruptible sleep, NFS). */
const afterKillBoundMs = 5000;
/**
 * Once every known process is gone, output still in the pipes (or in the launcher's relay) is
 * read to the end; the wait gives up only after this long without any output arriving (an
 * escaped process can hold the pipes open), or after `pipeCloseMaxMs` in all.
 */
const pipeQuietMs = 2000;
const pipeCloseMaxMs = 60_000;

/** Runs not yet finished, for `killAllGroups`. */
const active = new Set<GroupRun>();
/** Runs whose group is being started (the launcher answers asynchronously). */
const starting = new Set<PendingStart>();
const killAllMessage = 'killed: all job process groups were stopped';

interface PendingStart {
	/** Set by `killAllGroups`: terminate with this grace once started. */
	killAll?: number;
	/** Resolved when the run is over, for a `killAllGroups` that saw it starting. */
	onDone?: Array<() => void>;
}

/**
 * Runs one shell command as the root of its own process tree and resolves when the tree is gone. Never rejects.
 *
 * The run ends when the leader (the shell) exits; whatever it left behind in its tree is then
 * ended (`JobProcess.terminate`, `forceKill` after the grace), because a background process
 * nobody waits for would outlive the run, hold its output pipes and escape timeouts. The tree
 * also dies if this Node process dies, even by SIGKILL: a watchdog in the POSIX process group
 * (`wrapCommand`), the job helper's kill-on-close Job Object on Windows (`windows/jobHost.c`).
 */
export async function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
	const startedAt = Date.now();
	if (spec.signal?.aborted) {
		return failed(startedAt, 'canceled', abortMessage(spec.signal));
	}
	// Until the start is known, `killAllGroups` can only leave word here.
	const pending: PendingStart = {};
	starting.add(pending);
	try {
		return await startAndRun(spec, startedAt, pending);
	} finally {
		starting.delete(pending);
		pending.onDone?.forEach((fn) => fn());
	}
}

async function startAndRun(spec: ProcessSpec, startedAt: number, pending: PendingStart): Promise<ProcessResult> {
	const graceMs = validDelay(spec.killGraceMs) ?? defaultGraceMs;
	let start: JobStart;
	try {
		start = await startGroup({ command: spec.command, shell: spec.shell, cwd: spec.cwd, env: spec.env, killGraceMs: graceMs, logFile: spec.logFile });
	} catch (err) {
		return failed(startedAt, 'spawn-error', errorMessage(err));
	}
	if ('error' in start) {
		return failed(startedAt, 'spawn-error', spawnErrorMessage(start.error, spec.cwd));
	}
	const proc = start.proc;
	const run = new GroupRun(proc, spec, startedAt, graceMs);
	active.add(run);
	starting.delete(pending);
	if (pending.killAll !== undefined) {
		run.terminate('canceled', killAllMessage, pending.killAll);
	}
	try {
		return await run.done;
	} finally {
		active.delete(run);
	}
}

/**
 * Ends every process tree this module started that is still alive (terminate, then force after
 * grace). For engine stop / extension deactivate / CLI signal handlers. The terminations are sent
 * before this returns its promise, so a caller that must exit at once has done the essential part.
 */
export async function killAllGroups(graceMs = defaultGraceMs): Promise<void> {
	const grace = validDelay(graceMs) ?? defaultGraceMs;
	const runs = [...active];
	for (const run of runs) {
		run.terminate('canceled', killAllMessage, grace);
	}
	// Runs still starting are killed as soon as their group exists.
	const waits: Promise<unknown>[] = runs.map((run) => run.done);
	for (const pending of starting) {
		pending.killAll = Math.min(pending.killAll ?? Infinity, grace);
		waits.push(new Promise<void>((resolve) => (pending.onDone ??= []).push(resolve)));
	}
	await Promise.all(waits);
}

/** The life of one started group, from spawn until it is gone and its output is flushed. */
class GroupRun {
	readonly done: Promise<ProcessResult>;
	private resolve!: (result: ProcessResult) => void;
	private readonly output: OutputCapture;
	private reason: ProcessResult['reason'];
	private message: string | undefined;
	private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	private killAt = Infinity;
	private killTimer: NodeJS.Timeout | undefined;
	private timeout: IDisposable | undefined;
	private readonly onAbort = () => this.terminate('canceled', abortMessage(this.spec.signal as AbortSignal), this.graceMs);

	constructor(
		private readonly proc: JobProcess,
		private readonly spec: ProcessSpec,
		private readonly startedAt: number,
		/** Terminate to force kill; `killAllGroups` may shorten it. */
		private graceMs: number,
	) {
		this.done = new Promise((resolve) => (this.resolve = resolve));
		this.output = new OutputCapture(spec.tailBytes ?? defaultTailBytes, proc.writesLog ? undefined : spec.logFile, spec.onOutput);
		this.output.attach(proc.stdout, 'stdout');
		this.output.attach(proc.stderr, 'stderr');
		proc.onExit((code, signal) => {
			this.onLeaderExit(code, signal).catch(() => this.resolve(this.result([])));
		});
		proc.onLost((message) => {
			// The watchdog sees the launcher's socket close and kills the group too; this kills it all the same.
			this.terminate('launcher-lost', message, this.graceMs);
			this.onLeaderExit(null, null).catch(() => this.resolve(this.result([])));
		});
		const timeoutMs = validDelay(spec.timeoutMs);
		if (timeoutMs !== undefined && timeoutMs > 0) {
			this.timeout = chainedTimeout(() => this.terminate('timeout', `timed out after ${formatElapsed(timeoutMs)}`, this.graceMs), timeoutMs);
		}
		if (spec.signal?.aborted) {
			// Aborted while the group was being started.
			queueMicrotask(this.onAbort);
		} else {
			spec.signal?.addEventListener('abort', this.onAbort, { once: true });
		}
	}

	/**
	 * Ends the tree: terminate now, force kill at the grace (or sooner, when a later call asks for
	 * a shorter grace). The first reason wins; a run whose leader already exited keeps its own.
	 */
	terminate(reason: ProcessResult['reason'], message: string, graceMs: number): void {
		if (!this.exit && this.reason === undefined) {
			this.reason = reason;
			this.message = message;
		}
		const killAt = performance.now() + graceMs;
		if (killAt >= this.killAt) {
			return;
		}
		const first = this.killAt === Infinity;
		this.killAt = killAt;
		this.graceMs = Math.min(this.graceMs, graceMs);
		if (first) {
			this.proc.sampleEscapes();
			this.proc.terminate();
		}
		clearTimeout(this.killTimer);
		this.killTimer = setTimeout(() => this.proc.forceKill(), Math.min(graceMs, maxTimerDelay));
	}

	private async onLeaderExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
		this.exit = { code, signal };
		this.stopTriggers();
		// Leftovers in the group (`cmd &`): the run is over, so they go too.
		this.terminate(undefined, '', this.graceMs);
		await this.proc.waitTreeGone(this.killAt + afterKillBoundMs);
		clearTimeout(this.killTimer);
		const escaped = this.proc.stopEscapes();
		if (escaped.length > 0) {
			await this.proc.killEscaped(escaped, this.graceMs);
		}
		await this.output.streamsEnded(pipeQuietMs, pipeCloseMaxMs);
		await this.output.finish();
		this.proc.release();
		this.resolve(this.result(escaped));
	}

	private stopTriggers(): void {
		this.timeout?.dispose();
		this.spec.signal?.removeEventListener('abort', this.onAbort);
	}

	private result(escaped: number[]): ProcessResult {
		const { code, signal } = this.exit ?? { code: null, signal: null };
		let reason = this.reason;
		let message = this.message;
		if (reason === undefined && signal) {
			reason = 'signal';
			message = `killed by ${signal}`;
		} else if (reason === undefined && code !== 0) {
			reason = 'exit-code';
			message = `exited with code ${code}`;
		}
		const logError = this.proc.writesLog ? this.proc.logError : this.output.logError;
		return {
			exitCode: code,
			signal,
			reason,
			message,
			pid: this.proc.pid,
			tail: this.output.tail().replace(/\r\n/g, '\n'),
			outputBytes: this.output.bytes,
			escaped,
			startedAt: this.startedAt,
			endedAt: Date.now(),
			...(logError ? { logError } : {}),
		};
	}
}

function failed(startedAt: number, reason: 'canceled' | 'spawn-error', message: string): ProcessResult {
	return { exitCode: null, signal: null, reason, message, tail: '', outputBytes: 0, escaped: [], startedAt, endedAt: Date.now() };
}

/** A usable delay in ms: finite and not negative (NaN and negative delays fire at once in Node). */
function validDelay(ms: number | undefined): number | undefined {
	return ms !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function abortMessage(signal: AbortSignal): string {
	const reason = signal.reason as { message?: unknown } | undefined;
	return String(reason?.message ?? reason);
}

function errorMessage(err: unknown): string {
	return err instanceof Error ? err.message : String(err);
}

/** Node reports a missing cwd as `spawn /bin/sh ENOENT`, which reads like a missing shell. */
function spawnErrorMessage(err: Error, cwd: string): string {
	if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync(cwd)) {
		return `${err.message} (working directory ${cwd} does not exist)`;
	}
	return err.message;
}
