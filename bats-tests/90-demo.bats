#!/usr/bin/env bats
# make demo: every step of demo/run prints PASS, it exits 0, and it leaves
# nothing behind (its own bridge ctdemo0, subnet 10.205.0.0/24, cgroup
# parent ctrdemo and temporary CTR_RUN_DIR/CTR_LIB_DIR).

load test_helper

setup_file() {
	ctr_test_env demo
}

setup() {
	require_root
	[ -f "$CTR_TEST_ROOTFS/.ctr-rootfs" ] || skip "no rootfs at $CTR_TEST_ROOTFS"
	host_snapshot >"$BATS_TEST_TMPDIR/before"
}

@test "demo: every step passes, exit 0, no debris" {
	run timeout -k 10 120 env CTR_ROOTFS="$CTR_TEST_ROOTFS" CTR_BIN="$CTR_BIN" "$CTR_SRC/demo/run"
	assert_success
	local n
	for n in 1 2 3 4 5 6 7 8 9; do
		assert_line "-- Step $n: PASS"
	done
	refute_line --partial "FAIL"
	refute_line --partial "SKIP"
	assert_line --partial "all steps passed"
	assert_no_debris "$BATS_TEST_TMPDIR/before"
}

@test "demo: refuses to start without a rootfs, leaving nothing behind" {
	run env CTR_ROOTFS="$BATS_TEST_TMPDIR/none" "$CTR_SRC/demo/run"
	assert_failure 2
	assert_output --partial "no rootfs at $BATS_TEST_TMPDIR/none"
	assert_no_debris "$BATS_TEST_TMPDIR/before"
}
