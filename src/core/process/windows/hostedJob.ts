import type { ChildProcess } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { ExitLatch, type ProcessExit } from '../exitLatch';
import type { JobProcess, JobStart } from '../processStart';

/**
 * The Node side of the Windows job helper (`jobHost.c`, built into `dist/jobHost.exe`): the
 * helper owns a Job Object with kill-on-close, so the job's whole tree ends with the helper,
 * and tells us the shell's pid in a header line on stdout before the job writes anything.
 */

/** The header's start, as `jobHost.c` writes it. */
const headerPrefix = '\x01wjh ';
const headerMaxBytes = 64;
/** A byte on the helper's stdin makes it end its job (`jobHost.c`, `watch_control`). */
const terminateByte = 'T';

/** Win32 errors a failed start reports, by the errno names Node would give them. */
const win32Errors = new Map<number, string>([
	[2, 'ENOENT'],
	[3, 'ENOENT'],
	[5, 'EACCES'],
	[87, 'EINVAL'],
	[161, 'EINVAL'],
	[193, 'ENOEXEC'],
	[206, 'E2BIG'],
	[267, 'ENOTDIR'],
]);

/** A start through the helper; `helperFailed` when the helper itself could not be spawned. */
export type HostedStart = JobStart | { error: NodeJS.ErrnoException; helperFailed: true };

/**
 * Waits for the helper's header: the started job, or why the shell could not start. `shell` is
 * the executable for messages (`spawn pwsh.exe ENOENT`).
 */
export function hostedJobStart(child: ChildProcess, shell: string): Promise<HostedStart> {
	return new Promise((resolve) => {
		const stdout = child.stdout as Readable;
		let head = Buffer.alloc(0);
		let exit: ProcessExit | undefined;
		const failStart = (error: Error) => {
			stdout.off('data', onData);
			child.kill();
			resolve({ error });
		};
		const onData = (chunk: Buffer) => {
			head = Buffer.concat([head, chunk]);
			const end = head.indexOf(0x0a);
			if (end < 0 && head.length < headerMaxBytes) {
				return;
			}
			const line = head.subarray(0, Math.max(end, 0)).toString('latin1');
			if (end < 0 || !line.startsWith(headerPrefix)) {
				failStart(new Error(`spawn ${shell}: the job helper sent no header`));
				return;
			}
			const value = line.slice(headerPrefix.length);
			if (value.startsWith('!')) {
				const [error, step] = value.slice(1).split(' ');
				resolve({ error: win32Error(Number(error), step ?? '', shell) });
				return;
			}
			stdout.off('data', onData);
			stdout.pause();
			const rest = head.subarray(end + 1);
			resolve({ proc: new HostedJob(child, Number(value), rest, () => exit) });
		};
		stdout.on('data', onData);
		child.once('error', (err: NodeJS.ErrnoException) => {
			const error: NodeJS.ErrnoException = new Error(`spawn ${shell} ${err.code ?? err.message}`);
			error.code = err.code;
			resolve({ error, helperFailed: true });
		});
		child.once('exit', (code, signal) => (exit = { code, signal }));
		// Before the header nothing but the helper holds its stdout, so its end is the helper's: a
		// header still in the pipe when 'exit' comes is read first.
		stdout.once('close', () => {
			const how = exit ? (exit.code ?? exit.signal) : 'unknown';
			resolve({ error: new Error(`spawn ${shell}: the job helper exited (${how}) before it started the shell`) });
		});
	});
}

/** A job whose tree is the helper's Job Object. */
class HostedJob implements JobProcess {
	readonly writesLog = false;
	readonly stdout = new PassThrough();
	readonly stderr: Readable;
	private readonly exit = new ExitLatch();

	constructor(
		private readonly child: ChildProcess,
		/** The shell's pid (the helper's own is `child.pid`). */
		readonly pid: number,
		firstOutput: Buffer,
		exitedBefore: () => ProcessExit | undefined,
	) {
		this.stderr = child.stderr as Readable;
		if (firstOutput.length > 0) {
			this.stdout.write(firstOutput);
		}
		(child.stdout as Readable).pipe(this.stdout);
		child.stdin?.on('error', () => undefined);
		const before = exitedBefore();
		if (before) {
			this.exit.set(before.code, before.signal);
		}
		child.once('exit', (code, signal) => this.exit.set(code, signal));
	}

	onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
		this.exit.listen(listener);
	}

	onLost(): void {
		// The helper's end is always seen: it is our own child.
	}

	terminate(): void {
		const stdin = this.child.stdin;
		if (!this.exit.value && stdin && !stdin.destroyed) {
			stdin.write(terminateByte);
		}
	}

	forceKill(): void {
		if (!this.exit.value) {
			// TerminateProcess on the helper closes the job's last handle: Windows kills the tree.
			this.child.kill('SIGKILL');
		}
	}

	/** The helper exits only once its job is empty (or after its own bound), so the tree is gone already. */
	async waitTreeGone(): Promise<void> {}

	sampleEscapes(): void {
		// Nothing leaves a job without breakaway rights; a process started for the job by a service is not its child.
	}

	stopEscapes(): number[] {
		return [];
	}

	async killEscaped(): Promise<void> {}

	release(): void {
		this.child.stdin?.destroy();
		this.stdout.destroy();
		this.stderr.destroy();
		(this.child.stdout as Readable).destroy();
	}
}

function win32Error(errno: number, step: string, shell: string): NodeJS.ErrnoException {
	const code = win32Errors.get(errno);
	const error: NodeJS.ErrnoException = new Error(`spawn ${shell} ${code ?? `failed with Windows error ${errno}`}${step ? ` (${step})` : ''}`);
	error.code = code;
	error.errno = errno;
	error.syscall = 'spawn';
	error.path = shell;
	return error;
}
