#!/usr/bin/env bash
# Scale and memory: the start time of a container with 0 and with 100 others
# running, the resident memory of the waiting supervisor beside the peers'
# waiting processes, the memory of 100 supervisors, and creation cost on a
# small (busybox) and a large (debootstrap) rootfs.  Prints markdown.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

WORK=""
RUN=""
FILL=${BENCH_FILL:-100}
BR=ctb-scale
PIDS=()
WAITERS=()

cleanup_scale_bench() {
	local pid rt
	for pid in "${WAITERS[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null || true
	done
	# a supervisor killed with -9 leaves its cgroup and state
	# shellcheck disable=SC2046  # one name per word
	bench_kill_and_clean "${PIDS[@]}" -- $(seq -f "ctb-s%g" 0 "$FILL")
	for rt in crun runc; do
		if command -v "$rt" >/dev/null; then
			bench_ns "$rt" delete -f "ctb-wait-$rt" >/dev/null 2>&1 || true
		fi
	done
	[ -z "$WORK" ] || rm -rf --one-file-system "$WORK"
	[ -z "$RUN" ] || rm -rf --one-file-system "$RUN"
}

make_networks() {
	local i
	for ((i = 0; i <= FILL; i++)); do
		netns-setup create "ctb-s$i" "10.206.$((16 + i / 200)).$((2 + i % 200))/16" --bridge "$BR" --gateway 10.206.0.1 --no-nat >/dev/null
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

# start_waiter CMD...: CMD in the background in a process group of its own
# (setsid execs it in place: the script is no group leader), its pid in
# WAITER.  stop_waiter kills the whole group: the child of `unshare --fork`
# or of bwrap would otherwise outlive its parent.
start_waiter() {
	setsid "$@" </dev/null >/dev/null 2>&1 &
	WAITER=$!
	WAITERS+=("$WAITER")
}
stop_waiter() {
	kill -KILL -- "-$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# oci_waiting_rss RT: `RT run` of a sleep bundle (in bench_ns, as in the
# start-up table), not detached; prints the table row for the process that
# waits for the container: the container's parent, RT itself.
oci_waiting_rss() {
	local rt=$1 id=ctb-wait-$1 pid cpid="" ppid n=0
	bench_ns "$rt" run --bundle "$WORK/oci-sleep" "$id" </dev/null >/dev/null 2>&1 &
	pid=$!
	until cpid=$(bench_ns "$rt" state "$id" 2>/dev/null | jq -e 'select(.status == "running") | .pid'); do
		sleep 0.05
		n=$((n + 1))
		[ "$n" -lt 200 ] || { echo "bench: $rt run $id did not start" >&2; exit 1; }
	done
	ppid=$(awk '/^PPid:/ {print $2}' "/proc/$cpid/status")
	echo "| $rt run (the container's parent, \`$(cat "/proc/$ppid/comm")\`) | $(bench_rss_kib "$ppid") |"
	bench_ns "$rt" kill "$id" KILL >/dev/null 2>&1 || true
	wait "$pid" 2>/dev/null || true
	bench_ns "$rt" delete -f "$id" >/dev/null 2>&1 || true
}

# RSS (KiB) of the process that waits for the container, for each runtime.
waiting_rss() {
	local rss rt oci=0
	local bwrap="bwrap --bind $BENCH_ROOTFS / --proc /proc --dev /dev --unshare-pid --unshare-uts --unshare-ipc --unshare-net"
	local -a cmd
	echo "| runtime (waiting process) | VmRSS (KiB) |"
	echo "|---|---:|"
	start_sleeper ctb-s0
	rss=$(bench_rss_kib "${PIDS[-1]}")
	echo "| ctr-enter supervisor | $rss |"
	kill -KILL "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'
	if bench_try_peer bwrap "" "$bwrap /bin/true"; then
		read -ra cmd <<<"$bwrap"
		start_waiter "${cmd[@]}" /bin/sleep 100000
		sleep 0.5
		echo "| bwrap (parent) | $(bench_rss_kib "$WAITER") |"
		stop_waiter "$WAITER"
	fi
	start_waiter unshare -m -u -i -n -p --fork --kill-child chroot "$BENCH_ROOTFS" /bin/sleep 100000
	sleep 0.5
	echo "| unshare --fork (parent) | $(bench_rss_kib "$WAITER") |"
	stop_waiter "$WAITER"
	bench_oci_bundle "$WORK/oci-true" /bin/true || true
	bench_oci_bundle "$WORK/oci-sleep" sleep 100000 || true
	for rt in crun runc; do
		if bench_try_peer "$rt" "$WORK/oci-true" "$rt run --bundle $WORK/oci-true ctb-try-$rt"; then
			oci_waiting_rss "$rt"
			oci=1
		fi
	done
	bench_print_notes
	if ((oci)) && bench_unified_has_controllers; then
		echo
		echo "crun and runc run here as in the start-up table: in a private mount namespace"
		echo "in which an empty tmpfs hides $BENCH_UNIFIED."
	fi
}

main() {
	bench_require_root
	trap cleanup_scale_bench EXIT
	WORK=$(mktemp -d /var/tmp/ctr-bench-scale.XXXXXX)
	RUN=$(bench_run_dir)
	export CTR_RUN_DIR="$RUN" CTR_LIB_DIR="$WORK/lib" CTR_CGROUP_PARENT=ctrbench CTR_ROOTFS="$BENCH_ROOTFS"
	# netns-setup's records too: the bench never touches the real /run/ctr-net
	export CTR_NET_STATE_DIR="$WORK/net-state"
	make_networks
	rootfs-builder --busybox "$WORK/busybox" >/dev/null

	echo "### Resident memory of the waiting process"
	echo
	waiting_rss
	echo

	local big small
	big=$(du -sm "$BENCH_ROOTFS" | cut -f1)
	small=$(du -sm "$WORK/busybox" | cut -f1)
	hyperfine -N --warmup 3 --runs "$BENCH_RUNS" --export-json "$WORK/first.json" \
		-n "1st container (debootstrap rootfs, $big MiB)" "ctr-enter ctb-s$FILL --rm -- /bin/true" \
		-n "1st container (busybox rootfs, $small MiB)" "ctr-enter ctb-s$FILL --rootfs $WORK/busybox --rm -- /bin/true" >&2
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
