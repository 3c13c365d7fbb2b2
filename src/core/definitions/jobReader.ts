import type { Node } from 'jsonc-parser';
import { formatDuration } from '../base/duration';
import { mergeEnv } from '../base/envMerge';
import { checkOtherPlatformCwd, type CwdBase, readCwd } from './cwdReader';
import { envBytes, maxEnvBytes, readEnv } from './envReader';
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
	type Member,
	type Scope,
	typeName,
} from './json/jsonReader';
import type { JobDefinition, RetryPolicy } from '../model';
import { idProblem } from './jobId';
import { knownJobOverrideFields, type OverrideBlocks, overrideHints, readEffectiveShell, readOverrideBlocks, type ShellRead } from './platformOverrides';
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
	'shell',
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
	'windows',
	'osx',
	'linux',
] as const;

/** Fields of the object form of `retry`. */
export const knownRetryFields = ['retries', 'backoff', 'delay', 'maxDelay', 'jitter'] as const;

const overlapValues = ['skip', 'queue', 'allow', 'replace'] as const;
const catchUpValues = ['none', 'once'] as const;
const backoffValues = ['fixed', 'exponential'] as const;

/** A retry count above this is a typo (or a 1000-attempt loop nobody wants). */
export const maxRetries = 100;

/** The command is the shell's last argument; a longer script belongs in a file the command runs. */
export const maxCommandBytes = 16 * 1024;

/** No job can depend on more jobs than a file may hold. */
const maxDependencies = 10_000;

/** People put schedule fields on the job itself; point them to the right place. */
const misplacedJobFields: MisplacedHints = Object.fromEntries(
	knownScheduleFields.map((field) => [field, `(put it inside "schedule": { "${field}": ... })`]),
);

/** Fields a job's `windows`, `osx` and `linux` cannot set, each pointing to those it can. */
const jobOverrideHints: MisplacedHints = overrideHints(knownJobFields, knownJobOverrideFields, '');

/** The platform, what `cwd` resolves against, the file's own `shell`, and when the file is read; computed once per file. */
export interface JobReadContext extends ScheduleRules, CwdBase {
	problems: Problems;
	/** The top-level `shell` (with the top-level override applied), for jobs that set none. */
	fileShell: ShellRead;
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
	const blocks = readOverrideBlocks(fields, jobPath, scope, context.platform, knownJobOverrideFields, jobOverrideHints);
	const command = readJobCommand(fields.get('command'), jobPath, blocks, scope);
	if (!at('command')) {
		scope.error(openingBrace(node), jobPath, 'missing required field "command"');
	}

	const definition: Partial<JobDefinition> = { id: read.id, command, shell: readJobShell(node, fields.get('shell'), jobPath, blocks, scope, context) };
	const optional = <T>(field: string, reader: (value: Node, fieldPath: string) => T | undefined): T | undefined => {
		const value = at(field);
		return value ? reader(value, sub(field)) : undefined;
	};
	definition.name = optional('name', (v, p) => readNonEmpty(v, p, scope));
	definition.schedule = optional('schedule', (v, p) => readSchedule(v, p, scope, context));
	definition.timeoutMs = optional('timeout', (v, p) => readDuration(v, p, scope));
	definition.retry = optional('retry', (v, p) => readRetry(v, p, scope));
	definition.cwd = readJobCwd(fields.get('cwd'), jobPath, blocks, scope, context) ?? context.realBaseDir;
	definition.env = readJobEnv(fields.get('env'), jobPath, blocks, scope, context);
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

/** `command`, replaced by the platform block's; every block's is checked (the text is the same on each platform). */
function readJobCommand(own: Member | undefined, jobPath: string, blocks: OverrideBlocks, scope: Scope): string | undefined {
	for (const other of blocks.others) {
		const node = other.members.get('command')?.value;
		if (node) {
			readCommand(node, `${other.path}.command`, scope);
		}
	}
	const base = own && readCommand(own.value, `${jobPath}.command`, scope);
	const override = blocks.mine.get('command');
	return override ? readCommand(override.value, `${blocks.minePath}.command`, scope) : base;
}

/** The job's `shell` on the platform, else the file's; a job left to a file `shell` with an error is left out too. */
function readJobShell(node: Node, own: Member | undefined, jobPath: string, blocks: OverrideBlocks, scope: Scope, context: JobReadContext): JobDefinition['shell'] {
	const read = readEffectiveShell(own, `${jobPath}.shell`, blocks, scope, context.platform);
	const shell = read.kind === 'none' ? context.fileShell : read;
	if (shell.kind === 'shell') {
		return shell.shell;
	}
	if (shell.kind === 'invalid' && read.kind === 'none') {
		const line = context.problems.lines.positionAt(shell.node.offset).line;
		scope.error(openingBrace(node), jobPath, `left out: it uses the file's "shell" (line ${line}), which has an error; fix it or give the job its own "shell"`);
	}
	return undefined;
}

/** `cwd`, replaced by the platform block's; only the one that applies is resolved (a Windows path means nothing on Linux). */
function readJobCwd(own: Member | undefined, jobPath: string, blocks: OverrideBlocks, scope: Scope, context: JobReadContext): string | undefined {
	for (const other of blocks.others) {
		const node = other.members.get('cwd')?.value;
		if (node) {
			checkOtherPlatformCwd(node, `${other.path}.cwd`, scope);
		}
	}
	const override = blocks.mine.get('cwd');
	if (own && override) {
		checkOtherPlatformCwd(own.value, `${jobPath}.cwd`, scope);
	}
	if (override) {
		return readCwd(override.value, `${blocks.minePath}.cwd`, scope, context);
	}
	return own && readCwd(own.value, `${jobPath}.cwd`, scope, context);
}

/**
 * `env`, with the platform block's variables set over it name by name (as tasks.json merges
 * `options.env`); on Windows a name replaces the one it equals without case. An env that applies
 * on Windows may not hold two names that differ only in case.
 */
function readJobEnv(own: Member | undefined, jobPath: string, blocks: OverrideBlocks, scope: Scope, context: JobReadContext): Record<string, string> | undefined {
	const windows = context.platform === 'win32';
	for (const other of blocks.others) {
		const node = other.members.get('env')?.value;
		if (node) {
			readEnv(node, `${other.path}.env`, scope, other.path.endsWith('.windows'));
		}
	}
	const base = own && readEnv(own.value, `${jobPath}.env`, scope, windows);
	const override = blocks.mine.get('env');
	const extra = override && readEnv(override.value, `${blocks.minePath}.env`, scope, windows);
	if (!extra || !base) {
		return extra ?? base;
	}
	const merged = mergeEnv(base, [extra], context.platform) as Record<string, string>;
	const bytes = envBytes(merged);
	if (bytes > maxEnvBytes) {
		scope.error(override.value, `${blocks.minePath}.env`, `with "env" makes ${bytes} bytes of variables (NAME=value, UTF-8); the limit is ${maxEnvBytes} bytes`);
		return undefined;
	}
	return merged;
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
