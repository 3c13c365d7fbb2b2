import { startPosix } from './posixStart';
import type { GroupSpawnOptions, JobStart } from './processStart';
import { startWindows } from './windows/windowsStart';

/**
 * Starts a job: the one place that chooses how, by platform. On Windows a Job Object owned by a
 * helper program (`windows/windowsStart.ts`), elsewhere a process group (`posixStart.ts`).
 * Throws only for arguments Node rejects synchronously (such as a NUL in `env`).
 */
export function startGroup(options: GroupSpawnOptions): Promise<JobStart> {
	return process.platform === 'win32' ? startWindows(options) : startPosix(options);
}
