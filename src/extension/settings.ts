import * as vscode from 'vscode';
import type { RetentionOptions } from '../core/model';
import { retentionFromSetting } from '../core/records/retention';
import { Settings } from './constants';

/** When a finished run shows a notification. */
export type NotificationMode = 'always' | 'failure' | 'never';

/** The `workspaceJobs.*` settings of one folder, as plain values. */
export interface FolderSettings {
	/** Overrides the file's `concurrency` when set. */
	concurrency: number | undefined;
	/** Bytes of each run's output copied to the log channel. */
	outputLogLimit: number;
	/** History and log limits set by the user; each set field wins over `.jobs.json`'s `retention`. */
	retention: RetentionOptions;
	/** Why fields of `workspaceJobs.retention` were ignored, for the host to log. */
	retentionProblems: string[];
}

/** Window-wide settings. */
export interface WindowSettings {
	notifications: NotificationMode;
	/** Run notifications only while the window is not focused (VS Code's choice for long tasks). */
	notifyOnlyWhenUnfocused: boolean;
	/** Application scope only: a workspace must not be able to turn its own approval off. */
	requireApproval: boolean;
}

const defaultOutputLogLimit = 16_384;

/** Reads the per-folder settings (concurrency may differ between folders of a multi-root workspace). */
export function readFolderSettings(folder: vscode.WorkspaceFolder | undefined): FolderSettings {
	const config = vscode.workspace.getConfiguration(Settings.section, folder?.uri);
	const concurrency = config.get<number | null>(Settings.concurrency, null);
	const limit = config.get<number>(Settings.logOutputLimit, defaultOutputLogLimit);
	const { retention, problems } = retentionFromSetting(config.get<unknown>(Settings.retention));
	return {
		concurrency: typeof concurrency === 'number' && Number.isInteger(concurrency) && concurrency >= 1 ? Math.min(concurrency, 256) : undefined,
		outputLogLimit: typeof limit === 'number' && limit >= 0 ? Math.floor(limit) : defaultOutputLogLimit,
		retention,
		retentionProblems: problems.map((p) => `${Settings.section}.${Settings.retention}: ${p}; that limit keeps the .jobs.json value or its default`),
	};
}

export function readWindowSettings(): WindowSettings {
	const config = vscode.workspace.getConfiguration(Settings.section);
	const mode = config.get<string>(Settings.notifications, 'failure');
	// `inspect` rather than `get`: only the user (global) value counts, whatever scope a
	// workspace file claims, so a cloned repository cannot switch its own approval off.
	const approval = config.inspect<boolean>(Settings.requireApproval);
	return {
		notifications: mode === 'always' || mode === 'never' ? mode : 'failure',
		notifyOnlyWhenUnfocused: config.get<boolean>(Settings.notifyOnlyWhenUnfocused, false) === true,
		requireApproval: approval?.globalValue ?? approval?.defaultValue ?? true,
	};
}

/** Fires when any `workspaceJobs.*` setting changes. */
export function onDidChangeSettings(listener: (e: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
	return vscode.workspace.onDidChangeConfiguration((e) => {
		if (e.affectsConfiguration(Settings.section)) {
			listener(e);
		}
	});
}
