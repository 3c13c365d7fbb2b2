import * as path from 'node:path';
import type { ShellSpec } from '../../model';

/**
 * Windows command lines. A Windows program gets one string, not an argument array, and parses
 * it itself: most by the Microsoft C runtime's rules (`CommandLineToArgvW`), which Node's
 * `spawn` quotes for (libuv's `quote_cmd_arg`), and cmd.exe by its own. Every job's command
 * line is built here and passed verbatim (`windowsVerbatimArguments`), to the helper or the
 * shell alike, so both ways start the same text.
 */

/** A shell's command line for one command, split where the program name ends. */
export interface CommandLine {
	/** The program name as it appears on the command line (quoted when needed). */
	program: string;
	/** The rest, after one space: the shell's arguments and the command. */
	rest: string;
}

/** The default shell: `%ComSpec%` (or `cmd.exe`) `/d /s /c`, as Node's `shell: true` does. */
export function defaultWindowsShell(env: NodeJS.ProcessEnv): ShellSpec {
	return { executable: envValue(env, 'ComSpec') ?? 'cmd.exe', args: ['/d', '/s', '/c'] };
}

/**
 * The shell a job runs with on Windows: its own, or the default. A bare `cmd`/`cmd.exe` becomes
 * `%ComSpec%`, the full path, as in Node's `shell: true`: a program name without a folder is
 * looked up in the job's working folder before the system folders, so a `cmd.exe` in the
 * workspace would otherwise run instead.
 */
export function windowsShell(shell: ShellSpec | undefined, env: NodeJS.ProcessEnv): ShellSpec {
	if (!shell) {
		return defaultWindowsShell(env);
	}
	const comSpec = envValue(env, 'ComSpec');
	if (comSpec && isCmd(shell.executable) && !/[\/:]/.test(shell.executable)) {
		return { executable: comSpec, args: shell.args };
	}
	return shell;
}

/** Whether `executable` is cmd.exe, which reads its command line by its own rules. */
export function isCmd(executable: string): boolean {
	return /^cmd(\.exe)?$/i.test(path.win32.basename(executable));
}

/**
 * The command line that gives `command` to `shell`. cmd.exe gets `/d /s /c "TEXT"`-style: its
 * arguments as they are and the text in one pair of quotes, which `/s` strips, so the text
 * reaches cmd exactly as written (quotes, `&`, `%` and all). Any other shell gets every
 * argument, the text last, quoted by the C runtime rules.
 */
export function shellCommandLine(shell: ShellSpec, command: string): CommandLine {
	const program = quoteWindowsArg(shell.executable);
	const rest = isCmd(shell.executable) ? [...shell.args, `"${command}"`].join(' ') : [...shell.args, command].map(quoteWindowsArg).join(' ');
	return { program, rest };
}

/**
 * One argument quoted so that `CommandLineToArgvW` (and the C runtime) read it back unchanged:
 * libuv's `quote_cmd_arg`, which Node's `spawn` uses. Quotes only when needed; backslashes
 * double only before a quote or the closing quote.
 */
export function quoteWindowsArg(arg: string): string {
	if (arg === '') {
		return '""';
	}
	if (!/[ \t"]/.test(arg)) {
		return arg;
	}
	if (!/["\\]/.test(arg)) {
		return `"${arg}"`;
	}
	let quoted = '"';
	let backslashes = 0;
	for (const char of arg) {
		if (char === '\\') {
			backslashes++;
			continue;
		}
		quoted += char === '"' ? '\\'.repeat(backslashes * 2 + 1) + '"' : '\\'.repeat(backslashes) + char;
		backslashes = 0;
	}
	return `${quoted}${'\\'.repeat(backslashes * 2)}"`;
}

/** An environment variable by its name in any case: Windows treats `Path` and `PATH` as one. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
	const lower = name.toLowerCase();
	const key = Object.keys(env).find((k) => k.toLowerCase() === lower);
	return key === undefined ? undefined : env[key];
}
