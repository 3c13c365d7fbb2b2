import * as path from 'node:path';
import PQueue from 'p-queue';
import { abortableDelay, abortKind, RunAbort, yieldToLoop } from '../base/abort';
import { maxAttempts, retryDelay } from '../dispatch/backoff';
import { type Clock, systemClock } from '../base/clock';
import { Disposable, type IDisposable } from '../base/disposable';
import { Emitter, type Event } from '../base/events';
import { type Logger, nullLogger } from '../base/logger';
import { formatDuration } from '../base/duration';
import { killEscaped } from '../process/escapeTracker';
import type { HistoryQuery, InFlightRun } from '../records/history';
import { MetricsCollector, type MetricsSnapshot } from '../records/metrics';
import type { JobContext, JobDefinition, JobsConfig, JobState, RunReason, RunRecord, Trigger } from '../model';
import { recoverInterruptedRuns } from './recovery';
import { type ActiveRun, type AttemptOutcome, buildRecord, RunHandle, timeoutSignal } from '../dispatch/runHandle';
import { isoTime } from '../base/isoTime';
import { newRunId } from '../records/runIds';
import { type ProcessResult, type ProcessSpec, runProcess } from '../process/runner';
import { type Fire, type Missed, type ScheduleOptions, Scheduler } from '../schedule/scheduler';
import { type PersistedState, RunStore } from '../records/runStore';
import { workspaceStateDir } from '../base/stateDir';
import { fireTimes } from '../cron/fireTimes';
import { OutputLog } from '../records/outputLog';

export const defaultConcurrency = 4;
export { historyFileName } from '../records/runStore';
export type { ActiveRun } from '../dispatch/runHandle';
const defaultStartingDeadlineMs = 3_600_000;
const heartbeatMs = 30_000;
const dispatchBatch = 64;

/** Options the host (CLI, extension, tests) sets; the engine never reads settings itself. */
export interface EngineOptions {
	/** The folder that holds `.jobs.json`: default cwd and the key of the state folder. */
	workspaceFolder: string;
	/** Overrides the file's `concurrency`. */
	concurrency?: number;
	clock?: Clock;
	logger?: Logger;
	/** Where history, logs and state live; `null` keeps nothing on disk. @default per-workspace folder under the state root */
	stateDir?: string | null;
	/** Bytes of each run's output that are copied to the logger (the full output stays in the run's log file). @default 16384 */
	outputLogLimit?: number;
	/** SIGTERM to SIGKILL grace when a run's process group is killed. @default 2000 */
	killGraceMs?: number;
	/** Replaces the process runner (the benchmark swaps in alternatives). */
	runProcess?: (spec: ProcessSpec) => Promise<ProcessResult>;
}

/** Everything a UI shows about one job. */
export interface JobSnapshot {
	id: string;
	name: string;
	definition: JobDefinition;
	state: JobState;
	enabled: boolean;
	/** Epoch ms of the next scheduled fire, if any. */
	nextRunAt?: number;
	lastRun?: RunRecord;
	active: ActiveRun[];
	/** True for jobs registered in code rather than read from `.jobs.json`. */
	programmatic: boolean;
}

export interface JobStateChange {
	jobId: string;
	state: JobState;
	previous: JobState;
}

export interface RunOutput {
	jobId: string;
	runId: string;
	stream: 'stdout' | 'stderr';
	text: string;
}

const noRuns: ReadonlyMap<string, RunHandle> = new Map();

/** What the engine tracks per job; small, because a workspace may define thousands of jobs that rarely run. */
class Runtime {
	state: JobState = 'idle';
	lastRun: RunRecord | undefined;
	/** How many active runs are in each state, so a state refresh is O(1) with thousands queued. */
	pending = 0;
	queued = 0;
	running = 0;
	/** Tail of the `overlap: queue` chain. */
	chain: Promise<unknown> | undefined;
	private runs: Map<string, RunHandle> | undefined;

	/** Unfinished runs by run id. */
	get active(): ReadonlyMap<string, RunHandle> {
		return this.runs ?? noRuns;
	}

	add(handle: RunHandle): void {
		(this.runs ??= new Map()).set(handle.info.runId, handle);
	}

	remove(runId: string): void {
		this.runs?.delete(runId);
	}
}

/**
 * The scheduling engine: definitions in, runs out. Owns the queue (global concurrency,
 * priorities), the scheduler (one timer), retries, cancellation, history, metrics and events.
 * The CLI and the extension are thin layers over this class.
 */
