import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runProcess } from '../../../../src/core/process/runner';
import { findProgram, isProgramFile, type ProgramSearch, programNotFound } from '../../../../src/core/process/programSearch';

/**
 * The resolver as a pure function: PATH, PATHEXT and the file system injected, so the win32 rules
 * run on every platform. A POSIX job with a planted program in its folder runs for real at the end
 * (test/unit/core/process/windows/plantedProgram.test.ts does it under Windows).
 */

/** A search over the files of `files` (any case on win32, as NTFS). */
function searchOver(platform: ProgramSearch['platform'], files: string[], env: NodeJS.ProcessEnv, cwd: string): ProgramSearch & { tried: string[] } {
	const tried: string[] = [];
	const key = (file: string) => (platform === 'win32' ? file.toLowerCase() : file);
	const known = new Set(files.map(key));
	return { platform, env, cwd, tried, isProgram: (file) => (tried.push(file), known.has(key(file))) };
}

const job = 'C:\\repo\\job';

test('win32: a bare name is found on PATH, never in the job folder, though a copy is there', () => {
	const search = searchOver('win32', [`${job}\\pwsh.exe`, 'C:\\Program Files\\PowerShell\\7\\pwsh.exe'], { Path: 'C:\\Windows\\system32;C:\\Program Files\\PowerShell\\7' }, job);
	assert.equal(findProgram('pwsh.exe', search), 'C:\\Program Files\\PowerShell\\7\\pwsh.exe');
	assert.ok(search.tried.every((file) => !file.toLowerCase().startsWith(job.toLowerCase())), search.tried.join('\n'));
});

