import { idFoldedCase } from './jobId';
import type { DependencyRef, JobRead } from './jobReader';
import type { Problems } from './json/jsonReader';

/**
 * The checks that need every job at once: duplicate ids, `dependsOn` entries that name unknown
 * jobs, dependency cycles, and jobs left out because a job they depend on was left out. All
 * errors go to the jobs' scopes, so a job with any error ends up excluded.
 */

/** Cycles longer than this are shown with the middle elided, so 10,000-job rings stay readable. */
const maxCycleShown = 10;

interface Edge {
	to: number;
	ref: DependencyRef;
}

/** Runs every cross-job check on jobs in file order. */
export function checkJobGraph(jobs: readonly JobRead[], problems: Problems): void {
	const byId = checkDuplicateIds(jobs, problems);
	const nodes = [...byId.values()];
	const indexOf = new Map(nodes.map((job, i) => [job, i]));
	const ids = [...byId.keys()];
	const edges: Edge[][] = nodes.map(() => []);
	for (const job of jobs) {
		for (const ref of job.dependsOn) {
			const target = byId.get(ref.id);
			const refPath = `${job.path}.dependsOn[${ref.index}]`;
			if (!target) {
				const hint = problems.suggest(ref.id, ids);
				job.scope.error(ref.node, refPath, `unknown job "${ref.id.slice(0, 80)}"${hint}`);
			} else if (target === job) {
				job.scope.error(ref.node, refPath, `job "${ref.id}" depends on itself`);
			} else if (indexOf.has(job)) {
				edges[indexOf.get(job)!].push({ to: indexOf.get(target)!, ref });
			}
		}
	}
	for (const component of stronglyConnected(edges)) {
		if (component.length > 1) {
			reportCycles(component, nodes, edges);
		}
	}
	excludeDependents(jobs, byId);
}

/**
 * Reports every repeated id at its second (and later) occurrence; returns the first of each id.
 * Ids that differ only in case (`good`, `Good`) are one folder of `logs/` on a case-insensitive
 * file system (macOS, Windows), so the later one is an error too. It stays in the map under its
 * own id, so a job that depends on it is left out with a reason rather than "unknown job".
 */
function checkDuplicateIds(jobs: readonly JobRead[], problems: Problems): Map<string, JobRead> {
	const byId = new Map<string, JobRead>();
	const byFoldedId = new Map<string, JobRead>();
	const lineOf = (job: JobRead) => problems.lines.positionAt(job.idNode!.offset).line;
	for (const job of jobs) {
		if (job.id === undefined) {
			continue;
		}
		const first = byId.get(job.id);
		if (first) {
			job.scope.error(job.idNode!, `${job.path}.id`, `duplicate id "${job.id}" (first at line ${lineOf(first)})`);
			continue;
		}
		byId.set(job.id, job);
		const folded = idFoldedCase(job.id);
		const other = byFoldedId.get(folded);
		if (other) {
			const text = `"${job.id}" differs from the id "${other.id}" (line ${lineOf(other)}) only in case; both would share one log folder on macOS and Windows`;
			job.scope.error(job.idNode!, `${job.path}.id`, text);
		} else {
			byFoldedId.set(folded, job);
		}
	}
	return byId;
}

/**
 * Tarjan's strongly connected components, iterative: a chain of 10,000 dependencies would
 * overflow the stack of the usual recursive version.
 */
export function stronglyConnected(edges: ReadonlyArray<ReadonlyArray<{ to: number }>>): number[][] {
	// Typed arrays and a flat work stack: tuples and their destructuring cost ~10 ms per 1,000
	// jobs on a cold start, more than the rest of the graph checks together.
	const count = edges.length;
	const index = new Int32Array(count).fill(-1);
	const low = new Int32Array(count);
	const onStack = new Uint8Array(count);
	const stack: number[] = [];
	const workNode = new Int32Array(count);
	const workEdge = new Int32Array(count);
	const components: number[][] = [];
	let next = 0;
	for (let root = 0; root < count; root++) {
		if (index[root] !== -1) {
			continue;
		}
		let depth = 0;
		workNode[0] = root;
		workEdge[0] = 0;
		index[root] = low[root] = next++;
		stack.push(root);
		onStack[root] = 1;
		while (depth >= 0) {
			const v = workNode[depth];
			const i = workEdge[depth];
			if (i < edges[v].length) {
				workEdge[depth] = i + 1;
				const w = edges[v][i].to;
				if (index[w] === -1) {
					index[w] = low[w] = next++;
					stack.push(w);
					onStack[w] = 1;
					depth++;
					workNode[depth] = w;
					workEdge[depth] = 0;
				} else if (onStack[w]) {
					low[v] = Math.min(low[v], index[w]);
				}
				continue;
			}
			depth--;
			if (depth >= 0) {
				const parent = workNode[depth];
				low[parent] = Math.min(low[parent], low[v]);
			}
			if (low[v] === index[v]) {
				const component: number[] = [];
				let w: number;
				do {
					w = stack.pop()!;
					onStack[w] = 0;
					component.push(w);
				} while (w !== v);
				components.push(component);
			}
		}
	}
	return components;
}

