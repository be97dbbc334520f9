#!/usr/bin/env bats
# shellcheck disable=SC1003,SC2010  # bats @test bodies are subshells; container-side strings in single quotes
# The container's standard streams: a pty of its own or pipes relayed by
# the supervisor, never a file descriptor of the caller's (its terminal, a
# host file).  Every combination of stdin/stdout/stderr on a terminal or
# not, foreground and background, for a start and a join, from a real
# terminal (script(1)); the reopen attacks through /proc/self/fd; kill(0);
# --init's environment; the joiner; -d and ctrctl logs.
# Network: bridge ct-stdio, 10.206.35.0/24, names st*.
# shellcheck shell=bash
# Commands for the container are single-quoted on purpose.
# shellcheck disable=SC2016,SC2030,SC2031

load test_helper
bats_require_minimum_version 1.5.0

STDIO_NET=10.206.35

stdio_snapshot() {
	{
		echo "## netns"; ip netns list | awk '{print $1}' | grep '^st[0-9]' | sort || true
		echo "## links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^(vc-st[0-9]|$CTR_BRIDGE\$)" | sort || true
		echo "## mounts"; grep -F -e "$BATS_FILE_TMPDIR" -e "$CTR_TEST_ROOTFS" /proc/self/mountinfo || true
		echo "## run"; find "$CTR_RUN_DIR" -mindepth 1 | sort
		echo "## procs"; suite_ctr_pids
	}
}

setup_file() {
	require_root
	command -v script >/dev/null || skip "no script(1)"
	ctr_test_env stdio
	net_destroy st1 >/dev/null 2>&1 || true
	net_destroy st2 >/dev/null 2>&1 || true
	stdio_snapshot >"$BATS_FILE_TMPDIR/before"
	net_create st1 "$STDIO_NET.2/24" >/dev/null
	net_create st2 "$STDIO_NET.3/24" >/dev/null
}

teardown_file() {
	net_destroy st1 >/dev/null 2>&1 || true
	net_destroy st2 >/dev/null 2>&1 || true
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot stdio_snapshot "$BATS_FILE_TMPDIR/before")"
}

