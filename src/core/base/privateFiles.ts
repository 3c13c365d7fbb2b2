import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Folders and files only their owner can read: run logs and history hold whatever a job prints
 * (tokens included), so every writer of the state folder goes through here. A mode passed to
 * `mkdir` or `open` is masked by the umask (umask 0277 turns 0700 into 0500) and ignored for a
 * path that already exists, so each creation is followed by an explicit `chmod` when the mode
 * is not exactly right (measured: with umask 022, `mkdirSync` gives 0755 and `open(..., "a")` 0644).
 */

/** The mode of every folder the engine creates. */
export const privateFolderMode = 0o700;
/** The mode of every file the engine creates. */
export const privateFileMode = 0o600;

const permissionBits = 0o7777;

/**
 * Creates `folder` and any missing folder above it with mode 0700, whatever the umask: each is
 * made and set to exactly 0700 before the next one inside it (a umask of 0277 would otherwise
 * leave a 0500 folder nothing can be created in). An existing `folder` of ours with other bits is
 * set to 0700 too. Throws what `mkdir` throws (ENOSPC, EACCES, ENOTDIR).
 */
export function ensurePrivateFolder(folder: string): void {
	const missing = missingFolders(folder);
	if (missing.length === 0) {
		tightenPrivateFolder(folder);
	}
	for (const dir of missing) {
		try {
			fs.mkdirSync(dir, { mode: privateFolderMode });
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
				// Made meanwhile by another writer, with these same rules.
				continue;
			}
			throw err;
		}
		fs.chmodSync(dir, privateFolderMode);
	}
}

/** `ensurePrivateFolder` for asynchronous writers; the usual case (the folder exists) costs one `stat`. */
export async function ensurePrivateFolderAsync(folder: string): Promise<void> {
	const missing = missingFolders(folder);
	if (missing.length === 0) {
		tightenPrivateFolder(folder);
	}
	for (const dir of missing) {
		try {
			await fs.promises.mkdir(dir, { mode: privateFolderMode });
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
				continue;
			}
			throw err;
		}
		await fs.promises.chmod(dir, privateFolderMode);
	}
}

/** The folders from the first missing one down to `folder`, outermost first. */
function missingFolders(folder: string): string[] {
	const missing: string[] = [];
	for (let dir = path.resolve(folder); !fs.existsSync(dir); dir = path.dirname(dir)) {
		missing.unshift(dir);
		if (path.dirname(dir) === dir) {
			break;
		}
	}
	return missing;
}

/**
 * Opens `file` (created with mode 0600 when missing) and makes sure an open file of ours is
 * exactly 0600: a file created by an older version or under another umask is tightened on the
 * way. `flags` as for `fs.openSync` (`'a'`, `'w'`, `'wx'`).
 */
export function openPrivateFile(file: string, flags: string): number {
	const fd = fs.openSync(file, flags, privateFileMode);
	try {
		tightenOpenFile(fd);
	} catch (err) {
		fs.closeSync(fd);
		throw err;
	}
	return fd;
}

/**
 * Sets an open regular file of ours to exactly 0600, for files opened elsewhere with mode 0600
 * (`fs.createWriteStream(file, { mode: privateFileMode })`, whose open must stay asynchronous).
 */
export function tightenOpenFile(fd: number): void {
	const stat = fs.fstatSync(fd);
	if (stat.isFile() && isOwn(stat) && (stat.mode & permissionBits) !== privateFileMode) {
		fs.fchmodSync(fd, privateFileMode);
	}
}

/** `openPrivateFile` off the event loop. */
export async function openPrivateFileAsync(file: string, flags: string): Promise<fs.promises.FileHandle> {
	const handle = await fs.promises.open(file, flags, privateFileMode);
	try {
		const stat = await handle.stat();
		if (stat.isFile() && isOwn(stat) && (stat.mode & permissionBits) !== privateFileMode) {
			await handle.chmod(privateFileMode);
		}
	} catch (err) {
		await handle.close();
		throw err;
	}
	return handle;
}

/**
 * Appends `data` to `file` (a private file, created when missing) in one call, all or nothing:
 * when a write fails midway (ENOSPC after part of the data went in), the file is cut back to
 * its size before the call, so a caller that retries the same data later never writes a line
 * twice and never leaves half of one.
 */
