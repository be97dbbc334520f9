#!/usr/bin/env bash
# Benchmark: netns-setup create/destroy against the naive script of seven
# `ip` commands a person would type, and create with 100 containers already
# on the bridge.  One hyperfine run; prints a markdown table on stdout.
# Bridge ctb-bench, subnet 10.207.0.0/16; everything is removed on exit.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NETNS_SETUP=${NETNS_SETUP:-$SRC/netns-setup}
RUNS=${BENCH_RUNS:-30}
# The runs are split into rounds that alternate between the commands, so
# that load from elsewhere on the machine hits all of them alike; the
# medians are taken over the samples of all rounds.
ROUNDS=${BENCH_ROUNDS:-3}
BRIDGE=ctb-bench
NS=ctb-bench-ns
NAIVE_VETH=vn-ctb-bench
FILL=${BENCH_FILL:-100}

WORK=$(mktemp -d /tmp/ctr-bench-netns.XXXXXX)
export CTR_NET_STATE_DIR=$WORK/state
export CTR_BRIDGE=$BRIDGE
# the cgroup create provisions (ctr-enter --provision) and its record:
# never the user's own /run/ctr or cgroup parent
export CTR_RUN_DIR=$WORK/run CTR_CGROUP_PARENT=ctrbench-netns

# The naive way: seven ip processes (netns add, veth add, 2x addr add,
# 3x link set up) on the same bridge.
write_scripts() {
	cat >"$WORK/naive-create" <<-EOF
		#!/bin/bash
		ip netns add $NS
		ip link add $NAIVE_VETH type veth peer name eth0 netns $NS
		ip -n $NS addr add 10.207.1.2/16 dev eth0
		ip -n $NS addr add 127.0.0.1/8 dev lo
		ip link set $NAIVE_VETH master $BRIDGE up
		ip -n $NS link set eth0 up
		ip -n $NS link set lo up
	EOF
	cat >"$WORK/naive-destroy" <<-EOF
		#!/bin/bash
		ip link del $NAIVE_VETH
		ip netns del $NS
	EOF
	cat >"$WORK/naive-clean" <<-EOF
		#!/bin/bash
		ip link del $NAIVE_VETH 2>/dev/null
		ip netns del $NS 2>/dev/null
		exit 0
	EOF
	# netns-setup itself is measured as a user runs it, not through a script.
	CTR_CREATE="$NETNS_SETUP create $NS 10.207.1.2/16 --no-nat"
	CTR_DESTROY="$NETNS_SETUP destroy $NS"
	printf '#!/bin/bash\nexec %s\n' "$CTR_CREATE" >"$WORK/ctr-create"
	# --wait: the kernel has removed the veth pair when the next create
	# starts (as naive-clean's synchronous link del does for the naive
	# script); else that create would wait for it, a cost of the clean-up.
	cat >"$WORK/ctr-clean" <<-EOF
		#!/bin/bash
		$NETNS_SETUP destroy $NS -f --wait 2>/dev/null
		$WORK/naive-clean
	EOF
	printf '#!/bin/bash\n%s\nexec %s\n' "$WORK/ctr-clean" "$WORK/naive-create" >"$WORK/naive-clean-create"
	printf '#!/bin/bash\n%s\nexec %s\n' "$WORK/ctr-clean" "$WORK/ctr-create" >"$WORK/ctr-clean-create"
	chmod +x "$WORK"/naive-* "$WORK"/ctr-*
}

cleanup() {
	local f name
	set +e
	"$WORK/naive-clean"
	for f in "$CTR_NET_STATE_DIR"/netns/*; do
		[ -f "$f" ] || continue
		name=${f##*/}
		"$NETNS_SETUP" destroy "$name" -f 2>/dev/null
	done
	ip link del "$BRIDGE" 2>/dev/null
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The bridge stays up for the whole run (a keeper container holds it), so
# that every measured create and destroy does the same work.
hold_bridge() {
	"$NETNS_SETUP" create ctb-keep 10.207.0.2/16 --no-nat >/dev/null
}

fill_bridge() {
	local i
	for ((i = 0; i < FILL; i++)); do
		"$NETNS_SETUP" create "ctb-fill$i" "10.207.2.$((i + 10))/16" --no-nat >/dev/null
	done
}

unfill_bridge() {
	local i
	for ((i = 0; i < FILL; i++)); do
		"$NETNS_SETUP" destroy "ctb-fill$i" -f >/dev/null
	done
}

# median_ms COMMAND FILE... : the median over all samples of COMMAND, in ms.
median_ms() {
	local cmd=$1
	shift
	jq -rs --arg c "$cmd" '[.[].results[] | select(.command == $c) | .times[]] | sort
		| (if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end) * 1000' "$@"
}

