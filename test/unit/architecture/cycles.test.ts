import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { findCycles } from '../../support/importCycles';
import { repoRoot } from '../../support/paths';

test('src/ has no import cycle, type-only imports included', async () => {
	const cycles = await findCycles(['src/**/*.ts'], repoRoot);
	assert.deepEqual(
		cycles.map((c) => c.join(' -> ')),
		[],
	);
});

test('a cycle made only of a type import is found', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-cycles-'));
	try {
		fs.writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b';\nexport interface A { b?: B }\n");
		fs.writeFileSync(path.join(dir, 'b.ts'), "import type { A } from './a';\nexport interface B { a?: A }\n");
		fs.writeFileSync(path.join(dir, 'c.ts'), "import type { A } from './a';\nexport type C = A;\n");
		const cycles = await findCycles(['*.ts'], dir);
		assert.deepEqual(cycles.map((c) => c.map((f) => path.basename(f)).sort()), [['a.ts', 'b.ts']]);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
