import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runProcess } from '../../../../src/core/process/runner';
import { launcherPid } from '../../../../src/core/process/launcher/launcher';
import { mountSmallVolume, type SmallVolume } from '../../../support/smallVolume';

/**
 * A run log that cannot be written is reported, on both ways of starting a job: the launcher
 * (which writes the log itself and used to close it silently on a write error) and direct spawn
 * (Node writes it). The run itself goes on and ends as it would have; its output still comes
 * through live and in the tail.
 */

const fiveMegabytes = 5_000_000;
const loud = `yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c ${fiveMegabytes}; echo; echo "parent $PPID"; echo last line`;
let tmp: string;
let volume: SmallVolume | string;

before(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-log-failures-'));
	volume = mountSmallVolume('1m');
});

after(() => {
	if (typeof volume !== 'string') {
		volume.unmount();
	}
	fs.rmSync(tmp, { recursive: true, force: true });
	delete process.env.WORKSPACE_JOBS_LAUNCHER;
});

for (const launcher of [true, false]) {
	describe(launcher ? 'through the launcher' : 'by direct spawn', () => {
		before(() => {
			process.env.WORKSPACE_JOBS_LAUNCHER = launcher ? '1' : '0';
		});

		test('a log write that fails on a full disk is reported as ENOSPC, and the run still completes', async (t) => {
			if (typeof volume === 'string') {
				t.skip(volume);
				return;
			}
			volume.clear();
			const logFile = path.join(volume.dir, 'logs', 'job', 'run-1.log');
			let live = 0;
			const result = await runProcess({ command: loud, cwd: tmp, env: process.env, logFile, onOutput: (_stream, text) => (live += text.length) });
			assert.ok(result.tail.includes(`\nparent ${launcher ? launcherPid() : process.pid}\n`), 'started the way the case says');
			assert.equal(result.exitCode, 0);
			assert.equal(result.reason, undefined);
			assert.equal(result.logError?.code, 'ENOSPC', `logError: ${String(result.logError)}`);
			assert.ok(fs.statSync(logFile).size <= 1024 * 1024, 'the log holds what fit');
			assert.ok(result.outputBytes > fiveMegabytes && live > fiveMegabytes, 'the whole output still came through');
			assert.ok(result.tail.endsWith('last line\n'));
		});

		test('a log that cannot be opened is reported', async () => {
			// A file where the log's folder should be.
			const blocked = path.join(tmp, `blocked-${launcher ? 'l' : 'd'}`);
			fs.writeFileSync(blocked, '');
			const result = await runProcess({ command: 'echo hello', cwd: tmp, env: process.env, logFile: path.join(blocked, 'run.log') });
			assert.equal(result.exitCode, 0);
			assert.equal(result.logError?.code, 'ENOTDIR', `logError: ${String(result.logError)}`);
			assert.equal(result.tail, 'hello\n');
		});

		test('a log written in full reports nothing, and is private', async () => {
			const logFile = path.join(tmp, `fine-${launcher ? 'l' : 'd'}`, 'run.log');
			const result = await runProcess({ command: 'echo fine', cwd: tmp, env: process.env, logFile });
			assert.equal(result.logError, undefined);
			assert.equal(fs.readFileSync(logFile, 'utf8'), 'fine\n');
			assert.equal(fs.statSync(logFile).mode & 0o7777, 0o600);
			assert.equal(fs.statSync(path.dirname(logFile)).mode & 0o7777, 0o700);
		});
	});
}
