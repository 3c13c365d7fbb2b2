import { createHash } from 'node:crypto';
import type * as net from 'node:net';
import * as os from 'node:os';
import { type LeaseEndpoint, listenOn } from './leaseEndpoint';

/**
 * Windows: a named pipe, freed by the system with its process like a socket, so there is nothing
 * stale to clean up. The name is per user (and per key), so two users on one machine do not share
 * a lease by accident.
 *
 * Not tested here (these machines run Linux), and weaker than the socket files of POSIX: Node
 * cannot read a pipe server's owner (that takes GetNamedPipeServerProcessId and the process
 * token), and pipe names can be listed by every user, so another user who creates this name first
 * would still make our runner passive. libuv creates the first instance with
 * FILE_FLAG_FIRST_PIPE_INSTANCE and the default security descriptor (full control for the
 * creator, SYSTEM and Administrators).
 */
export class NamedPipeEndpoint implements LeaseEndpoint {
	readonly address: string;

	constructor(key: string) {
		this.address = namedPipeName(key);
	}

	async claim(createServer: () => net.Server): Promise<net.Server | undefined> {
		const server = createServer();
		const code = await listenOn(server, this.address);
		if (code) {
			server.close();
			return undefined;
		}
		return server;
	}

	holderAddress(): string {
		return this.address;
	}

	/** A listening pipe cannot be taken from a live process. */
	stillOurs(): boolean {
		return true;
	}

	forget(): void {}

	release(): void {}

	dispose(): void {}
}

function namedPipeName(key: string): string {
	let user: string;
	try {
		user = os.userInfo().username;
	} catch {
		user = process.env.USERNAME ?? '';
	}
	const hash = createHash('sha256').update(`${process.env.USERDOMAIN ?? ''}\\${user}\0${key}`).digest('hex').slice(0, 24);
	return `\\\\.\\pipe\\workspace-jobs-${hash}`;
}
