import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { RunnerLease } from '../../src/core/engine/lease';

/**
 * Another user's process for the lease tests (the test starts it as `nobody`): it tries every way
 * it has to take the runner lease of `key` before the real runner does, prints what it got, and
 * then stays until it is killed.
 *
 * Usage: leaseIntruder KEY [FOLDER]...
 * - binds the abstract socket name that versions before the socket files used;
 * - for each FOLDER, takes the lease with the real `RunnerLease` in that folder (creating the
 *   folder when its parent lets it), as a second user of a shared state folder would.
 * Prints `abstract held|<code>`, then `held|not-held <address>` per folder, then `ready <uid>`.
 */

const [key, ...folders] = process.argv.slice(2);

function say(line: string): void {
	fs.writeSync(1, line + '\n');
}

function listen(address: string): Promise<string> {
	return new Promise((resolve) => {
		const server = net.createServer((socket) => socket.end(JSON.stringify({ pid: 1, since: new Date().toISOString(), holder: 'intruder' }) + '\n'));
		server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
		server.listen(address, () => resolve('held'));
	});
}

async function main(): Promise<void> {
	const legacyName = `\0workspace-jobs-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
	say(`abstract ${await listen(legacyName)}`);
	for (const folder of folders) {
		const lease = new RunnerLease(key, 'intruder', { folder });
		const held = await lease.tryAcquire();
		say(`${held ? 'held' : 'not-held'} ${lease.address}`);
	}
	say(`ready ${process.geteuid?.()}`);
	setInterval(() => {}, 60_000);
}

void main();
