#!/usr/bin/env bats
# Root's containers in a user namespace of their own (issue 17, the
# --userns half; podman's --userns=auto is the peer): `netns-setup create
# NAME IP --userns` takes a free block of 65536 host ids, makes the netns
# inside a user namespace mapping uid/gid 0 to the block's first id, and an
# idmapped read-only view of the image; root starts it with `ctr-enter
# NAME` as usual, and root inside is an unprivileged uid on the host.  The
# escape battery (bats-tests/probes/escape.c) runs inside it by default
# (everything blocked, as in 50-security) and with --privileged (the
# namespace's own doors open, the host's stay shut: each named with the
# reason).  The real kernel, no mocks.
# shellcheck shell=bash
# shellcheck disable=SC2030,SC2031  # bats' run sets $lines in each test
# shellcheck disable=SC2016  # the container's shell expands them

load test_helper
bats_require_minimum_version 1.5.0

UN_NET=10.207.48
# The suite's own pool, at the top of the default one (a user's containers
# take blocks from its bottom first), below systemd's foreign range: four
# blocks.
UN_POOL_START=2147090432
UN_POOL=$UN_POOL_START-2147352575
UN_USER=ctrt48a

un_snapshot() {
	suite_snapshot un- ct-userns userns
	echo "## run"; find "$CTR_RUN_DIR" "$CTR_LIB_DIR" -mindepth 1 -maxdepth 1 2>/dev/null | sort
	echo "## net-state"; find "$CTR_NET_STATE_DIR" -mindepth 1 -path "*/netns/*" -o -path "*/userns*" -o -path "*/image*" 2>/dev/null | sort
	echo "## processes"; ps -eo uid= | awk -v s="$UN_POOL_START" '$1 >= s' | sort -u
}

setup_file() {
	require_root
	ctr_test_env userns
	export CTR_USERNS_POOL=$UN_POOL
	export CTR_SUBUID="$BATS_FILE_TMPDIR/subuid" CTR_SUBGID="$BATS_FILE_TMPDIR/subgid"
	: >"$CTR_SUBUID"
	: >"$CTR_SUBGID"
	un_snapshot >"$BATS_FILE_TMPDIR/before"

	# the escape battery: in a --userns container by default and with
	# --privileged; and, as the control, in root's own --privileged one
	export UN_VOL="$BATS_FILE_TMPDIR/vol"
	mkdir -p "$UN_VOL" "$BATS_FILE_TMPDIR/host-only"
	chmod 0755 "$UN_VOL"
	# a volume's path is looked up as the container's root (its host uid):
	# the suite's private tmpdir lets others through (not read)
	let_test_users_through "$UN_VOL"
	echo "HOST-SECRET-$$" >"$BATS_FILE_TMPDIR/host-only/secret"
	ln -s "$BATS_FILE_TMPDIR/host-only/secret" "$UN_VOL/link"
	[ -x "$CTR_HOOKS_BIN/escape" ] || fail "no $CTR_HOOKS_BIN/escape: run make test-hooks"
	cp "$CTR_HOOKS_BIN/escape" "$UN_VOL/escape"
	bash -c 'exec -a ctr-probe-hostproc sleep 600' </dev/null >/dev/null 2>&1 &
	export UN_HOST_PID=$!
	local common=(--host-pid "$UN_HOST_PID" --host-marker "$BATS_FILE_TMPDIR/host-only/secret"
		--secret "HOST-SECRET-$$" --host-dev "$(mountpoint -d /)" --volume-link /probe/link)
	net_create un-esc "$UN_NET.9/24" --userns >/dev/null
	net_create un-root "$UN_NET.10/24" >/dev/null
	ctr-enter un-esc --rm -v "$UN_VOL:/probe:ro" -- /probe/escape "${common[@]}" \
		>"$BATS_FILE_TMPDIR/default.out" 2>&1 || echo "exit=$?" >>"$BATS_FILE_TMPDIR/default.out"
	ctr-enter un-esc --rm --privileged -v "$UN_VOL:/probe:ro" -- /probe/escape --mode privileged "${common[@]}" \
		>"$BATS_FILE_TMPDIR/privileged.out" 2>&1 || true
	ctr-enter un-root --rm --privileged -v "$UN_VOL:/probe:ro" -- /probe/escape --mode privileged "${common[@]}" \
		>"$BATS_FILE_TMPDIR/root-privileged.out" 2>&1 || true
	kill "$UN_HOST_PID" 2>/dev/null || true
	remove_containers un-esc un-root
}

