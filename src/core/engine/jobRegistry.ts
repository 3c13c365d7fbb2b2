import type { JobDefinition } from '../model';
import type { PersistedState } from '../records/persistedState';

/** What a new set of file definitions changed. */
export interface DefinitionChange {
	/** Ids no longer defined anywhere. */
	removed: string[];
	/** Every definition of the new set, with whether its schedule must be (re)armed. */
	jobs: Array<{ job: JobDefinition; known: boolean; rearm: boolean }>;
}

/**
 * The job definitions: those of `.jobs.json` and those registered in code (the API), and whether
 * each is enabled (the definition's `enabled`, unless the user toggled it; toggles live in
 * `state.json`, so they survive a restart).
 */
export class JobRegistry {
	private readonly fileJobs = new Map<string, JobDefinition>();
	private readonly apiJobs = new Map<string, JobDefinition>();

	constructor(private readonly state: PersistedState) {}

	get(jobId: string): JobDefinition | undefined {
		return this.fileJobs.get(jobId) ?? this.apiJobs.get(jobId);
	}

	require(jobId: string): JobDefinition {
		const job = this.get(jobId);
		if (!job) {
			throw new Error(`Unknown job "${jobId}"`);
		}
		return job;
	}

	all(): JobDefinition[] {
		return [...this.fileJobs.values(), ...this.apiJobs.values()];
	}

	isProgrammatic(jobId: string): boolean {
		return this.apiJobs.has(jobId);
	}

	isEnabled(jobId: string): boolean {
		const job = this.get(jobId);
		return job ? (this.state.enabled?.[jobId] ?? job.enabled ?? true) : false;
	}

	/** Remembers the user's toggle; a toggle back to what the file says is forgotten. */
	setEnabled(job: JobDefinition, enabled: boolean): void {
		this.state.enabled = { ...this.state.enabled, [job.id]: enabled };
		if ((job.enabled ?? true) === enabled) {
			delete this.state.enabled[job.id];
		}
	}

	/** Replaces the file's definitions; a job's schedule is re-armed when it is new or its schedule or `enabled` changed. */
	replaceFileJobs(jobs: readonly JobDefinition[]): DefinitionChange {
		const next = new Map(jobs.map((job) => [job.id, job]));
		const removed = [...this.fileJobs.keys()].filter((id) => !next.has(id) && !this.apiJobs.has(id));
		const previous = new Map(this.fileJobs);
		this.fileJobs.clear();
		const change: DefinitionChange = { removed, jobs: [] };
		for (const [id, job] of next) {
			this.fileJobs.set(id, job);
			const old = previous.get(id);
			const rearm = !old || JSON.stringify(old.schedule) !== JSON.stringify(job.schedule) || old.enabled !== job.enabled;
			change.jobs.push({ job, known: old !== undefined, rearm });
		}
		return change;
	}

	/** Adds a job defined in code; ids are unique across the file and the API. */
	register(job: JobDefinition): void {
		if (this.get(job.id)) {
			throw new Error(`A job with id "${job.id}" already exists`);
		}
		if (!job.run && !job.command) {
			throw new Error(`Job "${job.id}" needs a command or a run function`);
		}
		this.apiJobs.set(job.id, job);
	}

	/** Removes a job registered in code; false when that registration is gone already. */
	unregister(job: JobDefinition): boolean {
		if (this.apiJobs.get(job.id) !== job) {
			return false;
		}
		this.apiJobs.delete(job.id);
		return true;
	}
}
