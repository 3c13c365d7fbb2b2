import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { at, expectOneError, formatted, oneJob, parse, workspace } from './jobsFileHelpers';

/** The single job of `oneJob(fields)`, asserting the file has no diagnostics. */
function validJob(fields: string) {
	const result = parse(oneJob(fields));
	assert.deepEqual(formatted(result.diagnostics), []);
	assert.equal(result.config.jobs.length, 1);
	return result.config.jobs[0];
}

test('requires an id and a command, at the job brace', () => {
	const text = '{ "jobs": [\n  { "name": "x" }\n] }';
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [
		at(text, '{ "name"', 'jobs[0]: missing required field "id"'),
		at(text, '{ "name"', 'jobs[0]: missing required field "command"'),
	]);
	assert.deepEqual(result.config.jobs, []);
});

test('checks the id characters and type', () => {
	expectOneError('{ "jobs": [ { "id": "a b", "command": "x" } ] }', '"a b"', 'jobs[0].id: "a b" may only contain letters, digits, ".", "_" and "-"');
	expectOneError('{ "jobs": [ { "id": 7, "command": "x" } ] }', '7', 'jobs[0].id: must be a string, got number');
	assert.equal(parse('{ "jobs": [ { "id": "db.backup_2-x", "command": "x" } ] }').config.jobs.length, 1);
});

test('rejects an empty or whitespace-only command, and a non-string one', () => {
	expectOneError('{ "jobs": [ { "id": "a", "command": " \\t " } ] }', '" \\t "', 'jobs[0].command: must not be empty');
	expectOneError('{ "jobs": [ { "id": "a", "command": "" } ] }', '""', 'jobs[0].command: must not be empty');
	expectOneError('{ "jobs": [ { "id": "a", "command": ["make"] } ] }', '["make"]', 'jobs[0].command: must be a string, got array');
	expectOneError('{ "jobs": [ { "id": "a", "command": "a\\u0000b" } ] }', '"a\\u0000b"', 'jobs[0].command: must not contain a NUL character (\\u0000)');
});

test('checks the name type', () => {
	expectOneError(oneJob('"name": false'), 'false', 'jobs[0].name: must be a string, got boolean');
});

test('names the type of a wrong value in the message', () => {
	expectOneError(oneJob('"timeout": true'), 'true', 'jobs[0].timeout: must be a duration string such as "30s" or a number of ms, got boolean');
	expectOneError(oneJob('"enabled": "yes"'), '"yes"', 'jobs[0].enabled: must be true or false, got string');
	expectOneError(oneJob('"priority": "high"'), '"high"', 'jobs[0].priority: must be a finite number, got string');
	expectOneError(oneJob('"env": []'), '[]', 'jobs[0].env: must be an object of string values, got array');
	expectOneError(oneJob('"dependsOn": "b"'), '"b"', 'jobs[0].dependsOn: must be an array of job ids, got string');
	expectOneError(oneJob('"schedule": "daily"'), '"daily"', 'jobs[0].schedule: must be an object with "cron", "every" or "at", got string');
});

test('reads durations into timeoutMs and startingDeadlineMs', () => {
	const job = validJob('"timeout": 1500, "startingDeadline": "1h30m"');
	assert.equal(job.timeoutMs, 1500);
	assert.equal(job.startingDeadlineMs, 5_400_000);
});

test('rejects zero, negative and unknown-unit durations', () => {
	expectOneError(oneJob('"timeout": 0'), '0 }', 'jobs[0].timeout: must be a positive duration such as "30s" or a number of ms, got 0');
	expectOneError(oneJob('"startingDeadline": -5'), '-5', 'jobs[0].startingDeadline: must be a positive duration such as "30s" or a number of ms, got -5');
	expectOneError(oneJob('"timeout": "5 weeks"'), '"5 weeks"', 'jobs[0].timeout: unknown unit "weeks" in "5 weeks"; use ms, s, m, h or d');
	expectOneError(oneJob('"timeout": 1e999'), '1e999', 'jobs[0].timeout: Infinity is too long; the limit is 9007199254740991 ms');
});

test('defaults cwd to the base folder and resolves a relative one', () => {
	assert.equal(validJob('').cwd, workspace());
	assert.equal(validJob('"cwd": "packages/../packages/app"').cwd, path.join(workspace(), 'packages', 'app'));
	assert.equal(validJob('"cwd": "."').cwd, workspace());
});

test('accepts an absolute cwd inside and a symlink that stays inside', () => {
	const inside = path.join(workspace(), 'packages');
	assert.equal(validJob(`"cwd": ${JSON.stringify(inside)}`).cwd, inside);
	assert.equal(validJob('"cwd": "link-in"').cwd, path.join(workspace(), 'packages', 'app'));
});

