import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseDuration } from '../../../../src/core/base/duration';
import { idProblem, idSchemaPattern, maxIdLength } from '../../../../src/core/definitions/jobId';
import { knownJobFields, knownRetryFields, maxCommandBytes } from '../../../../src/core/definitions/jobReader';
import { maxEnvEntries } from '../../../../src/core/definitions/envReader';
import { knownJobOverrideFields, knownTopLevelOverrideFields, overrideKeys } from '../../../../src/core/definitions/platformOverrides';
import { knownShellFields, shellShortForms } from '../../../../src/core/definitions/shellReader';
import { knownTopLevelFields, maxConcurrency, maxJobs } from '../../../../src/core/definitions/jobsFile';
import { cronNicknames } from '../../../../src/core/cron/cronNames';
import { knownScheduleFields, maxEveryMs, minEveryMs, parseIsoDateTime } from '../../../../src/core/definitions/scheduleReader';
import { repoRoot } from '../../../support/paths';

/** Just the parts of a JSON schema these tests look at. */
interface SchemaNode {
	type?: string;
	properties?: Record<string, SchemaNode>;
	definitions?: Record<string, SchemaNode>;
	items?: SchemaNode;
	oneOf?: SchemaNode[];
	anyOf?: SchemaNode[];
	allOf?: SchemaNode[];
	$ref?: string;
	pattern?: string;
	enum?: string[];
	default?: unknown;
	description?: string;
	additionalProperties?: unknown;
	minimum?: number;
	maximum?: number;
	maxItems?: number;
	maxLength?: number;
	maxProperties?: number;
}

const schema: SchemaNode = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas', 'jobs.schema.json'), 'utf8'));
const definitions = schema.definitions!;
const job = definitions.job;
const schedule = definitions.schedule;
const retryObject = definitions.retry.oneOf!.find((variant) => variant.type === 'object')!;
const durationPattern = new RegExp(definitions.duration.anyOf!.find((variant) => variant.type === 'string')!.pattern!, 'u');

function keys(node: SchemaNode): string[] {
	return Object.keys(node.properties ?? {}).sort();
}

test('the schema lists exactly the fields the parser accepts', () => {
	assert.deepEqual(keys(schema), [...knownTopLevelFields].sort());
	assert.deepEqual(keys(job), [...knownJobFields].sort());
	assert.deepEqual(keys(schedule), [...knownScheduleFields].sort());
	assert.deepEqual(keys(retryObject), [...knownRetryFields].sort());
	assert.equal(schema.properties!.jobs.items!.$ref, '#/definitions/job');
	assert.equal(job.properties!.schedule.$ref, '#/definitions/schedule');
	assert.equal(job.properties!.retry.$ref, '#/definitions/retry');
});

test('the schema has shell and the platform blocks where the parser reads them', () => {
	const shellObject = definitions.shell.anyOf!.find((variant) => variant.type === 'object')!;
	const shortForms = definitions.shell.anyOf!.find((variant) => variant.type === 'string')!;
	assert.deepEqual(keys(shellObject), [...knownShellFields].sort());
	assert.deepEqual(shortForms.enum, [...shellShortForms]);
	assert.equal(shellObject.additionalProperties, false);
	assert.deepEqual(keys(definitions.jobOverride), [...knownJobOverrideFields].sort());
	assert.deepEqual(keys(definitions.fileOverride), [...knownTopLevelOverrideFields].sort());
	for (const key of overrideKeys) {
		assert.equal(job.properties![key].$ref, '#/definitions/jobOverride');
		assert.equal(schema.properties![key].$ref, '#/definitions/fileOverride');
	}
	assert.equal(job.properties!.shell.$ref, '#/definitions/shell');
	assert.equal(schema.properties!.shell.$ref, '#/definitions/shell');
	for (const node of [definitions.jobOverride, definitions.fileOverride]) {
		assert.equal(node.additionalProperties, false);
		for (const field of Object.values(node.properties!)) {
			const target = field.$ref!.split('/').slice(1).reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], schema);
			assert.ok(target, field.$ref);
		}
	}
});

test('the schema rejects unknown fields at every level', () => {
	for (const node of [schema, job, schedule, retryObject]) {
		assert.equal(node.additionalProperties, false);
	}
});

