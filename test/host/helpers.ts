// Shared helpers of the extension-host suites (bundled into each *.test.js; not a suite itself).
import * as vscode from 'vscode';
import type { WorkspaceJobsExports } from '../../src/extension';
import { pollFor } from '../support/wait';

export const EXTENSION_ID = 'workspace-jobs.workspace-jobs';

/** Activates the extension under test and returns what `activate` returned. */
export async function activateExtension(): Promise<WorkspaceJobsExports> {
	const extension = vscode.extensions.getExtension<WorkspaceJobsExports>(EXTENSION_ID);
	if (!extension) {
		throw new Error(`${EXTENSION_ID} is not loaded (extensionDevelopmentPath)`);
	}
	return extension.activate();
}

/** The only workspace folder of the suite. */
export function workspaceFolder(): vscode.WorkspaceFolder {
	const folder = vscode.workspace.workspaceFolders?.[0];
	if (!folder) {
		throw new Error('no workspace folder is open');
	}
	return folder;
}

/** Polls until `check` returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
	const value = await pollFor(check, timeoutMs, 50);
	if (!value) {
		throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
	}
	return value;
}

/** Sets `workspaceJobs.requireApproval` in the user settings (the only place it is read from). */
export async function setRequireApproval(value: boolean | undefined): Promise<void> {
	await vscode.workspace.getConfiguration('workspaceJobs').update('requireApproval', value, vscode.ConfigurationTarget.Global);
}
