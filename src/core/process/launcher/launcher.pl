# workspace-jobs launcher: starts job shells for Node (launcher.ts says why a helper, and why Perl).
#
# Node runs it as `perl -e <this file's text>` (esbuild bundles the file as text), so it needs no
# file on disk and finds no module beyond Perl's core ones.
#
# Per job it forks a child that `setsid`s, `chdir`s, sets the exact environment and execs
# `/bin/sh -c <wrapped command>`: the same argv, descriptors and in-group shell watchdog as the
# direct path (processGroup.ts `wrapCommand`; its socket is the job's fd 3). It reaps the leader
# and reports its raw wait status (exit 143 and death by SIGTERM differ).
#
# Zombies: on Linux the launcher is a child subreaper (PR_SET_CHILD_SUBREAPER), so every job process whose
# parent exits, the watchdog included (its subshell exits at once), becomes its child and is
# reaped at once instead of lingering as a zombie under PID 1 (which reaps only every second or
# two on some machines, or never in some containers).
#
# Group gone: it does not decide that; Node's shared /proc poller (groupWatch.ts) does. Deciding
# from the launcher's children list (/proc/self/task/<pid>/children) was tried: proc(5) calls
# that list reliable only while the children are stopped or frozen, and once in a full test run
# a leftover that ignored SIGTERM was missed, its watchdog dismissed, and the process outlived
# its host.
#
# Protocol, one ASCII line per message, fields separated by one space (payloads are raw bytes
# after their line; launcherFrames.ts reads the replies):
#   Node -> launcher:
#     N len       + `K=V\0...`: the base environment for later runs
#     R id len    + `cwd\0command\0logFile\0` and the environment's differences from the base,
#                   `+K=V` or `-K`, separated by `\0`: run
#     P id / U id pause / resume reading the job's output
#     Q id        dismiss the watchdog
#     F id        forget: dismiss, close whatever the job still has open
#   launcher -> Node:
#     H pid       ready
#     B id pid    forked
#     S id        exec'd, or E id errno
#     W id pid    the watchdog's pid
#     D id 1|2 len + len bytes: output of stdout (1) or stderr (2)
#     Z id 1|2    end of file
#     X id c code / X id s signo: the leader was reaped (exited, or killed by a signal)
#     V id        the watchdog is gone
#     L id errno  the log file could not be opened or written (a full disk): it is closed and
#                 the rest of the output only relayed; sent before the job's next D
#
# Output: the launcher relays the job's pipes to Node in frames, and appends them to the log file
# itself when Node names one (before relaying, so the log is complete when `Z` arrives). A pipe
# that delivers a full 64 KiB read is grown to 1 MiB, so a loud job costs few reads. The log is
# private (mode 0600 whatever the umask: it holds whatever the job prints), and a failure to open
# or write it is reported (`L`), never passed over.
use strict; use warnings; use POSIX (); use Socket (); use Fcntl ();