export class Engine extends Disposable {
	private readonly _onDidChangeJobState = this._register(new Emitter<JobStateChange>());
	/** A job's state changed (queued, running, completed, ...). */
	readonly onDidChangeJobState: Event<JobStateChange> = this._onDidChangeJobState.event;
	private readonly _onDidStartRun = this._register(new Emitter<ActiveRun>());
	/** An attempt started running. */
	readonly onDidStartRun: Event<ActiveRun> = this._onDidStartRun.event;
	private readonly _onDidFinishRun = this._register(new Emitter<RunRecord>());
	/** An attempt finished; its record is already on disk when this fires. */
	readonly onDidFinishRun: Event<RunRecord> = this._onDidFinishRun.event;
	private readonly _onDidLoadJobs = this._register(new Emitter<void>());
	/** Definitions were (re)loaded or a job was registered, removed, enabled or disabled. */
	readonly onDidLoadJobs: Event<void> = this._onDidLoadJobs.event;
	private readonly _onDidOutput = this._register(new Emitter<RunOutput>());
	/** A chunk of a run's output. */
	readonly onDidOutput: Event<RunOutput> = this._onDidOutput.event;
	private readonly _onDidChangeStatus = this._register(new Emitter<void>());
	/** Paused, started or stopped. */
	readonly onDidChangeStatus: Event<void> = this._onDidChangeStatus.event;

	readonly stateDir: string | undefined;
	private readonly clock: Clock;
	/** The logger the engine writes to, for services built around it. */
	readonly logger: Logger;
	private readonly queue: PQueue;
	private readonly scheduler: Scheduler;
	private readonly metrics: MetricsCollector;
	private readonly store: RunStore;
	private readonly state: PersistedState;
	private readonly runner: (spec: ProcessSpec) => Promise<ProcessResult>;
	private readonly fileJobs = new Map<string, JobDefinition>();
	private readonly apiJobs = new Map<string, JobDefinition>();
	private readonly runtimes = new Map<string, Runtime>();
	private configConcurrency = defaultConcurrency;
	private started = false;
	private _paused = false;
	private stopping = false;
	private dispatched = 0;
	private heartbeat: IDisposable | undefined;
	/**
	 * `process.env` as a plain object, taken again on every load: spreading `process.env` itself
	 * goes through a native lookup per variable, a quarter of the host's time per command run.
	 */
	private baseEnv: NodeJS.ProcessEnv = { ...process.env };
	private scheduleGuard: (() => Promise<boolean>) | undefined;
	private readonly options: EngineOptions;

	constructor(options: EngineOptions) {
		super();
		this.options = { ...options };
		this.clock = options.clock ?? systemClock;
		this.logger = options.logger ?? nullLogger;
		this.runner = options.runProcess ?? runProcess;
		this.stateDir = options.stateDir === null ? undefined : (options.stateDir ?? workspaceStateDir(options.workspaceFolder));
		this.store = new RunStore(this.stateDir, this.logger, (records) => this.onRecorded(records));
		this.state = this.store.state;
		this.queue = new PQueue({ concurrency: options.concurrency ?? defaultConcurrency });
		this.metrics = new MetricsCollector(() => this.clock.now());
		this.scheduler = this._register(
			new Scheduler(this.clock, (fire) => this.onFire(fire), (missed) => this.onMissed(missed), this.logger),
		);
		this.recoverInterrupted();
		this.restoreLastRuns();
	}

	/** Applies options that come from settings and may change while the engine runs. */
	configure(options: Pick<EngineOptions, 'concurrency' | 'outputLogLimit'>): void {
		this.options.concurrency = options.concurrency;
		this.options.outputLogLimit = options.outputLogLimit;
		this.queue.concurrency = this.options.concurrency ?? this.configConcurrency;
	}

	// ---- definitions -------------------------------------------------------------------

	/**
	 * Replaces the `.jobs.json` definitions. Running runs finish under their old definition;
	 * schedules of unchanged jobs keep their grid.
	 */
	load(config: JobsConfig): void {
		this.baseEnv = { ...process.env };
		this.configConcurrency = config.concurrency ?? defaultConcurrency;
		this.queue.concurrency = this.options.concurrency ?? this.configConcurrency;
		const next = new Map(config.jobs.map((job) => [job.id, job]));
		for (const id of this.fileJobs.keys()) {
			if (!next.has(id) && !this.apiJobs.has(id)) {
				this.scheduler.set(id, undefined, this.scheduleOptions({ id }));
				if (this.runtimes.get(id)?.active.size === 0) {
					this.runtimes.delete(id);
				}
			}
		}
		const previous = new Map(this.fileJobs);
		this.fileJobs.clear();
		for (const [id, job] of next) {
			this.fileJobs.set(id, job);
			this.ensureRuntime(id);
			const old = previous.get(id);
			if (!old || JSON.stringify(old.schedule) !== JSON.stringify(job.schedule) || old.enabled !== job.enabled) {
				this.schedule(job, old !== undefined);
			}
		}
		this.logger.info(`Loaded ${config.jobs.length} job${config.jobs.length === 1 ? '' : 's'}`);
		this.refreshAllStates();
		this._onDidLoadJobs.fire();
	}