teardown_file() {
	remove_containers un-a un-b un-c un-esc un-root
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot un_snapshot "$BATS_FILE_TMPDIR/before")"
}

teardown() {
	remove_containers un-a un-b un-c
	: >"$CTR_SUBUID"
	: >"$CTR_SUBGID"
	test_user_del "$UN_USER"
}

# The first host uid of NAME's range (its record's subuid=START:COUNT).
un_start() {
	sed -n 's/^subuid=\([0-9]*\):.*/\1/p' "$CTR_NET_STATE_DIR/netns/$1"
}

# probe_says FILE PROBE STATUS: the probe ran and ended in STATUS.
probe_says() {
	local line
	line=$(grep -E "^$2 " "$BATS_FILE_TMPDIR/$1.out") || fail "probe $2 did not run; output: $(cat "$BATS_FILE_TMPDIR/$1.out")"
	[ "$(awk '{print $2}' <<<"$line")" = "$3" ] || fail "probe $2: expected $3, got: $line"
}
# probe_detail FILE PROBE TEXT: the probe's line contains TEXT.
probe_detail() {
	local line
	line=$(grep -E "^$2 " "$BATS_FILE_TMPDIR/$1.out") || fail "probe $2 did not run"
	[[ $line == *"$3"* ]] || fail "probe $2: expected '$3' in: $line"
}

@test "root inside is an unprivileged host uid: uid_map, ps, a file it writes, its eth0 and a server the host reaches; root's join too" {
	local start
	# through the porcelain, as a user would
	ctrctl create un-a "$UN_NET.2/24" --userns --memory 256M --bridge "$CTR_BRIDGE" --no-nat >/dev/null
	start=$(un_start un-a)
	[ "$start" -ge "$UN_POOL_START" ]
	[ $(((start - UN_POOL_START) % 65536)) -eq 0 ]
	run netns-setup show un-a
	assert_line --partial "inside uid 0 = host uid $start:65536"
	run netns-setup list --json
	assert_output --partial "\"userns\":{\"subuid\":\"$start:65536\",\"subgid\":\"$start:65536\"}"
	run ctr-enter un-a -d -- sh -c 'printf token-%s 4818 >/tmp/t && cd /tmp && exec python3 -m http.server 8000 --bind 0.0.0.0'
	assert_success
	wait_until 100 curl -sf "http://$UN_NET.2:8000/t" -o /dev/null
	run curl -sf "http://$UN_NET.2:8000/t"
	assert_output token-4818
	# the host sees PID 1 as START, never root
	run ps -o uid= -p "$(state_field un-a pid)"
	assert_output --regexp "^ *$start$"
	run ctr-enter un-a -- sh -c 'id -u; grep -E "^Uid" /proc/self/status; cat /proc/self/uid_map; ip -4 -o addr show eth0; echo data >/root/made'
	assert_success
	assert_line --index 0 0
	assert_line --index 1 --regexp '^Uid:\s+0\s+0\s+0\s+0$'
	assert_line --index 2 --regexp "^ +0 +$start +65536$"
	assert_line --index 3 --partial "inet $UN_NET.2/24"
	run stat -c '%u:%g' "$CTR_LIB_DIR/un-a/upper/root/made"
	assert_output "$start:$start"
	run ctrctl stop un-a
	assert_success
}

