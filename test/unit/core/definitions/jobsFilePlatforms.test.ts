import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { TargetPlatform } from '../../../../src/core/base/platform';
import { parseJobsTextFast, parseJobsTextTree } from '../../../../src/core/definitions/jobsFile';
import type { JobDefinition } from '../../../../src/core/model';
import { at, expectOneError, file, formatted, oneJob, parse, workspace } from './jobsFileHelpers';

const platforms: readonly TargetPlatform[] = ['win32', 'darwin', 'linux'];

/** Job `a` as read for `platform`, asserting the file has no diagnostics there. */
function jobFor(text: string, platform: TargetPlatform): JobDefinition {
	const result = parse(text, { platform });
	assert.deepEqual(formatted(result.diagnostics), [], platform);
	return result.config.jobs[0];
}

test('a platform block replaces command on its platform only', () => {
	const text = oneJob('"windows": { "command": "dir" }, "osx": { "command": "ls -G" }');
	assert.equal(jobFor(text, 'win32').command, 'dir');
	assert.equal(jobFor(text, 'darwin').command, 'ls -G');
	assert.equal(jobFor(text, 'linux').command, 'echo a');
});

test('a platform block replaces shell, and only the shell that applies is resolved', () => {
	const text = oneJob('"shell": "cmd", "linux": { "shell": "bash" }, "osx": { "shell": { "executable": "/bin/zsh" } }');
	assert.deepEqual(jobFor(text, 'win32').shell, { executable: 'cmd.exe', args: ['/d', '/s', '/c'] });
	assert.deepEqual(jobFor(text, 'linux').shell, { executable: 'bash', args: ['-c'] });
	assert.deepEqual(jobFor(text, 'darwin').shell, { executable: '/bin/zsh', args: ['-c'] });
});

test('a platform block\'s env is merged over the job\'s env, name by name', () => {
	const text = oneJob('"env": { "A": "1", "PATH": "/base" }, "linux": { "env": { "B": "2", "Path": "/linux" } }, "windows": { "env": { "Path": "C:\\\\bin", "B": "3" } }');
	assert.deepEqual(jobFor(text, 'linux').env, { A: '1', PATH: '/base', B: '2', Path: '/linux' });
	assert.deepEqual(jobFor(text, 'win32').env, { A: '1', Path: 'C:\\bin', B: '3' });
	assert.deepEqual(jobFor(text, 'darwin').env, { A: '1', PATH: '/base' });
	assert.deepEqual(jobFor(oneJob('"windows": { "env": { "X": "y" } }'), 'win32').env, { X: 'y' });
});

test('a platform block replaces cwd; a Windows cwd is read with Windows paths even on Linux', () => {
	const ws = workspace();
	const app = path.join(ws, 'packages', 'app');
	const text = oneJob('"cwd": "packages", "windows": { "cwd": "packages\\\\app" }, "linux": { "cwd": "link-in" }');
	assert.equal(jobFor(text, 'win32').cwd, app);
	assert.equal(jobFor(text, 'linux').cwd, app);
	assert.equal(jobFor(text, 'darwin').cwd, path.join(ws, 'packages'));
});

test('another platform\'s cwd is not resolved here, and the job\'s own cwd is not when a block replaces it', { skip: path.sep === '\\' ? 'reads a Windows path on a POSIX machine' : false }, () => {
	const text = oneJob('"cwd": "missing-folder", "linux": { "cwd": "packages" }, "osx": { "cwd": "packages" }, "windows": { "cwd": "C:\\\\elsewhere" }');
	assert.equal(jobFor(text, 'linux').cwd, path.join(workspace(), 'packages'));
	assert.equal(jobFor(text, 'darwin').cwd, path.join(workspace(), 'packages'));
	const onWindows = parse(text, { platform: 'win32' });
	assert.deepEqual(formatted(onWindows.diagnostics), [
		at(text, '"C:\\\\elsewhere"', 'jobs[0].windows.cwd: "C:\\elsewhere" is an absolute Windows path: whether it exists and stays inside the folder is checked only when the file is read on Windows', { severity: 'warning' }),
	]);
	assert.equal(onWindows.config.jobs[0].cwd, 'C:\\elsewhere');
});

