import { runProcess } from '../../src/core/process/runner';

/**
 * Host process for the host-death tests: runs one command through `runProcess` as the
 * extension host or the CLI would, prints its output live and `done <exit code>` at the end, and
 * is killed with SIGKILL by the test while the job runs. Arguments: command, cwd, kill grace (ms).
 */

const [command, cwd, graceText] = process.argv.slice(2);

void runProcess({
	command,
	cwd,
	env: process.env,
	killGraceMs: Number(graceText),
	onOutput: (_stream, text) => void process.stdout.write(text),
}).then((result) => process.stdout.write(`done ${result.exitCode}\n`));
