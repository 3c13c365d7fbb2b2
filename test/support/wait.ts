// Waiting in tests: the one `sleep` and the one polling loop of the unit, soak and host tests.

/** Resolves after `ms` of real time; rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		if (signal?.aborted) {
			reject(signal.reason);
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

/**
 * Calls `check` at once and then every `stepMs` until it returns something truthy, and resolves
 * with that value; resolves with undefined when it is still falsy after `ms`.
 */
export async function pollFor<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms: number, stepMs = 20): Promise<T | undefined> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await check();
		if (value) {
			return value;
		}
		if (Date.now() > deadline) {
			return undefined;
		}
		await sleep(stepMs);
	}
}

/** Polls `check` every `stepMs` (default 20); false when it is still false after `ms`. */
export async function waitFor(check: () => boolean, ms: number, stepMs = 20): Promise<boolean> {
	return (await pollFor(check, ms, stepMs)) === true;
}
