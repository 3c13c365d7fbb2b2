// What the installed extension (a .vsix, ExtensionMode.Production) gives other extensions: the
// documented API and nothing else, in particular not the test hook that can switch approval off
// and run any engine's jobs directly. A tiny probe extension (test/ui/exportsProbe/) is loaded as
// the extension under test next to it, through the same payload route the host suites use, and
// reports what `getExtension('workspace-jobs.workspace-jobs').exports` holds; this file judges it.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { ROOT } from '../harness/provision.mjs';
import { withWorkbench } from '../harness/ui.mjs';

const PROBE = path.join(ROOT, 'test/ui/exportsProbe');

/** The documented members, from the list that api.ts checks against `WorkspaceJobsApi` at compile time. */
function documentedMembers() {
	const source = fs.readFileSync(path.join(ROOT, 'src/extension/extensionExports.ts'), 'utf8');
	const list = /export const publicApiMembers = \[([^\]]*)\]/.exec(source);
	assert.ok(list, 'publicApiMembers in src/extension/extensionExports.ts');
	return [...list[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

/** View commands VS Code itself registers for a contributed view (`<view id>.focus` and the like). */
const VIEW_COMMAND = /^workspaceJobs\.jobs\.(focus|resetViewLocation|toggleVisibility|removeView|open)$|^workbench\.view\.extension\./;

test('the installed extension exports exactly the documented API, and no test hook', { timeout: 180_000 }, () =>
	withWorkbench({ fixture: 'basic', label: 'exports' }, async ({ page, context, server }) => {
		const lines = [];
		let finish;
		const exited = new Promise((resolve) => {
			finish = resolve;
		});
		await context.exposeFunction('codeAutomationLog', (_type, message) => {
			let parts = message;
			try {
				parts = typeof message === 'string' && message.startsWith('[') ? JSON.parse(message) : message;
			} catch {
				// plain text
			}
			lines.push(Array.isArray(parts) ? format(...parts) : String(parts));
		});
		await context.exposeFunction('codeAutomationExit', (code) => finish(Number(code)));
		const payload = [
			['extensionDevelopmentPath', server.remoteUri(PROBE)],
			['extensionTestsPath', server.remoteUri(path.join(PROBE, 'run.js'))],
		];
		await page.goto(`${server.workbenchUrl}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
		let timer;
		const code = await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), 120_000)))]);
		clearTimeout(timer);
		const line = lines.find((l) => l.includes('EXPORTS {'));
		assert.ok(line, `the probe's report (exit ${code}); output:\n${lines.slice(-40).join('\n')}`);
		assert.equal(code, 0, 'the probe ran to the end');
		const report = JSON.parse(line.slice(line.indexOf('EXPORTS ') + 'EXPORTS '.length));
		console.log(`probe report: ${JSON.stringify(report, null, 1)}`);

		// The probe is the extension under test (the harness's payload route gives ExtensionMode.Test),
		// and Workspace Jobs is the installed .vsix, not a development copy.
		assert.equal(report.probeMode, report.modes.Test, 'the probe runs in ExtensionMode.Test');
		assert.equal(report.found, true, 'Workspace Jobs is installed');
		assert.notEqual(report.extensionPath, ROOT, 'not the development copy');
		assert.match(path.basename(report.extensionPath), /^workspace-jobs\.workspace-jobs-\d/, `installed from the .vsix (${report.extensionPath})`);

		assert.deepEqual([...report.keys].sort(), documentedMembers().sort(), 'the exports are the documented API');
		assert.deepEqual([...report.ownNames].sort(), documentedMembers().sort(), 'no hidden (non-enumerable) member either');
		assert.equal(report.testHook, 'undefined', 'no test hook');
		assert.equal(report.frozen, true, 'frozen: no extension can replace a method others call');
		const hidden = report.registered.filter((c) => !report.contributed.includes(c) && !VIEW_COMMAND.test(c));
		assert.deepEqual(hidden, [], 'every registered command is a contributed one (no test-only command)');
		assert.match(report.run, /not approved/, 'the API refuses to run unapproved commands');
		assert.equal(report.forgedAllow, false, 'a forged review approves nothing');
	}));
