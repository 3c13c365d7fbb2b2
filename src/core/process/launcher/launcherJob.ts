import * as os from 'node:os';
import { Readable } from 'node:stream';
import { ExitLatch } from '../exitLatch';
import type { GroupProcess, GroupStart } from '../processStart';
import type { OutputStreamNumber } from './launcherFrames';

/** How a start through the helper went; undefined: not started, use the direct path. */
export type LaunchOutcome = GroupStart | undefined;

/** What a `LauncherJob` needs from the launcher that started it. */
export interface LauncherLink {
	send(message: string): void;
	forget(job: LauncherJob): void;
}

/** Output bytes a job's stream buffers before the helper stops reading that job. */
const streamHighWater = 1024 * 1024;
const errnoNames = new Map(Object.entries(os.constants.errno).map(([name, value]) => [value, name]));
const signalNames = new Map(Object.entries(os.constants.signals).map(([name, value]) => [value, name as NodeJS.Signals]));

/** One job's output stream, fed by the helper's frames. Reading resumes a paused job. */
class JobStream extends Readable {
	ended = false;

	constructor(private readonly job: LauncherJob) {
		super({ highWaterMark: streamHighWater });
	}

	override _read(): void {
		this.job.maybeResume();
	}
}

/** A job started through the launcher, driven by the helper's messages about it. */
export class LauncherJob implements GroupProcess {
	pid: number | undefined;
	readonly stdout = new JobStream(this);
	readonly stderr = new JobStream(this);
	readonly started: Promise<LaunchOutcome>;
	private resolveStart!: (outcome: LaunchOutcome) => void;
	private startSettled = false;
	private readonly exit = new ExitLatch();
	private lostMessage: string | undefined;
	private readonly lostListeners: Array<(message: string) => void> = [];
	private watchdog: number | undefined;
	private watchdogClosed = false;
	private readonly watchdogWaiters: Array<() => void> = [];
	private paused = false;
	/** Why the helper stopped appending to the log file (its `L` message); the first failure counts. */
	logError: NodeJS.ErrnoException | undefined;

	constructor(
		private readonly launcher: LauncherLink,
		readonly id: number,
		/** The helper appends the output to the log file. */
		readonly writesLog: boolean,
	) {
		this.started = new Promise((resolve) => (this.resolveStart = resolve));
	}

	onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
		this.exit.listen(listener);
	}

	onError(): void {
		// Start failures come through `started` instead.
	}

	onLost(listener: (message: string) => void): void {
		if (this.lostMessage !== undefined) {
			const message = this.lostMessage;
			queueMicrotask(() => listener(message));
		} else {
			this.lostListeners.push(listener);
		}
	}

	watchdogPid(): number | undefined {
		return this.watchdog;
	}

	async dismissWatchdog(ms: number): Promise<void> {
		if (this.watchdogClosed) {
			return;
		}
		this.launcher.send(`Q ${this.id}\n`);
		let timer: NodeJS.Timeout | undefined;
		await new Promise<void>((resolve) => {
			this.watchdogWaiters.push(resolve);
			timer = setTimeout(resolve, ms);
		});
		clearTimeout(timer);
	}

	release(): void {
		this.stdout.destroy();
		this.stderr.destroy();
		this.launcher.forget(this);
	}

	/** One message of the helper about this job (`D` frames come through `output`). */
	message(type: string, a: string | undefined, b: string | undefined): void {
		switch (type) {
			case 'B':
				this.pid = Number(a);
				break;
			case 'S':
				this.settleStart({ proc: this });
				break;
			case 'E':
				this.failed(Number(a));
				break;
			case 'W':
				this.watchdog = Number(a);
				break;
			case 'Z':
				this.streamEnded(a === '2' ? 2 : 1);
				break;
			case 'X':
				this.exit.set(a === 'c' ? Number(b) : null, a === 's' ? (signalNames.get(Number(b)) ?? null) : null);
				break;
			case 'V':
				this.closeWatchdog();
				break;
			case 'L':
				this.logError ??= errnoError(Number(a), 'write');
				break;
		}
	}

	/** A piece of the job's output (the helper's `D` frames). */
	output(stream: OutputStreamNumber, data: Buffer): void {
		const target = stream === 1 ? this.stdout : this.stderr;
		if (target.destroyed || target.ended) {
			return;
		}
		if (!target.push(data) && !this.paused) {
			this.paused = true;
			this.launcher.send(`P ${this.id}\n`);
		}
	}

	/** A stream wants more (Readable calls `_read` once per push, and again only after one). */
	maybeResume(): void {
		if (this.paused) {
			this.paused = false;
			this.launcher.send(`U ${this.id}\n`);
		}
	}

	/** The helper died: its sockets closed, so the watchdogs are killing their groups (and the runner kills them too). */
	launcherGone(wasReady: boolean, launcherPid: number | undefined): void {
		this.closeWatchdog();
		this.streamEnded(1);
		this.streamEnded(2);
		if (!this.startSettled) {
			this.settleStart(wasReady ? { error: new Error('spawn /bin/sh: the job launcher exited') } : undefined);
			return;
		}
		this.lose(`the job launcher (pid ${launcherPid ?? 'unknown'}) died while the job ran; the job's process group was killed, and how the job itself ended is unknown`);
	}

	private streamEnded(stream: OutputStreamNumber): void {
		const target = stream === 1 ? this.stdout : this.stderr;
		if (!target.ended) {
			target.ended = true;
			if (!target.destroyed) {
				target.push(null);
			}
		}
	}

	private failed(errno: number): void {
		const error = errnoError(errno, 'spawn /bin/sh');
		error.path = '/bin/sh';
		this.pid = undefined;
		this.settleStart({ error });
		this.release();
	}

	private closeWatchdog(): void {
		this.watchdogClosed = true;
		this.watchdogWaiters.splice(0).forEach((fn) => fn());
	}

	private lose(message: string): void {
		if (!this.exit.value && this.lostMessage === undefined) {
			this.lostMessage = message;
			this.lostListeners.splice(0).forEach((fn) => fn(message));
		}
	}

	private settleStart(outcome: LaunchOutcome): void {
		if (!this.startSettled) {
			this.startSettled = true;
			this.resolveStart(outcome);
		}
	}
}

/** An error as Node makes them (`spawn /bin/sh ENOENT`, code `ENOENT`) from an errno the helper sent. */
function errnoError(errno: number, syscall: string): NodeJS.ErrnoException {
	const code = errnoNames.get(errno) ?? `errno ${errno}`;
	const error: NodeJS.ErrnoException = new Error(`${syscall} ${code}`);
	error.code = code;
	error.errno = -errno;
	error.syscall = syscall;
	return error;
}
