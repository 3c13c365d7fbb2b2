import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { guardScript, waitGroupEmptyGuarded } from '../../../../src/core/process/groupGuard';
import { waitFor } from '../../../support/wait';

test('the guard script sends SIGKILL to the group after the grace, only at end of file', () => {
	assert.equal(guardScript(1234, 1500), 'read w || { sleep 1.5; kill -s KILL -- -1234; }');
	assert.equal(guardScript(1234, -20), 'read w || { sleep 0; kill -s KILL -- -1234; }');
	assert.throws(() => guardScript(1, 100), RangeError);
	assert.throws(() => guardScript(Number.NaN, 100), RangeError);
});

test('waits for a group with no table, dismissing the watchdog first and the guard at the end', async () => {
	const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
	const pgid = child.pid as number;
	let dismissed = false;
	const started = performance.now();
	setTimeout(() => process.kill(-pgid, 'SIGKILL'), 200);
	await waitGroupEmptyGuarded(pgid, { startedAt: started, deadline: started + 10_000, killAt: started + 1000 }, async () => {
		dismissed = true;
	});
	const waited = performance.now() - started;
	assert.ok(dismissed);
	assert.ok(waited >= 190 && waited < 3000, `waited ${waited} ms`);
});

test('the guard kills a group whose host died during the grace', async () => {
	// A host that guards a TERM-ignoring group and then dies by SIGKILL.
	const group = spawn('/bin/sh', ['-c', "trap '' TERM; sleep 30"], { detached: true, stdio: 'ignore' });
	const pgid = group.pid as number;
	const guardUrl = new URL('../../../../src/core/process/groupGuard.ts', import.meta.url).href;
	const code = `import(${JSON.stringify(guardUrl)}).then((mod) => { const m = mod.waitGroupEmptyGuarded ? mod : mod.default; const now = performance.now(); m.waitGroupEmptyGuarded(${pgid}, { startedAt: now, deadline: now + 60000, killAt: now + 300 }, async () => { console.log('guarded'); }); });`;
	const host = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
	try {
		let out = '';
		host.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
		assert.ok(await waitFor(() => out.includes('guarded'), 10_000), `host said: ${out}`);
		host.kill('SIGKILL');
		const gone = new Promise((resolve) => group.once('exit', resolve));
		assert.ok(await waitFor(() => group.exitCode !== null || group.signalCode !== null, 5000), 'the group outlived its host');
		await gone;
		assert.equal(group.signalCode, 'SIGKILL');
	} finally {
		host.kill('SIGKILL');
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			// Gone, as it should be.
		}
	}
});
