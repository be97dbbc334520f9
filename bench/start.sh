#!/usr/bin/env bash
# Start-to-exit of /bin/true in a container: ctr-enter beside bubblewrap,
# unshare+chroot, crun and runc, in ONE hyperfine run.  Prints markdown.
#
# Every runtime gets new mount, PID, UTS, IPC and network namespaces, a fresh
# /proc and a /dev.  ctr-enter joins a netns made by netns-setup and mounts its
# overlay; crun and runc run an OCI bundle of the same rootfs.  A peer that is
# not installed, or whose one trial run fails here, has no row: a line under
# the table says why.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

WORK=""
RUN=""
NET=ctb-start
BASE=0

cleanup_start_bench() {
	netns-setup destroy "$NET" -f >/dev/null 2>&1 || true
	[ -n "$WORK" ] && rm -rf --one-file-system "$WORK"
	[ -n "$RUN" ] && rm -rf --one-file-system "$RUN"
}

# What crun says on this host without the mask (a measured fact, not a
# remembered one); nothing on a host that needs no mask.
mask_note() {
	local err rc=0
	bench_unified_has_controllers || return 0
	echo "This host is hybrid: cgroup v1 plus a unified hierarchy whose"
	echo "cgroup.controllers lists \`$(tr '\n' ' ' <"$BENCH_UNIFIED/cgroup.controllers" | sed 's/ $//')\`."
	if command -v crun >/dev/null && [ -f "$WORK/oci/config.json" ]; then
		err=$(crun run --bundle "$WORK/oci" ctr-bench-crun-unmasked 2>&1 >/dev/null </dev/null) || rc=$?
		if ((rc != 0)); then
			echo "$(bench_version crun --version) refuses it unless $BENCH_UNIFIED/cgroup.controllers is masked"
			echo "(its trial run without the mask: exit $rc, \`$(head -n1 <<<"$err")\`)."
		else
			echo "$(bench_version crun --version) runs here even without the mask."
		fi
	fi
	echo "So every runtime in the table below, ctr-enter included, runs in a private mount"
	echo "namespace in which an empty tmpfs hides $BENCH_UNIFIED: the mask is the same for all."
	echo
}

