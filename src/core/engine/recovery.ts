import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HistoryStore, InFlightRun } from '../records/history';
import { findEscapedRunProcesses } from '../process/leftovers';
import type { RunRecord } from '../model';
import { RunJournal } from '../records/runJournal';
import { isProcessAlive } from '../base/processAlive';

/**
 * What a dead process left behind: every run it had journaled as started (`orphans`, whose
 * scheduled instants count as fired), and an `interrupted` record for each that has no final
 * record in history yet.
 */
export function recoverInterruptedRuns(stateDir: string, history: HistoryStore, now: number): { orphans: InFlightRun[]; records: RunRecord[] } {
	const orphans = takeDeadJournals(stateDir);
	if (orphans.length === 0) {
		return { orphans, records: [] };
	}
	const unrecorded = withoutRecorded(orphans, history);
	const endedAt = new Date(now).toISOString();
	const leftovers = findEscapedRunProcesses('WORKSPACE_JOBS_RUN_ID', new Set(unrecorded.map((o) => o.runId)));
	const records: RunRecord[] = unrecorded.map((o) => ({
		jobId: o.jobId,
		runId: o.runId,
		attempt: o.attempt,
		status: 'interrupted',
		reason: 'interrupted',
		message: 'the process running the scheduler ended while this run was in progress',
		exitCode: null,
		startedAt: o.startedAt,
		endedAt,
		durationMs: Math.max(0, now - Date.parse(o.startedAt)),
		trigger: o.trigger,
		...(o.scheduledAt ? { scheduledAt: o.scheduledAt } : {}),
		...(o.logFile ? { logFile: o.logFile } : {}),
		...(leftovers.has(o.runId) ? { escaped: leftovers.get(o.runId) } : {}),
	}));
	return { orphans, records };
}

/**
 * Claims the journals of processes that are gone (rename first, so two recovering processes never
 * both report the same run) and returns their unfinished runs.
 */
function takeDeadJournals(stateDir: string): InFlightRun[] {
	let names: string[];
	try {
		names = fs.readdirSync(stateDir);
	} catch {
		return [];
	}
	const orphans: InFlightRun[] = [];
	for (const name of names) {
		const match = /^inflight-(\d+)\.jsonl$/.exec(name);
		if (!match || Number(match[1]) === process.pid || isProcessAlive(Number(match[1]))) {
			continue;
		}
		const claimed = path.join(stateDir, `${name}.claimed-${process.pid}`);
		try {
			fs.renameSync(path.join(stateDir, name), claimed);
		} catch {
			continue;
		}
		orphans.push(...new RunJournal(claimed).takeOrphans());
		fs.rmSync(claimed, { force: true });
	}
	return orphans;
}

/** Drops runs whose final record made it to history just before the host died (before the journal's end line). */
function withoutRecorded(orphans: InFlightRun[], history: HistoryStore): InFlightRun[] {
	const since = Math.min(...orphans.map((o) => Date.parse(o.startedAt)));
	let recorded: Set<string>;
	try {
		const records = history.read(Number.isFinite(since) ? { since: new Date(since).toISOString() } : {});
		recorded = new Set(records.map((r) => `${r.runId}#${r.attempt}`));
	} catch {
		return orphans;
	}
	return orphans.filter((o) => !recorded.has(`${o.runId}#${o.attempt}`));
}
