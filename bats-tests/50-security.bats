#!/usr/bin/env bats
# Secure by default: the escape battery (bats-tests/probes/escape.c) runs
# inside a default container, where every probe must be blocked, inside a
# --privileged one, where the non-destructive probes must get through (so
# no probe passes by being broken), and on the host itself, where the
# namespace probes must see the host.  Plus the options: --cap-add,
# --cap-drop, -u, --seccomp, --ulimit.

load test_helper

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
	[ -n "${SEC_HOST_PID:-}" ] && kill "$SEC_HOST_PID" 2>/dev/null || true
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
	# absent on some kernels (this one has no /proc/kcore, sysrq-trigger)
	probe_says default read_kcore blocked skip
	probe_says default write_sysrq blocked skip
	probe_says default write_sys blocked skip
	run_ctr -- cat /proc/self/mountinfo
	assert_success
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /proc/sys ro,'
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /sys ro,'
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /proc/keys .*'
}

@test "default: its cgroup limits cannot be raised" {
	blocked cgroup_limits
}

@test "default: mknod'ed nodes do not open, no raw host devices" {
	blocked mknod_host_disk mknod_kmsg raw_devices
}

@test "default: modules, reboot, clock, hostname, keyring, bpf, perf, io_uring, personality, TIOCSTI, vsock refused" {
	blocked init_module reboot clock_settime sethostname keyctl bpf \
		perf_event_open personality tiocsti
	probe_says default io_uring blocked skip
	probe_says default vsock blocked skip
	[ "$(hostname)" = "$SEC_HOSTNAME_BEFORE" ]
}

@test "default: no new namespaces, no setns, no 32-bit side door" {
	blocked unshare_userns unshare_netns clone_newuser clone3 setns_own setns_host
	run grep -E '^clone3 ' "$BATS_FILE_TMPDIR/default.out"
	assert_output --partial ENOSYS
	probe_says default compat32 blocked skip
}

@test "default: host processes invisible and untraceable; ptrace works inside" {
	blocked host_procs ptrace_host
	probe_says default ptrace_own_child open
}

@test "default: docker's 14 capabilities everywhere, no_new_privs, a seccomp filter" {
	run grep -E '^status ' "$BATS_FILE_TMPDIR/default.out"
	assert_output --partial "CapEff: 00000000a80425fb, CapBnd: 00000000a80425fb, NoNewPrivs: 1, Seccomp: 2"
}

@test "default: nothing but ptrace of its own child got through" {
	run grep -cE '^[a-z0-9_]+ +open ' "$BATS_FILE_TMPDIR/default.out"
	assert_output 1
	run grep -E '^exit=' "$BATS_FILE_TMPDIR/default.out"
	assert_output "exit=1"
}

@test "privileged: the non-destructive probes get through (they are not broken)" {
	local p
	for p in mount_tmpfs remount_root remount_proc umount_proc pivot_root \
		read_keys read_timer_list cgroup_limits mknod_kmsg keyctl bpf perf_event_open \
		personality tiocsti unshare_userns unshare_netns clone_newuser clone3 setns_own open_by_handle; do
		probe_says privileged "$p" open
	done
	probe_says privileged io_uring open skip
	probe_says privileged vsock open skip
	for p in write_sysrq write_sysctl init_module reboot clock_settime sethostname; do
		probe_says privileged "$p" skip
	done
	run grep -E '^status ' "$BATS_FILE_TMPDIR/privileged.out"
	assert_output --partial "NoNewPrivs: 0, Seccomp: 0"
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

@test "the filter covers the compat architectures (x86, x32) with the same rules" {
	[ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
	cc -std=gnu11 -D_GNU_SOURCE -I"$CTR_SRC/helpers" -o "$BATS_FILE_TMPDIR/filter-dump" \
		"$CTR_SRC/bats-tests/probes/filter-dump.c" "$CTR_SRC/helpers/caps.c" \
		"$CTR_SRC/helpers/seccomp.c" "$CTR_SRC/helpers/util.c" -lseccomp
	"$BATS_FILE_TMPDIR/filter-dump" >"$BATS_FILE_TMPDIR/filter.pfc"
	local arch call
	for arch in x86_64 x86 x32; do
		for call in mount umount2 unshare clone clone3 setns keyctl bpf init_module \
			open_by_handle_at socket ioctl; do
			awk -v a="$arch" -v c="\"$call\"" '
				/^# filter for arch/ { cur = $5 }
				/# filter for syscall/ && cur == a && $5 == c { found = 1 }
				END { exit !found }' "$BATS_FILE_TMPDIR/filter.pfc" ||
				fail "no rule for $call in the $arch section"
		done
	done
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
	run strace -f -qq -e trace=seccomp,prctl -o "$BATS_TEST_TMPDIR/default.trace" \
		ctr-enter "$SEC_NAME" --rm -- true
	assert_success
	grep -q "PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=$len," "$BATS_TEST_TMPDIR/default.trace"
	! grep -q 'seccomp(SECCOMP_SET_MODE_FILTER' "$BATS_TEST_TMPDIR/default.trace"
	run strace -f -qq -e trace=seccomp,prctl -o "$BATS_TEST_TMPDIR/capadd.trace" \
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
	local sup=$! i
	for i in $(seq 100); do
		[ -s "$CTR_RUN_DIR/$SEC_NAME/state" ] && break
		sleep 0.05
	done
	run bash -c 'exec 7<"$1"; shift; "$@"' _ "$dir" ctr-enter "$SEC_NAME" -- \
		sh -c 'cat /proc/self/fd/7/secret 2>&1; ls /proc/self/fd'
	wait "$sup"
	refute_output --partial "$SEC_SECRET"
	refute_line 7
}

@test "the security suite leaves nothing behind" {
	teardown_file
	unset SEC_HOST_PID
	assert_no_debris "$BATS_FILE_TMPDIR/before"
	[ "$(hostname)" = "$SEC_HOSTNAME_BEFORE" ]
}
