import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { ExitLatch } from '../exitLatch';
import type { JobProcess } from '../processStart';
import { envValue } from './commandLine';

/**
 * The weaker Windows way, used only when the job helper (`dist/jobHost.exe`) is missing: the
 * shell is Node's direct child and its tree is ended with `taskkill /PID <pid> /T /F`, which
 * follows parent pids. What it cannot do: reach what the shell left running once the shell has
 * exited (its children lost their parent), or anything at all when the host dies (libuv's own
 * job kills only the shell; its children broke away).
 */
export class TaskkillJob implements JobProcess {
	readonly writesLog = false;
	readonly pid: number;
	readonly stdout: Readable;
	readonly stderr: Readable;
	private readonly exit = new ExitLatch();

	constructor(private readonly child: ChildProcess) {
		this.pid = child.pid as number;
		this.stdout = child.stdout as Readable;
		this.stderr = child.stderr as Readable;
		child.once('exit', (code, signal) => this.exit.set(code, signal));
	}

	onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
		this.exit.listen(listener);
	}

	onLost(): void {
		// The shell is our own child: its end is always seen.
	}

	terminate(): void {
		if (!this.exit.value) {
			taskkillTree(this.pid);
		}
	}

	forceKill(): void {
		if (!this.exit.value) {
			taskkillTree(this.pid);
			this.child.kill('SIGKILL');
		}
	}

	/** Nothing more can be found once the shell is gone (see the class comment). */
	async waitTreeGone(): Promise<void> {}

	sampleEscapes(): void {}

	stopEscapes(): number[] {
		return [];
	}

	async killEscaped(): Promise<void> {}

	release(): void {
		this.stdout.destroy();
		this.stderr.destroy();
	}
}

/** `taskkill /PID pid /T /F`: the process and every live process whose parent chain leads to it. */
function taskkillTree(pid: number): void {
	const systemRoot = envValue(process.env, 'SystemRoot') ?? 'C:\\Windows';
	const taskkill = spawn(path.win32.join(systemRoot, 'System32', 'taskkill.exe'), ['/PID', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
	taskkill.on('error', () => undefined);
}