@test "default: the escape battery blocks every probe, as without --userns" {
	run grep -cE '^[a-z0-9_:/]+ +open ' "$BATS_FILE_TMPDIR/default.out"
	assert_output 1
	probe_says default ptrace_own_child open
	run grep -E '^exit=' "$BATS_FILE_TMPDIR/default.out"
	assert_output "exit=1"
	run grep -E '^status ' "$BATS_FILE_TMPDIR/default.out"
	assert_output --partial "CapInh: 0000000000000000, CapPrm: 00000000a80425fb, CapEff: 00000000a80425fb, CapBnd: 00000000a80425fb, CapAmb: 0000000000000000, NoNewPrivs: 1, Seccomp: 2"
}

@test "--privileged in a user namespace: the namespace's own doors open; the host's stay shut where root's --privileged gets through" {
	local p
	# what a user namespace's root may do to its own namespaces: open
	for p in mount_tmpfs remount_root pivot_root umount_proc sethostname unshare_userns \
		unshare_netns clone_newuser clone3 setns_own personality keyctl; do
		probe_says privileged "$p" open
	done
	probe_detail privileged reboot "passed the CAP_SYS_BOOT check (EINVAL)"   # its own PID namespace's
	# the host's: root's --privileged (the control) gets through, the user
	# namespace's root does not, and the kernel says why
	for p in mknod_kmsg write_sysctl; do
		probe_says root-privileged "$p" open
		probe_says privileged "$p" blocked
	done
	probe_detail privileged write_sysctl EACCES            # kernel.* sysctls are host root's files
	probe_detail privileged mknod_kmsg EPERM              # no device nodes in a user namespace
	probe_detail root-privileged cgroup_limits "for writing"
	probe_detail privileged cgroup_limits "EACCES"        # the limit files are host root's
	probe_detail privileged clock_settime "clock_adjtime(ADJ_TICK, tick 0): EPERM"   # CAP_SYS_TIME of the host
	if [ -e /proc/modules ]; then
		probe_says privileged init_module blocked         # CAP_SYS_MODULE of the host
	else
		probe_detail privileged init_module ENOSYS
	fi
	# still namespaced, as root's --privileged
	for p in chroot_escape host_paths volume_symlink open_by_handle host_procs ptrace_host setns_host; do
		probe_says privileged "$p" blocked
	done
	run grep -E '^status ' "$BATS_FILE_TMPDIR/privileged.out"
	assert_output --partial "NoNewPrivs: 0, Seccomp: 0"
}

@test "its root is nobody to the host's files: a root-only file in a volume is unreadable, a root-owned one unwritable, even --privileged" {
	local vol="$BATS_FILE_TMPDIR/hostvol"
	mkdir -p "$vol"
	echo private >"$vol/only-root"
	chmod 0600 "$vol/only-root"
	echo shared >"$vol/readable"
	chmod 0644 "$vol/readable"
	net_create un-a "$UN_NET.2/24" --userns >/dev/null
	run ctr-enter un-a --rm --privileged -v "$vol:/v" -- sh -c 'exec 2>&1; cat /v/only-root; echo rc=$?; cat /v/readable; echo x >>/v/readable; echo rc=$?; stat -c %u /v/readable'
	assert_line --partial "/v/only-root: Permission denied"
	assert_line --index 1 rc=1
	assert_line --index 2 shared
	assert_line --partial "/v/readable: Permission denied"
	assert_line rc=2
	assert_line 65534
	run cat "$vol/readable"
	assert_output shared
	rm -rf "$vol"
}

@test "OOM under the provisioned ceiling: exit 137 with the message; its root cannot raise the limit" {
	net_create un-a "$UN_NET.2/24" --userns --memory 64M >/dev/null
	run ctr-enter un-a --rm --privileged -- perl -e '$x = q(x) x (100 * 1024 * 1024); print qq(allocated\n)'
	assert_equal "$status" 137
	assert_output --partial "killed by the OOM killer (memory limit 64 MiB)"
	refute_output --partial allocated
}

