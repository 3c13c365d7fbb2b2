import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readJobsFile } from '../../../../src/core/definitions/jobsFile';
import { firstInvalidUtf8 } from '../../../../src/core/definitions/jobsFileBytes';
import { file, formatted, locate, parse, workspace } from './jobsFileHelpers';

const text = '{\n\t"jobs": [\n\t\t{ "id": "a", "command": "echo caf\u00e9" }\n\t]\n}\n';

/** Writes `bytes` as a jobs file in the test workspace and reads it back. */
function readBytes(name: string, bytes: Buffer) {
	const jobsFile = path.join(workspace(), name);
	fs.writeFileSync(jobsFile, bytes);
	return { jobsFile, result: readJobsFile(jobsFile) };
}

function utf16be(value: string): Buffer {
	return Buffer.from(value, 'utf16le').swap16();
}

test('a UTF-16 file, with or without a byte order mark, is one error saying to save it as UTF-8', () => {
	const cases: Array<[string, Buffer, string]> = [
		['le-bom', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'UTF-16 (little-endian, with a byte order mark)'],
		['be-bom', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)]), 'UTF-16 (big-endian, with a byte order mark)'],
		['le', Buffer.from(text, 'utf16le'), 'UTF-16 (little-endian, without a byte order mark)'],
		['be', utf16be(text), 'UTF-16 (big-endian, without a byte order mark)'],
	];
	for (const [name, bytes, encoding] of cases) {
		const { jobsFile, result } = readBytes(`${name}.jobs.json`, bytes);
		assert.deepEqual(formatted(result.diagnostics), [`${jobsFile}:1:1: error: this file is ${encoding}; save it as UTF-8`], name);
		assert.deepEqual(result.config.jobs, []);
	}
});

test('a UTF-32 file with a byte order mark is named as such', () => {
	const le = Buffer.alloc(text.length * 4);
	[...text].forEach((ch, i) => le.writeUInt32LE(ch.codePointAt(0)!, i * 4));
	const { jobsFile, result } = readBytes('utf32.jobs.json', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), le]));
	assert.deepEqual(formatted(result.diagnostics), [`${jobsFile}:1:1: error: this file is UTF-32 (little-endian, with a byte order mark); save it as UTF-8`]);
});

test('a UTF-8 file with a byte order mark reads like one without', () => {
	const { result } = readBytes('bom.jobs.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
	assert.deepEqual(result.diagnostics, []);
	assert.equal(result.config.jobs[0].command, 'echo caf\u00e9');
	assert.equal(result.config.jobs[0].source?.column, 3, 'the mark is not counted in columns');
});

test('a binary file is one error at its first NUL byte', () => {
	const bytes = Buffer.concat([Buffer.from('{\n  "jobs": []\n  '), Buffer.from([0x00, 0x01, 0xff, 0x00, 0x13])]);
	const { jobsFile, result } = readBytes('binary.jobs.json', bytes);
	const message = 'the file contains a NUL byte (line 3, column 3): it is binary data, not a text file; a jobs file is UTF-8 JSON text';
	assert.deepEqual(formatted(result.diagnostics), [`${jobsFile}:3:3: error: ${message}`]);
});

test('a Latin-1 file is one error at the first byte that is not UTF-8', () => {
	const { jobsFile, result } = readBytes('latin1.jobs.json', Buffer.from(text, 'latin1'));
	const { line, column } = locate(text, '\u00e9');
	const message = `the file is not valid UTF-8 (byte 0xE9 at line ${line}, column ${column}); it may be Latin-1 or Windows-1252: save it as UTF-8`;
	assert.deepEqual(formatted(result.diagnostics), [`${jobsFile}:${line}:${column}: error: ${message}`]);
	assert.deepEqual(result.config.jobs, [], 'a command with a replaced character must not run');
});

test('text with a NUL character is one error at it, not a list of syntax errors', () => {
	const withNul = '{ "jobs": [] }\u0000\u0000';
	assert.deepEqual(formatted(parse(withNul).diagnostics), [
		`${file}:1:15: error: the file contains a NUL character: it is binary or UTF-16, not UTF-8 JSON text; save it as UTF-8`,
	]);
	const utf16AsText = Buffer.from(text, 'utf16le').toString('latin1');
	assert.equal(parse(utf16AsText).diagnostics.length, 1);
});

test('firstInvalidUtf8 finds truncated, overlong and surrogate sequences', () => {
	assert.equal(firstInvalidUtf8(Buffer.from('plain € 😀')), -1);
	assert.equal(firstInvalidUtf8(Buffer.from([0x41, 0xe2, 0x82])), 1, 'truncated at the end');
	assert.equal(firstInvalidUtf8(Buffer.from([0x41, 0xc0, 0xaf])), 1, 'overlong /');
	assert.equal(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80])), 0, 'a UTF-16 surrogate');
	assert.equal(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80])), 0, 'above U+10FFFF');
	assert.equal(firstInvalidUtf8(Buffer.from([0x41, 0x80])), 1, 'a lone continuation byte');
});
