/**
 * The CLI's terminal plumbing: a closed pipe ends the process quietly, colour only where a
 * person is reading, and aligned tables. Data goes to stdout, the log and warnings to stderr.
 */

/**
 * Exits quietly when stdout or stderr is closed under us (`workspace-jobs history --json | head -1`).
 * Node ignores SIGPIPE, so the write fails with EPIPE and an unhandled stream 'error' would print
 * a stack and exit 1. The exit status is 0, not 141 (128 + SIGPIPE): the reader took what it
 * wanted, and with `set -o pipefail` a `| head` pipeline must not fail because of it.
 * `beforeExit` runs once first (the CLI kills the job process groups it started). Other stream
 * errors are rethrown as before. Call once, at start-up.
 */
export function exitOnClosedPipe(beforeExit: () => Promise<void> = async () => undefined): void {
	let closing = false;
	const onError = (err: NodeJS.ErrnoException) => {
		if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') {
			throw err;
		}
		if (closing) {
			return;
		}
		closing = true;
		void beforeExit()
			.catch(() => undefined)
			.finally(() => process.exit(0));
	};
	process.stdout.on('error', onError);
	process.stderr.on('error', onError);
}

/**
 * Whether to colour what goes to a stream. Follows Node's own order (`tty.WriteStream.hasColors`):
 * `FORCE_COLOR` decides when set (`0` or `false` turns colour off, anything else on, piped or
 * not), then a non-empty `NO_COLOR` (no-color.org) or `TERM=dumb` turns it off, and otherwise
 * only a terminal gets colour, never a pipe or a file.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
	const force = env.FORCE_COLOR;
	if (force !== undefined) {
		return force !== '0' && force.toLowerCase() !== 'false';
	}
	if (env.NO_COLOR) {
		return false;
	}
	return stream.isTTY === true && env.TERM !== 'dumb';
}

/** SGR styles; each is the identity when colour is off. */
export interface Palette {
	red(text: string): string;
	green(text: string): string;
	yellow(text: string): string;
	dim(text: string): string;
	bold(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

/** The palette for a stream, decided once per stream by `colorEnabled`. */
export function paletteFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Palette {
	if (!colorEnabled(stream, env)) {
		return { red: plain, green: plain, yellow: plain, dim: plain, bold: plain };
	}
	return { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

/**
 * Aligned columns on stdout, two spaces apart; a missing cell prints as `-`. `style` colours a
 * cell after it is padded, so escape codes never count towards a column's width.
 */
export function printTable(header: string[], rows: Array<Array<string | undefined>>, style: (cell: string, column: number) => string = plain): void {
	const cells = [header, ...rows.map((row) => header.map((_, i) => String(row[i] ?? '-')))];
	// A loop, not Math.max(...): `--limit 1000000` rows overflow the argument list.
	const widths = header.map((_, i) => cells.reduce((width, row) => Math.max(width, row[i].length), 0));
	cells.forEach((row, r) => {
		const line = row.map((cell, i) => {
			const padded = i === row.length - 1 ? cell : cell.padEnd(widths[i]);
			return r === 0 ? padded : style(padded, i);
		});
		process.stdout.write(`${line.join('  ')}\n`);
	});
}
