import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobDefinition } from '../../../src/core/model';
import { approvalHash, checkRunGate, describeCommands, emptyHash } from '../../../src/extension/approval';

const jobs: JobDefinition[] = [
	{ id: 'b', command: 'echo b', cwd: '/w', env: { Z: '1', A: '2' } },
	{ id: 'a', command: 'echo a', cwd: '/w', schedule: { kind: 'every', everyMs: 1000 } },
];

test('an untrusted workspace never runs, approved or not', () => {
	const hash = approvalHash(jobs);
	assert.equal(checkRunGate({ trusted: false, requireApproval: false, currentHash: hash, approvedHash: hash }), 'untrusted');
});

test('a trusted workspace needs the approval of its exact commands', () => {
	const hash = approvalHash(jobs);
	assert.equal(checkRunGate({ trusted: true, requireApproval: true, currentHash: hash, approvedHash: undefined }), 'unapproved');
	assert.equal(checkRunGate({ trusted: true, requireApproval: true, currentHash: hash, approvedHash: hash }), undefined);
});

test('with requireApproval off, trust is enough', () => {
	assert.equal(checkRunGate({ trusted: true, requireApproval: false, currentHash: approvalHash(jobs), approvedHash: undefined }), undefined);
});

test('a file without commands needs no approval', () => {
	assert.equal(checkRunGate({ trusted: true, requireApproval: true, currentHash: emptyHash, approvedHash: undefined }), undefined);
	assert.equal(approvalHash([{ id: 'fn', run: async () => undefined }]), emptyHash);
});

test('the hash ignores order, env key order, schedules and names', () => {
	const reordered: JobDefinition[] = [
		{ id: 'a', name: 'A', command: 'echo a', cwd: '/w', schedule: { kind: 'cron', expression: '* * * * *' } },
		{ id: 'b', command: 'echo b', cwd: '/w', env: { A: '2', Z: '1' }, retry: { retries: 3, backoff: 'fixed', delayMs: 10 } },
	];
	assert.equal(approvalHash(reordered), approvalHash(jobs));
});

test('a changed command, cwd or env changes the hash', () => {
	const base = approvalHash(jobs);
	assert.notEqual(approvalHash([{ ...jobs[0], command: 'rm -rf /' }, jobs[1]]), base);
	assert.notEqual(approvalHash([{ ...jobs[0], cwd: '/elsewhere' }, jobs[1]]), base);
	assert.notEqual(approvalHash([{ ...jobs[0], env: { Z: '1', A: '3' } }, jobs[1]]), base);
	assert.notEqual(approvalHash([jobs[0]]), base);
});

test('the prompt lists commands sorted by id and truncates long lists', () => {
	assert.equal(describeCommands(jobs), 'a: echo a\nb: echo b (env: A, Z)');
	const many = Array.from({ length: 15 }, (_, i) => ({ id: `j${String(i).padStart(2, '0')}`, command: 'true' }));
	assert.match(describeCommands(many), /\.\.\. and 3 more$/);
});
