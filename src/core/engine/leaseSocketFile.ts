import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultStateRoot } from '../base/stateDir';
import { type LeaseEndpoint, listenOn } from './leaseEndpoint';
import { ensureLeaseFolder } from './privateFolder';

/**
 * POSIX (Linux, macOS): the lease is a Unix socket file in a folder that only this user can write
 * (privateFolder.ts), so whoever listens there is this user or root; nobody else can put a socket
 * under our name. The socket is 0600 whatever the umask. A socket file outlives a SIGKILLed
 * holder; connecting to it is then refused (ECONNREFUSED), which is how the next taker knows it
 * is stale and may replace it.
 *
 * Two rules keep two takers from both winning:
 * - The socket is bound under a temporary name and hard-linked to its real name: `link` fails
 *   when the name exists, so of two takers exactly one gets it. (A plain bind cannot be used:
 *   Node unlinks the path it bound when the server closes, by name, so a loser would delete the
 *   winner's file.)
 * - A stale file is removed by renaming it aside and checking that what moved is the stale inode;
 *   if a racer's fresh socket moved instead, it is linked back. The stale inode is deleted only
 *   after our own link attempt: ext4 gives a freed inode number to the next new file at once, so a
 *   slower taker would otherwise see our fresh socket as the stale one and remove it.
 */

/** Longest socket path that binds on macOS (104 bytes with the terminator); Linux allows 107. */
const maxSocketPath = 103;
/** The longest name in the folder: `<16 hex>.<6 hex>.new`. */
const longestEntry = 16 + 1 + 6 + 4;
const connectTimeoutMs = 1000;
/** A claim that lost a race looks again this many times before reporting the lease taken. */
const claimAttempts = 3;

/** What is at the socket file's name. */
type Found = { kind: 'absent' } | { kind: 'live' } | { kind: 'stale'; stat: fs.Stats } | { kind: 'foreign'; stat: fs.Stats; reason: string };

export class SocketFileEndpoint implements LeaseEndpoint {
	private readonly name: string;
	private readonly folders: string[];
	private folder: string;
	/** A folder of this instance alone, used when no shared folder is private. */
	private fresh: string | undefined;
	private held: { file: string; dev: number; ino: number } | undefined;
	private readonly warned = new Set<string>();

	constructor(
		key: string,
		preferredFolder: string | undefined,
		private readonly warn: (message: string) => void,
	) {
		this.name = socketFileName(key);
		this.folders = socketFolders(preferredFolder);
		this.folder = this.folders[0] ?? os.tmpdir();
	}

	get address(): string {
		return this.held?.file ?? this.fileIn(this.folder);
	}

	async claim(createServer: () => net.Server): Promise<net.Server | undefined> {
		for (let attempt = 0; attempt < claimAttempts; attempt++) {
			const folder = this.pickFolder();
			if (!folder) {
				return undefined;
			}
			const file = this.fileIn(folder);
			const found = await inspect(file);
			if (found.kind === 'live') {
				return undefined;
			}
			if (found.kind === 'foreign') {
				this.warnOnce(`Runner lease: removed ${file}, which ${found.reason}`);
			}
			const aside = found.kind === 'stale' || found.kind === 'foreign' ? moveAsideIfSame(file, found.stat) : undefined;
			let result: net.Server | 'taken' | undefined;
			try {
				result = await this.bindAndLink(file, createServer);
			} finally {
				removeAside(aside);
			}
			if (result !== 'taken') {
				return result;
			}
		}
		return undefined;
	}

	holderAddress(): string | undefined {
		const file = this.held?.file ?? (this.pickFolder() && this.fileIn(this.folder));
		if (!file) {
			return undefined;
		}
		try {
			const st = fs.lstatSync(file);
			return st.isSocket() && trustedOwner(st.uid) ? file : undefined;
		} catch {
			return undefined;
		}
	}

	stillOurs(): boolean {
		if (!this.held) {
			return false;
		}
		try {
			const st = fs.lstatSync(this.held.file);
			return st.ino === this.held.ino && st.dev === this.held.dev;
		} catch {
			return false;
		}
	}

	forget(): void {
		this.held = undefined;
	}

	/** Safe against removing a successor's file: while our server listens nobody replaces the name. */
	release(): void {
		if (this.held && this.stillOurs()) {
			fs.rmSync(this.held.file, { force: true });
		}
		this.held = undefined;
	}

	dispose(): void {
		this.release();
		if (this.fresh) {
			fs.rmSync(this.fresh, { recursive: true, force: true });
			this.fresh = undefined;
		}
	}

	/** The first shared folder that is private to this user; else a fresh one of this instance. */
	private pickFolder(): string | undefined {
		for (const folder of this.folders) {
			const problem = ensureLeaseFolder(folder);
			if (!problem) {
				this.folder = folder;
				return folder;
			}
			this.warnOnce(`Runner lease: not using ${folder}: it ${problem}`);
		}
		try {
			this.fresh ??= freshFolder();
		} catch (err) {
			this.warnOnce(`Runner lease: cannot create a private folder (${String(err)}); the schedule does not run here`);
			return undefined;
		}
		this.warnOnce(`Runner lease: no shared private folder; using ${this.fresh}, which other processes do not see: another window or CLI on this folder may run the same schedule`);
		this.folder = this.fresh;
		return this.fresh;
	}

