#!/usr/bin/env bats
# The cgroups of containers owned by an unprivileged user (issue 17, the
# cgroup half): `ctr-enter --provision NAME --owner USER` makes NAME's
# cgroup under USER's per-user ceiling CTR_USER_CGROUP_PARENT/USER, lets
# her join it (v1: its tasks/cgroup.procs; v2: cgroup.procs of it and of
# USER, the common ancestor) and nothing else; ctr-session (PAM's hook)
# puts her logins under the ceiling, so that leaving the container's
# cgroup, or never joining it, does not leave the limit.  Real test users
# with no capabilities, the real kernel, any layout (v1 split or
# combined, v2).  Nothing of the other half (user and network namespaces)
# is needed: the users join the cgroups by writing the procs files.
# shellcheck shell=bash
# shellcheck disable=SC2030,SC2031  # bats' run sets $lines in each test
# shellcheck disable=SC2016  # the users' shells expand them

load test_helper
bats_require_minimum_version 1.5.0

RC_A=ctrt46a
RC_B=ctrt46b

rc_snapshot() {
	echo "## cgroups"
	find /sys/fs/cgroup -maxdepth 6 -type d \( -path "*/$CTR_USER_CGROUP_PARENT*" -o -path "*/$CTR_CGROUP_PARENT*" \) 2>/dev/null | sort
	echo "## run"; find "$CTR_RUN_DIR" -mindepth 1 | sort
	echo "## users"; grep -E "^($RC_A|$RC_B):" /etc/passwd /etc/subuid /etc/subgid || true
}

setup_file() {
	require_root
	ctr_test_env rcg
	rc_snapshot >"$BATS_FILE_TMPDIR/before"
	test_user_add "$RC_A"
	test_user_add "$RC_B"
	# Her own run directory (a start's state directory, where the CPU
	# time at its start is noted), where she can reach it.
	RC_USER_RUN=$(mktemp -d /tmp/ctrt46-run.XXXXXX)
	export RC_USER_RUN
	mkdir "$RC_USER_RUN/rc-a"
	chown -R "$RC_A" "$RC_USER_RUN"
}

teardown_file() {
	rc_kill_user_procs "$RC_A"
	rc_kill_user_procs "$RC_B"
	for n in rc-a rc-a2 rc-b; do
		"$CTR_ENTER" --unprovision "$n" 2>/dev/null || true
	done
	rc_remove_ceiling "$RC_A"
	rc_remove_ceiling "$RC_B"
	test_user_del "$RC_A"
	test_user_del "$RC_B"
	rm -rf "${RC_USER_RUN:?}"
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot rc_snapshot "$BATS_FILE_TMPDIR/before")"
}

teardown() {
	rc_kill_user_procs "$RC_A"
	rc_kill_user_procs "$RC_B"
	for n in rc-a rc-a2 rc-b; do
		"$CTR_ENTER" --unprovision "$n" 2>/dev/null || true
	done
	rc_remove_ceiling "$RC_A"
	rc_remove_ceiling "$RC_B"
}

# Every process of test user USER (ours: the users exist only for this suite).
rc_kill_user_procs() {
	local uid
	uid=$(id -u "$1" 2>/dev/null) || return 0
	pkill -KILL -U "$uid" 2>/dev/null || true
	wait_until 100 bash -c "! pgrep -U $uid >/dev/null" || true
}

# A ceiling a test left (its session leaf with the processes now gone).
rc_remove_ceiling() {
	local d
	for d in $(rc_dirs "$1"); do
		rmdir "$d/session" "$d" 2>/dev/null || true
	done
	for d in $(rc_mounts); do
		rmdir "$d/$CTR_USER_CGROUP_PARENT" 2>/dev/null || true
	done
}

# The mount point of every hierarchy ctr uses, once each.
rc_mounts() {
	local c
	if [ "$(cg_layout)" = v2 ]; then
		cg_mount memory
		return
	fi
	for c in memory cpu cpuacct pids devices freezer; do
		cg_mount "$c"
	done | sort -u
}

