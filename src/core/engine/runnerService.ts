import * as fs from 'node:fs';
import { Disposable } from '../base/disposable';
import { Emitter, type Event } from '../base/events';
import type { Logger } from '../base/logger';
import type { Engine } from './engine';
import { type LeaseInfo, RunnerLease } from './lease';

/** `runner`: this process runs the schedule. `passive`: another process holds the lease. */
export type RunnerRole = 'stopped' | 'runner' | 'passive';

/**
 * Runs an engine's schedule only while this process holds the workspace folder's runner lease,
 * so two VS Code windows (or the CLI's `start` beside VS Code) never both run it. A passive
 * process keeps trying and takes over within about a second of the holder going away.
 */
export class RunnerService extends Disposable {
	private readonly _onDidChangeRole = this._register(new Emitter<RunnerRole>());
	readonly onDidChangeRole: Event<RunnerRole> = this._onDidChangeRole.event;
	private readonly lease: RunnerLease;
	private _role: RunnerRole = 'stopped';
	private _holder: LeaseInfo | undefined;

	constructor(
		private readonly engine: Engine,
		workspaceFolder: string,
		holder: string,
		private readonly logger: Logger,
		retryMs = 1000,
	) {
		super();
		this.lease = this._register(new RunnerLease(canonical(workspaceFolder), holder, { retryMs, warn: (message) => this.logger.warn(message) }));
		this._register(this.lease.onDidAcquire(() => this.becomeRunner()));
		engine.setScheduleGuard(() => this.lease.verify());
		this._register(
			this.lease.onDidLose(() => {
				this.logger.warn('Lost the runner lease; another process may run the schedule now');
				this.engine.stopScheduling();
				this.setRole('passive');
				this.lease.acquireInBackground();
			}),
		);
	}

	get role(): RunnerRole {
		return this._role;
	}

	/** Who runs the schedule when this process is passive (refreshed by `start`). */
	get holder(): LeaseInfo | undefined {
		return this._holder;
	}

	/** Becomes the runner, or passive with a background attempt to take over. */
	async start(): Promise<RunnerRole> {
		if (await this.lease.tryAcquire()) {
			return this._role;
		}
		this._holder = await this.lease.queryHolder();
		this.logger.info(`Jobs run in another process (${this._holder ? `${this._holder.holder}, pid ${this._holder.pid}` : 'unknown'}); this one takes over when it goes away`);
		this.setRole('passive');
		this.lease.acquireInBackground();
		return this._role;
	}

	/** Before a scheduled run starts: true while this process still holds the lease. */
	verify(): Promise<boolean> {
		return this.lease.verify();
	}

	async stop(): Promise<void> {
		this.lease.dispose();
		await this.engine.stop();
		this.setRole('stopped');
	}

	private becomeRunner(): void {
		if (this._role === 'runner' || this.isDisposed) {
			return;
		}
		this._holder = undefined;
		this.logger.info('This process holds the runner lease and runs the schedule');
		this.engine.start();
		this.setRole('runner');
	}

	private setRole(role: RunnerRole): void {
		if (role !== this._role) {
			this._role = role;
			this._onDidChangeRole.fire(role);
		}
	}
}

/**
 * Who holds a folder's runner lease, asked from outside (the CLI's `explain`): undefined when
 * nobody does or the holder does not answer within a second.
 */
export async function queryRunner(workspaceFolder: string): Promise<LeaseInfo | undefined> {
	const lease = new RunnerLease(canonical(workspaceFolder), 'query');
	try {
		return await lease.queryHolder();
	} finally {
		lease.dispose();
	}
}

function canonical(folder: string): string {
	try {
		return fs.realpathSync(folder);
	} catch {
		return folder;
	}
}
