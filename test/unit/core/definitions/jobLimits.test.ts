import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { maxCommandBytes } from '../../../../src/core/definitions/jobReader';
import { maxEnvBytes, maxEnvEntries, maxEnvVariableBytes } from '../../../../src/core/definitions/envReader';
import { expectOneError, formatted, oneJob, parse } from './jobsFileHelpers';

/** A job whose env has `count` variables V0, V1, ... each of `valueLength` ASCII characters. */
function envJob(count: number, valueLength: number): string {
	const value = 'v'.repeat(valueLength);
	const entries = Array.from({ length: count }, (_, i) => `"V${i}": "${value}"`).join(', ');
	return oneJob(`"env": { ${entries} }`);
}

test('limits a command to 16384 bytes of UTF-8, counting bytes rather than characters', () => {
	const ascii = `echo ${'x'.repeat(maxCommandBytes - 5)}`;
	assert.equal(parse(`{ "jobs": [ { "id": "a", "command": "${ascii}" } ] }`).config.jobs.length, 1);
	const over = `${ascii}x`;
	const limit = 'the limit is 16384 bytes: put a longer script in a file and run that';
	expectOneError(`{ "jobs": [ { "id": "a", "command": "${over}" } ] }`, `"${over}"`, `jobs[0].command: is 16385 bytes long (UTF-8); ${limit}`);
	// 6,000 characters, 18,000 bytes: far below the string limit, above what the command may be.
	const wide = `echo ${'€'.repeat(6000)}`;
	expectOneError(`{ "jobs": [ { "id": "a", "command": "${wide}" } ] }`, `"${wide}"`, `jobs[0].command: is 18005 bytes long (UTF-8); ${limit}`);
});

test('limits one env variable to 32768 bytes as NAME=value', () => {
	assert.equal(parse(envJob(1, maxEnvVariableBytes - 3)).config.jobs.length, 1);
	const text = envJob(1, maxEnvVariableBytes - 2);
	expectOneError(text, `"${'v'.repeat(maxEnvVariableBytes - 2)}"`, 'jobs[0].env.V0: is 32769 bytes as NAME=value (UTF-8); the limit per variable is 32768 bytes');
});

test('limits all of a job env to 65536 bytes', () => {
	// Three variables of 30,000 bytes each: every one is allowed, together they are too much.
	const text = envJob(3, 30_000 - 3);
	expectOneError(text, '{ "V0"', 'jobs[0].env: has 90000 bytes of variables (NAME=value, UTF-8); the limit is 65536 bytes');
	assert.equal(parse(envJob(2, 30_000 - 3)).config.jobs.length, 1);
	assert.ok(maxEnvBytes < 128 * 1024);
});

test('limits env to 1000 variables', () => {
	assert.equal(parse(envJob(maxEnvEntries, 1)).config.jobs.length, 1);
	const text = envJob(maxEnvEntries + 1, 1);
	expectOneError(text, '{ "V0"', 'jobs[0].env: has 1001 variables; the limit is 1000');
});

test('the largest valid command and env start a real shell (they stay below E2BIG)', { skip: process.platform === 'win32' && 'uses /bin/sh' }, () => {
	const command = `: ${'€'.repeat((maxCommandBytes - 2) / 3)}`;
	const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', A: 'v'.repeat(maxEnvVariableBytes - 2), B: 'w'.repeat(maxEnvBytes - maxEnvVariableBytes - 2) };
	const before = parse(`{ "jobs": [ { "id": "a", "command": ${JSON.stringify(command)}, "env": ${JSON.stringify({ A: env.A, B: env.B })} } ] }`);
	assert.deepEqual(formatted(before.diagnostics), []);
	const result = spawnSync('/bin/sh', ['-c', command], { env });
	assert.equal(result.error, undefined);
	assert.equal(result.status, 0);
});
