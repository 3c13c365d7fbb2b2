import * as path from 'node:path';
import type { Node } from 'jsonc-parser';
import type { TargetPlatform } from '../base/platform';
import type { ShellSpec } from '../model';
import { openingBrace, readObject, readString, type Scope, typeName } from './json/jsonReader';

/**
 * `shell` in `.jobs.json`: the program a job's command text is handed to, as in tasks.json's
 * `options.shell`: `{ "executable": "...", "args": [...] }`, or a short form such as `"pwsh"`.
 * The command text is always the last argument, after `args`.
 */

/** The short forms, in the order messages list them. */
export const shellShortForms = ['sh', 'bash', 'pwsh', 'powershell', 'cmd'] as const;
export type ShellShortForm = (typeof shellShortForms)[number];

/** Fields of the object form. */
export const knownShellFields = ['executable', 'args'] as const;

/** `executable` and `args` together (UTF-8 bytes): a shell call longer than this is a mistake, and Windows caps a whole command line at 32,767 characters. */
export const maxShellBytes = 4096;

/** PowerShell without a profile (a user's profile can print, prompt or take seconds) and never waiting for input. */
const powerShellArgs = ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command'];

/**
 * What each short form runs, per platform; a string is why it cannot run there. `cmd` is given
 * `/d` (no AutoRun commands from the registry), `/s` and `/c` as Node's `shell: true` does. Names
 * without a folder are looked up on PATH's absolute folders when the job starts, never in its
 * own folder (`process/programSearch.ts`).
 */
const shortFormShells: Readonly<Record<ShellShortForm, { posix: ShellSpec | string; win32: ShellSpec | string }>> = {
	sh: { posix: { executable: '/bin/sh', args: ['-c'] }, win32: { executable: 'sh.exe', args: ['-c'] } },
	bash: { posix: { executable: 'bash', args: ['-c'] }, win32: { executable: 'bash.exe', args: ['-c'] } },
	pwsh: { posix: { executable: 'pwsh', args: powerShellArgs }, win32: { executable: 'pwsh.exe', args: powerShellArgs } },
	powershell: {
		posix: 'Windows PowerShell (powershell.exe) exists only on Windows; use "pwsh" (PowerShell 7) here, or set it for Windows alone with "windows": { "shell": "powershell" }',
		win32: { executable: 'powershell.exe', args: powerShellArgs },
	},
	cmd: {
		posix: 'cmd.exe exists only on Windows; set it for Windows alone with "windows": { "shell": "cmd" }',
		win32: { executable: 'cmd.exe', args: ['/d', '/s', '/c'] },
	},
};

/** The shell a job without `shell` runs with: `/bin/sh -c`, or `cmd.exe /d /s /c` on Windows. */
export function defaultShell(platform: TargetPlatform): ShellSpec {
	return resolveShortForm(platform === 'win32' ? 'cmd' : 'sh', platform) as ShellSpec;
}

/** A short form's shell on `platform` (a fresh copy), or why it has none there. */
export function resolveShortForm(name: ShellShortForm, platform: TargetPlatform): ShellSpec | string {
	const entry = shortFormShells[name][platform === 'win32' ? 'win32' : 'posix'];
	return typeof entry === 'string' ? entry : { executable: entry.executable, args: [...entry.args] };
}

/**
 * The arguments an object form without `args` gets, from the executable's name as VS Code's
 * tasks infer them: PowerShell `-Command`, cmd `/d /s /c`, POSIX shells `-c`. Undefined for an
 * unknown program, which must then say its arguments.
 */
function inferredArgs(executable: string): string[] | undefined {
	const name = path.win32.basename(executable).toLowerCase().replace(/\.exe$/, '');
	if (name === 'cmd') {
		return ['/d', '/s', '/c'];
	}
	if (name === 'pwsh' || name === 'powershell') {
		return [...powerShellArgs];
	}
	return ['sh', 'bash', 'dash', 'zsh', 'ksh', 'fish'].includes(name) ? ['-c'] : undefined;
}

