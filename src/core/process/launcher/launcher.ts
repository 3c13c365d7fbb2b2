import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { ensurePrivateFolder } from '../../base/privateFiles';
import perlSource from './launcher.pl';
import { LauncherFrames } from './launcherFrames';
import { type LaunchOutcome, LauncherJob } from './launcherJob';

/**
 * Starts job shells through one long-lived helper process instead of Node's `spawn`.
 *
 * Why: `spawn` is synchronous and forks the whole Node process. It blocks the event loop about
 * 6 ms per child with a small heap and about 33 ms with 1 GB of live heap, so a busy extension
 * host stalls every extension and tops out near 150 children/s whatever the concurrency
 * (measured on Linux with Node 20; a long-lived helper like this one reached about 450 starts/s
 * there). A small helper forks cheaply and Node only writes a message to it.
 *
 * The helper is Perl (`/usr/bin/perl`, in every Debian/Ubuntu/Fedora/Arch base system and on
 * macOS), not `/bin/sh`: dash cannot put a background job in its own process group without a
 * terminal (`set -m` is refused: "can't access tty"), so every job would cost another exec of
 * `setsid`; dash's `wait` reports `exit 143` and death by SIGTERM alike; and `export` cannot pass
 * variables whose names are not shell identifiers. Perl forks, `setsid`s, `chdir`s, sets the
 * exact environment and execs `/bin/sh -c <wrapped command>` (the same argv, descriptors and
 * in-group watchdog as the direct path, see `wrapCommand`), reports the raw wait status, and
 * reaps the jobs' orphaned processes as their subreaper (see `launcher.pl`, also for the
 * protocol; `launcherFrames.ts` reads its replies). Whether a group is gone, the runner's shared
 * `/proc` poller decides.
 *
 * The job writes to real pipes, which the helper relays to Node in frames over its stdout (and
 * appends to the run's log file itself): end of file, backpressure (Node pauses a job: the
 * helper stops reading its pipes and the job blocks on a full pipe) and SIGPIPE behave as with
 * `spawn`. Node still sends every signal itself (`kill(-pgid)`).
 *
 * Host death: when Node dies, the helper sees end of file on its stdin and exits; that closes
 * every watchdog's socket, and each watchdog kills its group (SIGTERM, grace, SIGKILL) exactly
 * as on the direct path. If the helper alone dies (kill -9, the OOM killer), the watchdogs kill
 * the groups too, Node kills them as well and ends those runs as `launcher-lost`, and the next
 * run starts a new helper. Nothing here is needed for correctness: when the helper cannot
 * start (no Perl, Windows) the runner spawns directly.
 *
 * Traffic: Node's messages of one tick go out in one write; the environment is sent once as a
 * base and each run carries only its differences (a run's environment is usually `process.env`
 * plus a few variables, several KB that would otherwise be copied for every run).
 */

/** What the helper needs to start a job. */
export interface LaunchOptions {
	/** Run as `/bin/sh -c command` (the runner's text, watchdog included). */
	command: string;
	cwd: string;
	env: NodeJS.ProcessEnv;
	/** Appended to by the helper when it is a regular file or does not exist yet. */
	logFile?: string;
}

const perlPath = process.env.WORKSPACE_JOBS_PERL ?? '/usr/bin/perl';
/** Above this many changed variables (and a quarter of the base), a run's environment becomes the new base. */
const maxEnvDiff = 16;

let current: Launcher | undefined;
/**
 * Set once the helper failed before it was ready: it is not tried again in this process. Tried
 * wherever Perl can fork, `setsid` and exec `/bin/sh` (every POSIX system: Linux, macOS), so not
 * on Windows; whether Perl is there decides the rest (`launch`). Without Linux's subreaper
 * (`launcher.pl`) nothing is lost but prompt reaping, which launchd does on macOS.
 */
let unavailable = process.platform === 'win32';
/** Log folders known to exist, so a run does not pay a `mkdir` each. */
const logFolders = new Set<string>();

/**
 * Starts `/bin/sh -c <command>` in a new session through the helper. Undefined when the helper
 * is not available or the arguments are ones only `spawn` should judge (a NUL byte): the caller
 * then spawns directly.
 */
export function launch(options: LaunchOptions): Promise<LaunchOutcome> | undefined {
	const { cwd, command } = options;
	if (unavailable || typeof cwd !== 'string' || cwd.includes('\0') || command.includes('\0')) {
		return undefined;
	}
	if (!current) {
		if (!fs.existsSync(perlPath)) {
			unavailable = true;
			return undefined;
		}
		try {
			current = new Launcher();
		} catch {
			unavailable = true;
			return undefined;
		}
	}
	return current.launch(options);
}

/** Whether runs would go through the helper now (it may still turn out unavailable). */
export function launcherAvailable(): boolean {
	return !unavailable;
}

/** The helper's pid, for tests. */
export function launcherPid(): number | undefined {
	return current?.pid;
}

/**
 * The log file the helper can append to: a regular file or a new one (its folder is created).
 * Anything else (a FIFO, a device) stays with Node, whose writes never block the helper.
 */
function helperLogFile(logFile: string | undefined): string | undefined {
	if (!logFile || logFile.includes('\0')) {
		return undefined;
	}
	const folder = path.dirname(logFile);
	if (!logFolders.has(folder)) {
		try {
			// `logs/<job>/`: private (0700) whatever the umask, as the log files are (launcher.pl).
			ensurePrivateFolder(folder);
			logFolders.add(folder);
		} catch {
			return undefined;
		}
	}
	try {
		const stat = fs.statSync(logFile, { throwIfNoEntry: false });
		return !stat || stat.isFile() ? logFile : undefined;
	} catch {
		return undefined;
	}
}

