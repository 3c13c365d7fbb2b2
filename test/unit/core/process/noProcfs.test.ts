import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { hasProcfs, listProcesses } from '../../../../src/core/process/procfs';
import { procHidden, procRoot } from '../../../support/processes';

/**
 * The no-/proc stage (test/harness/runNoProcTests.mjs) proves something only if the code under
 * test really goes without `/proc` there while the tests' own leak checks still see every process.
 */

const onlyThere = !procHidden && 'only in the no-/proc stage (npm run test:noproc)';

test('the engine sees no /proc: hasProcfs is false and /proc/self is unreadable', { skip: onlyThere }, () => {
	assert.equal(hasProcfs, false);
	assert.equal(fs.existsSync('/proc/self/stat'), false);
	assert.deepEqual(listProcesses(), []);
});

test('the tests still see the real process table, this process included', { skip: onlyThere }, () => {
	assert.ok(fs.statSync(`${procRoot}/${process.pid}/stat`).isFile(), `${procRoot} is not a process table`);
	assert.ok(fs.readdirSync(procRoot).filter((name) => /^\d+$/.test(name)).length > 1);
});
