import { type Clock, systemClock } from '../base/clock';
import { Disposable, type IDisposable } from '../base/disposable';
import { Emitter, type Event } from '../base/events';
import { type Logger, nullLogger } from '../base/logger';
import { workspaceStateDir } from '../base/stateDir';
import { fireTimes } from '../cron/fireTimes';
import { CommandExecutor, defaultOutputLogLimit, type RunOutput } from '../dispatch/commandExecutor';
import { Dispatcher } from '../dispatch/dispatcher';
import { FunctionExecutor } from '../dispatch/functionExecutor';
import { type JobStateChange, JobStates } from '../dispatch/jobStates';
import type { ActiveRun, JobDefinition, JobsConfig, JobSnapshot, RunRecord, Trigger } from '../model';
import { runProcess } from '../process/runner';
import { type ConfigDiff, describeConfigDiff, diffConfig, isEmptyDiff } from '../definitions/configDiff';
import { defaultConcurrency } from '../definitions/jobsFile';
import type { HistoryQuery } from '../records/history';
import { RunStore } from '../records/runStore';
import type { EngineOptions } from './engineOptions';
import { type ExplainInput, type Explanation, explainJob } from './explain';
import { JobRegistry } from './jobRegistry';
import { recover } from './recovery';
import { RunEvents } from './runEvents';
import { Scheduling } from './scheduling';

/** History records read for an explanation: a few runs with their attempts, skips and misses. */
export const explainHistoryLimit = 50;

/**
 * The scheduling engine, definitions in and runs out: a facade that wires the stages (a registry
 * of definitions, scheduling, a dispatcher with a command and a function executor, the run store,
 * job states, recovery) and tells its host what happens. The CLI and the extension are
 * thin layers over this class.
 */
export class Engine extends Disposable {
	private readonly _onDidLoadJobs = this._register(new Emitter<void>());
	/** Definitions were (re)loaded or a job was registered, removed, enabled or disabled. */
	readonly onDidLoadJobs: Event<void> = this._onDidLoadJobs.event;
	private readonly _onDidChangeStatus = this._register(new Emitter<void>());
	/** Paused, started or stopped. */
	readonly onDidChangeStatus: Event<void> = this._onDidChangeStatus.event;
	/** A job's state changed (queued, running, completed, ...); see `JobStates`. */
	readonly onDidChangeJobState: Event<JobStateChange>;
	/** An attempt started running, finished (its record on disk) or printed; see `RunEvents`. */
	readonly onDidStartRun: Event<ActiveRun>;
	readonly onDidFinishRun: Event<RunRecord>;
	readonly onDidOutput: Event<RunOutput>;

	readonly stateDir: string | undefined;
	/** The logger the engine writes to, for services built around it. */
	readonly logger: Logger;
	private readonly clock: Clock;
	private readonly options: EngineOptions;
	private readonly store: RunStore;
	private readonly registry: JobRegistry;
	private readonly states: JobStates;
	private readonly scheduling: Scheduling;
	private readonly dispatcher: Dispatcher;
	private configConcurrency = defaultConcurrency;
	/** The definitions of the last `load`, what the next one is compared with. */
	private loaded: JobsConfig | undefined;
	private _paused = false;
	private stopping = false;
	/** `process.env` as a plain object, taken at each load: spreading `process.env` itself costs a native lookup per variable. */
	private baseEnv: NodeJS.ProcessEnv = { ...process.env };

	constructor(options: EngineOptions) {
		super();
		this.options = { ...options };
		const clock = (this.clock = options.clock ?? systemClock);
		const logger = (this.logger = options.logger ?? nullLogger);
		this.stateDir = options.stateDir === null ? undefined : (options.stateDir ?? workspaceStateDir(options.workspaceFolder));
		this.states = this._register(new JobStates((id) => this.registry.isEnabled(id), logger));
		const events = this._register(new RunEvents(clock, logger, () => this.store, this.states));
		this.store = new RunStore(this.stateDir, logger, (records) => events.recorded(records), () => clock.now(), options.retention);
		this.registry = new JobRegistry(this.store.state);
		this.onDidChangeJobState = this.states.onDidChange;
		this.onDidStartRun = events.onDidStartRun;
		this.onDidFinishRun = events.onDidFinishRun;
		this.onDidOutput = events.onDidOutput;
		const finish = (record: RunRecord) => this.store.finish(record);
		const [isPaused, isStopping] = [() => this._paused, () => this.stopping];
		const { registry, store, states } = this;
		const run = (jobId: string, trigger: Trigger, at: number) => this.run([jobId], trigger, at);
		this.scheduling = this._register(new Scheduling({ clock, logger, registry, state: store.state, saveStateSoon: () => store.saveStateSoon(), isPaused, isStopping, run, finish }));
		const commands = new CommandExecutor({
			...{ clock, logger, workspaceFolder: options.workspaceFolder, stateDir: this.stateDir, runner: options.runProcess ?? runProcess },
			baseEnv: () => this.baseEnv,
			outputLogLimit: () => this.options.outputLogLimit ?? defaultOutputLogLimit,
			killGraceMs: () => this.options.killGraceMs,
			started: (handle) => events.started(handle, true) as Promise<void>,
			outputListener: () => events.outputListener(),
		});
		const functions = new FunctionExecutor({ clock, logger, started: (handle) => void events.started(handle, false) });
		const requireJob = (id: string) => registry.require(id);
		this.dispatcher = new Dispatcher({ clock, logger, states, finish, commands, functions, requireJob, isStopping }, options.concurrency ?? defaultConcurrency);
		recover({ clock, logger, states, store, stateDir: this.stateDir, scheduling: this.scheduling, killGraceMs: options.killGraceMs ?? 2000 });
	}

