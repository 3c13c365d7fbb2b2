import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TargetPlatform } from '../../../../src/core/base/platform';
import { defaultShell, maxShellBytes, resolveShortForm, shellShortForms } from '../../../../src/core/definitions/shellReader';
import { at, expectOneError, formatted, oneJob, parse } from './jobsFileHelpers';

const powerShellArgs = ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command'];

/** The shell job `a` of `text` gets when the file is read for `platform`. */
function shellOf(text: string, platform: TargetPlatform) {
	const result = parse(text, { platform });
	assert.deepEqual(formatted(result.diagnostics), []);
	return result.config.jobs[0].shell;
}

test('a job without shell has none, whatever the platform (the runner uses the default)', () => {
	for (const platform of ['win32', 'darwin', 'linux'] as const) {
		assert.equal(shellOf(oneJob(''), platform), undefined);
		assert.equal('shell' in parse(oneJob(''), { platform }).config.jobs[0], false);
	}
});

test('resolves each short form for Windows', () => {
	const expected = {
		sh: { executable: 'sh.exe', args: ['-c'] },
		bash: { executable: 'bash.exe', args: ['-c'] },
		pwsh: { executable: 'pwsh.exe', args: powerShellArgs },
		powershell: { executable: 'powershell.exe', args: powerShellArgs },
		cmd: { executable: 'cmd.exe', args: ['/d', '/s', '/c'] },
	};
	for (const name of shellShortForms) {
		assert.deepEqual(shellOf(oneJob(`"shell": "${name}"`), 'win32'), expected[name], name);
	}
});

test('resolves the short forms that exist on Linux and macOS', () => {
	for (const platform of ['linux', 'darwin'] as const) {
		assert.deepEqual(shellOf(oneJob('"shell": "sh"'), platform), { executable: '/bin/sh', args: ['-c'] });
		assert.deepEqual(shellOf(oneJob('"shell": "bash"'), platform), { executable: 'bash', args: ['-c'] });
		assert.deepEqual(shellOf(oneJob('"shell": "pwsh"'), platform), { executable: 'pwsh', args: powerShellArgs });
	}
});

test('cmd and powershell are errors on Linux and macOS, pointing to the windows block', () => {
	for (const platform of ['linux', 'darwin'] as const) {
		const cmd = oneJob('"shell": "cmd"');
		assert.deepEqual(formatted(parse(cmd, { platform }).diagnostics), [
			at(cmd, '"cmd"', 'jobs[0].shell: cmd.exe exists only on Windows; set it for Windows alone with "windows": { "shell": "cmd" }'),
		]);
		const ps = oneJob('"shell": "powershell"');
		assert.match(parse(ps, { platform }).diagnostics[0].message, /^jobs\[0\]\.shell: Windows PowerShell \(powershell\.exe\) exists only on Windows; use "pwsh"/);
		assert.deepEqual(parse(ps, { platform }).config.jobs, []);
	}
});

test('an unknown short form is an error with the nearest name', () => {
	const text = oneJob('"shell": "bassh"');
	expectOneError(text, '"bassh"', 'jobs[0].shell: unknown shell "bassh" (did you mean "bash"?): use one of "sh", "bash", "pwsh", "powershell", "cmd", or { "executable": ..., "args": [...] }');
	const far = oneJob('"shell": "fortran"');
	expectOneError(far, '"fortran"', 'jobs[0].shell: unknown shell "fortran": use one of "sh", "bash", "pwsh", "powershell", "cmd", or { "executable": ..., "args": [...] }');
});

test('a path given as a short form points to the object form', () => {
	const text = oneJob('"shell": "/bin/zsh"');
	expectOneError(text, '"/bin/zsh"', 'jobs[0].shell: unknown shell "/bin/zsh": use one of "sh", "bash", "pwsh", "powershell", "cmd", or { "executable": ..., "args": [...] }; for another program use { "executable": "/bin/zsh", "args": [...] }');
});

test('reads the object form as written', () => {
	const text = oneJob('"shell": { "executable": "C:\\\\Program Files\\\\Git\\\\bin\\\\bash.exe", "args": ["--login", "-c"] }');
	assert.deepEqual(shellOf(text, 'win32'), { executable: 'C:\\Program Files\\Git\\bin\\bash.exe', args: ['--login', '-c'] });
	assert.deepEqual(shellOf(oneJob('"shell": { "executable": "wrapper", "args": [] }'), 'linux'), { executable: 'wrapper', args: [] });
});

