import PQueue from 'p-queue';
import { abortableDelay, abortKind, RunAbort, yieldToLoop } from '../base/abort';
import type { Clock } from '../base/clock';
import { formatElapsed } from '../base/timeFormat';
import type { Logger } from '../base/logger';
import { isoTime } from '../base/isoTime';
import type { ActiveRun, JobDefinition, RunReason, RunRecord, Trigger } from '../model';
import { buildRecord } from '../records/runRecord';
import { newRunId } from '../records/runIds';
import { maxAttempts, retryDelay } from './backoff';
import type { JobStates } from './jobStates';
import { RunHandle } from './runHandle';

/** Every this many dispatches the queue yields to the event loop, so timers and I/O are not starved. */
const dispatchBatch = 64;

/** Runs one attempt of a job that holds a queue slot and turns its outcome into a record. */
export interface AttemptExecutor {
	run(job: JobDefinition, handle: RunHandle): Promise<RunRecord>;
}

/** What the dispatcher needs from the engine around it. */
export interface DispatchContext {
	readonly clock: Clock;
	readonly logger: Logger;
	readonly states: JobStates;
	requireJob(jobId: string): JobDefinition;
	/** Records a finished attempt; resolves once it is on disk and reported. */
	finish(record: RunRecord): Promise<void>;
	/** True while the engine stops: no retry starts then. */
	isStopping(): boolean;
	/** Runs commands (`job.command`) and in-process functions (`job.run`). */
	readonly commands: AttemptExecutor;
	readonly functions: AttemptExecutor;
}

/**
 * A trigger (schedule, manual, dependency, API) in, a final record out: dependencies first, then
 * the overlap policy, then every attempt with its retries, each waiting for a slot of the one
 * queue (global concurrency, priorities).
 */
export class Dispatcher {
	readonly queue: PQueue;
	private dispatched = 0;

	constructor(
		private readonly ctx: DispatchContext,
		concurrency: number,
	) {
		this.queue = new PQueue({ concurrency });
	}

	/**
	 * Runs jobs now with their dependencies (each dependency once for this trigger) and resolves
	 * with the final record of every job involved, in finishing order.
	 */
	async run(jobIds: readonly string[], trigger: Trigger, scheduledAt?: number): Promise<RunRecord[]> {
		const jobs = jobIds.map((id) => this.ctx.requireJob(id));
		if (jobs.length === 1 && !jobs[0].dependsOn?.length) {
			return [await this.execute(jobs[0], trigger, scheduledAt)];
		}
		const results: RunRecord[] = [];
		const memo = new Map<string, Promise<RunRecord>>();
		const visit = (id: string, viaDependency: boolean): Promise<RunRecord> => {
			let p = memo.get(id);
			if (!p) {
				p = this.withDependencies(id, viaDependency ? 'dependency' : trigger, scheduledAt, visit).then((r) => {
					results.push(r);
					return r;
				});
				memo.set(id, p);
			}
			return p;
		};
		await Promise.all(jobIds.map((id) => visit(id, false)));
		return results;
	}

	/** Cancels every unfinished run of a job, or one run by id. Returns how many were canceled. */
	cancel(target: { jobId: string } | { runId: string }): number {
		let count = 0;
		for (const run of this.ctx.states.activeRuns()) {
			if ('runId' in target ? run.info.runId === target.runId : run.info.jobId === target.jobId) {
				run.abort(new RunAbort('canceled', 'canceled by the user'));
				count++;
			}
		}
		return count;
	}

	/** Stops every unfinished run (the engine stops or is disposed) and returns them, to wait for. */
	abortAll(why: string): RunHandle[] {
		const active = this.ctx.states.activeRuns();
		for (const run of active) {
			run.abort(new RunAbort('stopped', why));
		}
		return active;
	}

	private async withDependencies(
		jobId: string,
		trigger: Trigger,
		scheduledAt: number | undefined,
		visit: (id: string, viaDependency: boolean) => Promise<RunRecord>,
	): Promise<RunRecord> {
		const job = this.ctx.requireJob(jobId);
		const deps = job.dependsOn ?? [];
		if (deps.length > 0) {
			const done = this.ctx.states.awaitDependencies(jobId);
			let results: RunRecord[];
			try {
				results = await Promise.all(deps.map((id) => visit(id, true)));
			} finally {
				done();
			}
			const failed = results.find((r) => r.status !== 'completed');
			if (failed) {
				return this.skip(job, trigger, scheduledAt, 'dependency-failed', `dependency "${failed.jobId}" ${failed.status}`);
			}
		}
		return this.execute(job, trigger, scheduledAt);
	}

