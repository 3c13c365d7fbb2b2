/**
 * Reads a `.cpuprofile` written by `node --cpu-prof` and lists the functions with the most self
 * time, mapped through the bundle's source map back to `src/…:line`.
 */
import * as fs from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
	id: number;
	children?: number[];
	callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

export interface HotFunction {
	name: string;
	where: string;
	selfMs: number;
	percent: number;
}

/**
 * The `count` functions with the most self time, and the `count` functions of the project
 * (`src/…`) with the most total time (self plus callees: who the native time above belongs to).
 * `(idle)` is left out of the total.
 */
export function topSelfTime(profileFile: string, root: string, count = 15): { totalMs: number; top: HotFunction[]; inclusive: HotFunction[] } {
	const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8')) as CpuProfile;
	const self = new Map<number, number>();
	profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
	const maps = new Map<string, SourceMap | undefined>();
	const byFunction = new Map<string, HotFunction>();
	let total = 0;
	for (const node of profile.nodes) {
		const us = self.get(node.id) ?? 0;
		const { functionName, url, lineNumber, columnNumber } = node.callFrame;
		if (us === 0 || functionName === '(idle)') {
			continue;
		}
		total += us;
		const where = locate(url, lineNumber, columnNumber, root, maps);
		const name = functionName || '(anonymous)';
		const key = `${name} ${where}`;
		const entry = byFunction.get(key) ?? { name, where, selfMs: 0, percent: 0 };
		entry.selfMs += us / 1000;
		byFunction.set(key, entry);
	}
	const top = [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, count);
	const inclusive = inclusiveTime(profile, self, (node) => locate(node.callFrame.url, node.callFrame.lineNumber, node.callFrame.columnNumber, root, maps))
		.filter((f) => f.where.startsWith('src/'))
		.slice(0, count);
	for (const f of [...top, ...inclusive]) {
		f.selfMs = Math.round(f.selfMs * 10) / 10;
		f.percent = Math.round((f.selfMs * 1000 * 1000) / total) / 10;
	}
	return { totalMs: Math.round(total / 1000), top, inclusive };
}

/** Time of samples with the function anywhere on their stack (counted once per sample), in `selfMs`. */
function inclusiveTime(profile: CpuProfile, self: Map<number, number>, where: (node: ProfileNode) => string): HotFunction[] {
	const parent = new Map<number, ProfileNode>();
	const byId = new Map<number, ProfileNode>();
	for (const node of profile.nodes) {
		byId.set(node.id, node);
		for (const child of node.children ?? []) {
			parent.set(child, node);
		}
	}
	const totals = new Map<string, HotFunction>();
	for (const [id, us] of self) {
		let node = byId.get(id);
		if (!node || node.callFrame.functionName === '(idle)') {
			continue;
		}
		const seen = new Set<string>();
		for (; node; node = parent.get(node.id)) {
			const name = node.callFrame.functionName || '(anonymous)';
			const at = where(node);
			const key = `${name} ${at}`;
			if (seen.has(key)) {
				continue;
			}
			seen.add(key);
			const entry = totals.get(key) ?? { name, where: at, selfMs: 0, percent: 0 };
			entry.selfMs += us / 1000;
			totals.set(key, entry);
		}
	}
	return [...totals.values()].sort((a, b) => b.selfMs - a.selfMs);
}

function locate(url: string, line: number, column: number, root: string, maps: Map<string, SourceMap | undefined>): string {
	if (!url.startsWith('file://')) {
		return url || '(native)';
	}
	const file = fileURLToPath(url);
	if (!maps.has(file)) {
		let map: SourceMap | undefined;
		try {
			map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
		} catch {
			map = undefined;
		}
		maps.set(file, map);
	}
	const map = maps.get(file);
	const entry = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
	if (entry?.originalSource) {
		const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource);
		return `${path.relative(root, source)}:${(entry.originalLine ?? 0) + 1}`;
	}
	return `${path.relative(root, file)}:${line + 1}`;
}
