import * as net from 'node:net';
import { Disposable } from '../base/disposable';
import { Emitter, type Event } from '../base/events';
import type { LeaseEndpoint } from './leaseEndpoint';
import { NamedPipeEndpoint } from './leaseNamedPipe';
import { SocketFileEndpoint } from './leaseSocketFile';

/**
 * One runner per workspace folder across processes (two VS Code windows, the CLI's `start` beside
 * VS Code). The lease is a listening local socket, not a lock file: the kernel stops it listening
 * the moment the holder dies (a socket file left behind refuses connections, so the next taker
 * knows it is stale), and a holder whose event loop is blocked (a laptop sleep, a long GC) keeps it.
 * proper-lockfile's stale timeout did neither (measured with stale 4 s: another process got the
 * lock about 4 s after a SIGKILL of the holder, and took it from a holder blocked for 7 s while
 * that one still believed it held it).
 *
 * Only a holder of the same user counts: on POSIX the socket is a file in a folder private to
 * the user (leaseSocketFile.ts). The abstract socket Linux used before had no owner, and a process
 * of another user that bound its name first made every real runner passive.
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
	/** Folder of the socket files (POSIX); each process of one user must use the same. @default `<state root>/leases` */
	folder?: string;
	/**
	 * Told when a folder or socket that another user could control is refused (the lease then
	 * uses another folder rather than deferring to it). @default ignored
	 */
	warn?: (message: string) => void;
}

const queryTimeoutMs = 1000;
const maxInfoBytes = 4096;

/** The lease on one key (a workspace folder's canonical path or state folder). */
export class RunnerLease extends Disposable {
	private readonly _onDidAcquire = this._register(new Emitter<void>());
	/** Fires each time this instance takes the lease, through `tryAcquire` or `acquireInBackground`. */
	readonly onDidAcquire: Event<void> = this._onDidAcquire.event;
	private readonly _onDidLose = this._register(new Emitter<void>());
	/** Fires when a held lease is lost without `dispose` (server error, socket file replaced). */
	readonly onDidLose: Event<void> = this._onDidLose.event;

	private readonly endpoint: LeaseEndpoint;
	private readonly retryMs: number;
	private server: net.Server | undefined;
	private info: LeaseInfo | undefined;
	private pending: Promise<boolean> | undefined;
	private background = false;
	private retryTimer: NodeJS.Timeout | undefined;

	constructor(
		key: string,
		private readonly holder: string,
		options: RunnerLeaseOptions = {},
	) {
		super();
		this.endpoint = createLeaseEndpoint(key, options);
		this.retryMs = Math.max(10, options.retryMs ?? 1000);
	}

	/** The socket file (or Windows pipe) of this lease, for messages. */
	get address(): string {
		return this.endpoint.address;
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
	 * block. A named pipe cannot be taken from a live process; a socket file can be unlinked and
	 * replaced, so its inode is compared.
	 */
	async verify(): Promise<boolean> {
		if (!this.server?.listening) {
			return false;
		}
		if (!this.endpoint.stillOurs()) {
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
		this.closeServer(true);
		this.endpoint.dispose();
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
		const server = await this.endpoint.claim(() => net.createServer((socket) => this.answer(socket)));
		if (!server) {
			return false;
		}
		if (this.isDisposed) {
			this.endpoint.release();
			server.close();
			return false;
		}
		server.unref();
		this.server = server;
		this.info = { pid: process.pid, since: new Date().toISOString(), holder: this.holder };
		server.on('error', () => this.lose());
		this._onDidAcquire.fire();
		return true;
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
		const address = this.endpoint.holderAddress();
		if (address === undefined) {
			return Promise.resolve(undefined);
		}
		return new Promise((resolve) => {
			const socket = net.connect(address);
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

	private lose(): void {
		if (!this.server) {
			return;
		}
		this.closeServer(false);
		this._onDidLose.fire();
		if (this.background && !this.isDisposed && !this.retryTimer) {
			this.retryTimer = setTimeout(() => void this.backgroundStep(), this.retryMs);
			this.retryTimer.unref();
		}
	}

	/** `release`: this process gives the lease up (dispose), rather than having lost it. */
	private closeServer(release: boolean): void {
		const server = this.server;
		this.server = undefined;
		this.info = undefined;
		if (release) {
			this.endpoint.release();
		} else {
			this.endpoint.forget();
		}
		server?.close();
	}
}

/** The one place the platform is chosen: a named pipe on Windows, a private socket file elsewhere. */
function createLeaseEndpoint(key: string, options: RunnerLeaseOptions): LeaseEndpoint {
	if (process.platform === 'win32') {
		return new NamedPipeEndpoint(key);
	}
	return new SocketFileEndpoint(key, options.folder, options.warn ?? (() => {}));
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