	/** Applies options that come from settings and may change while the engine runs. */
	configure(options: Pick<EngineOptions, 'concurrency' | 'outputLogLimit' | 'retention'>): void {
		Object.assign(this.options, { concurrency: options.concurrency, outputLogLimit: options.outputLogLimit });
		this.dispatcher.queue.concurrency = this.options.concurrency ?? this.configConcurrency;
		this.store.setRetention({ host: options.retention });
	}

	/**
	 * Replaces the `.jobs.json` definitions. Running runs finish under their old definition;
	 * unchanged schedules keep their grid. Logs what changed (`Reloaded: lint: command changed;
	 * nightly: added`) and returns it; the first load counts every job as added.
	 */
	load(config: JobsConfig): ConfigDiff {
		this.baseEnv = { ...process.env };
		this.configConcurrency = config.concurrency ?? defaultConcurrency;
		this.dispatcher.queue.concurrency = this.options.concurrency ?? this.configConcurrency;
		this.store.setRetention({ file: config.retention });
		const change = this.registry.replaceFileJobs(config.jobs);
		for (const id of change.removed) {
			this.scheduling.disarm({ id });
			this.states.forget(id);
		}
		for (const { job, known, rearm } of change.jobs) {
			this.states.ensure(job.id);
			if (rearm) {
				this.scheduling.arm(job, known);
			}
		}
		const diff = diffConfig(this.loaded ?? { jobs: [] }, config);
		this.logLoad(diff, config);
		this.loaded = config;
		this.states.refreshAll();
		this._onDidLoadJobs.fire();
		return diff;
	}

	/** The first load names the count; a reload what changed, at info (a reload that changed nothing at debug: settings changes reload too). */
	private logLoad(diff: ConfigDiff, config: JobsConfig): void {
		if (!this.loaded) {
			this.logger.info(`Loaded ${config.jobs.length} job${config.jobs.length === 1 ? '' : 's'}`);
		} else if (isEmptyDiff(diff)) {
			this.logger.debug('Reloaded: nothing changed');
		} else {
			this.logger.info(`Reloaded: ${describeConfigDiff(diff)}`);
		}
	}

	/** Adds a job defined in code (an async function); it shares the queue, limits and history. */
	register(job: JobDefinition): IDisposable {
		this.registry.register(job);
		this.states.ensure(job.id);
		this.scheduling.arm(job, false);
		this.states.refresh(job.id);
		this._onDidLoadJobs.fire();
		return {
			dispose: () => {
				if (this.registry.unregister(job)) {
					this.scheduling.disarm(job);
					this._onDidLoadJobs.fire();
				}
			},
		};
	}

	/** Enables or disables a job; remembered across restarts in the state folder. */
	setEnabled(jobId: string, enabled: boolean): void {
		const job = this.registry.require(jobId);
		this.registry.setEnabled(job, enabled);
		this.store.saveStateSoon();
		this.scheduling.arm(job, true);
		this.logger.info(`${enabled ? 'Enabled' : 'Disabled'} job`, { jobId });
		this.states.refresh(jobId);
		this._onDidLoadJobs.fire();
	}

	isEnabled(jobId: string): boolean {
		return this.registry.isEnabled(jobId);
	}
	getDefinition(jobId: string): JobDefinition | undefined {
		return this.registry.get(jobId);
	}

	/** Starts the scheduler (catching up what was missed since the last run). Manual runs work without it. */
	start(): void {
		if (this.scheduling.isStarted) {
			return;
		}
		this.stopping = false;
		this.scheduling.start();
		this.logger.info(`Scheduler started (${this.scheduling.size} scheduled, concurrency ${this.concurrency})`);
		this._onDidChangeStatus.fire();
	}

	/** Stops scheduling, cancels every run (killing their process groups) and waits for them to end. */
	async stop(): Promise<void> {
		this.stopping = true;
		this.scheduling.stop();
		const active = this.dispatcher.abortAll('the scheduler stopped');
		await Promise.allSettled(active.map((run) => run.done));
		await this.store.flush();
		this.store.state.lastAlive = this.clock.now();
		await this.store.saveStateNow();
		this.logger.info('Scheduler stopped');
		this._onDidChangeStatus.fire();
	}

