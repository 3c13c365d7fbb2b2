/// <reference types="mocha" />
// Entry of the extension-host test suites (`extensionTestsPath`). The extension host loads this
// bundle (out/test/host/index.js) and calls run(); resolving means exit code 0, rejecting 1.
//
// Which files run: the suite named by WORKSPACE_JOBS_HOST_SUITE (set by the harness), or else the
// name of the opened workspace folder. Suite "basic" is out/test/host/*.test.js; any other suite
// is out/test/host/<suite>/*.test.js (see test/harness/suites.mjs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export function run(): Promise<void> {
	const suite = process.env.WORKSPACE_JOBS_HOST_SUITE || vscode.workspace.workspaceFolders?.[0]?.name || 'basic';
	const dir = suite === 'basic' ? __dirname : path.join(__dirname, suite);
	const grep = process.env.WORKSPACE_JOBS_HOST_GREP;
	const mocha = new Mocha({
		ui: 'tdd',
		reporter: 'spec',
		color: process.env.WORKSPACE_JOBS_HOST_COLOR === '1',
		timeout: Number(process.env.WORKSPACE_JOBS_HOST_TEST_TIMEOUT) || 20_000,
		...(grep ? { grep } : {}),
	});
	const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort() : [];
	if (files.length === 0) {
		return Promise.reject(new Error(`suite "${suite}": no *.test.js files in ${dir}`));
	}
	for (const file of files) {
		mocha.addFile(path.join(dir, file));
	}
	console.log(`suite "${suite}": ${files.join(', ')} in VS Code ${vscode.version}`);
	return new Promise((resolve, reject) => {
		try {
			const runner = mocha.run((failures) => {
				// The plain closing line CI reads (passes include neither pending nor failed tests).
				const pending = runner.stats?.pending ?? 0;
				console.log(`${suite}: ${runner.stats?.passes ?? 0} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
				if (failures > 0) {
					reject(new Error(`${failures} test(s) failed`));
				} else {
					resolve();
				}
			});
		} catch (error) {
			reject(error);
		}
	});
}
