import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { ManualClock } from '../../../../src/core/base/clock';
import { nullLogger } from '../../../../src/core/base/logger';
import { type CommandContext, CommandExecutor } from '../../../../src/core/dispatch/commandExecutor';
import { RunHandle } from '../../../../src/core/dispatch/runHandle';
import type { ProcessResult, ProcessSpec } from '../../../../src/core/process/runner';

/**
 * The definitions refuse ids such as `..`; the executor checks the run log path again, so an
 * engine loaded some other way (a function job's API, a future reader) still never writes a log
 * outside `<state>/logs/`.
 */

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-log-path-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function executor(specs: ProcessSpec[]): CommandExecutor {
	const context: CommandContext = {
		clock: new ManualClock(Date.UTC(2030, 0, 1)),
		logger: nullLogger,
		workspaceFolder: root,
		stateDir: path.join(root, 'state'),
		runner: async (spec: ProcessSpec): Promise<ProcessResult> => {
			specs.push(spec);
			return { exitCode: 0, signal: null, escaped: [] } as unknown as ProcessResult;
		},
		baseEnv: () => ({}),
		outputLogLimit: () => 0,
		killGraceMs: () => undefined,
		started: async () => undefined,
		outputListener: () => undefined,
	};
	return new CommandExecutor(context);
}

function handle(jobId: string): RunHandle {
	return new RunHandle({ runId: 'r1', jobId, attempt: 1, state: 'queued', trigger: 'manual' });
}

test('refuses to run a job whose id would put its log outside logs/', async () => {
	for (const id of ['..', '.', '', '../../escape', 'a/b']) {
		const specs: ProcessSpec[] = [];
		const record = await executor(specs).run({ id, command: 'echo hi', cwd: root }, handle(id));
		assert.equal(specs.length, 0, `${JSON.stringify(id)} started nothing`);
		assert.equal(record.status, 'failed');
		assert.equal(record.reason, 'error');
		assert.match(record.message ?? '', /would put its run log outside .*logs/);
		assert.equal(record.logFile, undefined);
	}
	assert.deepEqual(fs.readdirSync(root), [], 'nothing was written');
});

test('runs a job with a plain id, its log in logs/<id>/', async () => {
	const specs: ProcessSpec[] = [];
	await executor(specs).run({ id: 'build', command: 'echo hi', cwd: root }, handle('build'));
	assert.equal(specs.length, 1);
	assert.equal(specs[0].logFile, path.join(root, 'state', 'logs', 'build', 'r1-1.log'));
});
