import type { Node } from 'jsonc-parser';
import { memberPath, readObject, readString, type Scope, typeName } from './json/jsonReader';

/**
 * `env` in `.jobs.json`: variables set over the host's environment when a job starts. The limits
 * keep every valid job startable everywhere: Linux refuses (E2BIG) any single `NAME=value` string
 * of 128 KiB or more and caps arguments and environment together (ARG_MAX, 2 MiB with the default
 * stack); Windows takes a variable of at most 32,767 characters. Sizes are UTF-8 bytes, what
 * `execve` counts.
 */

/** Each value reaches spawn's environment, over the host's own variables. */
export const maxEnvEntries = 1000;

/** One `NAME=value` of `env`. */
export const maxEnvVariableBytes = 32 * 1024;

/** All of a job's `env` together (`NAME=value` each), leaving ARG_MAX room for the host's environment. */
export const maxEnvBytes = 64 * 1024;

/** `NAME=value` bytes of a whole env, as the limits count them. */
export function envBytes(env: Readonly<Record<string, string | undefined>>): number {
	let total = 0;
	for (const name of Object.keys(env)) {
		total += Buffer.byteLength(name, 'utf8') + 1 + Buffer.byteLength(env[name] ?? '', 'utf8');
	}
	return total;
}

/**
 * `env`: string values only. `spawn` would turn `8080` into `"8080"` and `{}` into
 * `"[object Object]"`, a key with `=` would redefine another variable, and a NUL makes spawn
 * throw, so each is an error naming the key. With `ignoreCase` (an env that applies on Windows)
 * two names that differ only in case are an error: they are one variable there.
 */
export function readEnv(node: Node, fieldPath: string, scope: Scope, ignoreCase: boolean): Record<string, string> | undefined {
	if (node.type !== 'object') {
		scope.error(node, fieldPath, `must be an object of string values, got ${typeName(node)}`);
		return undefined;
	}
	const errors = scope.errors;
	const members = readObject(node, fieldPath, scope);
	if (members.size > maxEnvEntries) {
		scope.error(node, fieldPath, `has ${members.size} variables; the limit is ${maxEnvEntries}`);
		return undefined;
	}
	const env = new Map<string, string>();
	const folded = ignoreCase ? new Map<string, Node>() : undefined;
	let totalBytes = 0;
	for (const [name, { key, value }] of members) {
		const keyPath = memberPath(fieldPath, name);
		const problem = nameProblem(name);
		if (problem) {
			scope.error(key, keyPath, problem);
			continue;
		}
		const same = folded?.get(name.toUpperCase());
		if (same) {
			const line = scope.problems.lines.positionAt(same.offset).line;
			scope.error(key, keyPath, `"${name}" and "${String(same.value)}" (line ${line}) are one variable on Windows, where names ignore case; keep one`);
			continue;
		}
		folded?.set(name.toUpperCase(), key);
		const text = readString(value, keyPath, scope);
		const bytes = text === undefined ? 0 : Buffer.byteLength(name, 'utf8') + 1 + Buffer.byteLength(text, 'utf8');
		if (bytes > maxEnvVariableBytes) {
			scope.error(value, keyPath, `is ${bytes} bytes as NAME=value (UTF-8); the limit per variable is ${maxEnvVariableBytes} bytes`);
		} else if (text !== undefined) {
			env.set(name, text);
			totalBytes += bytes;
		}
	}
	if (totalBytes > maxEnvBytes) {
		scope.error(node, fieldPath, `has ${totalBytes} bytes of variables (NAME=value, UTF-8); the limit is ${maxEnvBytes} bytes`);
	}
	// fromEntries defines own data properties, so even odd keys cannot reach a prototype.
	return scope.errors === errors ? Object.fromEntries(env) : undefined;
}

function nameProblem(name: string): string | undefined {
	if (name === '') {
		return 'a variable name must not be empty';
	}
	if (name.includes('=')) {
		return 'a variable name must not contain "="';
	}
	if (name.includes('\0')) {
		return 'a variable name must not contain a NUL character (\\u0000)';
	}
	return undefined;
}
