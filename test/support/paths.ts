import * as path from 'node:path';

/** The repository's root folder, for tests that start the CLI, bundle a file or read the schema. */
export const repoRoot = path.resolve(__dirname, '..', '..');
