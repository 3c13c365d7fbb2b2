import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobSnapshot, RunRecord } from '../../../src/core/model';
import { describeFolder, treeMessage } from '../../../src/extension/folderPresenter';
import { codeBlock, describeJob as describeJobIn, describeStatus as describeStatusIn, escapeMarkdown, resultText } from '../../../src/extension/jobPresenter';

/** The reader's zone is pinned, so nothing depends on the machine's TZ: Wednesday 2025-03-12 10:00 in Berlin (UTC+1). */
const zone = 'Europe/Berlin';
const now = Date.UTC(2025, 2, 12, 9, 0, 0);
/** Epoch ms of a Berlin wall time on 2025-03-12 (before the March DST change: UTC+1). */
const berlin = (hour: number, minute = 0, second = 0) => Date.UTC(2025, 2, 12, hour - 1, minute, second);
const describeJob = (j: JobSnapshot, at: number) => describeJobIn(j, at, zone);
const describeStatus = (input: Parameters<typeof describeStatusIn>[0], at: number) => describeStatusIn(input, at, zone);

function job(overrides: Partial<JobSnapshot> = {}): JobSnapshot {
	return {
		id: 'build',
		name: 'Build',
		definition: { id: 'build', name: 'Build', command: 'npm run build' },
		state: 'idle',
		enabled: true,
		active: [],
		programmatic: false,
		...overrides,
	};
}

function record(overrides: Partial<RunRecord> = {}): RunRecord {
	return {
		jobId: 'build',
		runId: 'r1',
		attempt: 1,
		status: 'completed',
		exitCode: 0,
		startedAt: new Date(now - 5000).toISOString(),
		endedAt: new Date(now - 3800).toISOString(),
		durationMs: 1200,
		trigger: 'manual',
		...overrides,
	};
}

test('an idle manual job shows "manual" and an outline circle', () => {
	const p = describeJob(job(), now);
	assert.equal(p.label, 'Build');
	assert.equal(p.description, 'manual');
	assert.equal(p.iconId, 'circle-large-outline');
	assert.equal(p.colorId, undefined);
	assert.equal(p.contextValue, 'job.idle.on.file');
});

test('a running job spins in blue and says so first', () => {
	const p = describeJob(job({ state: 'running', active: [{ runId: 'r2', jobId: 'build', attempt: 1, state: 'running', trigger: 'manual', startedAt: new Date(now - 2000).toISOString() }] }), now);
	assert.equal(p.iconId, 'sync~spin');
	assert.equal(p.colorId, 'charts.blue');
	assert.equal(p.description, 'running 2 s');
	assert.equal(p.contextValue, 'job.running.on.file');
});

test('each state has its own icon and theme color', () => {
	const expected: Array<[JobSnapshot['state'], string, string | undefined]> = [
		['queued', 'clock', 'charts.yellow'],
		['completed', 'pass', 'testing.iconPassed'],
		['failed', 'error', 'testing.iconFailed'],
		['skipped', 'debug-step-over', 'testing.iconSkipped'],
		['disabled', 'circle-slash', 'disabledForeground'],
	];
	for (const [state, icon, color] of expected) {
		const p = describeJob(job({ state, enabled: state !== 'disabled' }), now);
		assert.equal(p.iconId, icon, state);
		assert.equal(p.colorId, color, state);
	}
});

test('a scheduled job shows the next run in local time and its schedule only in the tooltip', () => {
	const p = describeJob(job({ definition: { id: 'build', command: 'x', schedule: { kind: 'every', everyMs: 900_000 } }, nextRunAt: berlin(10, 15) }), now);
	assert.equal(p.description, 'next 10:15');
	assert.match(p.tooltipMarkdown, /\*\*Schedule:\*\* every 15m/);
});

test('a next run within two minutes shows seconds', () => {
	const p = describeJob(job({ definition: { id: 'build', command: 'x', schedule: { kind: 'every', everyMs: 5000 } }, nextRunAt: berlin(10, 0, 5) }), now);
	assert.equal(p.description, 'next 10:00:05');
});

test('the last result is a mark and how long ago it ended, then the next run', () => {
	const ended = new Date(now - 2 * 60_000).toISOString();
	const failed = describeJob(job({ state: 'failed', lastRun: record({ status: 'failed', reason: 'exit-code', exitCode: 3, endedAt: ended }) }), now);
	assert.equal(failed.description, '✗ 2 min ago');
	const passed = describeJob(
		job({ state: 'completed', lastRun: record({ endedAt: ended }), nextRunAt: berlin(7, 30) + 86_400_000, definition: { id: 'build', command: 'x', schedule: { kind: 'cron', expression: '30 7 * * *' } } }),
		now,
	);
	assert.equal(passed.description, '✓ 2 min ago · next Thu 07:30');
	assert.equal(describeJob(job({ state: 'completed', lastRun: record() }), now).description, '✓ just now');
	assert.equal(describeJob(job({ state: 'canceled', lastRun: record({ status: 'canceled', endedAt: ended }) }), now).description, 'canceled 2 min ago');
});

