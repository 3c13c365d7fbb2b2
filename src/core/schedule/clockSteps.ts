/**
 * What a schedule does when the wall clock steps (NTP correction, manual change, VM restore)
 * while timers keep running on the monotonic clock.
 *
 * A step forward looks like a laptop sleep and is handled as one: the times it jumped over are
 * missed, and caught up by the job's `catchUp` policy. A step back is where the kinds differ (a
 * wall-clock grid kept on the old timeline would stay silent for the whole step):
 * - `every` intervals count elapsed time: the grid moves back with the wall clock, so the job
 *   goes on firing every interval.
 * - cron jobs with a `*`, range or step in the second, minute or hour field follow the new wall
 *   time, as cronie's wildcard jobs do, and may so repeat wall times they already ran. The instant
 *   of their last fire never fires again, so a step shorter than one period repeats nothing
 *   (an hourly `0 * * * *` job does not run twice because NTP stepped back a second).
 * - cron jobs whose second, minute and hour are values or lists (`30 2 * * *`), and `at` jobs,
 *   never fire an instant twice (cronie's rule for fixed-time jobs): they wait until the wall
 *   clock passes the last instant they handled. cronie gives this up for steps over 3 hours; we
 *   keep it for steps of any size, so a daily job after a step back of two days waits two days.
 * The same rules apply when the engine restarts and finds a last fire later than now.
 */
import { compileCron } from '../cron/compileCron';
import { nextFireTime } from '../cron/fireTimes';
import type { Schedule } from '../model';

/** How a schedule follows a step back of the wall clock; see the file comment. */
export type StepRule = 'elapsed' | 'wall' | 'fixed';

/** The part of a scheduler entry that a step back moves. */
export interface Armed {
	schedule: Schedule;
	/** Start of an `every` grid. */
	anchor: number;
	next: number | undefined;
	lastFired: number | undefined;
}

const maxCachedExpressions = 20_000;
const fixedExpressions = new Map<string, boolean>();

/**
 * The step rule of a schedule. Asked only when the clock stepped back, so compiling a cron
 * expression here costs nothing on the hot path; the verdict is cached per expression.
 */
export function stepRuleOf(schedule: Schedule): StepRule {
	switch (schedule.kind) {
		case 'every':
			return 'elapsed';
		case 'at':
			return 'fixed';
		case 'cron': {
			let fixed = fixedExpressions.get(schedule.expression);
			if (fixed === undefined) {
				if (fixedExpressions.size >= maxCachedExpressions) {
					fixedExpressions.clear();
				}
				const spec = compileCron(schedule.expression);
				// An expression that does not compile never fires anyway; "fixed" repeats nothing.
				fixed = typeof spec === 'string' || spec.fixedTime;
				fixedExpressions.set(schedule.expression, fixed);
			}
			return fixed ? 'fixed' : 'wall';
		}
	}
}

/**
 * Where a job being armed looks for its next fire: after `from` (now, or for restart catch-up the
 * time the last session was last alive) and after its last fire. A last fire or heartbeat later
 * than now means the wall clock stepped back since they were written: fixed instants up to the
 * later of the two stay done, and the other kinds start from now instead of waiting for it.
 */
export function armAfter(schedule: Schedule, now: number, from: number, lastFired: number | undefined, since: number | undefined): number {
	const last = lastFired ?? -Infinity;
	if (last <= now && (since ?? -Infinity) <= now) {
		return Math.max(from, last);
	}
	if (stepRuleOf(schedule) === 'fixed') {
		return Math.max(from, last, since ?? -Infinity);
	}
	return last > now ? now : Math.max(from, last);
}

/**
 * An `every` anchor at or before `now`, on the same grid: an anchor later than now was kept from
 * before a step back (the last fire, persisted), and a grid counted from it would stay silent
 * until the wall clock reached it again.
 */
export function anchorAtOrBefore(schedule: Schedule, anchor: number, now: number): number {
	if (schedule.kind !== 'every' || anchor <= now || !(schedule.everyMs > 0)) {
		return anchor;
	}
	return anchor - Math.ceil((anchor - now) / schedule.everyMs) * schedule.everyMs;
}

/** The first fire after `after`, passing over the instant of the last fire. */
export function nextFireSkippingLast(armed: Armed, after: number): number | undefined {
	const next = nextFireTime(armed.schedule, after, armed.anchor);
	return next !== undefined && next === armed.lastFired ? nextFireTime(armed.schedule, next, armed.anchor) : next;
}

/**
 * Re-arms one entry after the wall clock stepped back by `-drift` ms (`drift < 0`). `previous`
 * is the wall time of the scheduler's last look at the clock, moved onto the new timeline: the
 * fires of a `wall` schedule between it and now are due at once, as they would have been without
 * the step.
 */
export function afterStepBack(armed: Armed, drift: number, previous: number): void {
	switch (stepRuleOf(armed.schedule)) {
		case 'elapsed':
			armed.anchor += drift;
			armed.next = armed.next === undefined ? undefined : armed.next + drift;
			armed.lastFired = armed.lastFired === undefined ? undefined : armed.lastFired + drift;
			return;
		case 'wall':
			armed.next = nextFireSkippingLast(armed, previous);
			return;
		case 'fixed':
			// Every fixed instant before the old next fire was handled on the old timeline.
			return;
	}
}
