#!/usr/bin/env bash
# The monitor's own cost: with N running containers (default 20) and a
# refresh every second, the CPU (user + system, % of one core) and resident
# memory of `ctrctl top` (ctr-top, plain output to /dev/null, and --web with
# one page's event stream open) over SECONDS (default 30), beside the
# baseline of polling the existing `ctrctl stats` (docker stats-like: a bash
# loop that runs `ctr-enter --stats` per container per refresh).  CPU is
# what the kernel charged the process and every child it waited for
# (/proc/PID/stat).  Bridge ctb-top, subnet
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

names() { bench_names ctb-t "$N"; }

cleanup_top_bench() {
	# shellcheck disable=SC2046  # the names are words
	bench_kill_and_clean "${PIDS[@]}" -- $(names)
	rm -rf --one-file-system ${WORK:+"$WORK"} ${RUN:+"$RUN"}
}

# CPU seconds (user + system) of `CMD...` run for SECS seconds and of the
# children it waited for (utime + stime + cutime + cstime of /proc/PID/stat,
# read just before it is stopped with SIGTERM), and its peak RSS (VmHWM,
# KiB).  With READER=1, a client of the page's /api/events (not counted)
# reads all along.
cpu_and_rss() {
	local pid port reader='' stat hwm
	local -a f
	"$@" >"$WORK/out" 2>&1 &
	pid=$!
	if [ "${READER:-0}" = 1 ]; then
		until port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/out") && [ -n "$port" ]; do
			sleep 0.05
		done
		reader=$(sh -c 'curl -sN "$1" >/dev/null 2>&1 & echo $!' _ "http://127.0.0.1:$port/api/events")
	fi
	sleep "$SECS"
	stat=$(<"/proc/$pid/stat")
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
	kill -TERM "$pid"   # an async command of a script ignores SIGINT
	wait "$pid" 2>/dev/null || true
	[ -z "$reader" ] || kill "$reader" 2>/dev/null || true
	read -r -a f <<<"${stat##*) }"   # f[0] is field 3 (state): utime is f[11]
	printf '%s %s\n' "$(awk -v t=$((f[11] + f[12] + f[13] + f[14])) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }')" "$hwm"
}

# One row of the table.
row() {
	local label=$1 r cpu rss
	shift
	r=$(cpu_and_rss "$@")
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
	echo "CPU (user + system, of the command and every child it ran and waited for) over $SECS s,"
	echo "as % of one core; peak resident memory (VmHWM) of the command's own process (for"
	echo "\`ctrctl stats\`, the bash script; its \`ctr-enter --stats\` children come and go)."
	echo
	echo "| command | CPU (% of one core) | peak RSS (MiB) |"
	echo "|---|---:|---:|"
	row "\`ctrctl top -d 1\` (plain, to /dev/null)" ctr-top -d 1
	READER=1 row "\`ctrctl top --web\` (one page's /api/events open)" ctr-top --web=0 -d 1
	row "\`ctrctl top --json -d 1\`" ctr-top --json -d 1
	row "baseline: \`ctrctl stats\` (one \`ctr-enter --stats\` per container per second)" ctrctl stats
}

main "$@"
