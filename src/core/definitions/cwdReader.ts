import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'jsonc-parser';
import { hostPlatform, type TargetPlatform } from '../base/platform';
import { readString, type Scope } from './json/jsonReader';

/**
 * `cwd` in `.jobs.json`: relative to the base folder, or absolute inside it, by the path rules of
 * the platform the file is read for. Windows paths (drive letters, UNC shares, `\` and `/`) are
 * read with `path.win32` even when a file is validated on Linux for Windows, and Windows and
 * macOS compare paths without case.
 */

/** Where `cwd` values start from; computed once per file. */
export interface CwdBase {
	/** The platform the file is read for. */
	platform: TargetPlatform;
	/** Absolute folder relative `cwd` values start from (a path of this machine). */
	baseDir: string;
	/** `baseDir` with symlinks and junctions resolved (or `baseDir` when it does not exist). */
	realBaseDir: string;
}

const platformNames: Readonly<Record<TargetPlatform, string>> = { win32: 'Windows', darwin: 'macOS', linux: 'Linux' };

/**
 * The real path of a folder of this machine: symlinks, and on Windows junctions (which Node's
 * `lstat` reports as links), resolved. Base and target both go through it, so they compare in
 * the same form.
 */
export function realFolder(folder: string): string {
	return fs.realpathSync(folder);
}

/** `path.win32` or `path.posix`, whatever this machine is. */
function pathFor(platform: TargetPlatform): path.PlatformPath {
	return platform === 'win32' ? path.win32 : path.posix;
}

/**
 * True when `target` is `base` or below it, both absolute paths of `platform`: without case on
 * Windows (`path.win32.relative` folds it) and on macOS (whose volumes ignore case unless
 * formatted otherwise), across drives and UNC shares (a path on another drive or share is never
 * inside).
 */
export function isInside(base: string, target: string, platform: TargetPlatform): boolean {
	const rules = pathFor(platform);
	const relative = platform === 'darwin' ? rules.relative(base.toLowerCase(), target.toLowerCase()) : rules.relative(base, target);
	return relative === '' || (relative !== '..' && !relative.startsWith(`..${rules.sep}`) && !rules.isAbsolute(relative));
}

/**
 * Reads `cwd`. It must stay inside after links are resolved: a link to outside the workspace
 * passes a plain path check, so both the base and the target go through the real path. Paths
 * outside are rejected before touching the file system, so the file cannot be used to probe which
 * outside paths exist. A file read for the other kind of platform (Windows paths on Linux) checks
 * relative values against this checkout and absolute ones only with a warning: they name a
 * machine this is not.
 */
export function readCwd(node: Node, fieldPath: string, scope: Scope, base: CwdBase): string | undefined {
	const value = readString(node, fieldPath, scope);
	if (value === undefined) {
		return undefined;
	}
	if (value.trim() === '') {
		scope.error(node, fieldPath, "must not be empty; leave it out to use the file's folder");
		return undefined;
	}
	if (base.platform === 'win32' && /^[A-Za-z]:(?![\\/])/.test(value)) {
		scope.error(node, fieldPath, `"${value}" is relative to the current folder of drive ${value[0].toUpperCase()}:, which depends on the process; write "${value.slice(0, 2)}\\${value.slice(2)}" or a path relative to the file's folder`);
		return undefined;
	}
	const rules = pathFor(base.platform);
	// Compared by separator: a bundler may wrap `node:path` in a new object.
	if (rules.sep === path.sep) {
		return checkOnThisMachine(node, fieldPath, scope, value, path.resolve(base.baseDir, value), base, base.platform);
	}
	if (rules.isAbsolute(value)) {
		const name = platformNames[base.platform];
		scope.warning(node, fieldPath, `"${value}" is an absolute ${name} path: whether it exists and stays inside the folder is checked only when the file is read on ${name}`);
		return value;
	}
	const normalized = rules.normalize(value);
	if (normalized === '..' || normalized.startsWith(`..${rules.sep}`)) {
		scope.error(node, fieldPath, `"${value}" is outside the folder ${base.baseDir}`);
		return undefined;
	}
	const here = path.resolve(base.baseDir, ...normalized.split(rules.sep));
	return checkOnThisMachine(node, fieldPath, scope, value, here, base, hostPlatform());
}

/** The checks on a path of this machine; `platform` decides how paths compare. */
function checkOnThisMachine(node: Node, fieldPath: string, scope: Scope, value: string, resolved: string, base: CwdBase, platform: TargetPlatform): string | undefined {
	if (!isInside(base.baseDir, resolved, platform) && !isInside(base.realBaseDir, resolved, platform)) {
		scope.error(node, fieldPath, `"${value}" is outside the folder ${base.baseDir}`);
		return undefined;
	}
	let real: string;
	try {
		real = realFolder(resolved);
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		const reason = code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${code ?? String(err)})`;
		scope.error(node, fieldPath, `"${value}" ${reason} (resolved to ${resolved})`);
		return undefined;
	}
	if (!isInside(base.realBaseDir, real, platform)) {
		scope.error(node, fieldPath, `"${value}" resolves through a symlink to ${real}, outside the folder ${base.baseDir}`);
		return undefined;
	}
	if (!fs.statSync(real).isDirectory()) {
		scope.error(node, fieldPath, `"${value}" is not a folder`);
		return undefined;
	}
	return real;
}

/** Checks a `cwd` for another platform than the one the file is read for: a non-empty string. */
export function checkOtherPlatformCwd(node: Node, fieldPath: string, scope: Scope): void {
	const value = readString(node, fieldPath, scope);
	if (value !== undefined && value.trim() === '') {
		scope.error(node, fieldPath, "must not be empty; leave it out to use the job's cwd");
	}
}