test('rejects a cwd outside the folder, absolute or relative', () => {
	const outside = path.dirname(workspace());
	const text = oneJob(`"cwd": ${JSON.stringify(outside)}`);
	expectOneError(text, JSON.stringify(outside), `jobs[0].cwd: "${outside}" is outside the folder ${workspace()}`);
	expectOneError(oneJob('"cwd": "../outside"'), '"../outside"', `jobs[0].cwd: "../outside" is outside the folder ${workspace()}`);
});

test('rejects a cwd that leaves the folder through a symlink', () => {
	const real = path.join(path.dirname(workspace()), 'outside');
	expectOneError(oneJob('"cwd": "link-out"'), '"link-out"', `jobs[0].cwd: "link-out" resolves through a symlink to ${real}, outside the folder ${workspace()}`);
});

test('rejects a cwd that does not exist or is not a folder', () => {
	const missing = path.join(workspace(), 'packages', 'ap');
	expectOneError(oneJob('"cwd": "packages/ap"'), '"packages/ap"', `jobs[0].cwd: "packages/ap" does not exist (resolved to ${missing})`);
	expectOneError(oneJob('"cwd": "notes.txt"'), '"notes.txt"', 'jobs[0].cwd: "notes.txt" is not a folder');
	expectOneError(oneJob('"cwd": ""'), '""', "jobs[0].cwd: must not be empty; leave it out to use the file's folder");
});

test('reads env into a plain object of strings', () => {
	const env = validJob('"env": { "CI": "1", "EMPTY": "" }').env!;
	assert.deepEqual(env, { CI: '1', EMPTY: '' });
	assert.equal(Object.getPrototypeOf(env), Object.prototype);
});

test('rejects non-string env values, naming the key', () => {
	expectOneError(oneJob('"env": { "PORT": 8080 }'), '8080', 'jobs[0].env.PORT: must be a string, got number');
	expectOneError(oneJob('"env": { "X": null }'), 'null', 'jobs[0].env.X: must be a string, got null');
	expectOneError(oneJob('"env": { "A B": {} }'), '{} ', 'jobs[0].env["A B"]: must be a string, got object');
});

test('rejects env names that are empty or contain = or NUL, and values with NUL', () => {
	expectOneError(oneJob('"env": { "": "x" }'), '""', 'jobs[0].env[""]: a variable name must not be empty');
	expectOneError(oneJob('"env": { "A=B": "x" }'), '"A=B"', 'jobs[0].env["A=B"]: a variable name must not contain "="');
	expectOneError(oneJob('"env": { "A\\u0000": "x" }'), '"A\\u0000"', 'jobs[0].env["A\\u0000"]: a variable name must not contain a NUL character (\\u0000)');
	expectOneError(oneJob('"env": { "A": "x\\u0000" }'), '"x\\u0000"', 'jobs[0].env.A: must not contain a NUL character (\\u0000)');
});

test('maps cron, every and at to the model schedule', () => {
	assert.deepEqual(validJob('"schedule": { "cron": " 0 9 * * 1-5 " }').schedule, { kind: 'cron', expression: '0 9 * * 1-5' });
	assert.deepEqual(validJob('"schedule": { "cron": "@daily" }').schedule, { kind: 'cron', expression: '@daily' });
	assert.deepEqual(validJob('"schedule": { "cron": "0 */5 * * * *" }').schedule, { kind: 'cron', expression: '0 */5 * * * *' });
	assert.deepEqual(validJob('"schedule": { "every": "5m" }').schedule, { kind: 'every', everyMs: 300_000 });
	assert.deepEqual(validJob('"schedule": { "at": "2030-01-31T09:00:00.250Z" }').schedule, { kind: 'at', at: Date.UTC(2030, 0, 31, 9, 0, 0, 250) });
	assert.deepEqual(validJob('"schedule": { "at": "2030-01-31T09:00+01:30" }').schedule, { kind: 'at', at: Date.UTC(2030, 0, 31, 7, 30) });
});

test('reads an at time without a zone as local time', () => {
	assert.deepEqual(validJob('"schedule": { "at": "2030-07-04T08:15:30" }').schedule, { kind: 'at', at: new Date(2030, 6, 4, 8, 15, 30).getTime() });
	assert.deepEqual(validJob('"schedule": { "at": "2030-07-04 08:15" }').schedule, { kind: 'at', at: new Date(2030, 6, 4, 8, 15).getTime() });
});

