# Common setup for every bats suite: libraries, the tree's own binaries, and
# CTR_* overrides so that no test touches a user's real containers.
# shellcheck shell=bash

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

CTR_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CTR_SRC
export CTR_BIN="${CTR_BIN:-$CTR_SRC/build}"
export PATH="$CTR_BIN:$CTR_SRC:$PATH"
# netns-setup's kernel half, from the same build as ctr-enter.
export CTR_NETLINK="${CTR_NETLINK:-$CTR_BIN/ctr-netlink}"
export CTR_ENTER="${CTR_ENTER:-$CTR_BIN/ctr-enter}"

# The test build of ctr-enter, the only one that reads the CTR_TEST_* hooks
# (docs/testing.md): "$CTR_HOOKS_BIN/ctr-enter", made by `make test-hooks`.
# A test that uses it calls require_hooks_build first.
export CTR_HOOKS_BIN="${CTR_HOOKS_BIN:-$CTR_BIN/test-hooks}"
require_hooks_build() {
	[ -x "$CTR_HOOKS_BIN/ctr-enter" ] || fail "no test build $CTR_HOOKS_BIN/ctr-enter: run make test-hooks"
}

# The debootstrap rootfs shared by the suites (built once, see setup_suite.bash).
export CTR_TEST_ROOTFS="${CTR_TEST_ROOTFS:-/var/cache/ctr-test/rootfs}"

# Per-suite private state: a suite's tag makes its names unique.
# Call ctr_test_env TAG from setup_file.
ctr_test_env() {
	local tag=$1
	export CTR_TEST_TAG="$tag"
	export CTR_RUN_DIR="$BATS_FILE_TMPDIR/run"
	export CTR_LIB_DIR="$BATS_FILE_TMPDIR/lib"
	export CTR_CGROUP_PARENT="ctrtest-$tag"
	export CTR_USER_CGROUP_PARENT="ctrtest-users-$tag"
	export CTR_BRIDGE="ct-$tag"
	export CTR_ROOTFS="$CTR_TEST_ROOTFS"
	export CTR_NET_STATE_DIR="$BATS_FILE_TMPDIR/net-state"
	mkdir -p "$CTR_RUN_DIR" "$CTR_LIB_DIR"
}