	/** Adds a job defined in code (an async function); it shares the queue, limits and metrics. */
	register(job: JobDefinition): IDisposable {
		if (this.fileJobs.has(job.id) || this.apiJobs.has(job.id)) {
			throw new Error(`A job with id "${job.id}" already exists`);
		}
		if (!job.run && !job.command) {
			throw new Error(`Job "${job.id}" needs a command or a run function`);
		}
		this.apiJobs.set(job.id, job);
		this.ensureRuntime(job.id);
		this.schedule(job, false);
		this.refreshState(job.id);
		this._onDidLoadJobs.fire();
		return {
			dispose: () => {
				if (this.apiJobs.get(job.id) === job) {
					this.apiJobs.delete(job.id);
					this.scheduler.set(job.id, undefined, this.scheduleOptions(job));
					this._onDidLoadJobs.fire();
				}
			},
		};
	}

	/** Enables or disables a job; remembered across restarts in the state folder. */
	setEnabled(jobId: string, enabled: boolean): void {
		const job = this.requireJob(jobId);
		this.state.enabled = { ...this.state.enabled, [jobId]: enabled };
		if ((job.enabled ?? true) === enabled) {
			delete this.state.enabled[jobId];
		}
		this.saveStateSoon();
		this.schedule(job, true);
		this.logger.info(`${enabled ? 'Enabled' : 'Disabled'} job`, { jobId });
		this.refreshState(jobId);
		this._onDidLoadJobs.fire();
	}

	isEnabled(jobId: string): boolean {
		const job = this.getDefinition(jobId);
		return job ? (this.state.enabled?.[jobId] ?? job.enabled ?? true) : false;
	}

	getDefinition(jobId: string): JobDefinition | undefined {
		return this.fileJobs.get(jobId) ?? this.apiJobs.get(jobId);
	}

	// ---- lifecycle -------------------------------------------------------------------

	/** Starts the scheduler (catching up what was missed since the last run). Manual runs work without it. */
	start(): void {
		if (this.started) {
			return;
		}
		this.started = true;
		this.stopping = false;
		// The jobs the last session knew: only they can have missed fires.
		const known = new Set(this.state.known);
		for (const job of this.allJobs()) {
			this.schedule(job, false, known);
		}
		this.scheduler.start();
		this.beat();
		this.logger.info(`Scheduler started (${this.scheduler.size} scheduled, concurrency ${this.queue.concurrency})`);
		this._onDidChangeStatus.fire();
	}

	/** Stops scheduling, cancels every run (killing their process groups) and waits for them to end. */
	async stop(): Promise<void> {
		this.stopping = true;
		this.started = false;
		this.scheduler.stop();
		this.heartbeat?.dispose();
		const active = [...this.runtimes.values()].flatMap((rt) => [...rt.active.values()]);
		for (const run of active) {
			run.abort(new RunAbort('stopped', 'the scheduler stopped'));
		}
		await Promise.allSettled(active.map((run) => run.done));
		await this.store.flush();
		this.state.lastAlive = this.clock.now();
		await this.store.saveStateNow();
		this.logger.info('Scheduler stopped');
		this._onDidChangeStatus.fire();
	}

	/** Stops firing schedules but lets running runs finish (the runner lease went to another process). */
	stopScheduling(): void {
		if (this.started) {
			this.started = false;
			this.scheduler.stop();
			this.heartbeat?.dispose();
			this.logger.info('Scheduler stopped scheduling; running jobs finish');
			this._onDidChangeStatus.fire();
		}
	}

	/**
	 * A check that runs before every scheduled run starts (the runner lease's `verify`), so a
	 * process that slept through losing its lease never runs the schedule beside the new holder.
	 */
	setScheduleGuard(guard: (() => Promise<boolean>) | undefined): void {
		this.scheduleGuard = guard;
	}

	get isStarted(): boolean {
		return this.started;
	}

	get paused(): boolean {
		return this._paused;
	}

