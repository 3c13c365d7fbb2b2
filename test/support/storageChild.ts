import * as fs from 'node:fs';
import { HistoryStore } from '../../src/core/records/history';
import { RunJournal } from '../../src/core/records/runJournal';
import { RunnerLease } from '../../src/core/engine/lease';
import type { RunRecord } from '../../src/core/model';
import { writeFileAtomic } from '../../src/core/base/atomicFile';

/**
 * Child process for the crash tests: it writes in a tight loop (or holds a lease) until the test
 * kills it with SIGKILL. Progress goes to stdout with `writeSync`, so every line the parent reads
 * was printed after the write it acknowledges had returned.
 */

const [mode, target, ...rest] = process.argv.slice(2);

function say(line: string): void {
	fs.writeSync(1, line + '\n');
}

function record(child: string, seq: number, pad: string): RunRecord {
	const at = new Date(Date.UTC(2025, 0, 1) + seq * 1000).toISOString();
	return { jobId: child, runId: `${child}-${seq}`, attempt: 1, status: 'completed', exitCode: 0, startedAt: at, endedAt: at, durationMs: 0, trigger: 'manual', message: pad };
}

switch (mode) {
	case 'history': {
		// Appends batches of large records until killed; prints the count of records appended.
		const [child, batchText, padText] = rest;
		const batch = Number(batchText);
		const pad = 'x'.repeat(Number(padText));
		// Announces each write so the parent can aim its SIGKILL at the write itself, where a
		// tear can happen, instead of at the much longer JSON building around it.
		const nodeFs = require('node:fs') as typeof fs;
		const append = nodeFs.appendFileSync;
		nodeFs.appendFileSync = (file: fs.PathOrFileDescriptor, data: string | Uint8Array) => {
			const bytes = typeof data === 'string' ? Buffer.from(data) : data;
			say('writing');
			append(file, bytes);
		};
		const store = new HistoryStore(target);
		for (let seq = 0; ; ) {
			const records: RunRecord[] = [];
			for (let i = 0; i < batch; i++) {
				records.push(record(child, seq++, pad));
			}
			store.append(records);
			say(String(seq));
		}
	}
	case 'atomic': {
		// Rewrites one large state file until killed; prints each sequence number written, and
		// announces each data write so the parent can aim its kill at it.
		const [child, sizeText] = rest;
		const big = 'y'.repeat(Number(sizeText));
		const nodeFs = require('node:fs') as typeof fs;
		const writeFile = nodeFs.writeFileSync;
		nodeFs.writeFileSync = (file: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, options?: fs.WriteFileOptions) => {
			const bytes = typeof data === 'string' ? Buffer.from(data) : data;
			say('writing');
			writeFile(file, bytes, options);
		};
		for (let seq = 1; ; seq++) {
			writeFileAtomic(target, JSON.stringify({ child, seq, big }));
			say(String(seq));
		}
	}
	case 'journal': {
		// Starts three runs, ends one, then waits to be killed.
		const journal = new RunJournal(target);
		const at = new Date().toISOString();
		journal.started(['a', 'b', 'c'].map((id) => ({ jobId: id, runId: `run-${id}`, attempt: 1, startedAt: at, trigger: 'manual' as const })));
		journal.ended([{ runId: 'run-b', attempt: 1 }]);
		say('ready');
		setInterval(() => {}, 60_000);
		break;
	}
	case 'lease': {
		// Takes the lease, then on "block" on stdin keeps its event loop busy for the given ms.
		const lease = new RunnerLease(target, 'child');
		void lease.tryAcquire().then((held) => say(held ? 'held' : 'not-held'));
		process.stdin.setEncoding('utf8');
		process.stdin.on('data', (text: string) => {
			const match = /block (\d+)/.exec(text);
			if (match) {
				say('blocking');
				const end = Date.now() + Number(match[1]);
				while (Date.now() < end) {
					// Busy: no event loop turn, so the lease server cannot accept connections.
				}
				say('unblocked');
			}
		});
		break;
	}
	default:
		throw new Error(`unknown mode ${mode}`);
}
