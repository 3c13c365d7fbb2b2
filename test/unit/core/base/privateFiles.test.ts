import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { appendPrivateFile, ensurePrivateFolder, openPrivateFile, tightenPrivateTree } from '../../../../src/core/base/privateFiles';
import { writeFileAtomic } from '../../../../src/core/base/atomicFile';

/** The modes are exact whatever the umask: one that strips the owner's bits too (0277) as well as 000 and 022. */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-private-files-'));
const mode = (file: string) => fs.lstatSync(file).mode & 0o7777;

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const umask of [0o022, 0o000, 0o277]) {
	test(`folders are 0700 and files 0600 with umask ${umask.toString(8).padStart(3, '0')}`, () => {
		const old = process.umask(umask);
		try {
			const base = path.join(tmp, `u${umask.toString(8)}`);
			const deep = path.join(base, 'a', 'b');
			ensurePrivateFolder(deep);
			appendPrivateFile(path.join(deep, 'appended'), 'line\n');
			fs.closeSync(openPrivateFile(path.join(deep, 'opened'), 'w'));
			writeFileAtomic(path.join(base, 'c', 'atomic.json'), '{}');
			for (const dir of [base, path.join(base, 'a'), deep, path.join(base, 'c')]) {
				assert.equal(mode(dir), 0o700, dir);
			}
			for (const file of [path.join(deep, 'appended'), path.join(deep, 'opened'), path.join(base, 'c', 'atomic.json')]) {
				assert.equal(mode(file), 0o600, file);
			}
		} finally {
			process.umask(old);
		}
	});
}

test('an existing file of ours is tightened when it is opened, and a tree when it is walked', async () => {
	const dir = path.join(tmp, 'loose');
	fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
	fs.chmodSync(dir, 0o755);
	fs.chmodSync(path.join(dir, 'sub'), 0o777);
	fs.writeFileSync(path.join(dir, 'opened'), 'x');
	fs.chmodSync(path.join(dir, 'opened'), 0o644);
	fs.writeFileSync(path.join(dir, 'sub', 'walked'), 'x');
	fs.chmodSync(path.join(dir, 'sub', 'walked'), 0o666);
	appendPrivateFile(path.join(dir, 'opened'), 'y');
	assert.equal(mode(path.join(dir, 'opened')), 0o600);
	assert.equal(await tightenPrivateTree(dir), 3);
	assert.equal(mode(dir), 0o700);
	assert.equal(mode(path.join(dir, 'sub')), 0o700);
	assert.equal(mode(path.join(dir, 'sub', 'walked')), 0o600);
});
