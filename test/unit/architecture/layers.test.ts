import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { repoRoot } from '../../support/paths';

/**
 * The layer rules of ARCHITECTURE.md, as `npm run lint` applies them: each case lints one import
 * placed at a path in src/ and expects the rule to fire (or not).
 */
const eslint = new ESLint({ cwd: repoRoot });

async function problems(file: string, code: string): Promise<string[]> {
	const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
	return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const cases: Array<{ file: string; code: string; rule?: string }> = [
	{ file: 'src/core/records/x.ts', code: "import { Dispatcher } from '../dispatch/dispatcher';\nexport const x = Dispatcher;\n", rule: 'import-x/no-restricted-paths' },
	{ file: 'src/core/process/x.ts', code: "import { Engine } from '../engine/engine';\nexport const x = Engine;\n", rule: 'import-x/no-restricted-paths' },
	{ file: 'src/core/cron/x.ts', code: "import { readJobsFile } from '../definitions/jobsFile';\nexport const x = readJobsFile;\n", rule: 'import-x/no-restricted-paths' },
	{ file: 'src/core/base/x.ts', code: "import type { RunRecord } from '../model';\nexport type X = RunRecord;\n", rule: 'import-x/no-restricted-paths' },
	{ file: 'src/core/x.ts', code: "import { activate } from '../extension';\nexport const x = activate;\n", rule: 'import-x/no-restricted-paths' },
	{ file: 'src/core/dispatch/x.ts', code: "import type { ExtensionContext } from 'vscode';\nexport type X = ExtensionContext;\n", rule: '@typescript-eslint/no-restricted-imports' },
	{ file: 'src/cli/x.ts', code: "import * as vscode from 'vscode';\nexport const x = vscode;\n", rule: '@typescript-eslint/no-restricted-imports' },
	{ file: 'src/webview/x.ts', code: "import * as vscode from 'vscode';\nexport const x = vscode;\n", rule: '@typescript-eslint/no-restricted-imports' },
	// Allowed: a stage imports a later stage, base/, model.ts and cron/.
	{ file: 'src/core/dispatch/x.ts', code: "import { buildRecord } from '../records/runRecord';\nimport { fireTimes } from '../cron/fireTimes';\nexport const x = [buildRecord, fireTimes];\n" },
	{ file: 'src/core/engine/x.ts', code: "import { Dispatcher } from '../dispatch/dispatcher';\nexport const x = Dispatcher;\n" },
];

for (const c of cases) {
	test(`${c.rule ? 'rejects' : 'allows'}: ${c.file} ${c.code.split('\n')[0]}`, async () => {
		const found = await problems(c.file, c.code);
		if (c.rule) {
			assert.ok(
				found.some((p) => p.startsWith(`${c.rule}:`)),
				`expected ${c.rule}, got ${found.join('; ') || 'nothing'}`,
			);
		} else {
			assert.deepEqual(found, []);
		}
	});
}
