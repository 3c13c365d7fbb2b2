import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { OutputCapture } from '../../../../src/core/process/outputCapture';
import { sleep } from '../../../support/wait';

/** A stream that gets `chunks` pieces `everyMs` apart, then ends (or stays open). */
function slowStream(chunks: number, everyMs: number, end: boolean): PassThrough {
	const stream = new PassThrough();
	void (async () => {
		for (let i = 0; i < chunks; i++) {
			await sleep(everyMs);
			stream.write(`chunk ${i}\n`);
		}
		if (end) {
			stream.end();
		}
	})();
	return stream;
}

test('output still arriving after the job ended is read to its end, however long it takes in all', async () => {
	const capture = new OutputCapture(1 << 20, undefined, undefined);
	// 12 pieces 100 ms apart: 1.2 s in all, never 300 ms without progress.
	capture.attach(slowStream(12, 100, true), 'stdout');
	await capture.streamsEnded(300, 30_000);
	await capture.finish();
	assert.equal(capture.tail().split('\n').filter(Boolean).length, 12);
});

test('a stream held open without output ends the wait after the quiet time, and every stream has an overall bound', async () => {
	const quiet = new OutputCapture(1024, undefined, undefined);
	quiet.attach(new PassThrough(), 'stdout');
	let started = Date.now();
	await quiet.streamsEnded(200, 30_000);
	let waited = Date.now() - started;
	assert.ok(waited >= 190 && waited < 5_000, `waited ${waited} ms`);
	await quiet.finish();

	// Output that never stops (an escaped process printing forever) is cut at the overall bound.
	const busy = new OutputCapture(1024, undefined, undefined);
	const stream = new PassThrough();
	const timer = setInterval(() => stream.write('x'), 20);
	busy.attach(stream, 'stdout');
	started = Date.now();
	await busy.streamsEnded(200, 800);
	waited = Date.now() - started;
	clearInterval(timer);
	await busy.finish();
	assert.ok(waited >= 790 && waited < 5_000, `waited ${waited} ms`);
});