run_hyperfine() {
	local json=$1 rt cmd
	# The card's flow: the container's layer is kept between runs (made by
	# the warm-up); --rm makes and removes it on every run.
	local -a runs=(-n "ctr-enter" "ctr-enter $NET -- /bin/true"
		-n "ctr-enter --rm" "ctr-enter $NET --rm -- /bin/true")
	# The same code linked statically (make ENTER_STATIC=-static), when it builds.
	if make -s -C "$BENCH_SRC" BUILD="$WORK/static" ENTER_STATIC=-static "$WORK/static/ctr-enter" >/dev/null 2>&1; then
		runs+=(-n "ctr-enter (static)" "$WORK/static/ctr-enter $NET -- /bin/true")
	fi
	cmd="bwrap --bind $BENCH_ROOTFS / --proc /proc --dev /dev --unshare-pid --unshare-uts --unshare-ipc --unshare-net /bin/true"
	if bench_try_peer bwrap "" "$cmd"; then
		BASE=$((${#runs[@]} / 3))   # its index among the results (-n NAME CMD each)
		runs+=(-n "bwrap" "$cmd")
	fi
	runs+=(-n "unshare+chroot" "unshare -m -u -i -n -p --fork --mount-proc=$BENCH_ROOTFS/proc chroot $BENCH_ROOTFS /bin/true")
	for rt in crun runc; do
		cmd="$rt run --bundle $WORK/oci ctr-bench-$rt"
		if bench_try_peer "$rt" "$WORK/oci" "$cmd"; then
			runs+=(-n "$rt" "$cmd")
		fi
	done
	runs+=(-n "exec (static)" "/bin/busybox true")
	bench_ns hyperfine -N --warmup 5 --runs "$BENCH_RUNS" --export-json "$json" "${runs[@]}" >&2
}

# The cgroup directories the floor probe may use: one per hierarchy (v1),
# or the v2 one, under CTR_CGROUP_PARENT (made here, removed after).
FLOOR_CG=()
floor_cgroups() {
	local m
	while read -r m; do
		mkdir -p "$m/$CTR_CGROUP_PARENT/floor" && FLOOR_CG+=("$m/$CTR_CGROUP_PARENT/floor")
	done < <(awk '$9 == "cgroup" && $NF ~ /(^|,)(memory|cpu|cpuacct|pids|devices|freezer)(,|$)/ { print $5 }' /proc/self/mountinfo)
	if ((${#FLOOR_CG[@]} == 0)); then
		m=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
		mkdir -p "$m/$CTR_CGROUP_PARENT/floor" && FLOOR_CG+=("$m/$CTR_CGROUP_PARENT/floor")
	fi
}

# What each kernel step of a start costs alone (bench/floor.c), as a table.
floor_table() {
	local d
	cc -std=gnu11 -O2 -o "$WORK/floor" "$BENCH_SRC/bench/floor.c" || return 0
	mkdir -p "$WORK/floor-scratch"
	floor_cgroups
	echo "### The per-step floor"
	echo
	echo "Each kernel step of a start alone, in a fresh child, median of 31"
	echo "(bench/floor.c; microseconds).  The cgroup rows: a process moved by"
	echo "another (what a supervisor writing cgroup.procs pays: the global"
	echo "threadgroup lock, an RCU grace period when it is cold, 20 ms after the"
	echo "last move) against a process that moves itself (ctr-enter's PID 1 on v1)."
	echo
	echo "| step | median (us) |"
	echo "|---|---:|"
	bench_ns "$WORK/floor" "$BENCH_ROOTFS" "$WORK/floor-scratch" "${FLOOR_CG[@]}" | awk -F'\t' '{ printf "| %s | %s |\n", $1, $2 }'
	for d in "${FLOOR_CG[@]}"; do
		rmdir "$d" "${d%/floor}" 2>/dev/null || true
	done
	echo
}

main() {
	bench_require_root
	trap cleanup_start_bench EXIT
	WORK=$(mktemp -d /var/tmp/ctr-bench.XXXXXX)
	RUN=$(bench_run_dir)
	export CTR_RUN_DIR="$RUN" CTR_LIB_DIR="$WORK/lib" CTR_CGROUP_PARENT=ctrbench CTR_ROOTFS="$BENCH_ROOTFS"
	# netns-setup's records too: the bench never touches the real /run/ctr-net
	export CTR_NET_STATE_DIR="$WORK/net-state"
	netns-setup create "$NET" 10.206.0.2/24 --bridge ctb-start --no-nat >/dev/null
	bench_oci_bundle "$WORK/oci" /bin/true || true
	run_hyperfine "$WORK/start.json"
	echo "### Start-to-exit of /bin/true ($BENCH_RUNS runs each, hyperfine -N)"
	echo
	mask_note
	bench_table "$WORK/start.json" "$BASE"
	bench_print_notes
	echo
	hyperfine -N --warmup 5 --runs "$BENCH_RUNS" --export-json "$WORK/hardening.json" \
		-n "ctr-enter (default hardening)" "ctr-enter $NET --rm -- /bin/true" \
		-n "ctr-enter --cap-add SYS_TIME (filter compiled at start)" "ctr-enter $NET --rm --cap-add SYS_TIME -- /bin/true" \
		-n "ctr-enter --seccomp=unconfined" "ctr-enter $NET --rm --seccomp=unconfined -- /bin/true" \
		-n "ctr-enter --privileged" "ctr-enter $NET --rm --privileged -- /bin/true" >&2
	floor_table
	echo "### The cost of the hardening (seccomp filter, capabilities, masks)"
	echo
	echo "The default filter is compiled at build time; another capability set makes"
	echo "ctr-enter compile its filter with libseccomp at start (second row)."
	echo
	bench_table "$WORK/hardening.json" 2
}

main "$@"
