import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendToFile, forEachLine, repairTornTail, splitJsonLine, truncateFile } from './jsonLines';
import type { RunRecord } from '../model';
import { runKey } from './runRecord';
import { isProcessAlive } from '../base/processAlive';
import { writeFileAtomic } from '../base/atomicFile';
import { describeFileError, LineProblems, type ProblemSink } from './fileProblems';
import { inFlightProblem } from './recordSchema';
import { ensurePrivateFolder } from '../base/privateFiles';

/*
 * `inflight.jsonl`: one 'start' line when a run starts and one 'end' line when it ends, both
 * appended synchronously, so whatever kills the host, the next process finds the runs it left.
 * Reading a journal never throws on its content: invalid lines are skipped with one warning, and
 * an unreadable journal is reported and taken as empty.
 */

/** A run that has started and not yet ended, as the journal keeps it. */
export interface InFlightRun {
	jobId: string;
	runId: string;
	attempt: number;
	startedAt: string;
	trigger: RunRecord['trigger'];
	scheduledAt?: string;
	pid?: number;
	logFile?: string;
}

type JournalLine = { type: 'start'; host: number; run: InFlightRun } | { type: 'end'; runId: string; attempt: number };

/** Past this many appended bytes the journal is rewritten with only its open runs. */
const journalCompactBytes = 1024 * 1024;

/**
 * Journal of runs in flight, so that the next process can report the runs a killed or crashed
 * host left behind as `interrupted` instead of forgetting them. Each start line names its host
 * pid: runs of another live process sharing the state folder are never taken as orphans.
 */
export class RunJournal {
	/** Runs this instance started and has not ended. */
	private readonly own = new Set<string>();
	private needsRepair = true;
	private appendedBytes = 0;
	private readonly problems: LineProblems;

	constructor(
		private readonly file: string,
		problems?: ProblemSink,
	) {
		this.problems = new LineProblems(problems);
	}

	/** Records that runs started (one write). */
	started(runs: readonly InFlightRun[]): void {
		if (runs.length === 0) {
			return;
		}
		const lines = runs.map((run) => ({ type: 'start', host: process.pid, run }) satisfies JournalLine);
		this.write(lines);
		for (const run of runs) {
			this.own.add(runKey(run));
		}
		if (this.appendedBytes > journalCompactBytes) {
			this.compact();
		}
	}

	/**
	 * Records that runs it started ended (one write; runs it never journaled are passed over);
	 * empties the file when nothing is in flight any more.
	 */
	ended(keys: readonly { runId: string; attempt: number }[]): void {
		const mine = keys.filter((k) => this.own.has(runKey(k)));
		if (mine.length === 0) {
			return;
		}
		this.write(mine.map((k) => ({ type: 'end', runId: k.runId, attempt: k.attempt }) satisfies JournalLine));
		for (const key of mine) {
			this.own.delete(runKey(key));
		}
		if (this.own.size === 0) {
			this.truncateIfIdle();
		}
	}

	/**
	 * Every run that an earlier, now dead, process started and never ended; each is returned
	 * once (an end line is written for it), and the file is emptied when nothing else is open.
	 */
	takeOrphans(): InFlightRun[] {
		const open = this.readOpen();
		if (!open) {
			return [];
		}
		const orphans: InFlightRun[] = [];
		for (const [key, entry] of open) {
			const isOrphan = entry.host === process.pid ? !this.own.has(key) : !isProcessAlive(entry.host);
			if (isOrphan) {
				orphans.push(entry.run);
				open.delete(key);
			}
		}
		try {
			if (open.size === 0) {
				truncateFile(this.file);
				this.appendedBytes = 0;
			} else if (orphans.length > 0) {
				this.write(orphans.map((run) => ({ type: 'end', runId: run.runId, attempt: run.attempt }) satisfies JournalLine));
			}
		} catch (err) {
			// The orphans are still returned: reporting them twice beats never reporting them.
			this.problems.cannotRead(this.file, err, 'its runs may be reported again');
		}
		return orphans;
	}