/**
 * Reads a `shell` value. With `platform` it is resolved for that platform (a short form that
 * cannot run there is an error); without, it is only checked, for a value that applies to
 * another platform (`"windows": { "shell": "cmd" }` read for Linux).
 */
export function readShell(node: Node, fieldPath: string, scope: Scope, platform: TargetPlatform | undefined): ShellSpec | undefined {
	if (node.type === 'string') {
		return readShortForm(node, fieldPath, scope, platform);
	}
	if (node.type !== 'object') {
		scope.error(node, fieldPath, `must be ${shortFormList()} or an object such as { "executable": "bash", "args": ["-c"] }, got ${typeName(node)}`);
		return undefined;
	}
	const errors = scope.errors;
	const fields = readObject(node, fieldPath, scope, knownShellFields);
	const executableNode = fields.get('executable')?.value;
	if (!executableNode) {
		scope.error(openingBrace(node), fieldPath, 'missing required field "executable" (the shell program: a name looked up on PATH, or a path)');
		return undefined;
	}
	const executable = readString(executableNode, `${fieldPath}.executable`, scope, 'a program name or path');
	if (executable !== undefined && executable.trim() === '') {
		scope.error(executableNode, `${fieldPath}.executable`, 'must not be empty');
	}
	const argsNode = fields.get('args')?.value;
	const args = argsNode ? readArgs(argsNode, `${fieldPath}.args`, scope) : undefined;
	if (scope.errors !== errors || executable === undefined) {
		return undefined;
	}
	const shellArgs = args ?? inferredArgs(executable);
	if (!shellArgs) {
		scope.error(openingBrace(node), fieldPath, `missing "args": give the arguments after which ${JSON.stringify(executable.slice(0, 200))} runs its last argument as a command, such as ["-c"] ([] for none)`);
		return undefined;
	}
	const bytes = [executable, ...shellArgs].reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8') + 1, 0);
	if (bytes > maxShellBytes) {
		scope.error(node, fieldPath, `is ${bytes} bytes long with its arguments (UTF-8); the limit is ${maxShellBytes} bytes`);
		return undefined;
	}
	return { executable, args: shellArgs };
}

function readShortForm(node: Node, fieldPath: string, scope: Scope, platform: TargetPlatform | undefined): ShellSpec | undefined {
	const name = readString(node, fieldPath, scope);
	if (name === undefined) {
		return undefined;
	}
	if (!(shellShortForms as readonly string[]).includes(name)) {
		const shown = JSON.stringify(name.slice(0, 80));
		const hint = scope.problems.suggest(name, shellShortForms);
		const other = /[\\/]/.test(name) ? `; for another program use { "executable": ${shown}, "args": [...] }` : '';
		scope.error(node, fieldPath, `unknown shell ${shown}${hint}: use ${shortFormList()}, or { "executable": ..., "args": [...] }${other}`);
		return undefined;
	}
	if (platform === undefined) {
		return undefined;
	}
	const resolved = resolveShortForm(name as ShellShortForm, platform);
	if (typeof resolved === 'string') {
		scope.error(node, fieldPath, resolved);
		return undefined;
	}
	return resolved;
}

/** `args`: strings, each passed to the shell as one argument, before the command text. */
function readArgs(node: Node, fieldPath: string, scope: Scope): string[] | undefined {
	if (node.type !== 'array') {
		scope.error(node, fieldPath, `must be an array of strings, such as ["-c"], got ${typeName(node)}`);
		return undefined;
	}
	const args: string[] = [];
	(node.children ?? []).forEach((child, index) => {
		const arg = readString(child, `${fieldPath}[${index}]`, scope);
		if (arg !== undefined) {
			args.push(arg);
		}
	});
	return args.length === (node.children ?? []).length ? args : undefined;
}

function shortFormList(): string {
	return `one of ${shellShortForms.map((name) => `"${name}"`).join(', ')}`;
}
