#!/usr/bin/env bash
# Start-to-exit of /bin/true by the owner of a container (no privilege),
# beside root's start and bubblewrap run by the same user, in ONE hyperfine
# run.  Prints markdown.
#
# Every row goes through the same setpriv (so the ratios compare the
# runtimes, not setpriv): as root, or as a throwaway user (useradd's own
# subordinate range, removed at the end with its /etc/subuid lines) with no
# capability and no group.  The owner's container is provisioned by root
# first (netns-setup create --owner); her logins' place under her ceiling
# (ctr-session, what pam_exec runs) is taken by this script's shell.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

WORK=""
RUN=""
USER_NAME=ctrtbench
OWNED=ctb-own
ROOTS=ctb-root
USERNS=ctb-uns

cleanup_rootless_bench() {
	local d
	netns-setup destroy "$OWNED" -f >/dev/null 2>&1 || true
	netns-setup destroy "$ROOTS" -f >/dev/null 2>&1 || true
	netns-setup destroy "$USERNS" -f >/dev/null 2>&1 || true
	# her ceiling's session leaf (this script's shell was placed there)
	while read -r d; do
		rmdir "$d/session" "$d" "${d%/*}" 2>/dev/null || true
	done < <(find /sys/fs/cgroup -maxdepth 4 -type d -path "*/$CTR_USER_CGROUP_PARENT/$USER_NAME" 2>/dev/null)
	if id -u "$USER_NAME" >/dev/null 2>&1; then
		userdel "$USER_NAME" || true
	fi
	[ -n "$WORK" ] && rm -rf --one-file-system "$WORK"
	[ -n "$RUN" ] && rm -rf --one-file-system "$RUN"
}

# The directories the user walks through to her state, layer and image
# view: traversable (not readable) by others.
open_paths() {
	chmod 0711 "$WORK" "$RUN"
}

run_hyperfine() {
	local json=$1 uid gid
	uid=$(id -u "$USER_NAME")
	gid=$(id -g "$USER_NAME")
	local as_root="setpriv --reuid=0 --regid=0 --keep-groups --"
	local as_user="setpriv --reuid=$uid --regid=$gid --clear-groups --inh-caps=-all --bounding-set=-all --"
	local bwrap="bwrap --unshare-user --uid 0 --gid 0 --ro-bind $BENCH_ROOTFS / --proc /proc --dev /dev --unshare-pid --unshare-uts --unshare-ipc --unshare-net /bin/true"
	local -a runs=(-n "ctr-enter, root" "$as_root ctr-enter $ROOTS -- /bin/true"
		-n "ctr-enter --userns container, root" "$as_root ctr-enter $USERNS -- /bin/true"
		-n "ctr-enter, the owner (no privilege)" "$as_user ctr-enter $OWNED -- /bin/true")
	# shellcheck disable=SC2086  # split as hyperfine splits the same string
	if ! $as_user $bwrap >/dev/null 2>&1; then
		echo "bwrap as $USER_NAME failed here: no ratio" >&2
		bench_ns hyperfine -N --warmup 5 --runs "$BENCH_RUNS" --export-json "$json" "${runs[@]}" >&2
		return 1
	fi
	runs+=(-n "bwrap, the same user" "$as_user $bwrap")
	bench_ns hyperfine -N --warmup 5 --runs "$BENCH_RUNS" --export-json "$json" "${runs[@]}" >&2
}

main() {
	bench_require_root
	trap cleanup_rootless_bench EXIT
	WORK=$(mktemp -d /var/tmp/ctr-bench.XXXXXX)
	RUN=$(bench_run_dir)
	export CTR_RUN_DIR="$RUN" CTR_LIB_DIR="$WORK/lib" CTR_CGROUP_PARENT=ctrbench \
		CTR_USER_CGROUP_PARENT=ctrbench-users CTR_ROOTFS="$BENCH_ROOTFS" CTR_NET_STATE_DIR="$WORK/net-state"
	open_paths
	useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$USER_NAME"
	netns-setup create "$ROOTS" 10.206.2.2/24 --bridge ctb-own --no-nat >/dev/null
	netns-setup create "$OWNED" 10.206.2.3/24 --bridge ctb-own --no-nat --owner "$USER_NAME" >/dev/null
	# root's container in a user namespace of its own: its layer is
	# removed with the work dir
	netns-setup create "$USERNS" 10.206.2.4/24 --bridge ctb-own --no-nat --userns >/dev/null
	echo "### Start-to-exit as the owner of a container, no privilege ($BENCH_RUNS runs each, hyperfine -N)"
	echo
	echo "Each row through the same setpriv: as root, or as a user with no capability"
	echo "and no group.  bwrap as that user makes its own user namespace (uid 0 inside)"
	echo "and mounts the image read-only; the owner's ctr-enter joins the user and"
	echo "network namespaces root made for her and mounts its overlay over the idmapped view."
	echo
	# in a subshell that her session hook placed under her ceiling, as her
	# login would be (needed on v2); it has left it when the clean-up runs
	if (
		PAM_TYPE=open_session PAM_USER=$USER_NAME ctr-session --parent "$CTR_USER_CGROUP_PARENT"
		run_hyperfine "$WORK/rootless.json"
	); then
		bench_table "$WORK/rootless.json" 3
	else
		bench_table "$WORK/rootless.json" 0
	fi
	echo
}

main "$@"
