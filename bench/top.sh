#!/usr/bin/env bash
# The monitor's own cost: with N running containers (default 20) and a
# refresh every second, the CPU (user + system, % of one core) and resident
# memory of `ctrctl top` (ctr-top, plain output to /dev/null, and --web with
# one page's event stream open) over SECONDS (default 30), beside the
# baseline of polling the existing `ctrctl stats` (docker stats-like: a bash
# loop that runs `ctr-enter --stats` per container per refresh).  CPU is
# what the kernel charged the process and every child it waited for
# (getrusage children, read by bash's `times`).  Bridge ctb-top, subnet
# 10.203.68.0/24, names ctb-t1..N, its own CTR_* dirs; everything is
# removed on exit.  Prints markdown.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

N=${BENCH_TOP_N:-20}
SECS=${BENCH_TOP_SECONDS:-30}
WORK=""
RUN=""
PIDS=()

names() {
	seq -f "ctb-t%g" 1 "$N"
}

cleanup_top_bench() {
	# shellcheck disable=SC2046  # the names are words
	bench_kill_and_clean "${PIDS[@]}" -- $(names)
	rm -rf --one-file-system ${WORK:+"$WORK"} ${RUN:+"$RUN"}
}

# CPU seconds (user + system) charged to `CMD...` run for SECS seconds
# (then SIGINT) and its children, and the peak RSS (KiB) of its process.
# With READER=1, a client of the page's /api/events (not counted) reads
# all along.
cpu_and_rss() {
	local pid peak=0 rss t port reader=''
	"$@" >"$WORK/out" 2>&1 &
	pid=$!
	if [ "${READER:-0}" = 1 ]; then
		until port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/out") && [ -n "$port" ]; do
			sleep 0.05
		done
		# started by a shell that leaves: its CPU is not charged to us
		reader=$(sh -c 'curl -sN "$1" >/dev/null 2>&1 & echo $!' _ "http://127.0.0.1:$port/api/events")
	fi
	for ((t = 0; t < SECS * 10; t++)); do
		sleep 0.1
		rss=$(bench_rss_kib "$pid" 2>/dev/null || echo 0)
		((rss > peak)) && peak=$rss
	done
	kill -INT "$pid"
	wait "$pid" 2>/dev/null || true
	[ -z "$reader" ] || kill "$reader" 2>/dev/null || true
	# the children's line of `times`: "XmY.YYYs XmY.YYYs"
	times | tail -1 | awk -v peak="$peak" '{
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%.3f %d\n", u[1] * 60 + u[2] + s[1] * 60 + s[2], peak }'
}

# One row: each measurement in a fresh subshell, so `times` counts only it.
row() {
	local label=$1 r cpu rss
	shift
	r=$( (cpu_and_rss "$@"))
	cpu=${r% *} rss=${r#* }
	printf '| %s | %s | %s |\n' "$label" \
		"$(awk -v c="$cpu" -v s="$SECS" 'BEGIN { printf "%.2f", c / s * 100 }')" \
		"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
}

main() {
	bench_require_root
	WORK=$(mktemp -d)
	RUN=$(bench_run_dir)
	trap cleanup_top_bench EXIT
	export CTR_RUN_DIR="$RUN" CTR_LIB_DIR="$WORK/lib" CTR_CGROUP_PARENT=ctrbench-top \
		CTR_ROOTFS="$BENCH_ROOTFS" CTR_NET_STATE_DIR="$WORK/net"
	local i=1 n t
	for n in $(names); do
		netns-setup create "$n" "10.203.68.$((1 + i))/24" --bridge ctb-top >/dev/null
		i=$((i + 1))
		ctr-enter "$n" --rm --memory 64 --pids-limit 50 -- sleep 100000 </dev/null >/dev/null 2>&1 &
		PIDS+=("$!")
	done
	# every PID 1 runs when every state file is written (30 s at most)
	for ((t = 0; t < 3000; t++)); do
		[ "$(find "$CTR_RUN_DIR" -mindepth 2 -name state -size +0 | wc -l)" -lt "$N" ] || break
		sleep 0.01
	done
	[ "$t" -lt 3000 ] || { echo "bench: not all $N containers started" >&2; exit 1; }
	echo "## The monitor with $N containers (\`ctrctl top\`, refresh 1 s)"
	echo
	echo "CPU (user + system, of the command and every child it ran) over $SECS s, as % of one core;"
	echo "peak resident memory of the command's own process (for \`ctrctl stats\`, the bash script)."
	echo
	echo "| command | CPU (% of one core) | peak RSS (MiB) |"
	echo "|---|---:|---:|"
	row "\`ctrctl top -d 1\` (plain, to /dev/null)" ctr-top -d 1
	READER=1 row "\`ctrctl top --web\` (one page's /api/events open)" ctr-top --web=0 -d 1
	row "\`ctrctl top --json -d 1\`" ctr-top --json -d 1
	row "baseline: \`ctrctl stats\` (one \`ctr-enter --stats\` per container per second)" ctrctl stats
}

main "$@"
