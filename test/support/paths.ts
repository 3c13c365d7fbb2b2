import * as path from 'node:path';

/** The repository's root folder, for tests that start the CLI, bundle a file or read the schema. */
export const repoRoot = path.resolve(__dirname, '..', '..');

/**
 * Node flags that run TypeScript sources the way the unit tests run (test/harness/runUnitTests.mjs):
 * tsx, and the text imports esbuild's loader gives the bundles (`.pl`).
 */
export const tsxFlags = ['--import', 'tsx', '--import', path.join(repoRoot, 'test', 'harness', 'textImports.mjs')];
