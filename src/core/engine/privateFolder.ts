import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A folder only this user can change, for the runner lease's socket files (POSIX only). A socket
 * file is as trustworthy as the folder it sits in: whoever can write the folder can put their own
 * socket under our name, so the folder and the folders above it are checked before each use.
 */

const stickyBit = 0o1000;

/**
 * Creates `folder` (mode 0700 whatever the umask) when it is missing and checks it; returns why it
 * must not be used, or undefined when it is private to this user. Unlike base/privateFiles.ts's
 * `ensurePrivateFolder`, which tightens a folder of ours, this refuses one that others could write:
 * they may already have put a socket under our name in it.
 */
export function ensureLeaseFolder(folder: string): string | undefined {
	try {
		const parent = path.dirname(folder);
		const first = fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
		// The mode is masked by the umask (0077 would give 0700, but 0277 a folder we cannot write).
		for (let dir = parent; first !== undefined && dir.length >= first.length; dir = path.dirname(dir)) {
			fs.chmodSync(dir, 0o700);
		}
		fs.mkdirSync(folder, { mode: 0o700 });
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		if (code !== 'EEXIST') {
			return `cannot be created (${code ?? String(err)})`;
		}
	}
	return checkPrivateFolder(folder);
}

/**
 * Why `folder` is not private to this user, or undefined when it is: it must be a real folder
 * (not a symbolic link) owned by this user and writable by nobody else, and every folder above it
 * must be owned by this user or root and, when others may write it, have the sticky bit (as /tmp
 * does), so that nobody else can rename it away and put their own in its place. A folder of ours
 * with other mode bits (0755 from an older version, 0500 from a strict umask) is set to 0700.
 */
export function checkPrivateFolder(folder: string): string | undefined {
	const uid = process.geteuid!();
	// Parents first: once they are safe, nobody else can swap the folder between lstat and chmod.
	const above = checkAncestors(folder, uid);
	if (above) {
		return above;
	}
	let seen: fs.Stats;
	try {
		seen = fs.lstatSync(folder);
	} catch (err) {
		return `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
	}
	if (seen.isSymbolicLink()) {
		return 'is a symbolic link';
	}
	if (!seen.isDirectory()) {
		return 'is not a folder';
	}
	if (seen.uid !== uid) {
		return `is owned by uid ${seen.uid}, not by this user (uid ${uid})`;
	}
	if (seen.mode & 0o022) {
		return `is writable by ${writers(seen.mode)} (mode ${octal(seen.mode)})`;
	}
	if ((seen.mode & 0o7777) !== 0o700) {
		try {
			fs.chmodSync(folder, 0o700);
		} catch (err) {
			return `cannot be made private (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
		}
	}
	return undefined;
}

function checkAncestors(folder: string, uid: number): string | undefined {
	let dir: string;
	try {
		dir = fs.realpathSync(path.dirname(folder));
	} catch (err) {
		return `has an unreadable parent (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
	}
	for (;;) {
		let st: fs.Stats;
		try {
			st = fs.statSync(dir);
		} catch (err) {
			return `has an unreadable parent ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
		}
		if (st.uid !== uid && st.uid !== 0) {
			return `lies in ${dir}, which is owned by uid ${st.uid}`;
		}
		if (st.mode & 0o022 && !(st.mode & stickyBit)) {
			return `lies in ${dir}, which is writable by ${writers(st.mode)} without the sticky bit (mode ${octal(st.mode)})`;
		}
		const parent = path.dirname(dir);
		if (parent === dir) {
			return undefined;
		}
		dir = parent;
	}
}

function writers(mode: number): string {
	return mode & 0o020 && mode & 0o002 ? 'its group and others' : mode & 0o020 ? 'its group' : 'others';
}

function octal(mode: number): string {
	return (mode & 0o7777).toString(8).padStart(4, '0');
}
