/**
 * Reads what the launcher writes on its stdout (the protocol is in `launcher.pl`): ASCII lines
 * of space-separated fields, and after a `D id stream len` line, len raw bytes of a job's
 * output. Pure: it knows nothing of jobs or processes, so framing can be tested on its own.
 *
 * Reads split anywhere, so a line or an output frame may come in pieces over several chunks,
 * and one chunk may hold many messages. A line is read as latin1: a garbled byte cannot throw,
 * and every field the launcher sends is ASCII.
 */

/** The launcher's line that announces `len` bytes of output. */
export const outputFrameType = 'D';

/** Which stream of a job an output frame is from (`1` stdout, `2` stderr). */
export type OutputStreamNumber = 1 | 2;

/** Where `LauncherFrames` delivers what it read. */
export interface LauncherFrameSink {
	/** A line other than an output frame's header: its type and its next three fields. */
	message(type: string, id: string | undefined, a: string | undefined, b: string | undefined): void;
	/** A piece of the output frame of job `id`; a frame may come in several pieces. */
	output(id: string, stream: OutputStreamNumber, data: Buffer): void;
}

/** Splits the launcher's stdout into messages and output frames, across chunk boundaries. */
export class LauncherFrames {
	/** A line's bytes so far, when a chunk ended before its newline. */
	private partial: Buffer | undefined;
	/** The output frame whose bytes are still coming. */
	private frame: { id: string; stream: OutputStreamNumber; remaining: number } | undefined;

	constructor(private readonly sink: LauncherFrameSink) {}

	/** Feeds one chunk as read from the launcher's stdout. */
	push(chunk: Buffer): void {
		let pos = 0;
		while (pos < chunk.length) {
			const frame = this.frame;
			if (frame) {
				const take = Math.min(frame.remaining, chunk.length - pos);
				const piece = chunk.subarray(pos, pos + take);
				pos += take;
				frame.remaining -= take;
				if (frame.remaining === 0) {
					this.frame = undefined;
				}
				// A small piece is copied: kept in a tail, it would pin the whole read buffer.
				this.sink.output(frame.id, frame.stream, take * 4 < chunk.length ? Buffer.from(piece) : piece);
				continue;
			}
			const nl = chunk.indexOf(10, pos);
			if (nl < 0) {
				const rest = chunk.subarray(pos);
				this.partial = this.partial ? Buffer.concat([this.partial, rest]) : Buffer.from(rest);
				return;
			}
			let line: string;
			if (this.partial) {
				line = Buffer.concat([this.partial, chunk.subarray(pos, nl)]).toString('latin1');
				this.partial = undefined;
			} else {
				line = chunk.toString('latin1', pos, nl);
			}
			pos = nl + 1;
			this.onLine(line);
		}
	}

	private onLine(line: string): void {
		const [type, id, a, b] = line.split(' ');
		if (type !== outputFrameType) {
			this.sink.message(type, id, a, b);
			return;
		}
		// A header whose length is not a positive number announces no bytes: nothing to take.
		const remaining = Number(b);
		if (id !== undefined && remaining > 0) {
			this.frame = { id, stream: a === '2' ? 2 : 1, remaining };
		}
	}
}
