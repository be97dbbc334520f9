#!/usr/bin/env bats
# shellcheck disable=SC2034  # bats @test bodies are subshells; container-side strings in single quotes
# Secure by default: the escape battery (bats-tests/probes/escape.c) runs
# inside a default container, where every probe must be blocked, inside a
# --privileged one, where the capability-bound probes must get through (so
# no probe passes by being broken; the few that cannot are named below
# with the reason), and on the host itself, where the namespace probes
# must see the host.  Plus the options (--cap-add, --cap-drop, -u,
# --seccomp, --ulimit) and the same restrictions for a joined process.
# shellcheck shell=bash
# Commands for the container are single-quoted on purpose; bats's run sets
# status/output in the test's own shell.
# shellcheck disable=SC2016,SC2030,SC2031

load test_helper
bats_require_minimum_version 1.5.0

setup_file() {
	require_root
	ctr_test_env sec
	host_snapshot >"$BATS_FILE_TMPDIR/before"

	export SEC_NAME="ctsec-$$"
	export SEC_VOL="$BATS_FILE_TMPDIR/vol"
	export SEC_SECRET_FILE="$BATS_FILE_TMPDIR/host-only/secret"
	export SEC_SECRET="HOST-SECRET-$RANDOM$RANDOM"
	export SEC_HOSTNAME_BEFORE
	SEC_HOSTNAME_BEFORE=$(hostname)

	mkdir -p "$SEC_VOL" "${SEC_SECRET_FILE%/*}"
	echo "$SEC_SECRET" >"$SEC_SECRET_FILE"
	# a symlink in the volume that points at the host-only file
	ln -s "$SEC_SECRET_FILE" "$SEC_VOL/link"
	cc -O1 -o "$SEC_VOL/escape" "$CTR_SRC/bats-tests/probes/escape.c"

	# a host process the container must neither see nor trace
	bash -c 'exec -a ctr-probe-hostproc sleep 600' </dev/null >/dev/null 2>&1 &
	export SEC_HOST_PID=$!

	if command -v netns-setup >/dev/null; then
		net_create "$SEC_NAME" 10.203.0.2/24 >/dev/null
	else
		ip netns add "$SEC_NAME"
	fi

	# the batteries, once each; the tests read their output
	local common=(--host-pid "$SEC_HOST_PID" --host-marker "$SEC_SECRET_FILE"
		--secret "$SEC_SECRET" --host-dev "$(mountpoint -d /)")
	ctr-enter "$SEC_NAME" --rm -v "$SEC_VOL:/probe:ro" -- \
		/probe/escape "${common[@]}" --volume-link /probe/link \
		>"$BATS_FILE_TMPDIR/default.out" 2>&1 || echo "exit=$?" >>"$BATS_FILE_TMPDIR/default.out"
	ctr-enter "$SEC_NAME" --rm --privileged -v "$SEC_VOL:/probe:ro" -- \
		/probe/escape --mode privileged "${common[@]}" --volume-link /probe/link \
		>"$BATS_FILE_TMPDIR/privileged.out" 2>&1 || true
	"$SEC_VOL/escape" --mode host "${common[@]}" --volume-link "$SEC_VOL/link" \
		>"$BATS_FILE_TMPDIR/host.out" 2>&1 || true
}

teardown_file() {
	if [ -n "${SEC_HOST_PID:-}" ]; then
		kill "$SEC_HOST_PID" 2>/dev/null || true
	fi
	if command -v netns-setup >/dev/null; then
		net_destroy "$SEC_NAME" >/dev/null 2>&1 || true
	else
		ip netns del "$SEC_NAME" 2>/dev/null || true
	fi
}

# probe_says OUTFILE PROBE STATUS...: the probe ran and ended in one of STATUS.
probe_says() {
	local file="$BATS_FILE_TMPDIR/$1.out" name=$2 line st want
	shift 2
	line=$(grep -E "^$name " "$file") || fail "probe $name did not run; output: $(cat "$file")"
	st=$(awk '{print $2}' <<<"$line")
	for want in "$@"; do
		[ "$st" = "$want" ] && return 0
	done
	fail "probe $name: expected $*, got: $line"
}

# probe_line OUTFILE PROBE: the probe's line (fails when it did not run).
probe_line() {
	grep -E "^$2 " "$BATS_FILE_TMPDIR/$1.out" || fail "probe $2 did not run; output: $(cat "$BATS_FILE_TMPDIR/$1.out")"
}

# probe_detail OUTFILE PROBE TEXT: the probe's line contains TEXT.
probe_detail() {
	local line
	line=$(probe_line "$1" "$2")
	[[ $line == *"$3"* ]] || fail "probe $2: expected '$3' in: $line"
}

