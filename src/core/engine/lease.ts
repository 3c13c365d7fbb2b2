import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Disposable } from '../base/disposable';
import { Emitter, type Event } from '../base/events';
import { defaultStateRoot } from '../base/stateDir';

/**
 * One runner per workspace folder across processes (two VS Code windows, the CLI's `start` beside
 * VS Code). The lease is a listening local socket, not a lock file: the kernel frees it the moment
 * the holder dies, and a holder whose event loop is blocked (a laptop sleep, a long GC) keeps it.
 * proper-lockfile's stale timeout did neither (RELIABILITY.md "Files").
 */

/** What the current holder answers on its socket. */
export interface LeaseInfo {
	pid: number;
	/** ISO-8601 instant the lease was taken. */
	since: string;
	/** Who holds it, for messages such as "jobs run in the CLI (pid 123)". */
	holder: string;
}

/** Options of a `RunnerLease`. */
export interface RunnerLeaseOptions {
	/** Milliseconds between attempts of `acquireInBackground`. @default 1000 */
	retryMs?: number;
}

const queryTimeoutMs = 1000;
const maxInfoBytes = 4096;
/** Unix socket paths longer than this fail on macOS (104 bytes with the terminator). */
const maxSocketPath = 100;

/** The lease on one key (a workspace folder's canonical path or state folder). */
export class RunnerLease extends Disposable {
	private readonly _onDidAcquire = this._register(new Emitter<void>());
	/** Fires each time this instance takes the lease, through `tryAcquire` or `acquireInBackground`. */
	readonly onDidAcquire: Event<void> = this._onDidAcquire.event;
	private readonly _onDidLose = this._register(new Emitter<void>());
	/** Fires when a held lease is lost without `dispose` (server error, socket file replaced). */
	readonly onDidLose: Event<void> = this._onDidLose.event;

	private readonly address: string;
	private readonly retryMs: number;
	private server: net.Server | undefined;
	private info: LeaseInfo | undefined;
	/** Inode of the socket file we listen on (socket-file platforms), to notice replacement. */
	private socketIno: number | undefined;
	private pending: Promise<boolean> | undefined;
	private background = false;
	private retryTimer: NodeJS.Timeout | undefined;

	constructor(
		key: string,
		private readonly holder: string,
		options: RunnerLeaseOptions = {},
	) {
		super();
		this.address = leaseAddress(key);
		this.retryMs = Math.max(10, options.retryMs ?? 1000);
	}

	get held(): boolean {
		return this.server !== undefined;
	}

	/** Tries once to take the lease; true when this instance holds it afterwards. */
	tryAcquire(): Promise<boolean> {
		if (this.isDisposed) {
			return Promise.resolve(false);
		}
		if (this.server) {
			return Promise.resolve(true);
		}
		this.pending ??= this.acquire().finally(() => {
			this.pending = undefined;
		});
		return this.pending;
	}

	/** Keeps trying every `retryMs` until the lease is taken or this is disposed; then `onDidAcquire` fires. */
	acquireInBackground(): void {
		if (this.isDisposed || this.background) {
			return;
		}
		this.background = true;
		void this.backgroundStep();
	}

	/** Asks the current holder who it is; `undefined` when nobody holds the lease or it does not answer. */
	async queryHolder(): Promise<LeaseInfo | undefined> {
		const answer = await this.ask();
		return answer && { pid: answer.pid, since: answer.since, holder: answer.holder };
	}

	/**
	 * Re-checks that this instance still holds the lease, before spawning after a long event-loop
	 * block. A listening abstract socket or named pipe cannot be taken from a live process, so this
	 * is a field check there; a socket file can be unlinked and replaced, so its inode is compared.
	 */
	async verify(): Promise<boolean> {
		if (!this.server?.listening) {
			return false;
		}
		if (this.socketIno !== undefined && socketFileIno(this.address) !== this.socketIno) {
			this.lose();
			return false;
		}
		return true;
	}

	override dispose(): void {
		if (this.isDisposed) {
			return;
		}
		super.dispose();
		if (this.retryTimer) {
			clearTimeout(this.retryTimer);
			this.retryTimer = undefined;
		}
		this.closeServer();
	}

	private async backgroundStep(): Promise<void> {
		this.retryTimer = undefined;
		if (this.isDisposed || this.server) {
			return;
		}
		const ok = await this.tryAcquire();
		if (!ok && !this.isDisposed && !this.server && !this.retryTimer) {
			this.retryTimer = setTimeout(() => void this.backgroundStep(), this.retryMs);
			this.retryTimer.unref();
		}
	}

