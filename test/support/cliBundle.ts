// The CLI as users run it: src/cli/main.ts bundled once per test file (the launcher's Perl as
// text, as esbuild.mjs bundles it), removed after the file's tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { buildSync } from 'esbuild';
import { repoRoot } from './paths';

/** The path the bundle will have; it is built in a `before` hook and deleted in an `after` hook. */
export function bundledCli(name: string): string {
	const cli = path.join(os.tmpdir(), `wj-${name}-${process.pid}.js`);
	before(() => {
		buildSync({ entryPoints: [path.join(repoRoot, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], loader: { '.pl': 'text' }, outfile: cli, logLevel: 'error' });
	});
	after(() => fs.rmSync(cli, { force: true }));
	return cli;
}
