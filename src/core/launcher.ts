import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import { Readable } from 'node:stream';
import type { GroupProcess } from './processGroup';

/**
 * Starts job shells through one long-lived helper process instead of Node's `spawn`.
 *
 * Why: `spawn` is synchronous and forks the whole Node process. It blocks the event loop about
 * 6 ms per child with a small heap and about 33 ms with 1 GB of live heap, so a busy extension
 * host stalls every extension and tops out near 150 children/s whatever the concurrency (see
 * RELIABILITY.md, "Timers"). A small helper forks cheaply and Node only writes a message to it.
 *
 * The helper is Perl (`/usr/bin/perl`, in every Debian/Ubuntu/Fedora/Arch base system and on
 * macOS), not `/bin/sh`: dash cannot put a background job in its own process group without a
 * terminal (`set -m` is refused: "can't access tty"), so every job would cost another exec of
 * `setsid`; dash's `wait` reports `exit 143` and death by SIGTERM alike; and `export` cannot pass
 * variables whose names are not shell identifiers. Perl forks, `setsid`s, `chdir`s, sets the
 * exact environment and execs `/bin/sh -c <wrapped command>` (the same argv, descriptors and
 * in-group watchdog as the direct path, see `wrapCommand`), and reports the raw wait status.
 *
 * Per job the helper creates three pipes (stdout, stderr, exec-error) and a socket pair for the
 * watchdog (the job's fd 3, as on the direct path). It relays the job's output to Node in
 * frames over its stdout, so the job writes to real pipes: end of file, backpressure (Node
 * pauses a job: the helper stops reading its pipes and the job blocks on a full pipe) and
 * SIGPIPE behave as with `spawn`. Node still sends every signal itself (`kill(-pgid)`).
 *
 * Host death: when Node dies, the helper sees end of file on its stdin and exits; that closes
 * every watchdog's socket, and each watchdog kills its group (SIGTERM, grace, SIGKILL) exactly
 * as on the direct path. If the helper alone dies, the watchdogs kill the groups too, and Node
 * ends those runs as canceled. Nothing here is needed for correctness: when the helper cannot
 * start (no Perl, not Linux) the runner spawns directly.
 *
 * Protocol, one ASCII line per message (payloads are raw bytes after their line):
 *   Node → helper: `R id len` + len bytes `cwd\0command\0K=V\0…` (run), `P id` / `U id` (pause /
 *   resume reading the job's output), `Q id` (tell the watchdog the run is over), `F id` (forget:
 *   close whatever the job still has open).
 *   helper → Node: `H pid` (ready), `B id pid` (forked), `S id` (exec'd) or `E id errno`,
 *   `D id 1|2 len` + len bytes (output), `Z id 1|2` (end of file), `W id pid` (watchdog pid),
 *   `V id` (watchdog gone), `X id c code` / `X id s signo` (the leader was reaped).
 */