	private async acquire(): Promise<boolean> {
		let result = await this.listen();
		if (result === 'EADDRINUSE' && this.isSocketFile() && (await this.isStaleSocketFile())) {
			fs.rmSync(this.address, { force: true });
			result = await this.listen();
		}
		if (!(result instanceof net.Server)) {
			return false;
		}
		if (this.isDisposed) {
			result.close();
			return false;
		}
		this.server = result;
		this.info = { pid: process.pid, since: new Date().toISOString(), holder: this.holder };
		this.socketIno = this.isSocketFile() ? socketFileIno(this.address) : undefined;
		result.on('error', () => this.lose());
		this._onDidAcquire.fire();
		return true;
	}

	/** Listens on the lease address; resolves with the server or the error code. */
	private listen(): Promise<net.Server | string> {
		if (this.isSocketFile()) {
			try {
				fs.mkdirSync(path.dirname(this.address), { recursive: true });
			} catch {
				// listen reports the real problem.
			}
		}
		return new Promise((resolve) => {
			const server = net.createServer((socket) => this.answer(socket));
			const onError = (err: NodeJS.ErrnoException) => {
				server.close();
				resolve(err.code ?? String(err));
			};
			server.once('error', onError);
			server.listen(this.address, () => {
				server.off('error', onError);
				server.unref();
				resolve(server);
			});
		});
	}

	private answer(socket: net.Socket): void {
		socket.unref();
		socket.on('error', () => socket.destroy());
		socket.setTimeout(queryTimeoutMs, () => socket.destroy());
		if (this.info) {
			socket.end(JSON.stringify(this.info) + '\n');
		} else {
			socket.destroy();
		}
	}

	/** Connects to the lease address and reads the holder's one JSON line. */
	private ask(): Promise<LeaseInfo | undefined> {
		return new Promise((resolve) => {
			const socket = net.connect(this.address);
			let data = '';
			let settled = false;
			const finish = (value: LeaseInfo | undefined) => {
				if (!settled) {
					settled = true;
					clearTimeout(timer);
					socket.destroy();
					resolve(value);
				}
			};
			const timer = setTimeout(() => finish(undefined), queryTimeoutMs);
			timer.unref();
			socket.setEncoding('utf8');
			socket.on('data', (chunk: string) => {
				data += chunk;
				const nl = data.indexOf('\n');
				if (nl >= 0 || data.length > maxInfoBytes) {
					finish(parseInfo(data.slice(0, nl >= 0 ? nl : undefined)));
				}
			});
			socket.on('end', () => finish(parseInfo(data)));
			socket.on('error', () => finish(undefined));
		});
	}

	/** A socket file nobody listens on (its process died) refuses connections. */
	private isStaleSocketFile(): Promise<boolean> {
		return new Promise((resolve) => {
			const socket = net.connect(this.address);
			socket.once('connect', () => {
				socket.destroy();
				resolve(false);
			});
			socket.once('error', (err: NodeJS.ErrnoException) => {
				resolve(err.code === 'ECONNREFUSED' || err.code === 'ENOENT');
			});
		});
	}

	private lose(): void {
		if (!this.server) {
			return;
		}
		this.closeServer();
		this._onDidLose.fire();
		if (this.background && !this.isDisposed && !this.retryTimer) {
			this.retryTimer = setTimeout(() => void this.backgroundStep(), this.retryMs);
			this.retryTimer.unref();
		}
	}

	private closeServer(): void {
		const server = this.server;
		this.server = undefined;
		this.info = undefined;
		this.socketIno = undefined;
		server?.close();
	}

	private isSocketFile(): boolean {
		return process.platform !== 'linux' && process.platform !== 'win32';
	}
}

/**
 * Linux: an abstract-namespace socket (no file, freed by the kernel with its process). Windows:
 * a named pipe, which behaves the same. Elsewhere: a socket file in the state folder, unlinked by
 * the next taker when connecting to it is refused.
 */
function leaseAddress(key: string): string {
	const name = `workspace-jobs-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
	if (process.platform === 'linux') {
		return `\0${name}`;
	}
	if (process.platform === 'win32') {
		return `\\\\.\\pipe\\${name}`;
	}
	const file = path.join(defaultStateRoot(), 'leases', `${name}.sock`);
	return Buffer.byteLength(file) <= maxSocketPath ? file : path.join(os.tmpdir(), `${name}.sock`);
}

function socketFileIno(file: string): number | undefined {
	try {
		return fs.statSync(file).ino;
	} catch {
		return undefined;
	}
}

function parseInfo(text: string): LeaseInfo | undefined {
	try {
		const value = JSON.parse(text) as Partial<LeaseInfo>;
		if (typeof value.pid === 'number' && typeof value.since === 'string' && typeof value.holder === 'string') {
			return value as LeaseInfo;
		}
	} catch {
		// A holder from a newer version, or a stranger on the address.
	}
	return undefined;
}