# USER's ceiling (or its SUB directory: session, a container) in every hierarchy.
rc_dirs() {
	local m
	for m in $(rc_mounts); do
		echo "$m/$CTR_USER_CGROUP_PARENT/$1${2:+/$2}"
	done
}

# The memory hierarchy's directory of USER's ceiling (or of SUB).
rc_mem_dir() {
	echo "$(cg_mount memory)/$CTR_USER_CGROUP_PARENT/$1${2:+/$2}"
}

# Shell code that moves the shell running it into USER's container NAME
# (what a non-root ctr-enter does: v1 0 into each tasks file, v2 into
# cgroup.procs, which the common ancestor's delegation allows).
rc_join_code() {
	local d code=
	for d in $(rc_dirs "$1" "$2"); do
		if [ "$(cg_layout)" = v1 ]; then
			code+="echo 0 >$d/tasks && "
		else
			code+="echo 0 >$d/cgroup.procs && "
		fi
	done
	echo "${code}:"
}

# Allocate and touch MiB mebibytes (perl: Debian's perl-base is essential).
rc_alloc() {
	printf '%s\n' "perl -e '\$x = q(x) x ($1 * 1024 * 1024); print qq(allocated $1 MiB\\n)'"
}

# The OOM kills counted in the memory cgroup DIR.
rc_oom_kills() {
	if [ "$(cg_layout)" = v1 ]; then
		sed -n 's/^oom_kill //p' "$1/memory.oom_control"
	else
		sed -n 's/^oom_kill //p' "$1/memory.events"
	fi
}

# A start by USER (not root) of her container, its cgroup half: the probe
# cg-join runs ctr-enter's cgroup_create/attach/destroy as her, in her login.
rc_start() { # USER ARGS...
	local user=$1
	shift
	login_as_test_user "$user" env CTR_RUN_DIR="$RC_USER_RUN" "$CTR_HOOKS_BIN/cg-join" "$@"
}

# The memory high-water mark of USER's container NAME.
rc_mem_peak() {
	if [ "$(cg_layout)" = v1 ]; then
		cat "$(rc_mem_dir "$1" "$2")/memory.max_usage_in_bytes"
	else
		cat "$(rc_mem_dir "$1" "$2")/memory.peak"
	fi
}

rc_provision_a() {
	"$CTR_ENTER" --provision rc-a --owner "$RC_A" --memory 64 --pids-limit 40 "$@"
}

# USER's ceiling: its memory limit and pids.max, "MEMORY PIDS".
rc_ceiling() {
	local f=memory.max
	[ "$(cg_layout)" = v2 ] || f=memory.limit_in_bytes
	echo "$(cat "$(rc_mem_dir "$1")/$f") $(cat "$(cg_mount pids)/$CTR_USER_CGROUP_PARENT/$1/pids.max")"
}

# A script that waits until REAPER has adopted it (its parent gone), then
# becomes ctr-session for USER with its stderr in OUT: the hook of a login
# whose process was killed before the hook ran.
rc_orphan_script() {
	local s=$BATS_TEST_TMPDIR/orphan
	cat >"$s" <<EOF
#!/bin/bash
reaper=\$1 user=\$2 out=\$3
for _ in \$(seq 500); do
	if [ "\$(awk '/^PPid:/ {print \$2}' /proc/\$\$/status)" = "\$reaper" ]; then
		exec env PAM_TYPE=open_session PAM_USER="\$user" "$CTR_BIN/ctr-session" --parent "$CTR_USER_CGROUP_PARENT" 2>"\$out"
	fi
	sleep 0.01
done
echo "never adopted by \$reaper" >"\$out"
EOF
	chmod +x "$s"
	echo "$s"
}

# Nothing in USER's session leaf, in any hierarchy.
rc_session_empty() {
	local d
	for d in $(rc_dirs "$1" session); do
		[ -z "$(cat "$d/cgroup.procs")" ] || fail "$d/cgroup.procs: $(cat "$d/cgroup.procs")"
	done
}

# ----------------------------------------------------------------- layout