	/** Pausing holds scheduled fires (they are skipped and logged) and queued runs; running ones go on. */
	pause(): void {
		if (!this._paused) {
			this._paused = true;
			this.queue.pause();
			this.logger.info('Scheduler paused');
			this._onDidChangeStatus.fire();
		}
	}

	resume(): void {
		if (this._paused) {
			this._paused = false;
			this.queue.start();
			this.logger.info('Scheduler resumed');
			this._onDidChangeStatus.fire();
		}
	}

	/** Re-reads the wall clock, e.g. when the host knows the machine woke up. */
	poke(): void {
		this.scheduler.poke();
	}

	// ---- runs -------------------------------------------------------------------

	/**
	 * Runs jobs now with their dependencies (each dependency once for this trigger) and resolves
	 * with the final record of every job involved, in finishing order.
	 */
	async run(jobIds: readonly string[], trigger: Trigger = 'manual', scheduledAt?: number): Promise<RunRecord[]> {
		for (const id of jobIds) {
			this.requireJob(id);
		}
		if (jobIds.length === 1) {
			const job = this.requireJob(jobIds[0]);
			if (!job.dependsOn?.length) {
				return [await this.execute(job, trigger, scheduledAt)];
			}
		}
		const results: RunRecord[] = [];
		const memo = new Map<string, Promise<RunRecord>>();
		const visit = (id: string, viaDependency: boolean): Promise<RunRecord> => {
			let p = memo.get(id);
			if (!p) {
				p = this.runWithDependencies(id, viaDependency ? 'dependency' : trigger, scheduledAt, visit).then((r) => {
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
		for (const rt of this.runtimes.values()) {
			for (const run of rt.active.values()) {
				if ('runId' in target ? run.info.runId === target.runId : run.info.jobId === target.jobId) {
					run.abort(new RunAbort('canceled', 'canceled by the user'));
					count++;
				}
			}
		}
		return count;
	}

	/** Resolves when nothing is queued, pending or running. */
	async whenIdle(): Promise<void> {
		for (;;) {
			const active = [...this.runtimes.values()].flatMap((rt) => [...rt.active.values()]);
			if (active.length === 0) {
				await this.store.flush();
				return;
			}
			await Promise.allSettled(active.map((run) => run.done));
		}
	}

	// ---- queries -------------------------------------------------------------------

	getJobs(): JobSnapshot[] {
		return this.allJobs().map((job) => this.snapshot(job));
	}

	getJob(jobId: string): JobSnapshot | undefined {
		const job = this.getDefinition(jobId);
		return job && this.snapshot(job);
	}

	/** The next `count` fire times of a job from `from` (epoch ms). */
	nextRuns(jobId: string, count: number, from = this.clock.now()): number[] {
		const job = this.requireJob(jobId);
		return job.schedule ? fireTimes(job.schedule, from, count, this.scheduler.anchorOf(jobId) ?? from) : [];
	}

	/** The soonest scheduled fire over all jobs. */
	nextDue(): { jobId: string; at: number } | undefined {
		return this.scheduler.earliest();
	}

	getMetrics(): MetricsSnapshot {
		let running = 0;
		let queued = 0;
		for (const rt of this.runtimes.values()) {
			running += rt.running;
			queued += rt.queued + rt.pending;
		}
		return this.metrics.snapshot(running, queued);
	}

	/** Past runs from the persisted history, newest last. */
	readHistory(query?: HistoryQuery): RunRecord[] {
		return this.store.history?.read(query) ?? [];
	}

	get concurrency(): number {
		return this.queue.concurrency;
	}

	override dispose(): void {
		for (const rt of this.runtimes.values()) {
			for (const run of rt.active.values()) {
				run.abort(new RunAbort('stopped', 'the engine was disposed'));
			}
		}
		this.heartbeat?.dispose();
		super.dispose();
	}

	// ---- internals: scheduling -------------------------------------------------------------------

	private allJobs(): JobDefinition[] {
		return [...this.fileJobs.values(), ...this.apiJobs.values()];
	}

	private requireJob(jobId: string): JobDefinition {
		const job = this.getDefinition(jobId);
		if (!job) {
			throw new Error(`Unknown job "${jobId}"`);
		}
		return job;
	}

	private ensureRuntime(jobId: string): Runtime {
		let rt = this.runtimes.get(jobId);
		if (!rt) {
			rt = new Runtime();
			this.runtimes.set(jobId, rt);
		}
		return rt;
	}

	private scheduleOptions(job: Pick<JobDefinition, 'id' | 'schedule' | 'catchUp' | 'startingDeadlineMs'>): ScheduleOptions {
		return {
			catchUp: job.catchUp ?? (job.schedule?.kind === 'every' ? 'none' : 'once'),
			startingDeadlineMs: job.startingDeadlineMs ?? defaultStartingDeadlineMs,
			lastFired: this.state.lastFired?.[job.id],
		};
	}

	/**
	 * (Re)arms a job's schedule. On start (`catchUpFor` holds the jobs the last session knew),
	 * catches up from when the engine was last alive.
	 */
	private schedule(job: JobDefinition, keepAnchor: boolean, catchUpFor?: ReadonlySet<string>): void {
		if (!this.started && !catchUpFor) {
			return;
		}
		const enabled = this.isEnabled(job.id);
		const known = catchUpFor?.has(job.id) ?? false;
		const options = this.scheduleOptions(job);
		// After a restart an `every` grid goes on from its last fire, so the times it missed while closed are seen.
		options.anchor = keepAnchor ? this.scheduler.anchorOf(job.id) : known ? this.state.lastFired?.[job.id] : undefined;
		options.since = known ? this.state.lastAlive : undefined;
		this.scheduler.set(job.id, enabled ? job.schedule : undefined, options);
	}

	private onFire(fire: Fire): void {
		const job = this.getDefinition(fire.jobId);
		if (!job || this.stopping) {
			return;
		}
		// In place: a copy per fire costs O(jobs), and the file is written from this object anyway.
		(this.state.lastFired ??= {})[fire.jobId] = fire.scheduledAt;
		this.saveStateSoon();
		if (this._paused) {
			this.logger.info(`Skipped scheduled run at ${new Date(fire.scheduledAt).toISOString()}: scheduler paused`, { jobId: job.id });
			return;
		}
		const trigger: Trigger = fire.catchUp ? 'catch-up' : 'schedule';
		const start = () => this.run([job.id], trigger, fire.scheduledAt);
		const guarded = this.scheduleGuard
			? this.scheduleGuard().then((ok) => {
					if (ok) {
						return start();
					}
					this.logger.warn('Not running a scheduled run: this process no longer holds the runner lease', { jobId: job.id });
					return [];
				})
			: start();
		guarded.catch((err) => this.logger.error(`Scheduled run failed to start: ${String(err)}`, { jobId: job.id }));
	}

	private onMissed(missed: Missed): void {
		const at = new Date(missed.last).toISOString();
		const message =
			missed.count === 1
				? `missed the run scheduled at ${at}`
				: `missed ${missed.count} runs scheduled from ${new Date(missed.first).toISOString()} to ${at}`;
		this.logger.warn(message, { jobId: missed.jobId });
		const now = new Date(this.clock.now()).toISOString();
		this.finish({
			jobId: missed.jobId,
			runId: newRunId(this.clock.now()),
			attempt: 1,
			status: 'missed',
			reason: 'missed',
			message,
			exitCode: null,
			startedAt: now,
			endedAt: now,
			durationMs: 0,
			trigger: 'schedule',
			scheduledAt: at,
		});
	}

	private beat(): void {
		this.heartbeat?.dispose();
		this.state.lastAlive = this.clock.now();
		this.state.known = this.allJobs().map((job) => job.id);
		this.saveStateSoon();
		this.heartbeat = this.clock.setTimeout(() => this.beat(), heartbeatMs);
	}

	// ---- internals: running -------------------------------------------------------------------

	private async runWithDependencies(
		jobId: string,
		trigger: Trigger,
		scheduledAt: number | undefined,
		visit: (id: string, viaDependency: boolean) => Promise<RunRecord>,
	): Promise<RunRecord> {
		const job = this.requireJob(jobId);
		const deps = job.dependsOn ?? [];
		if (deps.length > 0) {
			const results = await Promise.all(deps.map((id) => visit(id, true)));
			const failed = results.find((r) => r.status !== 'completed');
			if (failed) {
				return this.skip(job, trigger, 'dependency-failed', `dependency "${failed.jobId}" ${failed.status}`);
			}
		}
		return this.execute(job, trigger, scheduledAt);
	}

	/** Applies the overlap policy, then runs every attempt of one trigger of a job. */
	private async execute(job: JobDefinition, trigger: Trigger, scheduledAt: number | undefined): Promise<RunRecord> {
		const rt = this.ensureRuntime(job.id);
		if (rt.active.size > 0) {
			const policy = job.overlap ?? 'skip';
			if (policy === 'skip') {
				const current = [...rt.active.values()][0];
				if (trigger === 'dependency') {
					return current.done;
				}
				return this.skip(job, trigger, 'overlap', `previous run ${current.info.runId} is still ${current.info.state}`);
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
			runId: newRunId(this.clock.now()),
			jobId: job.id,
			attempt: 1,
			state: 'pending',
			trigger,
			scheduledAt: scheduledAt === undefined ? undefined : isoTime(scheduledAt),
		};
		const handle = new RunHandle(info);
		rt.add(handle);
		rt.pending++;
		this.refreshState(job.id);
		handle.done = this.attempts(job, handle, job.overlap === 'queue' ? rt.chain : undefined);
		if (job.overlap === 'queue') {
			rt.chain = handle.done.catch(() => undefined);
		}
		try {
			return await handle.done;
		} finally {
			rt.remove(info.runId);
			rt[info.state]--;
			this.refreshState(job.id);
		}
	}

	private async attempts(job: JobDefinition, handle: RunHandle, previous: Promise<unknown> | undefined): Promise<RunRecord> {
		if (previous) {
			await previous;
		}
		const { info } = handle;
		const attempts = maxAttempts(job.retry);
		for (;;) {
			const record = await this.attempt(job, handle);
			const retry = record.status === 'failed' && info.attempt < attempts && !handle.aborted && !this.stopping;
			if (retry) {
				record.willRetry = true;
			}
			await this.finish(record);
			if (!retry) {
				return record;
			}
			const delay = retryDelay(job.retry!, info.attempt);
			this.logger.info(`Retrying in ${formatDuration(delay)} (attempt ${info.attempt + 1} of ${attempts})`, { jobId: job.id, runId: info.runId });
			info.attempt++;
			this.setRunState(handle, 'pending');
			try {
				await abortableDelay(delay, handle.signal, (fn, ms) => this.clock.setTimeout(fn, ms));
			} catch {
				const aborted = this.abortedRecord(handle, Date.now());
				await this.finish(aborted);
				return aborted;
			}
		}
	}

	/**
	 * One attempt: waits for a queue slot, runs, and turns the outcome into a record. A run
	 * aborted while it waits ends at once; its queue entry, when its turn comes, does nothing.
	 */
	private attempt(job: JobDefinition, handle: RunHandle): Promise<RunRecord> {
		if (handle.aborted) {
			return Promise.resolve(this.abortedRecord(handle, Date.now()));
		}
		this.setRunState(handle, 'queued');
		const queuedAt = Date.now();
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
						resolve(this.abortedRecord(handle, Date.now()));
						return;
					}
					try {
						resolve(await (job.command !== undefined ? this.runCommand(job, handle) : this.runFunction(job, handle)));
					} catch (err) {
						reject(err);
					}
				},
				{ priority: job.priority ?? 0 },
			);
		});
	}

