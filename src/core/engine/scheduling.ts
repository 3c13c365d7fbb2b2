import type { Clock } from '../base/clock';
import { Disposable, type IDisposable } from '../base/disposable';
import { isoTime } from '../base/isoTime';
import type { Logger } from '../base/logger';
import { defaultStartingDeadlineMs } from '../definitions/scheduleReader';
import type { ActiveRun, JobDefinition, RunRecord, Trigger } from '../model';
import { newRunId } from '../records/runIds';
import { buildRecord } from '../records/runRecord';
import type { PersistedState } from '../records/persistedState';
import { type Fire, type Missed, type ScheduleOptions, Scheduler } from '../schedule/scheduler';
import type { JobRegistry } from './jobRegistry';

/** How often `state.json` says the scheduler is alive, so a restart knows since when it missed fires. */
const heartbeatMs = 30_000;

/** What scheduling needs from the engine around it. */
export interface SchedulingContext {
	readonly clock: Clock;
	readonly logger: Logger;
	readonly registry: JobRegistry;
	readonly state: PersistedState;
	saveStateSoon(): void;
	isPaused(): boolean;
	isStopping(): boolean;
	/** Starts a scheduled run (with its dependencies). */
	run(jobId: string, trigger: Trigger, scheduledAt: number): Promise<RunRecord[]>;
	/** Records a missed fire or a skip while paused. */
	finish(record: RunRecord): Promise<void>;
}

/**
 * The glue between definitions and the scheduler: arms each enabled job's schedule with its
 * catch-up options, remembers what fired (`state.json`), turns fires into runs (unless paused, or
 * the runner lease is gone) and misses into records, and beats the heartbeat.
 */
export class Scheduling extends Disposable {
	private readonly scheduler: Scheduler;
	private started = false;
	private heartbeat: IDisposable | undefined;
	private guard: (() => Promise<boolean>) | undefined;

	constructor(private readonly ctx: SchedulingContext) {
		super();
		this.scheduler = this._register(new Scheduler(ctx.clock, (fire) => this.onFire(fire), (missed) => this.onMissed(missed), ctx.logger));
	}

	get isStarted(): boolean {
		return this.started;
	}

	get size(): number {
		return this.scheduler.size;
	}

	/** Arms every job, catching up what the jobs the last session knew missed since it was last alive. */
	start(): void {
		this.started = true;
		const known = new Set(this.ctx.state.known);
		for (const job of this.ctx.registry.all()) {
			this.arm(job, false, known);
		}
		this.scheduler.start();
		this.beat();
	}

	stop(): void {
		this.started = false;
		this.scheduler.stop();
		this.heartbeat?.dispose();
	}

	/**
	 * A check that runs before every scheduled run starts (the runner lease's `verify`), so a
	 * process that slept through losing its lease never runs the schedule beside the new holder.
	 */
	setGuard(guard: (() => Promise<boolean>) | undefined): void {
		this.guard = guard;
	}

	/** (Re)arms a job's schedule; `keepAnchor` keeps an `every` grid where it was. A no-op until started. */
	arm(job: JobDefinition, keepAnchor: boolean, catchUpFor?: ReadonlySet<string>): void {
		if (!this.started) {
			return;
		}
		const known = catchUpFor?.has(job.id) ?? false;
		const options = this.options(job);
		// After a restart an `every` grid goes on from its last fire, so the times it missed while closed are seen.
		options.anchor = keepAnchor ? this.scheduler.anchorOf(job.id) : known ? this.ctx.state.lastFired?.[job.id] : undefined;
		options.since = known ? this.ctx.state.lastAlive : undefined;
		this.scheduler.set(job.id, this.ctx.registry.isEnabled(job.id) ? job.schedule : undefined, options);
	}

	disarm(job: Pick<JobDefinition, 'id' | 'schedule' | 'catchUp' | 'startingDeadlineMs'>): void {
		this.scheduler.set(job.id, undefined, this.options(job));
	}

	/** When the job fires next; none while this process is not scheduling (stopped, or another holds the lease). */
	nextRun(jobId: string): number | undefined {
		return this.started ? this.scheduler.nextRun(jobId) : undefined;
	}

