import * as assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { extensionExports, publicApiMembers, testHookMember } from '../../../src/extension/extensionExports';
import { ExtensionMode, installFakeVscode, memento, partial } from './fakeVscode';

const api = { version: 1, run: () => undefined };

test('outside tests the exports are the API alone, frozen', () => {
	let created = 0;
	const exports = extensionExports(api, false, () => ++created);
	assert.deepEqual(Object.keys(exports), ['version', 'run']);
	assert.equal(created, 0, 'the test hook is never created');
	assert.ok(Object.isFrozen(exports));
	assert.throws(() => {
		(exports as { run: unknown }).run = () => 'hijacked';
	}, TypeError);
});

test('under test the exports carry the test hook', () => {
	const exports = extensionExports(api, true, () => 'hook');
	assert.deepEqual(Object.keys(exports), ['version', 'run', testHookMember]);
	assert.ok(Object.isFrozen(exports));
});

// activate() itself, in plain Node with a stand-in `vscode` (fakeVscode.ts) and no folder open.
type Activate = (context: unknown) => Record<string, unknown>;
let activate: Activate;
let deactivate: () => Promise<void>;
let restore: () => void;

before(() => {
	restore = installFakeVscode().restore;
	({ activate, deactivate } = require('../../../src/extension') as { activate: Activate; deactivate: () => Promise<void> });
});

after(() => restore());

function activateIn(extensionMode: number): { exports: Record<string, unknown>; dispose(): Promise<void> } {
	const subscriptions: Array<{ dispose(): unknown }> = [];
	const context = partial({ subscriptions, extensionMode, globalState: memento(), workspaceState: memento() });
	const exports = activate(context);
	return {
		exports,
		dispose: async () => {
			await deactivate();
			subscriptions.forEach((s) => s.dispose());
		},
	};
}

for (const mode of ['Production', 'Development'] as const) {
	test(`activate() in ${mode} mode exports exactly the documented API`, async () => {
		const { exports, dispose } = activateIn(ExtensionMode[mode]);
		try {
			assert.deepEqual(Object.keys(exports).sort(), [...publicApiMembers].sort());
			assert.equal(testHookMember in exports, false);
			assert.ok(Object.isFrozen(exports));
		} finally {
			await dispose();
		}
	});
}

test('activate() under test (ExtensionMode.Test) adds the test hook', async () => {
	const { exports, dispose } = activateIn(ExtensionMode.Test);
	try {
		assert.deepEqual(Object.keys(exports).sort(), [...publicApiMembers, testHookMember].sort());
	} finally {
		await dispose();
	}
});
