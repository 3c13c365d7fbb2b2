import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { killLeftovers, liveSleeps, sleepTag } from '../../support/processes';
import { waitFor } from '../../support/wait';

const fileTag = sleepTag(309);

test('the leak check kills what it finds, with its process group, and fails naming it', async () => {
	const m = `${fileTag}1`;
	// A job-like group: a shell (standing in for a watchdog) that waits beside a tagged sleep.
	const group = spawn('/bin/sh', ['-c', `sleep ${m} & read never`], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
	const exited = new Promise((resolve) => group.once('exit', resolve));
	try {
		assert.ok(await waitFor(() => liveSleeps(m).length === 1, 5000), 'the sleep runs');
		const [pid] = liveSleeps(m);
		assert.throws(() => killLeftovers(fileTag), (err: Error) => err.message.includes(String(pid)));
		assert.ok(await waitFor(() => liveSleeps(m).length === 0, 2000), `still alive: ${liveSleeps(m)}`);
		await exited;
		assert.equal(group.signalCode, 'SIGKILL', 'the rest of its group was killed too');
		assert.doesNotThrow(() => killLeftovers(fileTag));
	} finally {
		group.kill('SIGKILL');
	}
});