test('a field a platform block cannot set is an error naming file, line and field', () => {
	const text = '{\n\t"jobs": [\n\t\t{ "id": "a", "command": "x" },\n\t\t{ "id": "b", "command": "x" },\n\t\t{ "id": "c", "command": "x",\n\t\t\t"windows": { "schedule": { "every": "1h" } } }\n\t]\n}\n';
	const result = parse(text, { platform: 'linux' });
	assert.deepEqual(formatted(result.diagnostics), [at(text, '"schedule"', 'jobs[2].windows.schedule: unknown field (only "command", "shell", "cwd", "env" can differ per platform)')]);
	assert.equal(result.diagnostics[0].line, 6);
	assert.deepEqual(result.config.jobs.map((job) => job.id), ['a', 'b']);
	expectOneError(oneJob('"osx": { "comand": "x" }'), '"comand"', 'jobs[0].osx.comand: unknown field (did you mean "command"?)');
	expectOneError(oneJob('"linux": { "linux": {} }'), '"linux": {}', 'jobs[0].linux.linux: unknown field (only "command", "shell", "cwd", "env" can differ per platform)');
});

test('a platform block that is not an object is an error', () => {
	expectOneError(oneJob('"windows": "cmd"'), '"cmd"', 'jobs[0].windows: must be an object of fields that differ on Windows (command, shell, cwd, env), got string');
});

test('every platform\'s block is checked for its shape on every platform', () => {
	for (const platform of platforms) {
		const text = oneJob('"windows": { "shell": "cmdd", "command": "" }');
		assert.deepEqual(formatted(parse(text, { platform }).diagnostics), [
			at(text, '"cmdd"', 'jobs[0].windows.shell: unknown shell "cmdd" (did you mean "cmd"?): use one of "sh", "bash", "pwsh", "powershell", "cmd", or { "executable": ..., "args": [...] }'),
			at(text, '""', 'jobs[0].windows.command: must not be empty'),
		]);
	}
});

test('names that differ only in case are an error in an env that applies on Windows', () => {
	const base = oneJob('"env": { "Path": "a", "PATH": "b" }');
	assert.deepEqual(formatted(parse(base, { platform: 'win32' }).diagnostics), [
		at(base, '"PATH"', 'jobs[0].env.PATH: "PATH" and "Path" (line 3) are one variable on Windows, where names ignore case; keep one'),
	]);
	assert.deepEqual(jobFor(base, 'linux').env, { Path: 'a', PATH: 'b' });
	// The windows block applies only on Windows, so it is checked so everywhere.
	const block = oneJob('"windows": { "env": { "Path": "a", "PATH": "b" } }');
	for (const platform of platforms) {
		assert.equal(parse(block, { platform }).diagnostics.length, 1, platform);
	}
});

test('the top-level platform block sets the file\'s shell there; a job\'s own shell still wins', () => {
	const text = '{\n\t"shell": "bash",\n\t"windows": { "shell": "pwsh" },\n\t"jobs": [\n\t\t{ "id": "a", "command": "x" },\n\t\t{ "id": "b", "command": "x", "shell": "sh" }\n\t]\n}\n';
	const windows = parse(text, { platform: 'win32' }).config.jobs;
	assert.equal(windows[0].shell?.executable, 'pwsh.exe');
	assert.equal(windows[1].shell?.executable, 'sh.exe');
	const linux = parse(text, { platform: 'linux' }).config.jobs;
	assert.equal(linux[0].shell?.executable, 'bash');
	assert.equal(linux[1].shell?.executable, '/bin/sh');
});

test('a top-level platform block sets only shell', () => {
	const text = '{\n\t"windows": { "shell": "cmd", "env": { "A": "1" } },\n\t"jobs": [{ "id": "a", "command": "x" }]\n}\n';
	assert.deepEqual(formatted(parse(text, { platform: 'linux' }).diagnostics), [
		at(text, '"env"', 'windows.env: unknown field (only "shell" can differ per platform at the top level; put the others in a job\'s own "windows", "osx" or "linux")'),
	]);
	assert.deepEqual(parse(text, { platform: 'linux' }).config.jobs.map((job) => job.id), ['a']);
});

test('the fast path reads shells and platform blocks exactly as the tree does', () => {
	const text = JSON.stringify({
		shell: 'bash',
		windows: { shell: 'cmd' },
		jobs: [
			{ id: 'a', command: 'make', shell: { executable: '/bin/zsh' }, env: { A: '1' }, windows: { command: 'nmake', env: { Path: 'C:\\bin' } }, osx: { shell: 'sh' } },
			{ id: 'b', command: 'x', linux: { cwd: 'packages' } },
		],
	});
	for (const platform of platforms) {
		const options = { baseDir: workspace(), platform };
		const fast = parseJobsTextFast(text, file, options);
		assert.ok(fast, platform);
		assert.equal(JSON.stringify(fast), JSON.stringify(parseJobsTextTree(text, file, options)), platform);
	}
});
