// extensionTestsPath of the exports probe (test/ui/exports.test.mjs). Runs in the extension host
// as any other extension would, next to the installed (production-mode) Workspace Jobs, and
// prints one line "EXPORTS <json>" of what that extension gives it. The UI test judges it.
const vscode = require('vscode');

exports.run = async function run() {
	const probe = vscode.extensions.getExtension('workspace-jobs-test.exports-probe');
	const own = await probe.activate();
	const jobs = vscode.extensions.getExtension('workspace-jobs.workspace-jobs');
	const report = { probeMode: own.extensionMode, modes: { ...vscode.ExtensionMode }, found: Boolean(jobs) };
	if (jobs) {
		const api = await jobs.activate();
		report.extensionPath = jobs.extensionPath;
		report.keys = Object.keys(api);
		report.ownNames = Object.getOwnPropertyNames(api);
		report.frozen = Object.isFrozen(api);
		report.testHook = typeof api._test;
		report.contributed = jobs.packageJSON.contributes.commands.map((c) => c.command);
		report.registered = (await vscode.commands.getCommands(true)).filter((c) => c.toLowerCase().startsWith('workspacejobs.'));
		// The API's own gate still holds for a caller: the fixture's commands are not approved.
		report.run = await api.run('hello').then(
			() => 'ran',
			(error) => String(error && error.message),
		);
		// Allow cannot be called past the review: a forged review URI approves nothing.
		const forged = vscode.Uri.from({ scheme: 'workspace-jobs-review', path: '/basic.jobs-review', query: 'review=forged' });
		report.forgedAllow = await vscode.commands.executeCommand('workspaceJobs.allowJobs', forged);
	}
	console.log(`EXPORTS ${JSON.stringify(report)}`);
};