const perlSource = String.raw`# workspace-jobs launcher
use strict; use warnings; use POSIX (); use Socket (); use Fcntl ();
$SIG{PIPE} = 'IGNORE';
$SIG{CHLD} = sub {};
# Keep fd 3 taken, so no pipe gets it and each child's dup2 onto 3 never clobbers one of its own.
open(my $keep3, '<', '/dev/null') or exit 2;
fileno($keep3) == 3 or exit 2;
binmode STDIN; binmode STDOUT;
my (%jobs, %fds, %pids);
my $in = ''; my $out = '';
sub put { $out .= $_[0] }
sub flush_out {
	while (length $out) {
		my $n = syswrite(STDOUT, $out);
		if (!defined $n) { next if $!{EINTR} || $!{EAGAIN}; POSIX::_exit(0); }
		substr($out, 0, $n, '');
	}
}
sub nonblock { my $f = fcntl($_[0], Fcntl::F_GETFL(), 0); fcntl($_[0], Fcntl::F_SETFL(), $f | Fcntl::O_NONBLOCK()); }
sub watch { my ($j, $k) = @_; my $fh = $j->{$k}; nonblock($fh); $fds{fileno $fh} = [$j, $k]; }
sub unwatch { my ($j, $k) = @_; my $fh = delete $j->{$k} or return; delete $fds{fileno $fh}; close $fh; }
sub start_job {
	my ($id, $payload) = @_;
	my ($cwd, $cmd, @env) = split /\0/, $payload, -1;
	my ($or, $ow, $er, $ew, $xr, $xw, $sp, $sc);
	unless (pipe($or, $ow) && pipe($er, $ew) && pipe($xr, $xw) && socketpair($sp, $sc, Socket::AF_UNIX(), Socket::SOCK_STREAM(), 0)) {
		put "E $id " . ($! + 0) . "\n"; return;
	}
	my $pid = fork;
	if (!defined $pid) { put "E $id " . ($! + 0) . "\n"; return; }
	if ($pid == 0) {
		$SIG{PIPE} = 'DEFAULT'; $SIG{CHLD} = 'DEFAULT';
		my $fail = sub { syswrite($xw, ($! + 0) . "\n"); POSIX::_exit(127); };
		defined POSIX::setsid() or $fail->();
		chdir($cwd) or $fail->();
		my $null = POSIX::open('/dev/null', POSIX::O_RDONLY());
		defined $null or $fail->();
		defined POSIX::dup2($null, 0) or $fail->();
		defined POSIX::dup2(fileno($ow), 1) or $fail->();
		defined POSIX::dup2(fileno($ew), 2) or $fail->();
		defined POSIX::dup2(fileno($sc), 3) or $fail->();
		POSIX::close($null);
		%ENV = map { split /=/, $_, 2 } @env;
		exec { '/bin/sh' } '/bin/sh', '-c', $cmd;
		$fail->();
	}
	close $ow; close $ew; close $xw; close $sc;
	my $j = { id => $id, pid => $pid, o => $or, e => $er, x => $xr, s => $sp, paused => 0 };
	$jobs{$id} = $j; $pids{$pid} = $id;
	watch($j, $_) for qw(o e x s);
	put "B $id $pid\n";
}
# The exec-error pipe: end of file when exec succeeded (close-on-exec), else the errno.
sub check_exec {
	my ($j) = @_;
	my $n = sysread($j->{x}, my $buf, 64);
	return if !defined $n && ($!{EAGAIN} || $!{EINTR});
	if ($n && $buf =~ /^(\d+)/) { $j->{failed} = 1; put "E $j->{id} $1\n"; } else { put "S $j->{id}\n"; }
	unwatch($j, 'x');
}
sub on_ready {
	my ($j, $k) = @_;
	if ($k eq 'x') { check_exec($j); return; }
	my $n = sysread($j->{$k}, my $buf, 65536);
	if (!defined $n) { return if $!{EAGAIN} || $!{EINTR}; $n = 0; }
	if ($k eq 's') {
		if ($n > 0) {
			$j->{w} .= $buf;
			if (!$j->{wsent} && $j->{w} =~ /^(\d+)\n/) { $j->{wsent} = 1; put "W $j->{id} $1\n"; }
			return;
		}
		put "V $j->{id}\n"; unwatch($j, 's'); return;
	}
	my $s = $k eq 'o' ? 1 : 2;
	if ($n > 0) { put "D $j->{id} $s $n\n"; put $buf; return; }
	put "Z $j->{id} $s\n"; unwatch($j, $k);
}
sub reap {
	for (;;) {
		my $pid = waitpid(-1, POSIX::WNOHANG());
		last if $pid <= 0;
		my $st = $?;
		my $id = delete $pids{$pid};
		next unless defined $id;
		my $j = $jobs{$id} or next;
		check_exec($j) if $j->{x};
		next if $j->{failed};
		put(($st & 127) ? "X $id s " . ($st & 127) . "\n" : "X $id c " . ($st >> 8) . "\n");
	}
}
sub commands {
	for (;;) {
		my $nl = index($in, "\n");
		last if $nl < 0;
		my $line = substr($in, 0, $nl);
		if ($line =~ /^R (\d+) (\d+)$/) {
			last if length($in) < $nl + 1 + $2;
			my ($id, $len) = ($1, $2);
			my $payload = substr($in, $nl + 1, $len);
			substr($in, 0, $nl + 1 + $len, '');
			start_job($id, $payload);
			next;
		}
		substr($in, 0, $nl + 1, '');
		my ($c, $id) = split / /, $line;
		my $j = defined $id ? $jobs{$id} : undef;
		next unless $j;
		if ($c eq 'P') { $j->{paused} = 1; }
		elsif ($c eq 'U') { $j->{paused} = 0; }
		elsif ($c eq 'Q') { syswrite($j->{s}, "\n") if $j->{s}; }
		elsif ($c eq 'F') { unwatch($j, $_) for qw(o e x s); delete $jobs{$id}; }
	}
}
put "H $$\n"; flush_out();
for (;;) {
	my $rin = '';
	vec($rin, 0, 1) = 1;
	for my $fd (keys %fds) {
		my ($j, $k) = @{$fds{$fd}};
		next if $j->{paused} && ($k eq 'o' || $k eq 'e');
		vec($rin, $fd, 1) = 1;
	}
	# SIGCHLD interrupts select; the timeout only covers one arriving just before it.
	my $n = select(my $rout = $rin, undef, undef, %pids ? 0.05 : undef);
	if ($n > 0) {
		if (vec($rout, 0, 1)) {
			my $r = sysread(STDIN, $in, 262144, length $in);
			POSIX::_exit(0) if defined $r && $r == 0;
			POSIX::_exit(0) if !defined $r && !$!{EINTR} && !$!{EAGAIN};
			commands();
		}
		for my $fd (keys %fds) {
			next unless vec($rout, $fd, 1);
			my $w = $fds{$fd} or next;
			on_ready(@$w);
		}
	}
	reap();
	flush_out();
}
`;

