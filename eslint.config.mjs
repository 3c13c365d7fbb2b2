// Lint: the layer rules of ARCHITECTURE.md, the vscode boundary, and a few correctness rules.
// `npm run lint` runs it and then test/support/importCycles.ts (cycles, type-only imports
// included, which import-x/no-cycle skips); `npm test` starts with both.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** The engine's stages in data-path order: each may import only the stages after it. */
const stages = ['definitions', 'export', 'schedule', 'dispatch', 'process', 'records'];
const core = './src/core';

/** `from` folders a stage may not import: every earlier stage, and the engine that wires them. */
function stageZones() {
	return stages.map((stage, i) => ({
		target: `${core}/${stage}`,
		from: [...stages.slice(0, i).map((s) => `${core}/${s}`), `${core}/engine`],
		message: `${stage}/ may import base/, model.ts, cron/ and the stages after it (${stages.slice(i + 1).join(', ') || 'none'}), never an earlier stage or engine/.`,
	}));
}

const noVscode = {
	paths: [{ name: 'vscode', message: 'core/, cli/ and webview/ run without VS Code: take what you need as a parameter.' }],
};

export default tseslint.config(
	{ ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'bench/results*.json'] },
	{
		files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
		languageOptions: { parser: tseslint.parser },
		plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
		settings: {
			'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['./tsconfig.json', './src/webview/tsconfig.json'], noWarnOnMultipleProjects: true })],
		},
		rules: {
			curly: 'error',
			eqeqeq: ['error', 'always', { null: 'ignore' }],
		},
	},
	{
		files: ['src/**/*.ts'],
		rules: {
			'import-x/no-restricted-paths': [
				'error',
				{
					zones: [
						{ target: `${core}/base`, from: core, except: ['./base'], message: 'base/ is the bottom layer: it imports nothing else of core/.' },
						{ target: `${core}/model.ts`, from: core, except: ['./base', './model.ts'], message: 'model.ts is the contract: it imports only base/.' },
						{
							target: `${core}/cron`,
							from: [...stages.map((s) => `${core}/${s}`), `${core}/engine`],
							message: 'cron/ is calendar math for every stage: it imports only base/ and model.ts.',
						},
						...stageZones(),
						{ target: core, from: ['./src/extension', './src/cli', './src/webview', './src/extension.ts'], message: 'core/ knows no host.' },
						{ target: './src/webview', from: ['./src/extension', './src/cli', './src/extension.ts'], message: 'The webview runs in a browser; it shares only protocol types.' },
					],
				},
			],
		},
	},
	{
		files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/webview/**/*.ts'],
		rules: {
			'@typescript-eslint/no-restricted-imports': ['error', noVscode],
		},
	},
);
