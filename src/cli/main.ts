import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, filterSink, formatContext, type LogLevel, type LogSink } from '../core/base/logger';
import { formatElapsed, formatInstant, formatRelative, type InstantOptions } from '../core/base/timeFormat';
import { Engine } from '../core/engine/engine';
import { historyFileName } from '../core/records/runStore';
import { HistoryStore } from '../core/records/history';
import { type FileProblem, formatFileProblem } from '../core/records/fileProblems';
import { workspaceStateDir } from '../core/base/stateDir';
import { type Diagnostic, formatDiagnostic } from '../core/definitions/diagnostic';
import { type ParseResult, readJobsFile } from '../core/definitions/jobsFile';
import { JobsSource } from '../core/definitions/jobsSource';
import type { RunRecord } from '../core/model';
import { killAllGroups } from '../core/process/runner';
import { hostPlatform, parsePlatform, type TargetPlatform } from '../core/base/platform';
import { defaultShell } from '../core/definitions/shellReader';
import { exportPlatform } from '../core/export/exportPlan';
import { RunnerService } from '../core/engine/runnerService';
import { describeSchedule } from '../core/cron/describeSchedule';
import { fireTimes } from '../core/cron/fireTimes';
import { explainCommand } from './explainCommand';
import { exportCommand } from './exportCommand';
import { colorStatus, resultLine, statusText, totalsLine, unknownJobLines } from './format';
import { exitOnClosedPipe, paletteFor, printTable } from './output';
import { version } from '../../package.json';

const usage = `Usage: workspace-jobs <command> [options]

Commands:
  validate [--platform P]  check the file; exit 1 with PATH:LINE:COL lines on problems
  list [--json] [--platform P]
                           jobs with schedule, enabled and next run; --json adds each job's
                           command, shell and cwd
  next ID [--count N] [--from ISO] [--json]
                           the next N fire times of a scheduled job
  run [ID...] [--json] [--concurrency N] [--strict]
                           run jobs now (all when none is named) with their dependencies;
                           results and a totals line on stdout, the log on stderr;
                           --strict runs nothing (exit 1) when the file has any problem
  start                    run the scheduler in the foreground until SIGINT/SIGTERM (log on stderr)
  history [ID] [--json] [--limit N]
                           past runs of this workspace
  explain ID [--json] [--count N]
                           why a job ran or did not: what holds it back now (disabled,
                           no schedule, nothing or another process runs the schedule: which
                           pid), its recent runs, skips and misses with their reasons, and
                           its next N fire times with DST shifts marked
  export --target github-actions|kubernetes|argo|systemd [--out DIR] [--image IMAGE]
         [--strict] [--json] [ID...]
                           the jobs as another scheduler's manifests; what does not map is
                           reported on stderr (exit 3 with --strict when something is lost)

Options:
  --file PATH              the jobs file (default ./.jobs.json)
  --platform win32|darwin|linux
                           validate, list and next: read the file as that platform does (its
                           "windows", "osx" or "linux" blocks, its shells, its path and env
                           rules); default this machine's. export always reads it as linux
  --json                   JSON Lines on stdout: one object per line (a record, a job, a fire
                           time), instants in ISO-8601 UTC
  --utc                    show times in UTC instead of the local time zone
  --verbose                debug log lines;  --trace for everything;  --quiet for warnings only
  --version                the version
  --help                   this text

Colour only on a terminal; NO_COLOR turns it off, FORCE_COLOR=1 on, FORCE_COLOR=0 off.`;

