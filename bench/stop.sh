#!/usr/bin/env bash
# Stopping many containers: the wall time of `ctrctl stop` for N containers
# (default 20) one after another and all in one call (in parallel), with a
# PID 1 that ignores SIGTERM (a plain `sleep`: PID 1 of a PID namespace
# ignores signals it has no handler for, so each waits for the SIGKILL after
# -t), with --init (SIGTERM is forwarded to the sleep, which dies of it) and
# with --stop-signal KILL.  Bridge ctb-stop, subnet 10.203.64.0/24, names
# ctb-p1..N, its own CTR_* dirs; everything is removed on exit.  Prints
# markdown.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

N=${BENCH_STOP_N:-20}
GRACE=${BENCH_STOP_GRACE:-2}
WORK=""
RUN=""
PIDS=()

names() { bench_names ctb-p "$N"; }

cleanup_stop_bench() {
	# shellcheck disable=SC2046  # one name per word
	bench_kill_and_clean "${PIDS[@]}" -- $(names)
	[ -z "$WORK" ] || rm -rf --one-file-system "$WORK"
	[ -z "$RUN" ] || rm -rf --one-file-system "$RUN"
}

# Start all N with OPTS... and wait until each PID 1 runs.
start_all() {
	local n t
	PIDS=()
	for n in $(names); do
		ctr-enter "$n" --rm "$@" -- sleep 100000 </dev/null >/dev/null 2>&1 &
		PIDS+=("$!")
	done
	for n in $(names); do
		t=0
		until [ -s "$CTR_RUN_DIR/$n/state" ]; do
			sleep 0.01
			t=$((t + 1))
			[ "$t" -lt 3000 ] || { echo "bench: $n did not start" >&2; exit 1; }
		done
	done
}

# Wall seconds (two decimals) of the command.
seconds() {
	local t0 t1
	t0=${EPOCHREALTIME/[.,]/}
	"$@" >/dev/null
	t1=${EPOCHREALTIME/[.,]/}
	printf '%d.%02d' $(((t1 - t0) / 1000000)) $(((t1 - t0) % 1000000 / 10000))
}

stop_one_by_one() {
	local n
	for n in $(names); do
		ctrctl stop -t "$GRACE" "$n"
	done
}

stop_in_one_call() {
	# shellcheck disable=SC2046  # the names are words
	ctrctl stop -t "$GRACE" $(names)
}

reap() {
	local pid
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	PIDS=()
}

main() {
	bench_require_root
	WORK=$(mktemp -d)
	RUN=$(bench_run_dir)
	trap cleanup_stop_bench EXIT
	export CTR_RUN_DIR="$RUN" CTR_LIB_DIR="$WORK/lib" CTR_CGROUP_PARENT=ctrbench-stop \
		CTR_ROOTFS="$BENCH_ROOTFS" CTR_NET_STATE_DIR="$WORK/net"
	local i n
	i=1
	for n in $(names); do
		netns-setup create "$n" "10.203.64.$((1 + i))/24" --bridge ctb-stop >/dev/null
		i=$((i + 1))
	done

	local a b c d e
	start_all
	a=$(seconds stop_one_by_one)
	reap
	start_all
	b=$(seconds stop_in_one_call)
	reap
	start_all --init
	c=$(seconds stop_one_by_one)
	reap
	start_all --init
	d=$(seconds stop_in_one_call)
	reap
	start_all --stop-signal KILL
	e=$(seconds stop_in_one_call)
	reap

	echo "## Stopping $N containers (\`ctrctl stop -t $GRACE\`)"
	echo
	echo "PID 1 is \`sleep 100000\`; wall time of the whole stop, seconds (one run each)."
	echo
	echo "| PID 1 | one \`ctrctl stop\` per container | one \`ctrctl stop\` for all (parallel) |"
	echo "|---|---:|---:|"
	echo "| sleep (ignores SIGTERM: waits -t, then SIGKILL) | $a | $b |"
	echo "| sleep under \`--init\` (SIGTERM forwarded) | $c | $d |"
	echo "| sleep with \`--stop-signal KILL\` | - | $e |"
}

main "$@"
