#!/usr/bin/env bats
# Stress of the paths a hung VM layout can stick in (docs/testing.md, "When a
# layout hangs"): each test hammers one of them, on both vCPUs, so that a
# rare stall becomes likely.  Not part of the default suites: run it by name,
#   CTR_VM_LAYOUTS=v2 CTR_VM_SUITES=vm/stress CTR_VM_TIMEOUT=300 bats-tests/vm/run
# A stall shows as a layout TIMEOUT with the hang report.  Runs only in the
# VM (bats-tests/vm/run sets CTR_VM_LAYOUT).

load '../test_helper'

setup_file() {
	[ -n "${CTR_VM_LAYOUT:-}" ] || skip "only inside the ctr test VM (make test-vm)"
	ctr_test_env vmstress
}

# The TAP stream (bats | tee -> serial console and 9p share) with user-space
# writes to the serial tty on one vCPU while the kernel writes its own
# console lines (printk, polled, IER cleared and restored) on the other.
@test "serial console: 1500 TAP lines while the kernel prints 400 console lines" {
	local i pad
	pad=$(printf '%060d' 0)
	(for ((i = 0; i < 400; i++)); do echo "<3>ctr-vm-stress: kernel line $i" > /dev/kmsg; done) &
	for ((i = 0; i < 1500; i++)); do
		echo "# serial $i $pad" >&3
	done
	wait
}

# Many small writes to the output share (9p over virtio) from four writers.
@test "9p share: four writers append 300 lines each" {
	local n i
	for n in 1 2 3 4; do
		(for ((i = 0; i < 300; i++)); do echo "writer $n line $i" >> "/mnt/out/stress-$n"; done) &
	done
	for ((i = 0; i < 20; i++)); do echo "# 9p $i" >&3; sleep 0.1; done
	wait
	for n in 1 2 3 4; do
		assert_equal "$(wc -l < "/mnt/out/stress-$n")" 300
		rm -f "/mnt/out/stress-$n"
	done
}

# Reads from the root disk (virtio-blk) with an empty page cache, two
# readers, while the TAP stream goes on.
@test "root disk: two rounds of reading /usr/lib with an empty page cache" {
	local r
	for r in 1 2; do
		echo 3 > /proc/sys/vm/drop_caches
		find /usr/lib -type f -size -2M -print0 | head -z -n 3000 | xargs -0 -P 2 -n 50 cat > /dev/null 2>&1 || true
		echo "# disk round $r" >&3
	done
}

# Child cgroups that charge memory (tmpfs pages left behind), cpu and pids,
# removed while their memory css still has pages: offlining memory css.
@test "cgroups: 50 children charged with memory, removed with pages left" {
	local root=/sys/fs/cgroup cg i
	[ "$CTR_VM_LAYOUT" = v2 ] || root=/sys/fs/cgroup/memory
	for ((i = 0; i < 50; i++)); do
		cg=$root/ctrtest-vmstress-$i
		mkdir "$cg"
		if [ "$CTR_VM_LAYOUT" = v2 ]; then
			echo $((64 << 20)) > "$cg/memory.max"
			echo "50000 100000" > "$cg/cpu.max"
			echo 10 > "$cg/pids.max"
		fi
		sh -c "echo \$\$ > $cg/cgroup.procs && head -c 1M /dev/zero > /dev/shm/vmstress-$i"
		rmdir "$cg"
		[ $((i % 10)) -ne 0 ] || echo "# cgroup $i" >&3
	done
	rm -f /dev/shm/vmstress-*
}

# cpu.max set and reset: each 0 <-> 1 change of the number of groups with a
# quota patches the kernel's text (the __cfs_bandwidth_used static key:
# int3 and IPIs to every CPU) while the other vCPU runs kernel code, the
# cross-modifying code TCG must catch.  Smoke test 2 makes the first such
# change of a v2 boot.
@test "static keys: 100 cpu.max quota set and reset in a child cgroup" {
	[ "$CTR_VM_LAYOUT" = v2 ] || skip "layout $CTR_VM_LAYOUT"
	local cg=/sys/fs/cgroup/ctrtest-vmstress-keys i
	mkdir "$cg"
	(while :; do cat /proc/self/status > /dev/null; done) &
	for ((i = 0; i < 100; i++)); do
		echo "50000 100000" > "$cg/cpu.max"
		echo "max 100000" > "$cg/cpu.max"
		[ $((i % 10)) -ne 0 ] || echo "# static key $i" >&3
	done
	kill $!
	wait || true
	rmdir "$cg"
}
