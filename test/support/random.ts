// Seeded randomness for tests, so a failure found with random inputs can be replayed.
import { randomInt } from 'node:crypto';
import type { TestContext } from 'node:test';

/** The variable that replays a run: `WORKSPACE_JOBS_TEST_SEED=<seed printed by the test>`. */
export const seedVariable = 'WORKSPACE_JOBS_TEST_SEED';

export interface Random {
	readonly seed: number;
	/** A float in [0, 1). */
	next(): number;
	/** An integer in [0, n). */
	int(n: number): number;
}

/** mulberry32: a small 32-bit generator, the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): Random {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let z = state;
		z = Math.imul(z ^ (z >>> 15), z | 1);
		z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
		return ((z ^ (z >>> 14)) >>> 0) / 2 ** 32;
	};
	return { seed, next, int: (n) => Math.floor(next() * n) };
}

/** The seed of `WORKSPACE_JOBS_TEST_SEED`, or a fresh one when it is unset. */
export function testSeed(): number {
	const given = process.env[seedVariable];
	if (given === undefined || given === '') {
		return randomInt(0, 2 ** 32);
	}
	const seed = Number(given);
	if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
		throw new Error(`${seedVariable} must be an integer in [0, 2^32), got ${JSON.stringify(given)}`);
	}
	return seed;
}

/**
 * The random source of one test: seeded by `testSeed()`, and the seed printed as a diagnostic
 * of `t` (`ℹ random seed N` under the test in the spec report) so a failure can be replayed.
 */
export function testRandom(t: TestContext): Random {
	const random = seededRandom(testSeed());
	t.diagnostic(`random seed ${random.seed} (replay: ${seedVariable}=${random.seed})`);
	return random;
}