# kernel_has FEATURE: whether the running kernel has it, from the kernel
# itself (files in /proc), never from the probe that is being checked: a
# probe that says "skip" on a kernel that has the feature fails the test.
# The --privileged run (where the same probes must get through) is the
# control that shows each probe can see an open door.
kernel_has() {
	case $1 in
	kcore) [ -e /proc/kcore ] ;;
	sysrq) [ -e /proc/sysrq-trigger ] ;;
	# the syscall's entry point (__x64_sys_..., __arm64_sys_..., sys_...)
	io_uring) grep -qE ' (__[a-z0-9]+_)?sys_io_uring_setup$' /proc/kallsyms ;;
	# loaded (or built in), or a module socket(AF_VSOCK) would load
	vsock) grep -q '^AF_VSOCK ' /proc/net/protocols || modinfo vsock >/dev/null 2>&1 ;;
	*) fail "kernel_has: unknown feature $1" ;;
	esac
}

# io_uring_disabled=2 (Linux 6.6+) refuses io_uring_setup to everyone, root too.
io_uring_allowed() {
	[ "$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)" != 2 ]
}

# in_kernel FEATURE OUTFILE PROBE STATUS: the probe ends in STATUS when the
# kernel has FEATURE, and says skip (absent) only when it has not.
in_kernel() {
	if kernel_has "$1"; then
		probe_says "$2" "$3" "$4"
	else
		probe_says "$2" "$3" skip
	fi
}

# Docker's masked and read-only paths (helpers/masks.c masks two more).
MASKED_PATHS=(/proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys
	/proc/latency_stats /proc/timer_list /proc/timer_stats /proc/sched_debug /proc/scsi
	/sys/firmware /sys/devices/virtual/powercap)
READONLY_PATHS=(/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger)

# blocked PROBE...: each probe blocked in the default container.
blocked() {
	local p
	for p in "$@"; do probe_says default "$p" blocked; done
}

run_ctr() {
	run ctr-enter "$SEC_NAME" --rm "$@"
}

@test "default: mount, remount, umount and pivot_root are refused" {
	blocked mount_tmpfs remount_root remount_proc umount_proc pivot_root
}

@test "default: no way to the host's files (chroot via fd, /proc/1/root, volume symlink, file handle)" {
	blocked chroot_escape host_paths volume_symlink open_by_handle
}

@test "default: /proc secrets masked, /proc/sys and /sys read-only" {
	blocked read_keys read_timer_list write_sysctl
	probe_detail default write_sysctl EROFS
	# skip only where this kernel has no /proc/kcore, no sysrq-trigger
	in_kernel kcore default read_kcore blocked
	in_kernel sysrq default write_sysrq blocked
	probe_says default write_sys blocked
	probe_detail default write_sys EROFS
	run_ctr -- cat /proc/self/mountinfo
	assert_success
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /proc/sys ro,'
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /sys ro,'
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /proc/keys .*'
}

@test "default: every masked path is hidden; one the kernel lacks is absent on the host too" {
	local p
	for p in "${MASKED_PATHS[@]}"; do
		if [ -e "$p" ]; then
			probe_says default "mask:$p" blocked
		else
			probe_says default "mask:$p" skip
		fi
	done
	# this kernel has these, so the check above saw real masks
	probe_detail default mask:/proc/keys "masked (/dev/null"
	probe_detail default mask:/proc/acpi "masked (an empty tmpfs)"
	probe_detail default mask:/sys/firmware "masked (an empty tmpfs)"
}

@test "default: the read-only paths refuse a write with EROFS" {
	local p
	for p in "${READONLY_PATHS[@]}"; do
		if [ -e "$p" ]; then
			probe_says default "ro:$p" blocked
			probe_detail default "ro:$p" EROFS
		else
			probe_says default "ro:$p" skip
		fi
	done
}

@test "default: its cgroup limits cannot be raised" {
	blocked cgroup_limits
}

@test "default: mknod'ed nodes do not open, no raw host devices" {
	blocked mknod_host_disk mknod_kmsg raw_devices
}

@test "privileged: mknod works; the host's disk only as far as the host lets its own root" {
	probe_says privileged mknod_kmsg open
	if head -c 512 "/dev/block/$(mountpoint -d /)" >/dev/null 2>&1; then
		probe_says privileged mknod_host_disk open
	else
		# this VM refuses the disk to the host's root as well (EPERM):
		# the node is made, the open fails as on the host, not with
		# nodev's EACCES
		probe_says privileged mknod_host_disk blocked
		probe_detail privileged mknod_host_disk "mknod /dev/probe-disk ok, open/read: EPERM"
	fi
	# ctr passes no host device even under --privileged (docker does); the
	# probe itself finds /dev/kmsg on the host
	probe_says privileged raw_devices blocked
	probe_says host raw_devices open
}