/** Exit codes: 0 ok, 1 a job or the file failed, 2 bad usage. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
	const { values, positionals } = parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			file: { type: 'string', default: '.jobs.json' },
			json: { type: 'boolean', default: false },
			concurrency: { type: 'string' },
			count: { type: 'string', default: '5' },
			from: { type: 'string' },
			limit: { type: 'string', default: '20' },
			target: { type: 'string' },
			platform: { type: 'string' },
			out: { type: 'string' },
			image: { type: 'string' },
			strict: { type: 'boolean', default: false },
			verbose: { type: 'boolean', default: false },
			trace: { type: 'boolean', default: false },
			quiet: { type: 'boolean', default: false },
			utc: { type: 'boolean', default: false },
			version: { type: 'boolean', short: 'V', default: false },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	if (values.version) {
		process.stdout.write(`${version}\n`);
		return 0;
	}
	const [command, ...args] = positionals;
	if (values.help || !command) {
		process.stdout.write(`${usage}\n`);
		return command || values.help ? 0 : 2;
	}
	const level: LogLevel = values.trace ? 'trace' : values.verbose ? 'debug' : values.quiet ? 'warn' : 'info';
	const file = path.resolve(values.file);
	const platform = platformOption(command, values.platform);
	const parsed = () => readJobsFile(file, { platform });
	const time: InstantOptions = { utc: values.utc };
	switch (command) {
		case 'validate':
			return validate(parsed(), values.platform === undefined ? undefined : platform);
		case 'list':
			return list(parsed(), values.json, time, platform);
		case 'next':
			return next(parsed(), args, positiveInt(values.count, '--count'), values.from, values.json ? undefined : time);
		case 'run':
			return run(file, parsed(), args, { json: values.json, strict: values.strict, time }, level, values.concurrency ? positiveInt(values.concurrency, '--concurrency') : undefined);
		case 'start':
			return start(file, level, values.concurrency ? positiveInt(values.concurrency, '--concurrency') : undefined, time);
		case 'history':
			return history(file, args[0], values.json, positiveInt(values.limit, '--limit'), time);
		case 'explain':
			return explainCommand(parsed(), args[0], { file, json: values.json, time, count: positiveInt(values.count, '--count') }, (message) => new UsageError(message));
		case 'export':
			return exportCommand(readJobsFile(file, { platform: exportPlatform }), { ...values, file, ids: args }, (message) => new UsageError(message));
		default:
			throw new UsageError(`unknown command "${command}"`);
	}
}

/** Commands that only read the file may read it as another platform; the others run jobs here. */
const platformCommands = ['validate', 'list', 'next'];

/** `--platform`, checked: the platform to read the file for (this machine's when not given). */
function platformOption(command: string, value: string | undefined): TargetPlatform {
	if (value === undefined) {
		return hostPlatform();
	}
	if (!platformCommands.includes(command)) {
		throw new UsageError(`--platform applies to ${platformCommands.join(', ')} only; ${command} ${command === 'export' ? 'reads the file as linux, where its targets run' : 'runs jobs on this machine'}`);
	}
	const platform = parsePlatform(value);
	if (typeof platform === 'object') {
		throw new UsageError(`--platform ${platform.message}`);
	}
	return platform;
}

/** `forPlatform`: the platform named with `--platform`, said in the summary. */
function validate(result: ParseResult, forPlatform: TargetPlatform | undefined): number {
	printDiagnostics(result, process.stdout);
	if (result.diagnostics.some((d) => d.severity === 'error')) {
		return 1;
	}
	const read = forPlatform ? ` (read as ${forPlatform})` : '';
	process.stderr.write(`${result.config.jobs.length} job${result.config.jobs.length === 1 ? '' : 's'}, no problems${read}\n`);
	return 0;
}

