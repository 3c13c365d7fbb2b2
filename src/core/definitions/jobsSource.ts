import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Clock, systemClock } from '../base/clock';
import { Disposable, type IDisposable } from '../base/disposable';
import { Emitter, type Event } from '../base/events';
import { type Logger, nullLogger } from '../base/logger';
import type { JobsConfig } from '../model';
import type { Diagnostic } from './diagnostic';
import { type ParseOptions, type ParseResult, readJobsFile } from './jobsFile';

/** Editors write a save in bursts (truncate, write, rename): the file is read once this long after the last change. */
export const reloadDebounceMs = 200;

/** What a host runs and shows after a read of the jobs file. */
export interface JobsSourceState {
	/** False while there is no file at the path (never created, deleted, or a folder). */
	exists: boolean;
	/** The definitions to run: this read's valid jobs, or the last good ones while `keptLastGood`. */
	config: JobsConfig;
	/** The problems of the file as it is now (none while it does not exist). */
	diagnostics: readonly Diagnostic[];
	/** The file as it is now has errors. */
	broken: boolean;
	/** The file has errors and `config` is the last good definitions (the very object of an earlier state), not this read's. */
	keptLastGood: boolean;
}

export interface JobsSourceOptions {
	/** Times the debounce. @default systemClock */
	clock?: Clock;
	/** @default reloadDebounceMs */
	debounceMs?: number;
	/** Where a folder that cannot be watched is reported. */
	logger?: Logger;
	/** Passed to every `readJobsFile`. */
	parse?: ParseOptions;
}

function noFile(): JobsSourceState {
	return { exists: false, config: { jobs: [] }, diagnostics: [], broken: false, keptLastGood: false };
}

/**
 * The definitions of one `.jobs.json`, for both hosts (the CLI's `start` and each VS Code
 * folder), so that a save means the same everywhere. It reads the file, watches its folder, reads
 * it again after a quiet period, and says what to run (`state`, `onDidChange`). The host loads
 * `config` into its engine unless `keptLastGood` says it is the one already loaded.
 *
 * The rule, for every read:
 * - No errors: the file runs as read (warnings are shown; nothing is left out).
 * - Errors, and nothing was loaded from the file yet (the host just started, or the file just
 *   appeared): its valid jobs run, the jobs with problems are left out. Bad input never stops the
 *   valid jobs.
 * - Errors after something was loaded: the last good definitions (the ones loaded last, all of
 *   them valid) keep running and only the problems are new. A typo in one job neither stops that
 *   job nor applies half of the edit. Any error counts, also one that leaves out no job: a bad
 *   `concurrency` would fall back to the default, which is not what the file's author meant.
 * - No file: no jobs and no problems (deleting the file removes its jobs); the file that appears
 *   next is read as a first read. A file that cannot be read (permissions) is an error as above.
 */
export class JobsSource extends Disposable {
	private readonly _onDidChange = this._register(new Emitter<JobsSourceState>());
	/** After every read, also one that changed nothing. */
	readonly onDidChange: Event<JobsSourceState> = this._onDidChange.event;
	private readonly clock: Clock;
	private readonly debounceMs: number;
	private readonly logger: Logger;
	private _state = noFile();
	/** What was loaded last from the file as it exists now; undefined before the first load and while there is no file. */
	private lastGood: JobsConfig | undefined;
	private pending: IDisposable | undefined;
	private watcher: fs.FSWatcher | undefined;

	constructor(
		readonly file: string,
		private readonly options: JobsSourceOptions = {},
	) {
		super();
		this.clock = options.clock ?? systemClock;
		this.debounceMs = options.debounceMs ?? reloadDebounceMs;
		this.logger = options.logger ?? nullLogger;
		this._register({ dispose: () => this.stopWatching() });
	}

	/** The last read's outcome; before the first read, no file. */
	get state(): JobsSourceState {
		return this._state;
	}

	/** Reads the file now (cancelling a pending read), applies the rule and fires `onDidChange`. */
	reload(): JobsSourceState {
		this.pending?.dispose();
		this.pending = undefined;
		this._state = this.next(this.read());
		this._onDidChange.fire(this._state);
		return this._state;
	}

	/** Reads the file once things have been quiet for the debounce; more calls meanwhile push the read back. */
	reloadSoon(): void {
		if (this.isDisposed) {
			return;
		}
		this.pending?.dispose();
		this.pending = this.clock.setTimeout(() => {
			this.pending = undefined;
			this.reload();
		}, this.debounceMs);
	}

	/**
	 * Watches the file's folder, not the file: a save by rename replaces the file's inode, and a
	 * deleted file can come back. Any event for the file's name (or an unnamed one) schedules a read.
	 * Where the folder cannot be watched, only `reload` and `reloadSoon` read the file.
	 */
	watch(): void {
		if (this.watcher || this.isDisposed) {
			return;
		}
		const folder = path.dirname(this.file);
		const name = path.basename(this.file);
		try {
			this.watcher = fs.watch(folder, { persistent: false }, (_event, changed) => {
				if (!changed || changed === name) {
					this.reloadSoon();
				}
			});
		} catch (err) {
			this.logger.warn(`Cannot watch ${folder} (${String((err as Error).message ?? err)}); changes to ${name} are read on save or refresh only`);
			return;
		}
		this.watcher.on('error', (err) => {
			this.logger.warn(`Stopped watching ${folder}: ${err.message}`);
			this.stopWatching();
		});
	}

	private stopWatching(): void {
		this.pending?.dispose();
		this.pending = undefined;
		this.watcher?.close();
		this.watcher = undefined;
	}

	/** The parse of the file, or undefined when there is no file at the path. */
	private read(): ParseResult | undefined {
		try {
			if (!fs.statSync(this.file).isFile()) {
				return undefined;
			}
		} catch (err) {
			const code = (err as NodeJS.ErrnoException).code;
			if (code === 'ENOENT' || code === 'ENOTDIR') {
				return undefined;
			}
			// Anything else (permissions) is the reader's to report as a problem of the file.
		}
		// The injected clock says when the file is read, so an `at` already past is judged on its time.
		return readJobsFile(this.file, { now: this.clock.now(), ...this.options.parse });
	}

	/** The rule of the class comment. */
	private next(result: ParseResult | undefined): JobsSourceState {
		if (!result) {
			this.lastGood = undefined;
			return noFile();
		}
		const broken = result.diagnostics.some((d) => d.severity === 'error');
		if (broken && this.lastGood) {
			return { exists: true, config: this.lastGood, diagnostics: result.diagnostics, broken, keptLastGood: true };
		}
		this.lastGood = result.config;
		return { exists: true, config: result.config, diagnostics: result.diagnostics, broken, keptLastGood: false };
	}
}