@test "default: modules, reboot, clock, hostname, keyring, bpf, perf, io_uring, personality, TIOCSTI, vsock refused" {
	blocked init_module reboot clock_settime sethostname keyctl bpf \
		perf_event_open personality tiocsti
	# the filter, then the capability: both say EPERM
	probe_detail default clock_settime "clock_settime(invalid time): EPERM; clock_adjtime(ADJ_TICK, tick 0): EPERM"
	# skip only where this kernel has no io_uring, no vsock
	in_kernel io_uring default io_uring blocked
	in_kernel vsock default vsock blocked
	[ "$(hostname)" = "$SEC_HOSTNAME_BEFORE" ]
}

@test "default: no new namespaces, no setns, no 32-bit side door" {
	blocked unshare_userns unshare_netns clone_newuser clone3 setns_own setns_host
	run grep -E '^clone3 ' "$BATS_FILE_TMPDIR/default.out"
	assert_output --partial ENOSYS
	# a kernel without IA32 emulation faults int 0x80: then both say skip
	if probe_says privileged compat32 skip 2>/dev/null; then
		probe_detail privileged compat32 "int 0x80 faults"
		probe_says default compat32 skip
	else
		probe_says privileged compat32 open
		probe_says default compat32 blocked
	fi
}

# kernel_at_least X.Y: the running kernel is X.Y or newer.
kernel_at_least() {
	[ "$(printf '%s\n%s\n' "$1" "$(uname -r | cut -d- -f1)" | sort -V | head -n1)" = "$1" ]
}

@test "default: an allow-list: calls newer than the list and a number no kernel has get EPERM" {
	# EPERM whatever the kernel: the filter answers before it
	blocked statmount listmount lsm_get_self_attr mseal file_getattr unknown_syscall
	local p
	for p in statmount listmount lsm_get_self_attr mseal file_getattr unknown_syscall; do
		probe_detail default "$p" EPERM
	done
	# the controls: without the filter the kernel answers, as on the host
	# (ENOSYS, a skip, on a kernel without the call)
	for p in statmount listmount lsm_get_self_attr mseal file_getattr unknown_syscall; do
		probe_says privileged "$p" "$(probe_line host "$p" | awk '{print $2}')"
	done
	probe_detail privileged unknown_syscall ENOSYS
	! kernel_at_least 6.8 || probe_says host statmount open
	! kernel_at_least 6.8 || probe_says host listmount open
	! kernel_at_least 6.10 || probe_says host mseal open
	! kernel_at_least 6.17 || probe_says host file_getattr open
	kernel_at_least 6.8 || probe_says host statmount skip
}

@test "default: AF_ALG and every 32-bit socketcall(SOCKET) refused; without the filter they work" {
	if probe_says host af_alg skip 2>/dev/null; then
		probe_says default af_alg blocked skip   # no AF_ALG in this kernel: the filter answers first
	else
		probe_says default af_alg blocked
		probe_detail default af_alg EPERM
		probe_says privileged af_alg open
	fi
	if probe_says host socketcall32 skip 2>/dev/null; then
		probe_detail host socketcall32 "int 0x80 faults"
		probe_says default socketcall32 skip
	else
		probe_detail default socketcall32 "32-bit socketcall(SOCKET): AF_INET EPERM, AF_VSOCK EPERM"
		probe_says privileged socketcall32 open
		probe_detail privileged socketcall32 "AF_INET succeeded"
	fi
}

@test "default: host processes invisible and untraceable; ptrace works inside" {
	blocked host_procs ptrace_host
	probe_says default ptrace_own_child open
}

@test "default: docker's 14 capabilities in every set but inheritable and ambient, no_new_privs, a seccomp filter" {
	run grep -E '^status ' "$BATS_FILE_TMPDIR/default.out"
	assert_output --partial "CapInh: 0000000000000000, CapPrm: 00000000a80425fb, CapEff: 00000000a80425fb, CapBnd: 00000000a80425fb, CapAmb: 0000000000000000, NoNewPrivs: 1, Seccomp: 2"
}

@test "default: nothing but ptrace of its own child got through" {
	run grep -cE '^[a-z0-9_]+ +open ' "$BATS_FILE_TMPDIR/default.out"
	assert_output 1
	run grep -E '^exit=' "$BATS_FILE_TMPDIR/default.out"
	assert_output "exit=1"
}