@test "--provision --owner: the cgroup under her ceiling in every hierarchy; only its procs files are hers (v2: and the ceiling's), no directory, no limit file" {
	run rc_provision_a
	assert_success
	local d mine theirs
	if [ "$(cg_layout)" = v1 ]; then
		mine=$'cgroup.procs\ntasks' theirs=""
	else
		mine=$'cgroup.procs\ncgroup.threads' theirs=$'cgroup.procs\ncgroup.threads'
	fi
	for d in $(rc_dirs "$RC_A" rc-a); do
		assert [ -d "$d/.provisioned" ]
		assert [ -d "${d%/*}/session" ]
		# Every directory root's; of the files, only the procs files hers.
		run find "$d" "${d%/*}" -maxdepth 1 -type d ! -user root
		assert_output ""
		run bash -c "find '$d' -maxdepth 1 -type f -user $RC_A -printf '%f\n' | sort"
		assert_output "$mine"
		run bash -c "find '${d%/*}' -maxdepth 1 -type f -user $RC_A -printf '%f\n' | sort"
		assert_output "$theirs"
		run find "${d%/*}/session" -maxdepth 1 ! -user root
		assert_output ""
	done
	# The container's ceiling and hers (the sum of one).
	if [ "$(cg_layout)" = v1 ]; then
		assert_equal "$(cat "$(rc_mem_dir "$RC_A" rc-a)/memory.limit_in_bytes")" 67108864
		assert_equal "$(cat "$(rc_mem_dir "$RC_A")/memory.limit_in_bytes")" 67108864
	else
		assert_equal "$(cat "$(rc_mem_dir "$RC_A" rc-a)/memory.max")" 67108864
		assert_equal "$(cat "$(rc_mem_dir "$RC_A")/memory.max")" 67108864
	fi
	assert_equal "$(cat "$(cg_mount pids)/$CTR_USER_CGROUP_PARENT/$RC_A/pids.max")" 40
	grep -qx "owner=$RC_A" "$CTR_RUN_DIR/rc-a.cgroup"
	# Nothing under CTR_CGROUP_PARENT.
	run find /sys/fs/cgroup -maxdepth 3 -type d -name "$CTR_CGROUP_PARENT"
	assert_output ""
}

@test "the ceiling is the sum of her containers' ceilings: raised by a second one, lowered by its removal; gone with the last" {
	rc_provision_a --cpus 0.5
	run "$CTR_ENTER" --provision rc-a2 --owner "$RC_A" --memory 32 --pids-limit 10 --cpus 0.25
	assert_success
	local mem pids
	mem=$(rc_mem_dir "$RC_A")
	pids="$(cg_mount pids)/$CTR_USER_CGROUP_PARENT/$RC_A"
	if [ "$(cg_layout)" = v1 ]; then
		assert_equal "$(cat "$mem/memory.limit_in_bytes")" $((96 << 20))
		assert_equal "$(cat "$(cg_mount cpu)/$CTR_USER_CGROUP_PARENT/$RC_A/cpu.cfs_quota_us")" 75000
	else
		assert_equal "$(cat "$mem/memory.max")" $((96 << 20))
		assert_equal "$(cat "$mem/cpu.max")" "75000 100000"
	fi
	assert_equal "$(cat "$pids/pids.max")" 50
	run "$CTR_ENTER" --unprovision rc-a
	assert_success
	assert_output ""
	if [ "$(cg_layout)" = v1 ]; then
		assert_equal "$(cat "$mem/memory.limit_in_bytes")" $((32 << 20))
	else
		assert_equal "$(cat "$mem/memory.max")" $((32 << 20))
	fi
	assert_equal "$(cat "$pids/pids.max")" 10
	assert [ ! -e "$(rc_mem_dir "$RC_A" rc-a)" ]
	run "$CTR_ENTER" --unprovision rc-a2
	assert_success
	for d in $(rc_dirs "$RC_A"); do
		assert [ ! -e "$d" ]
	done
}

