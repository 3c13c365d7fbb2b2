import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { buildSync } from 'esbuild';
import { ManualClock } from '../../../../src/core/base/clock';
import type { Diagnostic } from '../../../../src/core/definitions/diagnostic';
import { readJobsFile } from '../../../../src/core/definitions/jobsFile';
import { JobsSource } from '../../../../src/core/definitions/jobsSource';
import { formatted } from './jobsFileHelpers';

/**
 * File-level problems each say what they are: missing, a folder, a pipe or a device, not
 * readable, too large, or read fine but not valid JSON (a syntax error, also on a reload).
 */

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-file-errors-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const isPosix = process.platform !== 'win32';

let script: string | undefined;

/**
 * readJobsFile's diagnostics, read in a child process (as `nobody`, uid 65534, when asked): a
 * reader that blocks on a pipe or reads a device without end then fails the test by the timeout
 * instead of hanging it.
 */
function readInChild(jobsFile: string, asNobody = false): Diagnostic[] {
	if (!script) {
		script = path.join(root, 'readJobsFile.cjs');
		buildSync({
			stdin: { contents: `const { readJobsFile } = require(${JSON.stringify(path.resolve(__dirname, '../../../../src/core/definitions/jobsFile'))}); process.stdout.write(JSON.stringify(readJobsFile(process.argv[2]).diagnostics));`, resolveDir: root, loader: 'ts' },
			bundle: true,
			platform: 'node',
			format: 'cjs',
			// jsonc-parser's UMD build requires its parts at run time; its ESM build bundles.
			mainFields: ['module', 'main'],
			outfile: script,
			logLevel: 'silent',
		});
	}
	const user = asNobody ? { uid: 65534, gid: 65534 } : {};
	const result = spawnSync(process.execPath, [script, jobsFile], { ...user, encoding: 'utf8', timeout: 10_000, maxBuffer: 1024 * 1024 });
	assert.equal(result.signal, null, `the read did not finish within 10 s: ${result.stderr}`);
	assert.equal(result.status, 0, result.stderr);
	return JSON.parse(result.stdout) as Diagnostic[];
}

test('a path below a file is "does not exist", naming why', () => {
	const plain = path.join(root, 'plain');
	fs.writeFileSync(plain, '{}');
	const jobsFile = path.join(plain, '.jobs.json');
	assert.deepEqual(formatted(readJobsFile(jobsFile).diagnostics), [`${jobsFile}:1:1: error: the jobs file does not exist: a part of its path is a file, not a folder`]);
});

test('a named pipe is refused at once instead of blocking the host', { skip: !isPosix && 'no mkfifo' }, () => {
	const fifo = path.join(root, 'fifo.jobs.json');
	execFileSync('mkfifo', [fifo]);
	assert.deepEqual(formatted(readInChild(fifo)), [`${fifo}:1:1: error: the path is a named pipe, not a jobs file; only a regular file is read`]);
});

test('a device, also behind a symlink, is refused instead of read without end', { skip: !isPosix && 'no /dev/zero' }, () => {
	const link = path.join(root, 'zero.jobs.json');
	fs.symlinkSync('/dev/zero', link);
	for (const jobsFile of ['/dev/zero', link]) {
		assert.deepEqual(formatted(readInChild(jobsFile)), [`${jobsFile}:1:1: error: the path is a device, not a jobs file; only a regular file is read`]);
	}
});

test('a file this user may not read says permission denied', { skip: !isPosix && 'POSIX permissions' }, () => {
	const dir = path.join(root, 'private');
	fs.mkdirSync(dir, { mode: 0o755 });
	fs.chmodSync(root, 0o755);
	const jobsFile = path.join(dir, '.jobs.json');
	fs.writeFileSync(jobsFile, '{ "jobs": [] }', { mode: 0o600 });
	fs.chmodSync(jobsFile, 0o000);
	const diagnostics = process.geteuid?.() === 0 ? readInChild(jobsFile, true) : readJobsFile(jobsFile).diagnostics;
	assert.deepEqual(formatted(diagnostics), [`${jobsFile}:1:1: error: permission denied: this user may not read the jobs file (EACCES)`]);
});

test('a syntax error on a reload is worded as a syntax error, and the last good jobs stay', () => {
	const jobsFile = path.join(fs.mkdtempSync(path.join(root, 'ws-')), '.jobs.json');
	fs.writeFileSync(jobsFile, '{ "jobs": [ { "id": "a", "command": "x" } ] }');
	const source = new JobsSource(jobsFile, { clock: new ManualClock(0) });
	source.reload();
	fs.writeFileSync(jobsFile, '{ "jobs": [ { "id": "a", "command": "x" } ');
	const state = source.reload();
	assert.equal(state.keptLastGood, true);
	assert.deepEqual(formatted(state.diagnostics), [`${jobsFile}:1:43: error: syntax error: expected ']'`, `${jobsFile}:1:43: error: syntax error: expected '}'`]);
	source.dispose();
});