/** How a start through the helper went; undefined: not started, use the direct path. */
export type LaunchOutcome = { proc: GroupProcess } | { error: Error } | undefined;

const perlPath = process.env.WORKSPACE_JOBS_PERL ?? '/usr/bin/perl';
/** Output bytes a job's stream buffers before the helper stops reading that job. */
const streamHighWater = 64 * 1024;
const errnoNames = new Map(Object.entries(os.constants.errno).map(([name, value]) => [value, name]));
const signalNames = new Map(Object.entries(os.constants.signals).map(([name, value]) => [value, name as NodeJS.Signals]));

let current: Launcher | undefined;
/** Set once the helper failed before it was ready: it is not tried again in this process. */
let unavailable = process.platform !== 'linux';

/**
 * Starts `/bin/sh -c <shellText>` in a new session through the helper. Undefined when the
 * helper is not available or the arguments are ones only `spawn` should judge (a NUL byte):
 * the caller then spawns directly.
 */
export function launch(cwd: string, shellText: string, env: NodeJS.ProcessEnv): Promise<LaunchOutcome> | undefined {
	if (unavailable) {
		return undefined;
	}
	const fields = [cwd, shellText];
	for (const key of Object.keys(env)) {
		const value = env[key];
		if (value !== undefined) {
			fields.push(`${key}=${value}`);
		}
	}
	if (typeof cwd !== 'string' || fields.some((field) => field.includes('\0'))) {
		return undefined;
	}
	if (!current) {
		if (!fs.existsSync(perlPath)) {
			unavailable = true;
			return undefined;
		}
		try {
			current = new Launcher();
		} catch {
			unavailable = true;
			return undefined;
		}
	}
	return current.launch(Buffer.from(fields.join('\0'), 'utf8'));
}

/** Whether runs would go through the helper now (it may still turn out unavailable). */
export function launcherAvailable(): boolean {
	return !unavailable;
}

/** The helper's pid, for tests. */
export function launcherPid(): number | undefined {
	return current?.pid;
}

class Launcher {
	readonly pid: number | undefined;
	private readonly child: ChildProcess;
	private readonly jobs = new Map<number, LauncherJob>();
	private nextId = 1;
	private ready = false;
	private gone = false;
	private partial: Buffer | undefined;
	private frame: { job: LauncherJob | undefined; stream: 1 | 2; remaining: number } | undefined;
	private referenced = false;

	constructor() {
		// Its own session: a signal to the host's process group (Ctrl-C in a terminal) leaves it be.
		this.child = spawn(perlPath, ['-e', perlSource], { stdio: ['pipe', 'pipe', 'ignore'], detached: true, env: {} });
		this.pid = this.child.pid;
		this.child.on('error', () => this.onGone());
		this.child.on('close', () => this.onGone());
		this.child.unref();
		const input = this.child.stdin as unknown as Socket;
		input.on('error', () => undefined);
		input.unref();
		const output = this.child.stdout as unknown as Socket;
		output.on('data', (chunk: Buffer) => this.onData(chunk));
		output.on('error', () => undefined);
		// Its stdout closes only when it dies; the exit itself may come later (or, unreferenced, never).
		output.on('close', () => this.onGone());
		output.unref();
	}

