/**
 * `exportJobs`: a `.jobs.json` config as the manifests of another scheduler, with a report of
 * what did not map exactly. The CLI's `export` and the VS Code command both call this one
 * function; each target lives in its own file.
 */
import type { JobsConfig } from '../model';
import { exportArgo } from './argo';
import { type ExportOptions, type ExportResult, planExport, targetTitles } from './exportPlan';
import { FidelityReport } from './fidelityReport';
import { exportGithubActions } from './githubActions';
import { exportKubernetes } from './kubernetes';
import { exportSystemd } from './systemd';

/**
 * Converts `config` (read from a file without errors) for `options.target`. `now` is where the
 * systemd DST check starts (a year ahead).
 */
export function exportJobs(config: JobsConfig, options: ExportOptions, now = Date.now()): ExportResult {
	if ((options.target === 'kubernetes' || options.target === 'argo') && !options.image) {
		return { files: [], report: new FidelityReport(), error: `${targetTitles[options.target]} runs jobs in a container: give the image that holds the repository with --image IMAGE` };
	}
	const plan = planExport(config, options);
	if (typeof plan === 'string') {
		return { files: [], report: new FidelityReport(), error: plan };
	}
	switch (options.target) {
		case 'github-actions':
			return exportGithubActions(plan, options);
		case 'kubernetes':
			return exportKubernetes(plan, options);
		case 'argo':
			return exportArgo(plan, options);
		case 'systemd':
			return exportSystemd(plan, now);
	}
}