test('a disabled job says disabled and hides its next run', () => {
	const p = describeJob(job({ state: 'disabled', enabled: false, nextRunAt: now + 60_000, definition: { id: 'build', command: 'x', schedule: { kind: 'every', everyMs: 60_000 } } }), now);
	assert.equal(p.description, 'disabled');
	assert.equal(p.contextValue, 'job.disabled.off.file');
});

test('a dependency-only job says what it needs', () => {
	const p = describeJob(job({ definition: { id: 'test', command: 'x', dependsOn: ['build'] } }), now);
	assert.equal(p.description, 'needs build');
	assert.match(p.tooltipMarkdown, /\*\*Needs:\*\* build/);
});

test('a job whose dependency runs says it waits for it', () => {
	const p = describeJob(job({ state: 'pending', waitingFor: ['build'], definition: { id: 'lint', command: 'x', dependsOn: ['build'] } }), now);
	assert.equal(p.description, 'waiting for build');
	assert.equal(p.iconId, 'watch');
	assert.equal(p.contextValue, 'job.waiting.on.file', 'nothing to cancel yet');
	assert.match(p.tooltipMarkdown, /\*\*Waiting for:\*\* build/);
});

test('a retried run says which attempt of how many it is on', () => {
	const retry = { retries: 2, backoff: 'fixed' as const, delayMs: 1000 };
	const running = job({ state: 'running', definition: { id: 'test', command: 'x', retry }, active: [{ runId: 'r', jobId: 'test', attempt: 2, state: 'running', trigger: 'schedule', startedAt: new Date(now - 4200).toISOString() }] });
	assert.equal(describeJob(running, now).description, 'running 4 s · attempt 2 of 3');
	const waiting = job({ state: 'pending', definition: { id: 'test', command: 'x', retry }, active: [{ runId: 'r', jobId: 'test', attempt: 3, state: 'pending', trigger: 'schedule' }] });
	assert.equal(describeJob(waiting, now).description, 'waiting to retry · attempt 3 of 3');
});

test('a run that goes on under a definition changed since is marked', () => {
	const p = describeJob(job({ state: 'running', active: [{ runId: 'r', jobId: 'build', attempt: 1, state: 'running', trigger: 'manual', startedAt: new Date(now - 61_000).toISOString(), definitionChanged: true }] }), now);
	assert.equal(p.description, 'running 1 min 1 s · definition changed');
	assert.match(p.tooltipMarkdown, /\*\*Definition:\*\* changed since this run started/);
});

test('the next run of a job in another zone shows both wall times, labelled', () => {
	// 02:30 in New York on 2025-03-13 (EDT since 9 March, UTC-4) is 07:30 in Berlin (UTC+1).
	const next = Date.UTC(2025, 2, 13, 6, 30);
	const p = describeJob(job({ nextRunAt: next, definition: { id: 'nightly', command: 'x', schedule: { kind: 'cron', expression: '30 2 * * *', timezone: 'America/New_York' } } }), now);
	assert.equal(p.description, 'next Thu 07:30');
	assert.ok(p.tooltipMarkdown.includes('**Next run:** Thu 02:30 New York · Thu 07:30 here \\(in 21 h 30 min\\)'), p.tooltipMarkdown);
});

test('a programmatic job is marked api in its context value', () => {
	assert.equal(describeJob(job({ programmatic: true }), now).contextValue, 'job.idle.on.api');
});

test('the tooltip escapes markdown in names and puts the command in a code block', () => {
	const p = describeJob(job({ name: '*bold* [link](http://x) $(zap)', definition: { id: 'build', command: 'echo `date` | tee out' } }), now);
	assert.ok(p.tooltipMarkdown.includes('\\*bold\\* \\[link\\]\\(http://x\\) \\$\\(zap\\)'));
	assert.ok(p.tooltipMarkdown.includes('```sh\necho `date` | tee out\n```'));
});

