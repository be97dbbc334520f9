#!/usr/bin/env bats
# Resource limits: ctr-enter's cgroup (--memory and the OOM killer,
# --memory-swap, --cpus, --cpu-shares, --pids-limit and a fork bomb, the
# cgroup namespace view inside, teardown and the clean-up after kill -9,
# devices, bad input, --stats).  Real kernel, the debootstrap rootfs.
# Its networks have no provisioned cgroup (as an older netns-setup made
# them): each start makes the cgroup, each end removes it.  The provisioned
# cgroup of netns-setup create is tested in 42-provision.bats.
# Layout-agnostic: v1 with split or combined (cpu,cpuacct) hierarchies, or
# v2; every cgroup file is found through mountinfo (cg_dir / cg_file).
# shellcheck shell=bash
# shellcheck disable=SC2030,SC2031  # bats' run sets $lines in each test

load test_helper
bats_require_minimum_version 1.5.0

CG_NAMES=(cgt-a cgt-b cgt-c)
CG_NET=10.202.0

# The file holding NAME's memory limit in this layout.
cg_memory_limit_file() {
	cg_layout_file "$1" memory.limit_in_bytes memory.max
}

# The file holding NAME's swap limit: v1 memory + swap in bytes, v2 swap
# alone.  The kernel puts it into every memory cgroup when it accounts swap.
cg_swap_file() {
	cg_layout_file "$1" memory.memsw.limit_in_bytes memory.swap.max
}

# Start NAME with OPTIONS... running sleep, read FILE-FN's file of it into
# $CG_READ ("missing" when the kernel did not make it), stop it.  Fails
# when the container does not start.
cg_read_running() {
	local name=$1 fn=$2 sup f
	shift 2
	ctr-enter "$name" "$@" -- sleep 30 &
	sup=$!
	if ! cg_wait_running "$name"; then
		wait "$sup" || true
		echo "ctr-enter $name $* did not start" >&2
		return 1
	fi
	f=$("$fn" "$name")
	CG_READ=missing
	if [ -e "$f" ]; then CG_READ=$(cat "$f"); fi
	cg_stop "$name" "$sup"
}

# NAME's CPU usage in nanoseconds from its own cgroup's counter.
cg_cpu_ns() {
	if [ "$(cg_layout)" = v1 ]; then
		cat "$(cg_file "$1" cpuacct.usage)"
	else
		echo $(($(awk '$1 == "usage_usec" { print $2 }' "$(cg_file "$1" cpu.stat)") * 1000))
	fi
}

# Wait (5 s at most) until NAME's cgroup holds a process.
cg_wait_running() {
	local f i
	f="$(cg_dir "$1" pids)/cgroup.procs"
	for i in $(seq 50); do
		[ -n "$(cat "$f" 2>/dev/null)" ] && return 0   # cgroup files have size 0
		sleep 0.1
	done
	return 1
}

# End container NAME whose supervisor is SUP: SIGKILL its processes (PID 1
# ignores SIGTERM), then the supervisor tears down and exits.
cg_stop() {
	local f
	f="$(cg_dir "$1" pids)/cgroup.procs"
	# shellcheck disable=SC2046
	kill -9 $(cat "$f" 2>/dev/null) 2>/dev/null || true
	wait "$2" || true
}

# Wait (10 s at most) until process PID is gone (or a zombie).
wait_gone() {
	local i
	for i in $(seq 100); do
		case "$(ps -o stat= -p "$1" 2>/dev/null)" in
		"" | Z*) return 0 ;;
		esac
		sleep 0.1
	done
	return 1
}

# What this suite may leave behind: its netns, links, cgroups, state.
cg_snapshot() {
	{
		echo "## netns"; ip netns list | awk '{print $1}' | grep '^cgt-' | sort || true
		echo "## links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^(v[a-z]-cgt-|$CTR_BRIDGE\$)" | sort || true
		echo "## cgroups"; cg_all_dirs
		echo "## top-level cgroups"; find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d \! -name 'ctr*' | sort  # others' ctr parents come and go
		echo "## mounts"; grep -F -e "$BATS_FILE_TMPDIR" /proc/self/mountinfo || true
		echo "## run"; find "$CTR_RUN_DIR" -mindepth 1 | sort
		echo "## procs"; suite_ctr_pids
	}
}

