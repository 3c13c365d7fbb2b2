import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensurePrivateFolder, tightenPrivateFolder, tightenPrivateTree } from './privateFiles';

/**
 * Where the engine keeps history, run logs and small state files: outside the workspace, so a job
 * that cleans its folder (`git clean -xdf`) cannot erase its own history.
 */

const appName = 'workspace-jobs';

/** What decides the state root: given explicitly in tests, this process's own by default. */
export interface StateRootHost {
	env: NodeJS.ProcessEnv;
	platform: NodeJS.Platform;
	/** The home folder (`os.homedir()`). */
	home: string;
}

/**
 * The root folder of all per-workspace state. `WORKSPACE_JOBS_STATE_DIR` wins (tests and
 * portable installs use it), then `$XDG_STATE_HOME` (on every platform: a user who sets it on
 * macOS wants it used), then the platform's usual place for data a program keeps between runs
 * but a user does not edit: `%LOCALAPPDATA%` on Windows, `~/Library/Application Support` on macOS
 * (Apple's place for an app's own files), `~/.local/state` (the XDG default) elsewhere.
 */
export function defaultStateRoot(host: StateRootHost = { env: process.env, platform: process.platform, home: os.homedir() }): string {
	const { env, platform, home } = host;
	// The paths of the platform asked about, so a test on Linux gets Windows paths for win32.
	const paths = platform === 'win32' ? path.win32 : path.posix;
	const override = env.WORKSPACE_JOBS_STATE_DIR;
	if (override) {
		return paths.resolve(override);
	}
	const xdg = env.XDG_STATE_HOME;
	// The XDG spec says relative values are invalid and must be ignored.
	if (xdg && paths.isAbsolute(xdg)) {
		return paths.join(xdg, appName);
	}
	switch (platform) {
		case 'win32':
			return paths.join(env.LOCALAPPDATA || paths.join(home, 'AppData', 'Local'), appName);
		case 'darwin':
			return paths.join(home, 'Library', 'Application Support', appName);
		default:
			return paths.join(home, '.local', 'state', appName);
	}
}

/**
 * The state folder of one workspace: `<root>/<basename>-<hash>`. The hash is of the real path, so
 * a folder opened through a symlink shares its state; the basename only makes the folder easy
 * for a person to find.
 */
export function workspaceStateDir(workspaceFolder: string, root: string = defaultStateRoot()): string {
	const resolved = path.resolve(workspaceFolder);
	let real: string;
	try {
		real = fs.realpathSync.native(resolved);
	} catch {
		real = resolved;
	}
	const hash = createHash('sha256').update(real).digest('hex').slice(0, 12);
	const base = path.basename(real).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 48) || 'workspace';
	return path.join(root, `${base}-${hash}`);
}

/**
 * Opens a workspace's state folder for writing: creates it (and what is missing above it) with
 * mode 0700, and sets what is already in it to 0700 folders and 0600 files, as is the root of
 * all state when `stateDir` is in it (folders and files of an older version, or made under
 * another umask). Only things of this user are changed and links are not followed. Returns the
 * error when the folder cannot be created; never throws (each write reports its own failure).
 */
export function openStateDir(stateDir: string): Error | undefined {
	try {
		ensurePrivateFolder(stateDir);
	} catch (err) {
		return err as Error;
	}
	// Folders at once; the run logs inside them off the event loop (no one else can reach them meanwhile).
	void tightenPrivateTree(stateDir);
	const parent = path.dirname(path.resolve(stateDir));
	if (parent === defaultStateRoot()) {
		tightenPrivateFolder(parent);
	}
	return undefined;
}