# Run COMMAND... until it succeeds, at most TRIES times 50 ms apart;
# false when it never did (the caller says what it waited for).
wait_until() {
	local tries=$1
	shift
	while ! "$@" 2>/dev/null; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.05
	done
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# What the host has now, to compare after a test: netns, links, mounts
# under the test dirs, ctr test cgroups, state.
host_snapshot() {
	{
		echo "## netns"; ip netns list 2>/dev/null | awk '{print $1}' | sort
		echo "## links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
		echo "## mounts"; awk '{print $5}' /proc/self/mountinfo | grep -E '/(var/lib/ctr|run/ctr|tmp/)' | sort || true
		echo "## cgroups"; find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name 'ctrtest-*' 2>/dev/null | sort
		echo "## etc-netns"; find /etc/netns -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort
	}
}

# The output of the snapshot function FN once it equals the one saved in
# BEFORE, or after 5 s: the kernel frees a destroyed netns, and the veth
# pair in it, a moment after `netns-setup destroy` returns (as after
# `ip netns del`).  Debris that stays is still reported.
settled_snapshot() {
	local fn=$1 before=$2 now i
	for ((i = 0; i < 50; i++)); do
		now=$("$fn")
		[ "$now" = "$(cat "$before")" ] && break
		sleep 0.1
	done
	printf '%s\n' "$now"
}

# assert_no_debris FILE [FN]: fail when the host differs from an earlier
# snapshot saved in FILE, made by FN (host_snapshot by default).
assert_no_debris() {
	local before=$1 fn=${2:-host_snapshot} now
	now=$(settled_snapshot "$fn" "$before")
	if [ "$now" != "$(cat "$before")" ]; then
		diff <(cat "$before") <(echo "$now") >&2 || true
		fail "the host differs from before the test (debris above)"
	fi
}

# A container network on the suite's own bridge (netns-setup), without NAT
# (no outbound access, nothing changed on the host's forwarding) unless the
# caller passes --nat.
net_create() {
	local nat=--no-nat a
	for a in "$@"; do
		[ "$a" != --nat ] || nat=--nat
	done
	netns-setup create "$@" --bridge "$CTR_BRIDGE" "$nat"
}
# A network as an older netns-setup made it: no provisioned cgroup, so
# ctr-enter makes the container's cgroup at each start and removes it at
# the end (40-cgroup tests that path; 42-provision the provisioned one).
net_create_unprovisioned() {
	net_create "$@" && ctr-enter --unprovision "$1" &&
		sed -i '/^cgroup=/d' "${CTR_NET_STATE_DIR:-/run/ctr-net}/netns/$1"
}
net_destroy() {
	netns-setup destroy "$1" -f
}

# Pids of this suite's ctr-enter processes (or PROG's: ctr-top...): those
# whose environment names this suite's CTR_RUN_DIR (so a teardown never
# touches anyone else's).
suite_ctr_pids() {
	local p prog=${1:-ctr-enter}
	for p in $(pgrep -x "$prog" || true); do
		if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "CTR_RUN_DIR=$CTR_RUN_DIR"; then
			echo "$p"
		fi
	done
}

# What a suite with container names PREFIX*, bridge BRIDGE and cgroup tag
# TAG may create: its netns, veths and bridge, mounts under its tmpdir, its
# cgroups, its /etc/netns entries (other suites run meanwhile).
suite_snapshot() {
	local prefix=$1 bridge=$2 tag=$3
	echo "## netns"; ip netns list 2>/dev/null | awk -v p="^$prefix" '$1 ~ p {print $1}' | sort
	echo "## links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^(vc-$prefix|$bridge)" | sort || true
	echo "## mounts"; grep -F "$BATS_FILE_TMPDIR" /proc/self/mountinfo | awk '{print $5}' | sort || true
	echo "## cgroups"; find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -path "*ctrtest-$tag*" 2>/dev/null | sort
	echo "## etc-netns"; find /etc/netns -mindepth 1 -maxdepth 1 -name "$prefix*" 2>/dev/null | sort
}

# For teardown: SIGKILL this suite's ctr-enter processes (a failed test
# must not leave its containers running) and wait until they are gone.
kill_suite_containers() {
	local p
	for p in $(suite_ctr_pids ctr-enter); do
		kill -KILL "$p" 2>/dev/null || true
	done
	# shellcheck disable=SC2016  # expanded by eval, on each try
	wait_until 100 eval '[ -z "$(suite_ctr_pids)" ]' || true
}

# For teardown_file: return 1 (and show the diff) when NOW differs from the
# suite's snapshot in the file BEFORE.
snapshot_unchanged() {
	local before=$1 now=$2
	[ "$now" = "$(cat "$before")" ] && return 0
	diff "$before" <(echo "$now") >&2 || true
	echo "debris left by the suite (above)" >&2
	return 1
}

# For teardown_file: remove containers NAME... (ctrctl rm -f, then their
# networks), whatever state a failed test left them in.
remove_containers() {
	local n
	for n in "$@"; do
		ctrctl rm -f "$n" >/dev/null 2>&1 || true
		netns-setup destroy "$n" -f >/dev/null 2>&1 || true
	done
}

# Start `ctrctl run NAME ARGS...` in the background, detached from bats'
# fds, its output in BATS_FILE_TMPDIR/NAME.out; wait_running NAME waits
# (5 s at most) until ctrctl reports it running.
ctrctl_run_bg() {
	ctrctl run "$@" </dev/null >"$BATS_FILE_TMPDIR/$1.out" 2>&1 3>&- &
}
is_running() {
	[ -f "$CTR_RUN_DIR/$1/state" ] && ctrctl inspect "$1" 2>/dev/null | grep -qx state=running
}
wait_running() {
	wait_until 100 is_running "$1" || { echo "$1 did not start" >&2; return 1; }
}

# ------------------------------------------- cgroups, as ctr-enter finds them

# v1 when a v1 hierarchy carries a controller ctr uses (as cgroup.c decides).
cg_layout() {
	if awk '/ - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++)
		if (o[i] ~ /^(memory|cpu|cpuacct|pids|devices|freezer)$/) found = 1 }
		END { exit !found }' /proc/self/mountinfo; then
		echo v1
	else
		echo v2
	fi
}

