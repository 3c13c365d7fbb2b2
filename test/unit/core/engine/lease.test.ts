import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import { RunnerLease } from '../../../../src/core/engine/lease';
import { startStorageChild, type StorageChild } from '../../../support/childProcess';
import { sleep } from '../../../support/wait';

const leases: RunnerLease[] = [];
const children: StorageChild[] = [];
afterEach(async () => {
	for (const lease of leases.splice(0)) {
		lease.dispose();
	}
	for (const child of children.splice(0)) {
		await child.kill();
	}
});

/** A key no other test (or real window) uses, so parallel runs cannot collide. */
function freshKey(): string {
	return `/test/workspace-${randomBytes(8).toString('hex')}`;
}

function lease(key: string, holder: string, retryMs?: number): RunnerLease {
	const l = new RunnerLease(key, holder, { retryMs });
	leases.push(l);
	return l;
}

/** Resolves with the milliseconds until `onDidAcquire` fires, or rejects after `timeoutMs`. */
function acquiredWithin(l: RunnerLease, timeoutMs: number): Promise<number> {
	const start = performance.now();
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`lease not acquired within ${timeoutMs} ms`)), timeoutMs);
		l.onDidAcquire(() => {
			clearTimeout(timer);
			resolve(performance.now() - start);
		});
	});
}

describe('RunnerLease', () => {
	test('only one of two leases on the same key holds it', async () => {
		const key = freshKey();
		const a = lease(key, 'window A');
		const b = lease(key, 'window B');
		const [gotA, gotB] = await Promise.all([a.tryAcquire(), b.tryAcquire()]);
		assert.equal(gotA !== gotB, true, 'exactly one acquires');
		assert.equal(a.held, gotA);
		assert.equal(b.held, gotB);
		const holder = gotA ? a : b;
		const other = gotA ? b : a;
		assert.equal(await other.tryAcquire(), false);
		assert.equal(await holder.tryAcquire(), true);
		assert.equal(await holder.verify(), true);
		assert.equal(await other.verify(), false);
		const info = await other.queryHolder();
		assert.equal(info?.pid, process.pid);
		assert.equal(info?.holder, gotA ? 'window A' : 'window B');
		assert.ok(!Number.isNaN(Date.parse(info?.since ?? '')));
	});

	test('different keys do not exclude each other', async () => {
		assert.equal(await lease(freshKey(), 'a').tryAcquire(), true);
		assert.equal(await lease(freshKey(), 'b').tryAcquire(), true);
	});

	test('a waiting lease takes over within two retries when the holder is disposed', async () => {
		const key = freshKey();
		const a = lease(key, 'A');
		const b = lease(key, 'B', 100);
		assert.equal(await a.tryAcquire(), true);
		b.acquireInBackground();
		await sleep(150);
		assert.equal(b.held, false);
		const acquired = acquiredWithin(b, 200);
		a.dispose();
		assert.equal(a.held, false);
		assert.equal(await a.verify(), false);
		await acquired;
		assert.equal(b.held, true);
		assert.equal(await b.verify(), true);
		assert.equal((await a.queryHolder())?.holder, 'B');
	});

	test('nobody answers once the holder is disposed', async () => {
		const key = freshKey();
		const a = lease(key, 'A');
		assert.equal(await a.tryAcquire(), true);
		a.dispose();
		assert.equal(await lease(key, 'B').queryHolder(), undefined);
		assert.equal(await a.tryAcquire(), false, 'a disposed lease never acquires again');
	});

	test('takes the lease within 2 s of the holding process being SIGKILLed', async () => {
		const key = freshKey();
		const child = startStorageChild(['lease', key]);
		children.push(child);
		assert.equal(await child.waitFor((l) => l.endsWith('held')), 'held');
		const mine = lease(key, 'parent');
		assert.equal(await mine.tryAcquire(), false);
		const info = await mine.queryHolder();
		assert.equal(info?.pid, child.process.pid);
		assert.equal(info?.holder, 'child');
		mine.acquireInBackground();
		const acquired = acquiredWithin(mine, 2000);
		await child.kill();
		await acquired;
		assert.equal(mine.held, true);
		assert.equal((await mine.queryHolder())?.pid, process.pid);
	});

	test('a holder whose event loop is blocked keeps the lease', async () => {
		const key = freshKey();
		const child = startStorageChild(['lease', key]);
		children.push(child);
		await child.waitFor((l) => l === 'held');
		child.process.stdin!.write('block 800\n');
		await child.waitFor((l) => l === 'blocking');
		const mine = lease(key, 'parent');
		assert.equal(await mine.tryAcquire(), false);
		await child.waitFor((l) => l === 'unblocked');
		assert.equal(await mine.tryAcquire(), false);
		assert.equal((await mine.queryHolder())?.pid, child.process.pid);
	});
});
