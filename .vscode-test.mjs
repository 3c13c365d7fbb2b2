// @vscode/test-cli configuration: the extension-host suites of test/harness/suites.mjs under
// @vscode/test-electron (downloads VS Code, so it only works on machines that can reach
// update.code.visualstudio.com). Run with `npm run test:electron`, one suite with
// `npm run test:electron -- --label basic`. The same suites run in code-server with `npm run test:host`.
import { defineConfig } from '@vscode/test-cli';
import * as path from 'node:path';
import { hostSuites, copyFixture } from './test/harness/suites.mjs';

const workspaces = path.resolve('.vscode-test/workspaces');

export default defineConfig(
	hostSuites
		// @vscode/test-electron always passes --disable-workspace-trust, so Restricted Mode suites
		// run only in code-server (npm run test:host).
		.filter((suite) => suite.trust)
		.map((suite) => ({
			label: suite.name,
			files: path.relative(process.cwd(), path.join(suite.outDir, '*.test.js')),
			version: process.env.WORKSPACE_JOBS_VSCODE_VERSION ?? '1.100.3',
			workspaceFolder: copyFixture(suite.fixture, workspaces),
			env: { WORKSPACE_JOBS_HOST_SUITE: suite.name },
			mocha: { ui: 'tdd', timeout: 20_000 },
			launchArgs: ['--disable-extensions'],
		})),
);
