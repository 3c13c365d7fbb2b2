/**
 * What a daylight-saving transition did to one fire time of a cron schedule, for people: "02:30
 * does not exist on this day, so the run is at 03:00", "01:30 happens twice; this is the first".
 * The rules themselves are in `fireTimes.ts` (cronie's); this only names their effect on an
 * instant those rules produced, so the explain surfaces can mark next runs and past runs alike.
 */
import type { Schedule } from '../model';
import { countWallMatches, nextWallMatch } from './cronWall';
import { cronOf } from './fireTimes';

/** How a transition shifted a fire time. Wall times are "wall ms" (cronWall.ts): read as UTC. */
export type DstShift =
	/** A fixed-time job whose wall time fell in a spring-forward gap runs when the gap ends. */
	| { kind: 'moved'; zone: string; nominal: string; actual: string }
	/** The fire's wall time occurs twice on a fall-back day; `occurrence` says which copy this is. */
	| { kind: 'repeated'; zone: string; wall: string; occurrence: 1 | 2; fixedTime: boolean }
	/** An elapsed-time job (`*`, ranges, steps) whose times inside a gap just before this fire were skipped. */
	| { kind: 'skipped'; zone: string; count: number; from: string; to: string };

/** `02:30`, or `02:30:15` when the seconds are not zero. */
function wallText(wall: number): string {
	const iso = new Date(wall).toISOString();
	return iso.slice(17, 19) === '00' ? iso.slice(11, 16) : iso.slice(11, 19);
}

/**
 * The DST shift of a fire time `at` of `schedule`, or undefined when no transition touched it
 * (and for `every` and `at` schedules, which follow elapsed time). `at` should be a fire time the
 * schedule produces; for a past run whose definition changed since, the answer is about the
 * current schedule.
 */
export function dstShift(schedule: Schedule, at: number): DstShift | undefined {
	if (schedule.kind !== 'cron' || !Number.isFinite(at)) {
		return undefined;
	}
	const { spec, zone } = cronOf(schedule);
	const segment = zone.segmentAt(at);
	const wall = at + segment.offset;
	const name = zone.name;
	const matches = nextWallMatch(spec, wall, wall + 1000) === wall;
	if (segment.start === at && segment.previousOffset < segment.offset) {
		const gapFrom = at + segment.previousOffset;
		if (spec.fixedTime && !matches) {
			const nominal = nextWallMatch(spec, gapFrom, wall);
			if (nominal >= 0) {
				return { kind: 'moved', zone: name, nominal: wallText(nominal), actual: wallText(wall) };
			}
		}
	}
	if (!spec.fixedTime && segment.previousOffset < segment.offset) {
		// The gap at the start of this stretch lies before `at`: were times in it skipped, with no fire between?
		const gapFrom = segment.start + segment.previousOffset;
		const gapTo = segment.start + segment.offset;
		const count = countWallMatches(spec, gapFrom, gapTo);
		const between = nextWallMatch(spec, gapTo, wall);
		if (count > 0 && (between < 0 || between === wall)) {
			return { kind: 'skipped', zone: name, count, from: wallText(gapFrom), to: wallText(gapTo) };
		}
	}
	if (segment.previousOffset > segment.offset && wall < segment.start + segment.previousOffset) {
		return { kind: 'repeated', zone: name, wall: wallText(wall), occurrence: 2, fixedTime: spec.fixedTime };
	}
	const following = zone.segmentAt(segment.end);
	if (following.offset < segment.offset && wall >= segment.end + following.offset) {
		return { kind: 'repeated', zone: name, wall: wallText(wall), occurrence: 1, fixedTime: spec.fixedTime };
	}
	return undefined;
}
