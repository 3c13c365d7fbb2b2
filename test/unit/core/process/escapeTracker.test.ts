import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { escapeTable, killEscaped, watchForEscapes } from '../../../../src/core/process/escapeTracker';
import { killLeftovers, liveSleeps, procHidden, sleepTag } from '../../../support/processes';
import { sleep, waitFor } from '../../../support/wait';

const fileTag = sleepTag(331);
after(() => killLeftovers(fileTag));

/** A group whose leader starts a `setsid` child (it leaves the group and the session) and waits. */
async function groupWithEscapee(n: number): Promise<{ pgid: number; escapee: number }> {
	const m = `${fileTag}${n}`;
	const leader = spawn('/bin/sh', ['-c', `setsid sleep ${m}9 & sleep ${m}`], { detached: true, stdio: 'ignore' });
	leader.unref();
	assert.ok(await waitFor(() => liveSleeps(`${m}9`).length === 1, 5000));
	return { pgid: leader.pid as number, escapee: liveSleeps(`${m}9`)[0] };
}

test('with ps as the table, a process that left the group is reported and killed by its pid alone', { skip: procHidden && 'ps reads /proc on Linux: blind here' }, async () => {
	const { pgid, escapee } = await groupWithEscapee(1);
	// Watch a group that existed before: the leader is younger than its first sample by now.
	const tracked = watchForEscapes(pgid, 'ps');
	try {
		await sleep(400);
		assert.deepEqual(tracked.stop(), [escapee]);
		await killEscaped([escapee], 200, false);
		assert.deepEqual(liveSleeps(`${fileTag}19`), []);
	} finally {
		process.kill(-pgid, 'SIGKILL');
		await waitFor(() => liveSleeps(`${fileTag}1`).length === 0, 2000);
	}
});

test('with no table, nothing is sampled and nothing reported', async () => {
	const { pgid, escapee } = await groupWithEscapee(2);
	try {
		const tracked = watchForEscapes(pgid, 'none');
		await sleep(200);
		tracked.sample();
		assert.deepEqual(tracked.stop(), []);
	} finally {
		process.kill(-pgid, 'SIGKILL');
		process.kill(escapee, 'SIGKILL');
		await waitFor(() => liveSleeps(`${fileTag}2`).length === 0, 2000);
	}
});

test('the table is /proc where readable, else none here (ps is blind without /proc on Linux)', async () => {
	if (!procHidden) {
		assert.equal(escapeTable(), 'procfs');
		return;
	}
	// The first ps read (its first sample, after 50 ms) finds it blind; from then on there is no table.
	const watch = watchForEscapes(process.pid, 'ps');
	await waitFor(() => escapeTable() === 'none', 2000);
	assert.deepEqual(watch.stop(), []);
	assert.equal(escapeTable(), 'none');
});
