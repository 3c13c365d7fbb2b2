import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'jsonc-parser';
import { formatDuration } from '../base/duration';
import {
	type MisplacedHints,
	openingBrace,
	type Problems,
	readBoolean,
	readDuration,
	readEnum,
	readNumber,
	readObject,
	readString,
	type Scope,
	typeName,
	memberPath,
} from './json/jsonReader';
import type { JobDefinition, RetryPolicy } from '../model';
import { idProblem } from './jobId';
import { knownScheduleFields, readSchedule, type ScheduleRules, warnIfAtPast } from './scheduleReader';

/**
 * Reads one job object of `.jobs.json` into a `JobDefinition`, field by field. Checks that need
 * the other jobs (duplicate ids, `dependsOn`) happen afterwards in `jobsFile.ts` and `jobGraph.ts`.
 */

/** Fields of a job object, in the order the schema lists them. */
export const knownJobFields = [
	'id',
	'name',
	'command',
	'schedule',
	'timeout',
	'retry',
	'cwd',
	'env',
	'dependsOn',
	'overlap',
	'priority',
	'enabled',
	'catchUp',
	'startingDeadline',
] as const;

/** Fields of the object form of `retry`. */
export const knownRetryFields = ['retries', 'backoff', 'delay', 'maxDelay', 'jitter'] as const;

const overlapValues = ['skip', 'queue', 'allow', 'replace'] as const;
const catchUpValues = ['none', 'once'] as const;
const backoffValues = ['fixed', 'exponential'] as const;

/** A retry count above this is a typo (or a 1000-attempt loop nobody wants). */
export const maxRetries = 100;

/**
 * The limits below keep every valid job startable everywhere: Linux refuses (E2BIG) any single
 * argument or `NAME=value` string of 128 KiB or more and caps arguments and environment together
 * (ARG_MAX, 2 MiB with the default stack); Windows takes a command line of at most 32,767
 * characters and a variable of at most 32,767. Sizes are UTF-8 bytes, what `execve` counts.
 */

/** The command runs as `/bin/sh -c <command>`; a longer script belongs in a file the command runs. */
export const maxCommandBytes = 16 * 1024;

/** Each value reaches spawn's environment, over the host's own variables. */
export const maxEnvEntries = 1000;

/** One `NAME=value` of `env`. */
export const maxEnvVariableBytes = 32 * 1024;

/** All of a job's `env` together (`NAME=value` each), leaving ARG_MAX room for the host's environment. */
export const maxEnvBytes = 64 * 1024;

/** No job can depend on more jobs than a file may hold. */
const maxDependencies = 10_000;

/** People put schedule fields on the job itself; point them to the right place. */
const misplacedJobFields: MisplacedHints = Object.fromEntries(
	knownScheduleFields.map((field) => [field, `(put it inside "schedule": { "${field}": ... })`]),
);

/** What the environment resolves `cwd` against, and when the file is read; computed once per file. */
export interface JobReadContext extends ScheduleRules {
	problems: Problems;
	/** Absolute folder relative `cwd` values start from. */
	baseDir: string;
	/** `baseDir` with symlinks resolved (or `baseDir` when it does not exist). */
	realBaseDir: string;
}

/** One dependency entry, kept with its node so graph errors point at it. */
export interface DependencyRef {
	id: string;
	node: Node;
	index: number;
}

/** A job as read, valid or not; `definition` is set when its own fields were all valid. */
export interface JobRead {
	node: Node;
	path: string;
	scope: Scope;
	id?: string;
	idNode?: Node;
	dependsOn: DependencyRef[];
	definition?: JobDefinition;
}

