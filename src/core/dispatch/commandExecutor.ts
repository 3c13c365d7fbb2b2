import * as fs from 'node:fs';
import * as path from 'node:path';
import { abortKind } from '../base/abort';
import type { Clock } from '../base/clock';
import { mergeEnv } from '../base/envMerge';
import type { Logger } from '../base/logger';
import type { JobDefinition, RunRecord } from '../model';
import type { ProcessResult, ProcessSpec } from '../process/runner';
import { OutputLog } from '../records/outputLog';
import { describeFileError } from '../records/fileProblems';
import { buildRecord } from '../records/runRecord';
import type { AttemptExecutor } from './dispatcher';
import type { RunHandle } from './runHandle';

/** A chunk of a run's output. */
export interface RunOutput {
	jobId: string;
	runId: string;
	stream: 'stdout' | 'stderr';
	text: string;
}

/** Bytes of each run's output copied to the logger when the host sets no limit. */
export const defaultOutputLogLimit = 16_384;

/** What a command attempt needs from the engine around it. */
export interface CommandContext {
	readonly clock: Clock;
	readonly logger: Logger;
	/** Default cwd of a job. */
	readonly workspaceFolder: string;
	/** Run logs go to `<stateDir>/logs/<job>/`; none without a state folder. */
	readonly stateDir: string | undefined;
	/** Starts a process group and resolves when it is gone (the launcher, or a replacement in benchmarks). */
	readonly runner: (spec: ProcessSpec) => Promise<ProcessResult>;
	/** The environment every job's `env` is merged over (taken at each load). */
	baseEnv(): NodeJS.ProcessEnv;
	outputLogLimit(): number;
	killGraceMs(): number | undefined;
	/** Journals the start (resolving once it is on disk) and marks the run running. */
	started(handle: RunHandle): Promise<void>;
	/** Who hears of output chunks now, if anyone (checked once per attempt). */
	outputListener(): ((output: RunOutput) => void) | undefined;
}

/** Runs a job's shell command in its own process group and makes the attempt's record. */
export class CommandExecutor implements AttemptExecutor {
	constructor(private readonly ctx: CommandContext) {}

	async run(job: JobDefinition, handle: RunHandle): Promise<RunRecord> {
		const { ctx } = this;
		const { info } = handle;
		const logFile = ctx.stateDir ? path.join(ctx.stateDir, 'logs', job.id, `${info.runId}-${info.attempt}.log`) : undefined;
		if (ctx.stateDir && !isRunLogPath(ctx.stateDir, logFile!)) {
			// The definitions refuse such ids; an engine loaded another way must not write outside logs/ either.
			const now = ctx.clock.now();
			const message = `not run: the job id ${JSON.stringify(job.id)} would put its run log outside ${path.join(ctx.stateDir, 'logs')}`;
			return buildRecord(info, { status: 'failed', reason: 'error', message, exitCode: null }, now, now);
		}
		info.logFile = logFile;
		await ctx.started(handle);
		const context = { jobId: job.id, runId: info.runId };
		const output = new OutputLog(ctx.logger, context, ctx.outputLogLimit(), logFile);
		const listener = ctx.outputListener();
		let printed = false;
		const startedAt = ctx.clock.now();
		const result = await ctx.runner({
			command: job.command as string,
			shell: job.shell,
			cwd: job.cwd ?? ctx.workspaceFolder,
			env: mergeEnv(ctx.baseEnv(), [job.env, { WORKSPACE_JOBS_JOB_ID: job.id, WORKSPACE_JOBS_RUN_ID: info.runId, WORKSPACE_JOBS_ATTEMPT: String(info.attempt) }]),
			timeoutMs: job.timeoutMs,
			signal: handle.signal,
			killGraceMs: ctx.killGraceMs(),
			logFile,
			onOutput: (stream, text) => {
				printed ||= text.length > 0;
				output.write(stream, text);
				listener?.({ jobId: job.id, runId: info.runId, stream, text });
			},
		});
		const endedAt = ctx.clock.now();
		output.end();
		// A log that failed may not exist at all: then the record names none.
		const kept = printed && !result.logError ? logFile : await removeEmptyLog(logFile);
		const aborted = handle.aborted && result.reason === 'canceled' ? abortKind(handle.reason) : undefined;
		if (result.escaped.length > 0) {
			ctx.logger.warn(`Processes escaped the job's process group and were killed: ${result.escaped.join(', ')}`, context);
		}
		if (result.logError) {
			ctx.logger.error(`Output not saved in full: could not write the run log ${logFile}: ${describeFileError(result.logError)}; the rest of the output was only shown live (the record says outputTruncated)`, context);
		}
		return buildRecord(
			info,
			{
				status: result.reason === undefined ? 'completed' : aborted ? 'canceled' : 'failed',
				reason: aborted ?? result.reason,
				message: result.message,
				exitCode: result.exitCode,
				signal: result.signal,
				logFile: kept,
				escaped: result.escaped.length ? result.escaped : undefined,
				outputTruncated: result.logError !== undefined,
			},
			startedAt,
			endedAt,
		);
	}
}

/** True when `logFile` is `<stateDir>/logs/<one folder>/<file>`: ids such as `..`, `.` or `a/b` are not. */
function isRunLogPath(stateDir: string, logFile: string): boolean {
	return path.dirname(path.dirname(logFile)) === path.join(stateDir, 'logs');
}

/**
 * A run that printed nothing keeps no log file and its record no `logFile` (a busy schedule of
 * silent jobs made 25,000 empty files a minute). The file is removed only if it is empty: the
 * launcher writes the log itself, and what it wrote is what this process was told.
 */
async function removeEmptyLog(logFile: string | undefined): Promise<string | undefined> {
	if (!logFile) {
		return undefined;
	}
	try {
		if ((await fs.promises.stat(logFile)).size > 0) {
			return logFile;
		}
		await fs.promises.unlink(logFile);
	} catch {
		// Never created (the run did not start), or already gone.
	}
	return undefined;
}
