#!/usr/bin/env bats
# The provisioned cgroup: `netns-setup create NAME IP --memory ...` makes
# the container's cgroup once, its limits the ceiling of every run; a start
# joins it (no cgroup directory made or removed), a run's own limits only
# tighten it for that run, destroy removes it.  Real kernel, any layout
# (v1 split or combined, v2).
# shellcheck shell=bash
# shellcheck disable=SC2030,SC2031  # bats' run sets $lines in each test
# shellcheck disable=SC2016  # the container's shell expands them

load test_helper

PV_NET=10.207.1

pv_snapshot() {
	suite_snapshot pv- ct-prov prov
	echo "## run"; find "$CTR_RUN_DIR" -mindepth 1 | sort
	echo "## net-state"; find "$CTR_NET_STATE_DIR/netns" -mindepth 1 2>/dev/null | sort
}

setup_file() {
	require_root
	ctr_test_env prov
	pv_snapshot >"$BATS_FILE_TMPDIR/before"
	net_create pv-a "$PV_NET.2/24" --memory 64 --pids-limit 40 --cpus 1 >/dev/null
	net_create pv-b "$PV_NET.3/24" >/dev/null
}

teardown_file() {
	remove_containers pv-a pv-b pv-c pv-d
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot pv_snapshot "$BATS_FILE_TMPDIR/before")"
}

setup() {
	rm -rf "${CTR_LIB_DIR:?}"/*
}

teardown() {
	kill_suite_containers
}

# The pids in NAME's provisioned cgroup (the pids hierarchy's directory).
pv_procs() {
	cat "$(cg_dir "$1" pids)/cgroup.procs"
}

# Wait until NAME's supervisor has written its state (PID 1 runs COMMAND).
pv_wait_running() {
	wait_until 100 test -s "$CTR_RUN_DIR/$1/state"
}

# The CPU time --stats reports for the running container NAME, in ns.
pv_cpu_ns() {
	ctr-enter --stats "$1" --json | sed 's/.*"cpu_ns":\([0-9]*\).*/\1/'
}

# ------------------------------------------------------- create, destroy

@test "create --memory 64 --pids-limit 40 --cpus 1: the cgroup exists in every hierarchy with the ceiling, recorded" {
	local d
	for c in memory cpu pids; do
		d=$(cg_dir pv-a "$c")
		assert [ -d "$d" ]
	done
	if [ "$(cg_layout)" = v1 ]; then
		assert_equal "$(cat "$(cg_file pv-a memory.limit_in_bytes)")" 67108864
		assert_equal "$(cat "$(cg_file pv-a cpu.cfs_quota_us)")" 100000
		assert [ -d "$(cg_dir pv-a cpuacct)" ]
		assert [ -d "$(cg_dir pv-a devices)" ]
	else
		assert_equal "$(cat "$(cg_file pv-a memory.max)")" 67108864
		assert_equal "$(cat "$(cg_file pv-a cpu.max)")" "100000 100000"
	fi
	assert_equal "$(cat "$(cg_file pv-a pids.max)")" 40
	run netns-setup show pv-a
	assert_success
	assert_line "limits:    memory 64, cpus 1, pids-limit 40"
	run netns-setup list --json
	assert_output --partial '"name":"pv-a",'
	assert_output --partial '"cgroup":true,"limits":{"memory":"64","cpus":"1","pids_limit":"40"}'
}

@test "destroy removes the cgroup in every hierarchy and its record" {
	net_create pv-c "$PV_NET.4/24" --memory 32 >/dev/null
	run cg_all_dirs
	assert_output --partial "/pv-c"
	assert [ -e "$CTR_RUN_DIR/pv-c.cgroup" ]
	net_destroy pv-c
	run cg_all_dirs
	refute_output --partial "/pv-c"
	assert [ ! -e "$CTR_RUN_DIR/pv-c.cgroup" ]
}

@test "bad limits at create: one line, exit 1, nothing made (no netns, no cgroup, no record)" {
	local bad
	for bad in "--memory 3" "--memory abc" "--cpus 0" "--pids-limit 0" "--cpu-shares 1" \
		"--memory-swap 100" "--memory 100 --memory-swap 50"; do
		# shellcheck disable=SC2086 # the option and its value
		run netns-setup create pv-c "$PV_NET.4/24" --bridge "$CTR_BRIDGE" --no-nat $bad
		assert_failure 1
		[ "${#lines[@]}" -eq 1 ] || fail "$bad: ${#lines[@]} lines: $output"
		assert_output --regexp "^netns-setup: pv-c: cgroup: bad --"
		run cg_all_dirs
		refute_output --partial "/pv-c"
		assert [ ! -e /run/netns/pv-c ]
		assert [ ! -e "$CTR_RUN_DIR/pv-c.cgroup" ]
		assert [ ! -e "$CTR_NET_STATE_DIR/netns/pv-c" ]
	done
}

