/** A bare Node process (no engine code loaded): the reference the memory figures are measured above. */
import { collect, params, runMain, settledMemory, sleep } from '../lib/child';

runMain(async () => {
	const { settleMs = 0 } = params<{ settleMs?: number }>();
	for (let waited = 0; waited < settleMs; waited += 1000) {
		await sleep(1000);
		collect();
	}
	return settledMemory();
});
