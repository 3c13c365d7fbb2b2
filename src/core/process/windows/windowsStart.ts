import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GroupSpawnOptions, JobStart } from '../processStart';
import { findProgram, isProgramFile, type ProgramSearch, programNotFound } from '../programSearch';
import { shellCommandLine, windowsShell } from './commandLine';
import { type HostedStart, hostedJobStart } from './hostedJob';
import { TaskkillJob } from './taskkillJob';

/**
 * The Windows start. The shell runs inside a Job Object owned by the job helper
 * (`jobHost.c`, built by `esbuild.mjs` into `dist/jobHost.exe`), so its whole tree ends on
 * timeout, cancel, `replace`, shutdown and when the host dies. Without the helper (a build
 * without the MinGW compiler) the shell is spawned directly and ended with `taskkill /T /F`,
 * a weaker guarantee (`taskkillJob.ts`). The shell is started by its absolute path, found on PATH
 * here (`programSearch.ts`): given a bare name, libuv and `CreateProcess` would look in the job's
 * folder first. Output is decoded as UTF-8: the helper switches the
 * job's private console to code page 65001 first.
 */

/** The helper's file name, next to the bundles in `dist/`. */
export const jobHostName = 'jobHost.exe';
/** The first word of the helper's command line: no spaces, so the helper finds where the shell's starts. */
const jobHostArgv0 = 'jobHost';

let jobHost: string | null | undefined;
/** Set once spawning the helper failed although the job's folder exists. */
let helperBlocked = false;

/** Where the helper is: beside this bundle (`dist/`), or in `dist/` of a folder above this source file. */
export function findJobHost(): string | undefined {
	if (jobHost === undefined) {
		jobHost = null;
		for (let dir = __dirname; ; dir = path.dirname(dir)) {
			const found = [path.join(dir, jobHostName), path.join(dir, 'dist', jobHostName)].find((file) => fs.existsSync(file));
			if (found) {
				jobHost = found;
				break;
			}
			if (path.dirname(dir) === dir) {
				break;
			}
		}
	}
	return jobHost ?? undefined;
}

/** Starts `options.command` with its shell (cmd.exe by default) as the root of a tree that is ended whole. */
export async function startWindows(options: GroupSpawnOptions): Promise<JobStart> {
	const shell = windowsShell(options.shell, options.env);
	const search: ProgramSearch = { platform: 'win32', env: options.env, cwd: options.cwd, isProgram: isProgramFile };
	const program = findProgram(shell.executable, search);
	if (program === undefined) {
		return { error: programNotFound(shell.executable, search) };
	}
	const line = shellCommandLine({ ...shell, executable: program }, options.command);
	const host = helperBlocked ? undefined : findJobHost();
	const common = { cwd: options.cwd, env: options.env, windowsHide: true, windowsVerbatimArguments: true } as const;
	if (host) {
		let start: HostedStart;
		try {
			const child = spawn(host, [`${line.program} ${line.rest}`], { ...common, argv0: jobHostArgv0, stdio: ['pipe', 'pipe', 'pipe'] });
			start = await hostedJobStart(child, shell.executable);
		} catch (err) {
			// Node throws at once for errors other than a missing file or a refused access (UNKNOWN
			// for a file that is no program); arguments it rejects fail the direct spawn below too.
			start = { error: err as NodeJS.ErrnoException, helperFailed: true };
		}
		if (!('helperFailed' in start) || !fs.existsSync(options.cwd)) {
			return start;
		}
		// The helper cannot run here (blocked by policy or antivirus): every job would fail, so the
		// weaker way it is, for the rest of this process.
		helperBlocked = true;
	}
	const child = spawn(program, [line.rest], { ...common, argv0: line.program, stdio: ['ignore', 'pipe', 'pipe'] });
	if (child.pid === undefined) {
		return { error: await new Promise<Error>((resolve) => child.once('error', resolve)) };
	}
	return { proc: new TaskkillJob(child) };
}
