import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { createLogger, MemoryLogSink } from '../../../../src/core/base/logger';
import type { RunRecord } from '../../../../src/core/model';
import { WriteFailures } from '../../../../src/core/records/fileProblems';
import { HistoryStore } from '../../../../src/core/records/history';
import { HistoryAppender } from '../../../../src/core/records/historyAppender';
import { mountSmallVolume } from '../../../support/smallVolume';

/** A history append that fails loses nothing: the records wait, are reported, and go first next time, once. */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-appender-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function record(runId: string, extra: Partial<RunRecord> = {}): RunRecord {
	const at = '2026-06-01T10:00:00.000Z';
	return { jobId: 'job', runId, attempt: 1, status: 'completed', exitCode: 0, startedAt: at, endedAt: at, durationMs: 0, trigger: 'manual', ...extra };
}

test('records of a failed append wait, are reported, and are written once, first, by the next append', () => {
	const file = path.join(tmp, 'blocked', 'history.jsonl');
	// A folder where the history file should be: every append fails (EISDIR).
	fs.mkdirSync(file, { recursive: true });
	const sink = new MemoryLogSink();
	const appender = new HistoryAppender(new HistoryStore(file), new WriteFailures(createLogger(sink)), undefined);
	assert.equal(appender.append([record('a')]), 0);
	assert.equal(appender.append([record('b')]), 0);
	assert.deepEqual({ ...appender.unsaved, file: undefined }, { count: 2, dropped: 0, file: undefined, reason: 'it is a folder, not a file (EISDIR)' });
	assert.equal(sink.lines.filter((l) => l.level === 'error').length, 1, 'reported once per streak of failures');
	fs.rmSync(file, { recursive: true });
	assert.equal(appender.append([record('c')]), 3);
	assert.equal(appender.unsaved, undefined);
	assert.deepEqual(
		new HistoryStore(file).read().map((r) => r.runId),
		['a', 'b', 'c'],
	);
	assert.ok(sink.lines.some((l) => l.message.startsWith('Writing run history works again (2 writes failed)')));
});

test('an append cut short by a full disk leaves no part of its records behind', (t) => {
	const volume = mountSmallVolume('1m');
	if (typeof volume === 'string') {
		t.skip(volume);
		return;
	}
	try {
		const file = path.join(volume.dir, 'history.jsonl');
		const history = new HistoryStore(file);
		history.append([record('first')]);
		const before = fs.statSync(file).size;
		// Far more than the volume holds: part of it would fit.
		const big = Array.from({ length: 3000 }, (_, i) => record(`big-${i}`, { message: 'x'.repeat(400) }));
		assert.throws(() => history.append(big), { code: 'ENOSPC' });
		assert.equal(fs.statSync(file).size, before, 'the file is as it was before the append');
		assert.deepEqual(
			history.read().map((r) => r.runId),
			['first'],
		);
	} finally {
		volume.unmount();
	}
});