@test "ranges: a free block each, never one of /etc/subuid or /etc/subgid; a layer keeps its block across destroy and create; the pool runs out in one line" {
	local a b c
	# the pool's first block is a user's subordinate range
	echo "someone:$UN_POOL_START:65536" >"$CTR_SUBGID"
	net_create un-a "$UN_NET.2/24" --userns >/dev/null
	net_create un-b "$UN_NET.3/24" --userns >/dev/null
	a=$(un_start un-a) b=$(un_start un-b)
	[ "$a" -eq $((UN_POOL_START + 65536)) ]
	[ "$b" -eq $((UN_POOL_START + 2 * 65536)) ]
	# its root may chown its upper (the container's /) to any id of its
	# block: the block a layer holds is in root's LAYER/userns, not there
	run ctr-enter un-a -- sh -c 'echo kept >/root/f && chown 65535:65535 /'
	assert_success
	assert_equal "$(stat -c %u "$CTR_LIB_DIR/un-a/upper")" $((a + 65535))
	assert_equal "$(cat "$CTR_LIB_DIR/un-a/userns")" "$a:65536"
	netns-setup destroy un-a
	# un-a's layer holds its block: a new container takes the next one
	net_create un-c "$UN_NET.4/24" --userns >/dev/null
	c=$(un_start un-c)
	[ "$c" -eq $((UN_POOL_START + 3 * 65536)) ]
	net_create un-a "$UN_NET.2/24" --userns >/dev/null
	[ "$(un_start un-a)" -eq "$a" ]
	run ctr-enter un-a --rm -- cat /root/f
	assert_output kept
	netns-setup destroy un-c
	remove_containers un-c
	run netns-setup create un-c "$UN_NET.4/24" --userns --bridge "$CTR_BRIDGE" --no-nat
	assert_success
	run netns-setup create un-d "$UN_NET.5/24" --userns --bridge "$CTR_BRIDGE" --no-nat
	assert_failure 1
	assert_output "netns-setup: un-d: --userns: no free range of 65536 ids left in CTR_USERNS_POOL $UN_POOL"
	[ ! -e /run/netns/un-d ]
}

@test "bad input, one line each, nothing left: with --owner, a layer of host root's files, another range's layer, a bad pool, a start by a user" {
	mkdir -p "$CTR_LIB_DIR/un-a/upper"
	echo root-file >"$CTR_LIB_DIR/un-a/upper/f"
	run netns-setup create un-a "$UN_NET.2/24" --userns --bridge "$CTR_BRIDGE" --no-nat
	assert_failure 1
	assert_output "netns-setup: un-a: --userns: layer $CTR_LIB_DIR/un-a holds host root's files (a container without --userns): ctrctl rm un-a first, or create without --userns"
	echo 12345:65536 >"$CTR_LIB_DIR/un-a/userns"
	run netns-setup create un-a "$UN_NET.2/24" --userns --bridge "$CTR_BRIDGE" --no-nat
	assert_failure 1
	assert_output "netns-setup: un-a: --userns: layer $CTR_LIB_DIR/un-a was made for host uid 12345, not a block of CTR_USERNS_POOL $UN_POOL: ctrctl rm un-a first"
	assert_equal "$(cat "$CTR_LIB_DIR/un-a/upper/f")" root-file
	rm -rf "$CTR_LIB_DIR/un-a"
	run netns-setup create un-a "$UN_NET.2/24" --userns --owner nobody
	assert_failure 1
	assert_output "netns-setup: un-a: --userns: not with --owner (an owned container has a user namespace of its own already)"
	CTR_USERNS_POOL=5-9 run netns-setup create un-a "$UN_NET.2/24" --userns --bridge "$CTR_BRIDGE" --no-nat
	assert_failure 1
	assert_output "netns-setup: un-a: --userns: CTR_USERNS_POOL 5-9: not a range of at least 65536 ids above 0"
	run netns-setup create un-a "$UN_NET.2/24" --rootfs "$CTR_ROOTFS" --bridge "$CTR_BRIDGE" --no-nat
	assert_failure 1
	assert_output --partial "--rootfs: only with --owner or --userns"
	[ ! -e /run/netns/un-a ]
	[ ! -e "$CTR_NET_STATE_DIR/netns/un-a" ]
	# a user may not start root's container in a user namespace
	net_create un-a "$UN_NET.2/24" --userns >/dev/null
	run setpriv --reuid 65534 --regid 65534 --clear-groups ctr-enter un-a -- true
	assert_failure 125
	assert_output "ctr-enter: un-a: must be run as root (its user namespace is root's: netns-setup create --userns)"
	# a layer made for another block of the pool: refused at start (also
	# with --rm, where it would be a lower layer), untouched
	mkdir -p "$CTR_LIB_DIR/un-a/upper" "$CTR_LIB_DIR/un-a/work"
	echo "$((UN_POOL_START + 3 * 65536)):65536" >"$CTR_LIB_DIR/un-a/userns"
	for rm in '' --rm; do
		# shellcheck disable=SC2086 # empty: no argument
		run ctr-enter un-a $rm -- true
		assert_failure 125
		assert_output --partial "layer $CTR_LIB_DIR/un-a was made for host uid $((UN_POOL_START + 3 * 65536)), not for this container's root (host uid $(un_start un-a))"
	done
	assert_equal "$(cat "$CTR_LIB_DIR/un-a/userns")" "$((UN_POOL_START + 3 * 65536)):65536"
	# a layer with host root's files: refused at start too
	rm "$CTR_LIB_DIR/un-a/userns"
	echo root-file >"$CTR_LIB_DIR/un-a/upper/f"
	run ctr-enter un-a -- true
	assert_failure 125
	assert_output --partial "layer $CTR_LIB_DIR/un-a holds files of a container without --userns"
	assert_equal "$(stat -c %u "$CTR_LIB_DIR/un-a/upper/f")" 0
}

