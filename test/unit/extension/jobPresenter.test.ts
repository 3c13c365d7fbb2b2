import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobSnapshot, RunRecord } from '../../../src/core/model';
import { describeFolder, treeMessage } from '../../../src/extension/folderPresenter';
import {
	codeBlock,
	describeActiveRun,
	describeJob,
	describeRun,
	describeStatus,
	escapeMarkdown,
	formatWhen,
	relative,
	resultText,
} from '../../../src/extension/jobPresenter';

// Local-time dates, so the expectations hold in any time zone: Wednesday 2025-03-12 10:00.
const now = new Date(2025, 2, 12, 10, 0, 0).getTime();

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
	assert.match(p.description, /^running · manual/);
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

test('a scheduled job shows its schedule in words and the next run', () => {
	const p = describeJob(job({ definition: { id: 'build', command: 'x', schedule: { kind: 'every', everyMs: 900_000 } }, nextRunAt: new Date(2025, 2, 12, 10, 15).getTime() }), now);
	assert.equal(p.description, 'every 15m · next 10:15');
});

test('a next run within two minutes shows seconds', () => {
	const p = describeJob(job({ definition: { id: 'build', command: 'x', schedule: { kind: 'every', everyMs: 5000 } }, nextRunAt: new Date(2025, 2, 12, 10, 0, 5).getTime() }), now);
	assert.equal(p.description, 'every 5s · next 10:00:05');
});

test('the last result shows status, exit code and duration', () => {
	const p = describeJob(job({ state: 'failed', lastRun: record({ status: 'failed', reason: 'exit-code', exitCode: 3 }) }), now);
	assert.equal(p.description, 'manual · last failed (exit 3) 1.2s');
});

test('a disabled job says disabled and hides its next run', () => {
	const p = describeJob(job({ state: 'disabled', enabled: false, nextRunAt: now + 60_000, definition: { id: 'build', command: 'x', schedule: { kind: 'every', everyMs: 60_000 } } }), now);
	assert.equal(p.description, 'disabled · every 1m');
	assert.equal(p.contextValue, 'job.disabled.off.file');
});

test('a dependency-only job says what it runs after', () => {
	assert.equal(describeJob(job({ definition: { id: 'test', command: 'x', dependsOn: ['build'] } }), now).description, 'after build');
});

test('a programmatic job is marked api in its context value', () => {
	assert.equal(describeJob(job({ programmatic: true }), now).contextValue, 'job.idle.on.api');
});

test('the tooltip escapes markdown in names and puts the command in a code block', () => {
	const p = describeJob(job({ name: '*bold* [link](http://x) $(zap)', definition: { id: 'build', command: 'echo `date` | tee out' } }), now);
	assert.ok(p.tooltipMarkdown.includes('\\*bold\\* \\[link\\]\\(http://x\\) \\$\\(zap\\)'));
	assert.ok(p.tooltipMarkdown.includes('```sh\necho `date` | tee out\n```'));
});

test('the tooltip lists next run, last run and retry policy', () => {
	const p = describeJob(
		job({
			nextRunAt: now + 5 * 60_000,
			lastRun: record({ status: 'failed', reason: 'timeout', message: 'timed out after 5s' }),
			definition: { id: 'build', command: 'x', retry: { retries: 2, backoff: 'exponential', delayMs: 1000 }, timeoutMs: 5000 },
		}),
		now,
	);
	assert.ok(p.tooltipMarkdown.includes('**Next run:** 10:05 \\(in 5m\\)'));
	assert.ok(p.tooltipMarkdown.includes('**Last run:** failed \\(timeout\\) 1\\.2s'));
	assert.match(p.tooltipMarkdown, /\*\*Reason:\*\* timed out after 5s/);
	assert.match(p.tooltipMarkdown, /\*\*Retry:\*\* 2 × exponential/);
});

test('a finished run row shows its start time, result and trigger', () => {
	const p = describeRun(record({ status: 'failed', reason: 'exit-code', exitCode: 2, logFile: '/tmp/x.log', trigger: 'schedule' }), now);
	assert.equal(p.label, '09:59:55');
	assert.equal(p.description, 'failed (exit 2) 1.2s · schedule');
	assert.equal(p.contextValue, 'run.failed.log');
	assert.equal(p.iconId, 'error');
});

test('an active run row can be canceled and shows how long it runs', () => {
	const p = describeActiveRun({ runId: 'r3', jobId: 'build', attempt: 2, state: 'running', trigger: 'manual', startedAt: new Date(now - 65_000).toISOString() }, now);
	assert.equal(p.contextValue, 'run.running');
	assert.equal(p.description, 'running for 1m 5s, attempt 2 (manual)');
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
	assert.match(s.tooltip, /Next: Build at 10:02 \(in 2m\)/);
	assert.match(s.tooltip, /3 failed runs since you last looked/);
});

test('the status bar says when paused, restricted or waiting for approval', () => {
	assert.equal(describeStatus({ running: 0, queued: 0, failures: 0, paused: true, trusted: true, needsApproval: false }, now).text, '$(debug-pause) Jobs paused');
	assert.match(describeStatus({ running: 0, queued: 0, failures: 0, paused: false, trusted: false, needsApproval: false }, now).tooltip, /Restricted Mode/);
	assert.match(describeStatus({ running: 0, queued: 0, failures: 0, paused: false, trusted: true, needsApproval: true }, now).tooltip, /approval/);
});

test('times are short today, weekday this week, dated otherwise', () => {
	assert.equal(formatWhen(new Date(2025, 2, 12, 14, 5).getTime(), now), '14:05');
	assert.equal(formatWhen(new Date(2025, 2, 14, 9, 0).getTime(), now), 'Fri 09:00');
	assert.equal(formatWhen(new Date(2025, 5, 1, 9, 0).getTime(), now), '2025-06-01 09:00');
	assert.equal(formatWhen(new Date(2025, 2, 12, 14, 5, 7).getTime(), now, true), '14:05:07');
});

test('relative times read naturally', () => {
	assert.equal(relative(now + 300_000, now), 'in 5m');
	assert.equal(relative(now - 90_000, now), '1m 30s ago');
	assert.equal(relative(now + 200, now), 'now');
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
