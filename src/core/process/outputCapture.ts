import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ensurePrivateFolder, privateFileMode, tightenOpenFile } from '../base/privateFiles';

export type OutputStream = 'stdout' | 'stderr';

/**
 * Collects a run's output without holding it: every chunk is appended to the log file as it
 * comes, only the last `tailBytes` stay in memory, and the live callback gets decoded text.
 * A job printing 100 MB must not cost 100 MB: when the log file cannot keep up, the child's
 * pipes are paused, so the job blocks on a full pipe instead of the host buffering for it.
 */
export class OutputCapture {
	/** Total bytes read from both streams. */
	bytes = 0;
	/** Why the log file is incomplete: it could not be opened, or a write failed (a full disk). */
	logError: NodeJS.ErrnoException | undefined;
	private readonly chunks: Buffer[] = [];
	private chunkBytes = 0;
	private readonly decoders = new Map<OutputStream, StringDecoder>();
	private readonly sources: Readable[] = [];
	private log: fs.WriteStream | undefined;
	private logClosed: Promise<void> = Promise.resolve();
	private waitingForDrain = false;
	/** When output last arrived or a paused log drained (`streamsEnded` waits while there is progress). */
	private lastProgress = 0;

	constructor(
		private readonly tailBytes: number,
		logFile: string | undefined,
		private readonly onOutput: ((stream: OutputStream, text: string) => void) | undefined,
	) {
		if (logFile) {
			this.openLog(logFile);
		}
	}

	/** Starts reading one of the child's streams. */
	attach(source: Readable, stream: OutputStream): void {
		this.sources.push(source);
		if (this.onOutput) {
			this.decoders.set(stream, new StringDecoder('utf8'));
		}
		source.on('data', (chunk: Buffer) => this.take(stream, chunk));
		source.on('error', () => undefined);
	}

	/**
	 * Waits until both streams have ended. Output still on its way (a full pipe, a relay that
	 * is behind, a log file the streams are paused for) is waited out however long it takes, so
	 * nothing a finished job printed is lost; only `quietMs` without any progress, or `maxMs` in
	 * all, ends the wait early, since a process that escaped the tree can hold the streams open.
	 */
	streamsEnded(quietMs: number, maxMs: number): Promise<void> {
		const ends = this.sources.map((s) =>
			s.readableEnded || s.destroyed ? Promise.resolve() : new Promise<void>((resolve) => {
				s.once('end', resolve);
				s.once('close', resolve);
			}),
		);
		let timer: NodeJS.Timeout | undefined;
		const deadline = Date.now() + maxMs;
		const bound = new Promise<void>((resolve) => {
			const check = () => {
				const now = Date.now();
				const quietUntil = this.waitingForDrain ? now + quietMs : this.lastProgress + quietMs;
				if (now >= deadline || now >= quietUntil) {
					resolve();
					return;
				}
				timer = setTimeout(check, Math.min(quietUntil, deadline) - now);
			};
			this.lastProgress = Date.now();
			check();
		});
		return Promise.race([Promise.all(ends).then(() => undefined), bound]).finally(() => clearTimeout(timer));
	}

	/** Stops reading, flushes partial characters to the callback and closes the log file. */
	async finish(): Promise<void> {
		for (const source of this.sources) {
			source.destroy();
		}
		for (const [stream, decoder] of this.decoders) {
			this.emit(stream, decoder.end());
		}
		this.log?.end();
		await this.logClosed;
	}

	/** The last `tailBytes` of output, starting at a character boundary. */
	tail(): string {
		let buffer = Buffer.concat(this.chunks, this.chunkBytes);
		if (buffer.length > this.tailBytes) {
			buffer = buffer.subarray(buffer.length - this.tailBytes);
		}
		let start = 0;
		// A cut may fall inside a UTF-8 sequence: skip its continuation bytes (10xxxxxx).
		while (start < Math.min(3, buffer.length) && (buffer[start] & 0xc0) === 0x80) {
			start++;
		}
		return buffer.subarray(start).toString('utf8');
	}

	private take(stream: OutputStream, chunk: Buffer): void {
		this.bytes += chunk.length;
		this.lastProgress = Date.now();
		this.keepTail(chunk);
		if (this.log && !this.log.write(chunk) && !this.waitingForDrain) {
			this.waitingForDrain = true;
			for (const source of this.sources) {
				source.pause();
			}
			this.log.once('drain', () => this.resume());
		}
		const decoder = this.decoders.get(stream);
		if (decoder) {
			this.emit(stream, decoder.write(chunk));
		}
	}

	private resume(): void {
		this.waitingForDrain = false;
		this.lastProgress = Date.now();
		for (const source of this.sources) {
			source.resume();
		}
	}

	private keepTail(chunk: Buffer): void {
		if (this.tailBytes <= 0) {
			return;
		}
		this.chunks.push(chunk);
		this.chunkBytes += chunk.length;
		while (this.chunks.length > 1 && this.chunkBytes - this.chunks[0].length >= this.tailBytes) {
			this.chunkBytes -= (this.chunks.shift() as Buffer).length;
		}
		if (this.chunks.length === 1 && chunk.length > this.tailBytes) {
			// Copy, so one huge chunk does not pin its whole read buffer.
			this.chunks[0] = Buffer.from(chunk.subarray(chunk.length - this.tailBytes));
			this.chunkBytes = this.tailBytes;
		}
	}

	private emit(stream: OutputStream, text: string): void {
		if (!text || !this.onOutput) {
			return;
		}
		try {
			this.onOutput(stream, text);
		} catch {
			// A listener's bug must not break the run or its cleanup.
		}
	}

	/**
	 * Opens the log for appending, private (0600 in a 0700 folder) whatever the umask: it holds
	 * whatever the job prints. A log that cannot be written (no space, no permission) is dropped
	 * without failing the run, and `logError` says why: the output still reaches the tail and the
	 * callback.
	 */
	private openLog(logFile: string): void {
		try {
			ensurePrivateFolder(path.dirname(logFile));
		} catch (err) {
			// No folder, no log (a read-only or full disk): say why, not that the file is missing.
			this.logError = err as NodeJS.ErrnoException;
			return;
		}
		// Opened off the event loop: the log may be a FIFO whose reader comes late.
		const log = fs.createWriteStream(logFile, { flags: 'a', mode: privateFileMode });
		this.log = log;
		this.logClosed = new Promise<void>((resolve) => {
			log.once('open', (fd: number) => {
				try {
					tightenOpenFile(fd);
				} catch {
					// fstat of an open file does not fail; a chmod refused leaves the umask's mode.
				}
			});
			log.once('close', resolve);
			log.once('error', (err: NodeJS.ErrnoException) => {
				this.logError ??= err;
				if (this.log === log) {
					this.log = undefined;
				}
				if (this.waitingForDrain) {
					this.resume();
				}
				resolve();
			});
		});
	}
}