	/** Applies the overlap policy, then runs every attempt of one trigger of a job. */
	private async execute(job: JobDefinition, trigger: Trigger, scheduledAt: number | undefined): Promise<RunRecord> {
		const { states, clock } = this.ctx;
		const rt = states.ensure(job.id);
		if (rt.active.size > 0) {
			const policy = job.overlap ?? 'skip';
			if (policy === 'skip') {
				const current = [...rt.active.values()][0];
				if (trigger === 'dependency') {
					return current.done;
				}
				return this.skip(job, trigger, scheduledAt, 'overlap', `previous run ${current.info.runId} is still ${current.info.state}`);
			}
			if (policy === 'replace') {
				const previous = [...rt.active.values()];
				for (const run of previous) {
					run.abort(new RunAbort('replaced', 'replaced by a newer run'));
				}
				await Promise.allSettled(previous.map((run) => run.done));
			}
		}
		const info: ActiveRun = {
			runId: newRunId(clock.now()),
			jobId: job.id,
			attempt: 1,
			state: 'pending',
			trigger,
			scheduledAt: scheduledAt === undefined ? undefined : isoTime(scheduledAt),
		};
		const handle = new RunHandle(info, job);
		rt.add(handle);
		rt.pending++;
		states.refresh(job.id);
		handle.done = this.attempts(job, handle, job.overlap === 'queue' ? rt.chain : undefined);
		if (job.overlap === 'queue') {
			rt.chain = handle.done.catch(() => undefined);
		}
		try {
			return await handle.done;
		} finally {
			rt.remove(info.runId);
			rt[info.state]--;
			states.refresh(job.id);
		}
	}

	private async attempts(job: JobDefinition, handle: RunHandle, previous: Promise<unknown> | undefined): Promise<RunRecord> {
		if (previous) {
			await previous;
		}
		const { info } = handle;
		const { clock, logger } = this.ctx;
		const attempts = maxAttempts(job.retry);
		for (;;) {
			const record = await this.attempt(job, handle);
			const retry = record.status === 'failed' && info.attempt < attempts && !handle.aborted && !this.ctx.isStopping();
			if (retry) {
				record.willRetry = true;
			}
			await this.ctx.finish(record);
			if (!retry) {
				return record;
			}
			const delay = retryDelay(job.retry!, info.attempt);
			logger.debug(`Retrying in ${formatElapsed(delay)} (attempt ${info.attempt + 1} of ${attempts})`, { jobId: job.id, runId: info.runId });
			info.attempt++;
			this.ctx.states.setRunState(handle, 'pending');
			try {
				await abortableDelay(delay, handle.signal, (fn, ms) => clock.setTimeout(fn, ms));
			} catch {
				const aborted = this.abortedRecord(handle, clock.now());
				await this.ctx.finish(aborted);
				return aborted;
			}
		}
	}

	/**
	 * One attempt: waits for a queue slot, runs, and turns the outcome into a record. A run
	 * aborted while it waits ends at once; its queue entry, when its turn comes, does nothing.
	 */
	private attempt(job: JobDefinition, handle: RunHandle): Promise<RunRecord> {
		const { clock } = this.ctx;
		if (handle.aborted) {
			return Promise.resolve(this.abortedRecord(handle, clock.now()));
		}
		this.ctx.states.setRunState(handle, 'queued');
		const queuedAt = clock.now();
		const executor = job.command !== undefined ? this.ctx.commands : this.ctx.functions;
		return new Promise<RunRecord>((resolve, reject) => {
			let waiting = true;
			handle.whenAborted(() => {
				waiting = false;
				resolve(this.abortedRecord(handle, queuedAt));
			});
			void this.queue.add(
				async () => {
					if (!waiting) {
						return;
					}
					waiting = false;
					handle.whenAborted(undefined);
					if ((++this.dispatched & (dispatchBatch - 1)) === 0) {
						await yieldToLoop();
					}
					if (handle.aborted) {
						resolve(this.abortedRecord(handle, clock.now()));
						return;
					}
					try {
						resolve(await executor.run(job, handle));
					} catch (err) {
						reject(err);
					}
				},
				{ priority: job.priority ?? 0 },
			);
		});
	}

	private abortedRecord(handle: RunHandle, since: number): RunRecord {
		const reason = handle.reason;
		return buildRecord(
			handle.info,
			{ status: 'canceled', reason: abortKind(reason), message: messageOf(reason), exitCode: null },
			since,
			this.ctx.clock.now(),
		);
	}

	/** A skip's record keeps the instant it was scheduled for, so "why didn't 03:00 run?" finds it. */
	private async skip(job: JobDefinition, trigger: Trigger, scheduledAt: number | undefined, reason: RunReason, message: string): Promise<RunRecord> {
		const now = this.ctx.clock.now();
		this.ctx.logger.debug(`Skipped: ${message}`, { jobId: job.id });
		const run = { jobId: job.id, runId: newRunId(now), attempt: 1, trigger, scheduledAt: scheduledAt === undefined ? undefined : isoTime(scheduledAt) };
		const record = buildRecord(run, { status: 'skipped', reason, message, exitCode: null }, now, now);
		await this.ctx.finish(record);
		this.ctx.states.refresh(job.id);
		return record;
	}
}

/** The message of an abort reason or an error, for a record. */
export function messageOf(reason: unknown): string {
	return String((reason as Error)?.message ?? reason);
}
