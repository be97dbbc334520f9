#!/usr/bin/env bash
# Scale and memory: the start time of a container with 0 and with 100 others
# running, the resident memory of the waiting supervisor beside the peers'
# waiting processes, the memory of 100 supervisors, and creation cost on a
# small (busybox) and a large (debootstrap) rootfs.  Prints markdown.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

WORK=""
FILL=${BENCH_FILL:-100}
BR=ctb-scale
PIDS=()

cleanup_scale_bench() {
	local pid i
	for pid in "${PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	# a supervisor killed with -9 leaves its cgroup and state: the
	# documented way to remove them
	for ((i = 0; i <= FILL; i++)); do
		ctr-enter --cleanup "ctb-s$i" >/dev/null 2>&1 || true
		netns-setup destroy "ctb-s$i" -f >/dev/null 2>&1 || true
	done
	[ -z "$WORK" ] || rm -rf --one-file-system "$WORK"
}

make_networks() {
	local i
	for ((i = 0; i <= FILL; i++)); do
		netns-setup create "ctb-s$i" "10.206.$((16 + i / 200)).$((2 + i % 200))/16" --bridge "$BR" --gateway 10.206.0.1 >/dev/null
	done
}

# Start a long-running container in the background; wait until its PID 1 runs.
start_sleeper() {
	local name=$1
	ctr-enter "$name" --rm -- sleep 100000 </dev/null >/dev/null 2>&1 &
	PIDS+=("$!")
	local n=0
	until [ -s "$CTR_RUN_DIR/$name/state" ]; do
		sleep 0.01
		n=$((n + 1))
		[ "$n" -lt 1000 ] || { echo "bench: $name did not start" >&2; exit 1; }
	done
}

# RSS (KiB) of the process that waits for the container, for each runtime.
waiting_rss() {
	local pid rss
	echo "| runtime (waiting process) | VmRSS (KiB) |"
	echo "|---|---:|"
	start_sleeper ctb-s0
	rss=$(bench_rss_kib "${PIDS[-1]}")
	echo "| ctr-enter supervisor | $rss |"
	kill -KILL "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'
	bwrap --bind "$BENCH_ROOTFS" / --proc /proc --dev /dev --unshare-pid --unshare-uts --unshare-ipc --unshare-net sleep 100000 &
	pid=$!; sleep 0.5
	echo "| bwrap (parent) | $(bench_rss_kib "$pid") |"
	kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
	unshare -m -u -i -n -p --fork chroot "$BENCH_ROOTFS" sleep 100000 &
	pid=$!; sleep 0.5
	echo "| unshare --fork (parent) | $(bench_rss_kib "$pid") |"
	kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
}

main() {
	bench_require_root
	trap cleanup_scale_bench EXIT
	WORK=$(mktemp -d /var/tmp/ctr-bench-scale.XXXXXX)
	export CTR_RUN_DIR="$WORK/run" CTR_LIB_DIR="$WORK/lib" CTR_CGROUP_PARENT=ctrbench CTR_ROOTFS="$BENCH_ROOTFS"
	make_networks
	rootfs-builder --busybox "$WORK/busybox" >/dev/null

	echo "### Resident memory of the waiting process"
	echo
	waiting_rss
	echo

	hyperfine -N --warmup 3 --runs "$BENCH_RUNS" --export-json "$WORK/first.json" \
		-n "1st container (debootstrap rootfs, 249 MB)" "ctr-enter ctb-s$FILL --rm -- /bin/true" \
		-n "1st container (busybox rootfs, 2 MB)" "ctr-enter ctb-s$FILL --rootfs $WORK/busybox --rm -- /bin/true" >&2
	local i total=0 rss
	for ((i = 0; i < FILL; i++)); do
		start_sleeper "ctb-s$i"
	done
	for i in "${PIDS[@]}"; do
		rss=$(bench_rss_kib "$i")
		total=$((total + rss))
	done
	hyperfine -N --warmup 3 --runs "$BENCH_RUNS" --export-json "$WORK/nth.json" \
		-n "container $((FILL + 1)) ($FILL running)" "ctr-enter ctb-s$FILL --rm -- /bin/true" >&2

	echo "### Start with 0 and with $FILL containers running; rootfs size"
	echo
	jq -s '{results: (.[0].results + .[1].results)}' "$WORK/first.json" "$WORK/nth.json" >"$WORK/all.json"
	bench_table "$WORK/all.json" 0
	echo
	echo "$FILL waiting supervisors: $((total / 1024)) MiB resident in all, $((total / FILL)) KiB each."
}

main "$@"
