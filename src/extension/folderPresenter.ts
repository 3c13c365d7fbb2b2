import { escapeMarkdown, type ItemPresentation } from './jobPresenter';

/** Pure presentation of workspace folders for the tree (see jobPresenter.ts for jobs and runs). */
/** What the tree shows about one workspace folder. */
export interface FolderInput {
	name: string;
	jobCount: number;
	paused: boolean;
	/** Why its jobs may not run, if they may not. */
	refusal?: 'untrusted' | 'unapproved';
	/** `passive`: another window or the CLI runs this folder's schedule. */
	role: 'stopped' | 'runner' | 'passive';
	holder?: string;
	/** The saved file has errors and the last good definitions stay loaded. */
	keptLastGood: boolean;
	errorCount: number;
}

/** A tree row for a workspace folder (shown when several folders have jobs). */
export function describeFolder(input: FolderInput): ItemPresentation {
	const parts = [`${input.jobCount} job${input.jobCount === 1 ? '' : 's'}`, ...folderNotes(input)];
	return {
		label: input.name,
		description: parts.join(' · '),
		iconId: input.errorCount > 0 ? 'warning' : 'root-folder',
		colorId: input.errorCount > 0 ? 'list.warningForeground' : undefined,
		contextValue: `folder${input.paused ? '.paused' : ''}`,
		tooltipMarkdown: [`**${escapeMarkdown(input.name)}**`, '', ...folderNotes(input, true).map((n) => `${escapeMarkdown(n)}  `)].join('\n'),
	};
}

/** The message above the tree: the one thing that stops jobs from running, if any. */
export function treeMessage(folders: readonly FolderInput[], trusted: boolean): string | undefined {
	if (!trusted) {
		return 'Restricted Mode: jobs do not run until you trust this workspace.';
	}
	const notes: string[] = [];
	for (const folder of folders) {
		const prefix = folders.length > 1 ? `${folder.name}: t` : 'T';
		if (folder.refusal === 'unapproved') {
			notes.push(`${prefix}he commands in .jobs.json wait for your approval (Review and Allow Jobs).`);
		}
		if (folder.keptLastGood) {
			notes.push(`${prefix}he saved .jobs.json has ${folder.errorCount} error${folder.errorCount === 1 ? '' : 's'}; the last good definitions stay loaded.`);
		}
	}
	return notes.length ? notes.join(' ') : undefined;
}

function folderNotes(input: FolderInput, long = false): string[] {
	const notes: string[] = [];
	if (input.refusal === 'untrusted') {
		notes.push(long ? 'Restricted Mode: jobs do not run' : 'restricted');
	} else if (input.refusal === 'unapproved') {
		notes.push(long ? 'Commands wait for your approval' : 'needs approval');
	}
	if (input.paused) {
		notes.push(long ? 'Scheduler paused' : 'paused');
	}
	if (input.role === 'passive') {
		notes.push(long ? `Schedules run in another process${input.holder ? ` (${input.holder})` : ''}` : 'scheduled elsewhere');
	}
	if (input.errorCount > 0) {
		const errors = `${input.errorCount} error${input.errorCount === 1 ? '' : 's'}`;
		notes.push(long ? `${errors} in .jobs.json${input.keptLastGood ? '; the last good definitions stay loaded' : ''}` : errors);
	}
	return notes;
}
