/**
 * A host process for the permission tests: sets its umask before anything starts (the launcher
 * inherits it when it is spawned), then makes an engine write every kind of state file into the
 * state root in `WORKSPACE_JOBS_STATE_DIR`: run logs (launcher or direct spawn, as
 * `WORKSPACE_JOBS_LAUNCHER` says), history, the journal, `state.json`, recovered interrupted
 * runs, a rotated history, a history rewritten as retention does and a compacted journal.
 * Prints one JSON line with what it did, for the test to check.
 *
 * Usage: node <tsx flags> privateStateChild.ts UMASK_OCTAL WORKSPACE_FOLDER
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine/engine';
import { workspaceStateDir } from '../../src/core/base/stateDir';
import { HistoryStore } from '../../src/core/records/history';
import { writeFileAtomicAsync } from '../../src/core/base/atomicFile';
import { RunJournal } from '../../src/core/records/runJournal';
import { launcherPid } from '../../src/core/process/launcher/launcher';

async function main(): Promise<void> {
	const [umask, workspace] = process.argv.slice(2);
	process.umask(parseInt(umask, 8));
	const stateDir = workspaceStateDir(workspace);
	const engine = new Engine({ workspaceFolder: workspace });
	engine.load({
		jobs: [
			{ id: 'print', command: 'echo token-1234; echo warn >&2' },
			{ id: 'fail', command: 'echo failing; exit 2', retry: { retries: 1, backoff: 'fixed', delayMs: 10 } },
		],
	});
	const records = await engine.run(['print', 'fail']);
	// A second run of print: a job folder with two logs.
	records.push(...(await engine.run(['print'])));
	engine.register({ id: 'fn', run: async () => undefined });
	records.push(...(await engine.run(['fn'])));
	await engine.stop();
	const launcher = launcherPid();
	const recovered = engine.readHistory().filter((r) => r.status === 'interrupted').map((r) => r.runId);
	engine.dispose();

	// A rewrite of history as retention makes it (records/pruner.ts): the kept lines staged with
	// an atomic write next to it, then renamed over it.
	const historyFile = path.join(stateDir, 'history.jsonl');
	const kept = fs.readFileSync(historyFile, 'utf8').split('\n').slice(-3).join('\n');
	await writeFileAtomicAsync(`${historyFile}.pruned`, kept);
	fs.renameSync(`${historyFile}.pruned`, historyFile);
	// Rotation: history.jsonl moves to history.1.jsonl and a new one is made.
	new HistoryStore(historyFile, { maxBytes: 1 }).append([records[0]]);
	// A journal past its size limit is rewritten with its open runs (an atomic write).
	const journal = new RunJournal(path.join(stateDir, 'journal-compaction.jsonl'));
	const start = { jobId: 'print', runId: 'r', attempt: 1, startedAt: new Date().toISOString(), trigger: 'manual' as const };
	journal.started(Array.from({ length: 6000 }, (_, i) => ({ ...start, runId: `r${i}` })));
	process.stdout.write(`${JSON.stringify({ stateDir, launcher, records, recovered })}\n`);
}

main().catch((err) => {
	process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
	process.exitCode = 1;
});
