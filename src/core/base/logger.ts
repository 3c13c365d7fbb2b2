/** Log levels from the most to the least verbose, matching VS Code's `LogLevel` names. */
export const logLevels = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Context carried on a log line so a sink can show or filter by job and run. */
export interface LogContext {
	jobId?: string;
	runId?: string;
}

/** Where log lines go: the extension's LogOutputChannel, the CLI's stderr, or a test array. */
export interface LogSink {
	write(level: LogLevel, message: string, context?: LogContext): void;
}

/** The small logger interface the engine writes to. */
export interface Logger {
	trace(message: string, context?: LogContext): void;
	debug(message: string, context?: LogContext): void;
	info(message: string, context?: LogContext): void;
	warn(message: string, context?: LogContext): void;
	error(message: string, context?: LogContext): void;
}

/** Builds a logger that forwards every line to a sink (the sink decides what level to keep). */
export function createLogger(sink: LogSink): Logger {
	return {
		trace: (m, c) => sink.write('trace', m, c),
		debug: (m, c) => sink.write('debug', m, c),
		info: (m, c) => sink.write('info', m, c),
		warn: (m, c) => sink.write('warn', m, c),
		error: (m, c) => sink.write('error', m, c),
	};
}

/** A sink that drops lines below a minimum level before passing them on. */
export function filterSink(minLevel: LogLevel, inner: LogSink): LogSink {
	const min = logLevels.indexOf(minLevel);
	return {
		write(level, message, context) {
			if (logLevels.indexOf(level) >= min) {
				inner.write(level, message, context);
			}
		},
	};
}

/** Formats the job and run prefix that every job line carries: `[jobId run-id] `. */
export function formatContext(context?: LogContext): string {
	if (!context?.jobId) {
		return '';
	}
	return context.runId ? `[${context.jobId} ${context.runId}] ` : `[${context.jobId}] `;
}

/** A sink that keeps lines in memory, for tests. */
export class MemoryLogSink implements LogSink {
	readonly lines: Array<{ level: LogLevel; message: string; context?: LogContext }> = [];
	write(level: LogLevel, message: string, context?: LogContext): void {
		this.lines.push({ level, message, context });
	}
}

export const nullLogger: Logger = createLogger({ write() {} });