test('rejects an at value that is not a valid date-time', () => {
	const what = 'must be an ISO-8601 date-time string such as "2030-01-31T09:00" or "2030-01-31T09:00:00Z"';
	expectOneError(oneJob('"schedule": { "at": "2030-02-30T09:00" }'), '"2030-02-30T09:00"', `jobs[0].schedule.at: ${what}, got "2030-02-30T09:00"`);
	expectOneError(oneJob('"schedule": { "at": "2030-01-31" }'), '"2030-01-31"', `jobs[0].schedule.at: ${what}, got "2030-01-31"`);
	expectOneError(oneJob('"schedule": { "at": "09:00" }'), '"09:00"', `jobs[0].schedule.at: ${what}, got "09:00"`);
	expectOneError(oneJob('"schedule": { "at": 1893456000000 }'), '1893456000000', `jobs[0].schedule.at: ${what}, got number`);
	assert.equal(validJob('"schedule": { "at": "2028-02-29T00:00Z" }').schedule?.kind, 'at');
});

test('rejects both cron and every, naming both', () => {
	const text = oneJob('"schedule": { "cron": "* * * * *", "every": "5m" }');
	expectOneError(text, '"every"', 'jobs[0].schedule: has both "cron" and "every"; use exactly one');
});

test('rejects a schedule with none of cron, every or at', () => {
	expectOneError(oneJob('"schedule": { }'), '{ }', 'jobs[0].schedule: needs one of "cron", "every" or "at"');
});

test('allows timezone only with cron', () => {
	const text = oneJob('"schedule": { "every": "5m", "timezone": "UTC" }');
	expectOneError(text, '"timezone"', 'jobs[0].schedule.timezone: is only allowed with "cron"');
});

test('rejects an unknown time zone once, without a second error from the cron check', () => {
	const text = oneJob('"schedule": { "cron": "* * * * *", "timezone": "Europe/Berln" }');
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [
		at(text, '"Europe/Berln"', 'jobs[0].schedule.timezone: unknown time zone "Europe/Berln"; did you mean "Europe/Berlin"?'),
	]);
});

test('rejects an empty cron expression and wrong field counts', () => {
	expectOneError(oneJob('"schedule": { "cron": "  " }'), '"  "', 'jobs[0].schedule.cron: must not be empty; use 5 fields such as "*/15 * * * *" or a nickname such as "@daily"');
	const fields = (n: number) => `jobs[0].schedule.cron: must have 5 fields (minute hour day month weekday) or 6 with seconds first, got ${n}`;
	expectOneError(oneJob('"schedule": { "cron": "* * * *" }'), '"* * * *"', fields(4));
	expectOneError(oneJob('"schedule": { "cron": "0 0 0 * * * 2030" }'), '"0 0 0', fields(7));
});

test('rejects an unknown cron nickname with a suggestion', () => {
	const text = oneJob('"schedule": { "cron": "@dayly" }');
	const list = '@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly';
	expectOneError(text, '"@dayly"', `jobs[0].schedule.cron: unknown nickname "@dayly" (did you mean "@daily"?); use one of ${list}`);
});

test('reports the message of validateCron at the cron expression', () => {
	const text = oneJob('"schedule": { "cron": "61 * * * *", "timezone": "UTC" }');
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [at(text, '"61', 'jobs[0].schedule.cron: minute value 61 is out of range 0-59')]);
});

test('reports a cron expression that never fires at the expression', () => {
	const text = oneJob('"schedule": { "cron": "0 0 31 2 *" }');
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [
		at(text, '"0 0 31 2 *"', 'jobs[0].schedule.cron: cron expression "0 0 31 2 *" never fires (no matching date in the next 100 years)'),
	]);
});

test('rejects an every of zero', () => {
	expectOneError(oneJob('"schedule": { "every": "0s" }'), '"0s"', 'jobs[0].schedule.every: must be a positive duration such as "30s" or a number of ms, got "0s"');
});

test('reads retry as a count or a policy with defaults', () => {
	assert.deepEqual(validJob('"retry": 0').retry, { retries: 0, backoff: 'fixed', delayMs: 1000 });
	assert.deepEqual(validJob('"retry": { "retries": 4 }').retry, { retries: 4, backoff: 'fixed', delayMs: 1000 });
	assert.deepEqual(validJob('"retry": { "retries": 1, "delay": 250, "jitter": 1 }').retry, { retries: 1, backoff: 'fixed', delayMs: 250, jitter: 1 });
});

test('rejects retry counts that are negative, fractional or above 100', () => {
	const message = (got: string) => `jobs[0].retry: must be an integer from 0 to 100, got ${got}`;
	expectOneError(oneJob('"retry": -1'), '-1', message('-1'));
	expectOneError(oneJob('"retry": 1.5'), '1.5', message('1.5'));
	expectOneError(oneJob('"retry": 101'), '101', message('101'));
	expectOneError(oneJob('"retry": { "retries": 1000 }'), '1000', 'jobs[0].retry.retries: must be an integer from 0 to 100, got 1000');
	expectOneError(oneJob('"retry": "3"'), '"3"', 'jobs[0].retry: must be a number of retries or an object such as { "retries": 3, "backoff": "exponential" }, got string');
});

