#!/usr/bin/env bats
# Containers owned by an unprivileged user (issue 17, the namespace half):
# `netns-setup create NAME IP --owner USER` makes the netns inside a user
# namespace owned by USER (uid 0 inside = the start of her /etc/subuid
# range), an idmapped read-only view of the image and her layer; then
# `ctr-enter NAME` runs as her, with no capabilities, no setuid bit, no
# file capabilities.  Real test users (test_user_add: useradd's own
# subordinate ranges), the real kernel.  The cgroup half (her ceiling,
# joining it) is 46-rootless-cgroup's.
# shellcheck shell=bash
# shellcheck disable=SC2030,SC2031  # bats' run sets $lines in each test
# shellcheck disable=SC2016  # the container's shell expands them

load test_helper
bats_require_minimum_version 1.5.0

RL_A=ctrt45a
RL_B=ctrt45b
RL_NET=10.207.45

rl_snapshot() {
	suite_snapshot rl- ct-rootless rootless
	echo "## user cgroups"
	find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -path "*$CTR_USER_CGROUP_PARENT*" 2>/dev/null | sort
	echo "## run"; find "$CTR_RUN_DIR" "$CTR_LIB_DIR" -mindepth 1 2>/dev/null | sort
	echo "## net-state"; find "$CTR_NET_STATE_DIR" -mindepth 1 -path "*/netns/*" -o -path "*/userns*" -o -path "*/image*" 2>/dev/null | sort
	echo "## users"; grep -E "^($RL_A|$RL_B|ctrt45[a-z]*):" /etc/passwd /etc/subuid /etc/subgid || true
}

setup_file() {
	require_root
	ctr_test_env rootless
	# the test users walk to their directories and the image view, which
	# are under the suite's private tmpdir: let them through (not read)
	let_test_users_through "$BATS_FILE_TMPDIR"
	rl_snapshot >"$BATS_FILE_TMPDIR/before"
	test_user_add "$RL_A"
	test_user_add "$RL_B"
}

teardown_file() {
	remove_containers rl-a rl-b rl-bad rl-r
	rl_remove_ceiling "$RL_A"
	rl_remove_ceiling "$RL_B"
	test_user_del "$RL_A"
	test_user_del "$RL_B"
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot rl_snapshot "$BATS_FILE_TMPDIR/before")"
}

teardown() {
	local n
	ctrctl rm -f rl-r >/dev/null 2>&1 || true
	for n in rl-a rl-b rl-bad rl-r; do
		netns-setup destroy "$n" -f >/dev/null 2>&1 || true
	done
	for n in ctrt45c ctrt45d; do
		test_user_del "$n" 2>/dev/null || true
	done
	groupdel ctrt45g 2>/dev/null || true
	rl_remove_ceiling "$RL_A"
	rl_remove_ceiling "$RL_B"
}

# The first subordinate uid of USER (what uid 0 inside her containers is).
rl_start() {
	local r
	r=$(test_user_subuid "$1")
	echo "${r%% *}"
}

# ctr-enter as USER, logged in.
rl_enter() {
	local user=$1
	shift
	login_as_test_user "$user" ctr-enter "$@"
}

# Her ceiling's session leaf (the hook's) and the ceiling, once empty:
# the unprovision of her last container keeps them while a login's
# processes are in the leaf.
rl_remove_ceiling() {
	local d
	while read -r d; do
		rmdir "$d/session" "$d" 2>/dev/null || true
		rmdir "${d%/*}" 2>/dev/null || true
	done < <(find /sys/fs/cgroup -maxdepth 4 -type d -path "*/$CTR_USER_CGROUP_PARENT/$1" 2>/dev/null)
}

# RL_A writes, in her run dir RUN, a state of rl-a that names PID (a
# process not hers) as its PID 1 and supervisor, with its start time, and
# the lines EXTRA (printf's escapes).
rl_forge_state() {
	local run=$1 pid=$2 extra=${3:-} start
	start=$(awk '{ print $22 }' "/proc/$pid/stat")
	as_test_user "$RL_A" sh -ec 'mkdir "$1/rl-a"
		printf "name=rl-a\nsupervisor=%s\nsupervisor_start=%s\npid=%s\npid_start=%s\n$4" "$2" "$3" "$2" "$3" >"$1/rl-a/state"' \
		sh "$run" "$pid" "$start" "$extra"
}

