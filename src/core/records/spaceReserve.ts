import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { Logger } from '../base/logger';
import { openPrivateFile } from '../base/privateFiles';

/**
 * Room on the state volume kept for run records. A run that prints more than the disk holds fills
 * it with its own log, and then the record of how it ended (history and journal lines of a few
 * hundred bytes) cannot be written: the run that completed was later taken for `interrupted`
 * (a 1 MB volume and a run printing 5 MB). So the engine keeps a small file of its own in the
 * state folder and, when a record write fails with ENOSPC, deletes it and writes again. The file
 * holds random bytes, not zeros, so a compressing file system (btrfs, ZFS) really allocates it.
 */

/** Bytes kept: a batch of a few hundred records and their journal lines. */
export const reserveBytes = 64 * 1024;
/** After the reserve was used, it is made again at most this often (each try writes 64 KB). */
const remakeIntervalMs = 60_000;

export class SpaceReserve {
	private usedAt: number | undefined;

	constructor(
		readonly file: string,
		private readonly logger: Logger,
		private readonly now: () => number = Date.now,
	) {}

	/**
	 * Makes the file when it is missing or short; a disk too full for it is no error (the space
	 * is simply not kept: the next successful write tries again, once a minute at most).
	 */
	ensure(): void {
		try {
			if ((fs.statSync(this.file, { throwIfNoEntry: false })?.size ?? -1) >= reserveBytes) {
				this.usedAt = undefined;
				return;
			}
			const fd = openPrivateFile(this.file, 'w');
			try {
				fs.writeFileSync(fd, randomBytes(reserveBytes));
			} finally {
				fs.closeSync(fd);
			}
			this.usedAt = undefined;
		} catch {
			// No room for it now (or a read-only folder): a partial file holds less than it seems, so it goes.
			try {
				fs.rmSync(this.file, { force: true });
			} catch {
				// Read-only: there is nothing to keep room on either.
			}
			this.usedAt = this.now();
		}
	}

	/** After a write that worked: makes the file again if it was used a while ago. */
	ensureSoon(): void {
		if (this.usedAt !== undefined && this.now() - this.usedAt >= remakeIntervalMs) {
			this.ensure();
		}
	}

	/**
	 * Runs `write`; when it fails because the disk is full and the reserve is there, deletes the
	 * reserve, says so, and runs `write` once more. Whatever `write` throws last is thrown.
	 */
	write(what: string, write: () => void): void {
		try {
			write();
			return;
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'ENOSPC' || !this.release()) {
				throw err;
			}
			this.logger.error(`The disk of the state folder is full: freed the ${reserveBytes / 1024} KB kept for run records to write ${what}; free some space (run logs are not complete while the disk is full)`);
		}
		write();
	}

	/** Deletes the reserve; false when there was none. */
	private release(): boolean {
		this.usedAt = this.now();
		try {
			fs.unlinkSync(this.file);
			return true;
		} catch {
			return false;
		}
	}
}