@test "a create killed with -9 right after its cgroup was provisioned: the next command removes the cgroup with the rest" {
	# A ctr-enter wrapper that provisions, then hangs (netns-setup waits
	# for it), so that netns-setup is killed with the cgroup made and its
	# record still saying cgroup=2.
	local bin=$BATS_TEST_TMPDIR/bin before pid
	before=$(cg_all_dirs)
	mkdir -p "$bin"
	cat >"$bin/ctr-enter" <<-EOF
		#!/bin/bash
		$CTR_ENTER "\$@" || exit
		[ "\$1" != --provision ] || { echo \$\$ >"$BATS_TEST_TMPDIR/enter.pid"; exec sleep 100; }
	EOF
	chmod +x "$bin/ctr-enter"
	CTR_ENTER=$bin/ctr-enter netns-setup create pv-d "$PV_NET.5/24" --memory 32 --bridge "$CTR_BRIDGE" --no-nat &
	pid=$!
	wait_until 100 test -s "$BATS_TEST_TMPDIR/enter.pid" || fail "the wrapper never provisioned"
	[ -d "$(cg_dir pv-d memory)" ]
	run grep -x cgroup=2 "$CTR_NET_STATE_DIR/netns/pv-d"
	assert_success
	kill -9 "$pid" "$(cat "$BATS_TEST_TMPDIR/enter.pid")"
	wait "$pid" || true
	# the next command rolls the create back, the cgroup with it
	net_create pv-c "$PV_NET.4/24" >/dev/null
	[ ! -e /run/netns/pv-d ]
	[ ! -e "$CTR_NET_STATE_DIR/netns/pv-d" ]
	[ ! -e "$CTR_RUN_DIR/pv-d.cgroup" ]
	run bash -c "find /sys/fs/cgroup -maxdepth 5 -type d -path '*/$CTR_CGROUP_PARENT/pv-d*'"
	assert_output ''
	# and the name can be created again
	net_create pv-d "$PV_NET.5/24" --memory 32 >/dev/null
	remove_containers pv-c pv-d
	assert_equal "$(cg_all_dirs)" "$before"
}

@test "a failed create leaves a foreign PARENT/NAME cgroup and its process alone" {
	local d sleeper
	d=$(cg_dir pv-c pids)
	mkdir "$d"
	sleep 60 &
	sleeper=$!
	echo "$sleeper" >"$d/cgroup.procs"
	run netns-setup create pv-c "$PV_NET.4/24" --bridge "$CTR_BRIDGE" --no-nat --memory 32
	local rc=$status out=$output
	local alive=0 there=0
	kill -0 "$sleeper" 2>/dev/null && alive=1
	[ -d "$d" ] && there=1
	# The test's own: its process and its directory.
	kill -9 "$sleeper" 2>/dev/null || true
	wait "$sleeper" 2>/dev/null || true
	wait_until 100 rmdir "$d" 2>/dev/null || true
	[ "$rc" -ne 0 ] || fail "create succeeded over a foreign cgroup: $out"
	[ "$alive" -eq 1 ] || fail "the foreign cgroup's process was killed: $out"
	[ "$there" -eq 1 ] || fail "the foreign cgroup was removed: $out"
	assert [ ! -e /run/netns/pv-c ]
	assert [ ! -e "$CTR_NET_STATE_DIR/netns/pv-c" ]
}

@test "ctrctl create passes the limits through to netns-setup" {
	run ctrctl create pv-c "$PV_NET.4/24" --bridge "$CTR_BRIDGE" --no-nat --pids-limit 33
	assert_success
	assert_equal "$(cat "$(cg_file pv-c pids.max)")" 33
	net_destroy pv-c
}

# ---------------------------------------------------------------- starts

@test "a start joins the provisioned cgroup: PID 1 in its cgroup.procs, no cgroup directory made or removed" {
	local before during after sup pid1
	before=$(cg_all_dirs)
	ctr-enter pv-a -- sleep 30 &
	sup=$!
	pv_wait_running pv-a
	during=$(cg_all_dirs)
	pid1=$(state_field pv-a pid)
	run pv_procs pv-a
	assert_line "$pid1"
	kill -9 "$pid1"
	wait "$sup" || true
	after=$(cg_all_dirs)
	assert_equal "$during" "$before"
	assert_equal "$after" "$before"
	# Still there and usable.
	run ctr-enter pv-a -- true
	assert_success
}

