import { launch } from './launcher/launcher';
import { spawnGroup, wrapCommand } from './processGroup';
import type { GroupSpawnOptions, GroupStart } from './processStart';

/**
 * Starts a job: the one place that chooses how. Through the launcher unless
 * `WORKSPACE_JOBS_LAUNCHER=0` or it is unavailable (no Perl, not Linux, arguments only `spawn`
 * should judge), else with Node's `spawn`. Throws only for arguments Node rejects synchronously
 * (such as a NUL in `env`).
 */
export async function startGroup(options: GroupSpawnOptions): Promise<GroupStart> {
	if (process.env.WORKSPACE_JOBS_LAUNCHER !== '0') {
		const outcome = await launch({ ...options, command: wrapCommand(options.command, options.killGraceMs) });
		if (outcome) {
			return outcome;
		}
	}
	const proc = spawnGroup(options);
	if (proc.pid === undefined) {
		const error = await new Promise<Error>((resolve) => proc.onError(resolve));
		proc.release();
		await proc.dismissWatchdog(0);
		return { error };
	}
	return { proc };
}
