import * as fs from 'node:fs';
import { readJsonFile } from '../base/atomicFile';
import { describeFileError, type ProblemSink } from './fileProblems';

/** `state.json`: what the scheduler needs to resume where it stopped. */
export interface PersistedState {
	version: 1;
	lastAlive?: number;
	lastFired?: Record<string, number>;
	enabled?: Record<string, boolean>;
	known?: string[];
	/** When retention last pruned history and logs (epoch ms). */
	prunedAt?: number;
}

/**
 * Reads `state.json` into a `PersistedState` whose every field has its type: the scheduler
 * trusts them (`new Set(state.known)` threw on a number). State is a cache the engine can
 * rebuild, so a missing, unreadable or invalid file gives a fresh state, and values of the wrong
 * type are dropped; anything but a missing file is reported once.
 */
export function readPersistedState(file: string, problems?: ProblemSink): PersistedState {
	const value = readJsonFile<unknown>(file);
	if (value === undefined) {
		const why = unreadableReason(file);
		if (why) {
			problems?.({ file, message: `${why}; the scheduler starts without it (catch-up and enabled switches start afresh)` });
		}
		return { version: 1 };
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		problems?.({ file, message: 'is not a JSON object; the scheduler starts without it' });
		return { version: 1 };
	}
	const raw = value as Record<string, unknown>;
	const ignored: string[] = [];
	const state: PersistedState = { version: 1 };
	const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
	if (raw.lastAlive !== undefined) {
		if (finite(raw.lastAlive)) {
			state.lastAlive = raw.lastAlive;
		} else {
			ignored.push('"lastAlive" (not a number)');
		}
	}
	if (raw.prunedAt !== undefined) {
		if (finite(raw.prunedAt)) {
			state.prunedAt = raw.prunedAt;
		} else {
			ignored.push('"prunedAt" (not a number)');
		}
	}
	state.lastFired = readMap(raw, 'lastFired', finite, 'a number', ignored);
	state.enabled = readMap(raw, 'enabled', (v): v is boolean => typeof v === 'boolean', 'true or false', ignored);
	if (raw.known !== undefined) {
		if (Array.isArray(raw.known) && raw.known.every((id) => typeof id === 'string')) {
			state.known = raw.known as string[];
		} else {
			ignored.push('"known" (not a list of job ids)');
		}
	}
	if (ignored.length > 0) {
		const more = ignored.length > 1 ? ` and ${ignored.length - 1} more invalid value${ignored.length === 2 ? '' : 's'}` : '';
		problems?.({ file, message: `ignored ${ignored[0]}${more}` });
	}
	for (const key of ['lastFired', 'enabled'] as const) {
		if (state[key] === undefined) {
			delete state[key];
		}
	}
	return state;
}

/** A map of job id to value, without the entries of the wrong type (null prototype: ids are user text). */
function readMap<T>(raw: Record<string, unknown>, field: string, check: (v: unknown) => v is T, what: string, ignored: string[]): Record<string, T> | undefined {
	const value = raw[field];
	if (value === undefined) {
		return undefined;
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		ignored.push(`"${field}" (not an object)`);
		return undefined;
	}
	const map: Record<string, T> = Object.create(null);
	for (const [key, entry] of Object.entries(value)) {
		if (check(entry)) {
			map[key] = entry;
		} else {
			ignored.push(`"${field}.${key}" (not ${what})`);
		}
	}
	return map;
}

/** Why `readJsonFile` gave nothing, or `undefined` when the file simply does not exist yet. */
function unreadableReason(file: string): string | undefined {
	try {
		fs.readFileSync(file, 'utf8');
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : `cannot be read: ${describeFileError(err)}`;
	}
	return 'is not valid JSON';
}