# The kernel's cgroup_attach_task events (tracefs, in an instance of this
# test's own: the host's tracing is left as it is) of one start of NAME,
# into BATS_TEST_TMPDIR/attach: one line per process moved into a cgroup.
pv_trace_attach() {
	local tr="$BATS_TEST_TMPDIR/tracefs" inst pid1 rc=0
	mkdir -p "$tr"
	mount -t tracefs nodev "$tr"
	inst="$tr/instances/ctr-test-$$"
	mkdir "$inst"
	echo 1 >"$inst/events/cgroup/cgroup_attach_task/enable"
	ctr-enter "$1" -- sh -c 'echo $$' >"$BATS_TEST_TMPDIR/pid1" || rc=$?
	# the control: a move the test makes itself is seen
	local ctl sleeper
	ctl="$(cg_mount memory)/$CTR_CGROUP_PARENT/pv-trace-control"
	mkdir "$ctl"
	sleep 30 &
	sleeper=$!
	echo "$sleeper" >"$ctl/cgroup.procs"
	kill "$sleeper"
	wait "$sleeper" 2>/dev/null || true
	echo 0 >"$inst/events/cgroup/cgroup_attach_task/enable"
	grep -F "dst_path=/$CTR_CGROUP_PARENT/$1" "$inst/trace" >"$BATS_TEST_TMPDIR/attach" || true
	grep -F "dst_path=/$CTR_CGROUP_PARENT/pv-trace-control" "$inst/trace" >"$BATS_TEST_TMPDIR/control" || true
	wait_until 100 rmdir "$ctl"
	rmdir "$inst"
	umount "$tr"
	return "$rc"
}

@test "a start moves no process into the cgroup from outside: on v2 PID 1 is born in it (clone3, CLONE_INTO_CGROUP), on v1 it moves itself; the kernel's own events say so" {
	pv_trace_attach pv-a
	[ "$(cat "$BATS_TEST_TMPDIR/pid1")" = 1 ]
	run grep -c "pid=" "$BATS_TEST_TMPDIR/control"
	assert_output 1   # the tracing works: the test's own move was seen
	if [ "$(cg_layout)" = v2 ]; then
		# no migration at all: born there
		run cat "$BATS_TEST_TMPDIR/attach"
		assert_output ''
	else
		# one self-move per hierarchy: the task that moves (the line's
		# TASK-PID) is the one moved (pid=), PID 1 before its exec (comm
		# still ctr-enter); no move by anyone else
		[ -s "$BATS_TEST_TMPDIR/attach" ] || fail "no attach event for pv-a on v1"
		run grep -vc 'comm=ctr-enter' "$BATS_TEST_TMPDIR/attach"
		assert_output 0
		run awk '{ n = split($1, t, "-"); for (i = 1; i <= NF; i++) if ($i ~ /^pid=/) moved = substr($i, 5);
			print (t[n] == moved ? "self " moved : "other " moved) }' "$BATS_TEST_TMPDIR/attach"
		refute_output --partial other
		[ "$(sort -u <<<"$output" | wc -l)" -eq 1 ] || fail "more than one process moved: $(cat "$BATS_TEST_TMPDIR/attach")"
	fi
}

@test "a second ctr-enter NAME from another CTR_RUN_DIR fails with one line and leaves the running container alone" {
	local sup pid1
	ctr-enter pv-a -- sleep 30 &
	sup=$!
	pv_wait_running pv-a
	pid1=$(state_field pv-a pid)
	mkdir -p "$BATS_TEST_TMPDIR/run2"
	CTR_RUN_DIR=$BATS_TEST_TMPDIR/run2 run ctr-enter pv-a -- true
	assert_failure
	[ "${#lines[@]}" -eq 1 ] || fail "${#lines[@]} lines: $output"
	assert_output --partial "in use by another ctr-enter"
	kill -0 "$pid1" || fail "the running container was killed"
	run pv_procs pv-a
	assert_line "$pid1"
	kill -9 "$pid1"
	wait "$sup" || true
}