test('checks each retry policy field', () => {
	expectOneError(oneJob('"retry": { "backoff": "fixed" }'), '{ "backoff"', 'jobs[0].retry: missing required field "retries"');
	expectOneError(oneJob('"retry": { "retries": 1, "backoff": "exponental" }'), '"exponental"', 'jobs[0].retry.backoff: must be one of "fixed", "exponential", got "exponental" (did you mean "exponential"?)');
	expectOneError(oneJob('"retry": { "retries": 1, "delay": "0ms" }'), '"0ms"', 'jobs[0].retry.delay: must be a positive duration such as "30s" or a number of ms, got "0ms"');
	expectOneError(oneJob('"retry": { "retries": 1, "maxDelay": false }'), 'false', 'jobs[0].retry.maxDelay: must be a duration string such as "30s" or a number of ms, got boolean');
	expectOneError(oneJob('"retry": { "retries": 1, "jitter": 1.5 }'), '1.5', 'jobs[0].retry.jitter: must be a number from 0 to 1, got 1.5');
});

test('warns when maxDelay is shorter than delay but keeps the job', () => {
	const text = oneJob('"retry": { "retries": 1, "delay": "2m", "maxDelay": "1m" }');
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [
		at(text, '"1m"', 'jobs[0].retry.maxDelay: is shorter than "delay" (1m < 2m), so every retry waits 1m', { severity: 'warning' }),
	]);
	assert.equal(result.config.jobs.length, 1);
	assert.equal(result.diagnostics[0].jobId, 'a');
});

test('checks overlap, catchUp, priority and enabled', () => {
	expectOneError(oneJob('"overlap": "skp"'), '"skp"', 'jobs[0].overlap: must be one of "skip", "queue", "allow", "replace", got "skp" (did you mean "skip"?)');
	expectOneError(oneJob('"catchUp": "all"'), '"all"', 'jobs[0].catchUp: must be one of "none", "once", got "all"');
	expectOneError(oneJob('"priority": 1e999'), '1e999', 'jobs[0].priority: must be a finite number, got Infinity');
	expectOneError(oneJob('"enabled": 1'), '1 }', 'jobs[0].enabled: must be true or false, got number');
	const job = validJob('"overlap": "replace", "catchUp": "none", "priority": -2.5, "enabled": false');
	assert.deepEqual([job.overlap, job.catchUp, job.priority, job.enabled], ['replace', 'none', -2.5, false]);
});

test('suggests the nearest known field for unknown fields at every level', () => {
	expectOneError(oneJob('"comand": "x"'), '"comand"', 'jobs[0].comand: unknown field (did you mean "command"?)');
	expectOneError(oneJob('"depends_on": []'), '"depends_on"', 'jobs[0].depends_on: unknown field (did you mean "dependsOn"?)');
	expectOneError(oneJob('"schedule": { "cron": "* * * * *", "timezon": "UTC" }'), '"timezon"', 'jobs[0].schedule.timezon: unknown field (did you mean "timezone"?)');
	expectOneError(oneJob('"retry": { "retries": 1, "retires": 2 }'), '"retires"', 'jobs[0].retry.retires: unknown field (did you mean "retries"?)');
});

test('points schedule fields written on the job to schedule', () => {
	expectOneError(oneJob('"every": "5m"'), '"every"', 'jobs[0].every: unknown field (put it inside "schedule": { "every": ... })');
});

test('explains the model schedule shape when it is written in the file', () => {
	const text = oneJob('"schedule": { "every": 1000, "kind": "every" }');
	const hint = '(the file form has no "kind": write { "cron": ... }, { "every": ... } or { "at": ... })';
	expectOneError(text, '"kind"', `jobs[0].schedule.kind: unknown field ${hint}`);
});

test('lists the known fields when nothing is close', () => {
	const known = 'id, name, command, shell, schedule, timeout, retry, cwd, env, dependsOn, overlap, priority, enabled, catchUp, startingDeadline, windows, osx, linux';
	expectOneError(oneJob('"zzzzzz": 1'), '"zzzzzz"', `jobs[0].zzzzzz: unknown field (known fields: ${known})`);
});

test('tags problems found before the id with the job id', () => {
	const text = '{ "jobs": [ { "comand": "x", "timeout": 0, "id": "late", "command": "y" } ] }';
	const result = parse(text);
	assert.deepEqual(
		result.diagnostics.map((d) => d.jobId),
		['late', 'late'],
	);
});
