import type { LogContext, Logger } from '../base/logger';

/**
 * Copies a run's output to the logger line by line, at `trace` (both streams: a tool's progress
 * on stderr is no warning, and the default level shows what a user acts on, never a run's
 * output), up to a byte limit per run, so a job printing 100 MB cannot flood the log even at
 * `trace`. The full output is in the run's log file, which the truncation line names.
 */
export class OutputLog {
	private budget: number;
	private truncated = false;
	private readonly partial = { stdout: '', stderr: '' };

	constructor(
		private readonly logger: Logger,
		private readonly context: LogContext,
		limitBytes: number,
		private readonly logFile: string | undefined,
	) {
		this.budget = limitBytes;
	}

	write(stream: 'stdout' | 'stderr', text: string): void {
		if (this.truncated) {
			return;
		}
		const lines = (this.partial[stream] + text).split('\n');
		this.partial[stream] = lines.pop() ?? '';
		if (this.partial[stream].length > this.budget) {
			lines.push(this.partial[stream]);
			this.partial[stream] = '';
		}
		for (const line of lines) {
			// Windows programs end their lines with CRLF.
			this.emit(stream, line.endsWith('\r') ? line.slice(0, -1) : line);
			if (this.truncated) {
				return;
			}
		}
	}

	/** Flushes unterminated last lines. */
	end(): void {
		for (const stream of ['stdout', 'stderr'] as const) {
			if (this.partial[stream] && !this.truncated) {
				this.emit(stream, this.partial[stream]);
			}
			this.partial[stream] = '';
		}
	}

	private emit(stream: 'stdout' | 'stderr', line: string): void {
		this.budget -= Buffer.byteLength(line) + 1;
		if (this.budget < 0) {
			this.truncated = true;
			this.logger.trace(`Output truncated in the log${this.logFile ? `; full output in ${this.logFile}` : ''}`, this.context);
			return;
		}
		this.logger.trace(stream === 'stdout' ? line : `stderr: ${line}`, this.context);
	}
}
