import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxAttempts, retryDelay } from '../../../../src/core/dispatch/backoff';

test('fixed backoff waits the same delay every time', () => {
	const policy = { retries: 3, backoff: 'fixed', delayMs: 500 } as const;
	assert.deepEqual([1, 2, 3].map((n) => retryDelay(policy, n)), [500, 500, 500]);
});

test('exponential backoff doubles and stops at maxDelay', () => {
	const policy = { retries: 5, backoff: 'exponential', delayMs: 1000, maxDelayMs: 5000 } as const;
	assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n)), [1000, 2000, 4000, 5000, 5000]);
});

test('jitter shortens a delay by at most its fraction', () => {
	const policy = { retries: 1, backoff: 'fixed', delayMs: 1000, jitter: 0.5 } as const;
	assert.equal(retryDelay(policy, 1, () => 0), 1000);
	assert.equal(retryDelay(policy, 1, () => 1), 500);
	assert.equal(retryDelay(policy, 1, () => 0.5), 750);
});

test('N retries mean N+1 attempts', () => {
	assert.equal(maxAttempts(undefined), 1);
	assert.equal(maxAttempts({ retries: 2, backoff: 'fixed', delayMs: 1 }), 3);
});
