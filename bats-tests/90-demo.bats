#!/usr/bin/env bats
# make demo: every step of demo/run prints PASS, it exits 0, and it leaves
# nothing behind (its own bridge ctdemo0, subnet 10.205.0.0/24, cgroup
# parent ctrdemo and temporary CTR_RUN_DIR/CTR_LIB_DIR).

load test_helper

setup_file() {
	ctr_test_env demo
}

# The host as far as the demo's names go (its netns ctrdemo*, bridge ctdemo0,
# veths vc-ctrdemo*, cgroup parent ctrdemo, /etc/netns entries, temporary
# ctr-demo.* dirs): other suites may come and go meanwhile on a shared host.
demo_snapshot() {
	host_snapshot | grep -E '^##|ctrdemo|ctdemo|ctr-demo' || true
	find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name ctrdemo 2>/dev/null || true
}

# The kernel removes a destroyed netns's veth a moment after destroy returns:
# settled_snapshot waits (up to 5 s) for the snapshot to match.
assert_no_demo_debris() {
	local now
	now=$(settled_snapshot demo_snapshot "$1")
	if [ "$now" != "$(cat "$1")" ]; then
		diff "$1" <(echo "$now") >&2 || true
		fail "the demo left something behind (above)"
	fi
}

setup() {
	require_root
	[ -f "$CTR_TEST_ROOTFS/.ctr-rootfs" ] || skip "no rootfs at $CTR_TEST_ROOTFS"
	demo_snapshot >"$BATS_TEST_TMPDIR/before"
}

@test "demo: every step passes, exit 0, no debris" {
	# It takes about 7 s (step 6's CPU loop is 5 s of it); "well under two
	# minutes" with room for a loaded host: 90 s at most.
	run timeout -k 10 90 env CTR_ROOTFS="$CTR_TEST_ROOTFS" CTR_BIN="$CTR_BIN" "$CTR_SRC/demo/run"
	assert_success
	local n
	for n in 1 2 3 4 5 6 7 8 9; do
		assert_line "-- Step $n: PASS"
	done
	refute_line --partial "FAIL"
	refute_line --partial "SKIP"
	assert_line --partial "all steps passed"
	assert_no_demo_debris "$BATS_TEST_TMPDIR/before"
}

@test "demo: refuses to start without a rootfs, leaving nothing behind" {
	run env CTR_ROOTFS="$BATS_TEST_TMPDIR/none" "$CTR_SRC/demo/run"
	assert_failure 2
	assert_output --partial "no rootfs at $BATS_TEST_TMPDIR/none"
	assert_no_demo_debris "$BATS_TEST_TMPDIR/before"
}

@test "demo: a failing step makes it exit 1, and it still cleans up" {
	# A busybox rootfs has no bash: step 4 (the shell as PID 1) must fail.
	rootfs-builder --busybox -q "$BATS_TEST_TMPDIR/bb" >/dev/null
	run env CTR_DEMO_STEPS="4 9" CTR_ROOTFS="$BATS_TEST_TMPDIR/bb" CTR_BIN="$CTR_BIN" "$CTR_SRC/demo/run"
	assert_failure 1
	assert_line "-- Step 4: FAIL"
	assert_line "-- Step 9: PASS"
	assert_line --partial "1 step(s) FAILED"
	assert_no_demo_debris "$BATS_TEST_TMPDIR/before"
}

@test "demo: SIGTERM in the middle of a step removes everything" {
	local log=$BATS_TEST_TMPDIR/demo.log pid n=100
	CTR_DEMO_STEPS=6 CTR_ROOTFS="$CTR_TEST_ROOTFS" "$CTR_SRC/demo/run" >"$log" 2>&1 3>&- &
	pid=$!
	# wait until the CPU loop of step 6 runs in its cgroup
	while ((n-- > 0)) && ! CTR_CGROUP_PARENT=ctrdemo ctr-enter --stats ctrdemo1 >/dev/null 2>&1; do
		sleep 0.1
	done
	((n > 0)) || { cat "$log" >&2; kill -KILL "$pid"; fail "step 6 never started"; }
	kill -TERM "$pid"
	local rc=0 tmp
	wait "$pid" || rc=$?
	assert_equal "$rc" 143
	assert_no_demo_debris "$BATS_TEST_TMPDIR/before"
	# its temporary CTR_RUN_DIR/CTR_LIB_DIR is gone too
	tmp=$(sed -n 's/.*state in \(\/tmp\/ctr-demo\.[A-Za-z0-9]*\).*/\1/p' "$log")
	[ -n "$tmp" ]
	assert_not_exist "$tmp"
}
