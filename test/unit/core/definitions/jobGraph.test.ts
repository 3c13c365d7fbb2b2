import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { stronglyConnected } from '../../../../src/core/definitions/jobGraph';
import { testRandom } from '../../../support/random';
import { at, formatted, parse } from './jobsFileHelpers';

/** A file with one job per line (line 2 onwards), each `[id, extra fields]`. */
function jobs(...list: Array<[string, string?]>): string {
	const lines = list.map(([id, extra]) => `  { "id": "${id}", "command": "x"${extra ? `, ${extra}` : ''} }`);
	return `{ "jobs": [\n${lines.join(',\n')}\n] }`;
}

function ids(text: string): string[] {
	return parse(text).config.jobs.map((job) => job.id);
}

test('keeps jobs whose dependencies exist', () => {
	const text = jobs(['build'], ['test', '"dependsOn": ["build"]'], ['deploy', '"dependsOn": ["build", "test"]']);
	const result = parse(text);
	assert.deepEqual(result.diagnostics, []);
	assert.deepEqual(
		result.config.jobs.map((job) => job.dependsOn),
		[undefined, ['build'], ['build', 'test']],
	);
});

test('reports an unknown dependency on the dependent, with a suggestion', () => {
	const text = jobs(['build'], ['lint'], ['test'], ['deploy', '"dependsOn": ["biuld"]']);
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [at(text, '"biuld"', 'jobs[3].dependsOn[0]: unknown job "biuld" (did you mean "build"?)')]);
	assert.equal(result.diagnostics[0].jobId, 'deploy');
	assert.deepEqual(ids(text), ['build', 'lint', 'test']);
});

test('reports an unknown dependency without a suggestion when nothing is close', () => {
	const text = jobs(['build'], ['deploy', '"dependsOn": ["zzzzzz"]']);
	assert.deepEqual(formatted(parse(text).diagnostics), [at(text, '"zzzzzz"', 'jobs[1].dependsOn[0]: unknown job "zzzzzz"')]);
});

test('rejects a job that depends on itself', () => {
	const text = jobs(['a', '"dependsOn": ["a"]']);
	assert.deepEqual(formatted(parse(text).diagnostics), [at(text, '"a"]', 'jobs[0].dependsOn[0]: job "a" depends on itself')]);
	assert.deepEqual(ids(text), []);
});

test('reports a two-job cycle on each job in it', () => {
	const text = jobs(['a', '"dependsOn": ["b"]'], ['b', '"dependsOn": ["a"]'], ['c']);
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [
		at(text, '"b"]', 'jobs[0].dependsOn[0]: dependency cycle a -> b -> a'),
		at(text, '"a"]', 'jobs[1].dependsOn[0]: dependency cycle b -> a -> b'),
	]);
	assert.deepEqual(
		result.diagnostics.map((d) => d.jobId),
		['a', 'b'],
	);
	assert.deepEqual(ids(text), ['c']);
});

test('names a longer cycle at the entry that continues it', () => {
	const text = jobs(['a', '"dependsOn": ["x", "b"]'], ['b', '"dependsOn": ["c"]'], ['c', '"dependsOn": ["a"]'], ['x']);
	assert.deepEqual(formatted(parse(text).diagnostics), [
		at(text, '"b"]', 'jobs[0].dependsOn[1]: dependency cycle a -> b -> c -> a'),
		at(text, '"c"]', 'jobs[1].dependsOn[0]: dependency cycle b -> c -> a -> b'),
		at(text, '"a"]', 'jobs[2].dependsOn[0]: dependency cycle c -> a -> b -> c'),
	]);
	assert.deepEqual(ids(text), ['x']);
});

test('shortens the text of a very long cycle', () => {
	const count = 2000;
	const list: Array<[string, string]> = Array.from({ length: count }, (_, i) => [`j${i}`, `"dependsOn": ["j${(i + 1) % count}"]`]);
	const result = parse(jobs(...list));
	assert.equal(result.config.jobs.length, 0);
	assert.equal(result.diagnostics.length, 1000 + 1);
	assert.equal(result.diagnostics[0].message, 'jobs[0].dependsOn[0]: dependency cycle j0 -> j1 -> j2 -> j3 -> j4 -> ... (1993 more) -> j1998 -> j1999 -> j0');
});

