import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultWindowsShell, envValue, isCmd, quoteWindowsArg, shellCommandLine, windowsShell } from '../../../../../src/core/process/windows/commandLine';

/**
 * Pure string work, so it runs on every platform. The expected strings are what libuv's
 * `quote_cmd_arg` (Node's `spawn`) produces, and what `CommandLineToArgvW` reads back as the
 * original argument; windowsStart.test.ts round-trips them through a real Windows program.
 */

test('leaves an argument without spaces, tabs or quotes as it is', () => {
	assert.equal(quoteWindowsArg('-NoProfile'), '-NoProfile');
	assert.equal(quoteWindowsArg('C:\\tools\\a\\'), 'C:\\tools\\a\\');
});

test('quotes an empty argument and one with spaces', () => {
	assert.equal(quoteWindowsArg(''), '""');
	assert.equal(quoteWindowsArg('C:\\Program Files\\PowerShell\\7\\pwsh.exe'), '"C:\\Program Files\\PowerShell\\7\\pwsh.exe"');
});

test('escapes quotes and doubles only the backslashes before a quote or the closing quote', () => {
	assert.equal(quoteWindowsArg('say "hi"'), '"say \\"hi\\""');
	assert.equal(quoteWindowsArg('a\\"b c'), '"a\\\\\\"b c"');
	assert.equal(quoteWindowsArg('dir C:\\x y\\'), '"dir C:\\x y\\\\"');
	assert.equal(quoteWindowsArg('a\\b c'), '"a\\b c"');
});

test('gives cmd.exe its switches as they are and the command in one pair of quotes, untouched', () => {
	const line = shellCommandLine({ executable: 'C:\\Windows\\system32\\cmd.exe', args: ['/d', '/s', '/c'] }, 'echo "a & b" %OS% ^& done');
	assert.deepEqual(line, { program: 'C:\\Windows\\system32\\cmd.exe', rest: '/d /s /c "echo "a & b" %OS% ^& done"' });
});

test('quotes every argument of another shell by the C runtime rules', () => {
	const line = shellCommandLine({ executable: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', args: ['-NoProfile', '-Command'] }, 'Write-Output "x y"');
	assert.deepEqual(line, { program: '"C:\\Program Files\\PowerShell\\7\\pwsh.exe"', rest: '-NoProfile -Command "Write-Output \\"x y\\""' });
});

test('knows cmd.exe by its file name in any case, with or without .exe', () => {
	assert.equal(isCmd('CMD'), true);
	assert.equal(isCmd('C:\\WINDOWS\\System32\\Cmd.EXE'), true);
	assert.equal(isCmd('cmdx.exe'), false);
	assert.equal(isCmd('C:\\cmd\\bash.exe'), false);
});

test('the default shell is %ComSpec% /d /s /c, found whatever the case of its name', () => {
	assert.deepEqual(defaultWindowsShell({ COMSPEC: 'C:\\W\\cmd.exe' }), { executable: 'C:\\W\\cmd.exe', args: ['/d', '/s', '/c'] });
	assert.deepEqual(defaultWindowsShell({}), { executable: 'cmd.exe', args: ['/d', '/s', '/c'] });
	assert.equal(envValue({ Path: 'a' }, 'PATH'), 'a');
});

test('a bare cmd.exe is %ComSpec%, so a cmd.exe in the working folder is not the one that runs', () => {
	const env = { ComSpec: 'C:\\Windows\\system32\\cmd.exe' };
	assert.deepEqual(windowsShell({ executable: 'cmd.exe', args: ['/d', '/s', '/c'] }, env), { executable: env.ComSpec, args: ['/d', '/s', '/c'] });
	assert.deepEqual(windowsShell({ executable: 'D:\\tools\\cmd.exe', args: ['/c'] }, env), { executable: 'D:\\tools\\cmd.exe', args: ['/c'] });
	assert.deepEqual(windowsShell({ executable: 'pwsh.exe', args: ['-Command'] }, env), { executable: 'pwsh.exe', args: ['-Command'] });
	assert.deepEqual(windowsShell(undefined, env), { executable: env.ComSpec, args: ['/d', '/s', '/c'] });
});