@test "privileged: the probes get through (they are not broken)" {
	local p
	for p in mount_tmpfs remount_root remount_proc umount_proc pivot_root \
		read_keys read_timer_list cgroup_limits mknod_kmsg keyctl bpf perf_event_open \
		personality tiocsti unshare_userns unshare_netns clone_newuser clone3 setns_own open_by_handle \
		write_sysctl init_module reboot clock_settime sethostname; do
		probe_says privileged "$p" open
	done
	# the controls for the kernel checks: where the kernel has them, the
	# probes get through here (so "blocked" above is the container's doing)
	if io_uring_allowed; then
		in_kernel io_uring privileged io_uring open
	else
		in_kernel io_uring privileged io_uring blocked
		probe_detail privileged io_uring EPERM
	fi
	in_kernel vsock privileged vsock open
	if kernel_has kcore && head -c 16 /proc/kcore >/dev/null 2>&1; then
		probe_says privileged read_kcore open
	elif ! kernel_has kcore; then
		probe_says privileged read_kcore skip
	fi
	# by errno: EINVAL past CAP_SYS_BOOT and the clock checks, a real write
	probe_detail privileged reboot "passed the CAP_SYS_BOOT check (EINVAL)"
	probe_detail privileged clock_settime "clock_settime(invalid time): EINVAL; clock_adjtime(ADJ_TICK, tick 0): EINVAL"
	probe_detail privileged write_sysctl "wrote /proc/sys/kernel/hostname"
	if [ -e /proc/modules ]; then
		probe_detail privileged init_module "passed the permission check"
	else
		# no module support in this kernel: ENOSYS shows only the filter let it by
		probe_detail privileged init_module ENOSYS
	fi
	# no /proc/sysrq-trigger on this kernel: nothing to probe, said so
	if [ -e /proc/sysrq-trigger ]; then
		probe_says privileged write_sysrq open
	else
		probe_detail privileged write_sysrq "absent on this kernel"
		probe_says privileged write_sysrq skip
	fi
	# /sys stays read-only even under --privileged (ctr's choice; docker
	# makes it writable); on the host the same probe gets the file open
	probe_says privileged write_sys blocked
	probe_detail privileged write_sys EROFS
	probe_says host write_sys open
	[ "$(hostname)" = "$SEC_HOSTNAME_BEFORE" ]
	run grep -E '^status ' "$BATS_FILE_TMPDIR/privileged.out"
	assert_output --partial "NoNewPrivs: 0, Seccomp: 0"
}

@test "privileged: nothing masked, nothing read-only (the path checks are not broken)" {
	local p
	for p in "${MASKED_PATHS[@]}" "${READONLY_PATHS[@]}"; do
		local kind=mask
		[[ " ${READONLY_PATHS[*]} " == *" $p "* ]] && kind=ro
		if [ -e "$p" ]; then
			probe_says privileged "$kind:$p" open
		else
			probe_says privileged "$kind:$p" skip
		fi
	done
}

@test "privileged is still namespaced: no host files, processes or namespaces" {
	for p in chroot_escape host_paths volume_symlink host_procs ptrace_host setns_host; do
		probe_says privileged "$p" blocked
	done
}

@test "on the host the namespace probes see the host (they are not broken)" {
	for p in chroot_escape host_paths volume_symlink open_by_handle host_procs ptrace_host setns_host; do
		probe_says host "$p" open
	done
}

# filter_dump [RELEASE [CAPS]]: the default filter as libseccomp's
# pseudo-C, as ctr-enter builds it on a kernel of RELEASE (bats-tests/probes/filter-dump.c).
filter_dump() {
	if [ ! -x "$BATS_FILE_TMPDIR/filter-dump" ]; then
		cc -std=gnu11 -D_GNU_SOURCE -I"$CTR_SRC/helpers/enter" -I"$CTR_SRC/helpers/common" -o "$BATS_FILE_TMPDIR/filter-dump" \
			"$CTR_SRC/bats-tests/probes/filter-dump.c" "$CTR_SRC/helpers/enter/caps.c" \
			"$CTR_SRC/helpers/enter/seccomp.c" "$CTR_SRC/helpers/common/util.c" -lseccomp
	fi
	"$BATS_FILE_TMPDIR/filter-dump" "$@"
}

# pfc_has FILE ARCH CALL: the ARCH section of the dump has a rule for CALL.
pfc_has() {
	awk -v a="$2" -v c="\"$3\"" '
		/^# filter for arch/ { cur = $5 }
		/# filter for syscall/ && cur == a && $5 == c { found = 1 }
		END { exit !found }' "$1"
}

filter_arches() {
	if [ "$(uname -m)" = x86_64 ]; then
		echo x86_64 x86 x32
	else
		uname -m
	fi
}

# pfc_default FILE ARCH: the ARCH section ends in the default action EPERM.
pfc_default_eperm() {
	awk -v a="$2" '
		/^# filter for arch/ { cur = $5 }
		/# default action/ && cur == a { d = 1; next }
		d && cur == a { if ($0 ~ /action ERRNO\(1\);/) found = 1; d = 0 }
		END { exit !found }' "$1"
}

