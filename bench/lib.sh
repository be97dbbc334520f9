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

# Median and range (ms) of command N in a hyperfine JSON export.
bench_median_ms() {
	jq -r --argjson i "$2" '.results[$i].median * 1000 | . * 100 | round / 100' "$1"
}
bench_range_ms() {
	jq -r --argjson i "$2" '.results[$i] | "\(.min * 1000 | . * 10 | round / 10)-\(.max * 1000 | . * 10 | round / 10)"' "$1"
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
