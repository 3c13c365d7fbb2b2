import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger, MemoryLogSink } from '../../../../src/core/base/logger';
import { Engine } from '../../../../src/core/engine/engine';
import { mountSmallVolume, type SmallVolume } from '../../../support/smallVolume';

/**
 * A full state volume (a real 1 MB tmpfs): a run whose 5 MB of output fill it is recorded as
 * completed with `outputTruncated`, is still completed after its host dies (not `interrupted`),
 * and records that could not be written at all wait in memory, are reported, and are written
 * once when there is room again. Through the launcher and by direct spawn.
 */

const loud = 'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 5000000; echo; echo done';
let tmp: string;
let volume: SmallVolume | string;

before(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-full-disk-'));
	volume = mountSmallVolume('1m');
});

after(() => {
	if (typeof volume !== 'string') {
		volume.unmount();
	}
	fs.rmSync(tmp, { recursive: true, force: true });
	delete process.env.WORKSPACE_JOBS_LAUNCHER;
});

function open(stateDir: string): { engine: Engine; sink: MemoryLogSink } {
	const sink = new MemoryLogSink();
	const engine = new Engine({ workspaceFolder: tmp, stateDir, logger: createLogger(sink) });
	engine.load({ jobs: [{ id: 'loud', command: loud }, { id: 'quiet', command: 'true' }] });
	return { engine, sink };
}

/** Makes the journal of this process look like one a dead host left, as after a crash. */
function killHostJournal(stateDir: string): void {
	const dead = Number(String(spawnSync('/bin/sh', ['-c', 'echo $$']).stdout).trim());
	const journal = path.join(stateDir, `inflight-${process.pid}.jsonl`);
	if (fs.existsSync(journal)) {
		fs.renameSync(journal, path.join(stateDir, `inflight-${dead}.jsonl`));
	}
}

for (const launcher of [true, false]) {
	describe(launcher ? 'through the launcher' : 'by direct spawn', () => {
		before(() => {
			process.env.WORKSPACE_JOBS_LAUNCHER = launcher ? '1' : '0';
		});

		test('a run that fills the disk with its log is recorded completed with outputTruncated, and stays completed after its host dies', async (t) => {
			if (typeof volume === 'string') {
				t.skip(volume);
				return;
			}
			volume.clear();
			const stateDir = path.join(volume.dir, 'state');
			const { engine, sink } = open(stateDir);
			const [record] = await engine.run(['loud']);
			assert.equal(record.status, 'completed');
			assert.equal(record.outputTruncated, true);
			const line = sink.lines.find((l) => l.message.includes('could not write the run log'));
			assert.ok(line && /disk is full \(ENOSPC\)/.test(line.message) && line.context?.runId === record.runId, sink.lines.map((l) => l.message).join('\n'));
			assert.equal(await engine.whenIdle(), undefined, 'the record is on disk');
			assert.deepEqual(
				engine.readHistory().map((r) => [r.runId, r.status, r.outputTruncated]),
				[[record.runId, 'completed', true]],
			);
			engine.dispose();
			killHostJournal(stateDir);
			const later = open(stateDir).engine;
			assert.deepEqual(
				later.readHistory().map((r) => [r.runId, r.status]),
				[[record.runId, 'completed']],
				'the next host finds the real outcome, not an interrupted run',
			);
			later.dispose();
		});

		test('records a full disk kept out of history wait in memory, are reported, and are written once when there is room', async (t) => {
			if (typeof volume === 'string') {
				t.skip(volume);
				return;
			}
			volume.clear();
			volume.fill();
			const stateDir = path.join(volume.dir, 'state');
			const { engine, sink } = open(stateDir);
			const [first] = await engine.run(['quiet']);
			assert.equal(first.status, 'completed');
			const unsaved = await engine.whenIdle();
			assert.equal(unsaved?.count, 1);
			assert.match(unsaved?.reason ?? '', /ENOSPC/);
			assert.ok(sink.lines.some((l) => l.level === 'error' && l.message.includes('Could not write run history')));
			assert.deepEqual(engine.readHistory(), []);
			fs.rmSync(path.join(volume.dir, 'filler'));
			const [second] = await engine.run(['quiet']);
			assert.equal(await engine.whenIdle(), undefined);
			assert.deepEqual(
				engine.readHistory().map((r) => r.runId),
				[first.runId, second.runId],
				'each record once, in order',
			);
			assert.ok(sink.lines.some((l) => l.message.startsWith('Writing run history works again')));
			engine.dispose();
		});
	});
}
