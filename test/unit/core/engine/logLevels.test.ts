import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { createLogger, filterSink, type LogLevel, MemoryLogSink } from '../../../../src/core/base/logger';
import { Engine } from '../../../../src/core/engine/engine';
import { finishLevel } from '../../../../src/core/engine/runEvents';
import type { JobDefinition } from '../../../../src/core/model';

/** An engine on real processes whose log keeps only `level` and up, as the hosts' default (info) does. */
function setup(jobs: JobDefinition[], level: LogLevel = 'info') {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-levels-'));
	const sink = new MemoryLogSink();
	const engine = new Engine({ workspaceFolder: dir, stateDir: path.join(dir, 'state'), logger: createLogger(filterSink(level, sink)) });
	engine.load({ jobs });
	sink.lines.length = 0;
	return { engine, sink };
}

test('a heartbeat run that prints and completes writes nothing at the default level', async () => {
	const { engine, sink } = setup([{ id: 'heartbeat', command: 'echo tick; echo tock >&2' }]);
	for (let i = 0; i < 3; i++) {
		const [record] = await engine.run(['heartbeat']);
		assert.equal(record.status, 'completed');
	}
	await engine.whenIdle();
	assert.deepEqual(sink.lines, []);
	engine.dispose();
});

test('a failed run writes one error line at the default level, its output one level down', async () => {
	const { engine, sink } = setup([{ id: 'fail', command: 'echo 3 tests failed >&2; exit 3' }]);
	await engine.run(['fail']);
	await engine.whenIdle();
	assert.equal(sink.lines.length, 1, JSON.stringify(sink.lines));
	assert.equal(sink.lines[0].level, 'error');
	assert.match(sink.lines[0].message, /^running -> failed \(.*exit.*3/);
	engine.dispose();
});

test('a run that fails, retries and passes writes nothing at the default level', async () => {
	const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wj-flaky-')), 'once');
	const { engine, sink } = setup([{ id: 'flaky', command: `test -e '${marker}' || { touch '${marker}'; exit 1; }`, retry: { retries: 2, backoff: 'fixed', delayMs: 10 } }]);
	const [record] = await engine.run(['flaky']);
	assert.equal(record.status, 'completed');
	assert.equal(record.attempt, 2);
	await engine.whenIdle();
	assert.deepEqual(sink.lines, []);
	engine.dispose();
});

test('the detail of every run is at debug, its output at trace', async () => {
	const { engine, sink } = setup([{ id: 'heartbeat', command: 'echo tick; echo tock >&2' }], 'trace');
	await engine.run(['heartbeat']);
	await engine.whenIdle();
	const byLevel = (level: LogLevel) => sink.lines.filter((l) => l.level === level).map((l) => l.message);
	assert.deepEqual(byLevel('trace').sort(), ['stderr: tock', 'tick']);
	assert.ok(byLevel('debug').some((m) => m.startsWith('running -> completed')));
	assert.deepEqual([...byLevel('info'), ...byLevel('warn'), ...byLevel('error')], []);
	engine.dispose();
});

test('a cancel the user asked for (or a stop) is a state change at info; a replaced run is detail', () => {
	assert.equal(finishLevel({ status: 'canceled', reason: 'canceled' }), 'info');
	assert.equal(finishLevel({ status: 'canceled', reason: 'replaced' }), 'debug');
	assert.equal(finishLevel({ status: 'canceled', reason: 'stopped' }), 'info');
	assert.equal(finishLevel({ status: 'failed', reason: 'timeout', willRetry: true }), 'debug');
	assert.equal(finishLevel({ status: 'failed', reason: 'timeout' }), 'error');
	assert.equal(finishLevel({ status: 'interrupted', reason: 'interrupted' }), 'error');
});
