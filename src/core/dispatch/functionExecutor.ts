import { abortKind, RunAbort } from '../base/abort';
import type { Clock } from '../base/clock';
import type { IDisposable } from '../base/disposable';
import { formatElapsed } from '../base/timeFormat';
import type { Logger } from '../base/logger';
import type { JobContext, JobDefinition, RunRecord } from '../model';
import { type AttemptOutcome, buildRecord } from '../records/runRecord';
import { type AttemptExecutor, messageOf } from './dispatcher';
import type { RunHandle } from './runHandle';

/** What an in-process attempt needs from the engine around it. */
export interface FunctionContext {
	readonly clock: Clock;
	readonly logger: Logger;
	/** Marks the run running; its start is journaled with the next batch. */
	started(handle: RunHandle): void;
}

/**
 * Runs a job defined in code (`job.run`, from the API) with an `AbortSignal`. A function that
 * ignores its signal still frees its slot: the attempt settles as soon as it is aborted or times out.
 */
export class FunctionExecutor implements AttemptExecutor {
	constructor(private readonly ctx: FunctionContext) {}

	async run(job: JobDefinition, handle: RunHandle): Promise<RunRecord> {
		const { clock, logger } = this.ctx;
		const { info } = handle;
		this.ctx.started(handle);
		const startedAt = clock.now();
		// A timeout aborts the attempt's signal, not the run's: a retry may follow it.
		let timer: IDisposable | undefined;
		let timeout: AbortSignal | undefined;
		if (job.timeoutMs) {
			const controller = new AbortController();
			timer = clock.setTimeout(() => controller.abort(new RunAbort('timeout', `timed out after ${formatElapsed(job.timeoutMs ?? 0)}`)), job.timeoutMs);
			timeout = controller.signal;
		}
		let signal: AbortSignal | undefined;
		const context: JobContext = {
			jobId: job.id,
			runId: info.runId,
			attempt: info.attempt,
			get signal() {
				return (signal ??= timeout ? AbortSignal.any([handle.signal, timeout]) : handle.signal);
			},
			log: (line) => logger.trace(line, { jobId: job.id, runId: info.runId }),
		};
		let outcome: AttemptOutcome = { status: 'completed', exitCode: null };
		try {
			await handle.race(job.run!(context), timeout);
		} catch (err) {
			if (handle.aborted || timeout?.aborted) {
				const kind = handle.aborted ? abortKind(handle.reason) : 'timeout';
				outcome = {
					status: kind === 'timeout' ? 'failed' : 'canceled',
					reason: kind,
					message: kind === 'timeout' ? `timed out after ${formatElapsed(job.timeoutMs ?? 0)}` : messageOf(handle.reason),
					exitCode: null,
				};
			} else {
				outcome = { status: 'failed', reason: 'error', message: err instanceof Error ? err.message : String(err), exitCode: null };
			}
		} finally {
			timer?.dispose();
		}
		return buildRecord(info, outcome, startedAt, clock.now());
	}
}