use constant {
	# Messages from Node.
	CMD_BASE_ENV => 'N',
	CMD_RUN => 'R',
	CMD_PAUSE => 'P',
	CMD_RESUME => 'U',
	CMD_DISMISS => 'Q',
	CMD_FORGET => 'F',
	# Messages to Node.
	MSG_READY => 'H',
	MSG_FORKED => 'B',
	MSG_STARTED => 'S',
	MSG_START_ERROR => 'E',
	MSG_WATCHDOG => 'W',
	MSG_DATA => 'D',
	MSG_END_OF_FILE => 'Z',
	MSG_EXIT => 'X',
	MSG_WATCHDOG_GONE => 'V',
	MSG_LOG_ERROR => 'L',
	# How the leader ended, in MSG_EXIT.
	ENDED_BY_CODE => 'c',
	ENDED_BY_SIGNAL => 's',
	# A job's output streams, as MSG_DATA and MSG_END_OF_FILE number them.
	STREAM_STDOUT => 1,
	STREAM_STDERR => 2,
	# The job's descriptors.
	JOB_STDIN_FD => 0,
	JOB_STDOUT_FD => 1,
	JOB_STDERR_FD => 2,
	# The job's end of its watchdog socket (processGroup.ts `wrapCommand` reads fd 3).
	WATCHDOG_FD => 3,
	# The launcher could not set itself up; it exits before MSG_READY, so Node spawns directly.
	EXIT_SETUP_FAILED => 2,
	# The forked child could not become the job (its errno went to the exec-error pipe).
	EXIT_EXEC_FAILED => 127,
	# prctl(2) option: orphaned descendants are re-parented to us, not to PID 1.
	PR_SET_CHILD_SUBREAPER => 36,
	# fcntl(2) command (Linux), which Fcntl does not export.
	F_SETPIPE_SZ => 1031,
	# A pipe's capacity on Linux unless grown; a read this big means the pipe was full.
	DEFAULT_PIPE_SIZE => 65536,
	# What a full pipe is grown to, and the most one read of a job's output takes.
	GROWN_PIPE_SIZE => 1048576,
	# Bytes one read of Node's messages takes.
	INPUT_READ_SIZE => 262144,
	# The exec-error pipe and the watchdog socket carry one number and a newline.
	SMALL_READ_SIZE => 64,
	# Bytes of wake-up pipe drained per loop.
	WAKE_DRAIN_SIZE => 256,
	# Mode of a run log: only its owner may read it (set again after the open: the umask may mask it).
	LOG_FILE_MODE => 0600,
	# Wait status: the low 7 bits are the killing signal, the exit code is above the low 8.
	WAIT_SIGNAL_MASK => 0x7f,
	WAIT_EXIT_SHIFT => 8,
};
# The prctl(2) syscall number per machine (uname -m).
use constant PRCTL_SYSCALL => {
	x86_64 => 157, aarch64 => 167, riscv64 => 167, loongarch64 => 167,
	ppc64le => 171, ppc64 => 171, s390x => 172, armv7l => 172, i686 => 172,
};

