/**
 * `workspace-jobs explain ID`: why a job did or did not run, from a second process. The CLI runs
 * no schedule here: it reads the definition from the file, the job's recent records from history,
 * its enabled switch from `state.json`, and asks the runner lease who schedules the folder (a
 * VS Code window or `workspace-jobs start`, with its pid).
 */
import * as path from 'node:path';
import { workspaceStateDir } from '../core/base/stateDir';
import type { InstantOptions } from '../core/base/timeFormat';
import type { ParseResult } from '../core/definitions/jobsFile';
import { explainHistoryLimit } from '../core/engine/engine';
import { type Explanation, explainJob } from '../core/engine/explain';
import { renderExplanation } from '../core/engine/explainText';
import { queryRunner } from '../core/engine/runnerService';
import { type FileProblem, formatFileProblem } from '../core/records/fileProblems';
import { HistoryStore } from '../core/records/history';
import { readPersistedState } from '../core/records/persistedState';
import { historyFileName, stateFileName } from '../core/records/runStore';
import { unknownJobLines } from './format';

export interface ExplainOptions {
	file: string;
	json: boolean;
	time: InstantOptions;
	/** Next fire times to list. */
	count: number;
}

/** Prints the explanation (text, or one JSON object with `--json`); exit 1 for an unknown job. */
export async function explainCommand(result: ParseResult, id: string | undefined, options: ExplainOptions, usageError: (message: string) => Error): Promise<number> {
	if (!id) {
		throw usageError('explain needs a job id');
	}
	const job = result.config.jobs.find((j) => j.id === id);
	if (!job) {
		const known = result.config.jobs.map((j) => j.id);
		process.stderr.write(known.length ? `workspace-jobs: ${unknownJobLines([id], known)[0]}\n` : `workspace-jobs: no valid job "${id}" in an empty or invalid file\n`);
		return 1;
	}
	const folder = path.dirname(options.file);
	const stateDir = workspaceStateDir(folder);
	const problems = (problem: FileProblem) => process.stderr.write(`workspace-jobs: warning: ${formatFileProblem(problem)}\n`);
	const records = new HistoryStore(path.join(stateDir, historyFileName), { problems }).read({ jobId: id, limit: explainHistoryLimit });
	const state = readPersistedState(path.join(stateDir, stateFileName), problems);
	const holder = await queryRunner(folder);
	const now = Date.now();
	const explanation = explainJob({
		job,
		enabled: state.enabled?.[id] ?? job.enabled ?? true,
		records,
		runner: holder ? { kind: 'other', holder } : { kind: 'none' },
		now,
		nextCount: options.count,
		anchor: job.schedule?.kind === 'every' ? state.lastFired?.[id] : undefined,
	});
	process.stdout.write(options.json ? `${JSON.stringify(explanationJson(explanation))}\n` : renderExplanation(explanation, { now, time: options.time }));
	return 0;
}

/** The explanation with every instant as ISO-8601 UTC, as all `--json` output has them. */
export function explanationJson(ex: Explanation): object {
	const iso = (ms: number) => new Date(ms).toISOString();
	return {
		...ex,
		blockers: ex.blockers.map((b) => ('at' in b ? { ...b, at: iso(b.at) } : b)),
		decisions: ex.decisions.map(({ record, at, scheduledAt, ...rest }) => ({ ...rest, at: iso(at), ...(scheduledAt === undefined ? {} : { scheduledAt: iso(scheduledAt) }), record })),
		nextRuns: ex.nextRuns.map((r) => ({ ...r, at: iso(r.at) })),
	};
}
