import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive } from './processAlive';
import { ensurePrivateFolder, ensurePrivateFolderAsync, openPrivateFile, openPrivateFileAsync } from './privateFiles';

/**
 * Where the engine keeps history, run logs and small state files, and how it writes them so a
 * SIGKILL (or a power cut) never leaves a half-written file behind. State lives outside the
 * workspace so a job that cleans its folder (`git clean -xdf`) cannot erase its own history.
 */

/** Marks temp files next to their target; `readJsonFile` removes stale ones from earlier crashes. */
const tmpMarker = '.tmp-';
/** A temp file this old is stale even if its writer's pid is alive again (pid reuse). */
const staleTmpMs = 10 * 60_000;



/**
 * Replaces `file` with `data` so that, whatever moment the process dies, the file holds either
 * the old or the new content: a plain `writeFileSync` left empty or partial files under SIGKILL
 * (3 times in 15 in a kill test). The temp file is fsynced before the rename, and the
 * folder after it, so the rename also survives a power cut.
 */
export function writeFileAtomic(file: string, data: string): void {
	const dir = path.dirname(file);
	ensurePrivateFolder(dir);
	const tmp = `${file}${tmpMarker}${process.pid}-${randomBytes(4).toString('hex')}`;
	try {
		// Private from the start: the rename keeps the temp file's mode (0600 whatever the umask).
		const fd = openPrivateFile(tmp, 'w');
		try {
			fs.writeFileSync(fd, data);
			fs.fsyncSync(fd);
		} finally {
			fs.closeSync(fd);
		}
		renameWithRetry(tmp, file);
	} catch (err) {
		fs.rmSync(tmp, { force: true });
		throw err;
	}
	fsyncDir(dir);
}

/**
 * `writeFileAtomic` without blocking the event loop: the writes and fsyncs run on libuv's thread
 * pool. Callers keep at most one write per file in flight (the engine's state file is rewritten
 * on every scheduled fire, and an fsync that meets other disk I/O can take hundreds of ms).
 */
export async function writeFileAtomicAsync(file: string, data: string): Promise<void> {
	const dir = path.dirname(file);
	await ensurePrivateFolderAsync(dir);
	const tmp = `${file}${tmpMarker}${process.pid}-${randomBytes(4).toString('hex')}`;
	try {
		const handle = await openPrivateFileAsync(tmp, 'w');
		try {
			await handle.writeFile(data);
			await handle.sync();
		} finally {
			await handle.close();
		}
		await renameWithRetryAsync(tmp, file);
	} catch (err) {
		await fs.promises.rm(tmp, { force: true });
		throw err;
	}
	await fsyncDirAsync(dir);
}

/**
 * Reads a JSON file, or `undefined` when it is missing or unparseable: state is a cache the
 * engine can rebuild, so a bad file must not stop it. Also removes temp files that crashed
 * `writeFileAtomic` calls left next to it.
 */
export function readJsonFile<T>(file: string): T | undefined {
	removeStaleTempFiles(file);
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
	try {
		return JSON.parse(text) as T;
	} catch {
		return undefined;
	}
}


/**
 * Removes `<file>.tmp-<pid>-<rand>` siblings whose writer is dead or which are old. A live
 * writer's fresh temp file is kept: deleting it would make its rename fail.
 */
function removeStaleTempFiles(file: string): void {
	const dir = path.dirname(file);
	const prefix = path.basename(file) + tmpMarker;
	let names: string[];
	try {
		names = fs.readdirSync(dir);
	} catch {
		return;
	}
	for (const name of names) {
		if (!name.startsWith(prefix)) {
			continue;
		}
		const full = path.join(dir, name);
		const pid = Number(name.slice(prefix.length).split('-')[0]);
		try {
			const age = Date.now() - fs.statSync(full).mtimeMs;
			if (!isProcessAlive(pid) || age > staleTmpMs) {
				fs.rmSync(full, { force: true });
			}
		} catch {
			// Gone already, or not ours to remove: either way nothing to clean.
		}
	}
}

/**
 * Errors a rename on Windows gives while another process has the target (or the temp file)
 * open for a moment: antivirus scanners, the search indexer, backup and sync tools open new
 * files briefly. graceful-fs retries these too. Elsewhere they are not transient.
 */
const transientRenameErrors: ReadonlySet<string> = new Set(process.platform === 'win32' ? ['EPERM', 'EACCES', 'EBUSY'] : []);
/** Waits between rename attempts: doubling from 5 ms, about 1.3 s in all, then the error stands. */
const renameRetryDelaysMs = [5, 10, 20, 40, 80, 160, 320, 640];

/** The wait before the next rename attempt after `err`, or undefined when it is not worth one. */
function renameRetryDelay(err: unknown, attempt: number): number | undefined {
	const code = (err as NodeJS.ErrnoException).code;
	return code !== undefined && transientRenameErrors.has(code) ? renameRetryDelaysMs[attempt] : undefined;
}

/** `renameSync` that outlasts a transient hold on either file (Windows). */
function renameWithRetry(from: string, to: string): void {
	for (let attempt = 0; ; attempt++) {
		try {
			fs.renameSync(from, to);
			return;
		} catch (err) {
			const delay = renameRetryDelay(err, attempt);
			if (delay === undefined) {
				throw err;
			}
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
		}
	}
}

/** Makes a rename durable. Windows cannot open a folder for fsync; NTFS journals renames anyway. */
function fsyncDir(dir: string): void {
	if (process.platform === 'win32') {
		return;
	}
	let fd: number | undefined;
	try {
		fd = fs.openSync(dir, 'r');
		fs.fsyncSync(fd);
	} catch {
		// Some file systems reject fsync on a folder; the data itself is already synced.
	} finally {
		if (fd !== undefined) {
			fs.closeSync(fd);
		}
	}
}

async function renameWithRetryAsync(from: string, to: string): Promise<void> {
	for (let attempt = 0; ; attempt++) {
		try {
			await fs.promises.rename(from, to);
			return;
		} catch (err) {
			const delay = renameRetryDelay(err, attempt);
			if (delay === undefined) {
				throw err;
			}
			await new Promise((resolve) => setTimeout(resolve, delay));
		}
	}
}

async function fsyncDirAsync(dir: string): Promise<void> {
	if (process.platform === 'win32') {
		return;
	}
	try {
		const handle = await fs.promises.open(dir, 'r');
		try {
			await handle.sync();
		} finally {
			await handle.close();
		}
	} catch {
		// As in fsyncDir: some file systems reject fsync on a folder.
	}
}
