import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { waitGroupEmpty } from '../../../../src/core/process/groupWatch';
import { procHidden } from '../../../support/processes';

test('a member that becomes the excepted one (the watchdog, whose pid came late) no longer holds the wait', { skip: procHidden && 'without /proc no member can be excepted (runner.ts dismisses the watchdog first there)' }, async () => {
	// A group whose only member stands in for a watchdog: its pid is known only after a while.
	const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
	const pgid = child.pid as number;
	try {
		let watchdog: number | undefined;
		setTimeout(() => (watchdog = pgid), 100);
		const started = performance.now();
		await waitGroupEmpty(pgid, { exceptPid: () => watchdog, startedAt: started, deadline: started + 10_000 });
		const waited = performance.now() - started;
		assert.ok(waited >= 90, `resolved after ${waited} ms, before the pid was known`);
		assert.ok(waited < 2000, `waited ${waited} ms: the pid that came late was not seen`);
	} finally {
		process.kill(-pgid, 'SIGKILL');
	}
});

test('a group with a member that is not excepted is waited for until it is gone', async () => {
	const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
	const pgid = child.pid as number;
	setTimeout(() => process.kill(-pgid, 'SIGKILL'), 200);
	const started = performance.now();
	await waitGroupEmpty(pgid, { exceptPid: () => undefined, startedAt: started, deadline: started + 10_000 });
	const waited = performance.now() - started;
	assert.ok(waited >= 190 && waited < 3000, `waited ${waited} ms`);
});

test('without /proc, kill(-pgid, 0) alone waits for a group until it is gone', async () => {
	const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
	const pgid = child.pid as number;
	// Reaped by this process at once, so no zombie holds the group.
	setTimeout(() => process.kill(-pgid, 'SIGKILL'), 200);
	const started = performance.now();
	await waitGroupEmpty(pgid, { startedAt: started, deadline: started + 10_000, procfs: false });
	const waited = performance.now() - started;
	assert.ok(waited >= 190 && waited < 3000, `waited ${waited} ms`);
});

test('without /proc, a group that is already gone resolves at once and a live one holds until the deadline', async () => {
	const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
	const pgid = child.pid as number;
	try {
		const started = performance.now();
		// The excepted pid cannot be told apart without /proc: it still counts.
		await waitGroupEmpty(pgid, { exceptPid: () => pgid, startedAt: started, deadline: started + 300, procfs: false });
		assert.ok(performance.now() - started >= 290, 'a live group was reported gone');
	} finally {
		process.kill(-pgid, 'SIGKILL');
	}
	await new Promise((resolve) => child.once('exit', resolve));
	const started = performance.now();
	await waitGroupEmpty(pgid, { startedAt: started, deadline: started + 10_000, procfs: false });
	assert.ok(performance.now() - started < 100);
});
