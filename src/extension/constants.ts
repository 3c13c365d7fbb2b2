/**
 * Every id the extension contributes, in one place: package.json, menus and code must agree on
 * these strings, and a typo in one of them fails silently (a menu that never shows).
 */

/** Command ids: `workspaceJobs.<verb><Noun>`. */
export const Commands = {
	runJob: 'workspaceJobs.runJob',
	runAll: 'workspaceJobs.runAll',
	cancelJob: 'workspaceJobs.cancelJob',
	enableJob: 'workspaceJobs.enableJob',
	disableJob: 'workspaceJobs.disableJob',
	showLog: 'workspaceJobs.showLog',
	openDefinition: 'workspaceJobs.openDefinition',
	explainJob: 'workspaceJobs.explainJob',
	showMetrics: 'workspaceJobs.showMetrics',
	pauseScheduler: 'workspaceJobs.pauseScheduler',
	resumeScheduler: 'workspaceJobs.resumeScheduler',
	refreshJobs: 'workspaceJobs.refreshJobs',
	openJobsFile: 'workspaceJobs.openJobsFile',
	createJobsFile: 'workspaceJobs.createJobsFile',
	approveJobs: 'workspaceJobs.approveJobs',
	allowJobs: 'workspaceJobs.allowJobs',
	forgetApprovals: 'workspaceJobs.forgetApprovals',
	showJobs: 'workspaceJobs.showJobs',
	showOutput: 'workspaceJobs.showOutput',
	exportJobs: 'workspaceJobs.exportJobs',
	manageTrust: 'workspaceJobs.manageTrust',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Shown before every command title in the palette. */
export const commandCategory = 'Workspace Jobs';

/** The activity-bar container and its tree view. */
export const Views = {
	container: 'workspaceJobs',
	jobs: 'workspaceJobs.jobs',
} as const;

/** The metrics webview panel's type, also the key of its serializer. */
export const metricsViewType = 'workspaceJobs.metrics';

/** Setting keys under the `workspaceJobs` section. */
export const Settings = {
	section: 'workspaceJobs',
	notifications: 'notifications',
	notifyOnlyWhenUnfocused: 'notifyOnlyWhenUnfocused',
	requireApproval: 'requireApproval',
	concurrency: 'concurrency',
	logOutputLimit: 'logOutputLimit',
	retention: 'retention',
} as const;

/** Context keys used in `when` clauses of menus, the palette and the welcome view. */
export const ContextKeys = {
	/** Some folder has a `.jobs.json`. */
	hasJobsFile: 'workspaceJobs.hasJobsFile',
	/** Every workspace folder has a `.jobs.json` (so "Create .jobs.json" has nothing to do). */
	allFoldersHaveJobsFile: 'workspaceJobs.allFoldersHaveJobsFile',
	/** Some folder has at least one job. */
	hasJobs: 'workspaceJobs.hasJobs',
	/** Some run is pending, queued or running. */
	anyActive: 'workspaceJobs.anyActive',
	/** Every scheduler is paused. */
	paused: 'workspaceJobs.paused',
	/** Some folder's jobs wait for the user's approval. */
	needsApproval: 'workspaceJobs.needsApproval',
} as const;

/** The name of the jobs file at the root of a workspace folder. */
export const jobsFileName = '.jobs.json';

/** `context.globalState` key of the approvals map (folder path -> approved jobs, approval.ts `ApprovalRecord`). */
export const approvalsStateKey = 'workspaceJobs.approvals';

/** URI scheme of the read-only approval review documents (approvalReview.ts); package.json's menus match it. */
export const reviewScheme = 'workspace-jobs-review';

/** URI scheme of the read-only "Why Didn't This Run?" documents (explainDocument.ts). */
export const explainScheme = 'workspace-jobs-explain';

/** URI scheme of the read-only run log documents (runLogDocument.ts). */
export const runLogScheme = 'workspace-jobs-log';

/** Name of the log output channel. */
export const outputChannelName = 'Workspace Jobs';

/** Engine events are batched for this long before the tree, status bar and lenses redraw. */
export const refreshDebounceMs = 100;

/** Finished runs listed under a job in the tree. */
export const recentRunCount = 5;
