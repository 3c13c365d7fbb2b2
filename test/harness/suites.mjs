// The extension-host suites: which compiled test files run against which fixture workspace.
// Used by runHostTests.mjs (code-server) and .vscode-test.mjs (@vscode/test-cli, Electron).
//
// Convention: test/host/*.test.ts run against test/fixtures/basic; test/host/<name>/*.test.ts run
// against test/fixtures/<name>. To add a fixture suite, create both folders and add a line here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './provision.mjs';

/** @typedef {{ name: string, fixture: string, testDir: string, outDir: string, trust: boolean }} HostSuite */

/** @type {HostSuite[]} */
export const hostSuites = [
	suite('basic', { testDir: 'test/host' }),
	suite('broken'),
	suite('realistic'),
	// Workspace Trust stays on and the folder is not trusted: Restricted Mode.
	suite('untrusted', { trust: false }),
];

function suite(name, { testDir = `test/host/${name}`, trust = true } = {}) {
	return {
		name,
		fixture: path.join(ROOT, 'test/fixtures', name),
		testDir: path.join(ROOT, testDir),
		outDir: path.join(ROOT, 'out', testDir),
		trust,
	};
}

/** The suite's test sources (not recursive: a subfolder is another suite). */
export function suiteTestFiles(suite) {
	if (!fs.existsSync(suite.testDir)) {
		return [];
	}
	return fs
		.readdirSync(suite.testDir)
		.filter((f) => f.endsWith('.test.ts'))
		.map((f) => path.join(suite.testDir, f));
}

/**
 * Copies a fixture to a fresh folder of the same name under `parent`, so that jobs and settings
 * changed by a test never dirty test/fixtures/. Returns the copy's path.
 */
export function copyFixture(fixture, parent) {
	const target = path.join(parent, path.basename(fixture));
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(parent, { recursive: true });
	fs.cpSync(fixture, target, { recursive: true });
	return target;
}