setup() {
	rm -rf "${CTR_LIB_DIR:?}"/*
}

teardown() {
	kill_suite_containers
	ctr-enter --cleanup st1 >/dev/null 2>&1 || true
	ctr-enter --cleanup st2 >/dev/null 2>&1 || true
}

running() {
	local pid
	pid=$(state_field "$1" pid)
	[ -n "$pid" ] && kill -0 "$pid"
}

# Start NAME in the background with COMMAND (no terminal), wait until it runs.
start_bg() {
	local name=$1
	shift
	ctr-enter "$name" -- "$@" </dev/null >/dev/null 2>&1 &
	wait_until 200 running "$name" || fail "$name did not start"
}
stop_bg() {
	local pid
	pid=$(state_field "$1" pid)
	[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
	wait_until 200 eval "[ ! -e '$CTR_RUN_DIR/$1.lock' ]" || true
}

# --- the matrix --------------------------------------------------------------

# What the container's fds 0-2 are, written to /probe-MARK in its layer
# (a new name each time: the layer's files must not be changed under the
# mounted overlay):
# pipe, ownpty (a pty of the container's own devpts) or what else it is.
# ($$ in a command substitution is the shell itself, whose fds we want.)
PROBE='r=$(for n in 0 1 2; do
	l=$(readlink /proc/$$/fd/$n)
	case $l in
	pipe:*) k=pipe ;;
	/dev/pts/*) if [ "$(stat -L -c %d /proc/$$/fd/$n)" = "$(stat -c %d /dev/pts/ptmx)" ]; then k=ownpty; else k="HOST:$l"; fi ;;
	*) k="OTHER:$l" ;;
	esac
	printf "fd%s=%s\n" $n "$k"
done)
printf "%s\n" "$r" >/probe-$MARK
if [ -n "$READ" ]; then IFS= read -r l || l=EOF; echo "in:$l"; fi
echo "out:$MARK"
echo "err:$MARK" >&2
exit 7'

# One case, in a terminal made by script(1).  MODE start|join, WHERE fg|bg,
# then tty|file for stdin, stdout, stderr.  A background case runs under
# an interactive bash (job control: the job is not the terminal's
# foreground group).  Checks the status, where each stream's bytes went,
# and what the container's fds were.
matrix_case() {
	local mode=$1 where=$2 in=$3 out=$4 err=$5
	local d="$BATS_TEST_TMPDIR/$mode-$where-$in-$out-$err" mark read='' redir='' name=st1 opt=''
	mkdir -p "$d"
	mark="m$RANDOM$RANDOM"
	printf 'in-line\n' >"$d/in"
	[ "$in" = file ] && redir+=" <$d/in" && read=1
	[ "$in" = tty ] && [ "$where" = bg ] && read=1   # an empty stdin: EOF
	[ "$out" = file ] && redir+=" >$d/out"
	[ "$err" = file ] && redir+=" 2>$d/err"
	[ "$mode" = join ] && opt=--join
	printf '%s' "$PROBE" >"$d/probe"
	{
		printf 'PATH=%q\n' "$PATH"
		printf 'export CTR_RUN_DIR=%q CTR_LIB_DIR=%q CTR_ROOTFS=%q CTR_CGROUP_PARENT=%q\n' \
			"$CTR_RUN_DIR" "$CTR_LIB_DIR" "$CTR_ROOTFS" "$CTR_CGROUP_PARENT"
		printf 'ctr-enter %s %s -e MARK=%s -e READ=%s -- sh -c "$(cat %q)" %s' \
			"$name" "$opt" "$mark" "$read" "$d/probe" "$redir"
		if [ "$where" = bg ]; then
			printf ' &\nwait $!\n'
		else
			printf '\n'
		fi
		printf 'echo $? >%q\n' "$d/rc"
	} >"$d/case.sh"
	if [ "$where" = bg ]; then
		script -qec "bash --norc --noprofile -i $d/case.sh" /dev/null </dev/null >"$d/tty" 2>&1
	else
		script -qec "bash --norc --noprofile $d/case.sh" /dev/null </dev/null >"$d/tty" 2>&1
	fi
	local what="$mode $where stdin=$in stdout=$out stderr=$err"
	[ "$(cat "$d/rc" 2>/dev/null)" = 7 ] || fail "$what: status $(cat "$d/rc" 2>/dev/null), terminal: $(cat "$d/tty")"
	local want_out="out:$mark" in_line=''
	[ "$in" = file ] && in_line="in:in-line"
	[ "$in" = tty ] && [ "$where" = bg ] && in_line="in:EOF"
	if [ "$out" = file ]; then
		local expect="out:$mark"
		[ -z "$in_line" ] || expect="$in_line"$'\n'"out:$mark"
		[ "$(cat "$d/out")" = "$expect" ] || fail "$what: stdout file: $(cat "$d/out")"
	else
		grep -q "out:$mark" "$d/tty" || fail "$what: no stdout on the terminal: $(cat "$d/tty")"
		[ -z "$in_line" ] || grep -q "$in_line" "$d/tty" || fail "$what: no '$in_line' on the terminal: $(cat "$d/tty")"
	fi
	if [ "$err" = file ]; then
		[ "$(cat "$d/err")" = "err:$mark" ] || fail "$what: stderr file: $(cat "$d/err")"
		! grep -q "err:$mark" "$d/tty" || fail "$what: stderr reached the terminal"
	else
		grep -q "err:$mark" "$d/tty" || fail "$what: no stderr on the terminal: $(cat "$d/tty")"
	fi
	[ "$out" = tty ] || ! grep -q "$want_out" "$d/tty" || fail "$what: stdout reached the terminal"
	# the container's fds: its own pty only in pty mode (stdin and stdout
	# terminals, foreground), else pipes; never the caller's
	local probe pty=0
	probe=$(cat "$CTR_LIB_DIR/$name/upper/probe-$mark") || fail "$what: no probe: $(cat "$d/tty")"
	[ "$in$out$where" = ttyttyfg ] && pty=1
	local fd0=pipe fd1=pipe fd2=pipe
	if ((pty)); then
		fd0=ownpty fd1=ownpty
		[ "$err" = tty ] && fd2=ownpty
	fi
	[ "$probe" = "$(printf 'fd0=%s\nfd1=%s\nfd2=%s' $fd0 $fd1 $fd2)" ] || fail "$what: container fds: $probe"
}

run_matrix() {
	local mode=$1 where=$2 in out err
	for in in tty file; do
		for out in tty file; do
			for err in tty file; do
				matrix_case "$mode" "$where" "$in" "$out" "$err"
			done
		done
	done
}

@test "start from a terminal: every stdin/stdout/stderr combination, foreground" {
	run_matrix start fg
}

@test "start from a terminal: every combination, background job (cmd &)" {
	run_matrix start bg
}

@test "join from a terminal: every combination, foreground" {
	start_bg st1 sleep 1000
	run_matrix join fg
	stop_bg st1
}

@test "join from a terminal: every combination, background job (cmd &)" {
	start_bg st1 sleep 1000
	run_matrix join bg
	stop_bg st1
}

# --- what the container can do with its fds ----------------------------------

# stdout appended to a root-owned 0600 host file with earlier content: the
# container reopens its fd 1 through /proc (read without blocking, chmod,
# chown, truncate).  It reads nothing of the earlier content, and the file
# keeps its mode, owner and content (plus what was written).
@test "a host file given as stdout cannot be reopened: no read, chmod, chown or truncate" {
	local f="$BATS_TEST_TMPDIR/secret"
	printf 'PRIOR-SECRET\n' >"$f"
	chmod 600 "$f"
	local st=0
	ctr-enter st1 -- sh -c '
		dd if=/proc/$$/fd/1 iflag=nonblock of=/leak 2>/dev/null
		chmod 666 /proc/$$/fd/1 2>/dev/null
		chown 1:1 /proc/$$/fd/1 2>/dev/null
		: 2>/dev/null >/proc/$$/fd/1
		l=$(readlink /proc/$$/fd/1); echo "$l" >/fd1
		echo appended' >>"$f" || st=$?
	[ "$st" -eq 0 ]
	[ "$(cat "$f")" = "$(printf 'PRIOR-SECRET\nappended')" ] || fail "content: $(cat "$f")"
	[ "$(stat -c '%a %u %g' "$f")" = "600 0 0" ] || fail "mode/owner: $(stat -c '%a %u %g' "$f")"
	run cat "$CTR_LIB_DIR/st1/upper/leak"
	refute_output --partial PRIOR-SECRET
	run cat "$CTR_LIB_DIR/st1/upper/fd1"
	assert_output --regexp '^pipe:\[[0-9]+\]$'
}

# (stdin a terminal, stdout piped: no pty, and the caller's terminal is
# bound nowhere.)
@test "no pty: no /dev/console in the container; with a pty it is the container's own" {
	run script -qec "ctr-enter st1 -- sh -c 'ls /dev/console 2>&1; readlink /proc/\$\$/fd/0' | cat" /dev/null </dev/null
	assert_line --partial "/dev/console': No such file"
	assert_line --regexp '^pipe:'
	# script(1) writes its terminal's EOF character, a NUL while ctr-enter
	# holds that terminal raw, when its stdin (/dev/null) ends; the
	# container's terminal echoes it (^@) wherever it lands: not ours.
	run bash -c "script -qec \"ctr-enter st1 -- sh -c 'stat -c %t:%T /dev/console; tty'\" /dev/null </dev/null |
		tr -d '\\000' | sed 's/\\^@//g'"
	assert_line --regexp '^88:0.?$'
	assert_line --regexp '^/dev/pts/0.?$'
}

# kill(0) inside signals the container's own process group: not the host
# shell that started ctr-enter (which traps TERM and records it), not the
# supervisor (it would forward a second TERM to PID 1).
@test "kill -TERM 0 inside reaches neither the caller's process group nor the supervisor" {
	local rec="$BATS_TEST_TMPDIR/rec" out="$BATS_TEST_TMPDIR/out"
	: >"$rec"
	setsid bash -c 'trap "echo host-got-TERM >>$1" TERM
		ctr-enter st1 -- sh -c "trap \"echo container-got-TERM\" TERM; kill -TERM 0; sleep 0.5; echo after" >"$2"
		echo "rc=$?" >>"$2"' _ "$rec" "$out" </dev/null
	run cat "$out"
	assert_output "$(printf 'container-got-TERM\nafter\nrc=0')"
	run cat "$rec"
	assert_output ""
}

@test "pipes: EOF reaches the container; a closed reader ends the writer (yes | head)" {
	run bash -c 'echo hi | ctr-enter st1 -- cat'
	assert_success
	assert_output hi
	run bash -c 'printf "a\nb\n" | ctr-enter st1 -- sh -c "cat; echo end" | cat'
	assert_output "$(printf 'a\nb\nend')"
	run timeout 60 bash -c 'ctr-enter st1 -- yes 2>/dev/null | head -1'
	assert_success
	assert_output y
	start_bg st1 sleep 1000
	run bash -c 'echo hi | ctr-enter st1 -- cat'
	assert_output hi
	run timeout 60 bash -c 'ctr-enter st1 -- yes 2>/dev/null | head -1'
	assert_success
	assert_output y
	# what a joined command wrote just before it ended is all there
	run bash -c 'ctr-enter st1 -- sh -c "seq 1 20000; echo last >&2" 2>&1 | tail -2'
	assert_output "$(printf '20000\nlast')"
	stop_bg st1
}

# 2>&1: one pipe for both, so the order of the lines is kept.
@test "stdout and stderr on the same file keep their order" {
	run bash -c 'ctr-enter st1 -- sh -c "for i in 1 2 3; do echo out\$i; echo err\$i >&2; done" 2>&1 | cat'
	assert_output "$(printf 'out1\nerr1\nout2\nerr2\nout3\nerr3')"
}

# Pipe mode on a terminal (stdout a file): the container is not in our
# process group, so the terminal's Ctrl-C and Ctrl-\ reach only ctr-enter,
# which forwards each once.
@test "pipe mode on a terminal: Ctrl-C and Ctrl-\\ reach PID 1 once each (tmux)" {
	command -v tmux >/dev/null || skip "no tmux"
	local sock="stdio-$$" out="$BATS_TEST_TMPDIR/out"
	tmux -L "$sock" new-session -d -s s -x 100 -y 30 \
		"env PATH='$PATH' CTR_ROOTFS='$CTR_ROOTFS' CTR_RUN_DIR='$CTR_RUN_DIR' CTR_LIB_DIR='$CTR_LIB_DIR' CTR_CGROUP_PARENT='$CTR_CGROUP_PARENT' bash --norc --noprofile"
	tmux -L "$sock" send-keys -t s "ctr-enter st1 -- sh -c 'trap \"echo got-INT\" INT; trap \"echo got-QUIT\" QUIT; trap \"echo got-TERM; exit 3\" TERM; echo ready; while :; do sleep 0.05; done' >$out; echo rc=\$?" Enter
	wait_until 200 grep -q ready "$out" || { tmux -L "$sock" kill-server; fail "no ready: $(cat "$out")"; }
	tmux -L "$sock" send-keys -t s C-c
	wait_until 200 grep -q got-INT "$out" || { tmux -L "$sock" kill-server; fail "no INT: $(cat "$out")"; }
	tmux -L "$sock" send-keys -t s 'C-\'
	wait_until 200 grep -q got-QUIT "$out" || { tmux -L "$sock" kill-server; fail "no QUIT: $(cat "$out")"; }
	kill -TERM "$(state_field st1 supervisor)"
	wait_until 200 eval "tmux -L $sock capture-pane -p -t s | grep -q 'rc=3'" || { tmux -L "$sock" capture-pane -p -t s; tmux -L "$sock" kill-server; fail "no rc=3"; }
	tmux -L "$sock" kill-server
	run cat "$out"
	assert_output "$(printf 'ready\ngot-INT\ngot-QUIT\ngot-TERM')"
}

# --- --init -------------------------------------------------------------------

@test "--init: /proc/1/environ is the container's environment, nothing of the caller's" {
	HOSTSECRET=hunter2 run ctr-enter st1 --init -e FOO=bar -- sh -c 'tr "\0" "\n" </proc/1/environ'
	assert_success
	assert_line FOO=bar
	assert_line container=ctr
	assert_line HOSTNAME=st1
	refute_output --partial hunter2
	refute_output --partial CTR_RUN_DIR
	refute_output --regexp '(^|\n)PWD='
	# exactly build_env's variables
	[ "$(printf '%s\n' "${lines[@]}" | sed 's/=.*//' | sort | tr '\n' ' ')" = "FOO HOME HOSTNAME PATH TERM container " ] ||
		fail "variables: ${lines[*]}"
}