	launch(payload: Buffer): Promise<LaunchOutcome> {
		const job = new LauncherJob(this, this.nextId++);
		this.jobs.set(job.id, job);
		this.updateRef();
		this.send(Buffer.concat([Buffer.from(`R ${job.id} ${payload.length}\n`, 'latin1'), payload]));
		return job.started;
	}

	send(message: string | Buffer): void {
		if (!this.gone) {
			this.child.stdin?.write(message);
		}
	}

	forget(job: LauncherJob): void {
		if (this.jobs.get(job.id) === job) {
			this.jobs.delete(job.id);
			this.send(`F ${job.id}\n`);
			this.updateRef();
		}
	}

	/** The helper keeps the host alive only while it runs jobs, as the job's own pipes would. */
	private updateRef(): void {
		const want = this.jobs.size > 0 && !this.gone;
		if (want !== this.referenced) {
			this.referenced = want;
			const output = this.child.stdout as unknown as Socket;
			if (want) {
				output.ref();
				this.child.ref();
			} else {
				output.unref();
				this.child.unref();
			}
		}
	}

	private onData(chunk: Buffer): void {
		let pos = 0;
		while (pos < chunk.length) {
			const frame = this.frame;
			if (frame) {
				const take = Math.min(frame.remaining, chunk.length - pos);
				// A copy: a slice would pin the whole read buffer for as long as the tail keeps it.
				frame.job?.output(frame.stream, Buffer.from(chunk.subarray(pos, pos + take)));
				pos += take;
				frame.remaining -= take;
				if (frame.remaining === 0) {
					this.frame = undefined;
				}
				continue;
			}
			const nl = chunk.indexOf(10, pos);
			if (nl < 0) {
				const rest = chunk.subarray(pos);
				this.partial = this.partial ? Buffer.concat([this.partial, rest]) : Buffer.from(rest);
				return;
			}
			let line: string;
			if (this.partial) {
				line = Buffer.concat([this.partial, chunk.subarray(pos, nl)]).toString('latin1');
				this.partial = undefined;
			} else {
				line = chunk.toString('latin1', pos, nl);
			}
			pos = nl + 1;
			this.onLine(line);
		}
	}

	private onLine(line: string): void {
		const [type, idText, a, b] = line.split(' ');
		if (type === 'H') {
			this.ready = true;
			return;
		}
		const job = this.jobs.get(Number(idText));
		switch (type) {
			case 'D': {
				const remaining = Number(b);
				if (remaining > 0) {
					this.frame = { job, stream: a === '2' ? 2 : 1, remaining };
				}
				break;
			}
			case 'Z':
				job?.streamEnded(a === '2' ? 2 : 1);
				break;
			case 'B':
				job?.forked(Number(a));
				break;
			case 'S':
				job?.execed();
				break;
			case 'E':
				job?.failed(Number(a));
				break;
			case 'W':
				job?.watchdogStarted(Number(a));
				break;
			case 'V':
				job?.watchdogGone();
				break;
			case 'X':
				job?.exited(a === 'c' ? Number(b) : null, a === 's' ? (signalNames.get(Number(b)) ?? null) : null);
				break;
		}
	}

	private onGone(): void {
		if (this.gone) {
			return;
		}
		this.gone = true;
		if (current === this) {
			current = undefined;
		}
		if (!this.ready) {
			// It never ran (no Perl, a missing module): nothing was forked, so the runs go direct.
			unavailable = true;
		}
		this.updateRef();
		for (const job of this.jobs.values()) {
			job.launcherGone(this.ready);
		}
		this.jobs.clear();
		this.child.stdin?.destroy();
	}
}

/** One job's output stream, fed by the helper's frames. Reading resumes a paused job. */
class JobStream extends Readable {
	ended = false;

	constructor(private readonly job: LauncherJob) {
		super({ highWaterMark: streamHighWater });
	}

	override _read(): void {
		this.job.maybeResume();
	}
}

