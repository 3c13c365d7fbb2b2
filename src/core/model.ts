/**
 * The engine's data model: job definitions as read from `.jobs.json` (or registered in code),
 * and the run records and states the engine reports. The JSDoc here is the source of the
 * `.jobs.json` schema text.
 */

/** When a job fires on its own. Absent means manual or dependency-only. */
export type Schedule =
	| {
			kind: 'cron';
			/** Cron expression: 5 fields, or 6 with seconds first, or a nickname such as `@daily`. */
			expression: string;
			/** IANA time zone the expression is read in. @default the machine's local zone */
			timezone?: string;
	  }
	| {
			kind: 'every';
			/** Interval in milliseconds between fire times, counted from when the schedule starts. */
			everyMs: number;
	  }
	| {
			kind: 'at';
			/** One instant, epoch milliseconds. */
			at: number;
	  };

export type Backoff = 'fixed' | 'exponential';

/** How a failed attempt is retried. */
export interface RetryPolicy {
	/** Retries after the first failure (attempts in all = retries + 1). @default 0 */
	retries: number;
	/** How the delay grows between attempts. @default 'fixed' */
	backoff: Backoff;
	/** Delay before the first retry, in milliseconds. @default 1000 */
	delayMs: number;
	/** Upper bound on any retry delay, in milliseconds. */
	maxDelayMs?: number;
	/** Randomize each delay by up to this fraction (0..1). @default 0 */
	jitter?: number;
}

/** What happens when a job is due while its previous run is still going. */
export type OverlapPolicy = 'skip' | 'queue' | 'allow' | 'replace';

/** What happens to fire times missed while nothing ran (editor closed, machine asleep). */
export type CatchUpPolicy = 'none' | 'once';

/** Where a definition came from in its file, for diagnostics and "Open Definition". */
export interface SourceLocation {
	file: string;
	/** 1-based line of the job object's opening brace. */
	line: number;
	/** 1-based column. */
	column: number;
}

/** Context passed to a programmatic job. */
export interface JobContext {
	jobId: string;
	runId: string;
	attempt: number;
	/** Aborted on cancel, timeout, replace or engine stop. */
	signal: AbortSignal;
	/** Writes a line to the run's output (as stdout). */
	log(line: string): void;
}

/** A job: a shell command, or an async function registered in code. */
/**
 * The program a job's command text is handed to: `executable`, then `args`, then the text as one
 * last argument (`/bin/sh -c TEXT`, `cmd.exe /d /s /c TEXT`, `pwsh -NoProfile -Command TEXT`).
 */
export interface ShellSpec {
	executable: string;
	args: string[];
}

export interface JobDefinition {
	/** Unique id: letters, digits, `.`, `_`, `-`. */
	id: string;
	/** Human-readable name. @default the id */
	name?: string;
	/**
	 * Command text run by `shell` (the platform's default shell when absent). Exactly one of
	 * `command` and `run` is set.
	 */
	command?: string;
	/**
	 * The shell for `command`, with the file's `shell` and per-platform overrides already applied
	 * for the platform it was read for. @default `/bin/sh -c` on Linux and macOS, `cmd.exe /d /s /c` on Windows
	 */
	shell?: ShellSpec;
	/** Programmatic job body (never from a file). */
	run?: (context: JobContext) => Promise<unknown>;
	/** When the job fires on its own; absent means manual or dependency-only. */
	schedule?: Schedule;
	/** Milliseconds before the run's whole process tree is killed and the run fails with reason `timeout`. */
	timeoutMs?: number;
	/** Retry policy for failed attempts. @default no retries */
	retry?: RetryPolicy;
	/** Absolute working directory (resolved and checked by the file reader). @default the file's folder */
	cwd?: string;
	/** Environment variables merged over the parent environment. */
	env?: Record<string, string>;
	/** Jobs that run first, once per trigger; if one fails this job is skipped. */
	dependsOn?: string[];
	/** @default 'skip' */
	overlap?: OverlapPolicy;
	/** Higher runs first when jobs wait for a free slot. @default 0 */
	priority?: number;
	/** A disabled job stays defined but is never scheduled. @default true */
	enabled?: boolean;
	/** Missed fire times policy. @default 'once' for cron and at jobs, 'none' for every */
	catchUp?: CatchUpPolicy;
	/** A missed fire time older than this is not caught up, in milliseconds. @default 3600000 */
	startingDeadlineMs?: number;
	/** Where the definition was read from. */
	source?: SourceLocation;
}

/** The whole `.jobs.json` after validation. */
export interface JobsConfig {
	/** Global limit of runs at once. @default 4 */
	concurrency?: number;
	/** How much run history and how many run logs are kept. @default { runs: 100, days: 30, size: 256 MB } */
	retention?: RetentionOptions;
	jobs: JobDefinition[];
}