	/** Resolves with the listening server, 'taken' when a racer linked the name first, or undefined on an error. */
	private async bindAndLink(file: string, createServer: () => net.Server): Promise<net.Server | 'taken' | undefined> {
		const temp = path.join(path.dirname(file), `${this.name}.${randomBytes(3).toString('hex')}.new`);
		const server = createServer();
		const code = await listenOn(server, temp);
		if (code) {
			server.close();
			this.warnOnce(`Runner lease: cannot listen on ${temp} (${code})`);
			return undefined;
		}
		try {
			// bind made it 0777 minus the umask; the folder kept others out meanwhile.
			fs.chmodSync(temp, 0o600);
			const st = fs.lstatSync(temp);
			fs.linkSync(temp, file);
			this.held = { file, dev: st.dev, ino: st.ino };
			return server;
		} catch (err) {
			server.close();
			const errCode = (err as NodeJS.ErrnoException).code;
			if (errCode === 'EEXIST') {
				return 'taken';
			}
			this.warnOnce(`Runner lease: cannot link ${file} (${errCode ?? String(err)})`);
			return undefined;
		} finally {
			fs.rmSync(temp, { force: true });
		}
	}

	private fileIn(folder: string): string {
		return path.join(folder, `${this.name}.sock`);
	}

	private warnOnce(message: string): void {
		if (!this.warned.has(message)) {
			this.warned.add(message);
			this.warn(message);
		}
	}
}

/** Looks at the name before connecting: only a socket of this user (or root) is asked. */
async function inspect(file: string): Promise<Found> {
	let stat: fs.Stats;
	try {
		stat = fs.lstatSync(file);
	} catch (err) {
		// Anything but "not there" (ENOTDIR, EACCES) leaves the lease alone rather than taking it.
		return (err as NodeJS.ErrnoException).code === 'ENOENT' ? { kind: 'absent' } : { kind: 'live' };
	}
	if (!stat.isSocket()) {
		return { kind: 'foreign', stat, reason: 'is not a socket' };
	}
	if (!trustedOwner(stat.uid)) {
		return { kind: 'foreign', stat, reason: `is owned by uid ${stat.uid}` };
	}
	const code = await connectError(file);
	if (code === 'ECONNREFUSED') {
		return { kind: 'stale', stat };
	}
	// EAGAIN is a full backlog: a holder whose event loop is blocked keeps the lease.
	return code === 'ENOENT' ? { kind: 'absent' } : { kind: 'live' };
}

/** Resolves with undefined when a connection was made (a live listener), else the error code. */
function connectError(file: string): Promise<string | undefined> {
	return new Promise((resolve) => {
		const socket = net.connect(file);
		const done = (code: string | undefined) => {
			clearTimeout(timer);
			socket.destroy();
			resolve(code);
		};
		const timer = setTimeout(() => done('ETIMEDOUT'), connectTimeoutMs);
		timer.unref();
		socket.once('connect', () => done(undefined));
		socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? String(err)));
	});
}

/**
 * Moves `file` aside if it is still the inode that was found (a stale or foreign socket) and
 * returns where it went, for `removeAside` once the caller's own link attempt is over.
 */
function moveAsideIfSame(file: string, seen: fs.Stats): string | undefined {
	const aside = `${file.slice(0, -'.sock'.length)}.${randomBytes(3).toString('hex')}.old`;
	try {
		fs.renameSync(file, aside);
	} catch {
		return undefined; // Someone else moved it first.
	}
	let moved: fs.Stats | undefined;
	try {
		moved = fs.lstatSync(aside);
	} catch {
		// Gone already.
	}
	if (moved && moved.ino === seen.ino && moved.dev === seen.dev) {
		return aside;
	}
	try {
		// A racer's fresh socket: put it back, unless a third process has the name by now.
		fs.linkSync(aside, file);
	} catch {
		// That holder keeps the name; the one moved away finds out in its next verify.
	}
	removeAside(aside);
	return undefined;
}

function removeAside(aside: string | undefined): void {
	if (aside) {
		try {
			fs.rmSync(aside, { force: true });
		} catch {
			// A folder under the name (only this user or root can make one): leave it aside.
		}
	}
}

/** This user, or root (which can take anything from anyone anyway). */
function trustedOwner(uid: number): boolean {
	return uid === process.geteuid!() || uid === 0;
}

/**
 * The socket file's name. The host name is part of it because a home folder can be shared over
 * NFS: a socket file there is only reachable from the machine that bound it, and two machines on
 * one name would each see the other's socket as stale and take it in turn.
 */
function socketFileName(key: string): string {
	return createHash('sha256').update(`${os.hostname()}\0${key}`).digest('hex').slice(0, 16);
}

/**
 * The shared folders to try, in order: `<state root>/leases` (per user, and the same for every
 * process of the user that sees the same state root), then `<tmp>/workspace-jobs-<uid>` when the
 * first is refused or too long for a socket path.
 */
function socketFolders(preferred: string | undefined): string[] {
	const candidates = [preferred ?? path.join(defaultStateRoot(), 'leases'), path.join(os.tmpdir(), `workspace-jobs-${process.geteuid!()}`)];
	return [...new Set(candidates.map((folder) => path.resolve(folder)))].filter(fitsSocketPath);
}

function fitsSocketPath(folder: string): boolean {
	return Buffer.byteLength(folder) + 1 + longestEntry <= maxSocketPath;
}

/** A folder of one lease instance: `<tmp>/workspace-jobs-lease-XXXXXX` (mkdtemp makes it 0700). */
function freshFolder(): string {
	const prefix = 'workspace-jobs-lease-';
	const tmp = os.tmpdir();
	const folder = fs.mkdtempSync(path.join(fitsSocketPath(path.join(tmp, `${prefix}XXXXXX`)) ? tmp : '/tmp', prefix));
	fs.chmodSync(folder, 0o700);
	return folder;
}
