import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseJobsText } from '../../../../src/core/definitions/jobsFile';
import type { RunRecord } from '../../../../src/core/model';
import { defaultRetention, formatSize, parseSize, resolveRetention, retentionFromSetting } from '../../../../src/core/records/retention';
import { RetentionPlanner } from '../../../../src/core/records/retentionPlanner';

// The limits and the pure decision of what a prune keeps; pruneStateFolder.test.ts does the files.

const day = 86_400_000;
const t0 = Date.UTC(2026, 0, 1);

function rec(jobId: string, n: number, extra: Partial<RunRecord> = {}): RunRecord {
	const at = new Date(t0 + n * 60_000).toISOString();
	return { jobId, runId: `${jobId}-${n}`, attempt: 1, status: 'completed', exitCode: 0, startedAt: at, endedAt: at, durationMs: 5, trigger: 'manual', ...extra };
}

function skip(jobId: string, n: number, message = 'previous run x is still running'): RunRecord {
	return rec(jobId, n, { status: 'skipped', reason: 'overlap', message, exitCode: null, durationMs: 0, trigger: 'schedule' });
}

function plan(records: RunRecord[], limits: Partial<typeof defaultRetention> = {}, now = t0 + day): RunRecord[] {
	const planner = new RetentionPlanner({ ...defaultRetention, ...limits });
	for (const r of records) {
		planner.add(r, JSON.stringify(r));
	}
	return planner.kept(now).map((k) => k.record);
}

describe('retention limits', () => {
	test('defaults are 100 runs per job, 30 days and 256 MB of logs', () => {
		assert.deepEqual(defaultRetention, { runs: 100, days: 30, size: 256 * 1024 * 1024 });
	});

	test('each limit comes from the host, else the file, else the default', () => {
		assert.deepEqual(resolveRetention({ runs: 5 }, { runs: 7, days: 2 }), { runs: 5, days: 2, size: defaultRetention.size });
		assert.deepEqual(resolveRetention(undefined, undefined), defaultRetention);
	});

	test('sizes are bytes or strings with a unit; a bare number string and out-of-range sizes are refused', () => {
		assert.deepEqual(parseSize('256MB'), { ok: true, bytes: 256 * 1024 * 1024 });
		assert.deepEqual(parseSize(' 1.5 gb '), { ok: true, bytes: 1.5 * 1024 ** 3 });
		assert.deepEqual(parseSize(4096), { ok: true, bytes: 4096 });
		for (const bad of ['500', '10 XB', -1, 10, true, null, '']) {
			assert.equal(parseSize(bad).ok, false, String(bad));
		}
		assert.equal(formatSize(256 * 1024 * 1024), '256 MB');
	});

	test('a setting keeps its valid fields and says why the others were ignored', () => {
		const { retention, problems } = retentionFromSetting({ runs: 5, days: 'a week', size: '1MB' });
		assert.deepEqual(retention, { runs: 5, size: 1024 * 1024 });
		assert.deepEqual(problems, ['days must be a number from 0.001 to 36500']);
		assert.deepEqual(retentionFromSetting(undefined), { retention: {}, problems: [] });
		assert.equal(retentionFromSetting([1]).problems.length, 1);
	});

	test('.jobs.json reads a top-level retention, and a bad field is a located error that leaves the jobs alone', () => {
		const good = parseJobsText('{ "retention": { "runs": 20, "days": 7, "size": "64MB" }, "jobs": [{ "id": "a", "command": "true" }] }', '/w/.jobs.json');
		assert.deepEqual(good.diagnostics, []);
		assert.deepEqual(good.config.retention, { runs: 20, days: 7, size: 64 * 1024 * 1024 });
		const text = '{\n  "retention": {\n    "runs": 0,\n    "sise": "1MB"\n  },\n  "jobs": [{ "id": "a", "command": "true" }]\n}';
		const bad = parseJobsText(text, '/w/.jobs.json');
		assert.equal(bad.config.jobs.length, 1);
		assert.deepEqual(bad.config.retention, {});
		const messages = bad.diagnostics.map((d) => `${d.line}:${d.path}: ${d.message}`);
		assert.ok(messages.some((m) => m.startsWith('3:retention.runs: retention.runs: must be an integer from 1 to 1000000')), messages.join('\n'));
		assert.ok(messages.some((m) => m.startsWith('4:retention.sise') && m.includes('"size"')), messages.join('\n'));
		const notObject = parseJobsText('{ "retention": 100, "jobs": [] }', '/w/.jobs.json');
		assert.match(notObject.diagnostics[0].message, /^retention: must be an object/);
	});
});

describe('what a prune keeps', () => {
	test('the newest runs per job, with all their attempts; other jobs are not touched', () => {
		const records = [rec('a', 1), rec('a', 2, { willRetry: true, status: 'failed' }), rec('a', 3), rec('b', 4)];
		records.splice(2, 0, { ...rec('a', 2), attempt: 2 });
		const kept = plan(records, { runs: 2 });
		assert.deepEqual(
			kept.map((r) => `${r.runId}#${r.attempt}`),
			['a-2#1', 'a-2#2', 'a-3#1', 'b-4#1'],
		);
	});

	test('skips are kept apart from real runs, so a burst of them never pushes real history out', () => {
		const records = [rec('a', 1), rec('a', 2), rec('a', 3)];
		for (let i = 0; i < 500; i++) {
			records.push(skip('a', 10 + i, `different message ${i}`));
		}
		const kept = plan(records, { runs: 2 });
		assert.deepEqual(
			kept.filter((r) => r.status === 'completed').map((r) => r.runId),
			['a-2', 'a-3'],
		);
		assert.deepEqual(
			kept.filter((r) => r.status === 'skipped').map((r) => r.runId),
			['a-508', 'a-509'],
		);
	});

	test('records older than the age limit go, except the newest run of each job', () => {
		const records = [rec('a', 0), rec('a', 1), rec('b', 2), skip('b', 3)];
		const kept = plan(records, { days: 1 }, t0 + 3 * day);
		assert.deepEqual(
			kept.map((r) => r.runId),
			['a-1', 'b-2'],
		);
	});

	test('consecutive identical skips of a job are merged with a count, first and last instant', () => {
		const records = [rec('a', 1), skip('a', 2), skip('b', 3), skip('a', 4), skip('a', 5), rec('a', 6), skip('a', 7)];
		const kept = plan(records);
		assert.deepEqual(
			kept.map((r) => [r.runId, r.count ?? 1]),
			[
				['a-1', 1],
				['b-3', 1],
				['a-5', 3],
				['a-6', 1],
				['a-7', 1],
			],
		);
		const merged = kept[2];
		assert.equal(merged.firstAt, skip('a', 2).startedAt);
		assert.equal(merged.lastAt, skip('a', 5).endedAt);
		assert.equal(merged.endedAt, merged.lastAt);
	});

	test('merging adds up records that already carry a count', () => {
		const kept = plan([{ ...skip('a', 1), count: 10, firstAt: rec('a', 0).startedAt, lastAt: skip('a', 1).endedAt }, { ...skip('a', 2), count: 5, firstAt: skip('a', 2).startedAt, lastAt: skip('a', 3).endedAt }]);
		assert.equal(kept.length, 1);
		assert.equal(kept[0].count, 15);
		assert.equal(kept[0].firstAt, rec('a', 0).startedAt);
		assert.equal(kept[0].lastAt, skip('a', 3).endedAt);
	});
});