# Nothing of owned container NAME is left: netns, user namespace pin, the
# image view, her layer and state, the record, the cgroups.
rl_nothing_left() {
	local name=$1
	[ ! -e "/run/netns/$name" ] || fail "netns $name left"
	[ ! -e "$CTR_NET_STATE_DIR/userns/$name" ] || fail "userns pin left"
	[ ! -e "$CTR_NET_STATE_DIR/image/$name" ] || fail "image view left"
	[ ! -e "$CTR_NET_STATE_DIR/netns/$name" ] || fail "record left"
	! grep -qF "$CTR_NET_STATE_DIR/" /proc/self/mountinfo || fail "a mount under the state dir left"
	[ -z "$(find "$CTR_RUN_DIR" "$CTR_LIB_DIR" -mindepth 1 2>/dev/null)" ] ||
		fail "left in the run/lib dirs: $(find "$CTR_RUN_DIR" "$CTR_LIB_DIR" -mindepth 1)"
	[ -z "$(find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -path "*$CTR_USER_CGROUP_PARENT/*" 2>/dev/null)" ] ||
		fail "her cgroups left"
}

# ------------------------------------------------------------ bad input

@test "create --owner: a user that does not exist, root, uid 0: one line, exit 1, nothing left" {
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner ctrt45nosuch
	assert_output "netns-setup: rl-bad: owner ctrt45nosuch: no such user"
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner root
	assert_output --regexp '^netns-setup: rl-bad: owner root: is root \(uid 0\): .*$'
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner 0
	assert_output --regexp '^netns-setup: rl-bad: owner 0: is root \(uid 0\)'
	rl_nothing_left rl-bad
}

@test "create --owner: no subordinate range, a small one, one containing 0 or her uid, one overlapping another user's: one line each, nothing left" {
	local uid a
	test_user_add ctrt45c -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner ctrt45c
	assert_output --regexp '^netns-setup: rl-bad: owner ctrt45c: no subordinate uid range in /etc/subuid'
	rl_nothing_left rl-bad
	uid=$(id -u ctrt45c)
	echo "ctrt45c:3000000000:1000" >>/etc/subuid
	echo "ctrt45c:3000000000:65536" >>/etc/subgid
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner ctrt45c
	assert_output "netns-setup: rl-bad: owner ctrt45c: subordinate uid range 3000000000-3000000999 in /etc/subuid has 1000 ids, fewer than 65536"
	sed -i '/^ctrt45c:/d' /etc/subuid
	echo "ctrt45c:0:65536" >>/etc/subuid
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner ctrt45c
	assert_output "netns-setup: rl-bad: owner ctrt45c: subordinate uid range 0-65535 in /etc/subuid contains 0 (root)"
	sed -i '/^ctrt45c:/d' /etc/subuid
	echo "ctrt45c:$((uid - 10)):65536" >>/etc/subuid
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner ctrt45c
	assert_output "netns-setup: rl-bad: owner ctrt45c: subordinate uid range $((uid - 10))-$((uid + 65525)) in /etc/subuid contains her own uid $uid"
	sed -i '/^ctrt45c:/d' /etc/subuid
	a=$(rl_start "$RL_A")
	echo "ctrt45c:$((a + 100)):65536" >>/etc/subuid
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner ctrt45c
	assert_output --regexp "^netns-setup: rl-bad: owner ctrt45c: subordinate uid range $((a + 100))-[0-9]+ in /etc/subuid overlaps $RL_A's $a-"
	rl_nothing_left rl-bad
	test_user_del ctrt45c
}

@test "create --owner: the name session; a subordinate range containing a host user's uid or a host group's gid: one line each, nothing left" {
	run -1 netns-setup create session "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner "$RL_A"
	assert_output "netns-setup: session: the name session is reserved for a container owned by a user (her ceiling's session cgroup)"
	rl_nothing_left session
	test_user_add ctrt45c -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0
	test_user_add ctrt45d -u 2000000000 -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0
	groupadd -g 2100000000 ctrt45g
	echo "ctrt45c:1999999990:65536" >>/etc/subuid
	echo "ctrt45c:3000000000:65536" >>/etc/subgid
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner ctrt45c
	assert_output "netns-setup: rl-bad: owner ctrt45c: subordinate uid range 1999999990-2000065525 in /etc/subuid contains the host uid 2000000000 (ctrt45d)"
	sed -i '/^ctrt45c:/d' /etc/subuid /etc/subgid
	echo "ctrt45c:3000000000:65536" >>/etc/subuid
	echo "ctrt45c:2099999000:65536" >>/etc/subgid
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner ctrt45c
	groupdel ctrt45g
	assert_output "netns-setup: rl-bad: owner ctrt45c: subordinate gid range 2099999000-2100064535 in /etc/subgid contains the host gid 2100000000 (ctrt45g)"
	rl_nothing_left rl-bad
	test_user_del ctrt45c
	test_user_del ctrt45d
}

@test "create --owner of an image on a filesystem without idmapped mounts (ramfs): one line, rolled back, nothing left" {
	local img=$BATS_TEST_TMPDIR/ram
	mkdir "$img"
	mount -t ramfs ramfs "$img"
	touch "$img/.ctr-rootfs"
	run -1 netns-setup create rl-bad "$RL_NET.9/24" --bridge "$CTR_BRIDGE" --no-nat --owner "$RL_A" --rootfs "$img"
	umount "$img"
	assert_output "netns-setup: rl-bad: image $img has no idmapped mounts (Linux >= 5.12 and a filesystem that supports them): mount_setattr: Invalid argument"
	rl_nothing_left rl-bad
	rl_remove_ceiling "$RL_A"
}

@test "ctr-enter of a netns not owned by her, by a user: one line, exit 125" {
	net_create rl-b "$RL_NET.3/24" >/dev/null
	run -125 rl_enter "$RL_A" rl-b -- true
	assert_output "ctr-enter: rl-b: must be run as root (it creates namespaces and mounts)"
}

# ------------------------------------------------------------ provisioning

@test "create --owner: the netns belongs to a user namespace owned by her (uid_map 0 START COUNT, setgroups allow), pinned; the image view is idmapped, read-only, nosuid, nodev; her dirs are 0700" {
	local start count uid pin view
	uid=$(id -u "$RL_A")
	read -r start count < <(test_user_subuid "$RL_A")
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	pin=$CTR_NET_STATE_DIR/userns/rl-a
	view=$CTR_NET_STATE_DIR/image/rl-a
	# the netns's user namespace is the pinned one, owned by her uid
	run python3 -c '
import fcntl, os, sys, array
net = os.open(sys.argv[1], os.O_RDONLY)
user = fcntl.ioctl(net, 0xb701)          # NS_GET_USERNS
uid = array.array("I", [0]); fcntl.ioctl(user, 0xb704, uid)   # NS_GET_OWNER_UID
a, b = os.fstat(user), os.stat(sys.argv[2])
print(uid[0], (a.st_ino, a.st_dev) == (b.st_ino, b.st_dev))' "/run/netns/rl-a" "$pin"
	assert_success
	assert_output "$uid True"
	# the maps, read through a process in it (nsenter as root: only reads)
	run nsenter --user="$pin" --net=/run/netns/rl-a cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups
	assert_success
	assert_line --index 0 --regexp "^ +0 +$start +$count$"
	assert_line --index 2 allow
	# `ip netns exec` works for root as before
	run ip netns exec rl-a ip -4 -o addr show dev eth0
	assert_output --partial "inet $RL_NET.2/24"
	run findmnt -n -o OPTIONS "$view"
	assert_output --regexp '(^|,)ro,nosuid,nodev,.*idmapped'
	run stat -c '%u %a' "$view/etc/passwd" "$CTR_RUN_DIR/.user/$uid" "$CTR_LIB_DIR/.user/$uid" "$CTR_LIB_DIR/.user/$uid/rl-a" "$CTR_LIB_DIR/.user/$uid/rl-a/upper"
	assert_output "$start 644
$uid 700
$uid 700
$uid 700
$start 755"
	run netns-setup show rl-a
	assert_line "owner:     $RL_A (uid $uid); inside uid 0 = host uid $start:$count, gid 0 = host gid $(awk -F: -v u="$RL_A" '$1==u{print $2":"$3; exit}' /etc/subgid) (start:count)"
	run netns-setup list --json
	assert_output --partial "\"owner\":{\"user\":\"$RL_A\",\"uid\":$uid,"
}

# ------------------------------------------------------------ the flow

@test "she enters without capabilities: uid 0 inside, her range in uid_map, eth0 has the address, the hostname" {
	local start count
	read -r start count < <(test_user_subuid "$RL_A")
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	run rl_enter "$RL_A" rl-a --hostname c1 -- sh -c 'id -u; cat /proc/self/uid_map; ip -4 -o addr show dev eth0; hostname; grep ^CapEff /proc/self/status'
	assert_success
	assert_line --index 0 0
	assert_line --index 1 --regexp "^ +0 +$start +$count$"
	assert_line --index 2 --partial "inet $RL_NET.2/24"
	assert_line --index 3 c1
	# her own capabilities outside: none (as_test_user)
	run as_test_user "$RL_A" grep ^CapEff /proc/self/status
	assert_output --regexp 'CapEff:\s+0+$'
}

@test "under the ceiling given at create (--memory 64m) her start with no flags ends 137 with the OOM message" {
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" --memory 64m >/dev/null
	run -137 rl_enter "$RL_A" rl-a -- python3 -c 'b = bytearray(256 << 20); print(len(b))'
	assert_output "ctr-enter: rl-a: killed by the OOM killer (memory limit 64 MiB)"
}

@test "a file she writes lands in her layer owned by START on the host; the image is unchanged" {
	local start uid before after
	start=$(rl_start "$RL_A")
	uid=$(id -u "$RL_A")
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	before=$(find "$CTR_ROOTFS" -xdev -printf '%p %U %G %m %s %T@ %C@\n' | sort | sha256sum)
	run rl_enter "$RL_A" rl-a -- sh -c 'echo hers >/root/f; echo x >>/etc/passwd; chmod 4755 /usr/bin/env; rm /etc/hostname.orig 2>/dev/null; touch /usr/bin; mkdir -p /var/x; echo done'
	assert_success
	assert_output 'done'
	run stat -c '%u %g %s' "$CTR_LIB_DIR/.user/$uid/rl-a/upper/root/f"
	assert_output "$start $start 5"
	after=$(find "$CTR_ROOTFS" -xdev -printf '%p %U %G %m %s %T@ %C@\n' | sort | sha256sum)
	[ "$before" = "$after" ] || fail "the image changed"
	# the view cannot be written from the host either
	run -1 touch "$CTR_NET_STATE_DIR/image/rl-a/x"
	assert_output --partial "Read-only file system"
}

@test "--rm by her: her kept layer is a lower layer, what the run writes or deletes is gone after it" {
	local uid
	uid=$(id -u "$RL_A")
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	run rl_enter "$RL_A" rl-a -- sh -c 'echo kept >/root/kept'
	assert_success
	run rl_enter "$RL_A" rl-a --rm -- sh -c 'cat /root/kept; echo tmp >/root/tmp; rm /root/kept; ls /root'
	assert_success
	assert_output "kept
tmp"
	run rl_enter "$RL_A" rl-a -- ls /root
	assert_output kept
	run ls -A "$CTR_LIB_DIR/.user/$uid"
	assert_output rl-a
}

@test "a server inside is reached from the host; she joins it while it runs; root's join is uid 0 of her namespace" {
	local start
	start=$(rl_start "$RL_A")
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	run rl_enter "$RL_A" rl-a -d -- sh -c 'printf token-%s 4517 >/tmp/t && cd /tmp && exec python3 -m http.server 8000 --bind 0.0.0.0'
	assert_success
	wait_until 100 curl -sf "http://$RL_NET.2:8000/t" -o /dev/null
	run curl -sf "http://$RL_NET.2:8000/t"
	assert_output token-4517
	run rl_enter "$RL_A" rl-a -- sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	assert_line --index 0 0
	assert_line --index 1 --partial "http.server 8000"
	# root's join: it becomes root of her namespace (START outside), never
	# stays host root in it
	run ctr-enter rl-a -- sh -c 'grep -E "^Uid" /proc/self/status; cat /proc/self/uid_map'
	assert_success
	assert_line --index 0 --regexp '^Uid:\s+0\s+0\s+0\s+0$'
	assert_line --index 1 --regexp "^ +0 +$start "
	run ps -o user= -C python3
	assert_output --partial "$start"
	refute_output --regexp '^root'
}

@test "another user cannot enter, join, stop or read the state of her container; root cannot start it" {
	local uid pid1
	uid=$(id -u "$RL_A")
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	run -125 rl_enter "$RL_B" rl-a -- true
	assert_output "ctr-enter: rl-a: not the owner: its user namespace belongs to uid $uid"
	run -125 ctr-enter rl-a -- true
	assert_output "ctr-enter: rl-a: owned by uid $uid: start it as that user (root may join it once it runs)"
	run rl_enter "$RL_A" rl-a -d -- sleep 1000
	assert_success
	run -125 rl_enter "$RL_B" rl-a -- true
	assert_output "ctr-enter: rl-a: not the owner: its user namespace belongs to uid $uid"
	run -125 rl_enter "$RL_B" rl-a --join -- true
	assert_output "ctr-enter: rl-a: not the owner: its user namespace belongs to uid $uid"
	run as_test_user "$RL_B" cat "$CTR_RUN_DIR/.user/$uid/rl-a/state"
	assert_failure
	assert_output --partial "Permission denied"
	run as_test_user "$RL_B" ls "$CTR_LIB_DIR/.user/$uid"
	assert_failure
	pid1=$(sed -n 's/^pid=//p' "$CTR_RUN_DIR/.user/$uid/rl-a/state")
	[ -n "$pid1" ]
	run as_test_user "$RL_B" kill -TERM "$pid1"
	assert_failure
	assert_output --partial "Operation not permitted"
	run as_test_user "$RL_B" nsenter --user="$CTR_NET_STATE_DIR/userns/rl-a" true
	assert_failure
	kill -0 "$pid1"
}

@test "ctrctl without sudo: she lists, stats, stops and starts her own container; another user sees none of it; rm stays root's" {
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	run rl_enter "$RL_A" rl-a -d -- sleep 1000
	assert_success
	run login_as_test_user "$RL_A" ctrctl ps
	assert_success
	assert_line --index 1 --regexp '^rl-a +running '
	run as_test_user "$RL_A" ctrctl stats --no-stream rl-a
	assert_success
	assert_line --index 1 --regexp '^rl-a '
	run as_test_user "$RL_B" ctrctl ps -a
	assert_success
	refute_output --partial rl-a
	run -1 as_test_user "$RL_B" ctrctl stop rl-a
	run -125 as_test_user "$RL_B" ctr-enter --stats rl-a
	assert_output --partial "not the owner"
	run as_test_user "$RL_A" ctrctl stop -t 1 rl-a
	assert_success
	run as_test_user "$RL_A" ctrctl ps -a
	assert_line --index 1 --regexp '^rl-a +stopped '
	run login_as_test_user "$RL_A" ctrctl start rl-a
	assert_success
	wait_until 100 eval 'as_test_user "$RL_A" ctrctl ps | grep -q "^rl-a  *running"'
	run -1 as_test_user "$RL_A" ctrctl rm -f rl-a
	assert_output "ctrctl: rm: must be run as root (sudo ctrctl rm NAME; a container owned by a user goes with sudo netns-setup destroy NAME)"
}

@test "root's ctrctl sees every owner's containers: ps (OWNER, --json owner), stats, inspect, logs and stop of hers; start and rm stay hers and netns-setup's; each owner still sees only hers" {
	local pid1
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	net_create rl-b "$RL_NET.3/24" --owner "$RL_B" >/dev/null
	net_create rl-r "$RL_NET.4/24" >/dev/null
	run rl_enter "$RL_A" rl-a -d -- sh -c 'echo hello-4517; exec sleep 1000'
	assert_success
	run rl_enter "$RL_B" rl-b -d -- sleep 1000
	assert_success
	run ctrctl run rl-r -d -- sleep 1000
	assert_success
	pid1=$(sed -n 's/^pid=//p' "$CTR_RUN_DIR/.user/$(id -u "$RL_A")/rl-a/state")
	[ -n "$pid1" ]
	# root: all three, each with its owner, the columns before OWNER as ever
	run ctrctl ps
	assert_success
	assert_line --index 0 --regexp '^NAME +STATE +PID +IP .* PORTS +OWNER$'
	assert_line --regexp "^rl-a +running +$pid1 +$RL_NET\.2 .* $RL_A\$"
	assert_line --regexp "^rl-b +running +[0-9]+ +$RL_NET\.3 .* $RL_B\$"
	assert_line --regexp "^rl-r +running +[0-9]+ +$RL_NET\.4 .* root\$"
	run ctrctl ps --json
	assert_success
	run jq -r '.[] | [.name, .state, (.owner // "null")] | join(" ")' <<<"$output"
	assert_output "rl-a running $RL_A
rl-b running $RL_B
rl-r running null"
	run ctrctl stats --no-stream
	assert_success
	assert_line --regexp '^rl-a +[0-9.]+% '
	assert_line --regexp '^rl-b '
	assert_line --regexp '^rl-r '
	run ctrctl stats --no-stream rl-a
	assert_success
	assert_line --index 1 --regexp '^rl-a +[0-9.]+% +[0-9.]+[KMG]iB / '
	run ctrctl inspect rl-a
	assert_success
	assert_line state=running
	assert_line "owner=$RL_A"
	assert_line "pid=$pid1"
	assert_line "net_ip=$RL_NET.2/24"
	run ctrctl inspect rl-a --json
	assert_equal "$(jq -r '.owner + " " + (.pid|tostring)' <<<"$output")" "$RL_A $pid1"
	assert_equal "$(ctrctl inspect rl-r --json | jq -r .owner)" null
	wait_until 100 eval 'ctrctl logs rl-a | grep -qx hello-4517'
	# each owner: only hers, her own name in OWNER
	run as_test_user "$RL_A" ctrctl ps -a
	assert_success
	assert_line --index 0 --regexp ' PORTS +OWNER$'
	assert_line --index 1 --regexp "^rl-a +running +$pid1 .* $RL_A\$"
	assert_equal "${#lines[@]}" 2
	run as_test_user "$RL_B" ctrctl ps -a --json
	assert_success
	assert_equal "$(jq -r '[.[] | .name + " " + .owner] | join(",")' <<<"$output")" "rl-b $RL_B"
	# root never starts hers, nor removes it with ctrctl (her layer is
	# netns-setup destroy's to remove); nothing is touched
	run -1 ctrctl start rl-a
	assert_output "ctrctl: rl-a: owned by $RL_A: start it as that user (root may stop, inspect and join it)"
	run -1 ctrctl rm -f rl-a
	assert_output "ctrctl: rl-a: owned by $RL_A: remove it with netns-setup destroy rl-a (-f: also while it runs)"
	run -1 ctrctl restart rl-a
	assert_output --partial "owned by $RL_A: restart it as that user"
	kill -0 "$pid1"
	# root's exec: uid 0 of her namespace (ctr-enter's join of hers)
	run ctrctl exec rl-a -- sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	assert_line --index 0 0
	assert_line --index 1 "sleep 1000 "
	# root stops hers (sleep as PID 1 ignores SIGTERM: SIGKILL after 1 s)
	run ctrctl stop -t 1 rl-a rl-b
	assert_success
	[ ! -e "/proc/$pid1" ] || [ "$(awk '{print $3}' "/proc/$pid1/stat")" = Z ] || fail "her PID 1 $pid1 survived root's stop"
	run ctrctl ps -a
	assert_line --regexp "^rl-a +stopped +- .* $RL_A\$"
	assert_line --regexp "^rl-b +stopped +- .* $RL_B\$"
	assert_line --regexp '^rl-r +running '
	run as_test_user "$RL_A" ctrctl ps -a
	assert_line --index 1 --regexp '^rl-a +stopped '
	run ctrctl logs rl-a
	assert_output hello-4517
	run -1 ctrctl stop rl-a
	assert_output "ctrctl: rl-a: not running"
	ctrctl rm -f rl-r
}

@test "root's ctrctl stop of her container signals no pid her state names outside her namespaces" {
	local uid run other
	uid=$(id -u "$RL_A")
	run=$CTR_RUN_DIR/.user/$uid
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	# a host process of root's in her netns (ip netns exec) and one
	# elsewhere; her state names each in turn, with its start time
	ip netns exec rl-a sleep 1000 &
	other=$!
	wait_until 100 eval '[ "$(readlink /proc/$other/ns/net)" != "$(readlink /proc/self/ns/net)" ]'
	rl_forge_state "$run" "$other" 'stop_signal=KILL\n'
	run -1 ctrctl stop -t 0 rl-a
	assert_output "ctrctl: rl-a: stop: the state's pid $other is not in the container's user and network namespaces: refused"
	kill -0 "$other" || fail "root's process in her netns was killed"
	run ctrctl ps
	assert_line --regexp "^rl-a +running +$other .* $RL_A\$"
	kill "$other"
	wait "$other" || true
	# a FIFO as her state blocks neither ps nor inspect (not running; her
	# layer, made at create, makes it a stopped one)
	as_test_user "$RL_A" sh -ec 'rm "$1/rl-a/state"; mkfifo "$1/rl-a/state"' sh "$run"
	run timeout 20 ctrctl ps -a
	assert_success
	assert_line --regexp "^rl-a +stopped +- .* $RL_A\$"
	run timeout 20 ctrctl inspect rl-a
	assert_success
	assert_line state=stopped
	# a pid that is a path (to a FIFO of hers as its "stat"), a hostname
	# with a terminal escape, a log that is a symlink to a root-only file:
	# root's ps, inspect and logs neither block, nor print the escape or
	# the file (read as her)
	local secret="$BATS_TEST_TMPDIR/root-only" lib=$CTR_LIB_DIR/.user/$uid
	echo root-secret-45 >"$secret"
	chmod 0600 "$secret"
	as_test_user "$RL_A" sh -ec 'rm "$1/rl-a/state"; mkdir -p "$1/fake"; mkfifo "$1/fake/stat"
		printf "name=rl-a\nsupervisor=../%s/fake\nsupervisor_start=1\npid=../%s/fake\npid_start=1\nhostname=\033]0;pwned\007x\n" "$1" "$1" >"$1/rl-a/state"
		ln -sf "$2" "$3/rl-a/log"' sh "$run" "$secret" "$lib"
	run timeout 20 ctrctl ps -a
	assert_success
	assert_line --regexp "^rl-a +stopped +- .* $RL_A\$"
	refute_output --partial $'\033'
	run timeout 20 ctrctl inspect rl-a --json
	assert_success
	refute_output --partial $'\033'
	run timeout 20 ctrctl logs rl-a
	refute_output --partial root-secret-45
	as_test_user "$RL_A" sh -ec 'rm -r "$1/fake" "$1/rl-a/state" "$2/rl-a/log"' sh "$run" "$lib"
	# a directory she makes for the name of root's network makes it not hers
	net_create rl-r "$RL_NET.4/24" >/dev/null
	as_test_user "$RL_A" sh -ec 'mkdir "$1/rl-r"' sh "$run"
	run ctrctl ps -a
	assert_line --regexp '^rl-r +created .* root$'
	run ctrctl rm rl-r
	assert_success
	[ ! -e /run/netns/rl-r ] || fail "root's rm of rl-r left its netns"
	as_test_user "$RL_A" rmdir "$run/rl-r"
	netns-setup destroy rl-a
	rl_nothing_left rl-a
}

@test "destroy -f ends her processes found by user namespace (also one she moved out of the netns) and leaves nothing" {
	local uid
	uid=$(id -u "$RL_A")
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	run rl_enter "$RL_A" rl-a -d -- sh -c 'unshare -n sleep 1000 & exec sleep 1000'
	assert_success
	wait_until 100 pgrep -f "^sleep 1000" >/dev/null
	run -1 netns-setup destroy rl-a
	assert_output --partial "in use by process"
	netns-setup destroy rl-a -f
	run pgrep -f "^sleep 1000"
	assert_failure
	rl_nothing_left rl-a
}

# ------------------------------------------------------------ root in her dirs

# A root-owned canary directory outside her dirs, with a file and a subdir.
rl_canary() {
	mkdir -p "$1/sub"
	echo keep >"$1/file"
	echo keep >"$1/sub/file"
}

rl_canary_intact() {
	[ "$(cat "$1/file")" = keep ] || fail "canary $1/file gone"
	[ "$(cat "$1/sub/file")" = keep ] || fail "canary $1/sub/file gone"
}

@test "root removes nothing of hers by path: a root start, --cleanup and --join of her stopped container touch nothing; destroy follows none of her symlinks" {
	local uid run lib canary=$BATS_TEST_TMPDIR/canary
	uid=$(id -u "$RL_A")
	run=$CTR_RUN_DIR/.user/$uid
	lib=$CTR_LIB_DIR/.user/$uid
	rl_canary "$canary"
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	# she forges what a dead --rm run leaves (a marker, rm=1, a lock file)
	# and plants symlinks to the canary, one where a directory was
	as_test_user "$RL_A" sh -ec '
		mkdir "$1/rl-a"; : >"$1/rl-a/rm"; : >"$1/rl-a.lock"
		printf "name=rl-a\nsupervisor=1\npid=1\npid_start=1\nrm=1\n" >"$1/rl-a/state"
		echo mine >"$2/rl-a/mine"
		ln -s "$3" "$1/rl-a/link"; ln -s "$3" "$2/rl-a/link"; ln -s "$3" "$2/.rl-a.rm"
		mkdir "$2/rl-a/sub"; mv "$2/rl-a/sub" "$2/rl-a/sub.old"; ln -s "$3" "$2/rl-a/sub"
	' sh "$run" "$lib" "$canary"
	run -125 ctr-enter rl-a -- true
	assert_output "ctr-enter: rl-a: owned by uid $uid: start it as that user (root may join it once it runs)"
	run -125 ctr-enter --cleanup rl-a
	assert_output "ctr-enter: rl-a: owned by uid $uid: clean it up as that user (root may join it once it runs)"
	run -125 ctr-enter rl-a --join -- true
	assert_output "ctr-enter: rl-a: container is not running"
	[ -f "$lib/rl-a/mine" ] || fail "root's refused run removed her layer"
	[ -f "$run/rl-a/rm" ] && [ -f "$run/rl-a.lock" ] || fail "root's refused run cleaned her state"
	netns-setup destroy rl-a
	rl_canary_intact "$canary"
	rl_nothing_left rl-a
}

@test "root's join of her container refuses a forged state whose pid is not in her namespaces" {
	local uid run other
	uid=$(id -u "$RL_A")
	run=$CTR_RUN_DIR/.user/$uid
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	# a host process with a mount namespace of its own (as a container's
	# PID 1 has): her state names it, with its start time
	unshare -m --propagation private sleep 1000 &
	other=$!
	wait_until 100 eval '[ "$(readlink /proc/$other/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ]'
	rl_forge_state "$run" "$other"
	run -125 ctr-enter rl-a -- true
	kill "$other"
	wait "$other" || true
	assert_output "ctr-enter: rl-a: the state's pid is not in the container's user and network namespaces: refused"
	netns-setup destroy rl-a
	rl_nothing_left rl-a
}

@test "FIFOs she plants as root's files (her state, the record's tmp file) do not block root: create, join and destroy go on" {
	local uid run
	uid=$(id -u "$RL_A")
	run=$CTR_RUN_DIR/.user/$uid
	net_create rl-a "$RL_NET.2/24" --owner "$RL_A" >/dev/null
	as_test_user "$RL_A" sh -ec 'mkdir "$1/rl-a"; mkfifo "$1/rl-a/state" "$1/rl-b.cgroup.tmp"' sh "$run"
	# (timeout: the watchdog of a root command that would block)
	run -125 timeout 20 ctr-enter rl-a -- true
	assert_output "ctr-enter: rl-a: owned by uid $uid: start it as that user (root may join it once it runs)"
	run -125 timeout 20 ctr-enter rl-a --join -- true
	assert_output "ctr-enter: rl-a: container is not running"
	run timeout 30 netns-setup create rl-b "$RL_NET.3/24" --owner "$RL_A" --memory 64m --bridge "$CTR_BRIDGE" --no-nat
	assert_success
	[ -f "$run/rl-b.cgroup" ] && [ ! -p "$run/rl-b.cgroup" ] || fail "the record is not a file root made"
	run timeout 30 netns-setup destroy rl-b
	assert_success
	run timeout 30 netns-setup destroy rl-a
	assert_success
	rl_nothing_left rl-a
	rl_nothing_left rl-b
}