@test "the ceiling is summed from the kernel's limit files, not her records: deleted or edited, a create and a destroy still sum right; the container whose record is gone is destroyed by its marker and can be made again" {
	rc_provision_a
	# Her records are in her own directory: she may delete or edit them.
	rm "$CTR_RUN_DIR/rc-a.cgroup"
	run "$CTR_ENTER" --provision rc-a2 --owner "$RC_A" --memory 32 --pids-limit 10
	assert_success
	assert_equal "$(rc_ceiling "$RC_A")" "$((96 << 20)) 50"
	sed -i 's/^memory=.*/memory=-1/; s/^pids_limit=.*/pids_limit=-1/' "$CTR_RUN_DIR/rc-a2.cgroup"
	run "$CTR_ENTER" --unprovision rc-a
	assert_success
	local d
	for d in $(rc_dirs "$RC_A" rc-a); do
		assert [ ! -e "$d" ]
	done
	assert_equal "$(rc_ceiling "$RC_A")" "$((32 << 20)) 10"
	run rc_provision_a
	assert_success
	assert_equal "$(rc_ceiling "$RC_A")" "$((96 << 20)) 50"
	run "$CTR_ENTER" --unprovision rc-a2
	assert_success
	assert_equal "$(rc_ceiling "$RC_A")" "$((64 << 20)) 40"
}

# ------------------------------------------------ the limits, as the owner

@test "as the owner (no capabilities): she joins her container's cgroup and 80 MiB is OOM-killed (137) under its 64 MiB; 20 MiB runs" {
	rc_provision_a
	local before
	before=$(rc_oom_kills "$(rc_mem_dir "$RC_A" rc-a)")
	run login_as_test_user "$RC_A" sh -c "$(rc_join_code "$RC_A" rc-a) && $(rc_alloc 20)"
	assert_success
	assert_output "allocated 20 MiB"
	run login_as_test_user "$RC_A" sh -c "$(rc_join_code "$RC_A" rc-a) && exec $(rc_alloc 80)"
	assert_equal "$status" 137
	refute_output --partial allocated
	[ "$(rc_oom_kills "$(rc_mem_dir "$RC_A" rc-a)")" -gt "$before" ]
}

@test "as the owner: a fork bomb in her container's cgroup stops at its pids limit (40)" {
	rc_provision_a
	run login_as_test_user "$RC_A" sh -c "$(rc_join_code "$RC_A" rc-a) && exec perl -e '
		my @kids; my \$failed = 0;
		for (1 .. 100) { my \$p = fork; if (!defined \$p) { \$failed++; next } if (\$p == 0) { sleep 60; exit 0 } push @kids, \$p }
		print scalar(@kids), q( forked, ), \$failed, qq( refused\\n); kill 9, @kids; 1 while wait != -1'"
	assert_success
	# The perl itself counts: 39 children at most.
	[[ $output =~ ^([0-9]+)\ forked,\ ([0-9]+)\ refused$ ]] || fail "unexpected: $output"
	[ "${BASH_REMATCH[1]}" -le 39 ] && [ "${BASH_REMATCH[2]}" -ge 61 ]
}

@test "as the owner: the limit files of her container and of her ceiling are not hers to write (EACCES), nor a directory to make" {
	rc_provision_a
	local d files
	if [ "$(cg_layout)" = v1 ]; then files="memory.limit_in_bytes memory.memsw.limit_in_bytes"; else files="memory.max memory.swap.max cgroup.subtree_control"; fi
	for d in "$(rc_mem_dir "$RC_A" rc-a)" "$(rc_mem_dir "$RC_A")"; do
		for f in $files; do
			[ -e "$d/$f" ] || continue
			run as_test_user "$RC_A" sh -c "echo 1073741824 >$d/$f"
			assert_failure
			assert_output --partial "Permission denied"
		done
		run as_test_user "$RC_A" mkdir "$d/mine"
		assert_failure
		assert_output --partial "Permission denied"
	done
	run as_test_user "$RC_A" sh -c "echo max >$(cg_mount pids)/$CTR_USER_CGROUP_PARENT/$RC_A/rc-a/pids.max"
	assert_failure
	assert_output --partial "Permission denied"
	if [ "$(cg_layout)" = v1 ]; then
		assert_equal "$(cat "$(rc_mem_dir "$RC_A" rc-a)/memory.limit_in_bytes")" 67108864
	else
		assert_equal "$(cat "$(rc_mem_dir "$RC_A" rc-a)/memory.max")" 67108864
	fi
}

