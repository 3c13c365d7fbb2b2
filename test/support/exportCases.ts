/**
 * The two files every export test runs on, examples/.jobs.json and the every-field fixture
 * test/fixtures/export/.jobs.json, exported for one target at a fixed instant.
 */
import * as path from 'node:path';
import { readJobsFile } from '../../src/core/definitions/jobsFile';
import { exportJobs } from '../../src/core/export/exportJobs';
import type { ExportOptions, ExportResult, ExportTarget } from '../../src/core/export/exportPlan';
import { repoRoot } from './paths';

export const exampleFile = path.join(repoRoot, 'examples/.jobs.json');
export const fixtureFile = path.join(repoRoot, 'test/fixtures/export/.jobs.json');
export const exportFiles = [exampleFile, fixtureFile];
/** The systemd DST check starts here; 2026-03-29 and 2026-10-25 are Europe's transitions. */
export const exportNow = Date.UTC(2026, 0, 1);
export const testImage = 'ghcr.io/example/repo:1.0';

export function exportFile(file: string, target: ExportTarget, extra: Partial<ExportOptions> = {}): ExportResult {
	const parsed = readJobsFile(file);
	const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
	if (errors.length) {
		throw new Error(`${file} has errors: ${errors.map((d) => d.message).join('; ')}`);
	}
	const result = exportJobs(parsed.config, { target, file, image: testImage, ...extra }, exportNow);
	if (result.error) {
		throw new Error(result.error);
	}
	return result;
}