test('infers args from a known program name, as VS Code tasks do', () => {
	const cases: Array<[string, string[]]> = [
		['/usr/bin/zsh', ['-c']],
		['C:\\\\Program Files\\\\Git\\\\bin\\\\bash.exe', ['-c']],
		['C:\\\\Windows\\\\System32\\\\CMD.EXE', ['/d', '/s', '/c']],
		['/opt/microsoft/powershell/7/pwsh', powerShellArgs],
		['powershell.exe', powerShellArgs],
	];
	for (const [executable, args] of cases) {
		assert.deepEqual(shellOf(oneJob(`"shell": { "executable": "${executable}" }`), 'linux')?.args, args, executable);
	}
});

test('an unknown program without args is an error at the object', () => {
	const text = oneJob('"shell": { "executable": "python3" }');
	expectOneError(text, '{ "executable"', 'jobs[0].shell: missing "args": give the arguments after which "python3" runs its last argument as a command, such as ["-c"] ([] for none)');
});

test('reports the object form\'s wrong fields at their position', () => {
	expectOneError(oneJob('"shell": { "args": ["-c"] }'), '{ "args"', 'jobs[0].shell: missing required field "executable" (the shell program: a name looked up on PATH, or a path)');
	expectOneError(oneJob('"shell": { "executable": " ", "args": [] }'), '" "', 'jobs[0].shell.executable: must not be empty');
	expectOneError(oneJob('"shell": { "executable": 3, "args": [] }'), '3,', 'jobs[0].shell.executable: must be a program name or path, got number');
	expectOneError(oneJob('"shell": { "executable": "sh", "args": "-c" }'), '"-c"', 'jobs[0].shell.args: must be an array of strings, such as ["-c"], got string');
	expectOneError(oneJob('"shell": { "executable": "sh", "args": ["-c", 1] }'), '1]', 'jobs[0].shell.args[1]: must be a string, got number');
	expectOneError(oneJob('"shell": { "executable": "sh", "arg": ["-c"] }'), '"arg"', 'jobs[0].shell.arg: unknown field (did you mean "args"?)');
	expectOneError(oneJob('"shell": 7'), '7', 'jobs[0].shell: must be one of "sh", "bash", "pwsh", "powershell", "cmd" or an object such as { "executable": "bash", "args": ["-c"] }, got number');
});

test('a shell longer than the limit is an error', () => {
	const long = 'x'.repeat(maxShellBytes);
	const text = oneJob(`"shell": { "executable": "sh", "args": ["${long}"] }`);
	expectOneError(text, '{ "executable"', `jobs[0].shell: is ${maxShellBytes + 4} bytes long with its arguments (UTF-8); the limit is ${maxShellBytes} bytes`);
});

test('the file\'s shell applies to jobs without their own, and a job\'s own wins', () => {
	const text = '{\n\t"shell": "bash",\n\t"jobs": [\n\t\t{ "id": "a", "command": "x" },\n\t\t{ "id": "b", "command": "x", "shell": "pwsh" }\n\t]\n}\n';
	const jobs = parse(text, { platform: 'linux' }).config.jobs;
	assert.deepEqual(jobs[0].shell, { executable: 'bash', args: ['-c'] });
	assert.deepEqual(jobs[1].shell, { executable: 'pwsh', args: powerShellArgs });
});

test('a file shell with an error leaves out the jobs that use it, each with a line naming it', () => {
	const text = '{\n\t"shell": "cmd",\n\t"jobs": [\n\t\t{ "id": "a", "command": "x" },\n\t\t{ "id": "b", "command": "x", "shell": "sh" }\n\t]\n}\n';
	const result = parse(text, { platform: 'linux' });
	assert.deepEqual(formatted(result.diagnostics), [
		at(text, '"cmd"', 'shell: cmd.exe exists only on Windows; set it for Windows alone with "windows": { "shell": "cmd" }'),
		at(text, '{ "id": "a"', 'jobs[0]: left out: it uses the file\'s "shell" (line 2), which has an error; fix it or give the job its own "shell"'),
	]);
	assert.deepEqual(result.config.jobs.map((job) => job.id), ['b']);
	assert.deepEqual(parse(text, { platform: 'win32' }).config.jobs[0].shell, { executable: 'cmd.exe', args: ['/d', '/s', '/c'] });
});

test('defaultShell is /bin/sh -c on POSIX and cmd.exe /d /s /c on Windows', () => {
	assert.deepEqual(defaultShell('linux'), { executable: '/bin/sh', args: ['-c'] });
	assert.deepEqual(defaultShell('darwin'), { executable: '/bin/sh', args: ['-c'] });
	assert.deepEqual(defaultShell('win32'), { executable: 'cmd.exe', args: ['/d', '/s', '/c'] });
	const copy = resolveShortForm('pwsh', 'linux');
	assert.ok(typeof copy === 'object');
	copy.args.push('changed');
	assert.deepEqual((resolveShortForm('pwsh', 'linux') as { args: string[] }).args, powerShellArgs);
});