@test "v1: a run that is not privileged takes out each of the exceptions c and b *:* rwm, also one alone" {
	local d
	[ "$(cg_layout)" = v1 ] || skip "v1 only: v2 attaches a device filter per run"
	d=$(cg_dir pv-a devices)
	echo 'b *:* rwm' >"$d/devices.allow"
	run ctr-enter pv-a -- true
	assert_success
	run cat "$d/devices.list"
	refute_line 'b *:* rwm'
	refute_line 'c *:* rwm'
	run ctr-enter pv-a --privileged -- true
	assert_success
	run cat "$d/devices.list"
	assert_line 'b *:* rwm'
	assert_line 'c *:* rwm'
	run ctr-enter pv-a -- true
	assert_success
	run cat "$d/devices.list"
	refute_line 'b *:* rwm'
	refute_line 'c *:* rwm'
}

@test "the ceiling holds: 80 MiB under --memory 64 is OOM-killed (137, the message); pids refused above 40" {
	run ctr-enter pv-a -- python3 -c 'b = bytearray(80 * 1024 * 1024); print("survived")'
	assert_equal "$status" 137
	assert_line "ctr-enter: pv-a: killed by the OOM killer (memory limit 64 MiB)"
	run ctr-enter pv-a -- sh -c 'for i in $(seq 60); do sleep 5 & done 2>&1; wait'
	assert_output --partial "fork"
}

@test "the OOM verdict counts this run only: after an OOM-killed run, a run killed by SIGKILL is not called OOM-killed" {
	run ctr-enter pv-a -- python3 -c 'b = bytearray(80 * 1024 * 1024); print("survived")'
	assert_equal "$status" 137
	assert_line --partial "killed by the OOM killer"
	local sup status=0
	ctr-enter pv-a -- sleep 30 >"$BATS_TEST_TMPDIR/out" 2>&1 &
	sup=$!
	pv_wait_running pv-a
	kill -9 "$(state_field pv-a pid)"
	wait "$sup" || status=$?
	assert_equal "$status" 137
	run cat "$BATS_TEST_TMPDIR/out"
	refute_output --partial "OOM killer"
}

@test "a per-run limit above the ceiling is refused: 125, one line naming the container and the option" {
	local opt
	for opt in "--memory 100" "--pids-limit 41" "--cpus 1.5" "--memory 64 --memory-swap -1"; do
		# shellcheck disable=SC2086
		run ctr-enter pv-a $opt -- true
		assert_failure 125
		[ "${#lines[@]}" -eq 1 ] || fail "$opt: $output"
		assert_output --regexp "^ctr-enter: pv-a: --[a-z-]+ .*: above the provisioned ceiling"
	done
	run cg_all_dirs
	refute_output --partial "/pv-a/run"
}

@test "a tighter per-run limit holds for that run only: --memory 32 OOM-kills 48 MiB, the next run has the ceiling again" {
	run ctr-enter pv-a --memory 32 -- python3 -c 'b = bytearray(48 * 1024 * 1024); print("survived")'
	assert_equal "$status" 137
	assert_line "ctr-enter: pv-a: killed by the OOM killer (memory limit 32 MiB)"
	run ctr-enter pv-a -- python3 -c 'b = bytearray(48 * 1024 * 1024); print("survived")'
	assert_success
	assert_output survived
	run cg_all_dirs
	refute_output --partial "/pv-a/run"
	run ctr-enter pv-a --pids-limit 5 -- sh -c 'for i in $(seq 10); do sleep 5 & done 2>&1; wait'
	assert_output --partial "fork"
	run ctr-enter pv-a -- sh -c 'for i in $(seq 10); do sleep 0.1 & done 2>&1; wait; echo finished'
	assert_output finished
}

@test "a tighter --cpus 0.2 throttles that run: a busy loop gets at most 30% of a CPU" {
	local sup cpu t0 wall
	t0=$(date +%s%N)
	ctr-enter pv-a --cpus 0.2 -- sh -c 'while :; do :; done' &
	sup=$!
	pv_wait_running pv-a
	sleep 2
	cpu=$(pv_cpu_ns pv-a)
	wall=$(($(date +%s%N) - t0))
	kill -9 "$(state_field pv-a pid)"
	wait "$sup" || true
	# 20% of the wall time since the start, with 30% and one CFS period
	# (100 ms) of slack: an unthrottled loop gets 100% of a CPU.
	[ "$cpu" -gt 0 ] && [ "$cpu" -lt $((wall * 3 / 10 + 100000000)) ] ||
		fail "cpu_ns $cpu in ${wall} ns of wall time under --cpus 0.2"
}

