import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePsTable, psArguments, readPsTable } from '../../../../src/core/process/psTable';
import { procHidden } from '../../../support/processes';

test('parses procps and BSD rows: pids, group, state letter, start time, rest as printed', () => {
	const text = [
		'    1     0     1 Ss   Mon Dec  1 23:15:55 2026 /sbin/launchd',
		'  812     1   812 S    Tue Jan  2 10:00:00 2024 /bin/sh -c trap \'\' HUP;  echo  two  spaces',
		'  813   812   812 Z+   Tue Jan  2 10:00:01 2024 (sleep)',
		'',
	].join('\n');
	assert.deepEqual(parsePsTable(text), [
		{ pid: 1, ppid: 0, pgid: 1, state: 'Ss', started: 'Mon Dec 1 23:15:55 2026', rest: '/sbin/launchd' },
		{ pid: 812, ppid: 1, pgid: 812, state: 'S', started: 'Tue Jan 2 10:00:00 2024', rest: "/bin/sh -c trap '' HUP;  echo  two  spaces" },
		{ pid: 813, ppid: 812, pgid: 812, state: 'Z+', started: 'Tue Jan 2 10:00:01 2024', rest: '(sleep)' },
	]);
});

test('skips a header, garbage, truncated and non-numeric lines instead of failing', () => {
	const text = ['  PID  PPID  PGID STAT STARTED', 'Error, do this: mount -t proc proc /proc', '  12    1   12 S  Tue Jan', ' x1  1 1 S Tue Jan  2 10:00:00 2024', '  -5  1 1 S Tue Jan  2 10:00:00 2024', '  7  1 7 S Tue Jan  2 10:00:00 2024'].join('\n');
	assert.deepEqual(
		parsePsTable(text).map((row) => row.pid),
		[7],
	);
});

test('asks for one -o per keyword with an empty header, every process, unlimited width', () => {
	assert.deepEqual(psArguments(['command'], ['-E']), ['-A', '-ww', '-E', '-o', 'pid=', '-o', 'ppid=', '-o', 'pgid=', '-o', 'state=', '-o', 'lstart=', '-o', 'command=']);
});

test('reads the real table with this machine\'s ps, this process included (blind without /proc)', async () => {
	const rows = await readPsTable(['command']);
	if (procHidden) {
		// procps reads /proc: with it hidden ps sees nothing, which counts as no ps.
		assert.equal(rows, undefined);
		return;
	}
	assert.ok(rows, 'ps gave no table');
	const self = rows.find((row) => row.pid === process.pid);
	assert.ok(self, 'this process is not in the table');
	assert.equal(self.ppid, process.ppid);
	assert.match(self.rest, /node/);
});