$SIG{PIPE} = 'IGNORE';
# Keep the watchdog's fd taken, so no pipe gets it and each child's dup2 onto it never clobbers
# one of its own.
open(my $keep_watchdog_fd, '<', '/dev/null') or exit EXIT_SETUP_FAILED;
fileno($keep_watchdog_fd) == WATCHDOG_FD or exit EXIT_SETUP_FAILED;
binmode STDIN; binmode STDOUT;
# Linux only ($^O is the OS Perl was built for; syscall numbers and fcntl commands are Linux's):
# as the jobs' subreaper it reaps their orphaned processes at once (no zombies under PID 1), and
# grows full pipes. Elsewhere (macOS: no prctl, no F_SETPIPE_SZ) orphans go to PID 1 (launchd,
# which reaps them at once) and pipes keep their size; nothing else changes.
my $linux = $^O eq 'linux';
my $prctl = $linux ? PRCTL_SYSCALL->{(POSIX::uname())[4]} : undef;
defined $prctl && syscall($prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
# SIGCHLD wakes the select loop through a pipe, even when it comes just before the select.
pipe(my $wake_r, my $wake_w) or exit EXIT_SETUP_FAILED;
my (%jobs, %fds, %pids, %base);
my $in = ''; my $out = ''; my $rbuf = '';
sub put { $out .= $_[0] }
# One message to Node: its fields, space-separated, and a newline.
sub reply { put join(' ', @_) . "\n" }
sub flush_out {
	while (length $out) {
		my $n = syswrite(STDOUT, $out);
		if (!defined $n) { next if $!{EINTR} || $!{EAGAIN}; POSIX::_exit(0); }
		substr($out, 0, $n, '');
	}
}
sub nonblock { my $f = fcntl($_[0], Fcntl::F_GETFL(), 0); fcntl($_[0], Fcntl::F_SETFL(), $f | Fcntl::O_NONBLOCK()); }
nonblock($wake_r); nonblock($wake_w);
$SIG{CHLD} = sub { syswrite($wake_w, 'c') };
# A job's handles, by key: o/e its stdout/stderr pipes, x the exec-error pipe, s the watchdog socket.
sub watch { my ($j, $k) = @_; my $fh = $j->{$k}; nonblock($fh); $fds{fileno $fh} = [$j, $k]; }
sub unwatch { my ($j, $k) = @_; my $fh = delete $j->{$k} or return; delete $fds{fileno $fh}; close $fh; }
sub start_job {
	my ($id, $payload) = @_;
	my ($cwd, $cmd, $logpath, @env) = split /\0/, $payload, -1;
	my ($or, $ow, $er, $ew, $xr, $xw, $sp, $sc, $log);
	unless (pipe($or, $ow) && pipe($er, $ew) && pipe($xr, $xw) && socketpair($sp, $sc, Socket::AF_UNIX(), Socket::SOCK_STREAM(), 0)) {
		reply(MSG_START_ERROR, $id, $! + 0); return;
	}
	if (length $logpath) {
		if (sysopen($log, $logpath, Fcntl::O_WRONLY() | Fcntl::O_APPEND() | Fcntl::O_CREAT() | Fcntl::O_NONBLOCK(), LOG_FILE_MODE)) {
			my @st = stat($log);
			chmod(LOG_FILE_MODE, $log) if @st && $st[4] == $> && ($st[2] & 07777) != LOG_FILE_MODE;
		} else {
			reply(MSG_LOG_ERROR, $id, $! + 0); undef $log;
		}
	}
	my $pid = fork;
	if (!defined $pid) { reply(MSG_START_ERROR, $id, $! + 0); return; }
	if ($pid == 0) {
		$SIG{PIPE} = 'DEFAULT'; $SIG{CHLD} = 'DEFAULT';
		my $fail = sub { syswrite($xw, ($! + 0) . "\n"); POSIX::_exit(EXIT_EXEC_FAILED); };
		defined POSIX::setsid() or $fail->();
		chdir($cwd) or $fail->();
		my $null = POSIX::open('/dev/null', POSIX::O_RDONLY());
		defined $null or $fail->();
		defined POSIX::dup2($null, JOB_STDIN_FD) or $fail->();
		defined POSIX::dup2(fileno($ow), JOB_STDOUT_FD) or $fail->();
		defined POSIX::dup2(fileno($ew), JOB_STDERR_FD) or $fail->();
		defined POSIX::dup2(fileno($sc), WATCHDOG_FD) or $fail->();
		POSIX::close($null);
		%ENV = %base;
		for (@env) {
			next unless length;
			if (substr($_, 0, 1) eq '-') { delete $ENV{substr($_, 1)}; next; }
			my ($k, $v) = split /=/, substr($_, 1), 2; $ENV{$k} = $v;
		}
		exec { '/bin/sh' } '/bin/sh', '-c', $cmd or $fail->();
	}
	close $ow; close $ew; close $xw; close $sc;
	my $j = { id => $id, pid => $pid, o => $or, e => $er, x => $xr, s => $sp, log => $log, paused => 0, w => '' };
	$jobs{$id} = $j; $pids{$pid} = $id;
	watch($j, $_) for qw(o e x s);
	reply(MSG_FORKED, $id, $pid);
}
# The exec-error pipe: end of file when exec succeeded (close-on-exec), else the errno.
sub check_exec {
	my ($j) = @_;
	my $n = sysread($j->{x}, my $buf, SMALL_READ_SIZE);
	return if !defined $n && ($!{EAGAIN} || $!{EINTR});
	if ($n && $buf =~ /^(\d+)/) { $j->{failed} = 1; reply(MSG_START_ERROR, $j->{id}, $1); } else { reply(MSG_STARTED, $j->{id}); }
	unwatch($j, 'x');
}
sub close_log { my ($j) = @_; close $j->{log} if $j->{log}; $j->{log} = undef; }
sub write_log {
	my ($j) = @_;
	my ($off, $len) = (0, length $rbuf);
	while ($off < $len) {
		my $w = syswrite($j->{log}, $rbuf, $len - $off, $off);
		if (!defined $w) { next if $!{EINTR}; reply(MSG_LOG_ERROR, $j->{id}, $! + 0); close_log($j); return; }
		$off += $w;
	}
}
sub on_ready {
	my ($j, $k) = @_;
	if ($k eq 'x') { check_exec($j); return; }
	if ($k eq 's') {
		my $n = sysread($j->{s}, my $buf, SMALL_READ_SIZE);
		if (!defined $n) { return if $!{EAGAIN} || $!{EINTR}; $n = 0; }
		if ($n > 0) {
			$j->{w} .= $buf;
			if (!$j->{wpid} && $j->{w} =~ /^(\d+)\n/) { $j->{wpid} = $1; reply(MSG_WATCHDOG, $j->{id}, $1); }
			return;
		}
		reply(MSG_WATCHDOG_GONE, $j->{id}); unwatch($j, 's'); return;
	}
	my $n = sysread($j->{$k}, $rbuf, GROWN_PIPE_SIZE);
	if (!defined $n) { return if $!{EAGAIN} || $!{EINTR}; $n = 0; }
	my $stream = $k eq 'o' ? STREAM_STDOUT : STREAM_STDERR;
	if ($n > 0) {
		if ($linux && $n >= DEFAULT_PIPE_SIZE && !$j->{"grown$k"}) { $j->{"grown$k"} = 1; fcntl($j->{$k}, F_SETPIPE_SZ, GROWN_PIPE_SIZE); }
		write_log($j) if $j->{log};
		reply(MSG_DATA, $j->{id}, $stream, $n); put $rbuf; return;
	}
	reply(MSG_END_OF_FILE, $j->{id}, $stream); unwatch($j, $k);
	close_log($j) unless $j->{o} || $j->{e};
}
sub dismiss { my ($j) = @_; syswrite($j->{s}, "\n") if $j->{s}; }
sub reap {
	for (;;) {
		my $pid = waitpid(-1, POSIX::WNOHANG());
		last if $pid <= 0;
		my $status = $?;
		my $id = delete $pids{$pid};
		next unless defined $id;
		my $j = $jobs{$id} or next;
		check_exec($j) if $j->{x};
		next if $j->{failed};
		my $signal = $status & WAIT_SIGNAL_MASK;
		if ($signal) { reply(MSG_EXIT, $id, ENDED_BY_SIGNAL, $signal); }
		else { reply(MSG_EXIT, $id, ENDED_BY_CODE, $status >> WAIT_EXIT_SHIFT); }
	}
}
sub commands {
	for (;;) {
		my $nl = index($in, "\n");
		last if $nl < 0;
		my $line = substr($in, 0, $nl);
		# A message with a payload: `N len` or `R id len`, then len bytes.
		if ($line =~ /^(\S) (?:(\d+) )?(\d+)$/ && ($1 eq CMD_RUN || $1 eq CMD_BASE_ENV)) {
			my ($c, $id, $len) = ($1, $2, $3);
			last if length($in) < $nl + 1 + $len;
			my $payload = substr($in, $nl + 1, $len);
			substr($in, 0, $nl + 1 + $len, '');
			if ($c eq CMD_RUN) { start_job($id, $payload); next; }
			%base = map { split /=/, $_, 2 } grep { length } split /\0/, $payload, -1;
			next;
		}
		substr($in, 0, $nl + 1, '');
		my ($c, $id) = split / /, $line;
		my $j = defined $id ? $jobs{$id} : undef;
		next unless $j;
		if ($c eq CMD_PAUSE) { $j->{paused} = 1; }
		elsif ($c eq CMD_RESUME) { $j->{paused} = 0; }
		elsif ($c eq CMD_DISMISS) { dismiss($j); }
		elsif ($c eq CMD_FORGET) { dismiss($j); unwatch($j, $_) for qw(o e x s); close_log($j); delete $jobs{$id}; }
	}
}
reply(MSG_READY, $$); flush_out();
for (;;) {
	my $rin = '';
	vec($rin, fileno(STDIN), 1) = 1;
	vec($rin, fileno($wake_r), 1) = 1;
	for my $fd (keys %fds) {
		my ($j, $k) = @{$fds{$fd}};
		next if $j->{paused} && ($k eq 'o' || $k eq 'e');
		vec($rin, $fd, 1) = 1;
	}
	my $n = select(my $rout = $rin, undef, undef, undef);
	if ($n > 0) {
		sysread($wake_r, my $drain, WAKE_DRAIN_SIZE) if vec($rout, fileno($wake_r), 1);
		if (vec($rout, fileno(STDIN), 1)) {
			my $r = sysread(STDIN, $in, INPUT_READ_SIZE, length $in);
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
