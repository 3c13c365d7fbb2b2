// What the extension exports to other extensions. Here, under test (ExtensionMode.Test, which the
// harness gives with extensionTestsPath), the exports carry the test hook; an installed extension
// (production) exports the documented API alone: test/ui/exports.test.mjs checks that, and
// test/unit/extension/extensionExports.test.ts checks activate() in every mode.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { publicApiMembers, testHookMember } from '../../src/extension/extensionExports';
import { activateExtension, EXTENSION_ID } from './helpers';

suite('exports (basic fixture)', () => {
	test('under test the exports are the documented API plus the test hook, frozen', async () => {
		const api = await activateExtension();
		assert.deepEqual(Object.keys(api).sort(), [...publicApiMembers, testHookMember].sort());
		assert.ok(Object.isFrozen(api), 'no extension can replace a method others call');
		assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.exports, api);
	});
});
