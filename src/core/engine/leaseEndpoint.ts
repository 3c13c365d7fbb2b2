import type * as net from 'node:net';

/**
 * Where a runner lease listens, one implementation per platform behind this interface, chosen
 * once in lease.ts. The lease itself (lease.ts) only listens, answers and asks.
 */
export interface LeaseEndpoint {
	/** The socket file or pipe name this lease uses now (for messages and tests). */
	readonly address: string;
	/**
	 * Makes a server from `createServer` listen as the holder and resolves with it, or with
	 * undefined when a live holder of this user already has the address (or it cannot be had now).
	 */
	claim(createServer: () => net.Server): Promise<net.Server | undefined>;
	/** The address to ask the holder at, or undefined when nothing trustworthy is there. */
	holderAddress(): string | undefined;
	/** True while the address still leads to the server `claim` resolved with. */
	stillOurs(): boolean;
	/** Forgets a claim that was lost (the server is closed by the caller): takes nothing down. */
	forget(): void;
	/** Takes a held address down, if still ours, before the caller closes the server. */
	release(): void;
	/** Releases and removes what the endpoint created for itself alone. */
	dispose(): void;
}

/** Makes `server` listen on a socket path or pipe name; resolves with the error code, or undefined once listening. */
export function listenOn(server: net.Server, address: string): Promise<string | undefined> {
	return new Promise((resolve) => {
		const onError = (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err));
		server.once('error', onError);
		server.listen(address, () => {
			server.off('error', onError);
			resolve(undefined);
		});
	});
}
