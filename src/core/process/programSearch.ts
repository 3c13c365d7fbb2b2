import * as fs from 'node:fs';
import * as path from 'node:path';
import { envValue as windowsEnvValue } from './windows/commandLine';

/**
 * Where a job's shell program is, decided before it is started. A bare name (`pwsh.exe`,
 * `bash`) is looked up on PATH only, in absolute PATH entries only: on Windows, libuv and
 * `CreateProcess` would look in the job's working folder (and the current folder) first, so a
 * `pwsh.exe` committed to a repository would run instead of the one the user approved; on POSIX
 * an empty PATH entry, `.` or any other relative entry means the working folder too. A name with
 * a folder in it (`.\tools\x.exe`, `tools/x`) is the user's explicit choice and is taken against
 * the job's working folder, as written.
 */

export interface ProgramSearch {
	platform: 'win32' | 'posix';
	/** The job's environment: PATH, and on Windows PATHEXT and SystemRoot (names in any case). */
	env: NodeJS.ProcessEnv;
	/** The job's working folder, for a name with a folder in it. */
	cwd: string;
	/** Whether `file` is a program that can be started (a file; on POSIX, executable). */
	isProgram: (file: string) => boolean;
}

/** Extensions tried on Windows when PATHEXT is not set: cmd.exe's own default. */
const defaultPathExt = ['.COM', '.EXE', '.BAT', '.CMD'];
/** The POSIX search path when PATH is not set: glibc's `confstr(_CS_PATH)`, what `execvp` uses. */
const defaultPosixPath = '/bin:/usr/bin';
/** Where Windows PowerShell always is, for a `powershell.exe` that is not on PATH. */
const windowsPowerShellDir = ['System32', 'WindowsPowerShell', 'v1.0'];

/** The absolute path of `executable`, or undefined when there is none (see `programNotFound`). */
export function findProgram(executable: string, search: ProgramSearch): string | undefined {
	const paths = search.platform === 'win32' ? path.win32 : path.posix;
	if (hasFolder(executable, search.platform)) {
		const file = paths.resolve(search.cwd, executable);
		return search.platform === 'win32' ? candidates(paths.dirname(file), paths.basename(file), search) : search.isProgram(file) ? file : undefined;
	}
	if (executable === '' || executable === '.' || executable === '..') {
		return undefined;
	}
	for (const dir of searchFolders(executable, search)) {
		const found = search.platform === 'win32' ? candidates(dir, executable, search) : [paths.join(dir, executable)].find(search.isProgram);
		if (found) {
			return found;
		}
	}
	return undefined;
}

/** The error for a program `findProgram` did not find: Node's words (`spawn pwsh.exe ENOENT`) and where it looked. */
export function programNotFound(executable: string, search: ProgramSearch): NodeJS.ErrnoException {
	const where = hasFolder(executable, search.platform)
		? `not found at ${(search.platform === 'win32' ? path.win32 : path.posix).resolve(search.cwd, executable)}`
		: `looked for on PATH only, never in the job's folder: give its full path in "shell" if it is elsewhere`;
	const error: NodeJS.ErrnoException = new Error(`spawn ${executable} ENOENT (${where})`);
	error.code = 'ENOENT';
	error.errno = -2;
	error.syscall = 'spawn';
	error.path = executable;
	return error;
}

/** Whether the file system check of `ProgramSearch.isProgram` passes for `file` on this machine. */
export function isProgramFile(file: string): boolean {
	try {
		if (!fs.statSync(file).isFile()) {
			return false;
		}
		if (process.platform !== 'win32') {
			fs.accessSync(file, fs.constants.X_OK);
		}
		return true;
	} catch {
		return false;
	}
}

/** A name with a folder (or on Windows a drive) in it, which is not looked up on PATH. */
function hasFolder(executable: string, platform: ProgramSearch['platform']): boolean {
	return platform === 'win32' ? /[\\/:]/.test(executable) : executable.includes('/');
}

/** PATH's absolute folders in order; on Windows `powershell.exe` also has its system folder last. */
function searchFolders(executable: string, search: ProgramSearch): string[] {
	const win32 = search.platform === 'win32';
	const value = envValue(search.env, 'PATH', win32) ?? (win32 ? '' : defaultPosixPath);
	const folders = value
		.split(win32 ? ';' : ':')
		.map((entry) => (win32 ? entry.trim().replace(/^"(.*)"$/, '$1') : entry))
		.filter((entry) => (win32 ? /^([a-z]:[\\/]|[\\/]{2}[^\\/])/i.test(entry) : entry.startsWith('/')));
	const systemRoot = win32 ? envValue(search.env, 'SystemRoot', true) : undefined;
	if (systemRoot && /^[a-z]:[\\/]/i.test(systemRoot) && /^powershell(\.exe)?$/i.test(executable)) {
		folders.push(path.win32.join(systemRoot, ...windowsPowerShellDir));
	}
	return folders;
}

/** The Windows file for `name` in `dir`: the name itself when it has an extension, then with each PATHEXT extension. */
function candidates(dir: string, name: string, search: ProgramSearch): string | undefined {
	const pathExt = envValue(search.env, 'PATHEXT', true);
	const extensions = pathExt ? pathExt.split(';').filter((ext) => /^\.[^\\/.:]+$/.test(ext)) : defaultPathExt;
	const names = [...(path.win32.extname(name) ? [name] : []), ...extensions.map((ext) => name + ext.toLowerCase())];
	return names.map((file) => path.win32.join(dir, file)).find(search.isProgram);
}

/** A variable by name; on Windows in any case (`Path` is `PATH`). */
function envValue(env: NodeJS.ProcessEnv, name: string, anyCase: boolean): string | undefined {
	return anyCase ? windowsEnvValue(env, name) : env[name];
}