/**
 * Gives every job in a cycle an error naming a cycle through it, starting from itself
 * (`a -> b -> a` on a, `b -> a -> b` on b), at the `dependsOn` entry that continues the cycle.
 * One shortest cycle found by BFS covers all of its members, so a long ring costs one search.
 */
function reportCycles(component: number[], nodes: readonly JobRead[], edges: readonly Edge[][]): void {
	const members = new Set(component);
	const covered = new Set<number>();
	for (const start of component) {
		if (covered.has(start)) {
			continue;
		}
		const cycle = shortestCycle(start, members, edges);
		const ids = cycle.map((n) => nodes[n].id!);
		cycle.forEach((v, position) => {
			if (covered.has(v)) {
				return;
			}
			covered.add(v);
			const nextNode = cycle[(position + 1) % cycle.length];
			const ref = edges[v].find((edge) => edge.to === nextNode)!.ref;
			const job = nodes[v];
			job.scope.error(ref.node, `${job.path}.dependsOn[${ref.index}]`, `dependency cycle ${describeCycle(ids, position)}`);
		});
	}
}

/** The nodes of a shortest cycle through `start` inside its component, starting with `start`. */
function shortestCycle(start: number, members: ReadonlySet<number>, edges: readonly Edge[][]): number[] {
	const parent = new Map<number, number>();
	const queue = [start];
	for (let head = 0; head < queue.length; head++) {
		const v = queue[head];
		for (const { to } of edges[v]) {
			if (to === start) {
				const path = [v];
				while (path[path.length - 1] !== start) {
					path.push(parent.get(path[path.length - 1])!);
				}
				return path.reverse();
			}
			if (members.has(to) && !parent.has(to)) {
				parent.set(to, v);
				queue.push(to);
			}
		}
	}
	return [start];
}

/** `b -> c -> a -> b` for the cycle `ids` read from `start`, eliding the middle of long cycles. */
function describeCycle(ids: readonly string[], start: number): string {
	const at = (k: number) => ids[(start + k) % ids.length];
	const length = ids.length + 1;
	const shown = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => at(from + k)).join(' -> ');
	if (length <= maxCycleShown) {
		return shown(0, length);
	}
	return `${shown(0, 5)} -> ... (${length - 8} more) -> ${shown(length - 3, length)}`;
}

/**
 * A job whose dependency is left out could never run as configured, so it is left out too, with
 * an error saying why; this repeats along chains. Jobs that already have errors get no extra note.
 */
function excludeDependents(jobs: readonly JobRead[], byId: ReadonlyMap<string, JobRead>): void {
	const dependents = new Map<JobRead, Array<{ job: JobRead; ref: DependencyRef }>>();
	for (const job of jobs) {
		for (const ref of job.dependsOn) {
			const target = byId.get(ref.id);
			if (target && target !== job) {
				const list = dependents.get(target) ?? [];
				list.push({ job, ref });
				dependents.set(target, list);
			}
		}
	}
	const queue = [...byId.values()].filter((job) => job.scope.errors > 0);
	for (let head = 0; head < queue.length; head++) {
		const excluded = queue[head];
		for (const { job, ref } of dependents.get(excluded) ?? []) {
			if (job.scope.errors === 0) {
				job.scope.error(ref.node, `${job.path}.dependsOn[${ref.index}]`, `depends on "${excluded.id}", which is left out because of errors`);
				queue.push(job);
			}
		}
	}
}
