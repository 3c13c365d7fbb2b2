import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { writeFileAtomic, writeFileAtomicAsync } from '../../../../src/core/base/atomicFile';

/**
 * Windows refuses a rename over a file that another handle holds open (EPERM), which is what
 * an antivirus scanner or the search indexer does to a fresh file for a moment. Windows only;
 * the Windows stage of npm test runs it under Wine, which has the same rename semantics.
 */

const skip = process.platform !== 'win32' ? 'Windows only: the Windows stage of npm test runs it under Wine with Windows Node' : false;

const dirs: string[] = [];
after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tempFile(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-atomic-win-'));
	dirs.push(dir);
	const file = path.join(dir, 'state.json');
	fs.writeFileSync(file, 'old');
	return file;
}

test('a replacement waits out a short hold on the target', { skip }, async () => {
	const file = tempFile();
	const hold = fs.openSync(file, 'r');
	setTimeout(() => fs.closeSync(hold), 150);
	await writeFileAtomicAsync(file, 'new');
	assert.equal(fs.readFileSync(file, 'utf8'), 'new');
});

test('a hold that does not end fails with its error after a bounded wait, and leaves no temp file', { skip }, () => {
	const file = tempFile();
	const hold = fs.openSync(file, 'r');
	try {
		const started = Date.now();
		assert.throws(() => writeFileAtomic(file, 'new'), { code: 'EPERM' });
		const waited = Date.now() - started;
		assert.ok(waited >= 1000 && waited < 5000, `waited ${waited} ms`);
	} finally {
		fs.closeSync(hold);
	}
	assert.equal(fs.readFileSync(file, 'utf8'), 'old');
	assert.deepEqual(fs.readdirSync(path.dirname(file)), ['state.json']);
});
