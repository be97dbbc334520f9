# Shared helpers for the benchmark scripts (sourced).
# shellcheck shell=bash

BENCH_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$BENCH_SRC/build:$BENCH_SRC:$PATH"
export BENCH_ROOTFS="${CTR_BENCH_ROOTFS:-${CTR_TEST_ROOTFS:-/var/cache/ctr-test/rootfs}}"
export BENCH_RUNS="${BENCH_RUNS:-30}"

bench_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench: run as root" >&2
		exit 1
	fi
}

# A private CTR_RUN_DIR on the file system of the default /run/ctr (a
# tmpfs), so that the state, lock and mountpoint cost what they cost a user.
bench_run_dir() {
	mktemp -d /run/ctr-bench.XXXXXX
}

# Print a markdown table of a hyperfine export, ratios against result BASE.
bench_table() {
	local json=$1 base=$2 n i
	n=$(jq '.results | length' "$json")
	echo "| command | median (ms) | range (ms) | ratio to $(jq -r --argjson i "$base" '.results[$i].command' "$json") |"
	echo "|---|---:|---:|---:|"
	for ((i = 0; i < n; i++)); do
		jq -r --argjson i "$i" --argjson b "$base" \
			'.results as $r | "| \($r[$i].command) | \($r[$i].median * 1000 | . * 100 | round / 100) | \($r[$i].min * 1000 | . * 10 | round / 10)-\($r[$i].max * 1000 | . * 10 | round / 10) | \($r[$i].median / $r[$b].median | . * 100 | round / 100)x |"' "$json"
	done
}

# Resident memory (KiB) of a pid.
bench_rss_kib() {
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# The first line of `TOOL ARGS...` (its version), or "TOOL not installed".
bench_version() {
	local tool=$1
	shift
	if command -v "$tool" >/dev/null; then
		{ "$tool" "$@" 2>&1 || true; } | head -n1
	else
		echo "$tool not installed"
	fi
}

BENCH_UNIFIED=/sys/fs/cgroup/unified

# True on a hybrid host whose unified hierarchy lists a controller.
bench_unified_has_controllers() {
	grep -qs . "$BENCH_UNIFIED/cgroup.controllers"
}

# bench_ns CMD...: CMD in a private mount namespace in which an empty tmpfs
# hides $BENCH_UNIFIED (so its cgroup.controllers) on such a hybrid host.
# Debian's crun 1.8 refuses that host otherwise; every runtime of a table
# that needs it runs in this namespace alike, so the comparison stays fair.
# shellcheck disable=SC2016 # $0 and $@ are the inner shell's
bench_ns() {
	unshare -m --propagation private bash -c '
		set -e
		if grep -qs . "$0/cgroup.controllers"; then
			mount -t tmpfs -o size=4k ctr-bench "$0"
		fi
		exec "$@"' "$BENCH_UNIFIED" "$@"
}

# bench_oci_bundle DIR ARG...: an OCI bundle of the rootfs running ARG...,
# from the default config of `crun spec` (or `runc spec` when only runc is
# here); false when neither works.
bench_oci_bundle() {
	local dir=$1 tool
	shift
	for tool in crun runc; do
		command -v "$tool" >/dev/null || continue
		mkdir -p "$dir" || return 1
		if ! (cd "$dir" && "$tool" spec); then
			rm -f "$dir/config.json"
			continue
		fi
		jq --arg root "$BENCH_ROOTFS" '.process.terminal=false | .process.args=$ARGS.positional
			| .root.path=$root | .root.readonly=true' --args "$@" \
			<"$dir/config.json" >"$dir/config.json.new" || return 1
		mv "$dir/config.json.new" "$dir/config.json" || return 1
		return 0
	done
	rm -f "$dir/config.json"
	return 1
}

# Lines for the markdown: why a peer has no row.
declare -a BENCH_NOTES=()

# bench_try_peer NAME BUNDLE 'COMMAND': true when COMMAND's one trial run (in
# bench_ns) exits 0; otherwise a note in BENCH_NOTES says why NAME has no
# row.  BUNDLE is the OCI bundle COMMAND needs, or "" for none.
bench_try_peer() {
	local name=$1 bundle=$2 err rc=0
	local -a cmd
	read -ra cmd <<<"$3"
	if ! command -v "${cmd[0]}" >/dev/null; then
		BENCH_NOTES+=("- $name: not installed here, so it has no row.")
		return 1
	fi
	if [ -n "$bundle" ] && [ ! -f "$bundle/config.json" ]; then
		BENCH_NOTES+=("- $name: no OCI bundle (neither \`crun spec\` nor \`runc spec\` works here), so it has no row.")
		return 1
	fi
	err=$(bench_ns "${cmd[@]}" 2>&1 >/dev/null </dev/null) || rc=$?
	if ((rc != 0)); then
		BENCH_NOTES+=("- $name: its trial run failed here (exit $rc: \`$(head -n1 <<<"$err")\`), so it has no row.")
		return 1
	fi
}

# Print BENCH_NOTES (after a blank line) and empty it.
bench_print_notes() {
	if ((${#BENCH_NOTES[@]})); then
		echo
		printf '%s\n' "${BENCH_NOTES[@]}"
	fi
	BENCH_NOTES=()
}

# For a bench's exit trap: SIGKILL the supervisors PID..., reap them, then
# remove what a killed supervisor leaves (its cgroup and state, by
# `ctr-enter --cleanup`, the documented way) and the networks of NAME...
# Usage: bench_kill_and_clean PID... -- NAME...
bench_kill_and_clean() {
	local -a pids=()
	local pid n
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do pids+=("$1"); shift; done
	[ "$#" -eq 0 ] || shift
	for pid in "${pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	for n in "$@"; do
		ctr-enter --cleanup "$n" >/dev/null 2>&1 || true
		netns-setup destroy "$n" -f >/dev/null 2>&1 || true
	done
}

# bench_names PREFIX N: PREFIX1 .. PREFIXN, one per line.
bench_names() {
	seq -f "$1%g" 1 "$2"
}