class Launcher {
	readonly pid: number | undefined;
	private readonly child: ChildProcess;
	private readonly jobs = new Map<number, LauncherJob>();
	private nextId = 1;
	private ready = false;
	private gone = false;
	private readonly frames = new LauncherFrames({
		message: (type, id, a, b) => this.onMessage(type, id, a, b),
		output: (id, stream, data) => this.jobs.get(Number(id))?.output(stream, data),
	});
	private referenced = false;
	private queued: string[] = [];
	/** The environment the helper holds as base (variable → value, as the helper splits them). */
	private base: Map<string, string> | undefined;

	constructor() {
		// Its own session: a signal to the host's process group (Ctrl-C in a terminal) leaves it be.
		this.child = spawn(perlPath, ['-e', perlSource], { stdio: ['pipe', 'pipe', 'ignore'], detached: true, env: {} });
		this.pid = this.child.pid;
		this.child.on('error', () => this.onGone());
		this.child.on('close', () => this.onGone());
		this.child.unref();
		const input = this.child.stdin as unknown as Socket;
		input.on('error', () => undefined);
		input.unref();
		const output = this.child.stdout as unknown as Socket;
		output.on('data', (chunk: Buffer) => this.frames.push(chunk));
		output.on('error', () => undefined);
		// Its stdout closes only when it dies; the exit itself may come later (or, unreferenced, never).
		output.on('close', () => this.onGone());
		output.unref();
	}

	launch(options: LaunchOptions): Promise<LaunchOutcome> | undefined {
		const env = this.envFields(options.env);
		if (!env) {
			return undefined;
		}
		const logFile = helperLogFile(options.logFile);
		const payload = [options.cwd, options.command, logFile ?? '', ...env].join('\0');
		const job = new LauncherJob(this, this.nextId++, logFile !== undefined);
		this.jobs.set(job.id, job);
		this.updateRef();
		this.send(`R ${job.id} ${Buffer.byteLength(payload)}\n${payload}`);
		return job.started;
	}

	/** Queues a message; all messages of one tick go out in one write. */
	send(message: string): void {
		if (this.gone) {
			return;
		}
		this.queued.push(message);
		if (this.queued.length === 1) {
			process.nextTick(() => this.flush());
		}
	}

	forget(job: LauncherJob): void {
		if (this.jobs.get(job.id) === job) {
			this.jobs.delete(job.id);
			this.send(`F ${job.id}\n`);
			this.updateRef();
		}
	}

	private flush(): void {
		const text = this.queued.length === 1 ? this.queued[0] : this.queued.join('');
		this.queued = [];
		if (!this.gone) {
			this.child.stdin?.write(text);
		}
	}

	/**
	 * The run's environment as `+K=V` / `-K` differences from the helper's base, sending a new
	 * base first when the differences are many. Variables are compared as the helper stores
	 * them (`K=V` split at the first `=`, the last of equal names wins). Undefined when a name or
	 * value holds a NUL, which only `spawn` should judge.
	 */
	private envFields(env: NodeJS.ProcessEnv): string[] | undefined {
		const vars = new Map<string, string>();
		for (const key of Object.keys(env)) {
			const value = env[key];
			if (value === undefined) {
				continue;
			}
			const entry = `${key}=${value}`;
			if (entry.includes('\0')) {
				return undefined;
			}
			const eq = key.indexOf('=');
			if (eq < 0) {
				vars.set(key, entry.slice(key.length + 1));
			} else {
				vars.set(key.slice(0, eq), entry.slice(eq + 1));
			}
		}
		const base = this.base;
		const diff: string[] = [];
		if (base) {
			let shared = 0;
			for (const [name, value] of vars) {
				const was = base.get(name);
				if (was !== undefined) {
					shared++;
				}
				if (was !== value) {
					diff.push(`+${name}=${value}`);
				}
			}
			if (shared < base.size) {
				for (const name of base.keys()) {
					if (!vars.has(name)) {
						diff.push(`-${name}`);
					}
				}
			}
		}
		if (!base || (diff.length > maxEnvDiff && diff.length > base.size / 4)) {
			this.base = vars;
			const text = [...vars].map(([name, value]) => `${name}=${value}`).join('\0');
			this.send(`N ${Buffer.byteLength(text)}\n${text}`);
			return [];
		}
		return diff;
	}

	/** The helper keeps the host alive only while it runs jobs, as the job's own pipes would. */
	private updateRef(): void {
		const want = this.jobs.size > 0 && !this.gone;
		if (want !== this.referenced) {
			this.referenced = want;
			const output = this.child.stdout as unknown as Socket;
			if (want) {
				output.ref();
				this.child.ref();
			} else {
				output.unref();
				this.child.unref();
			}
		}
	}

	private onMessage(type: string, id: string | undefined, a: string | undefined, b: string | undefined): void {
		if (type === 'H') {
			this.ready = true;
			return;
		}
		this.jobs.get(Number(id))?.message(type, a, b);
	}

	private onGone(): void {
		if (this.gone) {
			return;
		}
		this.gone = true;
		this.queued = [];
		if (current === this) {
			current = undefined;
		}
		if (!this.ready) {
			// It never ran (no Perl, a missing module): nothing was forked, so the runs go direct.
			unavailable = true;
		}
		this.updateRef();
		for (const job of this.jobs.values()) {
			job.launcherGone(this.ready, this.pid);
		}
		this.jobs.clear();
		this.child.stdin?.destroy();
	}
}

