/**
 * The Perl source of the job launcher (see `launcher.ts` for why a helper, and why Perl).
 *
 * Per job it forks a child that `setsid`s, `chdir`s, sets the exact environment and execs
 * `/bin/sh -c <wrapped command>`: the same argv, descriptors and in-group shell watchdog as the
 * direct path (`processGroup.ts` `wrapCommand`; its socket is the job's fd 3). It reaps the
 * leader and reports its raw wait status (exit 143 and death by SIGTERM differ).
 *
 * Zombies: the launcher is a child subreaper (PR_SET_CHILD_SUBREAPER), so every job process
 * whose parent exits, the watchdog included (its subshell exits at once), becomes its child and
 * is reaped at once instead of lingering as a zombie under PID 1 (which reaps only every second
 * or two on some machines, or never in some containers).
 *
 * Group gone: it does not decide that; Node's shared `/proc` poller (`groupWatch.ts`) does.
 * Deciding from the launcher's children list (`/proc/self/task/<pid>/children`) was tried:
 * proc(5) calls that list reliable only while the children are stopped or frozen, and once in a
 * full test run a leftover that ignored SIGTERM was missed, its watchdog dismissed, and the
 * process outlived its host.
 *
 * Protocol, one ASCII line per message (payloads are raw bytes after their line):
 *   Node → launcher: `N len` + `K=V\0…` (the base environment for later runs), `R id len` +
 *   `cwd\0command\0logFile\0` and the environment's differences from the base, `+K=V` or `-K`,
 *   separated by `\0` (run); `P id` / `U id` (pause / resume reading the job's output); `Q id`
 *   (dismiss the watchdog); `F id` (forget: dismiss, close whatever the job still has open).
 *   launcher → Node: `H pid` (ready), `B id pid` (forked),
 *   `S id` (exec'd) or `E id errno`, `W id pid` (watchdog pid), `D id 1|2 len` + len bytes
 *   (output), `Z id 1|2` (end of file), `X id c code` / `X id s signo` (the leader was reaped),
 *   `V id` (the watchdog is gone).
 *
 * Output: the launcher relays the job's pipes to Node in frames, and appends them to the log
 * file itself when Node names one (before relaying, so the log is complete when `Z` arrives).
 * A pipe that delivers a full 64 KiB read is grown to 1 MiB, so a loud job costs few reads.
 */
