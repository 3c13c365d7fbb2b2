import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { ManualClock } from '../../../../src/core/base/clock';
import { JobsSource, type JobsSourceState, reloadDebounceMs } from '../../../../src/core/definitions/jobsSource';
import { pollFor, sleep } from '../../../support/wait';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-jobs-source-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** A fresh folder with a jobs file path in it (the file is not written). */
function jobsFile(): string {
	return path.join(fs.mkdtempSync(path.join(root, 'ws-')), '.jobs.json');
}

const good = (...ids: string[]) => JSON.stringify({ jobs: ids.map((id) => ({ id, command: `echo ${id}` })) });
/** Job `bad` has an error (no command); the other ids are valid. */
const withBadJob = (...ids: string[]) => JSON.stringify({ jobs: [...ids.map((id) => ({ id, command: `echo ${id}` })), { id: 'bad' }] });
const ids = (state: JobsSourceState) => state.config.jobs.map((job) => job.id);
const errors = (state: JobsSourceState) => state.diagnostics.filter((d) => d.severity === 'error').length;

function sourceWith(text: string | undefined, clock = new ManualClock(0)): { file: string; source: JobsSource; clock: ManualClock } {
	const file = jobsFile();
	if (text !== undefined) {
		fs.writeFileSync(file, text);
	}
	return { file, source: new JobsSource(file, { clock }), clock };
}

test('a first read with errors runs the valid jobs and leaves out the broken one', () => {
	const { source } = sourceWith(withBadJob('a', 'b'));
	const state = source.reload();
	assert.deepEqual(ids(state), ['a', 'b']);
	assert.equal(state.exists, true);
	assert.equal(state.broken, true);
	assert.equal(state.keptLastGood, false);
	assert.equal(errors(state), 1);
});

test('a save with a broken job after a good read keeps the last good definitions and shows the new problems', () => {
	const { file, source } = sourceWith(good('a', 'b'));
	const first = source.reload();
	fs.writeFileSync(file, withBadJob('a', 'b', 'c'));
	const state = source.reload();
	assert.equal(state.config, first.config, 'the very definitions loaded before, so the host need not load again');
	assert.deepEqual(ids(state), ['a', 'b']);
	assert.equal(state.keptLastGood, true);
	assert.equal(state.broken, true);
	assert.match(state.diagnostics[0].message, /jobs\[3\].*missing required field "command"/);
});

test('a save that breaks the whole file (a syntax error) keeps the last good definitions', () => {
	const { file, source } = sourceWith(good('a'));
	source.reload();
	fs.writeFileSync(file, '{ "jobs": [ { "id": "a", "command": ');
	const state = source.reload();
	assert.deepEqual(ids(state), ['a']);
	assert.equal(state.keptLastGood, true);
});

test('an error that leaves out no job (a bad concurrency) also keeps the last good definitions', () => {
	const { file, source } = sourceWith(JSON.stringify({ concurrency: 2, jobs: [{ id: 'a', command: 'x' }] }));
	source.reload();
	fs.writeFileSync(file, JSON.stringify({ concurrency: 0, jobs: [{ id: 'a', command: 'x' }, { id: 'b', command: 'y' }] }));
	const state = source.reload();
	assert.equal(state.config.concurrency, 2);
	assert.deepEqual(ids(state), ['a']);
	assert.equal(state.keptLastGood, true);
});

test('warnings alone load the file as read', () => {
	const { file, source } = sourceWith(good('a'));
	source.reload();
	fs.writeFileSync(file, JSON.stringify({ jobs: [{ id: 'b', command: 'x', retry: { retries: 1, delay: '1m', maxDelay: '1s' } }] }));
	const state = source.reload();
	assert.deepEqual(ids(state), ['b']);
	assert.equal(state.diagnostics[0].severity, 'warning');
	assert.equal(state.broken, false);
	assert.equal(state.keptLastGood, false);
});

