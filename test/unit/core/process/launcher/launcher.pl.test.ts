import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import launcherScript from '../../../../../src/core/process/launcher/launcher.pl';
import { repoRoot } from '../../../../support/paths';

const file = path.join(repoRoot, 'src/core/process/launcher/launcher.pl');
const perl = process.env.WORKSPACE_JOBS_PERL ?? '/usr/bin/perl';
const noPerl = !fs.existsSync(perl) && `no ${perl}`;

test('perl -c accepts the launcher, without a warning', { skip: noPerl }, () => {
	const r = spawnSync(perl, ['-c', file], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stderr, `${file} syntax OK\n`);
});

test('the launcher source imported by launcher.ts is the file, as perl -e gets it', { skip: noPerl }, () => {
	assert.equal(launcherScript, fs.readFileSync(file, 'utf8'));
	const r = spawnSync(perl, ['-c', '-e', launcherScript], { encoding: 'utf8' });
	assert.equal(r.stderr, '-e syntax OK\n');
});