function list(result: ParseResult, json: boolean, time: InstantOptions, platform: TargetPlatform): number {
	printDiagnostics(result, process.stderr);
	const now = Date.now();
	const rows = result.config.jobs.map((job) => {
		const next = job.schedule && job.enabled !== false ? fireTimes(job.schedule, now, 1)[0] : undefined;
		return {
			id: job.id,
			name: job.name ?? job.id,
			schedule: job.schedule ? describeSchedule(job.schedule) : 'manual',
			enabled: job.enabled ?? true,
			nextRun: next === undefined ? null : new Date(next).toISOString(),
			nextRunText: next === undefined ? '-' : `${formatInstant(next, time)} (${formatRelative(next, now)})`,
			dependsOn: job.dependsOn ?? [],
			command: job.command ?? null,
			shell: job.shell ?? defaultShell(platform),
			cwd: job.cwd ?? null,
		};
	});
	if (json) {
		for (const { nextRunText: _, ...row } of rows) {
			process.stdout.write(`${JSON.stringify(row)}\n`);
		}
	} else {
		printTable(
			['ID', 'SCHEDULE', 'ENABLED', 'NEXT RUN'],
			rows.map((r) => [r.id, r.schedule + (r.dependsOn.length ? ` (after ${r.dependsOn.join(', ')})` : ''), r.enabled ? 'yes' : 'no', r.nextRunText]),
		);
	}
	return result.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

/** The next fire times: local (or `--utc`) instants, or JSON Lines `{"at": ISO}` when `time` is undefined (`--json`). */
function next(result: ParseResult, args: string[], count: number, from: string | undefined, time: InstantOptions | undefined): number {
	const id = args[0];
	if (!id) {
		throw new UsageError('next needs a job id');
	}
	const job = result.config.jobs.find((j) => j.id === id);
	if (!job) {
		printDiagnostics(result, process.stderr);
		const known = result.config.jobs.map((j) => j.id);
		process.stderr.write(known.length ? `workspace-jobs: ${unknownJobLines([id], known)[0]}\n` : `workspace-jobs: no valid job "${id}" in an empty or invalid file\n`);
		return 1;
	}
	if (!job.schedule) {
		process.stderr.write(`workspace-jobs: job "${id}" has no schedule (manual or dependency-only)\n`);
		return 1;
	}
	const fromMs = from === undefined ? Date.now() : Date.parse(from);
	if (Number.isNaN(fromMs)) {
		throw new UsageError(`--from: "${from}" is not an ISO-8601 date-time`);
	}
	for (const t of fireTimes(job.schedule, fromMs, count, fromMs)) {
		process.stdout.write(time ? `${formatInstant(t, time)}\n` : `${JSON.stringify({ at: new Date(t).toISOString() })}\n`);
	}
	return 0;
}

async function run(file: string, result: ParseResult, ids: string[], { json, strict, time }: { json: boolean; strict: boolean; time: InstantOptions }, level: LogLevel, concurrency: number | undefined): Promise<number> {
	printDiagnostics(result, process.stderr);
	if (strict && result.diagnostics.length) {
		process.stderr.write(`workspace-jobs: --strict: ${result.diagnostics.length} problem${result.diagnostics.length === 1 ? '' : 's'} in ${file}; nothing was run\n`);
		return 1;
	}
	const known = result.config.jobs.map((j) => j.id);
	const unknown = ids.filter((id) => !known.includes(id));
	if (unknown.length) {
		for (const line of unknownJobLines(unknown, known)) {
			process.stderr.write(`workspace-jobs: ${line}\n`);
		}
		return 1;
	}
	const targets = ids.length ? ids : known;
	const engine = createEngine(file, level, concurrency, time, true);
	const startedAt = Date.now();
	engine.load(result.config);
	if (json) {
		engine.onDidFinishRun((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
	}
	const stop = onSignals(async () => {
		await engine.stop();
	});
	try {
		const records = await engine.run(targets);
		// Writes every record still held (skip streaks, records whose append failed, tried once more).
		const unsaved = await engine.whenIdle();
		const failed = records.filter((r) => r.status !== 'completed');
		summarize(records, Date.now() - startedAt, json);
		const invalid = ids.length === 0 && result.diagnostics.some((d) => d.severity === 'error');
		return failed.length === 0 && !invalid && !stop.signaled && recordsSaved(unsaved) ? 0 : 1;
	} finally {
		stop.dispose();
		engine.dispose();
	}
}

async function start(file: string, level: LogLevel, concurrency: number | undefined, time: InstantOptions): Promise<number> {
	const engine = createEngine(file, level, concurrency, time);
	// The definitions source of every VS Code folder too; its class comment says when the last good definitions stay.
	const source = new JobsSource(file, { logger: engine.logger });
	source.onDidChange((state) => {
		printDiagnostics(state, process.stderr);
		if (!state.exists) {
			process.stderr.write(`workspace-jobs: no jobs file at ${file}; waiting for one\n`);
		} else if (state.keptLastGood) {
			process.stderr.write('workspace-jobs: the file has errors; keeping the last good definitions\n');
		}
		if (!state.keptLastGood) {
			engine.load(state.config);
		}
	});
	source.watch();
	source.reload();
	const service = new RunnerService(engine, path.dirname(file), `workspace-jobs CLI start (pid ${process.pid})`, engine.logger);
	// Lease retries and watchers do not keep the process alive; a passive `start` must stay.
	const keepAlive = setInterval(() => undefined, 1 << 30);
	// The handlers go in before the lease is taken: a signal while the schedule starts still stops it cleanly.
	const stopped = new Promise<void>((resolve) => {
		const stop = onSignals(async () => {
			clearInterval(keepAlive);
			source.dispose();
			await service.stop();
			service.dispose();
			stop.dispose();
			resolve();
		});
	});
	await service.start();
	await stopped;
	const saved = recordsSaved(await engine.whenIdle());
	engine.dispose();
	return saved ? 0 : 1;
}

/**
 * Past runs, newest last. Records that are not valid are skipped with one warning naming the
 * file and line; a history that cannot be read at all is a warning and exit code 1.
 */
function history(file: string, id: string | undefined, json: boolean, limit: number, time: InstantOptions): number {
	const stateDir = workspaceStateDir(path.dirname(file));
	let unreadable = false;
	const problems = (problem: FileProblem) => {
		unreadable ||= problem.unreadable === true;
		process.stderr.write(`workspace-jobs: warning: ${formatFileProblem(problem)}\n`);
	};
	const records = new HistoryStore(path.join(stateDir, historyFileName), { problems }).read({ jobId: id, limit });
	if (json) {
		for (const r of records) {
			process.stdout.write(`${JSON.stringify(r)}\n`);
		}
	} else if (records.length === 0) {
		process.stderr.write(`No runs ${unreadable ? 'readable' : 'recorded yet'}${id ? ` for "${id}"` : ''} (${stateDir})\n`);
	} else {
		const palette = paletteFor(process.stdout);
		printTable(['ENDED', 'JOB', 'RUN', 'STATUS', 'DURATION', 'TRIGGER'], records.map((r) => historyRow(r, time)), (cell, column) => (column === 3 ? colorStatus(cell, cell.split(' ')[0], palette) : cell));
	}
	return unreadable ? 1 : 0;
}

/** One table row; the reader checked the fields, and a missing one still prints as "-". */
function historyRow(r: RunRecord, time: InstantOptions): string[] {
	const status = `${statusText(r)}${r.count && r.count > 1 ? ` x${r.count} since ${shownInstant(r.firstAt, time) ?? '?'}` : ''}`;
	const duration = typeof r.durationMs === 'number' ? formatElapsed(r.durationMs) : undefined;
	return [shownInstant(r.endedAt, time), r.jobId, r.attempt > 1 ? `${r.runId}#${r.attempt}` : r.runId, status, duration, r.trigger].map((cell) => cell ?? '-');
}

/** An ISO instant from a record in local time (or UTC); undefined when missing, as it was when unparsable. */
function shownInstant(iso: string | undefined, time: InstantOptions): string | undefined {
	const ms = iso === undefined ? Number.NaN : Date.parse(iso);
	return Number.isNaN(ms) ? iso : formatInstant(ms, time);
}

/**
 * The engine of `run` and `start`; its log goes to stderr, so stdout holds only results. Job
 * output is logged at trace (the engine's levels keep a long-running `start` quiet); `run`, which
 * someone watches run to the end, shows it unless `--quiet`.
 */
function createEngine(file: string, level: LogLevel, concurrency: number | undefined, time: InstantOptions, showOutput = false): Engine {
	const sink: LogSink = {
		write(lvl, message, context) {
			const at = formatInstant(Date.now(), { ...time, date: false, millis: true });
			process.stderr.write(`${at} ${lvl.toUpperCase().padEnd(5)} ${formatContext(context)}${message}\n`);
		},
	};
	const filtered = filterSink(level, sink);
	const output = showOutput && level !== 'warn' ? sink : filtered;
	return new Engine({ workspaceFolder: path.dirname(file), concurrency, logger: createLogger({ write: (lvl, message, context) => (lvl === 'trace' ? output : filtered).write(lvl, message, context) }) });
}

/** The results of `run` on stdout and the totals line last; with `--json` stdout holds only records, so the totals go to stderr. */
function summarize(records: RunRecord[], elapsedMs: number, json: boolean): void {
	const out = json ? process.stderr : process.stdout;
	const palette = paletteFor(out);
	if (!json) {
		for (const r of records) {
			const truncated = r.outputTruncated ? ' [output log incomplete]' : '';
			out.write(`${resultLine(r, palette)}${truncated}\n`);
		}
	}
	out.write(`${totalsLine(records, elapsedMs, palette)}\n`);
}

/** False (and says why on stderr) when records of this run are not in history: they die with this process. */
function recordsSaved(unsaved: Awaited<ReturnType<Engine['whenIdle']>>): boolean {
	if (!unsaved) {
		return true;
	}
	const lost = unsaved.count + unsaved.dropped;
	process.stderr.write(`workspace-jobs: ${lost} run record${lost === 1 ? '' : 's'} could not be written to ${unsaved.file}: ${unsaved.reason}; the runs ended as shown but are not in history\n`);
	return false;
}

function printDiagnostics(result: { diagnostics: readonly Diagnostic[] }, out: NodeJS.WritableStream): void {
	for (const d of result.diagnostics) {
		out.write(`${formatDiagnostic(d)}\n`);
	}
}

function positiveInt(value: string, name: string): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1) {
		throw new UsageError(`${name} must be a positive integer, got "${value}"`);
	}
	return n;
}

/** Runs `handler` once on the first SIGINT/SIGTERM; a second signal kills every job group and exits at once. */
function onSignals(handler: () => Promise<void>): { signaled: boolean; dispose(): void } {
	const state = { signaled: false, dispose };
	const listener = () => {
		if (state.signaled) {
			void killAllGroups(0).finally(() => process.exit(130));
			return;
		}
		state.signaled = true;
		handler().catch((err) => process.stderr.write(`workspace-jobs: ${String(err)}\n`));
	};
	process.on('SIGINT', listener);
	process.on('SIGTERM', listener);
	function dispose() {
		process.off('SIGINT', listener);
		process.off('SIGTERM', listener);
	}
	return state;
}

// A closed stdout or stderr ends the process quietly with 0, after the job process groups are killed (output.ts says why).
exitOnClosedPipe(() => killAllGroups(0));
main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code;
	},
	(err) => {
		const message = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (err as Error).message : String((err as Error)?.stack ?? err);
		process.stderr.write(`workspace-jobs: ${message}\n${err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? "Try 'workspace-jobs --help'.\n" : ''}`);
		process.exitCode = 2;
	},
);
