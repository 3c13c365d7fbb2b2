import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedPoll } from '../../../../src/core/process/sharedPoll';
import { sleep } from '../../../support/wait';

test('entries due close together come in one batch; an entry that is not done is looked at again at its new time', async () => {
	const batches: string[][] = [];
	let lateLooks = 0;
	const poll = new SharedPoll<{ name: string; nextAt: number }>(
		(due, now) => {
			batches.push(due.map((e) => e.name).sort());
			const late = due.find((e) => e.name === 'late');
			if (late && ++lateLooks < 3) {
				late.nextAt = now + 20;
				return due.filter((e) => e !== late);
			}
			return due;
		},
		5,
		true,
	);
	const now = performance.now();
	poll.add({ name: 'a', nextAt: now + 10 });
	poll.add({ name: 'b', nextAt: now + 12 });
	poll.add({ name: 'late', nextAt: now + 200 });
	await sleep(600);
	assert.deepEqual(batches, [['a', 'b'], ['late'], ['late'], ['late']]);
});

test('a deleted entry is never handed over', async () => {
	const seen: string[] = [];
	const poll = new SharedPoll<{ name: string; nextAt: number }>((due) => {
		seen.push(...due.map((e) => e.name));
		return due;
	}, 1, true);
	const gone = { name: 'gone', nextAt: performance.now() + 10 };
	poll.add(gone);
	poll.add({ name: 'kept', nextAt: performance.now() + 30 });
	poll.delete(gone);
	await sleep(80);
	assert.deepEqual(seen, ['kept']);
});
