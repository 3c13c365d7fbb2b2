import * as vscode from 'vscode';
import { createLogger, formatContext, type LogContext, type Logger, type LogLevel, type LogSink } from '../core/base/logger';
import { outputChannelName } from './constants';

/** One line as the test hook reports it. */
export interface LoggedLine {
	level: LogLevel;
	text: string;
}

const ringSize = 500;

/**
 * The engine's log sink: a `LogOutputChannel`, so users pick the level with "Set Log Level" and
 * VS Code adds the time stamp and level. Every job line carries `[jobId runId]`. The last lines
 * are also kept in a small ring buffer for the extension-host tests.
 */
export class OutputChannelLogSink implements LogSink, vscode.Disposable {
	readonly channel: vscode.LogOutputChannel;
	private readonly ring: LoggedLine[] = [];
	private next = 0;

	constructor() {
		this.channel = vscode.window.createOutputChannel(outputChannelName, { log: true });
	}

	write(level: LogLevel, message: string, context?: LogContext): void {
		this.writeLine(level, `${formatContext(context)}${message}`);
	}

	/** A logger for one workspace folder; its lines start with the folder name when there are several. */
	loggerFor(folderName: () => string | undefined): Logger {
		return createLogger({
			write: (level, message, context) => {
				const folder = folderName();
				this.writeLine(level, `${folder ? `(${folder}) ` : ''}${formatContext(context)}${message}`);
			},
		});
	}

	/** The newest lines, oldest first (at most 500). */
	lines(): LoggedLine[] {
		return this.ring.length < ringSize ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
	}

	show(): void {
		this.channel.show(true);
	}

	dispose(): void {
		this.channel.dispose();
	}

	private writeLine(level: LogLevel, text: string): void {
		if (this.ring.length < ringSize) {
			this.ring.push({ level, text });
		} else {
			this.ring[this.next] = { level, text };
			this.next = (this.next + 1) % ringSize;
		}
		switch (level) {
			case 'trace':
				this.channel.trace(text);
				break;
			case 'debug':
				this.channel.debug(text);
				break;
			case 'info':
				this.channel.info(text);
				break;
			case 'warn':
				this.channel.warn(text);
				break;
			case 'error':
				this.channel.error(text);
				break;
		}
	}
}
