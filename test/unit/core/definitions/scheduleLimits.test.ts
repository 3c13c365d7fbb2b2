import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../../../../src/core/base/clock';
import { JobsSource } from '../../../../src/core/definitions/jobsSource';
import { minimumEveryMs } from '../../../../src/core/definitions/scheduleReader';
import { at, expectOneError, formatted, oneJob, parse } from './jobsFileHelpers';

const minimumHint = '; use "1s" or more (or a 6-field cron such as "* * * * * *" for every second)';

test('rejects an every interval below the 1 s minimum, saying the minimum', () => {
	expectOneError(oneJob('"schedule": { "every": "1ms" }'), '"1ms"', `jobs[0].schedule.every: "1ms" is shorter than the minimum interval of 1s${minimumHint}`);
	expectOneError(oneJob('"schedule": { "every": 999 }'), '999', `jobs[0].schedule.every: 999 is shorter than the minimum interval of 1s${minimumHint}`);
	expectOneError(oneJob('"schedule": { "every": "0.5s" }'), '"0.5s"', `jobs[0].schedule.every: "0.5s" is shorter than the minimum interval of 1s${minimumHint}`);
});

test('accepts every at the minimum and a 6-field cron firing every second', () => {
	for (const schedule of ['{ "every": "1s" }', '{ "every": 1000 }', '{ "every": "1.5s" }', '{ "cron": "* * * * * *" }']) {
		const result = parse(oneJob(`"schedule": ${schedule}`));
		assert.deepEqual(formatted(result.diagnostics), [], schedule);
		assert.equal(result.config.jobs.length, 1, schedule);
	}
});

test('rejects an every interval too long for its fire times to be dates', () => {
	const max = 'jobs[0].schedule.every: 9007199254740991 is longer than the maximum interval of 36500d (100 years)';
	expectOneError(oneJob('"schedule": { "every": 9007199254740991 }'), '9007199254740991', max);
	expectOneError(oneJob('"schedule": { "every": "36501d" }'), '"36501d"', 'jobs[0].schedule.every: "36501d" is longer than the maximum interval of 36500d (100 years)');
	assert.equal(parse(oneJob('"schedule": { "every": "36500d" }')).config.jobs.length, 1);
});

test('leaves out only the job with a too-short interval', () => {
	const text = '{ "jobs": [\n  { "id": "fast", "command": "x", "schedule": { "every": "10ms" } },\n  { "id": "ok", "command": "x", "schedule": { "every": "5s" } }\n] }';
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [at(text, '"10ms"', `jobs[0].schedule.every: "10ms" is shorter than the minimum interval of 1s${minimumHint}`)]);
	assert.deepEqual(
		result.config.jobs.map((job) => job.id),
		['ok'],
	);
});

test('a lower minimum comes only from the host environment, as an integer of ms', () => {
	assert.equal(minimumEveryMs({}), 1000);
	assert.equal(minimumEveryMs({ WORKSPACE_JOBS_MIN_INTERVAL_MS: '20' }), 20);
	for (const value of ['', '0', '-5', '1.5', 'fast']) {
		assert.equal(minimumEveryMs({ WORKSPACE_JOBS_MIN_INTERVAL_MS: value }), 1000, value);
	}
	const result = parse(oneJob('"schedule": { "every": "20ms" }'), { minEveryMs: 20 });
	assert.deepEqual(formatted(result.diagnostics), []);
	const text = oneJob('"schedule": { "every": "10ms" }');
	assert.deepEqual(formatted(parse(text, { minEveryMs: 20 }).diagnostics), [
		at(text, '"10ms"', 'jobs[0].schedule.every: "10ms" is shorter than the minimum interval of 20ms; use "20ms" or more'),
	]);
});

const now = Date.UTC(2030, 0, 31, 12, 0, 0);

test('warns at an at instant already past beyond its catch-up window, and keeps the job', () => {
	const text = oneJob('"schedule": { "at": "2030-01-31T09:00Z" }');
	const result = parse(text, { now });
	const message = 'jobs[0].schedule.at: "2030-01-31T09:00Z" (2030-01-31T09:00:00.000Z) is in the past, so this schedule will not fire any more; set a future time or start the job by hand';
	assert.deepEqual(formatted(result.diagnostics), [at(text, '"2030-01-31T09:00Z"', message, { severity: 'warning' })]);
	assert.equal(result.diagnostics[0].jobId, 'a');
	assert.deepEqual(
		result.config.jobs.map((job) => job.id),
		['a'],
	);
});

test('does not warn at an at instant in the future or still inside its catch-up window', () => {
	for (const fields of [
		'"schedule": { "at": "2030-01-31T12:00:01Z" }',
		// catchUp "once" (the default for at) still runs a time missed by less than startingDeadline (1h by default).
		'"schedule": { "at": "2030-01-31T11:30Z" }',
		'"schedule": { "at": "2030-01-31T09:00Z" }, "startingDeadline": "4h"',
	]) {
		assert.deepEqual(formatted(parse(oneJob(fields), { now }).diagnostics), [], fields);
	}
});

test('warns at any past at instant when catch-up is off', () => {
	const text = oneJob('"schedule": { "at": "2030-01-31T11:59Z" }, "catchUp": "none"');
	const diagnostics = parse(text, { now }).diagnostics;
	assert.deepEqual(
		diagnostics.map((d) => [d.severity, d.path, d.line]),
		[['warning', 'jobs[0].schedule.at', 3]],
	);
});

test('JobsSource judges a past at instant by its clock', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-at-past-'));
	try {
		const jobsFile = path.join(dir, '.jobs.json');
		fs.writeFileSync(jobsFile, oneJob('"schedule": { "at": "2030-01-31T09:00Z" }'));
		const clock = new ManualClock(Date.UTC(2030, 0, 31, 8));
		const source = new JobsSource(jobsFile, { clock });
		assert.deepEqual(source.reload().diagnostics, []);
		clock.advance(now - clock.now());
		const state = source.reload();
		assert.deepEqual(
			state.diagnostics.map((d) => [d.severity, d.path]),
			[['warning', 'jobs[0].schedule.at']],
		);
		assert.equal(state.broken, false, 'a warning leaves nothing out');
		assert.deepEqual(
			state.config.jobs.map((job) => job.id),
			['a'],
		);
		source.dispose();
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