# --- -d and ctrctl logs ---------------------------------------------------------

# The detached supervisor: its own session, fds 0-2 on /dev/null, nothing
# the caller had open (fd 7 here), cwd /.
@test "run -d: returns once COMMAND runs, the supervisor is detached, logs shows the output" {
	exec 7>"$BATS_TEST_TMPDIR/held"
	run timeout 60 ctrctl run st2 -d -- sh -c 'echo started; echo to-err >&2; sleep 100'
	exec 7>&-
	assert_success
	assert_output ""
	running st2
	local sup
	sup=$(state_field st2 supervisor)
	[ "$(awk '{print $6}' "/proc/$sup/stat")" != "$(awk '{print $6}' /proc/$$/stat)" ] || fail "same session"
	[ "$(awk '{print $6}' "/proc/$sup/stat")" = "$sup" ] || fail "not a session leader"
	for fd in 0 1 2; do
		[ "$(readlink "/proc/$sup/fd/$fd")" = /dev/null ] || fail "fd $fd: $(readlink "/proc/$sup/fd/$fd")"
	done
	! ls -l "/proc/$sup/fd" | grep -q "$BATS_TEST_TMPDIR/held" || fail "the supervisor holds the caller's fd"
	[ "$(readlink "/proc/$sup/cwd")" = / ]
	[ "$(state_field st2 log)" = "$CTR_LIB_DIR/st2/log" ]
	wait_until 200 grep -q to-err "$CTR_LIB_DIR/st2/log"
	run ctrctl logs st2
	assert_output "$(printf 'started\nto-err')"
	run ctrctl logs st2 --tail 1
	assert_output to-err
	run ctrctl stop st2 -t 0
	assert_success
	# kept after the stop, until rm
	run ctrctl logs st2
	assert_output "$(printf 'started\nto-err')"
	run ctrctl rm st2
	assert_success
	net_create st2 "$STDIO_NET.3/24" >/dev/null
	run ctrctl logs st2
	assert_success
	assert_output ""
}

