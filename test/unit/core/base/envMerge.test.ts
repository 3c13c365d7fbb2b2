import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeEnv } from '../../../../src/core/base/envMerge';

test('on Windows a variable replaces the one there whatever the case of its name', () => {
	const merged = mergeEnv({ PATH: 'C:\\Windows', TEMP: 'C:\\Temp' }, [{ Path: 'C:\\tools' }], 'win32');
	assert.deepEqual(merged, { TEMP: 'C:\\Temp', Path: 'C:\\tools' });
});

test('on Windows later layers win over earlier ones without case too, and every case variant of the host goes', () => {
	const merged = mergeEnv({ Path: 'a', PATH: 'b', other: 'o' }, [{ path: 'c' }, { PATH: 'd', OTHER: 'p' }], 'win32');
	assert.deepEqual(merged, { PATH: 'd', OTHER: 'p' });
});

test('on Linux and macOS names are compared exactly', () => {
	for (const platform of ['linux', 'darwin'] as const) {
		assert.deepEqual(mergeEnv({ PATH: '/bin' }, [{ Path: '/x' }, { PATH: '/y' }], platform), { PATH: '/y', Path: '/x' });
	}
});

test('leaves the base untouched and skips absent layers', () => {
	const base = { A: '1' };
	assert.deepEqual(mergeEnv(base, [undefined, { B: '2' }], 'win32'), { A: '1', B: '2' });
	assert.deepEqual(base, { A: '1' });
});
