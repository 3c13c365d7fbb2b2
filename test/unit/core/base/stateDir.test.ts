import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultStateRoot } from '../../../../src/core/base/stateDir';

/** The state root for an injected platform, environment and home: no global is touched. */
function root(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home = '/Users/ann'): string {
	return defaultStateRoot({ env, platform, home });
}

test('macOS keeps state under ~/Library/Application Support/workspace-jobs', () => {
	assert.equal(root('darwin', {}), '/Users/ann/Library/Application Support/workspace-jobs');
});

test('XDG_STATE_HOME wins on macOS and Linux where set, a relative one is ignored', () => {
	assert.equal(root('darwin', { XDG_STATE_HOME: '/Users/ann/.state' }), '/Users/ann/.state/workspace-jobs');
	assert.equal(root('linux', { XDG_STATE_HOME: '/xdg' }, '/home/ann'), '/xdg/workspace-jobs');
	assert.equal(root('darwin', { XDG_STATE_HOME: 'relative/state' }), '/Users/ann/Library/Application Support/workspace-jobs');
	assert.equal(root('linux', { XDG_STATE_HOME: '' }, '/home/ann'), '/home/ann/.local/state/workspace-jobs');
});

test('WORKSPACE_JOBS_STATE_DIR wins over XDG_STATE_HOME on every platform', () => {
	assert.equal(root('darwin', { WORKSPACE_JOBS_STATE_DIR: '/portable/state', XDG_STATE_HOME: '/xdg' }), '/portable/state');
	assert.equal(root('win32', { WORKSPACE_JOBS_STATE_DIR: 'D:\\state' }, 'C:\\Users\\ann'), 'D:\\state');
});

test('Windows keeps state under %LOCALAPPDATA%, or AppData\\Local of the home without it', () => {
	assert.equal(root('win32', { LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'C:\\Users\\ann'), 'C:\\Users\\ann\\AppData\\Local\\workspace-jobs');
	assert.equal(root('win32', {}, 'C:\\Users\\ann'), 'C:\\Users\\ann\\AppData\\Local\\workspace-jobs');
});

test('without an injected host it is this process\'s own', () => {
	assert.equal(defaultStateRoot(), defaultStateRoot({ env: process.env, platform: process.platform, home: process.env.HOME ?? '' }));
});
