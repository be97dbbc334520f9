#!/usr/bin/env bats
# Smoke test of the ctr test VM: the cgroup layout the VM was booted with is
# really there, and the kernel features the suites need work inside it
# (network namespaces, veth, bridges, overlay mounts).  Runs only in the VM
# (bats-tests/vm/run sets CTR_VM_LAYOUT).

load '../test_helper'

setup_file() {
	[ -n "${CTR_VM_LAYOUT:-}" ] || skip "only inside the ctr test VM (make test-vm)"
	ctr_test_env vmsmoke
	host_snapshot > "$BATS_FILE_TMPDIR/before"
}

# CTR_VM_TEST_HANG=N (CTR_VM_TEST_HANG=N bats-tests/vm/run passes it on):
# the Nth test of this file sleeps forever, so that the runner's report of a
# hang (the running test, the guest's tasks and kernel stacks) can be seen.
#
# CTR_VM_TEST_STALL=N: the Nth test stops the output of the serial console
# (the tty's flow control, as ^S would: what a lost transmit interrupt of
# the UART looks like to writers) and then writes 8 KiB of comment lines to
# the TAP stream, as a full run's later tests do.  The run must still end
# with its results: they come back over the output share, and the console
# only mirrors them (bats-tests/vm/guest-init).
setup() {
	if [ "${CTR_VM_TEST_HANG:-}" = "$BATS_TEST_NUMBER" ]; then
		sleep infinity
	fi
	if [ "${CTR_VM_TEST_STALL:-}" = "$BATS_TEST_NUMBER" ]; then
		stall_console
	fi
}

stall_console() {
	local i
	python3 -c 'import os, termios
fd = os.open("/dev/console", os.O_WRONLY | os.O_NOCTTY)
termios.tcflow(fd, termios.TCOOFF)'
	for ((i = 0; i < 128; i++)); do
		printf '# stalled console: line %03d %s\n' "$i" "$(printf '%040d' 0)" >&3
	done
}

teardown_file() {
	[ -n "${CTR_VM_LAYOUT:-}" ] || return 0
	ip netns del ctrvm-smoke 2> /dev/null || true
	ip link del ctvm-br0 2> /dev/null || true
	ip link del ctvm-h0 2> /dev/null || true
}

@test "v2 layout: cgroup2 at /sys/fs/cgroup with memory cpu pids io enabled" {
	[ "$CTR_VM_LAYOUT" = v2 ] || skip "layout $CTR_VM_LAYOUT"
	run stat -f -c %T /sys/fs/cgroup
	assert_output cgroup2fs
	for c in memory cpu pids io; do
		grep -qw "$c" /sys/fs/cgroup/cgroup.controllers
		grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control
	done
	# No v1 hierarchy at all.
	run grep -c ' - cgroup ' /proc/self/mountinfo
	assert_output 0
}

@test "v2 layout: a child cgroup takes memory, cpu and pids limits" {
	[ "$CTR_VM_LAYOUT" = v2 ] || skip "layout $CTR_VM_LAYOUT"
	local cg=/sys/fs/cgroup/ctrtest-vmsmoke
	mkdir "$cg"
	echo $((64 << 20)) > "$cg/memory.max"
	echo "50000 100000" > "$cg/cpu.max"
	echo 10 > "$cg/pids.max"
	run cat "$cg/memory.max" "$cg/cpu.max" "$cg/pids.max"
	rmdir "$cg"
	assert_output "$(printf '67108864\n50000 100000\n10')"
}

@test "v1-combined layout: cpu,cpuacct is one hierarchy, cpu and cpuacct link to it" {
	[ "$CTR_VM_LAYOUT" = v1-combined ] || skip "layout $CTR_VM_LAYOUT"
	assert_equal "$(stat -f -c %T /sys/fs/cgroup)" tmpfs
	assert [ -d /sys/fs/cgroup/cpu,cpuacct ]
	assert_equal "$(readlink /sys/fs/cgroup/cpu)" cpu,cpuacct
	assert_equal "$(readlink /sys/fs/cgroup/cpuacct)" cpu,cpuacct
	assert [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]
	assert [ -f /sys/fs/cgroup/cpuacct/cpuacct.usage ]
	run grep -E ' /sys/fs/cgroup/cpu,cpuacct .* - cgroup .*cpu,cpuacct' /proc/self/mountinfo
	assert_success
}

