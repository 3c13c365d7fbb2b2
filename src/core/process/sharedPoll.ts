/**
 * One timer for many things that each want a look at their own time (`nextAt`, a
 * `performance.now()` time): whatever is due within `slackMs` of the earliest is handed over in
 * one batch, so one `/proc` scan serves them all. `onDue` returns the entries that are done;
 * the others must have set a later `nextAt`. No timer runs while nothing waits.
 */
export class SharedPoll<T extends { nextAt: number }> {
	private readonly entries = new Set<T>();
	private timer: NodeJS.Timeout | undefined;

	constructor(
		private readonly onDue: (due: T[], now: number) => readonly T[],
		private readonly slackMs: number,
		/** Whether a pending look keeps the process alive. */
		private readonly keepsAlive: boolean,
	) {}

	add(entry: T): void {
		this.entries.add(entry);
		this.arm();
	}

	delete(entry: T): void {
		if (this.entries.delete(entry)) {
			this.arm();
		}
	}

	private arm(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		if (this.entries.size === 0) {
			return;
		}
		let next = Infinity;
		for (const entry of this.entries) {
			next = Math.min(next, entry.nextAt);
		}
		this.timer = setTimeout(() => this.fire(), Math.max(0, next - performance.now()));
		if (!this.keepsAlive) {
			this.timer.unref();
		}
	}

	private fire(): void {
		this.timer = undefined;
		const now = performance.now();
		const due = [...this.entries].filter((entry) => entry.nextAt <= now + this.slackMs);
		for (const done of this.onDue(due, now)) {
			this.entries.delete(done);
		}
		this.arm();
	}
}