@test "another user can neither join her container's cgroup nor move his process into it; she cannot move his into hers" {
	rc_provision_a
	run "$CTR_ENTER" --provision rc-b --owner "$RC_B" --memory 64
	assert_success
	run login_as_test_user "$RC_B" sh -c "$(rc_join_code "$RC_A" rc-a)"
	assert_failure
	assert_output --partial "Permission denied"
	# His process (in his own session), moved by her into her container: refused.
	login_as_test_user "$RC_B" sleep 60 >/dev/null 2>&1 3>&- &
	local pid=
	wait_until 100 pgrep -U "$(id -u "$RC_B")" -x sleep || fail "his sleep did not start"
	pid=$(pgrep -U "$(id -u "$RC_B")" -x sleep)
	local f
	if [ "$(cg_layout)" = v1 ]; then f=tasks; else f=cgroup.procs; fi
	run login_as_test_user "$RC_A" sh -c "echo $pid >$(rc_mem_dir "$RC_A" rc-a)/$f"
	assert_failure
	run grep -c "$CTR_USER_CGROUP_PARENT/$RC_A" "/proc/$pid/cgroup"
	assert_output 0
}

@test "a start by the owner (ctr-enter's cgroup code as her): joins the provisioned cgroup, makes, writes and resets nothing, keeps it; 80 MiB OOM-killed; per-run limits and a container not hers refused in one line" {
	[ -x "$CTR_HOOKS_BIN/cg-join" ] || fail "no $CTR_HOOKS_BIN/cg-join: run make test-hooks"
	rc_provision_a
	local before peak
	# shellcheck disable=SC2046  # one directory a hierarchy, no spaces
	before=$(find $(rc_dirs "$RC_A") -type d | sort)
	run rc_start "$RC_A" rc-a -- sh -c "cat /proc/self/cgroup; $(rc_alloc 20)"
	assert_success
	assert_output --partial "$CTR_USER_CGROUP_PARENT/$RC_A/rc-a"
	assert_output --partial "allocated 20 MiB"
	# shellcheck disable=SC2046
	assert_equal "$(find $(rc_dirs "$RC_A") -type d | sort)" "$before"
	assert [ -s "$RC_USER_RUN/rc-a/cgroup-cpu-base" ]
	# No counter reset (root's start resets v1's high-water mark).
	peak=$(rc_mem_peak "$RC_A" rc-a)
	((peak >= 20 << 20))
	run rc_start "$RC_A" rc-a -- true
	assert_success
	assert_output ""
	(($(rc_mem_peak "$RC_A" rc-a) >= peak))
	run rc_start "$RC_A" rc-a -- sh -c "exec $(rc_alloc 80)"
	assert_equal "$status" 137
	assert_output "oom"
	run rc_start "$RC_A" rc-a --memory 32 -- true
	assert_equal "$status" 125
	assert_output "ctr-enter: rc-a: per-run limits (--memory, --cpus, ...) need root: the provisioned ceiling applies (sudo netns-setup destroy and create rc-a with other limits)"
	run "$CTR_ENTER" --provision rc-b --owner "$RC_B" --memory 64
	assert_success
	run rc_start "$RC_A" rc-b -- true
	assert_equal "$status" 125
	assert_output "ctr-enter: rc-b: not provisioned: sudo netns-setup create rc-b IP --owner $RC_A"
	# shellcheck disable=SC2046
	assert_equal "$(find $(rc_dirs "$RC_A") -type d | sort)" "$before"
}

# ------------------------------------------- the ceiling she cannot leave