	private async runCommand(job: JobDefinition, handle: RunHandle): Promise<RunRecord> {
		const { info } = handle;
		const logFile = this.stateDir ? path.join(this.stateDir, 'logs', job.id, `${info.runId}-${info.attempt}.log`) : undefined;
		info.logFile = logFile;
		await this.markStarted(handle, true);
		const output = new OutputLog(this.logger, { jobId: job.id, runId: info.runId }, this.options.outputLogLimit ?? 16_384, logFile);
		const emitOutput = this._onDidOutput.hasListeners;
		const result = await this.runner({
			command: job.command as string,
			cwd: job.cwd ?? this.options.workspaceFolder,
			env: {
				...this.baseEnv,
				...job.env,
				WORKSPACE_JOBS_JOB_ID: job.id,
				WORKSPACE_JOBS_RUN_ID: info.runId,
				WORKSPACE_JOBS_ATTEMPT: String(info.attempt),
			},
			timeoutMs: job.timeoutMs,
			signal: handle.signal,
			killGraceMs: this.options.killGraceMs,
			logFile,
			onOutput: (stream, text) => {
				output.write(stream, text);
				if (emitOutput) {
					this._onDidOutput.fire({ jobId: job.id, runId: info.runId, stream, text });
				}
			},
		});
		output.end();
		const aborted = handle.aborted && result.reason === 'canceled' ? abortKind(handle.reason) : undefined;
		if (result.escaped.length > 0) {
			this.logger.warn(`Processes escaped the job's process group and were killed: ${result.escaped.join(', ')}`, { jobId: job.id, runId: info.runId });
		}
		return buildRecord(
			info,
			{
				status: result.reason === undefined ? 'completed' : aborted ? 'canceled' : 'failed',
				reason: aborted ?? result.reason,
				message: result.message,
				exitCode: result.exitCode,
				signal: result.signal,
				logFile,
				escaped: result.escaped.length ? result.escaped : undefined,
			},
			result.startedAt,
			result.endedAt,
		);
	}

