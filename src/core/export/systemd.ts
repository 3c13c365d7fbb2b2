/**
 * systemd: a `.service` (Type=oneshot, `/bin/sh -c`) for every exported job and a `.timer` for
 * every scheduled one, for a single server that holds the repository at the path it has here.
 * A dependency is `Requires=` + `After=`: starting the unit starts its dependencies first and
 * does not start it when one fails. Starting a unit that is still running does nothing, which is
 * the engine's `overlap: skip`.
 */
import { maxAttempts, retryDelay } from '../dispatch/backoff';
import { catchUpOf, type ExportPlan, exportedDependencies, type ExportResult, type PlannedJob, reportPriority, startingDeadlineOf } from './exportPlan';
import { dstDifferences, onCalendar } from './systemdCalendar';
import { systemdUnitName } from './targetNames';

/** How far ahead DST differences are looked for and reported. */
const dstHorizonMs = 366 * 86_400_000;

/** A word for a unit file: double-quoted with C escapes, `%` and `$` doubled (specifiers, variables). */
export function systemdQuote(text: string, dollars = true): string {
	let escaped = text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/%/g, '%%');
	if (dollars) {
		escaped = escaped.replace(/\$/g, '$$$$');
	}
	escaped = escaped.replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
	return `"${escaped}"`;
}

/** A time span systemd reads exactly: `1500ms`. */
function span(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

export function exportSystemd(plan: ExportPlan, now: number): ExportResult {
	const files = [];
	for (const p of plan.jobs) {
		const unit = systemdUnitName(p.job.id);
		files.push({ path: `${unit}.service`, content: service(plan, p) });
		if (p.job.schedule) {
			const timerText = timer(plan, p, now);
			if (timerText) {
				files.push({ path: `${unit}.timer`, content: timerText });
			}
		}
	}
	return { files, report: plan.report };
}

function header(p: PlannedJob): string {
	return `# Exported by workspace-jobs from job "${p.job.id}" (${p.path}); edit .jobs.json and export again.\n`;
}

function service(plan: ExportPlan, p: PlannedJob): string {
	const { job, path: at } = p;
	reportPriority(plan, p, 'systemd');
	const unit: string[] = [`Description=${(job.name ?? job.id).replace(/%/g, '%%')}`];
	const dependencies = exportedDependencies(plan, p).map((d) => `${systemdUnitName(d.job.id)}.service`);
	if (dependencies.length) {
		plan.report.approximate(`${at}.dependsOn`, 'Requires= and After= run the dependencies first and do not start the job when one fails, but stopping a dependency by hand also stops the job', job.id);
		unit.push(`Requires=${dependencies.join(' ')}`, `After=${dependencies.join(' ')}`);
	}
	const lines = ['Type=oneshot', `WorkingDirectory=${(job.cwd ?? '/').replace(/%/g, '%%')}`];
	for (const [key, value] of Object.entries(job.env ?? {})) {
		if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
			lines.push(`Environment=${systemdQuote(`${key}=${value}`, false)}`);
		} else {
			plan.report.lost(`${at}.env.${key}`, 'systemd accepts only variable names of letters, digits and _; dropped', job.id);
		}
	}
	lines.push(`ExecStart=/bin/sh -c ${systemdQuote(job.command!)}`);
	if (job.timeoutMs !== undefined) {
		lines.push(`TimeoutStartSec=${span(job.timeoutMs)}`);
	}
	const attempts = maxAttempts(job.retry);
	if (attempts > 1) {
		const delay = retryDelay(job.retry!, 1, () => 0);
		const curve = job.retry!.backoff === 'exponential' || job.retry!.jitter ? ` (the file's ${job.retry!.backoff} curve${job.retry!.jitter ? ' and jitter' : ''} becomes a fixed ${span(delay)})` : '';
		plan.report.approximate(`${at}.retry`, `Restart=on-failure with RestartSec=${span(delay)}, at most ${attempts} starts per StartLimitIntervalSec${curve}`, job.id);
		lines.push('Restart=on-failure', `RestartSec=${span(delay)}`);
		const window = attempts * ((job.timeoutMs ?? 3_600_000) + delay);
		unit.push(`StartLimitIntervalSec=${span(window)}`, `StartLimitBurst=${attempts}`);
	}
	return `${header(p)}[Unit]\n${unit.join('\n')}\n\n[Service]\n${lines.join('\n')}\n`;
}

function timer(plan: ExportPlan, p: PlannedJob, now: number): string | undefined {
	const { job, path: at } = p;
	const schedule = job.schedule!;
	const lines: string[] = [];
	switch (schedule.kind) {
		case 'cron': {
			const calendar = onCalendar(schedule.expression, schedule.timezone);
			if (typeof calendar === 'string') {
				plan.report.lost(`${at}.schedule`, calendar, job.id);
				return undefined;
			}
			lines.push(...calendar.map((c) => `OnCalendar=${c}`));
			reportDst(plan, p, schedule.expression, schedule.timezone, now);
			break;
		}
		case 'every':
			lines.push(`OnActiveSec=${span(schedule.everyMs)}`, `OnUnitActiveSec=${span(schedule.everyMs)}`);
			break;
		case 'at':
			lines.push(`OnCalendar=${new Date(schedule.at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`);
			if (schedule.at % 1000) {
				plan.report.approximate(`${at}.schedule`, 'OnCalendar= has whole seconds; the milliseconds are dropped', job.id);
			}
			break;
	}
	// The default AccuracySec=1min lets systemd start a run up to a minute late.
	lines.push('AccuracySec=1s');
	if (catchUpOf(job) === 'once') {
		lines.push('Persistent=true');
		if (schedule.kind === 'every') {
			plan.report.approximate(`${at}.catchUp`, 'Persistent= catches up calendar timers only; an interval timer restarts its count at boot', job.id);
		} else {
			plan.report.approximate(`${at}.catchUp`, `Persistent=true runs a missed time once at boot, with no deadline (startingDeadline ${span(startingDeadlineOf(job))} dropped)`, job.id);
		}
	}
	const overlap = job.overlap ?? 'skip';
	if (overlap !== 'skip') {
		plan.report.lost(`${at}.overlap`, `systemd does not start a unit that is still running, so "${overlap}" becomes "skip"`, job.id);
	}
	return `${header(p)}[Unit]\nDescription=${`Schedule of ${job.name ?? job.id}`.replace(/%/g, '%%')}\n\n[Timer]\n${lines.join('\n')}\n\n[Install]\nWantedBy=timers.target\n`;
}

function reportDst(plan: ExportPlan, p: PlannedJob, expression: string, timezone: string | undefined, now: number): void {
	for (const difference of dstDifferences(expression, timezone, now, now + dstHorizonMs)) {
		const day = new Date(difference.at).toISOString().slice(0, 10);
		const message =
			difference.kind === 'gap'
				? `on ${day} the clocks spring forward past a time of "${expression}": systemd skips it, the engine runs it when the gap ends`
				: `on ${day} the clocks fall back and repeat an hour of "${expression}": systemd fires in the first copy only, the engine in both`;
		plan.report.approximate(`${p.path}.schedule`, message, p.job.id);
	}
}