@test "ctr-session places her login under her ceiling: a start that never joins the container is OOM-killed at the ceiling (64 MiB)" {
	rc_provision_a
	local before
	# v1 counts a kill in the victim's own cgroup (v2 also above): the session's.
	before=$(rc_oom_kills "$(rc_mem_dir "$RC_A" session)")
	run login_as_test_user "$RC_A" sh -c 'cat /proc/self/cgroup'
	assert_success
	assert_output --partial "$CTR_USER_CGROUP_PARENT/$RC_A/session"
	refute_output --partial "rc-a"
	run login_as_test_user "$RC_A" sh -c "exec $(rc_alloc 80)"
	assert_equal "$status" 137
	[ "$(rc_oom_kills "$(rc_mem_dir "$RC_A" session)")" -gt "$before" ]
	# A user without containers: the hook does nothing (and root neither).
	run login_as_test_user "$RC_B" sh -c 'cat /proc/self/cgroup'
	assert_success
	refute_output --partial "$CTR_USER_CGROUP_PARENT"
	run env PAM_TYPE=open_session PAM_USER=root "$CTR_BIN/ctr-session" --parent "$CTR_USER_CGROUP_PARENT"
	assert_success
	run env PAM_TYPE=close_session PAM_USER="$RC_A" "$CTR_BIN/ctr-session" --parent "$CTR_USER_CGROUP_PARENT"
	assert_success
}

@test "ctr-session never moves pid 1: a hook whose login's process is gone (adopted by PID 1 of a PID namespace) refuses in one line, moves nothing" {
	rc_provision_a
	local s out=$BATS_TEST_TMPDIR/out
	s=$(rc_orphan_script)
	# In a PID namespace of its own: what a wrong hook would move is the
	# namespace's init, never the host's.
	run unshare --pid --fork --mount-proc bash -c '
		( "$1" 1 "$2" "$3" & )
		for _ in $(seq 500); do [ -s "$3" ] && break; sleep 0.01; done
		cat "$3" /proc/1/cgroup' _ "$s" "$RC_A" "$out"
	assert_success
	assert_line "ctr-session: the login's process is gone (parent is pid 1): refused"
	refute_output --partial "$CTR_USER_CGROUP_PARENT"
	rc_session_empty "$RC_A"
}

@test "ctr-session refuses a parent that adopted it (a subreaper in another session, its login's process gone): nothing moved" {
	[ "$(uname -m)" = x86_64 ] || skip "the prctl syscall number below is x86_64's"
	rc_provision_a
	local s out=$BATS_TEST_TMPDIR/out
	s=$(rc_orphan_script)
	# perl's syscall: prctl(PR_SET_CHILD_SUBREAPER, 1), kept across exec;
	# setsid -f's first process exits at once, its child is adopted.
	run perl -e 'syscall(157, 36, 1, 0, 0, 0) == 0 or die "prctl: $!\n"; exec @ARGV or die "exec: $!\n"' bash -c '
		setsid -f "$1" $$ "$2" "$3"
		for _ in $(seq 500); do [ -s "$3" ] && break; sleep 0.01; done
		cat "$3" /proc/$$/cgroup' _ "$s" "$RC_A" "$out"
	assert_success
	assert_line "ctr-session: the parent is not in the login's process group (reparented to a subreaper?): refused"
	refute_output --partial "$CTR_USER_CGROUP_PARENT"
	rc_session_empty "$RC_A"
}

@test "ctr-session refuses PAM_USER or PAM_TYPE twice in its environment (pam_exec appends its own after the PAM environment, which may be hers): fail closed" {
	command -v python3 >/dev/null || skip "no python3 here to exec with a duplicate variable"
	rc_provision_a
	run python3 -c '
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
argv = (ctypes.c_char_p * 4)(sys.argv[1].encode(), b"--parent", sys.argv[2].encode(), None)
envp = (ctypes.c_char_p * 4)(b"PAM_USER=root", b"PAM_TYPE=open_session", ("PAM_USER=" + sys.argv[3]).encode(), None)
libc.execve(argv[0], argv, envp)
sys.exit("execve: %d" % ctypes.get_errno())' "$CTR_BIN/ctr-session" "$CTR_USER_CGROUP_PARENT" "$RC_A"
	assert_failure 1
	assert_output "ctr-session: PAM_TYPE or PAM_USER is in the environment twice: refused"
	rc_session_empty "$RC_A"
}

