import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readJobsFile } from '../../../../src/core/definitions/jobsFile';
import { fireTimes } from '../../../../src/core/cron/fireTimes';
import { formatFidelityNote } from '../../../../src/core/export/fidelityReport';
import { dstDifferences, onCalendar } from '../../../../src/core/export/systemdCalendar';
import type { Schedule } from '../../../../src/core/model';
import { exampleFile, exportFile, exportFiles, exportNow, fixtureFile } from '../../../support/exportCases';
import { exportProblems, systemdAnalyze, systemdAnalyzeMissing } from '../../../support/exportValidators';

const missing = systemdAnalyzeMissing;
if (missing) {
	console.log(`# skipping the systemd-analyze checks: ${missing}`);
}

test('systemd-analyze verify accepts every exported unit', { skip: missing }, async () => {
	for (const file of exportFiles) {
		assert.deepEqual(await exportProblems('systemd', exportFile(file, 'systemd').files), [], file);
	}
});

test('systemd-analyze verify rejects a unit whose dependency is missing', { skip: missing }, async () => {
	const report = exportFile(exampleFile, 'systemd').files.find((f) => f.path === 'workspace-jobs-report.service')!;
	assert.notDeepEqual(await exportProblems('systemd', [report]), []);
});

/** Next elapses of `OnCalendar=` values from `base` (UTC instants), merged as a timer with several lines fires. */
function systemdTimes(calendars: string[], base: number, count: number): number[] {
	const r = systemdAnalyze(['calendar', `--iterations=${count}`, `--base-time=@${Math.floor(base / 1000)}`, ...calendars]);
	assert.equal(r.status, 0, r.stderr);
	const times = [...r.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map((m) => Date.parse(`${m[1].replace(' ', 'T')}Z`));
	return [...new Set(times)].sort((a, b) => a - b).slice(0, count);
}

interface CronCase {
	file: string;
	id: string;
	schedule: Extract<Schedule, { kind: 'cron' }>;
}

function cronCases(): CronCase[] {
	return exportFiles.flatMap((file) =>
		readJobsFile(file)
			.config.jobs.filter((j) => j.schedule?.kind === 'cron' && j.enabled !== false)
			.map((j) => ({ file, id: j.id, schedule: { ...(j.schedule as CronCase['schedule']), timezone: (j.schedule as CronCase['schedule']).timezone ?? 'UTC' } })),
	);
}

test('systemd-analyze calendar gives the fire times of workspace-jobs next, except at the DST transitions the report lists', { skip: missing }, () => {
	const windows = [Date.UTC(2026, 0, 1), Date.UTC(2026, 2, 27), Date.UTC(2026, 9, 23), Date.UTC(2026, 10, 0)];
	let differencesSeen = 0;
	for (const { id, schedule } of [...cronCases(), { file: '', id: 'extra', schedule: { kind: 'cron' as const, expression: '0 8 L * *', timezone: 'UTC' } }, { file: '', id: 'extra2', schedule: { kind: 'cron' as const, expression: '0 8 * * 5#2', timezone: 'UTC' } }, { file: '', id: 'extra3', schedule: { kind: 'cron' as const, expression: '0 0 13 * FRI', timezone: 'UTC' } }]) {
		const calendars = onCalendar(schedule.expression, schedule.timezone);
		assert.ok(Array.isArray(calendars), String(calendars));
		const transitions = dstDifferences(schedule.expression, schedule.timezone, windows[0], windows[0] + 366 * 86_400_000);
		for (const base of windows) {
			const theirs = systemdTimes(calendars, base, 120);
			const end = theirs[theirs.length - 1];
			const ours = fireTimes(schedule, base, 400).filter((t) => t <= end);
			const onlyOurs = ours.filter((t) => !theirs.includes(t));
			const onlyTheirs = theirs.filter((t) => !ours.includes(t));
			assert.deepEqual(onlyTheirs, [], `${id} ${schedule.expression}: systemd fires where we do not`);
			for (const t of onlyOurs) {
				assert.ok(
					transitions.some((d) => Math.abs(d.at - t) <= 3 * 3_600_000),
					`${id} ${schedule.expression} (${calendars.join(' | ')}): ${new Date(t).toISOString()} differs and no DST transition is reported near it`,
				);
				differencesSeen++;
			}
		}
	}
	// The fixture's 02:30 Berlin job and hourly New York job do cross a transition in the windows.
	assert.ok(differencesSeen >= 2, `only ${differencesSeen} DST differences seen`);
});

test('the DST cases are in the fidelity report', () => {
	const lines = exportFile(fixtureFile, 'systemd').report.sorted().map(formatFidelityNote);
	assert.ok(lines.includes('jobs[1].schedule: on 2026-03-29 the clocks spring forward past a time of "30 2 * * *": systemd skips it, the engine runs it when the gap ends (approximate)'), lines.join('\n'));
	assert.ok(lines.includes('jobs[2].schedule: on 2026-11-01 the clocks fall back and repeat an hour of "0 15 * * * *": systemd fires in the first copy only, the engine in both (approximate)'), lines.join('\n'));
	assert.deepEqual(dstDifferences('30 2 * * *', 'UTC', exportNow, exportNow + 366 * 86_400_000), []);
	assert.deepEqual(dstDifferences('30 * * * *', 'Europe/Berlin', exportNow, exportNow + 366 * 86_400_000).map((d) => [new Date(d.at).toISOString(), d.kind]), [['2026-10-25T01:00:00.000Z', 'repeat']]);
});

test('cron fields become OnCalendar= lines, two when both day fields are set', () => {
	assert.deepEqual(onCalendar('*/15 * * * *'), ['*-*-* *:00/15:00']);
	assert.deepEqual(onCalendar('0 9 1,15 * MON-FRI', 'UTC'), ['*-*-01,15 09:00:00 UTC', 'Mon..Fri *-*-* 09:00:00 UTC']);
	assert.deepEqual(onCalendar('0 0 L 2 *'), ['*-02~01 00:00:00']);
	assert.deepEqual(onCalendar('@weekly'), ['Sun *-*-* 00:00:00']);
});

test('units carry the command, env, cwd, timeout, retry and schedule, escaped for systemd', () => {
	const files = new Map(exportFile(fixtureFile, 'systemd').files.map((f) => [f.path, f.content]));
	const fetch = files.get('workspace-jobs-fetch.service')!;
	assert.ok(fetch.includes('ExecStart=/bin/sh -c "echo \\"fetching $$HOME 100%% $${{ not.an.expression }} {{argo}}\\""'), fetch);
	assert.ok(fetch.includes('Environment="QUOTE=say \\"hi\\" \\\\ $PATH"'), fetch);
	assert.ok(fetch.includes('Environment="SOURCE=https://example.com/a b?x=1&y=%%20"'), fetch);
	assert.ok(fetch.includes('TimeoutStartSec=90s') && fetch.includes('Restart=on-failure') && fetch.includes('RestartSec=2s'), fetch);
	const build = files.get('workspace-jobs-build.Report.service')!;
	assert.ok(build.includes('Requires=workspace-jobs-fetch.service') && build.includes('After=workspace-jobs-fetch.service'), build);
	assert.match(build, /WorkingDirectory=\/.*\/test\/fixtures\/export\/tools\n/);
	assert.ok(build.includes(`ExecStart=/bin/sh -c "printf 'line one\\\\n'\\nprintf 'line two\\\\n'"`), build);
	assert.ok(files.get('workspace-jobs-build.Report.timer')!.includes('Persistent=true'));
	assert.ok(files.get('workspace-jobs-poll.timer')!.includes('OnUnitActiveSec=600s'));
	assert.ok(files.get('workspace-jobs-release.timer')!.includes('OnCalendar=2030-06-01 12:00:00 UTC'));
	assert.ok(files.has('workspace-jobs-weekday\\x2dmorning.timer'));
	assert.ok(!files.has('workspace-jobs-manual.service') && !files.has('workspace-jobs-old.service'));
});
