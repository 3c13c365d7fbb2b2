import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runProcess } from '../../../../../src/core/process/runner';
import { findJobHost } from '../../../../../src/core/process/windows/windowsStart';

/**
 * A repository that plants programs in the job's folder: a `node.exe`, `pwsh.exe` and `bash.exe`
 * there must not run for a job whose shell is the bare name (libuv and `CreateProcess` would look
 * there before PATH). The planted `node.exe` is a copy of the real one, so the output says which
 * ran: `process.execPath`. Windows only; the Windows stage of `npm test` runs it under Wine.
 */

const skip = process.platform !== 'win32' ? 'Windows only: the Windows stage of npm test runs it under Wine with Windows Node' : false;
let repo = '';
/** A folder on PATH holding the real node as node.exe (the stage's node.exe has another name). */
let binDir = '';
let pathNode = '';
let env: NodeJS.ProcessEnv = {};

before(() => {
	if (skip) {
		return;
	}
	repo = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-planted-'));
	for (const name of ['node.exe', 'pwsh.exe', 'bash.exe', 'sh.exe']) {
		fs.copyFileSync(process.execPath, path.join(repo, name));
	}
	fs.mkdirSync(path.join(repo, 'tools'));
	fs.copyFileSync(process.execPath, path.join(repo, 'tools', 'node.exe'));
	binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-path-'));
	pathNode = path.join(binDir, 'node.exe');
	fs.copyFileSync(process.execPath, pathNode);
	const systemRoot = process.env.SystemRoot ?? 'C:\\windows';
	// PATH with the real node's folder, and an empty and a "." entry that would be the job's folder.
	env = { ...process.env, PATH: `;.;${binDir};${systemRoot}\\system32`, PATHEXT: '.COM;.EXE;.BAT;.CMD' };
});

after(() => {
	for (const dir of [repo, binDir]) {
		if (dir) {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}
});

/** Runs `console.log(process.execPath)` with node as the shell, from the planted repository. */
async function whichNode(executable: string): Promise<string> {
	const result = await runProcess({ command: 'console.log(process.execPath)', shell: { executable, args: ['-e'] }, cwd: repo, env });
	assert.equal(result.exitCode, 0, result.message);
	// The last line: Node may warn on stderr first (an unreadable NODE_EXTRA_CA_CERTS).
	return (result.tail.trim().split('\n').pop() ?? '').trim().toLowerCase();
}

test('the job helper is built, so the start below goes through CreateProcess in jobHost.exe', { skip }, () => {
	assert.ok(findJobHost(), 'dist/jobHost.exe is missing: build with x86_64-w64-mingw32-gcc installed');
});

test('a bare node.exe runs the one on PATH, not the copy in the job folder', { skip }, async () => {
	assert.equal(await whichNode('node.exe'), pathNode.toLowerCase());
	assert.equal(await whichNode('NODE'), pathNode.toLowerCase(), 'found with PATHEXT, in any case');
});

test('a path with a folder is the user’s choice: it runs from the job folder, as written', { skip }, async () => {
	assert.equal(await whichNode('.\\tools\\node.exe'), path.join(repo, 'tools', 'node.exe').toLowerCase());
	assert.equal(await whichNode('tools/node'), path.join(repo, 'tools', 'node.exe').toLowerCase());
});

test('pwsh.exe and bash.exe that exist only in the job folder fail to start, saying PATH was searched', { skip }, async () => {
	for (const name of ['pwsh.exe', 'bash.exe']) {
		const result = await runProcess({ command: 'console.log("planted ran")', shell: { executable: name, args: ['-e'] }, cwd: repo, env });
		assert.equal(result.reason, 'spawn-error', `${name}: ${result.tail}`);
		assert.match(result.message ?? '', new RegExp(`^spawn ${name.replace('.', '\\.')} ENOENT \\(looked for on PATH only`));
		assert.doesNotMatch(result.tail, /planted ran/);
	}
});

test('the job helper refuses a program that is not an absolute path, so CreateProcess never searches', { skip }, async () => {
	const host = findJobHost() as string;
	const child = spawn(host, ['node.exe -e "console.log(1)"'], { cwd: repo, env, argv0: 'jobHost', windowsHide: true, windowsVerbatimArguments: true, stdio: ['pipe', 'pipe', 'pipe'] });
	let out = '';
	child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('latin1')));
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	child.stdin.destroy();
	assert.equal(out, '\x01wjh !161 program\n');
	assert.equal(code, 0xc0de0001);
});