/** Reads one element of `jobs`. */
export function readJob(node: Node, index: number, context: JobReadContext): JobRead {
	const jobPath = `jobs[${index}]`;
	const scope = context.problems.scope();
	const read: JobRead = { node, path: jobPath, scope, dependsOn: [] };
	if (node.type !== 'object') {
		scope.error(node, jobPath, `must be an object with "id" and "command", got ${typeName(node)}`);
		return read;
	}
	const fields = readObject(node, jobPath, scope, knownJobFields, misplacedJobFields);
	const at = (field: string) => fields.get(field)?.value;
	// Job fields are identifiers, for which memberPath is plain concatenation.
	const sub = (field: string) => `${jobPath}.${field}`;

	const idNode = at('id');
	read.id = idNode ? readId(idNode, sub('id'), scope) : undefined;
	read.idNode = idNode;
	if (read.id !== undefined) {
		scope.setJobId(read.id);
	} else if (!idNode) {
		scope.error(openingBrace(node), jobPath, 'missing required field "id"');
	}
	const commandNode = at('command');
	const command = commandNode ? readCommand(commandNode, sub('command'), scope) : undefined;
	if (!commandNode) {
		scope.error(openingBrace(node), jobPath, 'missing required field "command"');
	}

	const definition: Partial<JobDefinition> = { id: read.id, command };
	const optional = <T>(field: string, reader: (value: Node, fieldPath: string) => T | undefined): T | undefined => {
		const value = at(field);
		return value ? reader(value, sub(field)) : undefined;
	};
	definition.name = optional('name', (v, p) => readNonEmpty(v, p, scope));
	definition.schedule = optional('schedule', (v, p) => readSchedule(v, p, scope, context));
	definition.timeoutMs = optional('timeout', (v, p) => readDuration(v, p, scope));
	definition.retry = optional('retry', (v, p) => readRetry(v, p, scope));
	definition.cwd = optional('cwd', (v, p) => readCwd(v, p, scope, context)) ?? context.realBaseDir;
	definition.env = optional('env', (v, p) => readEnv(v, p, scope));
	read.dependsOn = optional('dependsOn', (v, p) => readDependsOn(v, p, scope)) ?? [];
	definition.dependsOn = at('dependsOn') ? read.dependsOn.map((d) => d.id) : undefined;
	definition.overlap = optional('overlap', (v, p) => readEnum(v, p, scope, overlapValues));
	definition.priority = optional('priority', (v, p) => readNumber(v, p, scope));
	definition.enabled = optional('enabled', (v, p) => readBoolean(v, p, scope));
	definition.catchUp = optional('catchUp', (v, p) => readEnum(v, p, scope, catchUpValues));
	definition.startingDeadlineMs = optional('startingDeadline', (v, p) => readDuration(v, p, scope));
	if (definition.schedule) {
		warnIfAtPast(at('schedule')!, sub('schedule'), scope, definition, context.now);
	}
	const start = context.problems.lines.positionAt(node.offset);
	definition.source = { file: context.problems.file, line: start.line, column: start.column };

	if (scope.errors === 0) {
		read.definition = dropUndefined(definition) as JobDefinition;
	}
	return read;
}

function readId(node: Node, fieldPath: string, scope: Scope): string | undefined {
	const id = readString(node, fieldPath, scope);
	if (id === undefined) {
		return undefined;
	}
	const problem = idProblem(id);
	if (problem !== undefined) {
		scope.error(node, fieldPath, problem);
		return undefined;
	}
	return id;
}

/** The command must have something to run: whitespace alone would start a shell that does nothing. */
function readCommand(node: Node, fieldPath: string, scope: Scope): string | undefined {
	const command = readString(node, fieldPath, scope);
	if (command !== undefined && command.trim() === '') {
		scope.error(node, fieldPath, 'must not be empty');
		return undefined;
	}
	const bytes = command === undefined ? 0 : Buffer.byteLength(command, 'utf8');
	if (bytes > maxCommandBytes) {
		scope.error(node, fieldPath, `is ${bytes} bytes long (UTF-8); the limit is ${maxCommandBytes} bytes: put a longer script in a file and run that`);
		return undefined;
	}
	return command;
}

function readNonEmpty(node: Node, fieldPath: string, scope: Scope): string | undefined {
	const value = readString(node, fieldPath, scope);
	if (value !== undefined && value.trim() === '') {
		scope.error(node, fieldPath, 'must not be empty; leave it out to show the id');
		return undefined;
	}
	return value;
}

/** `retry`: a number of retries (fixed 1 s delay), or the full policy object. */
function readRetry(node: Node, fieldPath: string, scope: Scope): RetryPolicy | undefined {
	const countRange = { min: 0, max: maxRetries, integer: true };
	if (node.type === 'number') {
		const retries = readNumber(node, fieldPath, scope, countRange);
		return retries === undefined ? undefined : { retries, backoff: 'fixed', delayMs: 1000 };
	}
	if (node.type !== 'object') {
		scope.error(node, fieldPath, `must be a number of retries or an object such as { "retries": 3, "backoff": "exponential" }, got ${typeName(node)}`);
		return undefined;
	}
	const errors = scope.errors;
	const fields = readObject(node, fieldPath, scope, knownRetryFields);
	const at = (field: string) => fields.get(field)?.value;
	const retriesNode = at('retries');
	if (!retriesNode) {
		scope.error(openingBrace(node), fieldPath, 'missing required field "retries"');
	}
	const policy: Partial<RetryPolicy> = {
		retries: retriesNode && readNumber(retriesNode, `${fieldPath}.retries`, scope, countRange),
		backoff: at('backoff') ? readEnum(at('backoff')!, `${fieldPath}.backoff`, scope, backoffValues) : 'fixed',
		delayMs: at('delay') ? readDuration(at('delay')!, `${fieldPath}.delay`, scope) : 1000,
		maxDelayMs: at('maxDelay') && readDuration(at('maxDelay')!, `${fieldPath}.maxDelay`, scope),
		jitter: at('jitter') && readNumber(at('jitter')!, `${fieldPath}.jitter`, scope, { min: 0, max: 1, integer: false }),
	};
	if (scope.errors !== errors) {
		return undefined;
	}
	if (policy.maxDelayMs !== undefined && policy.maxDelayMs < policy.delayMs!) {
		const [max, delay] = [formatDuration(policy.maxDelayMs), formatDuration(policy.delayMs!)];
		const text = `is shorter than "delay" (${max} < ${delay}), so every retry waits ${max}`;
		scope.warning(at('maxDelay')!, `${fieldPath}.maxDelay`, text);
	}
	return dropUndefined(policy) as RetryPolicy;
}