	anchorOf(jobId: string): number | undefined {
		return this.scheduler.anchorOf(jobId);
	}

	earliest(): { jobId: string; at: number } | undefined {
		return this.started ? this.scheduler.earliest() : undefined;
	}

	poke(): void {
		this.scheduler.poke();
	}

	/**
	 * A dead host may have started, or even finished, a scheduled run before its state file said
	 * so (the file is written off the event loop, after the fire): the instants of its journaled
	 * and recorded runs count as fired, so no catch-up starts them again.
	 */
	markFired(runs: readonly Pick<ActiveRun, 'jobId' | 'trigger' | 'scheduledAt'>[]): void {
		const { state } = this.ctx;
		for (const o of runs) {
			const at = o.scheduledAt && (o.trigger === 'schedule' || o.trigger === 'catch-up') ? Date.parse(o.scheduledAt) : NaN;
			if (at > (state.lastFired?.[o.jobId] ?? -Infinity)) {
				(state.lastFired ??= {})[o.jobId] = at;
				this.ctx.saveStateSoon();
			}
		}
	}

	override dispose(): void {
		this.heartbeat?.dispose();
		super.dispose();
	}

	private options(job: Pick<JobDefinition, 'id' | 'schedule' | 'catchUp' | 'startingDeadlineMs'>): ScheduleOptions {
		return {
			catchUp: job.catchUp ?? (job.schedule?.kind === 'every' ? 'none' : 'once'),
			startingDeadlineMs: job.startingDeadlineMs ?? defaultStartingDeadlineMs,
			lastFired: this.ctx.state.lastFired?.[job.id],
		};
	}

	private beat(): void {
		const { state, clock } = this.ctx;
		this.heartbeat?.dispose();
		state.lastAlive = clock.now();
		state.known = this.ctx.registry.all().map((job) => job.id);
		this.ctx.saveStateSoon();
		this.heartbeat = clock.setTimeout(() => this.beat(), heartbeatMs);
	}

	private onFire(fire: Fire): void {
		const { ctx } = this;
		const job = ctx.registry.get(fire.jobId);
		if (!job || ctx.isStopping()) {
			return;
		}
		// In place: a copy per fire costs O(jobs), and the file is written from this object anyway.
		(ctx.state.lastFired ??= {})[fire.jobId] = fire.scheduledAt;
		ctx.saveStateSoon();
		const trigger: Trigger = fire.catchUp ? 'catch-up' : 'schedule';
		if (ctx.isPaused()) {
			// Recorded like any skip (a streak of them is one history line), so "why didn't it run?" can tell.
			ctx.logger.debug(`Skipped scheduled run at ${isoTime(fire.scheduledAt)}: scheduler paused`, { jobId: job.id });
			const now = ctx.clock.now();
			const run = { jobId: job.id, runId: newRunId(now), attempt: 1, trigger, scheduledAt: isoTime(fire.scheduledAt) };
			void ctx.finish(buildRecord(run, { status: 'skipped', reason: 'paused', message: 'the scheduler was paused', exitCode: null }, now, now));
			return;
		}
		const start = () => ctx.run(job.id, trigger, fire.scheduledAt);
		const guarded = this.guard
			? this.guard().then((ok) => {
					if (ok) {
						return start();
					}
					ctx.logger.warn('Not running a scheduled run: this process no longer holds the runner lease', { jobId: job.id });
					return [];
				})
			: start();
		guarded.catch((err) => ctx.logger.error(`Scheduled run failed to start: ${String(err)}`, { jobId: job.id }));
	}

	private onMissed(missed: Missed): void {
		const at = isoTime(missed.last);
		const message = missed.count === 1 ? `missed the run scheduled at ${at}` : `missed ${missed.count} runs scheduled from ${isoTime(missed.first)} to ${at}`;
		this.ctx.logger.warn(message, { jobId: missed.jobId });
		const now = this.ctx.clock.now();
		const run = { jobId: missed.jobId, runId: newRunId(now), attempt: 1, trigger: 'schedule' as const, scheduledAt: at };
		void this.ctx.finish(buildRecord(run, { status: 'missed', reason: 'missed', message, exitCode: null }, now, now));
	}
}