	private async runFunction(job: JobDefinition, handle: RunHandle): Promise<RunRecord> {
		const { info } = handle;
		this.markStarted(handle, false);
		const startedAt = Date.now();
		// A timeout aborts the attempt's signal, not the run's: a retry may follow it.
		const timeout = job.timeoutMs ? timeoutSignal(job.timeoutMs) : undefined;
		const attemptSignal = (): AbortSignal => (timeout ? AbortSignal.any([handle.signal, timeout]) : handle.signal);
		let signal: AbortSignal | undefined;
		const context: JobContext = {
			jobId: job.id,
			runId: info.runId,
			attempt: info.attempt,
			get signal() {
				return (signal ??= attemptSignal());
			},
			log: (line) => this.logger.info(line, { jobId: job.id, runId: info.runId }),
		};
		let outcome: AttemptOutcome = { status: 'completed', exitCode: null };
		try {
			const running = job.run!(context);
			await handle.race(running, timeout);
		} catch (err) {
			if (handle.aborted || timeout?.aborted) {
				const kind = handle.aborted ? abortKind(handle.reason) : 'timeout';
				outcome = {
					status: kind === 'timeout' ? 'failed' : 'canceled',
					reason: kind,
					message: kind === 'timeout' ? `timed out after ${formatDuration(job.timeoutMs ?? 0)}` : messageOf(handle.reason),
					exitCode: null,
				};
			} else {
				outcome = { status: 'failed', reason: 'error', message: err instanceof Error ? err.message : String(err), exitCode: null };
			}
		}
		return buildRecord(info, outcome, startedAt, Date.now());
	}

