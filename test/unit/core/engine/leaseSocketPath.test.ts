import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { SocketFileEndpoint } from '../../../../src/core/engine/leaseSocketFile';

/**
 * macOS binds a Unix socket path of at most 103 bytes (`sun_path` is 104 with its terminator;
 * Linux allows 107): a lease under a long home folder must fall back to a shorter folder, never
 * fail to bind or crash. Every path the endpoint binds is checked against macOS's limit here.
 */

const macLimit = 103;
const made: string[] = [];
const savedTmp = process.env.TMPDIR;

afterEach(() => {
	process.env.TMPDIR = savedTmp;
	if (savedTmp === undefined) {
		delete process.env.TMPDIR;
	}
	for (const folder of made.splice(0)) {
		fs.rmSync(folder, { recursive: true, force: true });
	}
});

/** A real, private folder whose path is `length` bytes long. */
function longFolder(length: number): string {
	const base = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-long-'));
	made.push(base);
	const folder = `${base}/${'h'.repeat(Math.max(1, length - base.length - 1))}`;
	fs.mkdirSync(folder, { mode: 0o700 });
	return folder;
}

async function claimAndCheck(endpoint: SocketFileEndpoint): Promise<string> {
	const server = await endpoint.claim(() => net.createServer());
	try {
		assert.ok(server, `no lease at ${endpoint.address}`);
		assert.ok(Buffer.byteLength(endpoint.address) <= macLimit, `${endpoint.address} is ${Buffer.byteLength(endpoint.address)} bytes`);
		assert.ok(fs.lstatSync(endpoint.address).isSocket());
		return endpoint.address;
	} finally {
		endpoint.release();
		server?.close();
		endpoint.dispose();
	}
}

test('a state folder too long for a socket path falls back to the per-user folder in the temp folder', async () => {
	const warnings: string[] = [];
	const home = longFolder(120);
	const address = await claimAndCheck(new SocketFileEndpoint(`key-${process.pid}-a`, path.join(home, 'leases'), (m) => warnings.push(m)));
	assert.equal(path.dirname(address), path.join(os.tmpdir(), `workspace-jobs-${process.geteuid!()}`));
});

test('a state folder that just fits is used as it is', async () => {
	// The longest entry is `<16 hex>.<6 hex>.new` (27 bytes) after a slash: 103 bytes in all.
	const folder = longFolder(macLimit - 28);
	const address = await claimAndCheck(new SocketFileEndpoint(`key-${process.pid}-b`, folder, () => undefined));
	assert.equal(path.dirname(address), folder);
});

test('when the temp folder is too long as well, a fresh private folder under /tmp holds the lease, with a warning', async () => {
	const warnings: string[] = [];
	process.env.TMPDIR = longFolder(110);
	const address = await claimAndCheck(new SocketFileEndpoint(`key-${process.pid}-c`, path.join(longFolder(120), 'leases'), (m) => warnings.push(m)));
	assert.match(path.dirname(address), /^\/tmp\/workspace-jobs-lease-/);
	assert.ok(warnings.some((m) => /no shared private folder/.test(m)), warnings.join('\n'));
});
