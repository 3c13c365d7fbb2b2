import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LauncherFrames, type OutputStreamNumber } from '../../../../../src/core/process/launcher/launcherFrames';

type Seen = { message: string[] } | { output: [string, OutputStreamNumber, string] };

/** A reader whose sink records what it was given, messages as their fields and output as text. */
function reader() {
	const seen: Seen[] = [];
	const pieces: Buffer[] = [];
	const frames = new LauncherFrames({
		message: (type, id, a, b) => seen.push({ message: [type, id, a, b].filter((f) => f !== undefined) as string[] }),
		output: (id, stream, data) => {
			pieces.push(data);
			seen.push({ output: [id, stream, data.toString('latin1')] });
		},
	});
	const push = (...chunks: Array<string | Buffer>) => chunks.forEach((c) => frames.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c));
	return { seen, pieces, push };
}

/** Output of one job and stream, joined: how a frame split into pieces reads. */
function joined(seen: Seen[]): Seen[] {
	const out: Seen[] = [];
	for (const s of seen) {
		const last = out.at(-1);
		if ('output' in s && last && 'output' in last && last.output[0] === s.output[0] && last.output[1] === s.output[1]) {
			last.output = [last.output[0], last.output[1], last.output[2] + s.output[2]];
		} else {
			out.push('output' in s ? { output: [...s.output] } : s);
		}
	}
	return out;
}

const session = 'H 4242\nB 1 4300\nS 1\nW 1 4301\nD 1 1 6\nhello\nD 1 2 4\noopsZ 1 1\nZ 1 2\nX 1 s 15\nV 1\n';
const sessionSeen: Seen[] = [
	{ message: ['H', '4242'] },
	{ message: ['B', '1', '4300'] },
	{ message: ['S', '1'] },
	{ message: ['W', '1', '4301'] },
	{ output: ['1', 1, 'hello\n'] },
	{ output: ['1', 2, 'oops'] },
	{ message: ['Z', '1', '1'] },
	{ message: ['Z', '1', '2'] },
	{ message: ['X', '1', 's', '15'] },
	{ message: ['V', '1'] },
];

test('reads every message and output frame of one chunk, in order', () => {
	const { seen, push } = reader();
	push(session);
	assert.deepEqual(seen, sessionSeen);
});

test('holds a partial line until its newline comes', () => {
	const { seen, push } = reader();
	push('X 3 c');
	assert.deepEqual(seen, []);
	push(' 2');
	assert.deepEqual(seen, []);
	push('\nS 4\n');
	assert.deepEqual(seen, [{ message: ['X', '3', 'c', '2'] }, { message: ['S', '4'] }]);
});

test('a frame split across chunks comes in pieces that add up to its bytes, and the next message follows', () => {
	const { seen, push } = reader();
	push('D 7 1 10\n0123', '45', '6789S 8\n');
	assert.deepEqual(seen, [{ output: ['7', 1, '0123'] }, { output: ['7', 1, '45'] }, { output: ['7', 1, '6789'] }, { message: ['S', '8'] }]);
});

test('a frame header split across chunks still announces its length', () => {
	const { seen, push } = reader();
	push('D 7 2 ', '9\nline one\nD', ' 7 1 3\nend');
	assert.deepEqual(seen, [{ output: ['7', 2, 'line one\n'] }, { output: ['7', 1, 'end'] }]);
});

test('output bytes are never read as messages, whatever they hold', () => {
	const { seen, push } = reader();
	const payload = 'X 1 c 0\nD 1 1 999\n\0\xff\n';
	push(`D 5 1 ${payload.length}\n${payload}V 5\n`);
	assert.deepEqual(seen, [{ output: ['5', 1, payload] }, { message: ['V', '5'] }]);
});

test('any split of a session reads as the whole: byte by byte and at every cut', () => {
	const bytes = Buffer.from(session, 'latin1');
	const byByte = reader();
	for (let i = 0; i < bytes.length; i++) {
		byByte.push(bytes.subarray(i, i + 1));
	}
	assert.deepEqual(joined(byByte.seen), sessionSeen);
	for (let cut = 0; cut <= bytes.length; cut++) {
		const split = reader();
		split.push(bytes.subarray(0, cut), bytes.subarray(cut));
		assert.deepEqual(joined(split.seen), sessionSeen, `cut at ${cut}`);
	}
});

test('a frame header with no usable length takes no bytes: the next line is a message', () => {
	const { seen, push } = reader();
	push('D 1 1 abc\nS 1\nD 1 1 -4\nS 2\nD 1 1 0\nS 3\nD\nS 4\n');
	assert.deepEqual(seen, [{ message: ['S', '1'] }, { message: ['S', '2'] }, { message: ['S', '3'] }, { message: ['S', '4'] }]);
});

test('unknown and garbled lines are handed on as messages, without throwing, and reading goes on', () => {
	const { seen, push } = reader();
	push(Buffer.from([0xff, 0x00, 0x20, 0xc3, 0x0a]), '\nQ 9 a b c d\nS 1\n');
	assert.deepEqual(seen, [{ message: ['\xff\0', '\xc3'] }, { message: [''] }, { message: ['Q', '9', 'a', 'b'] }, { message: ['S', '1'] }]);
});

test('a stream number other than 2 is stdout', () => {
	const { seen, push } = reader();
	push('D 1 9 1\nx');
	assert.deepEqual(seen, [{ output: ['1', 1, 'x'] }]);
});

test('a small piece of a large chunk is a copy, so it does not pin the read buffer; a large piece is not', () => {
	const { pieces, push } = reader();
	const big = 'y'.repeat(1000);
	const chunk = Buffer.from(`D 1 1 1000\n${big}D 1 1 3\nabc`, 'latin1');
	push(chunk);
	const [large, small] = pieces;
	assert.equal(large.buffer, chunk.buffer, 'the large piece is a view of the chunk');
	chunk.fill(0);
	assert.equal(small.toString('latin1'), 'abc', 'the small piece was copied');
});