	/**
	 * Journals the start (so a dead host's runs show as interrupted) and reports it. A command's
	 * start is on disk before its process is spawned (await the result); in-process starts go in
	 * the next batch.
	 */
	private markStarted(handle: RunHandle, command: boolean): Promise<void> | undefined {
		const info = handle.info;
		info.startedAt = isoTime(Date.now());
		let journaled: Promise<void> | undefined;
		if (command) {
			journaled = this.store.commandStarted(info);
		} else {
			this.store.functionStarted(info);
		}
		this.setRunState(handle, 'running');
		if (this._onDidStartRun.hasListeners) {
			this._onDidStartRun.fire({ ...info });
		}
		return journaled;
	}

	private abortedRecord(handle: RunHandle, since: number): RunRecord {
		const kind = abortKind(handle.reason);
		return buildRecord(handle.info, { status: 'canceled', reason: kind, message: messageOf(handle.reason), exitCode: null }, since, Date.now());
	}

	private skip(job: JobDefinition, trigger: Trigger, reason: RunReason, message: string): Promise<RunRecord> {
		const now = new Date(this.clock.now()).toISOString();
		this.logger.info(`Skipped: ${message}`, { jobId: job.id });
		const record: RunRecord = {
			jobId: job.id,
			runId: newRunId(this.clock.now()),
			attempt: 1,
			status: 'skipped',
			reason,
			message,
			exitCode: null,
			startedAt: now,
			endedAt: now,
			durationMs: 0,
			trigger,
		};
		return this.finish(record).then(() => {
			this.refreshState(job.id);
			return record;
		});
	}

	// ---- internals: finishing and persistence -------------------------------------------------------------------

	private finish(record: RunRecord): Promise<void> {
		return this.store.finish(record);
	}

	/** A batch of records is on disk: count them, show them, tell listeners. */
	private onRecorded(records: readonly RunRecord[]): void {
		for (const record of records) {
			this.metrics.record(record);
			const rt = this.runtimes.get(record.jobId);
			if (rt && record.status !== 'missed') {
				rt.lastRun = record;
			}
			this.logFinish(record);
			this._onDidFinishRun.fire(record);
		}
	}

	private logFinish(r: RunRecord): void {
		if (r.status === 'missed' || r.status === 'skipped') {
			return;
		}
		const detail = r.status === 'completed' ? formatDuration(r.durationMs) : `${r.message ?? r.reason}, ${formatDuration(r.durationMs)}`;
		const line = `running -> ${r.status} (${detail})${r.attempt > 1 ? ` attempt ${r.attempt}` : ''}${r.willRetry ? ', will retry' : ''}`;
		const ctx = { jobId: r.jobId, runId: r.runId };
		if (r.status === 'failed' || r.status === 'interrupted') {
			this.logger.error(line, ctx);
		} else {
			this.logger.info(line, ctx);
		}
	}

