import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A real, small file system for full-disk tests: a tmpfs of `size` mounted on a fresh folder
 * (as root, `mount -t tmpfs -o size=1m none DIR`). Mounting needs root;
 * where it cannot be done the reason is returned, for the test to print as its skip reason.
 */
export interface SmallVolume {
	readonly dir: string;
	/** Removes everything on the volume (the mount stays). */
	clear(): void;
	/** Fills the volume to the last byte with a file of its own, so nothing more can be written. */
	fill(): void;
	/** Unmounts and removes the folder; for after-hooks. */
	unmount(): void;
}

export function mountSmallVolume(size = '1m'): SmallVolume | string {
	if (process.platform !== 'linux') {
		return `needs Linux tmpfs (this is ${process.platform})`;
	}
	if (process.geteuid?.() !== 0) {
		return 'needs root to mount a tmpfs';
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-small-volume-'));
	const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'none', dir], { encoding: 'utf8' });
	if (mounted.status !== 0) {
		fs.rmSync(dir, { recursive: true, force: true });
		return `mount -t tmpfs failed: ${(mounted.stderr || mounted.error?.message || `exit ${mounted.status}`).trim()}`;
	}
	return {
		dir,
		clear() {
			for (const name of fs.readdirSync(dir)) {
				fs.rmSync(path.join(dir, name), { recursive: true, force: true });
			}
		},
		fill() {
			const fd = fs.openSync(path.join(dir, 'filler'), 'a');
			const block = Buffer.alloc(4096, 1);
			try {
				for (;;) {
					fs.writeSync(fd, block);
				}
			} catch (err) {
				if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') {
					throw err;
				}
			} finally {
				fs.closeSync(fd);
			}
		},
		unmount() {
			// A file of the volume may still be open for a moment after a test ends (a disposed
			// engine's last asynchronous write, a launcher's log): retry, then detach it lazily, so
			// it goes once the last file on it is closed and nothing is left mounted.
			for (let attempt = 0; spawnSync('umount', [dir]).status !== 0; attempt++) {
				if (attempt === 20) {
					execFileSync('umount', ['-l', dir]);
					break;
				}
				Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
			}
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