setup_file() {
	require_root
	ctr_test_env cgroup
	cg_snapshot >"$BATS_FILE_TMPDIR/before"
	local i=2
	for n in "${CG_NAMES[@]}"; do
		net_create_unprovisioned "$n" "$CG_NET.$i/24" >/dev/null
		i=$((i + 1))
	done
}

teardown_file() {
	for n in "${CG_NAMES[@]}"; do
		net_destroy "$n" >/dev/null 2>&1 || true
	done
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot cg_snapshot "$BATS_FILE_TMPDIR/before")"
}

setup() {
	rm -rf "${CTR_LIB_DIR:?}"/*
}

teardown() {
	# A failed test must not leave a container running: end its processes
	# (the supervisor then cleans up), kill -9 a supervisor that hangs.
	local d p
	unset CTR_TEST_MOUNTINFO
	for d in $(cg_all_dirs); do
		# shellcheck disable=SC2046
		kill -9 $(cat "$d/cgroup.procs" 2>/dev/null) 2>/dev/null || true
	done
	for p in $(suite_ctr_pids); do
		wait_gone "$p" || kill -9 "$p" 2>/dev/null || true
	done
}

# ---------------------------------------------------------------- memory

@test "--memory 50: the limit file holds 52428800 while the container runs" {
	ctr-enter cgt-a --memory 50 -- sleep 30 &
	local sup=$!
	cg_wait_running cgt-a
	run cat "$(cg_memory_limit_file cgt-a)"
	cg_stop cgt-a "$sup"
	assert_output 52428800
}

@test "--memory 50: allocating 60 MiB is OOM-killed: exit 137 and the message" {
	run ctr-enter cgt-a --memory 50 -- python3 -c 'b = bytearray(60 * 1024 * 1024); print("survived")'
	assert_equal "$status" 137
	assert_line "ctr-enter: cgt-a: killed by the OOM killer (memory limit 50 MiB)"
	refute_line survived
}

@test "--memory 50: allocating 30 MiB succeeds" {
	run ctr-enter cgt-a --memory 50 -- python3 -c 'b = bytearray(30 * 1024 * 1024); print("survived")'
	assert_success
	assert_output survived
}

# The swap limit as docker means it: --memory-swap is memory + swap.  The
# kernel's file decides which branch runs, so that a misspelt file name in
# cgroup-v1.c / cgroup-v2.c fails here (the write is skipped or fails).

@test "--memory 50 alone: no swap (v1 memory.memsw.limit_in_bytes 52428800, v2 memory.swap.max 0)" {
	cg_read_running cgt-a cg_swap_file --memory 50
	[ "$CG_READ" != missing ] || skip "this kernel does not account swap"
	if [ "$(cg_layout)" = v1 ]; then
		assert_equal "$CG_READ" 52428800
	else
		assert_equal "$CG_READ" 0
	fi
}

@test "--memory 50 --memory-swap 100: v1 memory.memsw.limit_in_bytes 104857600, v2 memory.swap.max 52428800" {
	cg_read_running cgt-a cg_swap_file --memory 50
	[ "$CG_READ" != missing ] || skip "this kernel does not account swap"
	cg_read_running cgt-a cg_swap_file --memory 50 --memory-swap 100
	if [ "$(cg_layout)" = v1 ]; then
		assert_equal "$CG_READ" 104857600
	else
		assert_equal "$CG_READ" 52428800
	fi
	cg_read_running cgt-a cg_memory_limit_file --memory 50 --memory-swap 100
	assert_equal "$CG_READ" 52428800
}

@test "--memory 50 --memory-swap -1: swap unlimited (v1 the root's unlimited value, v2 max)" {
	cg_read_running cgt-a cg_swap_file --memory 50
	[ "$CG_READ" != missing ] || skip "this kernel does not account swap"
	cg_read_running cgt-a cg_swap_file --memory 50 --memory-swap -1
	if [ "$(cg_layout)" = v1 ]; then
		assert_equal "$CG_READ" "$(cat "$(cg_mount memory)/memory.memsw.limit_in_bytes")"
		[ "$CG_READ" -gt 4611686018427387904 ]   # above 2^62: no limit
	else
		assert_equal "$CG_READ" max
	fi
}

@test "a kernel that does not account swap: a finite --memory-swap is refused (125, one line), -1 runs" {
	cg_read_running cgt-a cg_swap_file --memory 50
	[ "$CG_READ" = missing ] || skip "this kernel accounts swap (the other --memory-swap tests ran)"
	[ -e /proc/swaps ] || skip "this kernel has no swap: --memory-swap is ignored with a warning"
	run ctr-enter cgt-a --memory 50 --memory-swap 100 -- true
	assert_failure 125
	[ "${#lines[@]}" -eq 1 ]
	assert_output --regexp "^ctr-enter: cgt-a: --memory-swap: this kernel does not account swap \\(no memory\\.(memsw\\.limit_in_bytes|swap\\.max)"
	run ctr-enter cgt-a --memory 50 --memory-swap -1 -- true
	assert_success
	run cg_all_dirs
	assert_output ""
}

@test "--memory 1g is written in bytes" {
	ctr-enter cgt-a --memory 1g -- sleep 30 &
	local sup=$!
	cg_wait_running cgt-a
	run cat "$(cg_memory_limit_file cgt-a)"
	cg_stop cgt-a "$sup"
	assert_output 1073741824
}

# ------------------------------------------------------------------- CPU

@test "--cpus 0.25: a busy loop gets 20-30% of one CPU (the cgroup's own counter, 3 s)" {
	ctr-enter cgt-b --cpus 0.25 -- timeout 8 sh -c 'while :; do :; done' &
	local sup=$! a b t0 t1 pct
	cg_wait_running cgt-b
	sleep 0.5
	a=$(cg_cpu_ns cgt-b)
	t0=$(date +%s%N)
	sleep 3
	b=$(cg_cpu_ns cgt-b)
	t1=$(date +%s%N)
	wait "$sup" || true
	pct=$(( (b - a) * 100 / (t1 - t0) ))
	echo "CPU use under --cpus 0.25: $pct%" >&3
	[ "$pct" -ge 20 ]
	[ "$pct" -le 30 ]
}

@test "--cpus 0.5: v1 cpu.cfs_quota_us 50000 and cpu.cfs_period_us 100000, v2 cpu.max \"50000 100000\"" {
	ctr-enter cgt-b --cpus 0.5 -- sleep 30 &
	local sup=$! quota
	cg_wait_running cgt-b
	if [ "$(cg_layout)" = v1 ]; then
		quota="$(cat "$(cg_file cgt-b cpu.cfs_quota_us)") $(cat "$(cg_file cgt-b cpu.cfs_period_us)")"
	else
		quota=$(cat "$(cg_file cgt-b cpu.max)")
	fi
	cg_stop cgt-b "$sup"
	assert_equal "$quota" "50000 100000"
}

# v2 expects runc's/crun's mapping 1 + (S-2)*9999/262142, worked out here:
# 1024 -> 39, 512 -> 20, 2 -> 1, 262144 -> 10000.
@test "--cpu-shares 1024, 512, 2, 262144: v1 cpu.shares the same, v2 cpu.weight 39, 20, 1, 10000" {
	local shares weight file
	if [ "$(cg_layout)" = v1 ]; then file=cpu.shares; else file=cpu.weight; fi
	cg_cpu_file() { cg_file "$1" "$file"; }
	for pair in 1024:39 512:20 2:1 262144:10000; do
		shares=${pair%%:*}
		weight=${pair#*:}
		if [ "$file" = cpu.shares ]; then weight=$shares; fi
		cg_read_running cgt-b cg_cpu_file --cpu-shares "$shares"
		assert_equal "$file $shares: $CG_READ" "$file $shares: $weight"
	done
}

# ------------------------------------------------------------------ PIDs

@test "--pids-limit 64: a fork bomb is contained, the host stays responsive, all is cleaned up" {
	timeout 60 ctr-enter cgt-c --pids-limit 64 -- timeout 6 bash -c ':(){ :|:& };:; sleep 5' >/dev/null 2>&1 &
	local sup=$! max current events start ms
	cg_wait_running cgt-c
	sleep 2
	max=$(cat "$(cg_file cgt-c pids.max)")
	current=$(cat "$(cg_file cgt-c pids.current)")
	events=$(awk '$1 == "max" { print $2 }' "$(cg_file cgt-c pids.events)")
	# The host forks freely while the bomb runs: 20 forks well within 5 s
	# (a few ms when contained).
	start=$(date +%s%N)
	for _ in $(seq 20); do /bin/true; done
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "20 host forks during the bomb: $ms ms; pids.current $current" >&3
	wait "$sup" || true
	[ "$ms" -le 5000 ]
	assert_equal "$max" 64
	[ "$current" -le 64 ]
	[ "$events" -gt 0 ]          # the bomb did hit the limit
	run cg_all_dirs
	assert_output ""
}

# ------------------------------------------------- placement and teardown

@test "PID 1 is in CTR_CGROUP_PARENT/NAME of every controller ctr uses; gone after exit" {
	ctr-enter cgt-a --memory 64 -- sleep 31415 &
	local sup=$! pid ctrl
	cg_wait_running cgt-a
	pid=$(head -n1 "$(cg_dir cgt-a pids)/cgroup.procs")
	run cat "/proc/$pid/cgroup"
	cg_stop cgt-a "$sup"
	if [ "$(cg_layout)" = v1 ]; then
		for ctrl in memory pids cpuacct cpu; do
			assert_line --regexp "^[0-9]+:([a-z]+,)*$ctrl(,[a-z]+)*:/$CTR_CGROUP_PARENT/cgt-a\$"
		done
	else
		assert_line "0::/$CTR_CGROUP_PARENT/cgt-a"
	fi
	run cg_all_dirs
	assert_output ""
}

@test "inside, /proc/self/cgroup shows / in every hierarchy (the container's own cgroup namespace)" {
	run ctr-enter cgt-a --memory 50 -- cat /proc/self/cgroup
	assert_success
	[ "${#lines[@]}" -ge 1 ]
	if [ "$(cg_layout)" = v1 ]; then
		local l
		for l in "${lines[@]}"; do
			assert_regex "$l" '^[0-9]+:[^:]*:/$'
		done
		assert_line --regexp '^[0-9]+:([a-z_]+,)*memory(,[a-z_]+)*:/$'
		assert_line --regexp '^[0-9]+:([a-z_]+,)*pids(,[a-z_]+)*:/$'
	else
		assert_output "0::/"
	fi
}

@test "--privileged: a cgroup fs mounted inside has the container's cgroup as root: its limit, its processes, no other container" {
	local script
	if [ "$(cg_layout)" = v1 ]; then
		script='mount -t cgroup -o memory cgroup /mnt && cat /mnt/memory.limit_in_bytes'
	else
		script='mount -t cgroup2 none /mnt && cat /mnt/memory.max'
	fi
	# shellcheck disable=SC2016  # expanded by the container's sh
	script="$script"' && echo "dirs=$(find /mnt -mindepth 1 -type d | wc -l)" && grep -qx "$$" /mnt/cgroup.procs && echo self-listed && umount /mnt'
	# A sibling container runs meanwhile: the host's parent holds two.
	ctr-enter cgt-b --memory 64 -- sleep 30 &
	local sup=$!
	cg_wait_running cgt-b
	run ctr-enter cgt-a --memory 50 --privileged -- sh -c "$script"
	cg_stop cgt-b "$sup"
	assert_success
	assert_equal "${lines[0]}" 52428800
	assert_equal "${lines[1]}" dirs=0
	assert_equal "${lines[2]}" self-listed
	[ "${#lines[@]}" -eq 3 ]
}

@test "after kill -9 of the supervisor the next run removes the stale cgroup" {
	ctr-enter cgt-a --memory 64 -- sleep 31415 &
	local sup=$! pid
	cg_wait_running cgt-a
	pid=$(head -n1 "$(cg_dir cgt-a pids)/cgroup.procs")
	kill -9 "$sup"
	wait "$sup" || true
	wait_gone "$pid"                    # PID 1 dies with its supervisor
	[ -d "$(cg_dir cgt-a memory)" ]     # ... and its cgroup stays: stale
	run ctr-enter cgt-b -- true         # any container's start cleans up
	assert_success
	[ ! -d "$(cg_dir cgt-a memory)" ]
	run ctr-enter cgt-a -- true         # and cgt-a starts again
	assert_success
	run cg_all_dirs
	assert_output ""
}

@test "the clean-up never touches a non-empty cgroup, nor anything outside CTR_CGROUP_PARENT" {
	local mnt foreign outside sleeper
	mnt=$(cg_mount pids)
	foreign="$mnt/$CTR_CGROUP_PARENT/foreign"
	outside="$mnt/$CTR_CGROUP_PARENT-outside"
	mkdir -p "$foreign" "$outside"
	sleep 300 &
	sleeper=$!
	echo "$sleeper" >"$foreign/cgroup.procs"
	run ctr-enter cgt-b -- true
	local code=$status foreign_alive=no outside_kept=no
	kill -0 "$sleeper" 2>/dev/null && grep -qx "$sleeper" "$foreign/cgroup.procs" && foreign_alive=yes
	[ -d "$outside" ] && outside_kept=yes
	kill "$sleeper"
	wait "$sleeper" || true
	rmdir "$foreign" "$outside" "$mnt/$CTR_CGROUP_PARENT"
	assert_equal "$code" 0
	assert_equal "$foreign_alive" yes
	assert_equal "$outside_kept" yes
}

@test "devices (v1): deny all, allow only the nodes ctr-enter makes; --privileged keeps all" {
	[ -n "$(cg_mount devices)" ] && [ "$(cg_layout)" = v1 ] || skip "no v1 devices controller"
	ctr-enter cgt-a -- sleep 30 &
	local sup=$! list plist
	cg_wait_running cgt-a
	list=$(cat "$(cg_file cgt-a devices.list)")
	cg_stop cgt-a "$sup"
	ctr-enter cgt-a --privileged -- sleep 30 &
	sup=$!
	cg_wait_running cgt-a
	plist=$(cat "$(cg_file cgt-a devices.list)")
	cg_stop cgt-a "$sup"
	assert_equal "$list" "$(printf 'c %s rwm\n' 1:3 1:5 1:7 1:8 1:9 5:0 5:1 5:2 '136:*')"
	assert_equal "$plist" "a *:* rwm"
}

@test "devices: a node outside the allow-list cannot be made (v1: devices cgroup, v2: eBPF); /dev/null works; --privileged can" {
	# Opening one is refused twice over: by the same list, and by nodev on
	# every mount but devpts and ctr-enter's own nodes (masks.c).
	run ctr-enter cgt-a --rm -- sh -c 'mknod /tmp/k c 1 11; mknod /tmp/sda b 8 0; echo x >/dev/null && head -c1 /dev/zero >/dev/full; echo null=$?'
	assert_success
	assert_line --partial "mknod: /tmp/k: Operation not permitted"
	assert_line --partial "mknod: /tmp/sda: Operation not permitted"
	assert_line null=1   # /dev/full: ENOSPC, so it did open
	# the control: --privileged makes it and opens it
	run ctr-enter cgt-a --rm --privileged -- sh -c 'mknod /tmp/k c 1 11 && head -c0 /tmp/k && echo opened'
	assert_success
	assert_output opened
}

@test "the v2 code path on a hybrid host's cgroup2 mount (no controllers): create, attach, stats, cgroup.kill, remove" {
	local v2
	v2=$(awk '/ - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	[ "$(cg_layout)" = v1 ] && [ -n "$v2" ] && ! grep -qwE 'memory|cpu|pids' "$v2/cgroup.controllers" ||
		skip "needs a hybrid host whose cgroup2 mount has no memory, cpu or pids"
	require_hooks_build
	grep ' - cgroup2 ' /proc/self/mountinfo >"$BATS_TEST_TMPDIR/mountinfo"
	export CTR_TEST_MOUNTINFO="$BATS_TEST_TMPDIR/mountinfo"
	"$CTR_HOOKS_BIN/ctr-enter" cgt-a -- sh -c 'sleep 31415 & sleep 31415' &
	local sup=$! i
	for i in $(seq 50); do [ -n "$(cat "$v2/$CTR_CGROUP_PARENT/cgt-a/cgroup.procs" 2>/dev/null)" ] && break; sleep 0.1; done
	run "$CTR_HOOKS_BIN/ctr-enter" --stats cgt-a
	assert_output --regexp '^name=cgt-a .*cpu_ns=[0-9]+ .* cgroup=v2$'
	local n
	n=$(wc -l <"$v2/$CTR_CGROUP_PARENT/cgt-a/cgroup.procs")
	run "$CTR_HOOKS_BIN/ctr-enter" cgt-b --memory 50 -- true     # no memory controller there
	local code=$status out=$output
	# the eBPF device filter alone (this cgroup is in no v1 devices cgroup)
	run "$CTR_HOOKS_BIN/ctr-enter" cgt-b --rm -- sh -c 'mknod /tmp/k c 1 11 || exit 3; echo made'
	local mknod_code=$status mknod_out=$output
	run "$CTR_HOOKS_BIN/ctr-enter" cgt-b --rm --privileged -- sh -c 'mknod /tmp/k c 1 11 && echo made'
	local priv_out=$output
	# PID 1 goes; the supervisor must empty the v2 cgroup (cgroup.kill)
	# and remove it: this host's v1 hierarchies are not involved.
	kill -9 "$(head -n1 "$v2/$CTR_CGROUP_PARENT/cgt-a/cgroup.procs")"
	wait "$sup" || true
	unset CTR_TEST_MOUNTINFO
	[ "$n" -ge 2 ]
	assert_equal "$code" 125
	assert_regex "$out" "no memory cgroup controller"
	assert_equal "$mknod_code" 3
	assert_regex "$mknod_out" "Operation not permitted"
	assert_equal "$priv_out" made
	[ ! -e "$v2/$CTR_CGROUP_PARENT" ]
}

@test "the release build has no test hooks: CTR_TEST_MOUNTINFO changes nothing" {
	# no CTR_TEST_ string in the binary the suites (and make install) use
	run grep -c CTR_TEST_ "$CTR_BIN/ctr-enter"
	assert_output 0
	# behaviour: a mountinfo that names no cgroup at all is not read; the
	# container gets this host's real cgroup (on v1 with its devices list)
	printf '1 0 0:1 / / rw - ext4 /dev/x rw\n' >"$BATS_TEST_TMPDIR/mountinfo"
	CTR_TEST_MOUNTINFO="$BATS_TEST_TMPDIR/mountinfo" ctr-enter cgt-a -- sleep 30 &
	local sup=$! list=none
	cg_wait_running cgt-a
	if [ "$(cg_layout)" = v1 ] && [ -n "$(cg_mount devices)" ]; then
		list=$(cat "$(cg_file cgt-a devices.list)")
	fi
	cg_stop cgt-a "$sup"
	[ "$(cg_layout)" = v2 ] || [ -z "$(cg_mount devices)" ] || assert_equal "$list" "$(printf 'c %s rwm\n' 1:3 1:5 1:7 1:8 1:9 5:0 5:1 5:2 '136:*')"
	# the test build does read it (the check above is not vacuous)
	require_hooks_build
	run env CTR_TEST_MOUNTINFO="$BATS_TEST_TMPDIR/mountinfo" "$CTR_HOOKS_BIN/ctr-enter" cgt-a -- true
	assert_failure 125
	assert_output --partial "no cgroup hierarchy is mounted"
}

@test "a combined cpu,cpuacct hierarchy gets one directory (simulated on this host's mounts)" {
	local cpu acct
	cpu=$(cg_mount cpu)
	acct=$(cg_mount cpuacct)
	[ "$(cg_layout)" = v1 ] && [ -n "$cpu" ] && [ -n "$acct" ] && [ "$cpu" != "$acct" ] ||
		skip "needs split v1 cpu and cpuacct hierarchies"
	require_hooks_build
	# This host's mountinfo, with the cpu mount serving cpuacct too and the
	# cpuacct mount left out: the layout of Ubuntu 20.04.
	awk -v a="$acct" -v c="$cpu" '$5 == a { next } $5 == c { sub(/,cpu$/, ",cpu,cpuacct") } { print }' \
		/proc/self/mountinfo >"$BATS_TEST_TMPDIR/mountinfo"
	export CTR_TEST_MOUNTINFO="$BATS_TEST_TMPDIR/mountinfo"
	"$CTR_HOOKS_BIN/ctr-enter" cgt-a --cpus 0.5 -- sleep 30 &
	local sup=$! quota procs acct_dir=no
	cg_wait_running cgt-a
	quota=$(cat "$cpu/$CTR_CGROUP_PARENT/cgt-a/cpu.cfs_quota_us")
	procs=$(cat "$cpu/$CTR_CGROUP_PARENT/cgt-a/cgroup.procs")
	[ -e "$acct/$CTR_CGROUP_PARENT" ] && acct_dir=yes
	cg_stop cgt-a "$sup"
	unset CTR_TEST_MOUNTINFO
	assert_equal "$quota" 50000
	[ -n "$procs" ]
	assert_equal "$acct_dir" no
	run cg_all_dirs
	assert_output ""
}

# ------------------------------------------------------------- bad input

# bad_input OPTION VALUE: ctr-enter refuses (125) in one line naming the
# option and 'VALUE', and creates no cgroup and no state.
bad_input() {
	expect_refusal ctr-enter 125 "$1" "'$2'" -- cgt-a "$@" -- true
	run cg_all_dirs
	assert_output ""
	run find "$CTR_RUN_DIR" -mindepth 1
	assert_output ""
}

@test "bad --memory: 0, -1, abc, 50x, 1e3, 5 (below 6 MiB), 2^63 bytes, overflow" {
	for v in 0 -1 abc 50x 1e3 5 9223372036854775808b 8796093022208 99999999999999999999g; do
		bad_input --memory "$v"
	done
}

@test "bad --cpus: 0, -1, abc, 0.001, more than the online CPUs" {
	for v in 0 -1 abc 0.001 1000 "$(($(nproc) + 1))"; do
		bad_input --cpus "$v"
	done
}

@test "bad --pids-limit 0, abc; --cpu-shares 1, 262145" {
	bad_input --pids-limit 0
	bad_input --pids-limit abc
	bad_input --cpu-shares 1
	bad_input --cpu-shares 262145
}

@test "bad --memory-swap: without --memory, below --memory" {
	run ctr-enter cgt-a --memory-swap 100 -- true
	assert_failure 125
	assert_output --partial "--memory-swap"
	run ctr-enter cgt-a --memory 100 --memory-swap 50 -- true
	assert_failure 125
	assert_output --partial "below --memory"
	run cg_all_dirs
	assert_output ""
}

# ----------------------------------------------------------------- stats

# The peak memory file of NAME ("" when the kernel has none: v2 before 5.19).
cg_peak_file() {
	cg_layout_file "$1" memory.max_usage_in_bytes memory.peak
}

# NAME's memory use from its cgroup file.
cg_mem_now() {
	if [ "$(cg_layout)" = v1 ]; then
		cat "$(cg_file "$1" memory.usage_in_bytes)"
	else
		cat "$(cg_file "$1" memory.current)"
	fi
}

# The number of KEY in the one-line JSON object $2 ("null" for null).
json_num() {
	[[ $2 =~ \"$1\":([0-9]+|null)[,}] ]] || { echo "no $1 in $2" >&2; return 1; }
	echo "${BASH_REMATCH[1]}"
}

# LO <= V <= HI, or fail saying which figure.
assert_within() {
	if [ "$2" -lt "$1" ] || [ "$2" -gt "$3" ]; then
		fail "$4: $2 is not within $1..$3"
	fi
}

# Counters (cpu, peak) are read before and after ctr-enter --stats and must
# lie between; the current use of an idle process within 1 MiB.
@test "--stats NAME [--json]: memory, cpu and pids are the cgroup's files read at the same moment" {
	ctr-enter cgt-a --memory 64 --pids-limit 50 -- python3 -c 'import time; b = b"x" * (20 << 20); time.sleep(30)' &
	local sup=$! i line json limit pids_max pids_cur cpu0 cpu1 mem0 mem1 peak0 peak1 pf
	cg_wait_running cgt-a
	for i in $(seq 50); do   # 20 MiB touched: the number to compare is not tiny
		if [ "$(cg_mem_now cgt-a)" -ge $((20 << 20)) ]; then break; fi
		sleep 0.1
	done
	pf=$(cg_peak_file cgt-a)
	cpu0=$(cg_cpu_ns cgt-a)
	mem0=$(cg_mem_now cgt-a)
	peak0=null
	if [ -e "$pf" ]; then peak0=$(cat "$pf"); fi
	line=$(ctr-enter --stats cgt-a)
	json=$(ctr-enter --stats cgt-a --json)
	cpu1=$(cg_cpu_ns cgt-a)
	mem1=$(cg_mem_now cgt-a)
	peak1=null
	if [ -e "$pf" ]; then peak1=$(cat "$pf"); fi
	limit=$(cat "$(cg_memory_limit_file cgt-a)")
	pids_max=$(cat "$(cg_file cgt-a pids.max)")
	pids_cur=$(cat "$(cg_file cgt-a pids.current)")
	cg_stop cgt-a "$sup"
	echo "$line"
	echo "$json"
	assert_equal "$limit" 67108864
	assert_regex "$line" "^name=cgt-a mem_current=[0-9]+ mem_peak=([0-9]+|unknown) mem_limit=$limit cpu_ns=[0-9]+ pids=$pids_cur pids_limit=$pids_max cgroup=$(cg_layout)\$"
	assert_regex "$json" "^\\{\"name\":\"cgt-a\",\"mem_current\":[0-9]+,\"mem_peak\":([0-9]+|null),\"mem_limit\":$limit,\"cpu_ns\":[0-9]+,\"pids\":$pids_cur,\"pids_limit\":$pids_max,\"cgroup\":\"$(cg_layout)\"\\}\$"
	local mem_lo mem_hi
	mem_lo=$(( (mem0 < mem1 ? mem0 : mem1) - (1 << 20) ))
	mem_hi=$(( (mem0 > mem1 ? mem0 : mem1) + (1 << 20) ))
	[ "$mem0" -ge $((20 << 20)) ]
	# The text line, then the JSON (read later, so within the same bounds).
	local text
	text=$(tr ' ' '\n' <<<"$line" | sed -n 's/^\(mem_current\|mem_peak\|cpu_ns\)=/"\1":/p' | tr '\n' ',')
	text="{${text%,}}"
	text=${text//unknown/null}
	for obj in "$text" "$json"; do
		assert_within "$mem_lo" "$(json_num mem_current "$obj")" "$mem_hi" mem_current
		assert_within "$cpu0" "$(json_num cpu_ns "$obj")" "$cpu1" cpu_ns
		if [ "$peak0" = null ]; then
			assert_equal "$(json_num mem_peak "$obj")" null
		else
			assert_within "$peak0" "$(json_num mem_peak "$obj")" "$peak1" mem_peak
		fi
	done
	if command -v jq >/dev/null; then
		run jq -r '"\(.name) \(.mem_limit) \(.pids_limit) \(.pids) \(.cgroup)"' <<<"$json"
		assert_output "cgt-a $limit $pids_max $pids_cur $(cg_layout)"
	fi
}

@test "--stats of a container that is not running: 125, one line" {
	run ctr-enter --stats cgt-c
	assert_failure 125
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial "cgt-c"
}