	/** Shows each job's last result after a restart: one backward read of the history's tail. */
	private restoreLastRuns(): void {
		const records = this.store.history?.read({ limit: 1000 }) ?? [];
		this.markFired(records);
		for (const record of records) {
			if (record.status !== 'missed' && !record.willRetry) {
				const rt = this.ensureRuntime(record.jobId);
				if (!rt.lastRun || rt.lastRun.endedAt <= record.endedAt) {
					rt.lastRun = record;
				}
			}
		}
	}

	/** Turns runs that a dead process left behind into `interrupted` records. */
	private recoverInterrupted(): void {
		const history = this.store.history;
		if (!this.stateDir || !history) {
			return;
		}
		const { orphans, records } = recoverInterruptedRuns(this.stateDir, history, this.clock.now());
		this.markFired(orphans);
		if (records.length === 0) {
			return;
		}
		this.store.appendNow(records);
		for (const record of records) {
			this.metrics.record(record);
			this.ensureRuntime(record.jobId).lastRun = record;
			this.logger.warn(`Run ${record.runId} was interrupted (the process running it ended during it)`, { jobId: record.jobId });
			if (record.escaped) {
				// Escaped the job's group, so the dead host's watchdog could not kill them.
				this.logger.warn(`Processes of the interrupted run escaped its process group and are killed now: ${record.escaped.join(', ')}`, { jobId: record.jobId, runId: record.runId });
				void killEscaped(record.escaped, this.options.killGraceMs ?? 2000);
			}
		}
	}

	/**
	 * A dead host may have started, or even finished, a scheduled run before its state file said
	 * so (the file is written off the event loop, after the fire): the instants of its journaled
	 * and recorded runs count as fired, so no catch-up starts them again.
	 */
	private markFired(runs: readonly Pick<InFlightRun, 'jobId' | 'trigger' | 'scheduledAt'>[]): void {
		for (const o of runs) {
			const at = o.scheduledAt && (o.trigger === 'schedule' || o.trigger === 'catch-up') ? Date.parse(o.scheduledAt) : NaN;
			if (at > (this.state.lastFired?.[o.jobId] ?? -Infinity)) {
				(this.state.lastFired ??= {})[o.jobId] = at;
				this.saveStateSoon();
			}
		}
	}

	private saveStateSoon(): void {
		this.store.saveStateSoon();
	}

	// ---- internals: state -------------------------------------------------------------------

	private setRunState(handle: RunHandle, state: ActiveRun['state']): void {
		const rt = this.runtimes.get(handle.info.jobId);
		if (rt && rt.active.get(handle.info.runId) === handle) {
			rt[handle.info.state]--;
			rt[state]++;
		}
		handle.info.state = state;
		this.refreshState(handle.info.jobId);
	}

	private refreshAllStates(): void {
		for (const id of this.runtimes.keys()) {
			this.refreshState(id);
		}
	}

	private refreshState(jobId: string): void {
		const rt = this.runtimes.get(jobId);
		if (!rt) {
			return;
		}
		const next = this.computeState(jobId, rt);
		if (next !== rt.state) {
			const previous = rt.state;
			rt.state = next;
			this.logger.debug(`${previous} -> ${next}`, { jobId });
			this._onDidChangeJobState.fire({ jobId, state: next, previous });
		}
	}

	private computeState(jobId: string, rt: Runtime): JobState {
		if (rt.running > 0) {
			return 'running';
		}
		if (rt.queued > 0) {
			return 'queued';
		}
		if (rt.pending > 0) {
			return 'pending';
		}
		if (!this.isEnabled(jobId)) {
			return 'disabled';
		}
		const last = rt.lastRun?.status;
		return last && last !== 'missed' ? last : 'idle';
	}

	private snapshot(job: JobDefinition): JobSnapshot {
		const rt = this.ensureRuntime(job.id);
		return {
			id: job.id,
			name: job.name ?? job.id,
			definition: job,
			state: rt.state,
			enabled: this.isEnabled(job.id),
			nextRunAt: this.scheduler.nextRun(job.id),
			lastRun: rt.lastRun,
			active: [...rt.active.values()].map((run) => ({ ...run.info })),
			programmatic: this.apiJobs.has(job.id),
		};
	}
}

function messageOf(reason: unknown): string {
	return String((reason as Error)?.message ?? reason);
}