@test "joining a run with tighter limits: the joined process is in the run's cgroup" {
	local sup
	ctr-enter pv-a --pids-limit 20 -- sleep 30 &
	sup=$!
	pv_wait_running pv-a
	run ctr-enter pv-a -- cat /proc/self/cgroup
	assert_success
	run ctr-enter --stats pv-a
	assert_output --partial "pids_limit=20 "
	kill -9 "$(state_field pv-a pid)"
	wait "$sup" || true
}

@test "per-run figures: --stats shows this run's CPU time, not the cgroup's lifetime sum" {
	local sup busy=0 cpu i
	# A busy run that has used at least 1 s of CPU (measured, not assumed:
	# under emulation a loop's speed is anyone's guess).
	ctr-enter pv-a -- sh -c 'while :; do :; done' &
	sup=$!
	pv_wait_running pv-a
	for i in $(seq 120); do
		busy=$(pv_cpu_ns pv-a)
		[ "$busy" -ge 1000000000 ] && break
		sleep 0.5
	done
	kill -9 "$(state_field pv-a pid)"
	wait "$sup" || true
	[ "$busy" -ge 1000000000 ] || fail "the busy run used only ${busy} ns of CPU in 60 s"
	ctr-enter pv-a -- sleep 30 &
	sup=$!
	pv_wait_running pv-a
	cpu=$(pv_cpu_ns pv-a)
	kill -9 "$(state_field pv-a pid)"
	wait "$sup" || true
	# Had the sum carried over, this run would show at least the busy one's
	# figure; its own is the start-up and a sleep.
	[ "$cpu" -lt "$busy" ] || fail "cpu_ns $cpu >= the previous run's $busy: the previous run's time is counted"
}

@test "--stats of a provisioned container that is not running: 125, one line" {
	run ctr-enter --stats pv-b
	assert_failure 125
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial "not running"
}

@test "kill -9 of the supervisor at random moments, 20 times: the provisioned cgroup stays usable, nothing else is left" {
	local i sup before
	before=$(cg_all_dirs)
	for i in $(seq 20); do
		if ((i % 2)); then
			ctr-enter pv-b -- sleep 5 &
		else
			ctr-enter pv-b --memory 20 -- sleep 5 &
		fi
		sup=$!
		sleep "0.0$((RANDOM % 10))"
		kill -9 "$sup" 2>/dev/null || true
		wait "$sup" 2>/dev/null || true
	done
	run ctr-enter pv-b -- echo alive
	assert_success
	assert_output alive
	wait_until 100 eval '[ "$(cg_all_dirs)" = "$before" ]' || assert_equal "$(cg_all_dirs)" "$before"
	run pv_procs pv-b
	assert_output ""
}

@test "a network without a provisioned cgroup (older netns-setup) still starts: the cgroup is made and removed by the run" {
	net_create_unprovisioned pv-d "$PV_NET.5/24" >/dev/null
	run cg_all_dirs
	refute_output --partial "/pv-d"
	run netns-setup show pv-d
	assert_line --partial "limits:    no cgroup"
	run ctr-enter pv-d --memory 32 -- cat /proc/self/cgroup
	assert_success
	run cg_all_dirs
	refute_output --partial "/pv-d"
	net_destroy pv-d
}

@test "a limit at create on a host without that controller: one line, exit 1, nothing made" {
	local mem
	mem=$(cg_mount memory)
	[ "$(cg_layout)" = v1 ] && [ -n "$mem" ] ||
		skip "v1 only: v2 offers its controllers in cgroup.controllers, not in mountinfo"
	require_hooks_build
	# This host's mountinfo without its memory hierarchy.
	awk -v m="$mem" '$5 != m' /proc/self/mountinfo >"$BATS_TEST_TMPDIR/mountinfo"
	CTR_ENTER=$CTR_HOOKS_BIN/ctr-enter CTR_TEST_MOUNTINFO=$BATS_TEST_TMPDIR/mountinfo \
		run netns-setup create pv-c "$PV_NET.4/24" --bridge "$CTR_BRIDGE" --no-nat --memory 64
	assert_failure 1
	[ "${#lines[@]}" -eq 1 ]
	assert_output "netns-setup: pv-c: cgroup: --memory: this host has no memory cgroup controller"
	run cg_all_dirs
	refute_output --partial "/pv-c"
	assert [ ! -e /run/netns/pv-c ]
	assert [ ! -e "$CTR_NET_STATE_DIR/netns/pv-c" ]
}