export function appendPrivateFile(file: string, data: string | Uint8Array): void {
	const fd = openPrivateFile(file, 'a');
	try {
		const before = fs.fstatSync(fd).size;
		try {
			fs.appendFileSync(fd, data);
		} catch (err) {
			try {
				fs.ftruncateSync(fd, before);
			} catch {
				// The file keeps a torn tail, which the next append of its store cuts off.
			}
			throw err;
		}
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Sets every folder (0700) and regular file (0600) of ours under `root`, `root` included, to
 * its private mode: state written by an older version, or under another umask, is tightened when
 * an engine opens its folder. Every folder, and the files directly in `root`, are set before this
 * returns, which already closes them to others (nobody can enter a 0700 folder); the files deeper
 * down (run logs, thousands of them) are set off the event loop, and the promise resolves with
 * how many modes were changed in all. Symbolic links are not followed and things of other users
 * are left as they are; nothing here throws or rejects (a part that cannot be read is passed over).
 */
export function tightenPrivateTree(root: string): Promise<number> {
	const deeper: string[] = [];
	let changed = 0;
	const visit = (dir: string, depth: number): void => {
		if (!tighten(dir, true)) {
			return;
		}
		let entries: fs.Dirent[];
		try {
			entries = fs.readdirSync(dir, { withFileTypes: true });
		} catch {
			return;
		}
		for (const entry of entries) {
			const file = path.join(dir, entry.name);
			if (entry.isDirectory() && depth < maxTreeDepth) {
				visit(file, depth + 1);
			} else if (entry.isFile()) {
				if (depth === 0) {
					tighten(file, false);
				} else {
					deeper.push(file);
				}
			}
		}
	};
	/** Sets one folder or file; false when it is not one of ours (then nothing inside is touched). */
	const tighten = (file: string, folder: boolean): boolean => {
		try {
			const stat = fs.lstatSync(file);
			if (!isOwn(stat) || (folder ? !stat.isDirectory() : !stat.isFile())) {
				return false;
			}
			const want = folder ? privateFolderMode : privateFileMode;
			if ((stat.mode & permissionBits) !== want) {
				fs.chmodSync(file, want);
				changed++;
			}
			return true;
		} catch {
			// Raced with a delete, or a read-only file system: nothing more to do here.
			return false;
		}
	};
	visit(root, 0);
	return tightenFilesAsync(deeper).then((more) => changed + more);
}

/** The deeper files of `tightenPrivateTree`, a few at a time on the thread pool. */
async function tightenFilesAsync(files: readonly string[]): Promise<number> {
	let changed = 0;
	let next = 0;
	const worker = async () => {
		while (next < files.length) {
			const file = files[next++];
			try {
				const stat = await fs.promises.lstat(file);
				if (stat.isFile() && isOwn(stat) && (stat.mode & permissionBits) !== privateFileMode) {
					await fs.promises.chmod(file, privateFileMode);
					changed++;
				}
			} catch {
				// Deleted meanwhile (retention), or not ours to change.
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(4, files.length) }, worker));
	return changed;
}

/** The state folder is `logs/<job>/<run>.log` deep; nothing of ours is deeper than this. */
const maxTreeDepth = 8;

/**
 * Sets `folder` to 0700 when it is a real folder of ours that is not shared on purpose: a
 * folder with the sticky bit (such as /tmp) is left alone. Also for the root of all state, which
 * holds the folders of other workspaces (each tightened when its engine opens). Never throws.
 */
export function tightenPrivateFolder(folder: string): void {
	try {
		const stat = fs.lstatSync(folder);
		if (stat.isDirectory() && isOwn(stat) && !(stat.mode & 0o1000) && (stat.mode & permissionBits) !== privateFolderMode) {
			fs.chmodSync(folder, privateFolderMode);
		}
	} catch {
		// Missing or not ours: nothing to tighten.
	}
}

/** Owned by this process's user (always true where there are no uids). */
function isOwn(stat: fs.Stats): boolean {
	return process.geteuid === undefined || stat.uid === process.geteuid();
}