test('win32: a planted program alone is not found, and the error says PATH was searched', () => {
	const search = searchOver('win32', [`${job}\\bash.exe`, 'C:\\Users\\me\\bash.exe'], { PATH: 'C:\\Windows' }, job);
	assert.equal(findProgram('bash.exe', search), undefined);
	const error = programNotFound('bash.exe', search);
	assert.equal(error.code, 'ENOENT');
	assert.equal(error.syscall, 'spawn');
	assert.match(error.message, /^spawn bash\.exe ENOENT \(looked for on PATH only, never in the job's folder/);
});

test('win32: empty, relative, dot and unexpanded PATH entries are skipped; quoted ones are unquoted', () => {
	const env = { PATH: ';.;tools;..\\bin;%USERPROFILE%\\bin; "C:\\Program Files\\Git\\bin" ;\\\\server\\share\\bin' };
	const search = searchOver('win32', ['C:\\Program Files\\Git\\bin\\sh.exe', '\\\\server\\share\\bin\\x.exe'], env, job);
	assert.equal(findProgram('sh.exe', search), 'C:\\Program Files\\Git\\bin\\sh.exe');
	assert.equal(findProgram('x', search), '\\\\server\\share\\bin\\x.exe');
	assert.deepEqual(
		search.tried.filter((file) => !/^(C:\\Program Files|\\\\server)/.test(file)),
		[],
		'only the absolute entries are searched',
	);
});

test('win32: PATHEXT gives the extensions of a name without one, in order; a name with one is tried as it is first', () => {
	const env = { PATH: 'C:\\a;C:\\b', PATHEXT: '.COM;.EXE;.BAT;.CMD' };
	const search = searchOver('win32', ['C:\\b\\tool.EXE', 'C:\\b\\tool.cmd', 'C:\\a\\run.cmd'], env, job);
	assert.equal(findProgram('tool', search), 'C:\\b\\tool.exe');
	assert.equal(findProgram('run', search), 'C:\\a\\run.cmd', 'the first folder wins over a better extension');
	search.tried.length = 0;
	assert.equal(findProgram('Tool.exe', search), 'C:\\b\\Tool.exe');
	assert.deepEqual(search.tried.slice(0, 2), ['C:\\a\\Tool.exe', 'C:\\a\\Tool.exe.com']);
	const noPathExt = searchOver('win32', ['C:\\a\\x.bat'], { PATH: 'C:\\a' }, job);
	assert.equal(findProgram('x', noPathExt), 'C:\\a\\x.bat', "without PATHEXT, cmd's default .COM;.EXE;.BAT;.CMD");
});

test('win32: powershell.exe is also found in its system folder when PATH lacks it; other names are not', () => {
	const files = ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\pwsh.exe'];
	const search = searchOver('win32', files, { PATH: 'C:\\tools', SYSTEMROOT: 'C:\\Windows' }, job);
	assert.equal(findProgram('powershell.exe', search), files[0]);
	assert.equal(findProgram('PowerShell', search), 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.exe');
	assert.equal(findProgram('pwsh.exe', search), undefined);
});

test('win32: a name with a folder is taken against the job folder, as written', () => {
	const search = searchOver('win32', [`${job}\\tools\\x.exe`, 'C:\\repo\\y.cmd', 'D:\\z.exe'], { PATH: 'C:\\Windows' }, job);
	assert.equal(findProgram('.\\tools\\x.exe', search), `${job}\\tools\\x.exe`);
	assert.equal(findProgram('tools/x.exe', search), `${job}\\tools\\x.exe`);
	assert.equal(findProgram('tools\\x', search), `${job}\\tools\\x.exe`);
	assert.equal(findProgram('..\\y', search), 'C:\\repo\\y.cmd');
	assert.equal(findProgram('D:\\z.exe', search), 'D:\\z.exe');
	assert.equal(findProgram('tools\\missing.exe', search), undefined);
	assert.match(programNotFound('tools\\missing.exe', search).message, /^spawn tools\\missing\.exe ENOENT \(not found at C:\\repo\\job\\tools\\missing\.exe\)$/);
});

test('empty and dot names are never found, even where every file is a program', () => {
	const search = { ...searchOver('win32', [], { PATH: 'C:\\a' }, job), isProgram: () => true };
	for (const name of ['', '.', '..']) {
		assert.equal(findProgram(name, search), undefined, `win32 ${JSON.stringify(name)}`);
		assert.equal(findProgram(name, { ...search, platform: 'posix', env: { PATH: '/bin' }, cwd: '/repo' }), undefined, `posix ${JSON.stringify(name)}`);
	}
});

test('posix: a bare name is looked up in absolute PATH entries only; empty, "." and relative ones are the job folder', () => {
	const search = searchOver('posix', ['/repo/job/bash', '/repo/job/bin/bash', '/usr/bin/bash'], { PATH: ':.:bin:/usr/local/bin:/usr/bin' }, '/repo/job');
	assert.equal(findProgram('bash', search), '/usr/bin/bash');
	assert.deepEqual(search.tried, ['/usr/local/bin/bash', '/usr/bin/bash']);
	assert.equal(findProgram('zsh', search), undefined);
	assert.match(programNotFound('zsh', search).message, /^spawn zsh ENOENT \(looked for on PATH only/);
});

test("posix: without PATH, execvp's /bin:/usr/bin; a name with a slash is the job folder's, as written; names are case-sensitive", () => {
	const search = searchOver('posix', ['/usr/bin/fish', '/repo/job/tools/sh'], {}, '/repo/job');
	assert.equal(findProgram('fish', search), '/usr/bin/fish');
	assert.equal(findProgram('./tools/sh', search), '/repo/job/tools/sh');
	assert.equal(findProgram('tools/sh', search), '/repo/job/tools/sh');
	assert.equal(findProgram('Fish', search), undefined);
	assert.equal(findProgram('/usr/bin/fish', search), '/usr/bin/fish');
});

test('isProgramFile: a file, on POSIX executable; not a folder or a missing file', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-program-'));
	after(() => fs.rmSync(dir, { recursive: true, force: true }));
	const file = path.join(dir, 'tool');
	fs.writeFileSync(file, '#!/bin/sh\n');
	assert.equal(isProgramFile(file), process.platform === 'win32');
	fs.chmodSync(file, 0o755);
	assert.equal(isProgramFile(file), true);
	assert.equal(isProgramFile(dir), false);
	assert.equal(isProgramFile(path.join(dir, 'missing')), false);
});

test('posix: a job whose PATH starts with "." runs the real shell, not the one planted in its folder', { skip: process.platform === 'win32' ? 'POSIX only' : false }, async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-planted-'));
	after(() => fs.rmSync(dir, { recursive: true, force: true }));
	const marker = path.join(dir, 'planted-ran');
	fs.writeFileSync(path.join(dir, 'sh'), `#!/bin/sh\necho planted > '${marker}'\necho planted\n`, { mode: 0o755 });
	const env = { ...process.env, PATH: `.:${process.env.PATH ?? '/usr/bin:/bin'}` };
	const result = await runProcess({ command: 'echo real', shell: { executable: 'sh', args: ['-c'] }, cwd: dir, env });
	assert.equal(result.tail, 'real\n');
	assert.equal(fs.existsSync(marker), false);
	const explicit = await runProcess({ command: 'echo real', shell: { executable: './sh', args: ['-c'] }, cwd: dir, env });
	assert.equal(explicit.tail, 'planted\n', 'a path with a folder is the user’s choice');
	const missing = await runProcess({ command: 'true', shell: { executable: 'no-such-shell-wj', args: ['-c'] }, cwd: dir, env });
	assert.equal(missing.reason, 'spawn-error');
	assert.match(missing.message ?? '', /^spawn no-such-shell-wj ENOENT \(looked for on PATH only/);
});
