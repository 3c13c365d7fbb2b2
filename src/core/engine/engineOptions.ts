import type { Clock } from '../base/clock';
import type { Logger } from '../base/logger';
import type { RetentionOptions } from '../model';
import type { ProcessResult, ProcessSpec } from '../process/runner';

/** Options the host (CLI, extension, tests) sets; the engine never reads settings itself. */
export interface EngineOptions {
	/** The folder that holds `.jobs.json`: default cwd and the key of the state folder. */
	workspaceFolder: string;
	/** Overrides the file's `concurrency`. */
	concurrency?: number;
	/** Every instant on a record, every timer: a `ManualClock` drives them all in tests. @default systemClock */
	clock?: Clock;
	logger?: Logger;
	/** Where history, logs and state live; `null` keeps nothing on disk. @default per-workspace folder under the state root */
	stateDir?: string | null;
	/** Bytes of each run's output that are copied to the logger (the full output stays in the run's log file). @default 16384 */
	outputLogLimit?: number;
	/** History and log limits; each one set here wins over `.jobs.json`'s `retention`. @default 100 runs per job, 30 days, 256 MB of logs */
	retention?: RetentionOptions;
	/** SIGTERM to SIGKILL grace when a run's process group is killed. @default 2000 */
	killGraceMs?: number;
	/** Replaces the process runner (the benchmark swaps in alternatives). */
	runProcess?: (spec: ProcessSpec) => Promise<ProcessResult>;
}
