/**
 * `node --import tsx test/support/validateExportDir.ts TARGET DIR [SAME_AS]`: runs the target's
 * own validator (exportValidators.ts) on every file under DIR and, given SAME_AS, checks that
 * DIR holds exactly SAME_AS's files with the same text; prints each problem and exits 1 if there
 * is one. For tests outside tsx, such as the UI test of "Export Jobs…" (test/ui/).
 */
import type { ExportTarget } from '../../src/core/export/exportPlan';
import { exportProblems, readExportDir } from './exportValidators';

async function main(): Promise<number> {
	const [target, dir, sameAs] = process.argv.slice(2);
	if (!target || !dir) {
		console.error('usage: validateExportDir.ts TARGET DIR [SAME_AS]');
		return 2;
	}
	const files = readExportDir(dir);
	const problems = await exportProblems(target as ExportTarget, files);
	if (sameAs) {
		const expected = new Map(readExportDir(sameAs).map((f) => [f.path, f.content]));
		for (const f of files) {
			if (!expected.has(f.path)) {
				problems.push(`${f.path}: not in ${sameAs}`);
			} else if (expected.get(f.path) !== f.content) {
				problems.push(`${f.path}: differs from ${sameAs}`);
			}
			expected.delete(f.path);
		}
		problems.push(...[...expected.keys()].map((p) => `${p}: missing (it is in ${sameAs})`));
	}
	for (const problem of problems) {
		console.log(problem);
	}
	return problems.length ? 1 : 0;
}

main().then((code) => (process.exitCode = code), (error) => {
	console.error(error);
	process.exitCode = 2;
});