@test "leaving the container's cgroup does not leave the limit: every procs file she can write is under her ceiling, and after trying them all 80 MiB is still OOM-killed" {
	rc_provision_a
	local m
	# Every cgroup.procs and tasks file of every hierarchy she may write.
	for m in $(rc_mounts); do
		run as_test_user "$RC_A" find "$m" \( -name cgroup.procs -o -name tasks \) -writable
		assert_success
		while read -r f; do
			[ -n "$f" ] || continue
			[[ $f == "$m/$CTR_USER_CGROUP_PARENT/$RC_A/"* ]] || fail "$RC_A may write $f, outside her ceiling"
		done <<<"$output"
	done
	# Joined, then out to each of them, and to the roots (refused).
	local code
	code="$(rc_join_code "$RC_A" rc-a) && for f in"
	for m in $(rc_mounts); do
		code+=" \$(find $m \\( -name cgroup.procs -o -name tasks \\) -writable) $m/cgroup.procs"
	done
	code+="; do echo 0 >\$f 2>/dev/null; done; grep -q '$CTR_USER_CGROUP_PARENT/$RC_A' /proc/self/cgroup && exec $(rc_alloc 80)"
	run login_as_test_user "$RC_A" sh -c "$code"
	assert_equal "$status" 137
	refute_output --partial allocated
}

@test "her last container goes with its ceiling; a login still in it keeps it (one warning, no process killed), and her next login removes it once empty" {
	rc_provision_a
	login_as_test_user "$RC_A" sleep 60 >/dev/null 2>&1 3>&- &
	local uid pid
	uid=$(id -u "$RC_A")
	wait_until 100 pgrep -U "$uid" -x sleep || fail "her sleep did not start"
	pid=$(pgrep -U "$uid" -x sleep)
	run "$CTR_ENTER" --unprovision rc-a
	assert_success
	assert_output --partial "kept $RC_A's ceiling"
	assert [ ! -e "$(rc_mem_dir "$RC_A" rc-a)" ]
	assert [ -d "$(rc_mem_dir "$RC_A" session)" ]
	kill -0 "$pid"
	grep -q "$CTR_USER_CGROUP_PARENT/$RC_A/session" "/proc/$pid/cgroup"
	rc_kill_user_procs "$RC_A"
	# Her next login: no container of hers, the empty leftover goes.
	run login_as_test_user "$RC_A" sh -c 'cat /proc/self/cgroup'
	assert_success
	refute_output --partial "$CTR_USER_CGROUP_PARENT"
	for d in $(rc_dirs "$RC_A"); do
		assert [ ! -e "$d" ]
	done
}

@test "destroy kills only her processes (by pidfd): a root process moved into her container's cgroup is left alive, the cgroup kept with one line, and a later destroy removes it" {
	rc_provision_a
	local uid mine root_pid d
	uid=$(id -u "$RC_A")
	login_as_test_user "$RC_A" sh -c "$(rc_join_code "$RC_A" rc-a) && exec sleep 60" >/dev/null 2>&1 3>&- &
	wait_until 100 pgrep -U "$uid" -x sleep || fail "her sleep did not start"
	mine=$(pgrep -U "$uid" -x sleep)
	# What she could do on v2 with a root-owned session process placed in
	# her ceiling; root does it here, on any layout.
	sleep 60 3>&- &
	root_pid=$!
	for d in $(rc_dirs "$RC_A" rc-a); do
		echo "$root_pid" >"$d/cgroup.procs"
	done
	run "$CTR_ENTER" --unprovision rc-a
	assert_failure
	assert_output --partial "process $root_pid (uid 0) is not $RC_A's: not killed, the cgroup stays"
	kill -0 "$root_pid"
	wait_until 100 bash -c "! kill -0 $mine" || fail "her process $mine survived"
	assert [ -d "$(rc_mem_dir "$RC_A" rc-a)/.provisioned" ]
	kill "$root_pid"
	wait "$root_pid" || true
	run "$CTR_ENTER" --unprovision rc-a
	assert_success
	for d in $(rc_dirs "$RC_A"); do
		assert [ ! -e "$d/rc-a" ]
	done
}