@test "v1-combined layout: memory, pids, devices, freezer are v1 hierarchies; cgroup2 has no controllers" {
	[ "$CTR_VM_LAYOUT" = v1-combined ] || skip "layout $CTR_VM_LAYOUT"
	for c in memory pids devices freezer; do
		grep -qE " /sys/fs/cgroup/$c .* - cgroup cgroup .*[,]$c(,|\$)" /proc/self/mountinfo
	done
	assert [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]
	run cat /sys/fs/cgroup/unified/cgroup.controllers
	assert_success
	assert_output ""
}

@test "v1-combined layout: a child cgroup takes memory, cpu and pids limits" {
	[ "$CTR_VM_LAYOUT" = v1-combined ] || skip "layout $CTR_VM_LAYOUT"
	local c
	for c in memory cpu pids; do mkdir "/sys/fs/cgroup/$c/ctrtest-vmsmoke"; done
	echo $((64 << 20)) > /sys/fs/cgroup/memory/ctrtest-vmsmoke/memory.limit_in_bytes
	echo 50000 > /sys/fs/cgroup/cpu/ctrtest-vmsmoke/cpu.cfs_quota_us
	echo 10 > /sys/fs/cgroup/pids/ctrtest-vmsmoke/pids.max
	run cat /sys/fs/cgroup/memory/ctrtest-vmsmoke/memory.limit_in_bytes \
		/sys/fs/cgroup/cpuacct/ctrtest-vmsmoke/cpu.cfs_quota_us \
		/sys/fs/cgroup/pids/ctrtest-vmsmoke/pids.max
	for c in memory cpu pids; do rmdir "/sys/fs/cgroup/$c/ctrtest-vmsmoke"; done
	assert_output "$(printf '67108864\n50000\n10')"
}

@test "a netns with a veth pair on a bridge passes traffic" {
	ip netns add ctrvm-smoke
	ip link add ctvm-br0 type bridge
	ip addr add 10.200.250.1/24 dev ctvm-br0
	ip link set ctvm-br0 up
	ip link add ctvm-h0 type veth peer name eth0 netns ctrvm-smoke
	ip link set ctvm-h0 master ctvm-br0 up
	ip -n ctrvm-smoke addr add 10.200.250.2/24 dev eth0
	ip -n ctrvm-smoke link set eth0 up
	ip -n ctrvm-smoke link set lo up
	run ping -c1 -W5 10.200.250.2
	assert_success
	ip netns del ctrvm-smoke
	ip link del ctvm-br0
}

@test "an overlay over the container rootfs mounts and takes writes" {
	local d=$BATS_TEST_TMPDIR
	assert_file_exist "$CTR_TEST_ROOTFS/.ctr-rootfs"
	mkdir "$d/upper" "$d/work" "$d/merged"
	mount -t overlay overlay -o "lowerdir=$CTR_TEST_ROOTFS,upperdir=$d/upper,workdir=$d/work" "$d/merged"
	echo hello > "$d/merged/etc/ctr-smoke"
	run cat "$d/upper/etc/ctr-smoke"
	umount "$d/merged"
	assert_output hello
	assert_file_not_exist "$CTR_TEST_ROOTFS/etc/ctr-smoke"
}

@test "the container rootfs runs python3 and bash chrooted" {
	run chroot "$CTR_TEST_ROOTFS" python3 -c 'print(6 * 7)'
	assert_output 42
	run chroot "$CTR_TEST_ROOTFS" bash -c 'echo ok'
	assert_success
}

@test "the VM leaves no debris" {
	assert_no_debris "$BATS_FILE_TMPDIR/before"
}
