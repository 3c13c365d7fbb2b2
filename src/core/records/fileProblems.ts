import type { Logger } from '../base/logger';

/**
 * How the readers and writers of the state folder report what they cannot use. A bad record is
 * skipped, an unreadable file is read as empty, a failed write is logged: the engine goes on in
 * every case, and says so once rather than once per read or per batch.
 */

/** A problem with one file of the state folder, at a line when there is one. */
export interface FileProblem {
	file: string;
	line?: number;
	message: string;
	/** The whole file could not be read (not one bad line in it). */
	unreadable?: boolean;
}

/** Where problems go: the engine's logger as warnings, the CLI's stderr. */
export type ProblemSink = (problem: FileProblem) => void;

/** `FILE:LINE: message`, the form terminals and editors turn into links. */
export function formatFileProblem(problem: FileProblem): string {
	return `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}`;
}

/** A sink that warns on a logger. */
export function warnSink(logger: Logger): ProblemSink {
	return (problem) => logger.warn(formatFileProblem(problem));
}

/** Why a file operation failed, in words (the code stays, for searching). */
export function describeFileError(err: unknown): string {
	const code = (err as NodeJS.ErrnoException | undefined)?.code;
	switch (code) {
		case 'EISDIR':
			return 'it is a folder, not a file (EISDIR)';
		case 'ENOTDIR':
			return 'a part of its path is not a folder (ENOTDIR)';
		case 'EACCES':
		case 'EPERM':
			return `permission denied (${code})`;
		case 'ENOSPC':
			return 'the disk is full (ENOSPC)';
		case 'EROFS':
			return 'the file system is read-only (EROFS)';
		default:
			return String((err as Error | undefined)?.message ?? err);
	}
}

/**
 * Skipped lines of the files one store reads: each read reports its new bad lines as one
 * warning that names the first of them, and a line is reported once in the store's life (the UI
 * reads history on every refresh). An unreadable file is reported once until it reads again.
 */
export class LineProblems {
	private readonly reported = new Map<string, Set<number>>();
	private readonly unreadable = new Set<string>();

	constructor(private readonly sink: ProblemSink | undefined) {}

	/** Collects the bad lines of one read of `file`; `finish` reports them. */
	read(file: string): BadLines {
		let seen = this.reported.get(file);
		if (!seen) {
			seen = new Set();
			this.reported.set(file, seen);
		}
		return new BadLines(file, seen, this.sink);
	}

	/** Reports that `file` cannot be read (once, until `readable`). */
	cannotRead(file: string, err: unknown, consequence: string): void {
		if (!this.unreadable.has(file)) {
			this.unreadable.add(file);
			this.sink?.({ file, message: `cannot be read: ${describeFileError(err)}; ${consequence}`, unreadable: true });
		}
	}

	/** `file` was read (or is missing, which reads as empty); a later failure is reported again. */
	readable(file: string): void {
		this.unreadable.delete(file);
	}
}

/** The bad lines of one read, keyed by the byte offset they start at (the same in every kind of read). */
export class BadLines {
	private first: { key: number; message: string; line?: number } | undefined;
	private more = 0;

	constructor(
		private readonly file: string,
		private readonly seen: Set<number>,
		private readonly sink: ProblemSink | undefined,
	) {}

	/** A bad line at byte `key`; forward reads know its `line` number, backward reads do not. */
	add(key: number, message: string, line?: number): void {
		if (this.seen.has(key)) {
			return;
		}
		this.seen.add(key);
		if (!this.first || key < this.first.key) {
			if (this.first) {
				this.more++;
			}
			this.first = { key, message, line };
		} else {
			this.more++;
		}
	}

	/** One warning for the read, at the first bad line (`lineOf` finds its line number when the read did not know it). */
	finish(lineOf?: (offset: number) => number): void {
		if (!this.first || !this.sink) {
			return;
		}
		let line = this.first.line;
		try {
			line ??= lineOf?.(this.first.key);
		} catch {
			// The file changed or went away since: the warning names the file alone.
		}
		const more = this.more > 0 ? ` (and ${this.more} more bad line${this.more === 1 ? '' : 's'})` : '';
		this.sink({ file: this.file, line, message: `skipped ${this.first.message}${more}` });
	}
}

/**
 * Writes that fail are logged when they start failing and when they work again, not once per
 * batch: a history on a full disk or a folder in its place would otherwise log hundreds of lines
 * a second.
 */
export class WriteFailures {
	private readonly failing = new Map<string, number>();

	constructor(private readonly logger: Logger) {}

	/** A write of `what` (to `file`) failed; `lost` says what was not kept. */
	failed(what: string, file: string | undefined, err: unknown, lost: string): void {
		const count = this.failing.get(what);
		if (count === undefined) {
			this.logger.error(`Could not write ${what}${file ? ` to ${file}` : ''}: ${describeFileError(err)}; ${lost} (reported once until it works again)`);
		}
		this.failing.set(what, (count ?? 0) + 1);
	}

	/** A write of `what` worked; if it had failed, say so and how often. */
	succeeded(what: string): void {
		const count = this.failing.get(what);
		if (count !== undefined) {
			this.failing.delete(what);
			this.logger.info(`Writing ${what} works again (${count} write${count === 1 ? '' : 's'} failed)`);
		}
	}

	/** True while writes of `what` fail. */
	isFailing(what: string): boolean {
		return this.failing.has(what);
	}
}
