import type { Clock } from '../base/clock';
import { Disposable, type IDisposable } from '../base/disposable';
import type { Logger } from '../base/logger';
import { afterStepBack, anchorAtOrBefore, armAfter, nextFireSkippingLast, stepRuleOf } from './clockSteps';
import { MinHeap } from './minHeap';
import type { CatchUpPolicy, Schedule } from '../model';
import { lastFireTimeBetween, nextFireTime } from '../cron/fireTimes';

/** The scheduler never sleeps longer than this, so it re-reads the wall clock after a laptop sleep. */
export const maxSleepMs = 30_000;
/** A due time this late counts as missed, not merely late; older due times are always missed when a newer one is due. */
export const lateThresholdMs = 60_000;
/** A wall-clock step this large against the monotonic clock is logged as a sleep or clock change. */
const jumpThresholdMs = 5_000;
/**
 * A step back larger than this re-arms every job by its kind (clockSteps.ts). Smaller ones only
 * delay the next fires by as much, and timer noise (a few milliseconds) is far below it.
 */
const stepBackThresholdMs = 1_000;

export interface ScheduleOptions {
	catchUp: CatchUpPolicy;
	startingDeadlineMs: number;
	/** Start of an `every` schedule's grid. @default now */
	anchor?: number;
	/** The engine was watching this job up to here; due times after it were missed (restart catch-up). */
	since?: number;
	/** The last scheduled instant that fired, from persisted state; it never fires again. */
	lastFired?: number;
}

/** A due fire: `catchUp` is set when it stands in for a missed time. */
export interface Fire {
	jobId: string;
	scheduledAt: number;
	catchUp: boolean;
}

/** Fire times that passed while nothing could run them. */
export interface Missed {
	jobId: string;
	first: number;
	last: number;
	count: number;
}

interface Entry {
	jobId: string;
	schedule: Schedule;
	catchUp: CatchUpPolicy;
	startingDeadlineMs: number;
	anchor: number;
	next: number | undefined;
	lastFired: number | undefined;
	version: number;
}

/**
 * One timer for the whole schedule: a heap of next fire times, a timer for the earliest one
 * (capped at 30 s so the wall clock is re-read), and a check on every wake-up that the wall
 * clock really reached the fire time (timers fire early and run on the monotonic clock). Every
 * look at the wall clock is compared with the monotonic clock, and a step back re-arms the jobs
 * by the rules of clockSteps.ts.
 */
export class Scheduler extends Disposable {
	private readonly entries = new Map<string, Entry>();
	private readonly heap = new MinHeap<{ at: number; jobId: string; version: number }>((a, b) => a.at - b.at);
	private timer: IDisposable | undefined;
	private running = false;
	private lastWall = 0;
	private lastMono = 0;
	private versionCounter = 0;

	constructor(
		private readonly clock: Clock,
		private readonly onFire: (fire: Fire) => void,
		private readonly onMissed: (missed: Missed) => void,
		private readonly logger: Logger,
	) {
		super();
		this._register({ dispose: () => this.stop() });
	}

	/** Adds or replaces a job's schedule; `undefined` removes it. */
	set(jobId: string, schedule: Schedule | undefined, options: ScheduleOptions): void {
		const previous = this.entries.get(jobId);
		if (!schedule) {
			this.entries.delete(jobId);
			return;
		}
		const now = this.clock.now();
		// A step back not yet seen re-arms the other jobs first, and `now` is then on the new timeline.
		this.observeClock(now);
		const anchor = anchorAtOrBefore(schedule, options.anchor ?? now, now);
		const from = options.since !== undefined ? Math.min(options.since, now) : now;
		const lastFired = options.lastFired ?? previous?.lastFired;
		const entry: Entry = { jobId, schedule, catchUp: options.catchUp, startingDeadlineMs: options.startingDeadlineMs, anchor, next: undefined, lastFired, version: ++this.versionCounter };
		entry.next = nextFireSkippingLast(entry, armAfter(schedule, now, from, lastFired, options.since));
		if (entry.next !== undefined && options.since === undefined && entry.next <= now) {
			entry.next = nextFireSkippingLast(entry, now);
		}
		this.entries.set(jobId, entry);
		this.push(entry);
	}

	/** The next fire time of a job, or undefined. */
	nextRun(jobId: string): number | undefined {
		this.observeClock(this.clock.now());
		return this.entries.get(jobId)?.next;
	}

	/** Anchor of an `every` schedule, to keep its grid when definitions reload. */
	anchorOf(jobId: string): number | undefined {
		this.observeClock(this.clock.now());
		return this.entries.get(jobId)?.anchor;
	}

	/** The earliest next fire time over all jobs, with its job. */
	earliest(): { jobId: string; at: number } | undefined {
		this.observeClock(this.clock.now());
		this.dropStale();
		const top = this.heap.peek();
		return top ? { jobId: top.jobId, at: top.at } : undefined;
	}

	get size(): number {
		return this.entries.size;
	}

	start(): void {
		if (this.running) {
			return;
		}
		this.running = true;
		this.lastWall = this.clock.now();
		this.lastMono = this.clock.monotonic();
		this.tick();
	}

	stop(): void {
		this.running = false;
		this.timer?.dispose();
		this.timer = undefined;
	}

	/** Re-reads the clock now, e.g. after the host reports a resume from sleep. */
	poke(): void {
		if (this.running) {
			this.tick();
		}
	}