# range_ms COMMAND FILE... : "min-max" over all samples of COMMAND, in ms.
range_ms() {
	local cmd=$1
	shift
	jq -rs --arg c "$cmd" '[.[].results[] | select(.command == $c) | .times[]]
		| "\(min * 1000 | . * 10 | round / 10)-\(max * 1000 | . * 10 | round / 10)"' "$@"
}

main() {
	command -v hyperfine >/dev/null || { echo "bench/netns.sh: hyperfine not installed" >&2; exit 1; }
	write_scripts
	hold_bridge
	local r per=$(((RUNS + ROUNDS - 1) / ROUNDS))
	local -a j1=() j2=()
	for ((r = 1; r <= ROUNDS; r++)); do
		j1+=("$WORK/run1-$r.json")
		hyperfine -N --style basic --runs "$per" --warmup 2 --export-json "${j1[-1]}" \
			--prepare "$WORK/ctr-clean" -n naive-create "$WORK/naive-create" \
			--prepare "$WORK/ctr-clean" -n ctr-create "$CTR_CREATE" \
			--prepare "$WORK/naive-clean-create" -n naive-destroy "$WORK/naive-destroy" \
			--prepare "$WORK/ctr-clean-create" -n ctr-destroy "$CTR_DESTROY" \
			>&2
	done
	"$WORK/ctr-clean"
	# The same create, with FILL containers on the bridge; the first create
	# is measured again in each round next to it.
	for ((r = 1; r <= ROUNDS; r++)); do
		hyperfine -N --style basic --runs "$per" --warmup 2 --export-json "$WORK/first-$r.json" \
			--prepare "$WORK/ctr-clean" -n ctr-create "$CTR_CREATE" >&2
		j2+=("$WORK/first-$r.json")
		fill_bridge
		hyperfine -N --style basic --runs "$per" --warmup 2 --export-json "$WORK/full-$r.json" \
			--prepare "$WORK/ctr-clean" -n ctr-create-full "$CTR_CREATE" >&2
		j2+=("$WORK/full-$r.json")
		((r == ROUNDS)) || unfill_bridge
	done

	local naive_c naive_d ctr_c ctr_d full first
	local r_naive_c r_naive_d r_ctr_c r_ctr_d r_full
	naive_c=$(median_ms naive-create "${j1[@]}")
	naive_d=$(median_ms naive-destroy "${j1[@]}")
	ctr_c=$(median_ms ctr-create "${j1[@]}")
	ctr_d=$(median_ms ctr-destroy "${j1[@]}")
	first=$(median_ms ctr-create "${j2[@]}")
	full=$(median_ms ctr-create-full "${j2[@]}")
	r_naive_c=$(range_ms naive-create "${j1[@]}")
	r_naive_d=$(range_ms naive-destroy "${j1[@]}")
	r_ctr_c=$(range_ms ctr-create "${j1[@]}")
	r_ctr_d=$(range_ms ctr-destroy "${j1[@]}")
	r_full=$(range_ms ctr-create-full "${j2[@]}")
	local kernel
	kernel=$(uname -r)
	cat <<-EOF
		### netns-setup (hyperfine, $ROUNDS rounds of $per runs each, kernel $kernel)

		| what | median ms | range ms | ratio | target |
		|---|---:|---:|---:|---|
		$(awk -v n="$naive_c" -v r="$r_naive_c" 'BEGIN{printf "| naive script: 7 ip commands (create) | %.1f | %s | 1.00 | baseline |", n, r}')
		$(awk -v n="$naive_c" -v c="$ctr_c" -v r="$r_ctr_c" 'BEGIN{printf "| netns-setup create | %.1f | %s | %.2f x naive create | <= 0.40 |", c, r, c/n}')
		$(awk -v n="$naive_d" -v r="$r_naive_d" 'BEGIN{printf "| naive teardown: 2 ip commands | %.1f | %s | - | - |", n, r}')
		$(awk -v n="$naive_c" -v c="$ctr_d" -v d="$naive_d" -v r="$r_ctr_d" 'BEGIN{printf "| netns-setup destroy | %.1f | %s | %.2f x naive create (%.2f x naive teardown) | <= 0.40 |", c, r, c/n, c/d}')
		$(awk -v f="$full" -v c="$first" -v k="$FILL" -v r="$r_full" 'BEGIN{printf "| netns-setup create, %d containers on the bridge | %.1f | %s | %.2f x first create | <= 1.50 |", k, f, r, f/c}')
	EOF
}

main "$@"
