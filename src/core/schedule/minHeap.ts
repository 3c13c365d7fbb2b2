/** A binary min-heap: the scheduler keeps one timer for the earliest of many fire times. */
export class MinHeap<T> {
	private readonly items: T[] = [];

	constructor(private readonly compare: (a: T, b: T) => number) {}

	get size(): number {
		return this.items.length;
	}

	/** Drops every item, for a rebuild after most keys changed at once. */
	clear(): void {
		this.items.length = 0;
	}

	peek(): T | undefined {
		return this.items[0];
	}

	push(item: T): void {
		const items = this.items;
		items.push(item);
		let i = items.length - 1;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (this.compare(items[i], items[parent]) >= 0) {
				break;
			}
			[items[i], items[parent]] = [items[parent], items[i]];
			i = parent;
		}
	}

	pop(): T | undefined {
		const items = this.items;
		const top = items[0];
		const last = items.pop();
		if (items.length > 0 && last !== undefined) {
			items[0] = last;
			let i = 0;
			for (;;) {
				const l = 2 * i + 1;
				const r = l + 1;
				let m = i;
				if (l < items.length && this.compare(items[l], items[m]) < 0) {
					m = l;
				}
				if (r < items.length && this.compare(items[r], items[m]) < 0) {
					m = r;
				}
				if (m === i) {
					break;
				}
				[items[i], items[m]] = [items[m], items[i]];
				i = m;
			}
		}
		return top;
	}
}