@test "--owner: a subordinate range that overlaps a --userns container's block is refused in one line" {
	local start
	net_create un-a "$UN_NET.2/24" --userns >/dev/null
	start=$(un_start un-a)
	test_user_add "$UN_USER"
	echo "$UN_USER:$((start + 1000)):65536" >"$CTR_SUBUID"
	echo "$UN_USER:$((start + 1000)):65536" >"$CTR_SUBGID"
	run netns-setup create un-b "$UN_NET.3/24" --owner "$UN_USER" --bridge "$CTR_BRIDGE" --no-nat
	assert_failure 1
	assert_output "netns-setup: un-b: owner $UN_USER: her subordinate range overlaps container un-a's ($start-$((start + 65535)))"
	[ ! -e /run/netns/un-b ]
	[ ! -e "$CTR_NET_STATE_DIR/netns/un-b" ]
}

@test "destroy -f: its processes end (found by user namespace), nothing of it is left; the layer stays until ctrctl rm" {
	net_create un-a "$UN_NET.2/24" --userns >/dev/null
	run ctr-enter un-a -d -- sleep 600
	assert_success
	run ctr-enter un-a -- sh -c 'echo kept >/root/f'
	run netns-setup destroy un-a -f
	assert_success
	[ ! -e /run/netns/un-a ]
	[ ! -e "$CTR_NET_STATE_DIR/userns/un-a" ]
	[ ! -e "$CTR_NET_STATE_DIR/image/un-a" ]
	[ ! -e "$CTR_NET_STATE_DIR/netns/un-a" ]
	run ! grep -qF "$CTR_NET_STATE_DIR/" /proc/self/mountinfo
	wait_until 100 bash -c "! ps -eo uid= | awk -v s=$UN_POOL_START '\$1 >= s' | grep -q ."
	run cat "$CTR_LIB_DIR/un-a/upper/root/f"
	assert_output kept
	run ctrctl rm un-a
	assert_success
	[ ! -e "$CTR_LIB_DIR/un-a" ]
}

@test "the --userns suite leaves nothing behind" {
	remove_containers un-a un-b un-c un-esc un-root
	assert_no_debris "$BATS_FILE_TMPDIR/before" un_snapshot
}