@test "the filter covers the compat architectures (x86, x32) with the same rules: an allow-list, EPERM by default" {
	[ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
	filter_dump >"$BATS_FILE_TMPDIR/filter.pfc"
	local arch call
	for arch in x86_64 x86 x32; do
		pfc_default_eperm "$BATS_FILE_TMPDIR/filter.pfc" "$arch" || fail "the $arch section's default is not EPERM"
		for call in read write execve clone clone3 unshare socket ioctl personality; do
			pfc_has "$BATS_FILE_TMPDIR/filter.pfc" "$arch" "$call" ||
				fail "no rule for $call in the $arch section"
		done
		for call in mount umount2 setns keyctl bpf init_module open_by_handle_at kexec_load \
			io_uring_setup userfaultfd swapon; do
			run ! pfc_has "$BATS_FILE_TMPDIR/filter.pfc" "$arch" "$call"
		done
	done
	# 32-bit x86 only: the socketcall multiplexer, all but SOCKET (1) (the
	# argument filter refuses that one: ioctl and socketcall(SOCKET) are
	# checked by a second, hand-written filter)
	pfc_has "$BATS_FILE_TMPDIR/filter.pfc" x86 socketcall
}

@test "kernels before 4.8: ptrace and process_vm_readv/writev only with SYS_PTRACE" {
	# not live: this kernel is newer; the dump is what ctr-enter builds
	# for a kernel of that release (the same function, fed the release)
	local rel arch call pfc="$BATS_TEST_TMPDIR/f.pfc"
	for rel in 4.7.10 4.4.0-210-generic 3.10.0-1160.el7.x86_64 garbage; do
		filter_dump "$rel" >"$pfc"
		for arch in $(filter_arches); do
			for call in ptrace process_vm_readv process_vm_writev; do
				run ! pfc_has "$pfc" "$arch" "$call"
			done
			pfc_has "$pfc" "$arch" read || fail "kernel $rel: the other rules are gone"
		done
	done
	for rel in 4.8.0 4.19.0-27-amd64 "$(uname -r)" ""; do
		if [ -n "$rel" ]; then filter_dump "$rel" >"$pfc"; else filter_dump >"$pfc"; fi
		for arch in $(filter_arches); do
			for call in ptrace process_vm_readv process_vm_writev; do
				pfc_has "$pfc" "$arch" "$call" || fail "kernel ${rel:-this}: no rule for $call ($arch)"
			done
		done
	done
	# --cap-add SYS_PTRACE (bit 19) allows it, as in docker
	filter_dump 4.4.0 "$(printf %x $((0xa80425fb | 1 << 19)))" >"$pfc"
	pfc_has "$pfc" x86_64 ptrace
	pfc_has "$pfc" x86_64 read
}

@test "the default filter is compiled at build time, byte for byte what libseccomp builds now" {
	[ -f "$CTR_BIN/seccomp-default.h" ] || fail "no $CTR_BIN/seccomp-default.h (make builds it)"
	printf '#include <linux/filter.h>\n#include <stdio.h>\n#include "seccomp-default.h"\nint main(void) { return fwrite(ctr_default_filter, sizeof(ctr_default_filter), 1, stdout) != 1; }\n' \
		>"$BATS_TEST_TMPDIR/embedded.c"
	cc -I"$CTR_BIN" -o "$BATS_TEST_TMPDIR/embedded" "$BATS_TEST_TMPDIR/embedded.c"
	"$BATS_TEST_TMPDIR/embedded" >"$BATS_TEST_TMPDIR/embedded.bpf"
	"$CTR_BIN/seccomp-gen" --raw >"$BATS_TEST_TMPDIR/now.bpf"
	[ -s "$BATS_TEST_TMPDIR/now.bpf" ]
	cmp "$BATS_TEST_TMPDIR/embedded.bpf" "$BATS_TEST_TMPDIR/now.bpf"
	# A default start loads the embedded program (prctl, no libseccomp);
	# other capabilities are compiled at start (libseccomp's seccomp(2)).
	local len=$(($(stat -c %s "$BATS_TEST_TMPDIR/now.bpf") / 8))
	# (LeakSanitizer cannot stop the world under ptrace: no leak check
	# in an ASan build, make test-asan)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run strace -f -qq -e trace=seccomp,prctl -o "$BATS_TEST_TMPDIR/default.trace" \
		ctr-enter "$SEC_NAME" --rm -- true
	assert_success
	grep -q "PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=$len," "$BATS_TEST_TMPDIR/default.trace"
	run ! grep -q 'seccomp(SECCOMP_SET_MODE_FILTER' "$BATS_TEST_TMPDIR/default.trace"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run strace -f -qq -e trace=seccomp,prctl -o "$BATS_TEST_TMPDIR/capadd.trace" \
		ctr-enter "$SEC_NAME" --rm --cap-add sys_time -- true
	assert_success
	grep -q 'seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=' "$BATS_TEST_TMPDIR/capadd.trace"
}

@test "-u 1000: no capabilities at all, the bounding set still trimmed" {
	run_ctr -u 1000 -- grep -E '^(CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status
	assert_success
	assert_line --regexp '^CapPrm:\s+0000000000000000$'
	assert_line --regexp '^CapEff:\s+0000000000000000$'
	assert_line --regexp '^CapAmb:\s+0000000000000000$'
	assert_line --regexp '^CapBnd:\s+00000000a80425fb$'
	assert_line --regexp '^NoNewPrivs:\s+1$'
}

@test "--cap-drop ALL --cap-add NET_ADMIN,cap_sys_time: exactly those two" {
	run_ctr --cap-drop ALL --cap-add NET_ADMIN,cap_sys_time -- grep -E '^Cap(Eff|Bnd):' /proc/self/status
	assert_success
	assert_line --regexp '^CapEff:\s+0000000002001000$'
	assert_line --regexp '^CapBnd:\s+0000000002001000$'
}

@test "--cap-drop CHOWN: root can no longer chown" {
	run_ctr --cap-drop chown -- chown 1:1 /tmp
	assert_failure
	assert_output --partial "Operation not permitted"
}

@test "--cap-add SYS_ADMIN also opens the filter's mount and namespace calls" {
	run_ctr --cap-add sys_admin -v "$SEC_VOL:/probe:ro" -- /probe/escape mount_tmpfs unshare_userns keyctl
	assert_line --regexp '^mount_tmpfs +open'
	assert_line --regexp '^unshare_userns +open'
	# the keyring is not namespaced: denied whatever the capabilities
	assert_line --regexp '^keyctl +blocked'
}

@test "--seccomp=unconfined: no filter, capabilities and no_new_privs stay" {
	run_ctr --seccomp=unconfined -- grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status
	assert_success
	assert_line --regexp '^CapEff:\s+00000000a80425fb$'
	assert_line --regexp '^NoNewPrivs:\s+1$'
	assert_line --regexp '^Seccomp:\s+0$'
}

@test "--ulimit sets limits; nofile defaults to 1024 soft" {
	run_ctr --ulimit nofile=100:200 --ulimit nproc=500 --ulimit core=0 -- \
		bash -c 'echo $(ulimit -Sn) $(ulimit -Hn) $(ulimit -u) $(ulimit -c)'
	assert_success
	assert_output "100 200 500 0"
	run_ctr -- bash -c 'ulimit -Sn'
	assert_success
	assert_output 1024
}

# join_with OPTS... -- CMD...: start a container with OPTS, run CMD in it
# as a joined process (ctr-enter --join), stop the container; CMD's
# result in $status/$output.
join_with() {
	local -a opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	ctr-enter "$SEC_NAME" --rm "${opts[@]}" -- sleep 600 </dev/null >/dev/null 2>&1 3>&- &
	local sup=$!
	for _ in $(seq 100); do
		[ -s "$CTR_RUN_DIR/$SEC_NAME/state" ] && ctrctl inspect "$SEC_NAME" 2>/dev/null | grep -qx state=running && break
		sleep 0.05
	done
	run ctr-enter --join "$SEC_NAME" -- "$@"
	local st=$status out=$output
	ctrctl stop -t 0 "$SEC_NAME" >/dev/null 2>&1 || true
	wait "$sup" || true
	status=$st output=$out
}

@test "join: a --cap-drop ALL container's joined shell holds no capability" {
	join_with --cap-drop ALL -- grep -E '^Cap(Prm|Eff|Bnd):' /proc/self/status
	assert_success
	assert_line --regexp '^CapPrm:\s+0000000000000000$'
	assert_line --regexp '^CapEff:\s+0000000000000000$'
	assert_line --regexp '^CapBnd:\s+0000000000000000$'
}

@test "join: a --seccomp=unconfined container's joined process has no filter" {
	join_with --seccomp=unconfined -- grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status
	assert_success
	assert_line --regexp '^Seccomp:\s+0$'
	assert_line --regexp '^NoNewPrivs:\s+1$'
	assert_line --regexp '^CapEff:\s+00000000a80425fb$'
	# and a default one's has it (the line above can fail)
	join_with -- grep -E '^Seccomp:' /proc/self/status
	assert_line --regexp '^Seccomp:\s+2$'
}

@test "join: a --ulimit nofile=100:200 container's joined shell has those limits" {
	join_with --ulimit nofile=100:200 -- bash -c 'echo $(ulimit -Sn) $(ulimit -Hn)'
	assert_success
	assert_output "100 200"
}

@test "join: a --privileged container's joined process keeps every capability, no no_new_privs, no filter" {
	local host_eff
	host_eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
	join_with --privileged -- grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status
	assert_success
	assert_line --regexp "^CapEff:\s+$host_eff$"
	assert_line --regexp "^CapBnd:\s+$host_eff$"
	assert_line --regexp '^NoNewPrivs:\s+0$'
	assert_line --regexp '^Seccomp:\s+0$'
}

@test "bad security options: one line naming the value, exit 125" {
	run_ctr --cap-add FOO -- true
	assert_equal "$status" 125
	assert_output --regexp "bad --cap-add value 'FOO': unknown capability"
	assert_equal "${#lines[@]}" 1
	run_ctr --ulimit nofile=5:2 -- true
	assert_equal "$status" 125
	assert_output --partial "bad --ulimit value 'nofile=5:2'"
	run_ctr --seccomp=bogus -- true
	assert_equal "$status" 125
	assert_output --partial "bad --seccomp value 'bogus'"
}

@test "fork, exec and posix_spawn work under the filter; personality: linux32 yes, -R no" {
	run_ctr -- python3 -c 'import os, subprocess; print(subprocess.run(["echo", "spawned"], capture_output=True).stdout.decode().strip()); os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0)'
	assert_success
	assert_output spawned
	run_ctr -- setarch linux32 uname -m
	assert_success
	assert_output i686
	run_ctr -- setarch x86_64 -R true
	assert_failure
	assert_output --partial "Operation not permitted"
}

@test "no fd of the caller reaches the container: start, --init, join" {
	local dir="$BATS_FILE_TMPDIR/host-only"
	# fd 7 is a directory on the host outside the rootfs: a way out if it leaked
	run bash -c 'exec 7<"$1"; shift; "$@"' _ "$dir" ctr-enter "$SEC_NAME" --rm -- \
		sh -c 'ls /proc/self/fd/7/ 2>&1; ls /proc/self/fd'
	assert_success
	refute_output --partial secret
	assert_output --partial "No such file"
	run bash -c 'exec 7<"$1"; shift; "$@"' _ "$dir" ctr-enter "$SEC_NAME" --rm --init -- \
		sh -c 'ls /proc/1/fd /proc/2/fd; cat /proc/1/fd/7/secret 2>&1'
	refute_output --partial "$SEC_SECRET"
	refute_line 7
	# join: start a container, then join it holding fd 7
	ctr-enter "$SEC_NAME" --rm -- sleep 3 </dev/null >/dev/null 2>&1 &
	local sup=$!
	for _ in $(seq 100); do
		[ -s "$CTR_RUN_DIR/$SEC_NAME/state" ] && break
		sleep 0.05
	done
	run bash -c 'exec 7<"$1"; shift; "$@"' _ "$dir" ctr-enter "$SEC_NAME" -- \
		sh -c 'cat /proc/self/fd/7/secret 2>&1; ls /proc/self/fd'
	wait "$sup"
	refute_output --partial "$SEC_SECRET"
	refute_line 7
}

# open_ptys N: inside a container, open /dev/ptmx until it fails or N are
# open; print how many and the errno name, then hold them for HOLD seconds.
OPEN_PTYS='import errno, os, sys, time
fds = []
err = "none"
while len(fds) < int(sys.argv[1]):
    try:
        fds.append(os.open("/dev/ptmx", os.O_RDWR | os.O_NOCTTY))
    except OSError as e:
        err = errno.errorcode[e.errno]
        break
print(len(fds), err, flush=True)
time.sleep(float(sys.argv[2]))'

@test "each container has its own pty budget (devpts max=1024): exhausting it leaves the next container its ptys" {
	local second=ctsec2-$$ sup i
	SEC_SECOND_NETNS=$second
	ip netns add "$second"
	run_ctr -- grep ' - devpts ' /proc/self/mountinfo
	assert_output --regexp ',max=1024( |,|$)'
	# at most 1100 tries: an unbounded container would take from the host's pool
	ctr-enter "$SEC_NAME" --rm --ulimit nofile=2048 -- python3 -c "$OPEN_PTYS" 1100 30 \
		</dev/null >"$BATS_TEST_TMPDIR/first" 2>&1 3>&- &
	sup=$!
	for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/first" ] && break; sleep 0.1; done
	run ctr-enter "$second" --rm -- python3 -c "$OPEN_PTYS" 10 0
	local second_out=$output
	ctrctl stop -t 0 "$SEC_NAME" >/dev/null 2>&1 || true
	wait "$sup" || true
	assert_equal "$(cat "$BATS_TEST_TMPDIR/first")" "1024 ENOSPC"
	assert_equal "$second_out" "10 none"
}

# An unprivileged host user made for a test (no home, no subuid lines),
# removed again by teardown.
SEC_USER=ctrsecprobe

teardown() {
	if [ -n "${SEC_SECOND_NETNS:-}" ]; then
		ip netns del "$SEC_SECOND_NETNS" 2>/dev/null || true
		unset SEC_SECOND_NETNS
	fi
	if id -u "$SEC_USER" >/dev/null 2>&1; then
		userdel "$SEC_USER" 2>/dev/null || true
	fi
	if [ -n "${SEC_OPEN_DIR:-}" ]; then
		rm -rf --one-file-system "$SEC_OPEN_DIR"
		unset SEC_OPEN_DIR
	fi
}

# as_user CMD...: CMD as the test user, no supplementary groups, through
# env: setpriv's own exec still holds root's capabilities (it keeps them
# across setresuid), env's exec of CMD holds none.
as_user() {
	setpriv --reuid="$(id -u "$SEC_USER")" --regid="$(id -g "$SEC_USER")" --clear-groups -- env "$@"
}

@test "no other host user reaches a layer or state dir: a setuid file or a node the container made stays out of reach" {
	useradd -M -N -s /usr/sbin/nologin "$SEC_USER"
	# a world-traversable place (the suite's own tmpdir is 0700); CTR_LIB_DIR
	# and CTR_RUN_DIR do not exist yet: ctr-enter makes them
	SEC_OPEN_DIR=$(mktemp -d /tmp/ctr-sec-open.XXXXXX)
	chmod 0755 "$SEC_OPEN_DIR"
	local lib=$SEC_OPEN_DIR/lib run=$SEC_OPEN_DIR/run i modes
	local suid=$SEC_OPEN_DIR/lib/$SEC_NAME/upper/tmp/rootid node=$SEC_OPEN_DIR/lib/$SEC_NAME/upper/tmp/nullish
	CTR_LIB_DIR=$lib CTR_RUN_DIR=$run ctr-enter "$SEC_NAME" -- sh -c \
		'cp /usr/bin/id /tmp/rootid && chmod 4755 /tmp/rootid && mknod /tmp/nullish c 1 3 && exec sleep 600' \
		</dev/null >/dev/null 2>&1 3>&- &
	local sup=$!
	for i in $(seq 100); do
		[ -s "$run/$SEC_NAME/state" ] && [ -e "$node" ] && break
		sleep 0.05
	done
	modes=$(stat -c '%a %n' "$lib" "$lib/$SEC_NAME" "$run" "$run/$SEC_NAME")
	run as_user cat "$run/$SEC_NAME/state"
	local state_status=$status state_out=$output
	CTR_LIB_DIR=$lib CTR_RUN_DIR=$run ctrctl stop -t 0 "$SEC_NAME" >/dev/null 2>&1 || true
	wait "$sup" || true
	assert_equal "$modes" "$(printf '700 %s\n' "$lib" "$lib/$SEC_NAME" "$run" "$run/$SEC_NAME")"
	assert_equal "$state_status" 1
	assert_regex "$state_out" "Permission denied"
	# the container did make them: root on the host sees them
	[ -u "$suid" ] && [ -c "$node" ]
	run as_user "$suid" -u
	assert_failure
	assert_output --partial "Permission denied"
	run as_user sh -c "echo x >'$node'"
	assert_failure
	assert_output --partial "Permission denied"

	# Control: the modes an older ctr-enter left.  The test user now runs
	# the setuid copy as root (the test above is not broken) ...
	chmod 0755 "$lib" "$lib/$SEC_NAME"
	run as_user "$suid" -u
	assert_success
	assert_output 0
	# ... until the next start tightens the layer (CTR_LIB_DIR existed: it
	# keeps its mode) and leaves the content alone
	CTR_LIB_DIR=$lib CTR_RUN_DIR=$run run ctr-enter "$SEC_NAME" -- true
	assert_success
	assert_equal "$(stat -c %a "$lib"):$(stat -c %a "$lib/$SEC_NAME")" 755:700
	[ -u "$suid" ] && [ -c "$node" ]
	run as_user "$suid" -u
	assert_failure
	assert_output --partial "Permission denied"
}

@test "the security suite leaves nothing behind" {
	teardown_file
	unset SEC_HOST_PID
	assert_no_debris "$BATS_FILE_TMPDIR/before"
	[ "$(hostname)" = "$SEC_HOSTNAME_BEFORE" ]
}