	/** Stops firing schedules but lets running runs finish (the runner lease went to another process). */
	stopScheduling(): void {
		if (this.scheduling.isStarted) {
			this.scheduling.stop();
			this.logger.info('Scheduler stopped scheduling; running jobs finish');
			this._onDidChangeStatus.fire();
		}
	}

	/** A check before every scheduled run (the runner lease's `verify`); see `Scheduling.setGuard`. */
	setScheduleGuard(guard: (() => Promise<boolean>) | undefined): void {
		this.scheduling.setGuard(guard);
	}

	get isStarted(): boolean {
		return this.scheduling.isStarted;
	}
	get paused(): boolean {
		return this._paused;
	}

	/** Pausing holds scheduled fires (they are skipped and logged) and queued runs; running ones go on. */
	pause(): void {
		this.setPaused(true);
	}
	resume(): void {
		this.setPaused(false);
	}

	/** Re-reads the wall clock, e.g. when the host knows the machine woke up. */
	poke(): void {
		this.scheduling.poke();
	}

	/** Runs jobs now with their dependencies; resolves with the final record of every job involved, in finishing order. */
	run(jobIds: readonly string[], trigger: Trigger = 'manual', scheduledAt?: number): Promise<RunRecord[]> {
		return this.dispatcher.run(jobIds, trigger, scheduledAt);
	}

	/** Cancels every unfinished run of a job, or one run by id. Returns how many were canceled. */
	cancel(target: { jobId: string } | { runId: string }): number {
		return this.dispatcher.cancel(target);
	}

	/** Resolves when nothing is queued, pending or running and no background prune is in flight, with the finished records history could not take (kept in memory, retried), if any. */
	async whenIdle(): Promise<RunStore['unsaved']> {
		for (let active = this.states.activeRuns(); active.length > 0; active = this.states.activeRuns()) {
			await Promise.allSettled(active.map((run) => run.done));
		}
		await this.store.flush();
		await this.store.pruned();
		return this.store.unsaved;
	}

	getJobs(): JobSnapshot[] {
		return this.registry.all().map((job) => this.snapshot(job));
	}
	getJob(jobId: string): JobSnapshot | undefined {
		const job = this.registry.get(jobId);
		return job && this.snapshot(job);
	}

	/** The next `count` fire times of a job from `from` (epoch ms). */
	nextRuns(jobId: string, count: number, from = this.clock.now()): number[] {
		const job = this.registry.require(jobId);
		return job.schedule ? fireTimes(job.schedule, from, count, this.scheduling.anchorOf(jobId) ?? from) : [];
	}

	/**
	 * "Why didn't this run?" from what this engine knows (its definition, enabled switch, pause,
	 * runs in flight, `every` grid and its last `historyLimit` records); the host adds who runs
	 * the schedule and its own run gate.
	 */
	explain(jobId: string, host: Pick<ExplainInput, 'runner' | 'refusal'>, now = this.clock.now(), historyLimit = explainHistoryLimit): Explanation {
		const job = this.registry.require(jobId);
		const records = this.readHistory({ jobId, limit: historyLimit });
		const active = this.getJob(jobId)?.active;
		return explainJob({ ...host, job, enabled: this.registry.isEnabled(jobId), records, active, paused: this._paused, now, anchor: this.scheduling.anchorOf(jobId) });
	}

	/** The soonest scheduled fire over all jobs. */
	nextDue(): { jobId: string; at: number } | undefined {
		return this.scheduling.earliest();
	}

	/** Runs running now and runs waiting for a slot, a retry or a dependency, over all jobs. */
	runCounts(): { running: number; waiting: number } {
		return this.states.counts();
	}

	/** Past runs from the persisted history, newest last. */
	readHistory(query?: HistoryQuery): RunRecord[] {
		return this.store.history?.read(query) ?? [];
	}

	get concurrency(): number {
		return this.dispatcher.queue.concurrency;
	}

	/** Jobs defined (file and code) without building a snapshot of each, for hosts that only count. */
	get jobCount(): number {
		return this.registry.all().length;
	}

	override dispose(): void {
		this.dispatcher.abortAll('the engine was disposed');
		super.dispose();
	}

	private setPaused(paused: boolean): void {
		if (this._paused !== paused) {
			this._paused = paused;
			void (paused ? this.dispatcher.queue.pause() : this.dispatcher.queue.start());
			this.logger.info(paused ? 'Scheduler paused' : 'Scheduler resumed');
			this._onDidChangeStatus.fire();
		}
	}

	private snapshot(job: JobDefinition): JobSnapshot {
		const { registry } = this;
		return this.states.snapshot(job, { enabled: registry.isEnabled(job.id), nextRunAt: this.scheduling.nextRun(job.id), programmatic: registry.isProgrammatic(job.id) });
	}
}
