#!/usr/bin/env bats
# ctr-enter: start, isolation, layers, exit codes, signals, cleanup, bad
# input, and a real terminal (tmux).  Real kernel, the debootstrap rootfs.
# shellcheck shell=bash
# Commands for the container are single-quoted on purpose; bats's run sets
# status/output/lines in the test's own shell.
# shellcheck disable=SC2016,SC2030,SC2031

load test_helper
bats_require_minimum_version 1.5.0

ENTER_NET=10.201.0

# A container network from netns-setup: netns NAME, veth vc-NAME on the
# suite's bridge $CTR_BRIDGE (10.201.0.1/24), eth0 = 10.201.0.HOST inside.
enter_net_create() {
	net_create "$1" "$ENTER_NET.$2/24" >/dev/null
}
enter_net_destroy() {
	net_destroy "$1" >/dev/null 2>&1 || true
}

# Only what this suite owns: other suites run on this machine at the same time.
enter_snapshot() {
	{
		echo "## netns"; ip netns list | awk '{print $1}' | grep '^enter-' | sort || true
		echo "## links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^(vc-enter-|$CTR_BRIDGE\$)" | sort || true
		echo "## mounts"; grep -F -e "$BATS_FILE_TMPDIR" -e "$CTR_TEST_ROOTFS" /proc/self/mountinfo || true
		echo "## run"; find "$CTR_RUN_DIR" -mindepth 1 | sort
		echo "## etc-netns"; find /etc/netns -mindepth 1 -maxdepth 1 -name 'enter-*' 2>/dev/null | sort
		echo "## procs"; suite_ctr_pids
	}
}

setup_file() {
	require_root
	ctr_test_env enter
	export ENTER_TMUX="enter-$$"
	# leftovers of an interrupted earlier run of this suite (our names only)
	enter_net_destroy enter-c1
	enter_net_destroy enter-c2
	enter_snapshot >"$BATS_FILE_TMPDIR/before"
	enter_net_create enter-c1 2
	enter_net_create enter-c2 3
}

teardown_file() {
	tmux -L "$ENTER_TMUX" kill-server 2>/dev/null || true
	enter_net_destroy enter-c1
	enter_net_destroy enter-c2
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot enter_snapshot "$BATS_FILE_TMPDIR/before")"
}