export const perlSource = String.raw`# workspace-jobs launcher
use strict; use warnings; use POSIX (); use Socket (); use Fcntl ();
$SIG{PIPE} = 'IGNORE';
# Keep fd 3 taken, so no pipe gets it and each child's dup2 onto 3 never clobbers one of its own.
open(my $keep3, '<', '/dev/null') or exit 2;
fileno($keep3) == 3 or exit 2;
binmode STDIN; binmode STDOUT;
# prctl(2) per architecture, for PR_SET_CHILD_SUBREAPER (36).
my $prctl = { x86_64 => 157, aarch64 => 167, riscv64 => 167, loongarch64 => 167, ppc64le => 171, ppc64 => 171, s390x => 172, armv7l => 172, i686 => 172 }->{(POSIX::uname())[4]};
# As the jobs' subreaper it reaps their orphaned processes at once (no zombies under PID 1).
defined $prctl && syscall($prctl, 36, 1, 0, 0, 0);
# SIGCHLD wakes the select loop through a pipe, even when it comes just before the select.
pipe(my $wake_r, my $wake_w) or exit 2;
my (%jobs, %fds, %pids, %base);
my $in = ''; my $out = ''; my $rbuf = '';
sub put { $out .= $_[0] }
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
sub watch { my ($j, $k) = @_; my $fh = $j->{$k}; nonblock($fh); $fds{fileno $fh} = [$j, $k]; }
sub unwatch { my ($j, $k) = @_; my $fh = delete $j->{$k} or return; delete $fds{fileno $fh}; close $fh; }
sub start_job {
	my ($id, $payload) = @_;
	my ($cwd, $cmd, $logpath, @env) = split /\0/, $payload, -1;
	my ($or, $ow, $er, $ew, $xr, $xw, $sp, $sc, $log);
	unless (pipe($or, $ow) && pipe($er, $ew) && pipe($xr, $xw) && socketpair($sp, $sc, Socket::AF_UNIX(), Socket::SOCK_STREAM(), 0)) {
		put "E $id " . ($! + 0) . "\n"; return;
	}
	if (length $logpath) {
		sysopen($log, $logpath, Fcntl::O_WRONLY() | Fcntl::O_APPEND() | Fcntl::O_CREAT() | Fcntl::O_NONBLOCK(), 0666) or undef $log;
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
		%ENV = %base;
		for (@env) {
			next unless length;
			if (substr($_, 0, 1) eq '-') { delete $ENV{substr($_, 1)}; next; }
			my ($k, $v) = split /=/, substr($_, 1), 2; $ENV{$k} = $v;
		}
		exec { '/bin/sh' } '/bin/sh', '-c', $cmd;
		$fail->();
	}
	close $ow; close $ew; close $xw; close $sc;
	my $j = { id => $id, pid => $pid, o => $or, e => $er, x => $xr, s => $sp, log => $log, paused => 0, w => '' };
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
sub close_log { my ($j) = @_; close $j->{log} if $j->{log}; $j->{log} = undef; }
sub write_log {
	my ($j) = @_;
	my ($off, $len) = (0, length $rbuf);
	while ($off < $len) {
		my $w = syswrite($j->{log}, $rbuf, $len - $off, $off);
		if (!defined $w) { next if $!{EINTR}; close_log($j); return; }
		$off += $w;
	}
}
sub on_ready {
	my ($j, $k) = @_;
	if ($k eq 'x') { check_exec($j); return; }
	if ($k eq 's') {
		my $n = sysread($j->{s}, my $buf, 64);
		if (!defined $n) { return if $!{EAGAIN} || $!{EINTR}; $n = 0; }
		if ($n > 0) {
			$j->{w} .= $buf;
			if (!$j->{wpid} && $j->{w} =~ /^(\d+)\n/) { $j->{wpid} = $1; put "W $j->{id} $1\n"; }
			return;
		}
		put "V $j->{id}\n"; unwatch($j, 's'); return;
	}
	my $n = sysread($j->{$k}, $rbuf, 1048576);
	if (!defined $n) { return if $!{EAGAIN} || $!{EINTR}; $n = 0; }
	my $s = $k eq 'o' ? 1 : 2;
	if ($n > 0) {
		if ($n >= 65536 && !$j->{"grown$k"}) { $j->{"grown$k"} = 1; fcntl($j->{$k}, 1031, 1048576); }
		write_log($j) if $j->{log};
		put "D $j->{id} $s $n\n"; put $rbuf; return;
	}
	put "Z $j->{id} $s\n"; unwatch($j, $k);
	close_log($j) unless $j->{o} || $j->{e};
}
sub dismiss { my ($j) = @_; syswrite($j->{s}, "\n") if $j->{s}; }
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
		if ($line =~ /^([RN]) (?:(\d+) )?(\d+)$/) {
			my ($c, $id, $len) = ($1, $2, $3);
			last if length($in) < $nl + 1 + $len;
			my $payload = substr($in, $nl + 1, $len);
			substr($in, 0, $nl + 1 + $len, '');
			if ($c eq 'R') { start_job($id, $payload); next; }
			%base = map { split /=/, $_, 2 } grep { length } split /\0/, $payload, -1;
			next;
		}
		substr($in, 0, $nl + 1, '');
		my ($c, $id) = split / /, $line;
		my $j = defined $id ? $jobs{$id} : undef;
		next unless $j;
		if ($c eq 'P') { $j->{paused} = 1; }
		elsif ($c eq 'U') { $j->{paused} = 0; }
		elsif ($c eq 'Q') { dismiss($j); }
		elsif ($c eq 'F') { dismiss($j); unwatch($j, $_) for qw(o e x s); close_log($j); delete $jobs{$id}; }
	}
}
put "H $$\n"; flush_out();
for (;;) {
	my $rin = '';
	vec($rin, 0, 1) = 1;
	vec($rin, fileno($wake_r), 1) = 1;
	for my $fd (keys %fds) {
		my ($j, $k) = @{$fds{$fd}};
		next if $j->{paused} && ($k eq 'o' || $k eq 'e');
		vec($rin, $fd, 1) = 1;
	}
	my $n = select(my $rout = $rin, undef, undef, undef);
	if ($n > 0) {
		sysread($wake_r, my $drain, 256) if vec($rout, fileno($wake_r), 1);
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