test('leaves out a job that depends on a job left out because of errors', () => {
	const text = jobs(['build', '"timeout": 0'], ['test', '"dependsOn": ["build"]'], ['deploy', '"dependsOn": ["test"]'], ['docs']);
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [
		at(text, '0 }', 'jobs[0].timeout: must be a positive duration such as "30s" or a number of ms, got 0'),
		at(text, '"build"]', 'jobs[1].dependsOn[0]: depends on "build", which is left out because of errors'),
		at(text, '"test"]', 'jobs[2].dependsOn[0]: depends on "test", which is left out because of errors'),
	]);
	assert.deepEqual(ids(text), ['docs']);
});

test('leaves out the dependents of a job with an unknown dependency', () => {
	const text = jobs(['a', '"dependsOn": ["nope"]'], ['b', '"dependsOn": ["a"]']);
	assert.deepEqual(formatted(parse(text).diagnostics), [
		at(text, '"nope"', 'jobs[0].dependsOn[0]: unknown job "nope"'),
		at(text, '"a"]', 'jobs[1].dependsOn[0]: depends on "a", which is left out because of errors'),
	]);
});

test('rejects a repeated dependency and a non-string entry', () => {
	const text = jobs(['build'], ['test', '"dependsOn": ["build", "build", 3]']);
	assert.deepEqual(formatted(parse(text).diagnostics), [
		at(text, '"build"', 'jobs[1].dependsOn[1]: duplicate dependency "build"', { occurrence: 2 }),
		at(text, '3]', 'jobs[1].dependsOn[2]: must be a job id string, got number'),
	]);
});

test('reports a duplicate id at the second job and keeps the first', () => {
	const text = jobs(['build'], ['lint'], ['test'], ['docs'], ['build']);
	const result = parse(text);
	assert.deepEqual(formatted(result.diagnostics), [at(text, '"build"', 'jobs[4].id: duplicate id "build" (first at line 2)', { occurrence: 1 })]);
	assert.equal(result.diagnostics[0].jobId, 'build');
	assert.deepEqual(ids(text), ['build', 'lint', 'test', 'docs']);
});

test('finds strongly connected components without recursion on long chains', () => {
	const chain = Array.from({ length: 20_000 }, (_, i) => (i + 1 < 20_000 ? [{ to: i + 1 }] : []));
	assert.equal(stronglyConnected(chain).length, 20_000);
	const components = stronglyConnected([[{ to: 1 }], [{ to: 2 }], [{ to: 0 }], [{ to: 0 }]]);
	assert.deepEqual(
		components.map((c) => [...c].sort()),
		[[0, 1, 2], [3]],
	);
});

test('parses 10,000 jobs with dependencies quickly', () => {
	const list: Array<[string, string?]> = Array.from({ length: 10_000 }, (_, i) => [`job${i}`, i > 0 ? `"dependsOn": ["job${i - 1}"]` : undefined]);
	const started = performance.now();
	const result = parse(jobs(...list));
	assert.equal(result.config.jobs.length, 10_000);
	assert.ok(performance.now() - started < 3000);
});

test('stronglyConnected groups exactly the nodes that reach each other, on random graphs', (t) => {
	const random = testRandom(t).int;
	for (let round = 0; round < 200; round++) {
		const count = 1 + random(30);
		const edges = Array.from({ length: count }, () => Array.from({ length: random(4) }, () => ({ to: random(count) })));
		const reach = edges.map((_, start) => {
			const seen = new Set([start]);
			const queue = [start];
			for (let head = 0; head < queue.length; head++) {
				for (const { to } of edges[queue[head]]) {
					if (!seen.has(to)) {
						seen.add(to);
						queue.push(to);
					}
				}
			}
			return seen;
		});
		const expected = edges.map((_, v) => edges.map((__, w) => w).filter((w) => reach[v].has(w) && reach[w].has(v)).join(','));
		const components = stronglyConnected(edges);
		assert.equal(components.flat().length, count);
		for (const component of components) {
			const members = [...component].sort((a, b) => a - b).join(',');
			for (const v of component) {
				assert.equal(members, expected[v], `round ${round}, node ${v}`);
			}
		}
	}
});
