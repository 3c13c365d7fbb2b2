import type { RetryPolicy } from '../model';

/**
 * Delay before retry number `retry` (1-based: the delay after the first failure is retry 1).
 * Pure, so tests can check the curve; `random` is injected for the same reason.
 */
export function retryDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
	const base = policy.backoff === 'exponential' ? policy.delayMs * 2 ** (retry - 1) : policy.delayMs;
	const capped = Math.min(base, policy.maxDelayMs ?? Number.MAX_SAFE_INTEGER);
	const jitter = Math.min(Math.max(policy.jitter ?? 0, 0), 1);
	if (jitter === 0) {
		return capped;
	}
	// Full range [capped * (1 - jitter), capped]: jitter never lengthens the cap.
	return Math.round(capped * (1 - jitter * random()));
}

/** Attempts in all for a policy (the first one plus its retries). */
export function maxAttempts(policy: RetryPolicy | undefined): number {
	return 1 + Math.max(0, policy?.retries ?? 0);
}