# The mount point serving controller CTRL: its v1 hierarchy, else the
# cgroup2 mount (v2, or a v1 host without that controller).
cg_mount() {
	local ctrl=$1
	local m=
	if [ "$(cg_layout)" = v1 ]; then
		m=$(awk -v c="$ctrl" '/ - cgroup / { n = split($NF, o, ",");
			for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo)
	fi
	[ -n "$m" ] || m=$(awk '/ - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	echo "$m"
}

# The host directory of container NAME's cgroup for controller CTRL.
cg_dir() {
	local m
	m=$(cg_mount "$2")
	[ -n "$m" ] || return 1
	echo "$m/$CTR_CGROUP_PARENT/$1"
}

# The directory NAME's PID 1 is in for controller CTRL: its provisioned
# cgroup, or the per-run child "run" below it of a run with its own limits.
cg_run_dir() {
	local d
	d=$(cg_dir "$1" "$2") || return 1
	if [ -d "$d/run" ]; then echo "$d/run"; else echo "$d"; fi
}

# The host path of cgroup FILE (memory.max, cpuacct.usage, ...) of NAME.
cg_file() {
	local d
	d=$(cg_dir "$1" "${2%%.*}") || return 1
	echo "$d/$2"
}

# The host path of cgroup FILE of NAME where its PID 1 is (cg_run_dir).
cg_run_file() {
	local d
	d=$(cg_run_dir "$1" "${2%%.*}") || return 1
	echo "$d/$2"
}

# NAME's file V1FILE on cgroup v1, V2FILE on v2, found by FINDER (cg_file,
# or cg_run_file for where PID 1 is).
cg_layout_file() {
	local finder=${4:-cg_file}
	if [ "$(cg_layout)" = v1 ]; then
		"$finder" "$1" "$2"
	else
		"$finder" "$1" "$3"
	fi
}

# Every directory of the suite's cgroup parent, in every hierarchy.
cg_all_dirs() {
	find /sys/fs/cgroup -maxdepth 5 -type d -path "*/$CTR_CGROUP_PARENT*" 2>/dev/null | sort
}

# KEY's value in container NAME's state file ("" when there is none).
state_field() { # NAME KEY
	sed -n "s/^$2=//p" "$CTR_RUN_DIR/$1/state" 2>/dev/null
}

# ------------------------------------------------------------------ refusals

# expect_refusal PROG STATUS WANT... -- ARGS...: PROG ARGS must fail (with
# STATUS, or any non-zero status when STATUS is "-") and print exactly one
# line on stderr, "PROG: ...", that holds each WANT (a literal string).
# Progress on stdout is allowed; afterwards $output is that error line, for
# more assert_output checks.  A suite adds its own debris check after it.
# shellcheck disable=SC2154
expect_refusal() {
	local prog=$1 want_status=$2 w
	shift 2
	local -a want=()
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	run --separate-stderr "$prog" "$@"
	if [ "$want_status" = - ]; then
		[ "$status" -ne 0 ] || fail "$prog $* succeeded; expected a refusal"
	else
		[ "$status" -eq "$want_status" ] || fail "status $status, not $want_status, for: $prog $* ($stderr)"
	fi
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one line on stderr from $prog $*, got: $stderr"
	[[ $stderr == "$prog: "* ]] || fail "not a $prog error line: $stderr"
	for w in "${want[@]}"; do
		[[ $stderr == *"$w"* ]] || fail "stderr lacks '$w': $stderr"
	done
	# shellcheck disable=SC2034  # read by the caller's assert_output
	output=$stderr
}

# ------------------------------------------------------------ test users
# Unprivileged host users for the rootless tests. test_user_add NAME [ARGS]
# makes NAME (no home, no shell) with the subordinate uid and gid ranges
# that useradd allocates by itself (/etc/login.defs SUB_UID_*: a range that
# overlaps no other user's); ARGS go to useradd (-K SUB_UID_COUNT=0
# -K SUB_GID_COUNT=0: no range). test_user_del NAME removes the user and,
# with it, its /etc/subuid and /etc/subgid lines (userdel does; checked).
# Names start with "ctrt" so that a leftover is recognisable as ours.
test_user_add() {
	local name=$1
	shift
	[[ $name == ctrt* ]] || fail "test user $name: the name must start with ctrt"
	useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$@" "$name"
}

test_user_del() {
	local name=$1
	if id -u "$name" >/dev/null 2>&1; then
		userdel "$name"
	fi
	! grep -q "^$name:" /etc/subuid /etc/subgid || fail "userdel left $name's subordinate range"
}

# The subordinate uid range of NAME as "START COUNT" (the first line).
test_user_subuid() {
	awk -F: -v u="$1" '$1 == u { print $2, $3; exit }' /etc/subuid
}

# as_test_user NAME CMD...: CMD as NAME with no capabilities at all (none
# inherited, an empty bounding set), no supplementary groups, a clean
# environment but for the CTR_* overrides and PATH. setpriv's exec keeps
# root's capabilities until env's exec of CMD, which has none.
as_test_user() {
	local name=$1 v
	local -a keep=()
	shift
	for v in $(compgen -e); do
		[[ $v == CTR_* ]] && keep+=("$v=${!v}")
	done
	setpriv --reuid="$(id -u "$name")" --regid="$(id -g "$name")" --clear-groups \
		--inh-caps=-all --bounding-set=-all -- \
		env -i HOME=/ USER="$name" LOGNAME="$name" PATH="$PATH" "${keep[@]}" "$@"
}

# Let the test users walk (not read) the path down to DIR (a suite's
# private tmpdir, where their state, layer and image view are).
let_test_users_through() {
	local d=$1
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=${d%/*}
		[ -n "$d" ] || d=/
	done
}

# login_as_test_user USER COMMAND...: COMMAND as USER (as_test_user) in a
# login the session hook placed under her ceiling, as PAM's pam_exec would:
# root runs ctr-session with PAM_TYPE and PAM_USER in the process that then
# becomes hers (its parent). On v2 moving a process into her container's
# cgroup needs her processes in her delegated subtree already.
login_as_test_user() {
	local user=$1
	shift
	(
		PAM_TYPE=open_session PAM_USER=$user "$CTR_BIN/ctr-session" --parent "$CTR_USER_CGROUP_PARENT" || exit 99
		as_test_user "$user" "$@"
	)
}