/**
 * `cwd`: relative to the base folder, or absolute inside it. It must stay inside after
 * symlinks are resolved: a link to outside the workspace passes a plain path check, so both the
 * base and the target go through `realpathSync`. Paths outside are rejected before touching the
 * file system, so the file cannot be used to probe which outside paths exist.
 */
function readCwd(node: Node, fieldPath: string, scope: Scope, context: JobReadContext): string | undefined {
	const value = readString(node, fieldPath, scope);
	if (value === undefined) {
		return undefined;
	}
	if (value.trim() === '') {
		scope.error(node, fieldPath, "must not be empty; leave it out to use the file's folder");
		return undefined;
	}
	const resolved = path.resolve(context.baseDir, value);
	if (!isInside(context.baseDir, resolved) && !isInside(context.realBaseDir, resolved)) {
		scope.error(node, fieldPath, `"${value}" is outside the folder ${context.baseDir}`);
		return undefined;
	}
	let real: string;
	try {
		real = fs.realpathSync(resolved);
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		const reason = code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${code ?? String(err)})`;
		scope.error(node, fieldPath, `"${value}" ${reason} (resolved to ${resolved})`);
		return undefined;
	}
	if (!isInside(context.realBaseDir, real)) {
		scope.error(node, fieldPath, `"${value}" resolves through a symlink to ${real}, outside the folder ${context.baseDir}`);
		return undefined;
	}
	if (!fs.statSync(real).isDirectory()) {
		scope.error(node, fieldPath, `"${value}" is not a folder`);
		return undefined;
	}
	return real;
}

/** True when `target` is `base` or below it (both absolute, same form). */
export function isInside(base: string, target: string): boolean {
	const relative = path.relative(base, target);
	return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/**
 * `env`: string values only. `spawn` would turn `8080` into `"8080"` and `{}` into
 * `"[object Object]"`, a key with `=` would redefine another variable, and a NUL makes spawn
 * throw, so each is an error naming the key.
 */
function readEnv(node: Node, fieldPath: string, scope: Scope): Record<string, string> | undefined {
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
	let totalBytes = 0;
	for (const [name, { key, value }] of members) {
		const keyPath = memberPath(fieldPath, name);
		if (name === '') {
			scope.error(key, keyPath, 'a variable name must not be empty');
		} else if (name.includes('=')) {
			scope.error(key, keyPath, 'a variable name must not contain "="');
		} else if (name.includes('\0')) {
			scope.error(key, keyPath, 'a variable name must not contain a NUL character (\\u0000)');
		} else {
			const text = readString(value, keyPath, scope);
			const bytes = text === undefined ? 0 : Buffer.byteLength(name, 'utf8') + 1 + Buffer.byteLength(text, 'utf8');
			if (bytes > maxEnvVariableBytes) {
				scope.error(value, keyPath, `is ${bytes} bytes as NAME=value (UTF-8); the limit per variable is ${maxEnvVariableBytes} bytes`);
			} else if (text !== undefined) {
				env.set(name, text);
				totalBytes += bytes;
			}
		}
	}
	if (totalBytes > maxEnvBytes) {
		scope.error(node, fieldPath, `has ${totalBytes} bytes of variables (NAME=value, UTF-8); the limit is ${maxEnvBytes} bytes`);
	}
	// fromEntries defines own data properties, so even odd keys cannot reach a prototype.
	return scope.errors === errors ? Object.fromEntries(env) : undefined;
}

/** `dependsOn`: unique ids; whether they exist is checked once every job has been read. */
function readDependsOn(node: Node, fieldPath: string, scope: Scope): DependencyRef[] | undefined {
	if (node.type !== 'array') {
		scope.error(node, fieldPath, `must be an array of job ids, got ${typeName(node)}`);
		return undefined;
	}
	if ((node.children?.length ?? 0) > maxDependencies) {
		scope.error(node, fieldPath, `lists ${node.children!.length} jobs; the limit is ${maxDependencies}`);
		return undefined;
	}
	const refs: DependencyRef[] = [];
	const seen = new Set<string>();
	(node.children ?? []).forEach((child, index) => {
		const itemPath = `${fieldPath}[${index}]`;
		const id = readString(child, itemPath, scope, 'a job id string');
		if (id === undefined) {
			return;
		}
		if (seen.has(id)) {
			scope.error(child, itemPath, `duplicate dependency "${id.slice(0, 80)}"`);
			return;
		}
		seen.add(id);
		refs.push({ id, node: child, index });
	});
	return refs;
}

/**
 * Leaves unset optional fields out, so a definition only has keys the file gave (or defaults),
 * in the order they were set. A plain loop: `Object.fromEntries` was a sixth of the read time.
 */
function dropUndefined<T extends object>(value: T): T {
	const all = value as Record<string, unknown>;
	const kept: Record<string, unknown> = {};
	for (const key in all) {
		if (all[key] !== undefined) {
			kept[key] = all[key];
		}
	}
	return kept as T;
}
