import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../../../../src/core/base/clock';
import { createLogger, MemoryLogSink } from '../../../../src/core/base/logger';
import { Engine } from '../../../../src/core/engine/engine';
import type { JobDefinition } from '../../../../src/core/model';
import { settle } from '../../../support/manualTime';

function setup(jobs: JobDefinition[]): Engine {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-states-'));
	const engine = new Engine({ workspaceFolder: dir, stateDir: path.join(dir, 'state'), logger: createLogger(new MemoryLogSink()), clock: new ManualClock(Date.UTC(2026, 0, 5, 12)) });
	engine.load({ jobs });
	return engine;
}

/** A function job body that runs until `release()` is called. */
function gate(): { run: () => Promise<void>; release: () => void } {
	let release = () => {};
	const done = new Promise<void>((resolve) => (release = resolve));
	return { run: () => done, release };
}

test('a job whose dependency runs is pending and says for which, from the start', async () => {
	const build = gate();
	const engine = setup([
		{ id: 'build', run: build.run },
		{ id: 'lint', run: async () => undefined, dependsOn: ['build'] },
	]);
	const runs = engine.run(['lint']);
	await settle();
	assert.equal(engine.getJob('build')?.state, 'running');
	assert.equal(engine.getJob('lint')?.state, 'pending');
	assert.deepEqual(engine.getJob('lint')?.waitingFor, ['build']);
	assert.deepEqual(engine.getJob('lint')?.active, [], 'no run of lint exists yet');
	build.release();
	const records = await runs;
	assert.equal(records.find((r) => r.jobId === 'lint')?.status, 'completed');
	assert.equal(engine.getJob('lint')?.state, 'completed');
	assert.equal(engine.getJob('lint')?.waitingFor, undefined);
	engine.dispose();
});

test('a job waiting on a dependency that fails ends skipped, no longer pending', async () => {
	const engine = setup([
		{ id: 'build', run: async () => Promise.reject(new Error('nope')) },
		{ id: 'lint', run: async () => undefined, dependsOn: ['build'] },
	]);
	const records = await engine.run(['lint']);
	assert.equal(records.find((r) => r.jobId === 'lint')?.status, 'skipped');
	assert.equal(engine.getJob('lint')?.state, 'skipped');
	assert.equal(engine.getJob('lint')?.waitingFor, undefined);
	engine.dispose();
});

test('marks a run whose job definition changed while it runs, not one reloaded unchanged', async () => {
	const body = gate();
	const engine = setup([{ id: 'a', run: body.run, timeoutMs: 5000 }]);
	const runs = engine.run(['a']);
	await settle();
	assert.equal(engine.getJob('a')?.active[0]?.definitionChanged, undefined);
	engine.load({ jobs: [{ id: 'a', run: body.run, timeoutMs: 5000, name: 'Renamed' }] });
	assert.equal(engine.getJob('a')?.active[0]?.definitionChanged, undefined, 'a new name does not change what runs');
	engine.load({ jobs: [{ id: 'a', run: body.run, timeoutMs: 9000 }] });
	assert.equal(engine.getJob('a')?.active[0]?.definitionChanged, true);
	body.release();
	await runs;
	engine.dispose();
});
