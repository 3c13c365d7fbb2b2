import { randomBytes } from 'node:crypto';

let pool = Buffer.alloc(0);
let offset = 0;

/**
 * A short id unique across processes: time in base 36 plus random hex. Random bytes come from a
 * pooled buffer because one `randomBytes` call per run shows up in the dispatch benchmark.
 */
export function newRunId(now: number): string {
	if (offset + 3 > pool.length) {
		pool = randomBytes(3 * 1024);
		offset = 0;
	}
	const rand = pool.toString('hex', offset, offset + 3);
	offset += 3;
	return `${now.toString(36)}-${rand}`;
}
