import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { test } from 'node:test';
import { shellText } from '../../../../src/core/process/posixStart';
import { runProcess } from '../../../../src/core/process/runner';

const skip = process.platform === 'win32' ? 'POSIX only' : false;
const bash = ['/bin/bash', '/usr/bin/bash'].find((file) => fs.existsSync(file));

test('the default shell runs the command text as it is', () => {
	assert.equal(shellText(undefined, 'echo "$1"'), 'echo "$1"');
	assert.equal(shellText({ executable: '/bin/sh', args: ['-c'] }, 'echo hi'), 'echo hi');
});

test('another shell is exec-ed with every word quoted for /bin/sh', () => {
	assert.equal(shellText({ executable: '/bin/bash', args: ['-e', '-c'] }, "echo 'it''s' $HOME"), `exec '/bin/bash' '-e' '-c' 'echo '\\''it'\\'''\\''s'\\'' $HOME'`);
});

test('a job given to bash runs as the leader: its $$, exit status and output are the run\'s', { skip: skip || (!bash && 'no bash here') }, async () => {
	const result = await runProcess({ command: 'echo "$$ ${BASH_VERSION:+bash}"; exit 7', shell: { executable: bash as string, args: ['-c'] }, cwd: os.tmpdir(), env: process.env });
	assert.equal(result.exitCode, 7);
	assert.equal(result.tail, `${result.pid} bash\n`);
});