test('the save that fixes the errors loads the file', () => {
	const { file, source } = sourceWith(good('a'));
	source.reload();
	fs.writeFileSync(file, withBadJob('a', 'b'));
	assert.equal(source.reload().keptLastGood, true);
	fs.writeFileSync(file, good('a', 'b', 'c'));
	const state = source.reload();
	assert.deepEqual(ids(state), ['a', 'b', 'c']);
	assert.deepEqual(state.diagnostics, []);
	assert.equal(state.keptLastGood, false);
});

test('after a first read with errors, a later broken save keeps what that read loaded', () => {
	const { file, source } = sourceWith(withBadJob('a'));
	source.reload();
	fs.writeFileSync(file, withBadJob('a', 'b'));
	const state = source.reload();
	assert.deepEqual(ids(state), ['a']);
	assert.equal(state.keptLastGood, true);
});

test('a deleted file has no jobs and no problems, and the file that comes back is read as a first read', () => {
	const { file, source } = sourceWith(good('a'));
	source.reload();
	fs.rmSync(file);
	const gone = source.reload();
	assert.deepEqual(gone, { exists: false, config: { jobs: [] }, diagnostics: [], broken: false, keptLastGood: false });
	fs.writeFileSync(file, withBadJob('b'));
	const back = source.reload();
	assert.deepEqual(ids(back), ['b'], 'the valid job of the new file runs; nothing earlier is kept');
	assert.equal(back.keptLastGood, false);
});

test('a folder at the path counts as no file', () => {
	const { file, source } = sourceWith(undefined);
	fs.mkdirSync(file);
	assert.equal(source.reload().exists, false);
});

test('reloadSoon reads once, a debounce after the last call', () => {
	const { file, source, clock } = sourceWith(good('a'));
	const seen: string[][] = [];
	source.onDidChange((state) => seen.push(ids(state)));
	source.reloadSoon();
	clock.advance(reloadDebounceMs - 1);
	fs.writeFileSync(file, good('a', 'b'));
	source.reloadSoon();
	clock.advance(reloadDebounceMs - 1);
	assert.deepEqual(seen, []);
	clock.advance(1);
	assert.deepEqual(seen, [['a', 'b']]);
	assert.equal(clock.pendingTimers, 0);
});

test('reload cancels a pending read, and dispose cancels it too', () => {
	const { source, clock } = sourceWith(good('a'));
	let reads = 0;
	source.onDidChange(() => reads++);
	source.reloadSoon();
	source.reload();
	clock.advance(reloadDebounceMs);
	assert.equal(reads, 1);
	source.reloadSoon();
	source.dispose();
	clock.advance(reloadDebounceMs);
	assert.equal(reads, 1);
	assert.equal(clock.pendingTimers, 0);
});

test('watching sees writes, saves by rename, deletion and re-creation, and ignores other files', async () => {
	const file = jobsFile();
	const source = new JobsSource(file, { debounceMs: 10 });
	try {
		const states: JobsSourceState[] = [];
		source.onDidChange((state) => states.push(state));
		source.watch();
		const next = async (what: string, check: (state: JobsSourceState) => boolean) => {
			const found = await pollFor(() => states.find(check), 5000);
			assert.ok(found, `${what}: ${JSON.stringify(states.map(ids))}`);
			states.length = 0;
		};
		fs.writeFileSync(file, good('a'));
		await next('created', (s) => ids(s).join() === 'a');
		const temp = path.join(path.dirname(file), '.jobs.json.tmp');
		fs.writeFileSync(temp, good('a', 'b'));
		fs.renameSync(temp, file);
		await next('saved by rename', (s) => ids(s).join() === 'a,b');
		fs.rmSync(file);
		await next('deleted', (s) => !s.exists);
		fs.writeFileSync(file, good('c'));
		await next('created again', (s) => ids(s).join() === 'c');
		fs.writeFileSync(path.join(path.dirname(file), 'other.txt'), 'x');
		await sleep(100);
		assert.deepEqual(states, [], 'a write to another file of the folder reads nothing');
	} finally {
		source.dispose();
	}
});
