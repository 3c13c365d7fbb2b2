#!/usr/bin/env node
// Runs the unit tests: every `*.test.ts` under the folders given (default test/unit), in node:test
// with tsx and the text imports of textImports.mjs, printed by the spec reporter. Node 20's
// `--test` does not expand `**` itself.
//
// Usage: node test/harness/runUnitTests.mjs [FOLDER|FILE]... [-- NODE_TEST_OPTIONS...]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const targets = dash === -1 ? argv : argv.slice(0, dash);
const extra = dash === -1 ? [] : argv.slice(dash + 1);

function testFiles(target) {
	if (fs.statSync(target).isFile()) {
		return [target];
	}
	return fs
		.readdirSync(target, { recursive: true })
		.map(String)
		.filter((name) => name.endsWith('.test.ts'))
		.sort()
		.map((name) => path.join(target, name));
}

const files = (targets.length ? targets : ['test/unit']).flatMap(testFiles);
if (files.length === 0) {
	console.error('no test files found');
	process.exit(1);
}
const reporter = process.env.WORKSPACE_JOBS_TEST_REPORTER ?? 'spec';
const textImports = fileURLToPath(new URL('./textImports.mjs', import.meta.url));
const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', textImports, '--test', `--test-reporter=${reporter}`, ...extra, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
