import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { isInside } from '../../../../src/core/definitions/cwdReader';
import { at, formatted, oneJob, parse, workspace } from './jobsFileHelpers';

test('Windows paths: drive letters compare without case, and another drive is never inside', () => {
	assert.equal(isInside('C:\\Users\\me\\ws', 'C:\\Users\\me\\ws', 'win32'), true);
	assert.equal(isInside('C:\\Users\\me\\ws', 'c:\\users\\ME\\WS\\packages\\app', 'win32'), true);
	assert.equal(isInside('C:\\Users\\me\\ws', 'C:/Users/me/ws/packages', 'win32'), true);
	assert.equal(isInside('C:\\Users\\me\\ws', 'C:\\Users\\me\\ws-other', 'win32'), false);
	assert.equal(isInside('C:\\Users\\me\\ws', 'C:\\Users\\me', 'win32'), false);
	assert.equal(isInside('C:\\Users\\me\\ws', 'D:\\Users\\me\\ws', 'win32'), false);
	assert.equal(isInside('C:\\Users\\me\\ws', 'C:\\Users\\me\\ws\\..foo', 'win32'), true);
});

test('Windows paths: UNC shares', () => {
	assert.equal(isInside('\\\\server\\share\\ws', '\\\\server\\share\\ws\\app', 'win32'), true);
	assert.equal(isInside('\\\\server\\share\\ws', '\\\\SERVER\\Share\\WS\\app', 'win32'), true);
	assert.equal(isInside('\\\\server\\share\\ws', '\\\\server\\other\\ws', 'win32'), false);
	assert.equal(isInside('\\\\server\\share\\ws', '\\\\server2\\share\\ws', 'win32'), false);
	assert.equal(isInside('\\\\server\\share\\ws', 'C:\\ws', 'win32'), false);
	assert.equal(isInside('C:\\ws', '\\\\server\\share\\ws', 'win32'), false);
});

test('macOS compares without case, Linux with it', () => {
	assert.equal(isInside('/Users/me/ws', '/users/ME/ws/app', 'darwin'), true);
	assert.equal(isInside('/Users/me/ws', '/Users/me/wsx', 'darwin'), false);
	assert.equal(isInside('/home/me/ws', '/home/me/WS/app', 'linux'), false);
	assert.equal(isInside('/home/me/ws', '/home/me/ws/app', 'linux'), true);
	assert.equal(isInside('/home/me/ws', '/home/me', 'linux'), false);
});

/** These read Windows paths on a POSIX machine: on Windows the same values are paths of this machine. */
const posixHost = { skip: path.sep === '\\' ? 'reads Windows paths on a POSIX machine' : false };

test('a file read for Windows on Linux checks relative cwd values against this checkout', posixHost, () => {
	const ws = workspace();
	const read = (cwd: string) => parse(oneJob(`"cwd": ${JSON.stringify(cwd)}`), { platform: 'win32' });
	assert.equal(read('packages\\app').config.jobs[0].cwd, path.join(ws, 'packages', 'app'));
	assert.equal(read('packages/app').config.jobs[0].cwd, path.join(ws, 'packages', 'app'));
	assert.equal(read('.\\packages\\..\\packages').config.jobs[0].cwd, path.join(ws, 'packages'));
	const outside = oneJob('"cwd": "..\\\\outside"');
	assert.deepEqual(formatted(parse(outside, { platform: 'win32' }).diagnostics), [at(outside, '"..', `jobs[0].cwd: "..\\outside" is outside the folder ${ws}`)]);
	const missing = oneJob('"cwd": "packages\\\\nope"');
	assert.deepEqual(formatted(parse(missing, { platform: 'win32' }).diagnostics), [
		at(missing, '"packages', `jobs[0].cwd: "packages\\nope" does not exist (resolved to ${path.join(ws, 'packages', 'nope')})`),
	]);
	// A link to outside is still caught when the path is written the Windows way.
	assert.match(read('link-out\\x').diagnostics[0]?.message ?? '', /does not exist|outside/);
	assert.match(read('link-out').diagnostics[0].message, /resolves through a symlink to .*outside, outside the folder/);
});

test('a file read for Windows on Linux: absolute paths warn, drive-relative paths are errors', posixHost, () => {
	for (const cwd of ['C:\\\\work', 'C:/work', '\\\\\\\\server\\\\share\\\\ws', '\\\\work']) {
		const text = oneJob(`"cwd": "${cwd}"`);
		const result = parse(text, { platform: 'win32' });
		assert.equal(result.diagnostics.length, 1, cwd);
		assert.equal(result.diagnostics[0].severity, 'warning', cwd);
		assert.match(result.diagnostics[0].message, /is an absolute Windows path: whether it exists and stays inside the folder is checked only when the file is read on Windows$/);
		assert.equal(result.config.jobs.length, 1);
	}
	const text = oneJob('"cwd": "C:work"');
	assert.deepEqual(formatted(parse(text, { platform: 'win32' }).diagnostics), [
		at(text, '"C:work"', 'jobs[0].cwd: "C:work" is relative to the current folder of drive C:, which depends on the process; write "C:\\work" or a path relative to the file\'s folder'),
	]);
});

test('a file read for macOS compares the folder without case (this Linux checkout then finds no such folder)', posixHost, () => {
	const ws = workspace();
	const shouted = path.join(path.dirname(ws), 'WS', 'packages');
	const text = oneJob(`"cwd": ${JSON.stringify(shouted)}`);
	assert.match(parse(text, { platform: 'darwin' }).diagnostics[0].message, /does not exist/);
	assert.match(parse(text, { platform: 'linux' }).diagnostics[0].message, /is outside the folder/);
});