# ------------------------------------------------------- reads, refusals

@test "--stats works for the owner (reads only); another user has no such container" {
	rc_provision_a
	login_as_test_user "$RC_A" sh -c "$(rc_join_code "$RC_A" rc-a) && exec sleep 60" >/dev/null 2>&1 3>&- &
	wait_until 100 grep -q . "$(rc_mem_dir "$RC_A" rc-a)/cgroup.procs" || fail "nothing joined"
	run as_test_user "$RC_A" "$CTR_ENTER" --stats rc-a --json
	assert_success
	assert_output --partial '"mem_limit":67108864'
	assert_output --partial '"pids_limit":40'
	run as_test_user "$RC_B" "$CTR_ENTER" --stats rc-a
	assert_equal "$status" 125
	assert_output --partial "no cgroup"
}

@test "bad input, one line each, exit 125, nothing made: --owner root, an unknown user, --owner without --provision, twice, provisioning as a user" {
	local before
	before=$(rc_snapshot)
	expect_refusal ctr-enter 125 "--owner root: uid 0" -- --provision rc-a --owner root --memory 64
	expect_refusal ctr-enter 125 "--owner ctrt46nosuch: no such user" -- --provision rc-a --owner ctrt46nosuch
	expect_refusal ctr-enter 125 "--owner goes with --provision" -- rc-a --owner "$RC_A"
	expect_refusal ctr-enter 125 "bad --owner" -- --provision rc-a --owner "../x"
	run as_test_user "$RC_A" "$CTR_ENTER" --provision rc-a --owner "$RC_A"
	assert_equal "$status" 125
	assert_output "ctr-enter: rc-a: --provision needs root (sudo netns-setup create rc-a IP --owner USER)"
	assert_equal "$(rc_snapshot)" "$before"
	rc_provision_a
	expect_refusal ctr-enter 125 "provisioned already" -- --provision rc-a --owner "$RC_B"
	expect_refusal ctr-enter 125 "provisioned already" -- --provision rc-a
	run as_test_user "$RC_A" "$CTR_ENTER" --unprovision rc-a
	assert_equal "$status" 125
	assert [ -d "$(rc_mem_dir "$RC_A" rc-a)" ]
}

@test "make install: ctr-session in LIBEXECDIR/ctr and its PAM profile, which enables nothing by itself (Default: no); no setuid bit, no file capability; uninstall removes both" {
	command -v make >/dev/null || skip "no make here (the VM image has none): packaging is checked on the host"
	local d="$BATS_TEST_TMPDIR/dest"
	run make -s -C "$CTR_SRC" install DESTDIR="$d" PREFIX=/usr BUILD="$CTR_BIN"
	assert_success
	assert_file_executable "$d/usr/libexec/ctr/ctr-session"
	cmp "$CTR_BIN/ctr-session" "$d/usr/libexec/ctr/ctr-session"
	grep -qx 'Default: no' "$d/usr/share/pam-configs/ctr-session"
	grep -qxP '\trequired\tpam_exec.so type=open_session quiet /usr/libexec/ctr/ctr-session' "$d/usr/share/pam-configs/ctr-session"
	run find "$d" -perm /6000
	assert_output ""
	if command -v getcap >/dev/null; then
		run getcap -r "$d"
		assert_output ""
	fi
	run make -s -C "$CTR_SRC" uninstall DESTDIR="$d" PREFIX=/usr BUILD="$CTR_BIN"
	assert_success
	assert_not_exists "$d/usr/libexec/ctr/ctr-session"
	assert_not_exists "$d/usr/share/pam-configs/ctr-session"
}
