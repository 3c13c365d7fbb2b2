import { Disposable } from '../base/disposable';
import { Emitter, type Event } from '../base/events';
import type { Logger } from '../base/logger';
import type { ActiveRun, JobDefinition, JobSnapshot, JobState, RunRecord } from '../model';
import type { RunHandle } from './runHandle';

/** A job's state changed (queued, running, completed, ...). */
export interface JobStateChange {
	jobId: string;
	state: JobState;
	previous: JobState;
}

const noRuns: ReadonlyMap<string, RunHandle> = new Map();

/** What is tracked per job; small, because a workspace may define thousands of jobs that rarely run. */
export class Runtime {
	state: JobState = 'idle';
	lastRun: RunRecord | undefined;
	/** How many active runs are in each state, so a state refresh is O(1) with thousands queued. */
	pending = 0;
	queued = 0;
	running = 0;
	/** Triggers of this job waiting for their dependencies to finish (before any run of it exists). */
	awaiting = 0;
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
 * The state of every job, derived from its unfinished runs, whether it is enabled and its last
 * record: `running` beats `queued` beats `pending`, then `disabled`, then the last result.
 */
export class JobStates extends Disposable {
	private readonly _onDidChange = this._register(new Emitter<JobStateChange>());
	readonly onDidChange: Event<JobStateChange> = this._onDidChange.event;
	private readonly runtimes = new Map<string, Runtime>();

	constructor(
		private readonly isEnabled: (jobId: string) => boolean,
		private readonly logger: Logger,
	) {
		super();
	}

	get(jobId: string): Runtime | undefined {
		return this.runtimes.get(jobId);
	}

	ensure(jobId: string): Runtime {
		let rt = this.runtimes.get(jobId);
		if (!rt) {
			rt = new Runtime();
			this.runtimes.set(jobId, rt);
		}
		return rt;
	}

	/** Forgets a removed job unless runs of it are still going (they finish under the old definition). */
	forget(jobId: string): void {
		const rt = this.runtimes.get(jobId);
		if (rt?.active.size === 0 && rt.awaiting === 0) {
			this.runtimes.delete(jobId);
		}
	}

	/** Every unfinished run of every job. */
	activeRuns(): RunHandle[] {
		return [...this.runtimes.values()].flatMap((rt) => [...rt.active.values()]);
	}

	/** Runs running now, and runs waiting (queued for a slot or pending a retry or a dependency). */
	counts(): { running: number; waiting: number } {
		let running = 0;
		let waiting = 0;
		for (const rt of this.runtimes.values()) {
			running += rt.running;
			waiting += rt.queued + rt.pending;
		}
		return { running, waiting };
	}

	/** What a UI shows of a job: its definition, state, last result and unfinished runs, with what the engine adds. */
	snapshot(job: JobDefinition, extra: Pick<JobSnapshot, 'enabled' | 'nextRunAt' | 'programmatic'>): JobSnapshot {
		const rt = this.ensure(job.id);
		const snapshot: JobSnapshot = {
			id: job.id,
			name: job.name ?? job.id,
			definition: job,
			state: rt.state,
			...extra,
			lastRun: rt.lastRun,
			active: [...rt.active.values()].map((run) => (run.definition && !sameRun(run.definition, job) ? { ...run.info, definitionChanged: true } : { ...run.info })),
		};
		if (rt.awaiting > 0) {
			const deps = job.dependsOn ?? [];
			const unfinished = deps.filter((id) => {
				const dep = this.runtimes.get(id);
				return dep !== undefined && (dep.active.size > 0 || dep.awaiting > 0);
			});
			snapshot.waitingFor = unfinished.length > 0 ? unfinished : [...deps];
		}
		return snapshot;
	}

	/**
	 * A trigger of `jobId` waits for its dependencies: the job is `pending` (and says for what)
	 * at once, not only once they are done. Call the returned function when they are.
	 */
	awaitDependencies(jobId: string): () => void {
		const rt = this.ensure(jobId);
		rt.awaiting++;
		this.refresh(jobId);
		let done = false;
		return () => {
			if (!done) {
				done = true;
				rt.awaiting--;
				this.refresh(jobId);
			}
		};
	}

	/** Moves a run to another state, keeping the per-job counts. */
	setRunState(handle: RunHandle, state: ActiveRun['state']): void {
		const rt = this.runtimes.get(handle.info.jobId);
		if (rt && rt.active.get(handle.info.runId) === handle) {
			rt[handle.info.state]--;
			rt[state]++;
		}
		handle.info.state = state;
		this.refresh(handle.info.jobId);
	}

	/** Shows a job's newest result (misses are not results). */
	setLastRun(record: RunRecord): void {
		const rt = this.runtimes.get(record.jobId);
		if (rt && record.status !== 'missed') {
			rt.lastRun = record;
		}
	}

	refreshAll(): void {
		for (const id of this.runtimes.keys()) {
			this.refresh(id);
		}
	}

	refresh(jobId: string): void {
		const rt = this.runtimes.get(jobId);
		if (!rt) {
			return;
		}
		const next = this.compute(jobId, rt);
		if (next !== rt.state) {
			const previous = rt.state;
			rt.state = next;
			this.logger.debug(`${previous} -> ${next}`, { jobId });
			this._onDidChange.fire({ jobId, state: next, previous });
		}
	}

	private compute(jobId: string, rt: Runtime): JobState {
		if (rt.running > 0) {
			return 'running';
		}
		if (rt.queued > 0) {
			return 'queued';
		}
		if (rt.pending > 0 || rt.awaiting > 0) {
			return 'pending';
		}
		if (!this.isEnabled(jobId)) {
			return 'disabled';
		}
		const last = rt.lastRun?.status;
		return last && last !== 'missed' ? last : 'idle';
	}
}

/** True when two definitions of a job run the same thing the same way (what a reload may change under a running run). */
function sameRun(a: JobDefinition, b: JobDefinition): boolean {
	if (a === b) {
		return true;
	}
	const key = (d: JobDefinition) => JSON.stringify([d.command, d.shell, d.cwd, d.env, d.timeoutMs, d.retry]);
	return a.run === b.run && key(a) === key(b);
}
