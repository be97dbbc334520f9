#!/usr/bin/env bash
# make bench: every benchmark in one go; writes docs/benchmarks.md.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

OUT="${BENCH_OUT:-$BENCH_SRC/docs/benchmarks.md}"

# The commit the benchmarked tree is at (with "+changes" when it differs).
ctr_commit() {
	local c
	c=$(git -C "$BENCH_SRC" rev-parse --short HEAD 2>/dev/null) || { echo "not a git tree"; return 0; }
	git -C "$BENCH_SRC" diff --quiet HEAD 2>/dev/null || c+="+changes"
	echo "commit $c"
}

# "iproute2 6.1.0" from `ip -V` (ip utility, iproute2-6.1.0, libbpf 1.1.2).
ip_version() {
	bench_version ip -V | sed -n 's/.*iproute2-\{0,1\}\([^ ,]*\).*/iproute2 \1/p'
}

machine_section() {
	echo "Measured on $(date -u +%Y-%m-%d) by \`make bench\`: $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),"
	# shellcheck source=/dev/null
	echo "$(awk '/MemTotal/ {printf "%d GiB", $2/1024/1024}' /proc/meminfo), kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")."
	echo "This tree: $(bench_version "$BENCH_SRC/ctrctl" --version) ($(ctr_commit)), $(bench_version "$BENCH_SRC/build/ctr-enter" --version); $(ip_version) (the \`ip\` of netns-setup and of the naive script)."
	echo "Peers: $(bench_version bwrap --version), $(bench_version crun --version), $(bench_version runc --version), $(bench_version unshare --version), $(bench_version hyperfine --version)."
	echo "Rootfs: $BENCH_ROOTFS ($(du -sh "$BENCH_ROOTFS" 2>/dev/null | cut -f1))."
	echo
}

main() {
	bench_require_root
	[ -f "$BENCH_ROOTFS/.ctr-rootfs" ] || "$BENCH_SRC/rootfs-builder" "$BENCH_ROOTFS"
	BENCH_TMP=$(mktemp)
	local tmp=$BENCH_TMP
	trap 'rm -f "${BENCH_TMP:-}"' EXIT
	{
		echo "# Benchmarks"
		echo
		echo "Medians of hyperfine runs; ratios are against the row named in each table's header."
		echo "Lower is better. Regenerate with \`sudo make bench\` (root; about 5 minutes)."
		echo
		machine_section
		echo "## Container start-up"
		echo
		"$BENCH_SRC/bench/start.sh"
		echo
		"$BENCH_SRC/bench/rootless.sh"
		echo
		echo "## Network setup"
		echo
		"$BENCH_SRC/bench/netns.sh"
		echo
		echo "## Published ports"
		echo
		"$BENCH_SRC/bench/ports.sh"
		echo
		echo "## Scale and memory"
		echo
		"$BENCH_SRC/bench/scale.sh"
		echo
		"$BENCH_SRC/bench/stop.sh"
		echo
		"$BENCH_SRC/bench/top.sh"
	} >"$tmp"
	mv "$tmp" "$OUT"
	trap - EXIT
	echo "bench: wrote $OUT" >&2
}

main "$@"