/**
 * Limits on what the state folder keeps; older runs' history records and logs are pruned in the
 * background. A limit left out takes its default.
 */
export interface RetentionOptions {
	/** Runs kept per job; skipped runs count separately, so they never push real runs out. @default 100 */
	runs?: number;
	/** Records older than this many days are pruned (a job's newest run always stays). @default 30 */
	days?: number;
	/** Bytes of run logs kept per workspace; the oldest logs go first. @default 256 MB */
	size?: number;
}

/** A job's state as the tree shows it. */
export type JobState =
	| 'idle'
	| 'pending'
	| 'queued'
	| 'running'
	| 'completed'
	| 'failed'
	| 'canceled'
	| 'skipped'
	| 'interrupted'
	| 'disabled';

/** The final status of one attempt. */
export type RunStatus = 'completed' | 'failed' | 'canceled' | 'skipped' | 'interrupted' | 'missed';

/** Why a run did not complete. */
export type RunReason =
	| 'exit-code'
	| 'signal'
	| 'timeout'
	| 'canceled'
	| 'replaced'
	| 'dependency-failed'
	| 'overlap'
	/** A scheduled time came while the scheduler was paused. */
	| 'paused'
	| 'spawn-error'
	/**
	 * The job launcher (the helper process that starts jobs) died while the run was in flight,
	 * killed or out of memory: how the job ended is unknown and its process group was killed.
	 * The status is `failed`; the next run starts a new launcher.
	 */
	| 'launcher-lost'
	| 'error'
	| 'stopped'
	| 'interrupted'
	| 'missed';

/** What started a run. */
export type Trigger = 'schedule' | 'manual' | 'dependency' | 'catch-up' | 'api';

/** The record of one finished attempt; one JSON line in history. */
export interface RunRecord {
	jobId: string;
	/** Identifies the run (all attempts of one trigger share it). */
	runId: string;
	/** 1-based attempt number. */
	attempt: number;
	status: RunStatus;
	reason?: RunReason;
	/** Human-readable detail, e.g. the error message. */
	message?: string;
	exitCode: number | null;
	signal?: string | null;
	/** ISO-8601 instants. */
	startedAt: string;
	endedAt: string;
	durationMs: number;
	trigger: Trigger;
	/** The instant the run was scheduled for (ISO), when it came from a schedule. */
	scheduledAt?: string;
	/** True when another attempt follows this failed one. */
	willRetry?: boolean;
	/**
	 * Path of the file holding the run's full output. Absent when the run printed nothing (no
	 * file is kept) or started nothing (skipped, missed, canceled while queued), and removed when
	 * retention deletes the log.
	 */
	logFile?: string;
	/** Processes that left the job's process group and were still alive at the end. */
	escaped?: number[];
	/**
	 * True when `logFile` misses part of the output: the log could not be created or a write to
	 * it failed (a full disk, no permission), and the output from then on was only seen live
	 * (the engine logged why). Absent when the log holds everything the run printed.
	 */
	outputTruncated?: true;
	/**
	 * A record that stands for this many identical consecutive skips (the same job, reason and
	 * message), from `firstAt` to `lastAt`; absent means one.
	 */
	count?: number;
	/** When the first of `count` coalesced skips happened (ISO). */
	firstAt?: string;
	/** When the last of `count` coalesced skips happened (ISO); equals `endedAt`. */
	lastAt?: string;
}

/** A run that has not finished yet, as hosts see it. */
export interface ActiveRun {
	runId: string;
	jobId: string;
	attempt: number;
	state: 'pending' | 'queued' | 'running';
	trigger: Trigger;
	/** The instant the run was scheduled for (ISO), when it came from a schedule. */
	scheduledAt?: string;
	/** When the current attempt started running (ISO). */
	startedAt?: string;
	/** The current attempt's output file. */
	logFile?: string;
	/**
	 * True when the job's definition changed (a reload of `.jobs.json`) since this run started in
	 * a way that touches what it runs: the run goes on under the old command, shell, cwd, env,
	 * timeout and retries.
	 */
	definitionChanged?: true;
}

/** Everything a UI shows about one job. */
export interface JobSnapshot {
	id: string;
	name: string;
	definition: JobDefinition;
	state: JobState;
	enabled: boolean;
	/** Epoch ms of the next scheduled fire, if any. */
	nextRunAt?: number;
	lastRun?: RunRecord;
	active: ActiveRun[];
	/** True for jobs registered in code rather than read from `.jobs.json`. */
	programmatic: boolean;
	/**
	 * While a trigger of this job waits for its `dependsOn` jobs to finish (the state is then
	 * `pending`): the ones of them still unfinished.
	 */
	waitingFor?: string[];
}