	private write(lines: readonly JournalLine[]): void {
		const data = lines.map((line) => JSON.stringify(line) + '\n').join('');
		if (this.needsRepair) {
			ensurePrivateFolder(path.dirname(this.file));
			repairTornTail(this.file);
			this.needsRepair = false;
		}
		try {
			appendToFile(this.file, data);
		} catch (err) {
			this.needsRepair = true;
			throw err;
		}
		this.appendedBytes += data.length;
	}

	/**
	 * Starts without an end, in file order, or `undefined` when the file cannot be read. Another
	 * process may share the file, so it is re-read.
	 */
	private readOpen(): Map<string, { host: number; run: InFlightRun }> | undefined {
		const open = new Map<string, { host: number; run: InFlightRun }>();
		const bad = this.problems.read(this.file);
		try {
			forEachLine(this.file, (text, lineNumber, offset) => {
				if (text.length === 0) {
					return;
				}
				// A torn entry glued to the next keeps the next (splitJsonLine).
				const { values, fragment } = splitJsonLine(text);
				if (values.length === 0 || fragment !== '') {
					bad.add(offset, values.length === 0 ? 'a line that is not a JSON object' : 'a torn entry glued to the next (the one after it kept)', lineNumber);
				}
				for (const { value: line } of values) {
					const problem = journalLineProblem(line);
					if (problem !== undefined) {
						bad.add(offset, problem, lineNumber);
					} else if (line.type === 'start') {
						const run = line.run as InFlightRun;
						open.set(runKey(run), { host: line.host as number, run });
					} else {
						open.delete(runKey(line as { runId: string; attempt: number }));
					}
				}
			});
			this.problems.readable(this.file);
		} catch (err) {
			this.problems.cannotRead(this.file, err, 'the runs it lists in flight are not recovered');
			return undefined;
		} finally {
			bad.finish();
		}
		return open;
	}

	private truncateIfIdle(): void {
		if (this.readOpen()?.size === 0) {
			truncateFile(this.file);
			this.appendedBytes = 0;
		}
	}

	/** Rewrites the journal with only its open runs, when busy hosts never let it empty. */
	private compact(): void {
		const open = this.readOpen();
		if (!open) {
			return;
		}
		const lines = [...open.values()].map(({ host, run }) => JSON.stringify({ type: 'start', host, run } satisfies JournalLine) + '\n');
		writeFileAtomic(this.file, lines.join(''));
		this.appendedBytes = 0;
	}
}

/** What is wrong with a journal line, in words that follow "skipped ". */
function journalLineProblem(line: Record<string, unknown> | undefined): string | undefined {
	if (!line) {
		return 'a line that is not a JSON object';
	}
	if (line.type === 'start') {
		if (!Number.isSafeInteger(line.host) || (line.host as number) < 1) {
			return 'a start line whose "host" is not a pid';
		}
		const problem = inFlightProblem(line.run);
		return problem === undefined ? undefined : `a start line ${problem}`;
	}
	if (line.type === 'end') {
		return typeof line.runId === 'string' && Number.isSafeInteger(line.attempt) ? undefined : 'an end line without "runId" and "attempt"';
	}
	return 'a line whose "type" is neither "start" nor "end"';
}

/**
 * Claims the journals of processes that are gone (rename first, so two recovering processes never
 * both report the same run) and returns their unfinished runs. A journal that cannot be read or
 * removed is reported and left aside (renamed, so it is not tried again).
 */
export function takeDeadJournals(stateDir: string, problems?: ProblemSink): InFlightRun[] {
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
		orphans.push(...new RunJournal(claimed, problems).takeOrphans());
		try {
			fs.rmSync(claimed, { force: true });
		} catch (err) {
			problems?.({ file: claimed, message: `cannot be removed: ${describeFileError(err)}; it is left aside` });
		}
	}
	return orphans;
}