setup() {
	rm -rf "${CTR_LIB_DIR:?}"/*
}

# A failed test must not leave its containers running (names are this suite's own).
teardown() {
	kill_suite_containers
}

pgrep_quiet() { pgrep -f "$1" >/dev/null; }
pid_gone() { ! kill -0 "$1" 2>/dev/null; }
state_has_pid() { [ -n "$(state_field "$1" pid)" ]; }

# --- the card flow -----------------------------------------------------------

@test "--help and --version" {
	run ctr-enter --help
	assert_success
	assert_output --partial "Usage: ctr-enter [OPTIONS] NAME"
	run ctr-enter --version
	assert_success
	assert_output --regexp '^ctr-enter [0-9]+\.[0-9]+'
}

@test "card: --hostname c1 -- hostname prints c1; options after NAME" {
	run ctr-enter enter-c1 --hostname c1 -- hostname
	assert_success
	assert_output c1
	run ctr-enter --hostname c2 enter-c1 hostname
	assert_success
	assert_output c2
	run ctr-enter enter-c1 hostname
	assert_output enter-c1
}

@test "COMMAND is PID 1 and ps -e shows only the container's processes" {
	run ctr-enter enter-c1 -- sh -c 'echo "pid=$$"; ps -e -o pid=,comm='
	assert_success
	assert_line pid=1
	# sh (PID 1) and ps: nothing of the host.
	[ "$(echo "$output" | grep -vc '^pid=')" -eq 2 ]
	assert_line --regexp '^ +1 sh$'
	assert_line --regexp '^ +[0-9]+ ps$'
}

@test "ls / shows the rootfs, not the host" {
	run ctr-enter enter-c1 -- ls /
	assert_success
	assert_output "$(ls "$CTR_TEST_ROOTFS")"
	run ctr-enter enter-c1 -- sh -c "test -e '$BATS_FILE_TMPDIR' || echo no-host-tmp; cat /etc/debian_version"
	assert_line no-host-tmp
	assert_line "$(cat "$CTR_TEST_ROOTFS/etc/debian_version")"
}

@test "net/mnt/pid/uts/ipc/cgroup namespaces are new; net is /run/netns/NAME" {
	local ns host inside
	run ctr-enter enter-c1 -- sh -c 'for n in net mnt pid uts ipc cgroup; do echo "$n $(stat -L -c %i /proc/self/ns/$n)"; done'
	assert_success
	for ns in net mnt pid uts ipc cgroup; do
		host=$(stat -L -c %i /proc/self/ns/$ns)
		inside=$(echo "$output" | awk -v n=$ns '$1 == n {print $2}')
		[ -n "$inside" ]
		[ "$inside" != "$host" ] || fail "$ns namespace is the host's"
	done
	inside=$(echo "$output" | awk '$1 == "net" {print $2}')
	[ "$inside" = "$(stat -L -c %i /run/netns/enter-c1)" ]
}

@test "/sys is the joined netns's, read-only; /proc is fresh; /dev is minimal" {
	run ctr-enter enter-c1 -- sh -c 'touch /sys/x 2>&1; echo; echo procs=$(ls /proc | grep -c "^[0-9]"); ls /dev | tr "\n" " "; echo; test -c /dev/pts/ptmx && echo ptmx-ok; readlink /dev/ptmx; echo x > /dev/full || echo full-refuses'
	assert_success
	assert_line --partial "Read-only file system"
	assert_line "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
	assert_line ptmx-ok
	assert_line pts/ptmx
	assert_line full-refuses
	# /proc: only the two processes of this container (sh, ls/grep pipeline)
	local n
	n=$(echo "$output" | sed -n 's/^procs=//p')
	[ "$n" -le 5 ] || fail "/proc shows $n processes"
	# /sys/class/net: exactly the netns's links, none of the host's (our
	# bridge and the container's host-side veth are there, not inside)
	[ -e "/sys/class/net/$CTR_BRIDGE" ]
	[ -e /sys/class/net/vc-enter-c1 ]
	run ctr-enter enter-c1 -- sh -c 'ls -A /sys/class/net | sort'
	assert_success
	assert_output "$(printf 'eth0\nlo')"
	refute_line "$CTR_BRIDGE"
	refute_line vc-enter-c1
}

@test "environment is clean: PATH, HOME, TERM, HOSTNAME, container=ctr, -e" {
	TERM=vt100 run ctr-enter enter-c1 -e FOO=bar -e PATH=/bin:/usr/bin -- env
	assert_success
	assert_line PATH=/bin:/usr/bin
	assert_line HOME=/root
	assert_line TERM=vt100
	assert_line HOSTNAME=enter-c1
	assert_line container=ctr
	assert_line FOO=bar
	refute_line --partial BATS_
	[ "${#lines[@]}" -eq 6 ]
	TERM='' run ctr-enter enter-c1 -- printenv TERM PATH
	assert_line xterm
	assert_line /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
}

@test "-u, -w: user, group, home and working directory" {
	run ctr-enter enter-c1 -u 65534:65534 -w /tmp -- sh -c 'id -u; id -g; id -G; pwd; echo $HOME'
	assert_success
	assert_output "$(printf '65534\n65534\n65534\n/tmp\n/nonexistent')"
	run ctr-enter enter-c1 -u nobody -- id -un
	assert_output nobody
	run ctr-enter enter-c1 -u 1234 -- sh -c 'id -u; id -g; echo $HOME'
	assert_output "$(printf '1234\n0\n/')"
}

@test "volumes: -v HOST:CTR read-write and :ro" {
	local vol="$BATS_TEST_TMPDIR/vol" file="$BATS_TEST_TMPDIR/one"
	mkdir -p "$vol"
	echo host-data >"$vol/in"
	echo single >"$file"
	run ctr-enter enter-c1 -v "$vol:/data" -v "$file:/opt/new/one:ro" -- sh -c 'cat /data/in; echo ctr-data > /data/out; cat /opt/new/one; echo x > /opt/new/one || echo ro-ok'
	assert_success
	assert_line host-data
	assert_line single
	assert_line ro-ok
	[ "$(cat "$vol/out")" = ctr-data ]
	[ "$(cat "$file")" = single ]
	run ctr-enter enter-c1 -v "$vol:/data:ro" -- sh -c 'touch /data/x 2>&1'
	assert_failure
	assert_output --partial "Read-only file system"
}

@test "/etc/netns/NAME files are bound over the rootfs's" {
	local f=/etc/netns/enter-c1/hosts
	cp "$f" "$BATS_TEST_TMPDIR/hosts"
	printf '10.201.0.77 enter-marker\n' >>"$f"
	run ctr-enter enter-c1 -- cat /etc/hosts /etc/hostname /etc/resolv.conf
	cp "$BATS_TEST_TMPDIR/hosts" "$f"
	assert_success
	assert_line "10.201.0.77 enter-marker"
	assert_line --regexp "^10\.201\.0\.2[[:space:]]+enter-c1"
	assert_line enter-c1
	assert_output --partial "$(head -n1 /etc/netns/enter-c1/resolv.conf)"
}

# --- network -----------------------------------------------------------------

# A tiny server per container: each connection gets "hello-cN" and the
# container's process list (nc from the rootfs).
serve_in() { # N
	ctr-enter "enter-c$1" --init -- sh -c "sleep 100$1 & while :; do { echo hello-c$1; ps -e -o pid=,args=; } | nc -lN 8080; done" &
	echo $! >"$BATS_TEST_TMPDIR/sup$1"
}
# One answer; the server restarts nc between connections, so retry (bounded).
ask() {
	local out i
	for i in $(seq 100); do
		out=$(nc -w2 "$1" 8080 </dev/null 2>/dev/null) || true
		# complete: the greeting and the listing down to the server itself
		if [[ "$out" == hello-* && "$out" == *"nc -lN 8080"* ]]; then
			echo "$out"
			return 0
		fi
		sleep 0.05
	done
	return 1
}

@test "servers in two containers answer on the same port; neither sees the other" {
	local c st
	serve_in 1
	serve_in 2
	run ask 10.201.0.2
	assert_line hello-c1
	assert_line --regexp '^ +1 '
	assert_line --partial 'sleep 1001'
	refute_line --partial 'sleep 1002'
	[ "${#lines[@]}" -le 7 ] || fail "too many processes: $output"
	run ask 10.201.0.3
	assert_line hello-c2
	assert_line --partial 'sleep 1002'
	refute_line --partial 'sleep 1001'
	for c in 1 2; do
		kill -TERM "$(cat "$BATS_TEST_TMPDIR/sup$c")"
	done
	for c in 1 2; do
		st=0
		wait "$(cat "$BATS_TEST_TMPDIR/sup$c")" || st=$?
		[ "$st" -eq 143 ] || fail "status $st"
	done
}

# The first thing a student runs: the default rootfs has python3's whole
# standard library (python3-minimal had no http.server).  The page is made
# inside, served from the container's netns and fetched from the host.
@test "python3 -m http.server serves a page inside a container on the default rootfs" {
	local sup st page="$BATS_TEST_TMPDIR/page"
	ctr-enter enter-c1 --rm --init -- sh -c \
		'mkdir /srv/www && seq 1 20000 >/srv/www/page.txt && exec python3 -m http.server --bind 10.201.0.2 --directory /srv/www 8000' \
		>"$BATS_TEST_TMPDIR/server.log" 2>&1 3>&- &
	sup=$!
	wait_until 400 curl -fsS --noproxy '*' --max-time 2 -o "$page" http://10.201.0.2:8000/page.txt ||
		fail "no page: $(cat "$BATS_TEST_TMPDIR/server.log")"
	cmp "$page" <(seq 1 20000)
	[ "$(stat -c %s "$page")" -eq 108894 ]
	kill -TERM "$sup"
	st=0
	wait "$sup" || st=$?
	[ "$st" -eq 143 ] || fail "status $st: $(cat "$BATS_TEST_TMPDIR/server.log")"
	grep -q '"GET /page.txt HTTP/1.1" 200' "$BATS_TEST_TMPDIR/server.log"
}

# --- the writable layer ------------------------------------------------------

@test "ping without NET_RAW: an ICMP echo socket works (netns-setup's ping_group_range), a raw socket does not; Debian's ping (cap_net_raw=ep) cannot run then" {
	local icmp='
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
s.settimeout(3)
s.sendto(struct.pack("!BBHHH", 8, 0, 0, 0, 1) + b"ctr", ("10.201.0.1", 0))
print("echo reply" if s.recvfrom(100)[0][0] == 0 else "other")'
	run ctr-enter enter-c1 --rm --cap-drop NET_RAW -u 1000 -- python3 -c "$icmp"
	assert_success
	assert_output "echo reply"
	run ctr-enter enter-c1 --rm --cap-drop NET_RAW -- python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)'
	assert_failure
	assert_output --partial "Operation not permitted"
	# With NET_RAW (the default set), ping works as always.
	run ctr-enter enter-c1 --rm -- ping -c1 -W2 10.201.0.1
	assert_success
	# The rootfs's ping carries the file capability cap_net_raw=ep: an
	# exec that cannot grant it fails, the reason NET_RAW stays in the
	# default set (docs/security.md).
	run ctr-enter enter-c1 --rm --cap-drop NET_RAW -- ping -c1 -W2 10.201.0.1
	assert_failure
	assert_output --partial "Operation not permitted"
}

@test "writes persist in the layer across runs and never touch the image" {
	run ctr-enter enter-c1 -- sh -c 'echo kept > /persist; rm /etc/debian_version'
	assert_success
	run ctr-enter enter-c1 -- sh -c 'cat /persist; test -e /etc/debian_version || echo deleted'
	assert_output "$(printf 'kept\ndeleted')"
	assert_file_not_exist "$CTR_TEST_ROOTFS/persist"
	assert_file_exist "$CTR_TEST_ROOTFS/etc/debian_version"
	assert_file_exist "$CTR_LIB_DIR/enter-c1/upper/persist"
}

@test "two containers on one image do not see each other's writes" {
	ctr-enter enter-c1 -- sh -c 'echo one > /mine'
	run ctr-enter enter-c2 -- sh -c 'cat /mine 2>&1'
	assert_failure
	assert_output --partial "No such file"
	run ctr-enter enter-c1 -- cat /mine
	assert_output one
}

@test "--rm discards the layer at exit" {
	run ctr-enter enter-c1 --rm -- sh -c 'echo gone > /tmpfile; cat /tmpfile'
	assert_success
	assert_output gone
	assert_file_not_exist "$CTR_LIB_DIR/enter-c1"
	run ctr-enter enter-c1 --rm -- cat /tmpfile
	assert_failure
}

@test "--read-only: no layer, the image cannot be written" {
	run ctr-enter enter-c1 --read-only -- sh -c 'touch /x 2>&1; cat /etc/debian_version'
	assert_output --partial "Read-only file system"
	assert_line "$(cat "$CTR_TEST_ROOTFS/etc/debian_version")"
	assert_file_not_exist "$CTR_LIB_DIR/enter-c1"
	assert_file_not_exist "$CTR_TEST_ROOTFS/x"
}

@test "without openat2 (Linux < 5.6) paths still resolve inside the rootfs" {
	# a symlink in the layer that points at a host path must stay inside
	mkdir -p "$CTR_LIB_DIR/enter-c1/upper/etc" "$CTR_LIB_DIR/enter-c1/work"
	ln -sfn /run/ctr-escape-target "$CTR_LIB_DIR/enter-c1/upper/etc/hosts"
	require_hooks_build
	CTR_TEST_NO_OPENAT2=1 run "$CTR_HOOKS_BIN/ctr-enter" enter-c1 -v "$BATS_TEST_TMPDIR:/mnt/vol" -- \
		sh -c 'cat /etc/hostname; ls -d /mnt/vol; ls /run/ctr-escape-target 2>&1 || true'
	assert_success
	assert_line enter-c1
	assert_line /mnt/vol
	assert_file_not_exist /run/ctr-escape-target
}

@test "the supervisor is valgrind-clean (no errors, no leaks)" {
	command -v valgrind >/dev/null || skip "no valgrind"
	# make test-asan: valgrind cannot run an ASan binary; ASan checks it there
	! grep -q __asan_init "$(command -v ctr-enter)" || skip "ASan build (checked by AddressSanitizer)"
	run valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
		--error-exitcode=99 --log-file="$BATS_TEST_TMPDIR/vg.log" \
		ctr-enter enter-c1 --rm --memory 64 -- sh -c 'echo hi; exit 3'
	[ "$status" -eq 3 ]
	assert_output hi
	# -q: valgrind prints only errors.  Lines of PID 1 (==1==, --1--, the
	# child until its exec) are valgrind's own gaps (openat2, mount(2) with
	# a NULL type); the supervisor's must be none but valgrind's note that
	# it does not know NS_GET_USERNS (0xb701, which returns an fd and
	# writes no memory: who owns the netns, namespaces.c).
	run grep -Ev '^(==|--)1(==|--)|unhandled ioctl 0xb701 with no size|could cause spurious value errors|README_MISSING_SYSCALL_OR_IOCTL' "$BATS_TEST_TMPDIR/vg.log"
	assert_output ""
}

# --- exit status and signals -------------------------------------------------

@test "exit status: 0, 1, 42, 126, 127, 125, 128+N" {
	run ctr-enter enter-c1 -- true
	[ "$status" -eq 0 ]
	run ctr-enter enter-c1 -- false
	[ "$status" -eq 1 ]
	run ctr-enter enter-c1 -- sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run ctr-enter enter-c1 -- /etc/passwd
	[ "$status" -eq 126 ]
	assert_output "ctr-enter: enter-c1: exec /etc/passwd: Permission denied"
	run -127 ctr-enter enter-c1 -- no-such-command
	[ "$status" -eq 127 ]
	assert_output --partial "ctr-enter: enter-c1: exec no-such-command:"
	run -127 ctr-enter enter-c1 -- /no/such/file
	[ "$status" -eq 127 ]
	run ctr-enter enter-c1 --no-such-option
	[ "$status" -eq 125 ]
	run ctr-enter enter-c1 --init -- sh -c 'kill -USR1 $$'
	[ "$status" -eq 138 ]
}

@test "PID 1 killed by a signal: 128+N" {
	ctr-enter enter-c1 -- sleep 1000 &
	local sup=$!
	wait_until 100 state_has_pid enter-c1
	kill -KILL "$(state_field enter-c1 pid)"
	local st=0
	wait "$sup" || st=$?
	[ "$st" -eq 137 ]
}

@test "signals sent to ctr-enter reach PID 1 (trap in a shell)" {
	local out sig st
	for sig in TERM INT HUP USR1; do
		out="$BATS_TEST_TMPDIR/out-$sig"   # a fresh file: the redirection happens in the background job
		ctr-enter enter-c1 -- sh -c "trap 'echo got-$sig; exit 7' $sig; echo ready; while :; do sleep 0.05; done" >"$out" &
		local sup=$!
		wait_until 200 grep -q ready "$out"
		kill -"$sig" "$sup"
		st=0
		wait "$sup" || st=$?
		[ "$st" -eq 7 ] || fail "$sig: status $st"
		grep -q "got-$sig" "$out"
	done
}

# Without a pty (stdin /dev/null, stdout a file) WINCH is not a resize: the
# supervisor forwards it like QUIT and USR2.  PID 1 records each one it got
# and keeps running; TERM ends it.  The container is in a session of its
# own, so the supervisor forwards every signal, and each must still arrive
# once (the terminal's Ctrl-C/Ctrl-\ case: 35-stdio).
@test "SIGQUIT, SIGUSR2 and SIGWINCH sent to ctr-enter reach PID 1 (no pty)" {
	local out="$BATS_TEST_TMPDIR/out" sig sup st
	ctr-enter enter-c1 -- sh -c 'for s in QUIT USR2 WINCH; do trap "echo got-$s" $s; done
		trap "echo got-TERM; exit 7" TERM; echo ready; while :; do sleep 0.05; done' \
		</dev/null >"$out" 2>&1 &
	sup=$!
	wait_until 200 grep -q ready "$out" || fail "PID 1 did not start: $(cat "$out")"
	for sig in QUIT USR2 WINCH; do
		kill -"$sig" "$sup"
		wait_until 100 grep -qx "got-$sig" "$out" || fail "$sig did not reach PID 1: $(cat "$out")"
	done
	kill -TERM "$sup"
	st=0
	wait "$sup" || st=$?
	[ "$st" -eq 7 ] || fail "status $st: $(cat "$out")"
	# each arrived once, nothing else (e.g. no second copy of one)
	run cat "$out"
	assert_output "$(printf 'ready\ngot-QUIT\ngot-USR2\ngot-WINCH\ngot-TERM')"
}

@test "--init: signals reach COMMAND, orphans are reaped, its status is returned" {
	local out="$BATS_TEST_TMPDIR/out"
	ctr-enter enter-c1 --init -- sh -c 'echo ready; (sleep 0.01 &); exec sleep 1000' >"$out" &
	local sup=$!
	wait_until 200 grep -q ready "$out"
	kill -TERM "$sup"
	local st=0
	wait "$sup" || st=$?
	[ "$st" -eq 143 ]
	# (sleep &) leaves an orphan that only PID 1 can reap
	run ctr-enter enter-c1 --init -- sh -c '(sleep 0.01 &); sleep 0.3; ps -e -o stat=,comm= | grep -c "^Z"; exit 5'
	[ "$status" -eq 5 ]
	assert_output 0
	run -127 ctr-enter enter-c1 --init -- no-such-command
	assert_output --partial "ctr-enter: enter-c1: exec no-such-command:"
}

@test "a symlink in the layer cannot redirect a volume onto the host" {
	local vol="$BATS_TEST_TMPDIR/vol" outside="$BATS_TEST_TMPDIR/outside"
	mkdir -p "$vol" "$outside"
	echo data >"$BATS_TEST_TMPDIR/file"
	ctr-enter enter-c1 -- sh -c "ln -s '$outside' /evil; ln -s '$outside/f' /evilf; ln -s ../..$outside/r /rel"
	run ctr-enter enter-c1 -v "$vol:/evil/mnt" -v "$BATS_TEST_TMPDIR/file:/evilf" -v "$vol:/rel" -- \
		sh -c 'test -d /evil/mnt && echo mounted; cat /evilf; test -d /rel && echo rel'
	assert_success
	assert_output "$(printf 'mounted\ndata\nrel')"
	[ -z "$(ls -A "$outside")" ] || fail "created on the host: $(ls -A "$outside")"
	assert_dir_exist "$CTR_LIB_DIR/enter-c1/upper$outside/mnt"
	assert_file_exist "$CTR_LIB_DIR/enter-c1/upper$outside/f"
	assert_dir_exist "$CTR_LIB_DIR/enter-c1/upper$outside/r"
}

@test "kill -9 of ctr-enter takes the container down; the next run cleans up" {
	ctr-enter enter-c1 --rm -- sleep 4242 &
	local sup=$! pid1
	wait_until 100 state_has_pid enter-c1
	pid1=$(state_field enter-c1 pid)
	# a second start joins the running container (60-lifecycle); one
	# that would change it is refused
	run ctr-enter enter-c1 --rm -- true
	[ "$status" -eq 125 ]
	assert_output --partial "cannot change a running container"
	kill -KILL "$sup"
	wait_until 100 pid_gone "$pid1"
	run ! pgrep -f 'sleep 4242'
	# left: state + lock (no mounts: they died with the mount namespace)
	run ! grep -qF "$CTR_RUN_DIR" /proc/self/mountinfo
	run ctr-enter enter-c1 --rm -- true
	assert_success
	# only the records of provisioned cgroups (netns-setup create's)
	local left
	left=$(find "$CTR_RUN_DIR" -mindepth 1 -maxdepth 1 ! -name '*.cgroup')
	[ -z "$left" ]
	assert_file_not_exist "$CTR_LIB_DIR/enter-c1"
}

# setuid/setgid make the kernel clear PR_SET_PDEATHSIG: PID 1 re-arms it
# after switching user, or a kill -9 of the supervisor would orphan it.
@test "kill -9 of ctr-enter also takes down a PID 1 that switched user (-u, --init -u)" {
	local opts sup pid1 n=4300
	for opts in "-u 65534" "-u 65534:65534 --init"; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		ctr-enter enter-c1 $opts -- sleep "$n" </dev/null >/dev/null 2>&1 3>&- &
		sup=$!
		# COMMAND runs: PID 1 has switched user
		wait_until 100 pgrep_quiet "^sleep $n\$" || fail "$opts: sleep $n did not start"
		wait_until 100 state_has_pid enter-c1
		pid1=$(state_field enter-c1 pid)
		[ "$(stat -c %u "/proc/$pid1")" -eq 65534 ]
		kill -KILL "$sup"
		wait "$sup" || true
		if ! wait_until 60 pid_gone "$pid1"; then
			kill -KILL "$pid1"
			fail "$opts: PID 1 $pid1 outlived its killed supervisor"
		fi
		wait_until 60 eval "! pgrep -f '^sleep $n\$' >/dev/null" || fail "$opts: sleep $n still runs"
		run ctr-enter --cleanup enter-c1
		assert_success
	done
}

# The host's mount table, less what other suites mount while we run (their
# named netns, their trees under /tmp, their cgroups); ours stay in.
host_mounts() {
	awk -v mine="$BATS_FILE_TMPDIR" '
		index($5, mine) == 1 { print; next }
		$5 ~ "^/run/netns/" && $5 !~ "^/run/netns/enter-" { next }
		$5 ~ "^/tmp/" || $5 ~ "^/sys/fs/cgroup/" { next }
		{ print }' /proc/self/mountinfo
}

@test "100 runs leave the mount table, CTR_RUN_DIR and the netns list unchanged" {
	local before after i
	before=$(host_mounts; ls -A "$CTR_RUN_DIR"; ip netns list | grep '^enter-' | sort)
	for i in $(seq 100); do
		ctr-enter enter-c1 -- true || fail "run $i failed"
	done
	after=$(host_mounts; ls -A "$CTR_RUN_DIR"; ip netns list | grep '^enter-' | sort)
	[ "$before" = "$after" ] || fail "changed: $(diff <(echo "$before") <(echo "$after"))"
	run ! grep -qF -e "$CTR_RUN_DIR" -e "$CTR_LIB_DIR" /proc/self/mountinfo
}

# --- bad input: one line, 125, nothing left behind ---------------------------

# refused WANT ARGS...: ctr-enter ARGS refuses (125) in one line holding
# WANT, and changes nothing in the run and lib dirs.
refused() {
	local before
	before=$(find "$CTR_RUN_DIR" "$CTR_LIB_DIR" | sort)
	expect_refusal ctr-enter 125 "$1" -- "${@:2}"
	assert_equal "$(find "$CTR_RUN_DIR" "$CTR_LIB_DIR" | sort)" "$before"
}

@test "bad input: missing netns says how to create it" {
	refused "netns-setup create enter-none IP" enter-none -- true
}

@test "bad input: missing or unfinished rootfs" {
	refused "/nonexistent" enter-c1 --rootfs /nonexistent -- true
	mkdir -p "$BATS_TEST_TMPDIR/half/bin"
	refused "is not a finished rootfs (no .ctr-rootfs marker): build it with rootfs-builder $BATS_TEST_TMPDIR/half" \
		enter-c1 --rootfs "$BATS_TEST_TMPDIR/half" -- true
	CTR_ROOTFS="$BATS_TEST_TMPDIR/half" refused "rootfs-builder" enter-c1 -- true
}

@test "bad input: options" {
	refused "unknown option '--frobnicate'" enter-c1 --frobnicate
	refused "unknown option '-Z'" -Z enter-c1
	refused "needs a value" enter-c1 --hostname
	refused "option -h needs a value" enter-c1 -h
	refused "missing container NAME" --rm
}

@test "bad input: -v" {
	refused "not absolute" enter-c1 -v relative:/x -- true
	refused "not absolute" enter-c1 -v /tmp:relative -- true
	refused "'..'" enter-c1 -v /tmp:/a/../etc -- true
	refused "expected HOST:CTR" enter-c1 -v /tmp -- true
	refused "mode must be ro or rw" enter-c1 -v /tmp:/x:rx -- true
	refused "/no/such/dir" enter-c1 -v /no/such/dir:/x -- true
}

@test "bad input: -u and -w" {
	refused "bad user" enter-c1 -u 'a b' -- true
	refused "bad user" enter-c1 -u '' -- true
	refused "user 'nosuchuser': not found" enter-c1 -u nosuchuser -- true
	refused "bad workdir 'relative'" enter-c1 -w relative -- true
	# a missing -w DIR is made (65-service); one that cannot be is refused
	refused "workdir /etc/hostname/x: mkdir /etc/hostname/x: Not a directory" enter-c1 -w /etc/hostname/x -- true
}

@test "bad input: hostname and NAME" {
	refused "bad hostname" enter-c1 --hostname "$(printf 'h%.0s' $(seq 65))" -- true
	refused "bad hostname 'bad!host'" enter-c1 --hostname 'bad!host' -- true
	refused "bad hostname" enter-c1 --hostname '-x' -- true
	run ctr-enter enter-c1 --hostname "$(printf 'h%.0s' $(seq 64))" -- hostname
	assert_success
	refused "bad container name '.hidden'" .hidden -- true
	refused "bad container name 'a/b'" a/b -- true
	refused "bad container name '..'" .. -- true
	refused "bad container name 'a..b'" a..b -- true
	refused "bad container name" "$(printf 'n%.0s' $(seq 33))" -- true
}

# Bad input leaves no state directory that was not there before (the
# lock is taken before the rootfs, volume and netns checks).
@test "bad input: a CTR_RUN_DIR that did not exist is not left behind" {
	local top="$BATS_TEST_TMPDIR/new" rd="$BATS_TEST_TMPDIR/new/run/"
	CTR_RUN_DIR=$rd run ctr-enter enter-none -- true
	assert_failure 125
	assert_output --partial "netns-setup create enter-none IP"
	assert_not_exist "$top"
	CTR_RUN_DIR=$rd run ctr-enter enter-c1 --rootfs /nonexistent -- true
	assert_failure 125
	assert_output --partial "/nonexistent"
	assert_not_exist "$top"
	CTR_RUN_DIR=$rd run ctr-enter enter-c1 -v /no/such/dir:/x -- true
	assert_failure 125
	assert_output --partial "/no/such/dir"
	assert_not_exist "$top"
	CTR_RUN_DIR=$rd run ctr-enter --join enter-c1 true
	assert_failure 125
	assert_output "ctr-enter: enter-c1: container is not running"
	assert_not_exist "$top"
	CTR_RUN_DIR=$rd run ctr-enter --cleanup enter-c1
	assert_success
	assert_not_exist "$top"
	# a run in it leaves it as it was found too; an existing one stays
	CTR_RUN_DIR=$rd run ctr-enter enter-c1 -- echo ran
	assert_success
	assert_output ran
	assert_not_exist "$top"
	mkdir -p "$rd"
	CTR_RUN_DIR=$rd run ctr-enter enter-none -- true
	assert_failure 125
	assert_dir_exist "$rd"
	[ -z "$(ls -A "$rd")" ]
}

# The same for CTR_LIB_DIR: a start that fails after its layer was made (a
# limit the cgroup refuses, a user PID 1 cannot find), or an --rm run,
# leaves no CTR_LIB_DIR it had to create; a kept layer keeps it.
@test "a CTR_LIB_DIR that did not exist is not left behind by a failed or --rm start" {
	local top="$BATS_TEST_TMPDIR/newlib" ld="$BATS_TEST_TMPDIR/newlib/lib/"
	CTR_LIB_DIR=$ld run ctr-enter enter-c1 --memory 1k -- true
	assert_failure 125
	assert_output --partial "--memory"
	assert_not_exist "$top"
	CTR_LIB_DIR=$ld run ctr-enter enter-c1 -u nosuchuser -- true
	assert_failure 125
	assert_output --partial "nosuchuser"
	assert_not_exist "$top"
	CTR_LIB_DIR=$ld run ctr-enter enter-c1 --rm -- sh -c 'echo x >/written; cat /written'
	assert_success
	assert_output x
	assert_not_exist "$top"
	CTR_LIB_DIR=$ld run ctr-enter enter-c1 -- sh -c 'echo y >/written'
	assert_success
	assert_dir_exist "$ld/enter-c1/upper"
	assert_file_exists "$ld/enter-c1/upper/written"
	rm -rf "$top"
}

@test "bad input: not root" {
	command -v setpriv >/dev/null || skip "no setpriv"
	local before after
	before=$(find "$CTR_RUN_DIR" "$CTR_LIB_DIR" | sort)
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$CTR_BIN/ctr-enter" enter-c1 -- true
	after=$(find "$CTR_RUN_DIR" "$CTR_LIB_DIR" | sort)
	[ "$status" -eq 125 ]
	assert_output "ctr-enter: enter-c1: must be run as root (it creates namespaces and mounts)"
	[ "$before" = "$after" ]
}

# --- a real terminal ---------------------------------------------------------

tmux_cmd() { tmux -L "$ENTER_TMUX" "$@"; }
pane() { tmux_cmd capture-pane -p -t enter; }
pane_has() { pane | grep -qE -- "$1"; }
# Bounded wait for a regexp in the pane.
wait_pane() {
	wait_until 200 pane_has "$1" || { pane >&2; fail "pane never showed: $1"; }
}

@test "terminal: prompt, tty, Ctrl-C, Ctrl-Z + fg, exit status (tmux)" {
	command -v tmux >/dev/null || skip "no tmux"
	tmux_cmd new-session -d -s enter -x 100 -y 30 \
		"env PATH='$PATH' CTR_ROOTFS='$CTR_ROOTFS' CTR_RUN_DIR='$CTR_RUN_DIR' CTR_LIB_DIR='$CTR_LIB_DIR' CTR_CGROUP_PARENT='$CTR_CGROUP_PARENT' bash --norc --noprofile"
	tmux_cmd send-keys -t enter "PS1='host\$ '" Enter
	wait_pane '^host\$'
	tmux_cmd send-keys -t enter "ctr-enter enter-c1 --hostname tbox" Enter
	wait_pane '^root@tbox:.*# ?$'
	tmux_cmd send-keys -t enter "tty" Enter
	wait_pane '^/dev/pts/[0-9]+$'
	# the window size follows the caller's terminal (SIGWINCH -> TIOCSWINSZ)
	tmux_cmd send-keys -t enter "stty size" Enter
	wait_pane '^30 100$'
	tmux_cmd resize-window -t enter -x 90 -y 25
	tmux_cmd send-keys -t enter "clear; stty size" Enter
	wait_pane '^25 90$'
	tmux_cmd send-keys -t enter "sleep 4711" Enter
	wait_until 100 pgrep_quiet '^sleep 4711$'
	tmux_cmd send-keys -t enter C-c
	wait_pane '\^C'
	tmux_cmd send-keys -t enter "echo after-sleep-\$?" Enter
	wait_pane '^after-sleep-130$'
	run ! pgrep -f '^sleep 4711$'
	tmux_cmd send-keys -t enter "sleep 4712" Enter
	wait_until 100 pgrep_quiet '^sleep 4712$'
	tmux_cmd send-keys -t enter C-z
	wait_pane 'Stopped +sleep 4712'
	tmux_cmd send-keys -t enter "fg" Enter
	wait_until 100 pane_has '^sleep 4712$'
	tmux_cmd send-keys -t enter C-c
	tmux_cmd send-keys -t enter "echo still-here; exit 9" Enter
	wait_pane '^still-here$'
	wait_pane '^host\$ ?$'
	tmux_cmd send-keys -t enter 'echo "rc=$?"' Enter
	wait_pane '^rc=9$'
	# ctr-enter itself was not interrupted by Ctrl-C: it returned the shell's status.
	tmux_cmd kill-server
}

@test "no terminal: pipes work and no pty is allocated" {
	run bash -c 'echo piped | ctr-enter enter-c1 -- sh -c "cat; tty; ls /dev/pts" | cat'
	assert_line piped
	assert_line "not a tty"
	assert_line ptmx
	[ "${#lines[@]}" -eq 3 ]
}