test('the tooltip names the job\'s own shell, and none for the default', () => {
	const shell = { executable: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', args: ['-NoProfile', '-Command'] };
	const p = describeJob(job({ definition: { id: 'build', command: 'Get-Date', shell } }), now);
	assert.match(p.tooltipMarkdown, /^\*\*Shell:\*\* C:\\\\Program Files\\\\PowerShell\\\\7\\\\pwsh\\\.exe \\-NoProfile \\-Command {2}$/m);
	assert.doesNotMatch(describeJob(job(), now).tooltipMarkdown, /Shell/);
});

test('the tooltip lists next run, last run and retry policy', () => {
	const p = describeJob(
		job({
			nextRunAt: now + 5 * 60_000,
			lastRun: record({ status: 'failed', reason: 'timeout', message: 'timed out after 5 s' }),
			definition: { id: 'build', command: 'x', retry: { retries: 2, backoff: 'exponential', delayMs: 1000 }, timeoutMs: 5000 },
		}),
		now,
	);
	assert.ok(p.tooltipMarkdown.includes('**Next run:** 10:05 \\(in 5 min\\)'), p.tooltipMarkdown);
	assert.ok(p.tooltipMarkdown.includes('**Last run:** failed \\(timeout\\) after 1\\.2 s, just now \\(09:59:56, manual\\)'), p.tooltipMarkdown);
	assert.match(p.tooltipMarkdown, /\*\*Reason:\*\* timed out after 5 s/);
	assert.match(p.tooltipMarkdown, /\*\*Retry:\*\* 2 × exponential/);
});

test('skipped runs have no duration', () => {
	assert.equal(resultText(record({ status: 'skipped', reason: 'dependency-failed', durationMs: 0 })), 'skipped (dependency-failed)');
});

test('the status bar spins while jobs run', () => {
	const s = describeStatus({ running: 2, queued: 1, failures: 0, paused: false, trusted: true, needsApproval: false }, now);
	assert.equal(s.text, '$(sync~spin) 2 running, 1 queued');
	assert.equal(s.error, false);
});

test('the status bar shows failures in the error color and the next job in its tooltip', () => {
	const s = describeStatus({ running: 0, queued: 0, failures: 3, paused: false, trusted: true, needsApproval: false, nextDue: { name: 'Build', at: now + 120_000 } }, now);
	assert.equal(s.text, '$(clock) Jobs $(error) 3');
	assert.equal(s.error, true);
	assert.match(s.tooltip, /Next: Build at 10:02 \(in 2 min\)/);
	assert.match(s.tooltip, /3 failed runs since you last looked/);
});

test('the status bar says when paused, restricted or waiting for approval', () => {
	const base = { running: 0, queued: 0, failures: 0, paused: false, trusted: true, needsApproval: false };
	assert.equal(describeStatus({ ...base, paused: true }, now).text, '$(debug-pause) Jobs paused');
	const restricted = describeStatus({ ...base, trusted: false, needsApproval: true }, now);
	assert.equal(restricted.text, '$(workspace-untrusted) Jobs: Restricted Mode');
	assert.match(restricted.tooltip, /Restricted Mode/);
	assert.equal(restricted.opensApproval, false, 'no approval can help before trust');
	const approval = describeStatus({ ...base, needsApproval: true }, now);
	assert.equal(approval.text, '$(shield) Jobs need approval');
	assert.equal(approval.warning, true);
	assert.equal(approval.opensApproval, true);
	assert.match(approval.tooltip, /Click to review the jobs and allow them/);
	assert.equal(describeStatus({ ...base, running: 1, paused: true }, now).text, '$(sync~spin) 1 running · paused');
});

test('the status bar tooltip names the running jobs and how long each has run', () => {
	const runningJobs = [
		{ name: 'Build', startedAt: now - 65_000 },
		{ name: 'Lint', startedAt: now - 2_400 },
		...['a', 'b', 'c', 'd'].map((name) => ({ name, startedAt: now })),
	];
	const s = describeStatus({ running: 6, queued: 2, failures: 0, paused: false, trusted: true, needsApproval: false, runningJobs }, now);
	assert.match(s.tooltip, /^Running: Build \(for 1 min 5 s\), Lint \(for 2 s\), a \(just started\), b \(just started\), c \(just started\) and 1 more$/m);
	assert.match(s.tooltip, /^2 queued$/m);
});

test('escapeMarkdown leaves no markup and no line breaks', () => {
	assert.equal(escapeMarkdown('a_b\nc<d>'), 'a\\_b c\\<d\\>');
});

test('codeBlock fences are longer than any backtick run inside', () => {
	assert.equal(codeBlock('a ```` b'), '`````sh\na ```` b\n`````');
});

test('a folder row counts jobs and notes what stops them', () => {
	const p = describeFolder({ name: 'web', jobCount: 3, paused: true, refusal: 'unapproved', role: 'passive', keptLastGood: false, errorCount: 0 });
	assert.equal(p.description, '3 jobs · needs approval · paused · scheduled elsewhere');
	assert.equal(p.contextValue, 'folder.paused');
});

test('the tree message explains Restricted Mode before anything else', () => {
	const folder = { name: 'web', jobCount: 1, paused: false, role: 'stopped' as const, keptLastGood: true, errorCount: 2 };
	assert.match(treeMessage([folder], false) ?? '', /Restricted Mode/);
	assert.equal(treeMessage([folder], true), 'The saved .jobs.json has 2 errors; the last good definitions stay loaded.');
	assert.match(treeMessage([folder, { ...folder, name: 'api', refusal: 'unapproved' }], true) ?? '', /^web: the saved .* api: the commands in \.jobs\.json wait for your approval/);
	assert.equal(treeMessage([{ ...folder, keptLastGood: false }], true), undefined);
});