test('every field has a description, and the optional ones with a default declare it', () => {
	const withDescription = (node: SchemaNode) => node.description ?? (node.$ref ? definitions[node.$ref.split('/').pop()!].description : undefined);
	for (const node of [schema, job, schedule, retryObject]) {
		for (const [name, field] of Object.entries(node.properties!)) {
			assert.ok(withDescription(field), `${name} has no description`);
		}
	}
	assert.equal(schema.properties!.concurrency.default, 4);
	assert.equal(job.properties!.overlap.default, 'skip');
	assert.equal(job.properties!.priority.default, 0);
	assert.equal(job.properties!.enabled.default, true);
	assert.equal(job.properties!.startingDeadline.default, '1h');
	assert.equal(retryObject.properties!.backoff.default, 'fixed');
	assert.equal(retryObject.properties!.delay.default, '1s');
	assert.equal(retryObject.properties!.jitter.default, 0);
});

test('the schema enums and limits match the parser', () => {
	assert.deepEqual(job.properties!.overlap.enum, ['skip', 'queue', 'allow', 'replace']);
	assert.deepEqual(job.properties!.catchUp.enum, ['none', 'once']);
	assert.deepEqual(retryObject.properties!.backoff.enum, ['fixed', 'exponential']);
	assert.equal(schema.properties!.concurrency.maximum, maxConcurrency);
	assert.equal(schema.properties!.jobs.maxItems, maxJobs);
	assert.equal(job.properties!.id.pattern, idSchemaPattern);
	assert.equal(job.properties!.id.maxLength, maxIdLength);
	assert.equal(job.properties!.dependsOn.items!.pattern, idSchemaPattern);
	assert.equal(job.properties!.command.maxLength, maxCommandBytes);
	assert.equal(job.properties!.env.maxProperties, maxEnvEntries);
});

test('the schema id pattern agrees with the parser', () => {
	const id = new RegExp(idSchemaPattern, 'u');
	const samples = ['build', 'db.backup_2-x', '.hidden', 'a', 'x'.repeat(128), 'x'.repeat(129), '', '.', '..', '...', 'a.', 'a b', 'a/b', 'a\\b'];
	const devices = ['con', 'CON', 'Con.txt', 'nul', 'NUL.tar.gz', 'prn', 'aux', 'com1', 'COM9.log', 'com0', 'lpt1', 'LPT9', 'lpt0.x'];
	const near = ['console', 'nul_', 'com10', 'com', 'lpt', 'auxiliary', 'x.con', 'null'];
	for (const sample of [...samples, ...devices, ...near]) {
		assert.equal(id.test(sample), idProblem(sample) === undefined, `"${sample}"`);
	}
	assert.ok(devices.every((device) => !id.test(device)));
	assert.ok(near.every((name) => id.test(name)));
});

test('the schema every has the parser minimum and maximum, and says so', () => {
	const every = schedule.properties!.every;
	const number = every.anyOf!.find((variant) => variant.type === 'number')!;
	assert.equal(number.minimum, minEveryMs);
	assert.equal(number.maximum, maxEveryMs);
	assert.match(every.description!, /at least 1s \(1000 ms\)/);
	assert.match(every.description!, /at most 36500d/);
});

test('the schema duration pattern agrees with parseDuration on strings', () => {
	const samples = ['500ms', '30s', '5m', '2h', '1d', '1h30m', '2h 5m', '1.5s', ' 5 m ', '1d2h3m4s5ms', '500', '5x', '5min', '30m1h', '1h1h', '', 'soon', '-5s', '1h30', '.5s'];
	for (const sample of samples) {
		assert.equal(durationPattern.test(sample), parseDuration(sample).ok, `"${sample}"`);
	}
});

test('the schema at pattern agrees with the parser on well-formed dates', () => {
	const at = new RegExp(schedule.properties!.at.pattern!, 'u');
	const samples = ['2030-01-31T09:00', '2030-01-31 09:00:00', '2030-01-31T09:00:00.5Z', '2030-01-31T09:00+01:00', '2030-01-31T09:00-0530', '2030-01-31', '09:00', '2030-1-31T09:00', ' 2030-01-31T09:00'];
	for (const sample of samples) {
		assert.equal(at.test(sample), parseIsoDateTime(sample) !== undefined, `"${sample}"`);
	}
});

test('the schema cron pattern accepts 5 or 6 fields and the nicknames', () => {
	const cron = new RegExp(schedule.properties!.cron.pattern!, 'u');
	for (const nickname of cronNicknames) {
		assert.ok(cron.test(nickname), nickname);
	}
	assert.ok(cron.test('*/15 * * * *'));
	assert.ok(cron.test('0 */5 * * * *'));
	assert.ok(!cron.test('* * * *'));
	assert.ok(!cron.test('0 0 0 * * * 2030'));
	assert.ok(!cron.test(''));
	assert.ok(!cron.test('@reboot'));
});