	private push(entry: Entry): void {
		if (entry.next !== undefined) {
			this.heap.push({ at: entry.next, jobId: entry.jobId, version: entry.version });
		}
		if (this.running) {
			this.arm();
		}
	}

	private dropStale(): void {
		for (let top = this.heap.peek(); top; top = this.heap.peek()) {
			const entry = this.entries.get(top.jobId);
			if (entry && entry.version === top.version && entry.next === top.at) {
				return;
			}
			this.heap.pop();
		}
	}

	private arm(): void {
		this.timer?.dispose();
		this.dropStale();
		const top = this.heap.peek();
		const wait = top ? Math.min(Math.max(0, top.at - this.clock.now()), maxSleepMs) : maxSleepMs;
		this.timer = this.clock.setTimeout(() => this.tick(), wait);
	}

	private tick(): void {
		if (!this.running) {
			return;
		}
		const now = this.clock.now();
		this.observeClock(now);
		for (let top = this.heap.peek(); top && top.at <= now; top = this.heap.peek()) {
			this.heap.pop();
			const entry = this.entries.get(top.jobId);
			if (!entry || entry.version !== top.version || entry.next !== top.at) {
				continue;
			}
			this.due(entry, now);
		}
		this.arm();
	}

	/**
	 * Compares how far the wall clock moved since the last look with how far the monotonic clock
	 * did. A step forward needs nothing here: the jobs' times are then simply due, and missed or
	 * caught up in `due`. A step back re-arms every job by its kind.
	 */
	private observeClock(now: number): void {
		if (!this.running) {
			return;
		}
		const mono = this.clock.monotonic();
		const elapsed = mono - this.lastMono;
		const drift = now - this.lastWall - elapsed;
		this.lastWall = now;
		this.lastMono = mono;
		if (drift < -stepBackThresholdMs) {
			this.logger.info(
				`Wall clock moved ${Math.round(drift / 1000)}s against the monotonic clock (clock change); intervals go on in elapsed time, wildcard cron jobs from the new wall time, fixed times that already ran do not run again`,
			);
			this.stepBack(drift, now - elapsed);
		} else if (drift > jumpThresholdMs) {
			this.logger.info(`Wall clock moved ${Math.round(drift / 1000)}s against the monotonic clock (sleep or clock change); re-arming from wall-clock time`);
		}
	}

	/** Re-arms every entry after a step back; the heap is rebuilt, since most next times moved. */
	private stepBack(drift: number, previous: number): void {
		this.heap.clear();
		for (const entry of this.entries.values()) {
			afterStepBack(entry, drift, previous);
			entry.version = ++this.versionCounter;
			if (entry.next !== undefined) {
				this.heap.push({ at: entry.next, jobId: entry.jobId, version: entry.version });
			}
		}
	}

	private due(entry: Entry, now: number): void {
		const at = entry.next as number;
		const { last, count } = firesBetween(entry, at - 1, now);
		const latest = last ?? at;
		// Late means the newest due time is late: a busy event loop that let two times of a
		// short `every` pass still runs the newest (the older ones are missed), never none.
		const late = now - latest > lateThresholdMs;
		if (entry.lastFired !== undefined && (latest === entry.lastFired || (latest < entry.lastFired && stepRuleOf(entry.schedule) === 'fixed'))) {
			// The clock moved back: this scheduled instant already ran (clockSteps.ts).
		} else if (!late) {
			if (count > 1) {
				this.onMissed({ jobId: entry.jobId, first: at, last: previousOrFirst(entry, at, latest), count: count - 1 });
			}
			entry.lastFired = latest;
			this.onFire({ jobId: entry.jobId, scheduledAt: latest, catchUp: false });
		} else {
			const catchUp = entry.catchUp === 'once' && now - latest <= entry.startingDeadlineMs;
			const missedCount = catchUp ? count - 1 : count;
			if (missedCount > 0) {
				this.onMissed({ jobId: entry.jobId, first: at, last: catchUp ? previousOrFirst(entry, at, latest) : latest, count: missedCount });
			}
			entry.lastFired = latest;
			if (catchUp) {
				this.onFire({ jobId: entry.jobId, scheduledAt: latest, catchUp: true });
			}
		}
		entry.next = nextFireTime(entry.schedule, Math.max(now, entry.lastFired ?? now), entry.anchor);
		entry.version = ++this.versionCounter;
		if (entry.next !== undefined) {
			this.heap.push({ at: entry.next, jobId: entry.jobId, version: entry.version });
		}
	}
}

/** The last missed time before the one that is caught up (or the first, when only two were due). */
function previousOrFirst(entry: Entry, first: number, caughtUp: number): number {
	return firesBetween(entry, first - 1, caughtUp - 1).last ?? first;
}

/** The latest fire time in (since, until] and how many there are; `every` grids use the entry's anchor. */
function firesBetween(entry: Entry, since: number, until: number): { last: number | undefined; count: number } {
	const schedule = entry.schedule;
	if (schedule.kind !== 'every') {
		return lastFireTimeBetween(schedule, since, until, 1_000_000);
	}
	const first = nextFireTime(schedule, since, entry.anchor);
	if (first === undefined || first > until) {
		return { last: undefined, count: 0 };
	}
	const count = Math.floor((until - first) / schedule.everyMs) + 1;
	return { last: first + (count - 1) * schedule.everyMs, count };
}
