import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunRecord } from '../../../src/core/model';
import { FailureStreaks, type NoticeSettings, runNotice } from '../../../src/extension/runNotice';

const zone = 'UTC';
const start = Date.UTC(2026, 11, 1, 21, 36, 37);
const failing: NoticeSettings = { mode: 'failure', onlyWhenUnfocused: false, focused: true };

function run(status: RunRecord['status'], minutes: number, extra: Partial<RunRecord> = {}): RunRecord {
	const at = start + minutes * 60_000;
	return {
		jobId: 'lint',
		runId: `r${minutes}`,
		attempt: 1,
		status,
		reason: status === 'failed' ? 'exit-code' : undefined,
		exitCode: status === 'failed' ? 1 : 0,
		startedAt: new Date(at - 1200).toISOString(),
		endedAt: new Date(at).toISOString(),
		durationMs: 1200,
		trigger: 'schedule',
		...extra,
	};
}

test('a failed run notifies once, after its last attempt', () => {
	const streaks = new FailureStreaks();
	const first = run('failed', 0, { willRetry: true });
	assert.equal(runNotice('Lint', first, streaks.record('k', first), failing, start, zone), undefined, 'an attempt that is retried says nothing');
	const last = run('failed', 0, { attempt: 2 });
	assert.deepEqual(runNotice('Lint', last, streaks.record('k', last), failing, start, zone), { severity: 'error', text: 'Lint failed: exit 1 after 1.2 s, on attempt 2' });
	assert.equal(streaks.get('k')?.count, 1, 'the retried attempt is not a failure of its own');
});

test('failures in a row are one story with their count and since when', () => {
	const streaks = new FailureStreaks();
	let notice;
	for (const minutes of [0, 5, 10]) {
		const r = run('failed', minutes);
		notice = runNotice('Lint', r, streaks.record('k', r), failing, start + minutes * 60_000, zone);
	}
	assert.deepEqual(notice, { severity: 'error', text: 'Lint failed 3 times since 21:36 (last: exit 1 after 1.2 s)' });
	assert.equal(streaks.get('k')?.last.runId, 'r10', 'Show Log opens the newest failure');
});

test('a completed run ends the streak; it notifies only with "always"', () => {
	const streaks = new FailureStreaks();
	streaks.record('k', run('failed', 0));
	const ok = run('completed', 1, { attempt: 2 });
	assert.equal(streaks.record('k', ok), undefined);
	assert.equal(runNotice('Lint', ok, undefined, failing, start, zone), undefined);
	assert.deepEqual(runNotice('Lint', ok, undefined, { ...failing, mode: 'always' }, start, zone), { severity: 'info', text: 'Lint completed in 1.2 s on attempt 2' });
	const again = run('failed', 2);
	assert.equal(streaks.record('k', again)?.count, 1);
});

test('skipped and canceled runs neither notify nor break a streak', () => {
	const streaks = new FailureStreaks();
	streaks.record('k', run('failed', 0));
	const skipped = run('skipped', 1, { reason: 'overlap' });
	assert.equal(streaks.record('k', skipped)?.count, 1);
	assert.equal(runNotice('Lint', skipped, streaks.get('k'), { ...failing, mode: 'always' }, start, zone), undefined);
	assert.equal(streaks.record('k', run('canceled', 2))?.count, 1);
});

test('says why when the reason is not an exit code', () => {
	const r = run('failed', 0, { reason: 'timeout', exitCode: null, message: 'timed out after 3 s', durationMs: 3004 });
	assert.equal(runNotice('Slow', r, undefined, failing, start, zone)?.text, 'Slow failed: timed out after 3 s');
	const killed = run('failed', 0, { reason: 'signal', exitCode: null, signal: 'SIGKILL' });
	assert.equal(runNotice('Slow', killed, undefined, failing, start, zone)?.text, 'Slow failed: killed by SIGKILL after 1.2 s');
});

test('"only when unfocused" holds notifications back in a focused window, and "never" always', () => {
	const r = run('failed', 0);
	assert.equal(runNotice('Lint', r, undefined, { ...failing, onlyWhenUnfocused: true, focused: true }, start, zone), undefined);
	assert.equal(runNotice('Lint', r, undefined, { ...failing, onlyWhenUnfocused: true, focused: false }, start, zone)?.severity, 'error');
	assert.equal(runNotice('Lint', r, undefined, { ...failing, mode: 'never', focused: false }, start, zone), undefined);
});
