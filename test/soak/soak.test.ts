import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { workspaceStateDir } from '../../src/core/base/stateDir';
import { waitFor } from '../support/wait';

/**
 * Load and soak: 10,000 short command runs through the CLI's `start` (the same bundle as
 * dist/cli.js, built from src so it is never stale), concurrency 8, a mix of successes, failures
 * with and without retries, timeouts and replaced (canceled) runs. Then: one final record per
 * run, counters that add up, no process left over, and flat memory. Figures go to the test's
 * diagnostics (`# ...` lines) so a CI log shows the throughput and RSS of each run.
 *
 * Override the target with WORKSPACE_JOBS_SOAK_RUNS (e.g. 100000 for a long local soak).
 */

const root = path.resolve(__dirname, '../..');
const target = Number(process.env.WORKSPACE_JOBS_SOAK_RUNS ?? 10_000);
/** Records before the first RSS sample: the heap grows for the first ~1,500 runs, then stays flat. */
const warmUp = Math.min(2000, Math.floor(target / 5));
/** Shorter soaks end inside the growth, so they report memory without checking it. */
const checkMemory = target >= 4 * 2000;
/** A soak may not take longer than this on a 2-core CI machine (about 120 runs/s, 85 s for 10,000, measured). */
const timeLimitMs = Math.max(240_000, target * 25);
/** Growth of the `start` process's resident memory between warm-up and the end. */
const rssMarginKb = 30 * 1024;

let tmp: string;
let cli: string;

before(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-soak-'));
	cli = path.join(tmp, 'cli.js');
	buildSync({ entryPoints: [path.join(root, 'src/cli/main.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'], loader: { '.pl': 'text' }, outfile: cli, logLevel: 'error' });
});

after(() => {
	fs.rmSync(tmp, { recursive: true, force: true });
});

/** The jobs fire about 120 times a second in all, below what one Node process can spawn (~150/s). */
function soakJobs(marker: string): object {
	const tag = `: ${marker};`;
	return {
		concurrency: 8,
		// The soak counts every record in history: retention (100 runs per job by default) must not prune them meanwhile.
		retention: { runs: 1_000_000, days: 36_500 },
		jobs: [
			{ id: 'ok-allow', command: `${tag} true`, schedule: { every: '35ms' }, overlap: 'allow' },
			{ id: 'ok-skip', command: `${tag} echo out`, schedule: { every: '50ms' } },
			{ id: 'ok-queue', command: `${tag} echo err >&2`, schedule: { every: '60ms' }, overlap: 'queue' },
			{ id: 'fail', command: `${tag} exit 1`, schedule: { every: '70ms' }, overlap: 'allow' },
			{ id: 'fail-retry', command: `${tag} exit 2`, schedule: { every: '140ms' }, overlap: 'allow', retry: { retries: 1, delay: '10ms' } },
			{
				id: 'flaky',
				command: `${tag} [ "$WORKSPACE_JOBS_ATTEMPT" -ge 2 ]`,
				schedule: { every: '140ms' },
				overlap: 'allow',
				retry: { retries: 2, delay: '5ms' },
			},
			{ id: 'timeout', command: `${tag} sleep 5.${marker.slice(-6)}`, schedule: { every: '180ms' }, overlap: 'allow', timeout: '100ms' },
			{ id: 'replace', command: `${tag} sleep 3.${marker.slice(-6)}`, schedule: { every: '100ms' }, overlap: 'replace' },
			{ id: 'signal', command: `${tag} kill -TERM $$`, schedule: { every: '180ms' }, overlap: 'allow' },
			{ id: 'background', command: `${tag} sleep 4.${marker.slice(-6)} & true`, schedule: { every: '200ms' }, overlap: 'allow' },
		],
	};
}

interface Record_ {
	jobId: string;
	runId: string;
	attempt: number;
	status: string;
	reason?: string;
	willRetry?: boolean;
}

