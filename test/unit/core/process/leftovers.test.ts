import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { findEscapedRunProcesses } from '../../../../src/core/process/leftovers';
import { wrapCommand } from '../../../../src/core/process/processGroup';
import { killLeftovers, liveSleeps, procHidden, sleepTag } from '../../../support/processes';
import { waitFor } from '../../../support/wait';

const fileTag = sleepTag(330);
const envName = 'WORKSPACE_JOBS_RUN_ID';

after(() => killLeftovers(fileTag));

/**
 * A job of a dead host as the next host finds it: its shell (the wrapped command, with its
 * watchdog) in its own group, and a `setsid` child that left the group. All carry the run id.
 */
async function deadHostJob(runId: string, n: number): Promise<{ pgid: number; escaped: number }> {
	const m = `${fileTag}${n}`;
	const text = wrapCommand(`setsid sleep ${m}9 & sleep ${m}`, 1000);
	// fd 3 is the watchdog's pipe, held open by this process.
	const shell = spawn('/bin/sh', ['-c', text], { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe'], env: { ...process.env, [envName]: runId } });
	shell.unref();
	assert.ok(await waitFor(() => liveSleeps(m).length === 2, 5000), `started: ${liveSleeps(m)}`);
	const escaped = liveSleeps(`${m}9`)[0];
	return { pgid: shell.pid as number, escaped };
}

test('finds a dead host\'s escaped processes by run id, the same from ps as from /proc', { skip: procHidden && 'ps reads /proc on Linux: both are blind here (the next test covers it)' }, async () => {
	const job = await deadHostJob('run-ps-1', 1);
	try {
		const fromProc = findEscapedRunProcesses(envName, new Set(['run-ps-1', 'run-other']), 'procfs');
		const fromPs = findEscapedRunProcesses(envName, new Set(['run-ps-1', 'run-other']), 'ps');
		assert.deepEqual([...fromProc], [['run-ps-1', [job.escaped]]]);
		assert.deepEqual([...fromPs], [...fromProc]);
		assert.deepEqual([...findEscapedRunProcesses(envName, new Set(['run-other']), 'ps')], []);
	} finally {
		process.kill(-job.pgid, 'SIGKILL');
		process.kill(job.escaped, 'SIGKILL');
		await waitFor(() => liveSleeps(`${fileTag}1`).length === 0, 2000);
	}
});

test('without a readable process table the search finds nothing and does not throw', { skip: !procHidden && 'only in the no-/proc stage' }, () => {
	assert.deepEqual([...findEscapedRunProcesses(envName, new Set(['run-x']))], []);
	assert.deepEqual([...findEscapedRunProcesses(envName, new Set(['run-x']), 'ps')], []);
});
