import type { Node } from 'jsonc-parser';
import type { TargetPlatform } from '../base/platform';
import type { ShellSpec } from '../model';
import { type Member, type MisplacedHints, readObject, type Scope, typeName } from './json/jsonReader';
import { readShell } from './shellReader';

/**
 * Per-platform overrides, as in tasks.json: `"windows": {…}`, `"osx": {…}` and `"linux": {…}`
 * inside a job (and at the top level) replace fields on that platform. Only the block of the
 * platform the file is read for applies; the other blocks are checked for their shape, so a typo
 * in `"windows"` shows on Linux too, but their paths and short forms are resolved only on
 * their own platform.
 */

/** The override key of each platform, named as in tasks.json. */
export const platformOverrideKeys: Readonly<Record<TargetPlatform, 'windows' | 'osx' | 'linux'>> = { win32: 'windows', darwin: 'osx', linux: 'linux' };

/** The override keys, in the order the schema lists them. */
export const overrideKeys = ['windows', 'osx', 'linux'] as const;

/** What a job's override may set: how the command starts, never when or how often it runs. */
export const knownJobOverrideFields = ['command', 'shell', 'cwd', 'env'] as const;

/** What a top-level override may set. */
export const knownTopLevelOverrideFields = ['shell'] as const;

/** The members of the blocks of one object (a job, or the top level). */
export interface OverrideBlocks {
	/** The block of the platform the file is read for; empty when there is none. */
	mine: Map<string, Member>;
	/** Its path, `jobs[2].windows`. */
	minePath: string;
	/** The blocks of the other platforms, checked but not applied. */
	others: Array<{ path: string; members: Map<string, Member> }>;
}

/** The blocks of an object that has none, shared: most jobs have none, and reading them must cost nothing. */
const noBlocks: OverrideBlocks = Object.freeze({ mine: new Map<string, Member>(), minePath: '', others: [] as OverrideBlocks['others'] });

/**
 * Reads the override blocks among `fields` (the object's members). `hints` explain the fields
 * an override cannot set, which are errors at their key (`jobs[2].windows.schedule`).
 */
export function readOverrideBlocks(fields: Map<string, Member>, parentPath: string, scope: Scope, platform: TargetPlatform, known: readonly string[], hints: MisplacedHints): OverrideBlocks {
	if (!fields.has('windows') && !fields.has('osx') && !fields.has('linux')) {
		return noBlocks;
	}
	const mineKey = platformOverrideKeys[platform];
	const blocks: OverrideBlocks = { mine: new Map(), minePath: pathOf(parentPath, mineKey), others: [] };
	for (const key of overrideKeys) {
		const node = fields.get(key)?.value;
		if (!node) {
			continue;
		}
		const blockPath = pathOf(parentPath, key);
		if (node.type !== 'object') {
			scope.error(node, blockPath, `must be an object of fields that differ on ${key === 'osx' ? 'macOS' : key === 'windows' ? 'Windows' : 'Linux'} (${known.join(', ')}), got ${typeName(node)}`);
			continue;
		}
		const members = readObject(node, blockPath, scope, known, hints);
		if (key === mineKey) {
			blocks.mine = members;
		} else {
			blocks.others.push({ path: blockPath, members });
		}
	}
	return blocks;
}

/** Hints for every field of `all` that an override with `known` fields cannot set. */
export function overrideHints(all: readonly string[], known: readonly string[], where: string): MisplacedHints {
	const allowed = known.map((field) => `"${field}"`).join(', ');
	const text = `(only ${allowed} can differ per platform${where})`;
	return Object.fromEntries(all.filter((field) => !known.includes(field)).map((field) => [field, text]));
}

/** The effective `shell` of an object and its override: resolved, absent, or set but invalid. */
export type ShellRead = { kind: 'none' } | { kind: 'shell'; shell: ShellSpec } | { kind: 'invalid'; node: Node };

/**
 * The `shell` that applies on `platform`: the platform block's, else the object's own. Only that
 * one is resolved for the platform (`"shell": "cmd"` is an error on Linux unless `"linux"`
 * replaces it); the others are checked for their shape.
 */
export function readEffectiveShell(own: Member | undefined, ownPath: string, blocks: OverrideBlocks, scope: Scope, platform: TargetPlatform): ShellRead {
	for (const other of blocks.others) {
		const node = other.members.get('shell')?.value;
		if (node) {
			readShell(node, `${other.path}.shell`, scope, undefined);
		}
	}
	const override = blocks.mine.get('shell');
	if (own) {
		const errors = scope.errors;
		const shell = readShell(own.value, ownPath, scope, override ? undefined : platform);
		if (!override) {
			return shell && scope.errors === errors ? { kind: 'shell', shell } : { kind: 'invalid', node: own.value };
		}
	}
	if (!override) {
		return { kind: 'none' };
	}
	const errors = scope.errors;
	const shell = readShell(override.value, `${blocks.minePath}.shell`, scope, platform);
	return shell && scope.errors === errors ? { kind: 'shell', shell } : { kind: 'invalid', node: override.value };
}

function pathOf(parentPath: string, key: string): string {
	return parentPath ? `${parentPath}.${key}` : key;
}