class LauncherJob implements GroupProcess {
	pid: number | undefined;
	readonly stdout = new JobStream(this);
	readonly stderr = new JobStream(this);
	readonly started: Promise<LaunchOutcome>;
	private resolveStart!: (outcome: LaunchOutcome) => void;
	private startSettled = false;
	private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	private readonly exitListeners: Array<(code: number | null, signal: NodeJS.Signals | null) => void> = [];
	private lostMessage: string | undefined;
	private readonly lostListeners: Array<(message: string) => void> = [];
	private watchdog: number | undefined;
	private watchdogClosed = false;
	private readonly watchdogWaiters: Array<() => void> = [];
	private paused = false;

	constructor(
		private readonly launcher: Launcher,
		readonly id: number,
	) {
		this.started = new Promise((resolve) => (this.resolveStart = resolve));
	}

	onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
		if (this.exit) {
			const { code, signal } = this.exit;
			queueMicrotask(() => listener(code, signal));
		} else {
			this.exitListeners.push(listener);
		}
	}

	onError(): void {
		// Start failures come through `started` instead.
	}

	onLost(listener: (message: string) => void): void {
		if (this.lostMessage !== undefined) {
			const message = this.lostMessage;
			queueMicrotask(() => listener(message));
		} else {
			this.lostListeners.push(listener);
		}
	}

	watchdogPid(): number | undefined {
		return this.watchdog;
	}

	async dismissWatchdog(ms: number): Promise<void> {
		if (this.watchdogClosed) {
			return;
		}
		this.launcher.send(`Q ${this.id}\n`);
		let timer: NodeJS.Timeout | undefined;
		await new Promise<void>((resolve) => {
			this.watchdogWaiters.push(resolve);
			timer = setTimeout(resolve, ms);
		});
		clearTimeout(timer);
	}

	release(): void {
		this.stdout.destroy();
		this.stderr.destroy();
		this.launcher.forget(this);
	}

	output(stream: 1 | 2, data: Buffer): void {
		const target = stream === 1 ? this.stdout : this.stderr;
		if (target.destroyed || target.ended) {
			return;
		}
		if (!target.push(data) && !this.paused) {
			this.paused = true;
			this.launcher.send(`P ${this.id}\n`);
		}
	}

	/** A stream wants more (Readable calls `_read` once per push, and again only after one). */
	maybeResume(): void {
		if (this.paused) {
			this.paused = false;
			this.launcher.send(`U ${this.id}\n`);
		}
	}

	streamEnded(stream: 1 | 2): void {
		const target = stream === 1 ? this.stdout : this.stderr;
		if (!target.ended) {
			target.ended = true;
			if (!target.destroyed) {
				target.push(null);
			}
		}
	}

	forked(pid: number): void {
		this.pid = pid;
	}

	execed(): void {
		this.settleStart({ proc: this });
	}

	failed(errno: number): void {
		const code = errnoNames.get(errno) ?? `errno ${errno}`;
		const error: NodeJS.ErrnoException = new Error(`spawn /bin/sh ${code}`);
		error.code = code;
		error.errno = -errno;
		error.syscall = 'spawn /bin/sh';
		error.path = '/bin/sh';
		this.pid = undefined;
		this.settleStart({ error });
		this.release();
	}

	watchdogStarted(pid: number): void {
		this.watchdog = pid;
	}

	watchdogGone(): void {
		this.watchdogClosed = true;
		this.watchdogWaiters.splice(0).forEach((fn) => fn());
	}

	exited(code: number | null, signal: NodeJS.Signals | null): void {
		if (this.exit) {
			return;
		}
		this.exit = { code, signal };
		this.exitListeners.splice(0).forEach((fn) => fn(code, signal));
	}

	/** The helper died: its sockets closed, so the watchdogs are killing their groups. */
	launcherGone(wasReady: boolean): void {
		this.watchdogGone();
		this.streamEnded(1);
		this.streamEnded(2);
		if (!this.startSettled) {
			this.settleStart(wasReady ? { error: new Error('spawn /bin/sh: the job launcher exited') } : undefined);
			return;
		}
		if (!this.exit) {
			this.lostMessage = 'killed: the job launcher exited unexpectedly';
			this.lostListeners.splice(0).forEach((fn) => fn(this.lostMessage as string));
		}
	}

	private settleStart(outcome: LaunchOutcome): void {
		if (!this.startSettled) {
			this.startSettled = true;
			this.resolveStart(outcome);
		}
	}
}