/** Counts final records (attempts without `willRetry`) in the history file, cheaply. */
function countFinal(file: string): number {
	let text: string;
	try {
		text = fs.readFileSync(file, 'latin1');
	} catch {
		return 0;
	}
	let lines = 0;
	for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
		lines++;
	}
	let retries = 0;
	for (let i = text.indexOf('"willRetry":true'); i >= 0; i = text.indexOf('"willRetry":true', i + 1)) {
		retries++;
	}
	return lines - retries;
}

function rssKb(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
}

/** Live (non-zombie) processes whose command line contains `marker` or whose environment contains `envMarker`. */
function leftovers(marker: string, envMarker: string): string[] {
	const found: string[] = [];
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name) || Number(name) === process.pid) {
			continue;
		}
		try {
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
			if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') {
				continue;
			}
			const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ');
			const environ = fs.readFileSync(`/proc/${name}/environ`, 'latin1');
			if (cmdline.includes(marker) || environ.includes(envMarker)) {
				found.push(`${name} ${cmdline}`);
			}
		} catch {
			// Gone while we looked, or not ours.
		}
	}
	return found;
}

test(`runs ${target} short jobs through start with one final record each, no leftovers and flat memory`, { timeout: timeLimitMs + 60_000 }, async (t) => {
	const marker = `wjsoak${process.pid}${Math.floor(Math.random() * 1e6)}`;
	const dir = fs.mkdtempSync(path.join(tmp, 'ws-'));
	const stateRoot = path.join(tmp, `state-${marker}`);
	const file = path.join(dir, '.jobs.json');
	fs.writeFileSync(file, JSON.stringify(soakJobs(marker), null, '\t'));
	const started = Date.now();
	const child: ChildProcess = spawn(process.execPath, [cli, 'start', '--quiet', '--file', file], {
		// The soak's intervals (35 to 200 ms) are below the 1 s minimum a .jobs.json gets by default.
		env: { ...process.env, WORKSPACE_JOBS_STATE_DIR: stateRoot, WORKSPACE_JOBS_MIN_INTERVAL_MS: '1' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout!.on('data', (d) => (output = (output + d).slice(-20_000)));
	child.stderr!.on('data', (d) => (output = (output + d).slice(-20_000)));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	const pid = child.pid!;
	try {
		// The folder's own state folder: the state root also holds others (the lease's `leases/`).
		const stateDir = workspaceStateDir(dir, stateRoot);
		assert.ok(await waitFor(() => fs.existsSync(stateDir), 10_000, 50), output);
		const historyFile = path.join(stateDir, 'history.jsonl');

		assert.ok(await waitFor(() => countFinal(historyFile) >= warmUp, timeLimitMs, 250), `warm-up: ${countFinal(historyFile)} records\n${output}`);
		const warmAt = Date.now();
		const warmCount = countFinal(historyFile);
		const rssWarm = rssKb(pid);
		let rssPeak = rssWarm;
		assert.ok(
			await waitFor(
				() => {
					rssPeak = Math.max(rssPeak, rssKb(pid));
					return countFinal(historyFile) >= target;
				},
				timeLimitMs - (warmAt - started),
				500,
			),
			`only ${countFinal(historyFile)} of ${target} records in ${Date.now() - started} ms\n${output}`,
		);
		const rssEnd = rssKb(pid);
		const endAt = Date.now();
		const endCount = countFinal(historyFile);

		child.kill('SIGTERM');
		assert.equal(await exited, 0, output);
		const stoppedAt = Date.now();

		const text = fs.readFileSync(historyFile, 'utf8');
		assert.ok(text.endsWith('\n'), 'history ends with a complete line');
		const records = text
			.split('\n')
			.filter(Boolean)
			.map((line) => JSON.parse(line) as Record_);
		const runs = checkRecords(records);

		const byStatus = new Map<string, number>();
		const byReason = new Map<string, number>();
		const finals = records.filter((r) => !r.willRetry);
		for (const r of finals) {
			byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
			const key = `${r.jobId}:${r.status}${r.reason ? `/${r.reason}` : ''}`;
			byReason.set(key, (byReason.get(key) ?? 0) + 1);
		}
		assert.equal(finals.length, runs, 'one final record per run');
		assert.equal([...byStatus.values()].reduce((a, b) => a + b, 0), runs, 'counts by status add up to the runs');
		assert.equal(records.filter((r) => r.willRetry).length + runs, records.length, 'retried attempts plus final ones are all the attempts');
		assert.ok(finals.length >= target);
		// Every kind of outcome happened.
		for (const key of ['ok-allow:completed', 'fail:failed/exit-code', 'fail-retry:failed/exit-code', 'flaky:completed', 'timeout:failed/timeout', 'replace:canceled/replaced', 'signal:failed/signal']) {
			assert.ok((byReason.get(key) ?? 0) > 0, `no ${key} in ${JSON.stringify([...byReason])}`);
		}
		assert.equal(byStatus.get('interrupted') ?? 0, 0);
		// A clean stop leaves no run open in the journal.
		for (const name of fs.readdirSync(stateDir).filter((n) => n.startsWith('inflight-'))) {
			assert.equal(fs.readFileSync(path.join(stateDir, name), 'utf8'), '', `${name} is empty`);
		}

		assert.ok(await waitFor(() => leftovers(marker, stateRoot).length === 0, 3000, 50), `left over:\n${leftovers(marker, stateRoot).join('\n')}`);

		const seconds = (endAt - warmAt) / 1000;
		t.diagnostic(`${finals.length} final records (${records.length} attempts) in ${((stoppedAt - started) / 1000).toFixed(1)} s`);
		t.diagnostic(`steady rate ${((endCount - warmCount) / seconds).toFixed(0)} final records/s after warm-up`);
		t.diagnostic(`by status ${JSON.stringify(Object.fromEntries(byStatus))}`);
		t.diagnostic(`by job ${JSON.stringify(Object.fromEntries([...byReason].sort()))}`);
		t.diagnostic(`RSS of start: ${(rssWarm / 1024).toFixed(1)} MB after ${warmCount} runs, ${(rssEnd / 1024).toFixed(1)} MB after ${endCount}, peak ${(rssPeak / 1024).toFixed(1)} MB`);
		if (checkMemory) {
			assert.ok(rssEnd - rssWarm < rssMarginKb, `RSS grew from ${rssWarm} kB to ${rssEnd} kB`);
		}
	} finally {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGKILL');
		}
	}
});

/** Every attempt once; attempts of a run are 1..n, only the last without `willRetry`. Returns the number of runs. */
function checkRecords(records: Record_[]): number {
	const seen = new Set<string>();
	const runs = new Map<string, Record_[]>();
	for (const r of records) {
		const key = `${r.runId}#${r.attempt}`;
		assert.ok(!seen.has(key), `attempt ${key} recorded twice`);
		seen.add(key);
		const list = runs.get(r.runId);
		if (list) {
			list.push(r);
		} else {
			runs.set(r.runId, [r]);
		}
	}
	for (const [runId, attempts] of runs) {
		attempts.sort((a, b) => a.attempt - b.attempt);
		assert.deepEqual(
			attempts.map((a) => a.attempt),
			attempts.map((_, i) => i + 1),
			`attempts of ${runId}`,
		);
		const finals = attempts.filter((a) => !a.willRetry);
		assert.equal(finals.length, 1, `run ${runId} has ${finals.length} final records`);
		assert.equal(finals[0], attempts[attempts.length - 1], `the final record of ${runId} is its last attempt`);
		assert.ok(new Set(attempts.map((a) => a.jobId)).size === 1, `run ${runId} belongs to one job`);
	}
	return runs.size;
}