@test "run -d: a start that fails returns its error and exit code, nothing runs" {
	run -127 timeout 60 ctrctl run st2 -d -- /nonexistent
	assert_output --partial "ctr-enter: st2: exec /nonexistent"
	[ "${#lines[@]}" -eq 1 ]
	run ctr-enter st2 -d -u nosuchuser -- true
	assert_failure 125
	assert_output --partial nosuchuser
	[ -z "$(suite_ctr_pids)" ]
	[ ! -e "$CTR_RUN_DIR/st2.lock" ]
}

@test "logs: rotation at --log-max-size keeps the newest lines, in order" {
	run timeout 60 ctr-enter st2 -d --log-max-size 1k -- sh -c 'i=0; while [ $i -lt 1000 ]; do i=$((i+1)); echo "line-$i"; done'
	assert_success
	wait_until 400 eval "[ ! -e '$CTR_RUN_DIR/st2.lock' ]"
	assert_file_exists "$CTR_LIB_DIR/st2/log.1"
	[ "$(stat -c %s "$CTR_LIB_DIR/st2/log")" -le $((2 * 1024 + 4096)) ]
	[ "$(stat -c %s "$CTR_LIB_DIR/st2/log.1")" -le $((2 * 1024 + 4096)) ]
	run ctrctl logs st2
	assert_success
	# a contiguous run of lines that ends with the last one
	local first n
	first=${lines[0]#line-}
	n=${#lines[@]}
	[ "${lines[$((n - 1))]}" = line-1000 ]
	[ "$((first + n - 1))" -eq 1000 ]
	[ "$(printf '%s\n' "${lines[@]}")" = "$(seq "$first" 1000 | sed 's/^/line-/')" ]
	run ctr-enter st2 -- true --log-max-size 1k
	assert_success
	run ctr-enter st2 --log-max-size 1k -- true
	assert_failure 125
	assert_output --partial "need -d"
}

@test "logs -f follows until the container stops; an unknown NAME is one line" {
	run timeout 60 ctrctl run st2 -d -- sh -c 'echo first; sleep 1; echo second; sleep 1; echo third'
	assert_success
	run timeout 60 ctrctl logs st2 -f
	assert_success
	assert_output "$(printf 'first\nsecond\nthird')"
	run ctrctl logs nosuchname
	assert_failure 1
	assert_output "ctrctl: nosuchname: no such container"
}

@test "run and exec accept -i, -t, -it, -ti (no-ops)" {
	run ctrctl run st1 -it -- echo a
	assert_success
	assert_output a
	run ctrctl run st1 -i -t --rm -- echo b
	assert_output b
	start_bg st1 sleep 1000
	run ctrctl exec st1 -ti -- echo c
	assert_output c
	stop_bg st1
	run ctr-enter --help
	assert_output --partial "-i, -t, -it"
	run ctrctl --help
	assert_output --partial "-i, -t, -it"
}

# --- the joining process ----------------------------------------------------------

# CTR_TEST_SETUP_DELAY_MS holds the joining process once it is in the
# container's namespaces: from inside, it shows no host command line (no
# -e value), and no more capabilities than the container's own.
@test "join: the joining process shows no -e secret and no capability beyond the container's" {
	require_hooks_build
	start_bg st1 sleep 1000
	CTR_TEST_SETUP_DELAY_MS=4000 "$CTR_HOOKS_BIN/ctr-enter" st1 --join -e SECRETVAR=xyz-secret-1 -- true &
	local j=$!
	run ctr-enter st1 --join -- sh -c '
		mine=$(sed -n "s/^CapPrm:\t//p" /proc/$$/status)
		pat="xyz-sec""ret"   # not the word itself: this command line is scanned too
		for i in $(seq 1 100); do
			for p in /proc/[0-9]*; do
				tr "\0" " " <$p/cmdline 2>/dev/null | grep -q "$pat" && echo "LEAK $(tr "\0" " " <$p/cmdline | head -c 80)"
				if [ "$(sed -n "s/^Name:\t//p" $p/status 2>/dev/null)" = ctr-exec ]; then
					echo "seen $(tr "\0" " " <$p/cmdline)"
					c=$(sed -n "s/^CapPrm:\t//p" $p/status)
					[ "$c" = "$mine" ] && echo caps-ok || echo "caps $c (container: $mine)"
					exit 0
				fi
			done
			sleep 0.05
		done'
	wait "$j"
	refute_output --partial LEAK
	assert_line --regexp '^seen ctr-exec'
	assert_line caps-ok
	stop_bg st1
}

# /etc/passwd made a FIFO inside: -u NAME fails at once with one line
# (the old open waited for a writer forever), and TERM/kill of ctr-enter
# ends a joining process that waits.
@test "join: a FIFO /etc/passwd fails -u NAME in bounded time; killing ctr-enter ends the joiner" {
	require_hooks_build
	start_bg st1 sleep 1000
	run ctr-enter st1 --join -- sh -c 'mv /etc/passwd /etc/passwd.real && mkfifo /etc/passwd'
	assert_success
	run timeout 60 ctr-enter st1 --join -u someuser -- true
	assert_failure 125
	assert_output "ctr-enter: st1: the container's /etc/passwd is not a regular file"
	run timeout 60 ctr-enter st1 --join -u 0 -- echo numeric-ok
	assert_output numeric-ok
	ctr-enter st1 --join -- sh -c 'rm /etc/passwd; mv /etc/passwd.real /etc/passwd'
	local sig j st
	for sig in TERM KILL; do
		CTR_TEST_SETUP_DELAY_MS=10000 "$CTR_HOOKS_BIN/ctr-enter" st1 --join -- true 2>"$BATS_TEST_TMPDIR/err" &
		j=$!
		wait_until 200 pgrep -x ctr-exec >/dev/null || fail "no joiner"
		kill -"$sig" "$j"
		st=0
		wait "$j" || st=$?
		wait_until 200 eval '! pgrep -x ctr-exec' || fail "$sig: the joiner outlived ctr-enter"
		if [ "$sig" = TERM ]; then
			[ "$st" -eq 143 ] || fail "TERM: status $st"
			grep -q "interrupted by Terminated" "$BATS_TEST_TMPDIR/err" || fail "$(cat "$BATS_TEST_TMPDIR/err")"
		fi
	done
	stop_bg st1
}
