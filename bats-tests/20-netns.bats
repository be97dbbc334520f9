#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031  # bats @test bodies are subshells; container-side strings in single quotes
# netns-setup on the real kernel: namespaces, veths, the bridge, addresses,
# routes, DNS files, NAT rules, bad input, faults, concurrency, cleanup.
# Bridges ct-net*, subnets under 10.200.0.0/16, netns names tn-*.
# Traffic only between the host and the test namespaces.

bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	require_root
	ctr_test_env net
	export SUITE_SNAPSHOT="$BATS_FILE_TMPDIR/snapshot"
	# The host's IPv4 forwarding, put back by remove_leftovers whatever a
	# failed NAT test left.
	HOST_IP_FORWARD=$(cat /proc/sys/net/ipv4/ip_forward)
	export HOST_IP_FORWARD
	net_snapshot >"$SUITE_SNAPSHOT"
}

# Whatever a failed test left: remove only our own names.
remove_leftovers() {
	local n
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^tn-' || true); do
		netns-setup destroy "$n" -f 2>/dev/null || ip netns del "$n" 2>/dev/null || true
	done
	for n in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^(vc-tn-|ct-net)' || true); do
		ip link del "$n" 2>/dev/null || true
	done
	rm -rf /etc/netns/tn-* "$CTR_NET_STATE_DIR" 2>/dev/null || true
	# the provisioned cgroups of networks whose record is gone
	find /sys/fs/cgroup -mindepth 2 -maxdepth 5 -depth -type d -path "*/$CTR_CGROUP_PARENT*" \
		-exec rmdir {} + 2>/dev/null || true
	# NAT and port filters of this suite's bridges (ctr_ct_net* in the
	# families ip and bridge, CTR_CT_NET*), and the sysctls they changed.
	while read -r _ fam n; do
		nft delete table "$fam" "$n" 2>/dev/null || true
	done < <(nft list tables 2>/dev/null | awk '$3 ~ /^ctr_ct_net/')
	for n in $(iptables -w -t nat -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^CTR_CT_NET/ { print $2 }'); do
		iptables -w -t nat -D POSTROUTING -j "$n" 2>/dev/null || true
		iptables -w -t nat -F "$n" 2>/dev/null || true
		iptables -w -t nat -X "$n" 2>/dev/null || true
	done
	for n in $(iptables -w -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^CTR_CT_NET/ { print $2 }'); do
		iptables -w -D FORWARD -j "$n" 2>/dev/null || true
		iptables -w -F "$n" 2>/dev/null || true
		iptables -w -X "$n" 2>/dev/null || true
	done
	if [ -n "${HOST_IP_FORWARD:-}" ] && [ "$(cat /proc/sys/net/ipv4/ip_forward)" != "$HOST_IP_FORWARD" ]; then
		echo "$HOST_IP_FORWARD" >/proc/sys/net/ipv4/ip_forward
	fi
}

teardown_file() {
	remove_leftovers
	[ ! -f "${SUITE_SNAPSHOT:-/nonexistent}" ] || assert_no_debris "$SUITE_SNAPSHOT" net_snapshot
}

setup() {
	require_root
	SNAP="$BATS_TEST_TMPDIR/snapshot"
	net_snapshot >"$SNAP"
}

teardown() {
	if [ -n "${BG_PIDS:-}" ]; then
		# shellcheck disable=SC2086 # a list of pids
		kill $BG_PIDS 2>/dev/null || true
		# shellcheck disable=SC2086
		wait $BG_PIDS 2>/dev/null || true
	fi
	# A failed test must not fail the ones after it.
	[ -n "${BATS_TEST_COMPLETED:-}" ] || remove_leftovers
}

# host_snapshot (test_helper) narrowed to this suite's names, plus the NAT
# tables: other helpers create and remove their own netns and links on this
# machine at the same time, and those must not fail this suite.
net_snapshot() {
	host_snapshot | grep -E "^(## |tn-|vc-tn-|vc-[0-9a-f]{12}\$|ct-net|/sys/fs/cgroup/.*/$CTR_CGROUP_PARENT)" || true
	echo "## nat"
	nft list tables 2>/dev/null | grep -E 'ctr_ct_net' || true
	iptables -w -S 2>/dev/null | grep -E 'CTR_CT_NET' || true
	iptables -w -t nat -S 2>/dev/null | grep -E 'CTR_CT_NET' || true
}

# refused_naming VALUE ARGS...: netns-setup ARGS refuses in one line naming
# VALUE, and the host is as before the test.
refused_naming() {
	expect_refusal netns-setup - "$1" -- "${@:2}"
	assert_no_debris "$SNAP" net_snapshot
}

# Waits until something listens on TCP PORT inside netns NS.
wait_listen() {
	local ns=$1 port=$2 i
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$ns" ss -Hltn "sport = :$port" | grep -q LISTEN && return 0
		sleep 0.05
	done
	return 1
}

@test "--help and --version" {
	run netns-setup --help
	assert_success
	assert_output --partial "netns-setup create NAME IP[/PREFIX]"
	assert_output --partial "--gateway"
	assert_output --partial "--nat"
	assert_output --partial "--no-nat"
	assert_output --partial "--publish"
	assert_output --partial "--dns"
	run netns-setup --version
	assert_success
	assert_output "netns-setup $(cat "$CTR_SRC/VERSION")"
	run netns-setup frobnicate
	assert_failure 2
}

@test "--help and the man page name the same options and environment variables" {
	local man=$CTR_SRC/docs/man/netns-setup.1 help_words man_words
	named_words() {
		grep -oE -- '(^|[ ([|,"])(--?[A-Za-z][A-Za-z-]*|CTR_[A-Z_]+)' | sed -E 's/^[ ([|,"]//' | sort -u
	}
	help_words=$(netns-setup --help | named_words)
	# The man page's source, without the examples.
	man_words=$(awk '/^\.SH/ { skip = ($2 == "EXAMPLES") } !skip' "$man" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' | named_words)
	[ -n "$help_words" ]
	diff <(echo "$help_words") <(echo "$man_words") >&2 || fail "--help (<) and the man page (>) differ"
}

@test "man page documents every option of --help" {
	local man=$CTR_SRC/docs/man/netns-setup.1 opt
	assert_file_exists "$man"
	for opt in create destroy list show --bridge --gateway --nat --no-nat --publish --dns --json -f --wait --help --version \
		CTR_BRIDGE CTR_NET_STATE_DIR CTR_HOST_RESOLV_CONF CTR_NETLINK; do
		grep -qF -- "${opt//-/\\-}" "$man" || fail "man page lacks $opt"
	done
	if command -v man >/dev/null; then
		run man -l "$man"
		assert_success
		assert_output --partial "netns-setup destroy NAME"
	fi
}

@test "create: netns, eth0 with address, lo up, default route, veth on the bridge" {
	run net_create tn-a 10.200.117.2
	assert_success
	assert_output ""
	assert_file_exists /run/netns/tn-a
	run ip -n tn-a -o -4 addr show dev eth0
	assert_output --partial "inet 10.200.117.2/24"
	run ip -n tn-a -o link show lo
	assert_output --partial "UP"
	run ip -n tn-a route show default
	assert_output --partial "default via 10.200.117.1 dev eth0"
	run ip -o -4 addr show dev "$CTR_BRIDGE"
	assert_output --partial "inet 10.200.117.1/24"
	run ip -o link show vc-tn-a
	assert_output --partial "master $CTR_BRIDGE"
	assert_output --partial "state UP"
	# ip netns exec sees the same namespace.
	run ip netns exec tn-a ip -o -4 addr show dev eth0
	assert_output --partial "10.200.117.2/24"
	net_destroy tn-a
	assert_no_debris "$SNAP" net_snapshot
}

@test "create: /etc/netns files: hosts, hostname, resolv.conf from the host" {
	local rc=$BATS_TEST_TMPDIR/resolv.conf
	printf 'search example.test\nnameserver 10.200.250.53\noptions ndots:2\n' >"$rc"
	CTR_HOST_RESOLV_CONF=$rc run net_create tn-files 10.200.117.2 --nat
	assert_success
	run cat /etc/netns/tn-files/hostname
	assert_output "tn-files"
	run cat /etc/netns/tn-files/hosts
	assert_line --regexp '^127\.0\.0\.1[[:space:]]+localhost'
	assert_line --regexp '^10\.200\.117\.2[[:space:]]+tn-files$'
	run grep -v '^#' /etc/netns/tn-files/resolv.conf
	assert_line "nameserver 10.200.250.53"
	assert_line "search example.test"
	assert_line "options ndots:2"
	# What a process in the netns sees through ip netns exec.
	run ip netns exec tn-files cat /etc/resolv.conf
	assert_line "nameserver 10.200.250.53"
	run ip netns exec tn-files cat /etc/hostname
	assert_output "tn-files"
	net_destroy tn-files
	assert_no_debris "$SNAP" net_snapshot
}

@test "resolv.conf: a loopback stub on the host is replaced by the upstream servers" {
	local rc=$BATS_TEST_TMPDIR/resolv.conf up=$BATS_TEST_TMPDIR/upstream.conf
	printf 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n' >"$rc"
	printf 'nameserver 10.200.250.1\nnameserver 10.200.250.2\nnameserver fe80::1\n' >"$up"
	CTR_HOST_RESOLV_CONF=$rc CTR_UPSTREAM_RESOLV_CONF=$up run net_create tn-stub 10.200.117.2 --nat
	assert_success
	run grep '^nameserver' /etc/netns/tn-stub/resolv.conf
	assert_output $'nameserver 10.200.250.1\nnameserver 10.200.250.2'
	refute_output --partial "127."
	net_destroy tn-stub
	# No upstream file either: no nameserver line at all (never a loopback
	# one) and a warning that names the stub.
	CTR_HOST_RESOLV_CONF=$rc CTR_UPSTREAM_RESOLV_CONF=/nonexistent run net_create tn-stub 10.200.117.2 --nat
	assert_success
	assert_output --partial "127.0.0.53"
	assert_output --partial "--dns"
	run grep -c '^nameserver' /etc/netns/tn-stub/resolv.conf
	assert_output 0
	net_destroy tn-stub
	assert_no_debris "$SNAP" net_snapshot
}

@test "resolv.conf: --dns overrides the host" {
	local rc=$BATS_TEST_TMPDIR/resolv.conf
	printf 'nameserver 127.0.0.53\n' >"$rc"
	CTR_HOST_RESOLV_CONF=$rc run net_create tn-dns 10.200.117.2 --dns 10.200.250.9 --dns 10.200.250.8
	assert_success
	run grep '^nameserver' /etc/netns/tn-dns/resolv.conf
	assert_output $'nameserver 10.200.250.9\nnameserver 10.200.250.8'
	net_destroy tn-dns
	refused_naming "127.0.0.1" create tn-dns 10.200.117.2 --bridge "$CTR_BRIDGE" --dns 127.0.0.1
	refused_naming "10.200.250.300" create tn-dns 10.200.117.2 --bridge "$CTR_BRIDGE" --dns 10.200.250.300
}

@test "ping and TCP: host to container and container to container" {
	net_create tn-p1 10.200.117.2
	net_create tn-p2 10.200.117.3
	# ICMP both ways.
	run ping -c1 -W2 10.200.117.2
	assert_success
	run ip netns exec tn-p1 ping -c1 -W2 10.200.117.3
	assert_success
	run ip netns exec tn-p2 ping -c1 -W2 10.200.117.1
	assert_success
	# TCP host -> container.
	ip netns exec tn-p1 nc -l -p 7001 >"$BATS_TEST_TMPDIR/got1" &
	BG_PIDS="$!"
	wait_listen tn-p1 7001
	echo hello-host | nc -N -w2 10.200.117.2 7001
	wait "$BG_PIDS"
	BG_PIDS=
	run cat "$BATS_TEST_TMPDIR/got1"
	assert_output "hello-host"
	# TCP container -> container.
	ip netns exec tn-p2 nc -l -p 7002 >"$BATS_TEST_TMPDIR/got2" &
	BG_PIDS="$!"
	wait_listen tn-p2 7002
	echo hello-peer | ip netns exec tn-p1 nc -N -w2 10.200.117.3 7002
	wait "$BG_PIDS"
	BG_PIDS=
	run cat "$BATS_TEST_TMPDIR/got2"
	assert_output "hello-peer"
	net_destroy tn-p1
	net_destroy tn-p2
	assert_no_debris "$SNAP" net_snapshot
}

@test "two containers listen on the same port at once" {
	net_create tn-s1 10.200.117.2
	net_create tn-s2 10.200.117.3
	ip netns exec tn-s1 nc -l -p 8080 >"$BATS_TEST_TMPDIR/s1" &
	local p1=$!
	ip netns exec tn-s2 nc -l -p 8080 >"$BATS_TEST_TMPDIR/s2" &
	local p2=$!
	BG_PIDS="$p1 $p2"
	wait_listen tn-s1 8080
	wait_listen tn-s2 8080
	echo one | nc -N -w2 10.200.117.2 8080
	echo two | nc -N -w2 10.200.117.3 8080
	wait "$p1" "$p2"
	BG_PIDS=
	assert_equal "$(cat "$BATS_TEST_TMPDIR/s1")" one
	assert_equal "$(cat "$BATS_TEST_TMPDIR/s2")" two
	net_destroy tn-s1
	net_destroy tn-s2
	assert_no_debris "$SNAP" net_snapshot
}

@test "the bridge goes with its last container" {
	net_create tn-b1 10.200.117.2
	net_create tn-b2 10.200.117.3
	netns-setup destroy tn-b1
	[ -e "/sys/class/net/$CTR_BRIDGE" ]
	run ip netns exec tn-b2 ping -c1 -W2 10.200.117.1
	assert_success
	netns-setup destroy tn-b2
	[ ! -e "/sys/class/net/$CTR_BRIDGE" ]
	[ ! -e /run/netns/tn-b2 ]
	[ ! -e /etc/netns/tn-b2 ]
	assert_no_debris "$SNAP" net_snapshot
}

@test "--gateway and /PREFIX" {
	run net_create tn-gw 10.200.118.2/28 --gateway 10.200.118.14
	assert_success
	net_snapshot >"$SNAP"
	run ip -n tn-gw route show default
	assert_output --partial "via 10.200.118.14"
	run ip -o -4 addr show dev "$CTR_BRIDGE"
	assert_output --partial "10.200.118.14/28"
	run netns-setup show tn-gw
	assert_line --regexp '^gateway: +10\.200\.118\.14$'
	# Another gateway on the same bridge is refused.
	refused_naming "10.200.118.1" create tn-gw2 10.200.118.3/28 --bridge "$CTR_BRIDGE" --gateway 10.200.118.1
	net_destroy tn-gw
}

@test "--nat: masquerade and forward rules exist while the bridge does; a --no-nat container already there is excluded" {
	local table=ctr_${CTR_BRIDGE//-/_} fwd
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	net_create tn-n0 10.200.119.2
	run nft list table ip "$table"
	assert_failure
	net_create tn-n1 10.200.119.3 --nat
	run nft list table ip "$table"
	assert_success
	assert_output --partial 'ip saddr 10.200.119.0/24 oifname != "'"$CTR_BRIDGE"'" masquerade'
	assert_output --partial "hook postrouting"
	assert_output --partial "hook forward"
	assert_output --partial 'iifname "'"$CTR_BRIDGE"'" oifname != "'"$CTR_BRIDGE"'" ip saddr @nonat ct status ! dnat drop'
	run nft list set ip "$table" nonat
	assert_output --partial "10.200.119.2"
	refute_output --partial "10.200.119.3"
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" 1
	run netns-setup list --json
	assert_equal "$(jq -r '.[] | select(.name=="tn-n1") | "\(.nat) \(.bridge_nat) \(.nat_excluded)"' <<<"$output")" "true true false"
	assert_equal "$(jq -r '.[] | select(.name=="tn-n0") | "\(.nat) \(.bridge_nat) \(.nat_excluded)"' <<<"$output")" "false true true"
	run netns-setup show tn-n0
	assert_line --regexp '^nat: +no \(--no-nat: excluded from the NAT of its bridge\)$'
	assert_line --regexp '^bridge nat: yes \(nft\)$'
	net_destroy tn-n1
	# Still one container on the bridge: NAT stays, and so does its exclusion.
	run nft list set ip "$table" nonat
	assert_success
	assert_output --partial "10.200.119.2"
	net_destroy tn-n0
	run nft list table ip "$table"
	assert_failure
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd"
	assert_no_debris "$SNAP" net_snapshot
}

# create_with_host_resolv TEXT NAME IP ARGS...: netns-setup create NAME IP
# on the suite's bridge, the host's resolv.conf holding TEXT (a printf
# format); it must succeed and print nothing.
create_with_host_resolv() {
	local rc=$BATS_TEST_TMPDIR/resolv.conf
	# shellcheck disable=SC2059  # TEXT is the format
	printf "$1" >"$rc"
	CTR_HOST_RESOLV_CONF=$rc run netns-setup create "${@:2}" --bridge "$CTR_BRIDGE"
	assert_success
	assert_output ""
}

@test "create without --nat: outbound access is the default (route, masquerade, forwarding), resolv.conf from the host" {
	local table=ctr_${CTR_BRIDGE//-/_} fwd
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	create_with_host_resolv 'nameserver 10.200.250.53\n' tn-def 10.200.126.2
	run ip -n tn-def route show default
	assert_output --partial "default via 10.200.126.1 dev eth0"
	run nft list table ip "$table"
	assert_success
	assert_output --partial 'ip saddr 10.200.126.0/24 oifname != "'"$CTR_BRIDGE"'" masquerade'
	assert_output --partial 'iifname "'"$CTR_BRIDGE"'" accept'
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" 1
	run grep '^nameserver' /etc/netns/tn-def/resolv.conf
	assert_output "nameserver 10.200.250.53"
	run netns-setup show tn-def
	assert_line --regexp '^nat: +yes$'
	assert_line --regexp '^bridge nat: yes \(nft\)$'
	netns-setup destroy tn-def
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd"
	assert_no_debris "$SNAP" net_snapshot
}

@test "--no-nat: no masquerade, forwarding untouched, no nameserver in resolv.conf unless --dns; the last of --nat and --no-nat counts" {
	local table=ctr_${CTR_BRIDGE//-/_} fwd resolv='nameserver 10.200.250.53\nsearch example.test\n'
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	create_with_host_resolv "$resolv" tn-nn 10.200.126.2 --nat --no-nat
	run nft list table ip "$table"
	assert_failure
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd"
	run grep -c '^nameserver' /etc/netns/tn-nn/resolv.conf
	assert_output 0
	run ip netns exec tn-nn cat /etc/resolv.conf
	assert_output --partial "no way out"
	run netns-setup show tn-nn
	assert_line --regexp '^nat: +no$'
	assert_line --regexp '^bridge nat: no$'
	netns-setup destroy tn-nn
	create_with_host_resolv "$resolv" tn-nn 10.200.126.2 --no-nat --dns 10.200.250.9
	run grep '^nameserver' /etc/netns/tn-nn/resolv.conf
	assert_output "nameserver 10.200.250.9"
	netns-setup destroy tn-nn
	assert_no_debris "$SNAP" net_snapshot
}

@test "--no-nat on a bridge that masquerades: the address is excluded until the container goes" {
	local table=ctr_${CTR_BRIDGE//-/_}
	net_create tn-x1 10.200.126.2 --nat
	net_create tn-x2 10.200.126.3
	run nft list set ip "$table" nonat
	assert_output --partial "10.200.126.3"
	refute_output --partial "10.200.126.2"
	run netns-setup list --json
	assert_equal "$(jq -r '.[] | select(.name=="tn-x2") | "\(.nat) \(.nat_excluded)"' <<<"$output")" "false true"
	run netns-setup list
	assert_line --regexp '^tn-x2 +10\.200\.126\.3/24 .* no +- +no$'
	assert_line --regexp '^tn-x1 +10\.200\.126\.2/24 .* yes +- +no$'
	net_destroy tn-x2
	run nft list set ip "$table" nonat
	assert_success
	refute_output --partial "10.200.126.3"
	net_destroy tn-x1
	assert_no_debris "$SNAP" net_snapshot
}

@test "--nat with the iptables backend" {
	command -v iptables >/dev/null || skip "no iptables"
	local chain=CTR_${CTR_BRIDGE//-/_}
	chain=${chain^^}
	CTR_NAT_BACKEND=iptables run net_create tn-ipt 10.200.119.2 --nat
	assert_success
	run iptables -w -t nat -S "$chain"
	assert_output --partial "-s 10.200.119.0/24 ! -o $CTR_BRIDGE -j MASQUERADE"
	run iptables -w -t nat -S POSTROUTING
	assert_output --partial "-j $chain"
	# --no-nat beside it: excluded by a rule on its source address.
	CTR_NAT_BACKEND=iptables run net_create tn-ipt2 10.200.119.3
	assert_success
	run iptables -w -S "$chain"
	assert_output --partial "-s 10.200.119.3/32 ! -o $CTR_BRIDGE -j DROP"
	run netns-setup show tn-ipt2
	assert_line --regexp '^bridge nat: yes \(iptables\)$'
	# Published ports need nftables.
	CTR_NAT_BACKEND=iptables run net_create tn-ipt3 10.200.119.4 --nat -p 7380:80
	assert_failure
	assert_equal "${#lines[@]}" 1
	assert_output --partial "nftables"
	net_destroy tn-ipt2
	run iptables -w -S "$chain"
	refute_output --partial "10.200.119.3"
	net_destroy tn-ipt
	run iptables -w -t nat -S "$chain"
	assert_failure
	assert_no_debris "$SNAP" net_snapshot
}

@test "--nat on two bridges: forwarding stays on while either has NAT and is put back when the last goes, in either order" {
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 0 ] || skip "the host forwards IPv4 already: putting back 0 cannot be seen"
	local b2=${CTR_BRIDGE}2 t1 t2 order first second
	t1=ctr_${CTR_BRIDGE//-/_} t2=ctr_${b2//-/_}
	for order in 1-2 2-1; do
		net_create tn-f1 10.200.119.2 --nat
		netns-setup create tn-f2 10.200.124.2 --bridge "$b2" --nat
		assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" 1
		run nft list table ip "$t1"
		assert_success
		run nft list table ip "$t2"
		assert_success
		first=tn-f${order%-*} second=tn-f${order#*-}
		netns-setup destroy "$first"
		# The other bridge still masquerades.
		assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" 1
		netns-setup destroy "$second"
		assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" 0
		run nft list table ip "$t1"
		assert_failure
		run nft list table ip "$t2"
		assert_failure
		assert_not_exists "$CTR_NET_STATE_DIR/ip_forward.orig"
	done
	assert_no_debris "$SNAP" net_snapshot
}

@test "--nat failing halfway (iptables) is rolled back: no chain, rule or forwarding left" {
	command -v iptables >/dev/null || skip "no iptables"
	local bin=$BATS_TEST_TMPDIR/bin fwd
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	mkdir -p "$bin"
	# The last rule of nat_add fails: its chains and jumps before it exist.
	cat >"$bin/iptables" <<-EOF
		#!/bin/bash
		case " \$* " in *" -I FORWARD "*) echo "iptables: injected failure" >&2; exit 1 ;; esac
		exec $(command -v iptables) "\$@"
	EOF
	chmod +x "$bin/iptables"
	PATH=$bin:$PATH CTR_NAT_BACKEND=iptables run net_create tn-nf 10.200.119.2 --nat
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "tn-nf: nat on $CTR_BRIDGE: iptables: injected failure"
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd"
	assert_no_debris "$SNAP" net_snapshot
	run netns-setup list --json
	assert_output "[]"
}

@test "list, list --json and show" {
	run netns-setup list --json
	assert_success
	assert_equal "$(jq length <<<"$output")" 0
	net_create tn-l1 10.200.117.2
	net_create tn-l2 10.200.117.3/24
	run netns-setup list
	assert_success
	assert_line --index 0 --regexp '^NAME +IP +BRIDGE +VETH +NAT +PORTS +RUNNING$'
	assert_line --regexp "^tn-l1 +10\.200\.117\.2/24 +$CTR_BRIDGE +vc-tn-l1 +no +- +no$"
	assert_line --regexp "^tn-l2 +10\.200\.117\.3/24 +$CTR_BRIDGE +vc-tn-l2 +no +- +no$"
	run netns-setup list --json
	assert_success
	assert_equal "$(jq -c '[.[] | .name] | sort' <<<"$output")" '["tn-l1","tn-l2"]'
	assert_equal "$(jq -r '.[] | select(.name=="tn-l2") | "\(.ip)/\(.prefix) \(.bridge) \(.veth) \(.gateway) \(.running)"' <<<"$output")" \
		"10.200.117.3/24 $CTR_BRIDGE vc-tn-l2 10.200.117.1 false"
	ip netns exec tn-l1 sleep 100 &
	BG_PIDS=$!
	local i
	for ((i = 0; i < 50; i++)); do
		netns-setup show tn-l1 | grep -q '^running: *yes' && break
		sleep 0.05
	done
	run netns-setup show tn-l1
	assert_success
	assert_line --regexp '^ip: +10\.200\.117\.2/24$'
	assert_line --regexp "^bridge: +$CTR_BRIDGE\$"
	assert_line --regexp '^host veth: +vc-tn-l1$'
	assert_line --regexp "^running: +yes \(pids .*\b$BG_PIDS\b.*\)$"
	run netns-setup list --json
	assert_equal "$(jq -r '.[] | select(.name=="tn-l1") | .running' <<<"$output")" true
	assert_equal "$(jq -r ".[] | select(.name==\"tn-l1\") | .pids | index($BG_PIDS) != null" <<<"$output")" true
	run netns-setup list
	assert_line --regexp '^tn-l1 .* yes \(1\)$'
	kill "$BG_PIDS"
	wait "$BG_PIDS" || true
	BG_PIDS=
	net_destroy tn-l1
	net_destroy tn-l2
	assert_no_debris "$SNAP" net_snapshot
	refused_naming "tn-none" show tn-none
}

@test "destroy refuses while a process runs in the netns, -f removes it and leaves the process" {
	net_create tn-busy 10.200.117.2
	ip netns exec tn-busy sleep 100 &
	BG_PIDS=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(readlink "/proc/$BG_PIDS/ns/net")" = "$(ip netns exec tn-busy readlink /proc/self/ns/net)" ] && break
		sleep 0.05
	done
	run netns-setup destroy tn-busy
	assert_failure
	assert_equal "${#lines[@]}" 1
	assert_output --partial "tn-busy"
	assert_output --partial "$BG_PIDS"
	assert_output --partial "-f"
	assert_file_exists /run/netns/tn-busy
	run netns-setup destroy tn-busy -f
	assert_success
	# The process is left alone, the container network is gone.
	kill -0 "$BG_PIDS"
	[ ! -e /run/netns/tn-busy ]
	[ ! -e /sys/class/net/vc-tn-busy ]
	[ ! -e /etc/netns/tn-busy ]
	kill "$BG_PIDS"
	wait "$BG_PIDS" || true
	BG_PIDS=
	assert_no_debris "$SNAP" net_snapshot
}

@test "destroy of an unknown name is refused" {
	refused_naming "tn-ghost" destroy tn-ghost
	refused_naming "tn-ghost" destroy tn-ghost -f
}

@test "bad names are refused with one line naming them" {
	refused_naming "''" create "" 10.200.117.2 --bridge "$CTR_BRIDGE"
	local long
	long=tn-$(printf 'x%.0s' {1..30})
	refused_naming "$long" create "$long" 10.200.117.2 --bridge "$CTR_BRIDGE"
	refused_naming "tn/a" create "tn/a" 10.200.117.2 --bridge "$CTR_BRIDGE"
	refused_naming "tn..a" create "tn..a" 10.200.117.2 --bridge "$CTR_BRIDGE"
	refused_naming "tn a" create "tn a" 10.200.117.2 --bridge "$CTR_BRIDGE"
	refused_naming ".tn" create ".tn" 10.200.117.2 --bridge "$CTR_BRIDGE"
	refused_naming "-tn" create --bridge "$CTR_BRIDGE" -- "-tn" 10.200.117.2
	# shellcheck disable=SC2016 # a literal $ in the name
	refused_naming "tn\$x" create 'tn$x' 10.200.117.2 --bridge "$CTR_BRIDGE"
	refused_naming "../x" destroy ../x
	refused_naming "bad/br" create tn-x 10.200.117.2 --bridge bad/br
}

@test "a 32-character name works; its host veth fits IFNAMSIZ and is stable" {
	local n1 n2
	n1=tn-$(printf 'a%.0s' {1..29})
	n2=tn-$(printf 'a%.0s' {1..28})b
	net_create "$n1" 10.200.117.2
	net_create "$n2" 10.200.117.3
	local v1 v2
	v1=$(netns-setup list --json | jq -r ".[] | select(.name==\"$n1\") | .veth")
	v2=$(netns-setup list --json | jq -r ".[] | select(.name==\"$n2\") | .veth")
	[ "${#v1}" -le 15 ]
	[ "$v1" != "$v2" ]
	run ip -o link show "$v1"
	assert_output --partial "master $CTR_BRIDGE"
	# Derived from the name alone: the same name gives the same veth.
	net_destroy "$n1"
	net_create "$n1" 10.200.117.2
	assert_equal "$(netns-setup list --json | jq -r ".[] | select(.name==\"$n1\") | .veth")" "$v1"
	net_destroy "$n1"
	net_destroy "$n2"
	assert_no_debris "$SNAP" net_snapshot
}

@test "bad addresses and prefixes are refused with one line naming them" {
	local br=(--bridge "$CTR_BRIDGE")
	refused_naming "10.200.117" create tn-x 10.200.117 "${br[@]}"
	refused_naming "10.200.117.256" create tn-x 10.200.117.256 "${br[@]}"
	refused_naming "10.200.x.2" create tn-x 10.200.x.2 "${br[@]}"
	refused_naming "fd00::2" create tn-x fd00::2 "${br[@]}"
	run netns-setup create tn-x fd00::2/64 "${br[@]}"
	assert_failure
	assert_output --partial "IPv6"
	refused_naming "10.200.117.0" create tn-x 10.200.117.0 "${br[@]}"
	refused_naming "10.200.117.255" create tn-x 10.200.117.255 "${br[@]}"
	refused_naming "10.200.117.1" create tn-x 10.200.117.1 "${br[@]}"
	refused_naming "/7" create tn-x 10.200.117.2/7 "${br[@]}"
	refused_naming "/31" create tn-x 10.200.117.2/31 "${br[@]}"
	refused_naming "/abc" create tn-x 10.200.117.2/abc "${br[@]}"
	refused_naming "10.200.117.77" create tn-x 10.200.117.2 "${br[@]}" --gateway 10.200.117.77/24
	refused_naming "10.200.200.1" create tn-x 10.200.117.2 "${br[@]}" --gateway 10.200.200.1
}

@test "addresses with leading zeros are refused with one line naming them, and leave nothing" {
	local br=(--bridge "$CTR_BRIDGE")
	refused_naming "10.200.117.02" create tn-z 10.200.117.02 "${br[@]}"
	assert_output --partial "write 10.200.117.2"
	refused_naming "010.200.117.2" create tn-z 010.200.117.2/24 "${br[@]}"
	refused_naming "10.200.117.01" create tn-z 10.200.117.2 "${br[@]}" --gateway 10.200.117.01
	refused_naming "10.200.250.009" create tn-z 10.200.117.2 "${br[@]}" --dns 10.200.250.009
	# Nothing in the state dir either: no record, claim, journal or lock.
	assert_not_exists /etc/netns/tn-z
	assert_not_exists "$CTR_NET_STATE_DIR/netns/tn-z"
	run ls -A "$CTR_NET_STATE_DIR/ip"
	assert_output ""
	[ ! -s "$CTR_NET_STATE_DIR/pending" ]
	flock -n "$CTR_NET_STATE_DIR/lock" true   # nobody holds the lock
	# A 0 inside an octet is no leading zero.
	net_create tn-z 10.200.117.100
	run ip -n tn-z -o -4 addr show dev eth0
	assert_output --partial "inet 10.200.117.100/24"
	net_destroy tn-z
	assert_no_debris "$SNAP" net_snapshot
}

@test "ctr-netlink refusing its arguments in a create handed over to it: rolled back, one line" {
	# A wrapper that mangles the IP and execs ctr-netlink: the same
	# process, so it inherits netns-setup's lock as the real one does.
	local bin=$BATS_TEST_TMPDIR/bin
	mkdir -p "$bin"
	cat >"$bin/ctr-netlink" <<-EOF
		#!/bin/bash
		args=("\$@")
		[ "\$1" != create ] || args[4]=10.200.117.999
		exec $CTR_NETLINK "\${args[@]}"
	EOF
	chmod +x "$bin/ctr-netlink"
	CTR_NETLINK=$bin/ctr-netlink run netns-setup create tn-bad 10.200.117.2 --bridge "$CTR_BRIDGE" --no-nat
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "netns-setup: tn-bad: "
	assert_output --partial "10.200.117.999"
	assert_not_exists /etc/netns/tn-bad
	assert_not_exists "$CTR_NET_STATE_DIR/netns/tn-bad"
	assert_not_exists "$CTR_NET_STATE_DIR/ip/$CTR_BRIDGE=10.200.117.2"
	assert_not_exists "$CTR_NET_STATE_DIR/bridge/$CTR_BRIDGE"
	[ ! -s "$CTR_NET_STATE_DIR/pending" ]
	flock -n "$CTR_NET_STATE_DIR/lock" true   # nobody holds the lock
	assert_no_debris "$SNAP" net_snapshot
	# The name and the address are free.
	net_create tn-bad 10.200.117.2
	net_destroy tn-bad
	assert_no_debris "$SNAP" net_snapshot
}

@test "an address or a name in use is refused" {
	net_create tn-u1 10.200.117.2
	net_snapshot >"$SNAP"
	refused_naming "10.200.117.2" create tn-u2 10.200.117.2 --bridge "$CTR_BRIDGE"
	run netns-setup create tn-u2 10.200.117.2 --bridge "$CTR_BRIDGE"
	assert_output --partial "tn-u1"
	refused_naming "tn-u1" create tn-u1 10.200.117.9 --bridge "$CTR_BRIDGE"
	# The bridge has another subnet.
	refused_naming "10.200.120.0/24" create tn-u3 10.200.120.2 --bridge "$CTR_BRIDGE"
	refused_naming "10.200.117.0/24" create tn-u3 10.200.117.5/25 --bridge "$CTR_BRIDGE"
	net_destroy tn-u1
}

@test "a subnet that overlaps a host route of another device is refused" {
	local other=${CTR_BRIDGE}-r
	ip link add "$other" type bridge
	ip addr add 10.200.121.1/24 dev "$other"
	ip link set "$other" up
	net_snapshot >"$SNAP"
	refused_naming "10.200.121.0/24" create tn-r 10.200.121.5 --bridge "$CTR_BRIDGE"
	refused_naming "$other" create tn-r 10.200.120.5/23 --bridge "$CTR_BRIDGE"
	ip link del "$other"
	# The bridge's own route is no overlap.
	net_create tn-r 10.200.121.5
	net_create tn-r2 10.200.121.6
	net_destroy tn-r
	net_destroy tn-r2
}

@test "a bridge made by someone else with another subnet is refused and kept" {
	local other=${CTR_BRIDGE}-f
	ip link add "$other" type bridge
	ip addr add 10.200.122.1/24 dev "$other"
	net_snapshot >"$SNAP"
	refused_naming "$other" create tn-f 10.200.123.2 --bridge "$other"
	# Same subnet: joined, and left in place by destroy, with NAT too
	# (ctr's rules on it go with its last container).
	netns-setup create tn-f 10.200.122.2 --bridge "$other" --no-nat
	run ip -o link show vc-tn-f
	assert_output --partial "master $other"
	netns-setup destroy tn-f
	[ -e "/sys/class/net/$other" ]
	netns-setup create tn-f 10.200.122.2 --bridge "$other" --nat
	netns-setup create tn-f2 10.200.122.3 --bridge "$other" --nat
	run nft list table ip "ctr_${other//-/_}"
	assert_success
	netns-setup destroy tn-f
	netns-setup destroy tn-f2
	[ -e "/sys/class/net/$other" ]
	run nft list table ip "ctr_${other//-/_}"
	assert_failure
	run nft list table bridge "ctr_${other//-/_}"
	assert_failure
	ip link del "$other"
}

@test "not root, ip missing and ctr-netlink missing are refused" {
	command -v setpriv >/dev/null || skip "no setpriv"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$CTR_SRC/netns-setup" create tn-x 10.200.117.2 --bridge "$CTR_BRIDGE"
	assert_failure
	assert_output --partial "not root"
	assert_equal "${#lines[@]}" 1
	local bin=$BATS_TEST_TMPDIR/bin
	mkdir -p "$bin"
	ln -s "$(command -v bash)" "$bin/bash"
	PATH=$bin run "$CTR_SRC/netns-setup" create tn-x 10.200.117.2 --bridge "$CTR_BRIDGE"
	assert_failure
	assert_output --partial "ip (iproute2) not found"
	assert_equal "${#lines[@]}" 1
	CTR_NETLINK=$BATS_TEST_TMPDIR/none run netns-setup create tn-x 10.200.117.2 --bridge "$CTR_BRIDGE"
	assert_failure
	assert_output "netns-setup: tn-x: create: ctr-netlink not found at $BATS_TEST_TMPDIR/none (run make, or set CTR_NETLINK)"
	assert_no_debris "$SNAP" net_snapshot
}

@test "destroy needs no ip command (ctr-netlink does its work)" {
	local bin=$BATS_TEST_TMPDIR/bin
	net_create tn-noip 10.200.117.2 >/dev/null
	# everything on the PATH but ip
	mkdir -p "$bin"
	cp -s -f /usr/local/sbin/* /usr/local/bin/* /usr/sbin/* /usr/bin/* "$bin/" 2>/dev/null || true
	rm -f "$bin/ip"
	PATH=$bin run "$CTR_SRC/netns-setup" destroy tn-noip
	assert_success
	assert_not_exists /run/netns/tn-noip
	assert_no_debris "$SNAP" net_snapshot
}

@test "destroy leaves the veth pair to the kernel: gone a moment later, --wait waits, the name is free at once" {
	net_create tn-keep 10.200.117.3
	net_create tn-d1 10.200.117.2
	run netns-setup destroy tn-d1
	assert_success
	[ ! -e /run/netns/tn-d1 ]
	[ ! -e /etc/netns/tn-d1 ]
	local i
	for ((i = 0; i < 50; i++)); do
		[ -e /sys/class/net/vc-tn-d1 ] || break
		sleep 0.1
	done
	[ ! -e /sys/class/net/vc-tn-d1 ]
	# Destroy and create the same name back to back: the create waits for
	# the kernel to finish with the old veth.
	for ((i = 0; i < 5; i++)); do
		net_create tn-d1 10.200.117.2
		netns-setup destroy tn-d1
	done
	net_create tn-d1 10.200.117.2
	run ip -n tn-d1 -o -4 addr show dev eth0
	assert_output --partial "10.200.117.2/24"
	run ip -o link show vc-tn-d1
	assert_output --partial "master $CTR_BRIDGE"
	run netns-setup destroy tn-d1 --wait
	assert_success
	[ ! -e /sys/class/net/vc-tn-d1 ]
	net_destroy tn-keep
	assert_no_debris "$SNAP" net_snapshot
}

@test "a failure midway removes everything that call made, and nothing else" {
	# A link already holds the host veth name: the host batch fails after
	# the bridge and the netns were made.
	ip link add vc-tn-mid type veth peer name vc-tn-midp
	net_snapshot >"$SNAP"
	run net_create tn-mid 10.200.117.2
	assert_failure
	assert_equal "${#lines[@]}" 1
	assert_output --partial "tn-mid: host veth vc-tn-mid"
	[ ! -e "/sys/class/net/$CTR_BRIDGE" ]
	[ ! -e /run/netns/tn-mid ]
	[ ! -e /etc/netns/tn-mid ]
	[ -e /sys/class/net/vc-tn-mid ]
	run netns-setup list --json
	assert_output "[]"
	assert_no_debris "$SNAP" net_snapshot
	ip link del vc-tn-mid
	# The name and the address are free again.
	net_create tn-mid 10.200.117.2
	net_destroy tn-mid
}

@test "a create killed with -9 is rolled back by the next command" {
	# A ctr-netlink wrapper that does the kernel work (without ending the
	# create: its first 9 arguments), then hangs, so that netns-setup is
	# killed with the network made.
	local bin=$BATS_TEST_TMPDIR/bin
	mkdir -p "$bin"
	cat >"$bin/ctr-netlink" <<-EOF
		#!/bin/bash
		$CTR_NETLINK "\${@:1:9}"
		echo \$\$ >"$BATS_TEST_TMPDIR/ip.pid"
		exec sleep 100
	EOF
	chmod +x "$bin/ctr-netlink"
	CTR_NETLINK=$bin/ctr-netlink netns-setup create tn-kill 10.200.117.2 --bridge "$CTR_BRIDGE" --no-nat &
	local pid=$! i
	for ((i = 0; i < 100; i++)); do
		[ -s "$BATS_TEST_TMPDIR/ip.pid" ] && break
		sleep 0.05
	done
	[ -s "$BATS_TEST_TMPDIR/ip.pid" ]
	kill -9 "$pid"
	# (netns-setup exec'd the wrapper: often the same process)
	kill -9 "$(cat "$BATS_TEST_TMPDIR/ip.pid")" 2>/dev/null || true
	wait "$pid" || true
	[ -e /run/netns/tn-kill ]
	# The next command cleans up.
	net_create tn-after 10.200.117.3
	[ ! -e /run/netns/tn-kill ]
	[ ! -e /sys/class/net/vc-tn-kill ]
	[ ! -e /etc/netns/tn-kill ]
	run netns-setup list --json
	assert_equal "$(jq -c '[.[] | .name]' <<<"$output")" '["tn-after"]'
	net_destroy tn-after
	assert_no_debris "$SNAP" net_snapshot
}

@test "twenty concurrent creates all succeed with their own addresses" {
	local i pids=()
	for ((i = 1; i <= 20; i++)); do
		net_create "tn-c$i" "10.200.117.$((i + 10))" 2>"$BATS_TEST_TMPDIR/err$i" &
		pids+=($!)
	done
	local failed=0
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { failed=$((failed + 1)); cat "$BATS_TEST_TMPDIR/err$((i + 1))" >&2; }
	done
	assert_equal "$failed" 0
	run netns-setup list --json
	assert_equal "$(jq length <<<"$output")" 20
	assert_equal "$(jq '[.[].ip] | unique | length' <<<"$output")" 20
	for ((i = 1; i <= 20; i++)); do
		run ip -n "tn-c$i" -o -4 addr show dev eth0
		assert_output --partial "10.200.117.$((i + 10))/24"
	done
	run ip netns exec tn-c1 ping -c1 -W2 10.200.117.30
	assert_success
	for ((i = 1; i <= 20; i++)); do
		net_destroy "tn-c$i" &
		pids[i - 1]=$!
	done
	for i in "${pids[@]}"; do wait "$i"; done
	assert_no_debris "$SNAP" net_snapshot
}

@test "two concurrent creates of one address: exactly one succeeds" {
	local ok=0 p1 p2
	net_create tn-d1 10.200.117.2 2>/dev/null &
	p1=$!
	net_create tn-d2 10.200.117.2 2>/dev/null &
	p2=$!
	wait "$p1" && ok=$((ok + 1))
	wait "$p2" && ok=$((ok + 1))
	assert_equal "$ok" 1
	run netns-setup list --json
	assert_equal "$(jq length <<<"$output")" 1
	net_destroy "$(jq -r '.[0].name' <<<"$output")"
	assert_no_debris "$SNAP" net_snapshot
}

@test "two concurrent creates of one subnet on two new bridges: exactly one succeeds, the other is refused as an overlap" {
	local b1=${CTR_BRIDGE}o1 b2=${CTR_BRIDGE}o2 ok p1 p2
	for _ in 1 2 3; do
		ok=0
		netns-setup create tn-o1 10.200.125.2 --bridge "$b1" --no-nat 2>"$BATS_TEST_TMPDIR/e1" &
		p1=$!
		netns-setup create tn-o2 10.200.125.3 --bridge "$b2" --no-nat 2>"$BATS_TEST_TMPDIR/e2" &
		p2=$!
		if wait "$p1"; then ok=$((ok + 1)); fi
		if wait "$p2"; then ok=$((ok + 1)); fi
		assert_equal "$ok" 1
		run cat "$BATS_TEST_TMPDIR/e1" "$BATS_TEST_TMPDIR/e2"
		assert_equal "${#lines[@]}" 1
		assert_output --partial "overlaps the host route 10.200.125.0/24"
		run netns-setup list --json
		assert_equal "$(jq length <<<"$output")" 1
		net_destroy "$(jq -r '.[0].name' <<<"$output")"
		assert_no_debris "$SNAP" net_snapshot
	done
}

@test "net_create and net_destroy of test_helper work" {
	run net_create tn-h 10.200.117.2
	assert_success
	ip netns exec tn-h sleep 100 &
	BG_PIDS=$!
	run net_destroy tn-h
	assert_success
	kill "$BG_PIDS"
	wait "$BG_PIDS" || true
	BG_PIDS=
	assert_no_debris "$SNAP" net_snapshot
}

# The Ethernet address of eth0 in netns $1.
eth0_mac() {
	ip -n "$1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2
}

spoof() {
	python3 "$CTR_SRC/bats-tests/probes/spoof.py" "$@"
}

@test "hardening: a container with NET_RAW can poison no ARP cache, steal no MAC, spoof no source address and send no router advertisement" {
	local a_mac b_mac br_mac i
	net_create tn-ha 10.200.127.2
	net_create tn-hb 10.200.127.3
	a_mac=$(eth0_mac tn-ha)
	b_mac=$(eth0_mac tn-hb)
	br_mac=$(cat "/sys/class/net/$CTR_BRIDGE/address")
	# The address the port is pinned to is eth0's, fixed by the create.
	assert_equal "$a_mac" 02:63:0a:c8:7f:02
	run nft list chain bridge "ctr_${CTR_BRIDGE//-/_}" port_vc-tn-ha
	assert_output --partial "ether saddr != $a_mac drop"
	# Honest traffic passes, and fills the neighbour entries.
	ping -c1 -W2 10.200.127.3 >/dev/null
	ip netns exec tn-hb ping -c1 -W2 10.200.127.1 >/dev/null
	ip netns exec tn-ha ping -c1 -W2 10.200.127.3 >/dev/null
	# A tells the host that B's address is at A, and B that the gateway is.
	ip netns exec tn-ha "$BATS_TEST_DIRNAME/probes/spoof.py" arp eth0 "$a_mac" "$a_mac" 10.200.127.3 10.200.127.1
	ip netns exec tn-ha "$BATS_TEST_DIRNAME/probes/spoof.py" arp eth0 "$a_mac" "$a_mac" 10.200.127.1 10.200.127.3
	# A sends with B's MAC (the bridge would move B's MAC to A's port).
	ip netns exec tn-ha "$BATS_TEST_DIRNAME/probes/spoof.py" arp eth0 "$b_mac" "$b_mac" 10.200.127.3 10.200.127.9
	# A sends UDP to the host (a listener on the gateway address only)
	# with B's address as the source.
	spoof listen-udp 10.200.127.1 7301 2 >"$BATS_TEST_TMPDIR/udp" &
	BG_PIDS=$!
	for ((i = 0; i < 50; i++)); do
		grep -q listening "$BATS_TEST_TMPDIR/udp" && break
		sleep 0.05
	done
	ip netns exec tn-ha "$BATS_TEST_DIRNAME/probes/spoof.py" udp eth0 "$a_mac" "$br_mac" 10.200.127.3 10.200.127.1 7301 spoofed
	# A router advertisement of 2001:db8:63::/64 to all nodes.
	ip netns exec tn-ha "$BATS_TEST_DIRNAME/probes/spoof.py" ra eth0 "$a_mac" 2001:db8:63
	wait "$BG_PIDS" || true
	BG_PIDS=
	run ip neigh show 10.200.127.3 dev "$CTR_BRIDGE"
	refute_output --partial "$a_mac"
	run ip -n tn-hb neigh show 10.200.127.1
	refute_output --partial "$a_mac"
	run bridge fdb show br "$CTR_BRIDGE"
	refute_line --partial "$b_mac dev vc-tn-ha"
	run cat "$BATS_TEST_TMPDIR/udp"
	assert_output $'listening\nnothing'
	run ip -6 addr show dev "$CTR_BRIDGE" scope global
	assert_output ""
	run ip -6 route show 2001:db8:63::/64
	assert_output ""
	run ip -n tn-hb -6 addr show scope global
	assert_output ""
	run ip -n tn-hb -6 route show 2001:db8:63::/64
	assert_output ""
	# After all that, B still talks to the host and A.
	ip netns exec tn-hb ping -c1 -W2 10.200.127.1 >/dev/null
	ip netns exec tn-hb ping -c1 -W2 10.200.127.2 >/dev/null
	net_destroy tn-ha
	net_destroy tn-hb
	assert_no_debris "$SNAP" net_snapshot
}

@test "hardening: no forwarding inside a container netns on a forwarding host, no IPv6 on eth0, no router advertisements on the bridge, ping for every group" {
	local fwd
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	net_create tn-fa 10.200.127.2 --nat
	# The host forwards now: a netns made after that copies it.
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" 1
	net_create tn-fb 10.200.127.3 --nat
	for n in tn-fb tn-fa; do
		assert_equal "$(ip netns exec "$n" cat /proc/sys/net/ipv4/ip_forward)" 0
		assert_equal "$(ip netns exec "$n" cat /proc/sys/net/ipv4/conf/all/forwarding)" 0
		assert_equal "$(ip netns exec "$n" cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6)" 1
		assert_equal "$(ip netns exec "$n" cat /proc/sys/net/ipv4/ping_group_range)" $'0\t2147483647'
	done
	assert_equal "$(cat "/proc/sys/net/ipv6/conf/$CTR_BRIDGE/accept_ra")" 0
	net_destroy tn-fa
	net_destroy tn-fb
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd"
	assert_no_debris "$SNAP" net_snapshot
}

@test "a bridge and a network made by an older netns-setup: a new container joins it, and both are destroyed" {
	local t=ctr_${CTR_BRIDGE//-/_}
	net_create_unprovisioned tn-old 10.200.117.2
	# The records as an older netns-setup wrote them; no port filter, no cgroup.
	printf 'name=tn-old\nip=10.200.117.2\nprefix=24\nbridge=%s\nveth=vc-tn-old\ngateway=10.200.117.1\nnat=0\n' \
		"$CTR_BRIDGE" >"$CTR_NET_STATE_DIR/netns/tn-old"
	printf 'subnet=10.200.117.0\nprefix=24\ngateway=10.200.117.1\nnat=0\nnat_backend=\nfwd_prev=1\n' \
		>"$CTR_NET_STATE_DIR/bridge/$CTR_BRIDGE"
	nft delete table bridge "$t"
	net_create tn-new 10.200.117.3
	run nft list chain bridge "$t" port_vc-tn-new
	assert_success
	run netns-setup show tn-old
	assert_line --regexp '^mac: +unknown$'
	run netns-setup destroy tn-old
	assert_success
	[ -e "/sys/class/net/$CTR_BRIDGE" ]
	run netns-setup destroy tn-new
	assert_success
	run nft list table bridge "$t"
	assert_failure
	assert_no_debris "$SNAP" net_snapshot
}

# An echo server in netns $1 on TCP port $2 (every connection until EOF,
# $3 connections), or with /udp after the port one UDP datagram; pid in
# BG_PIDS.
echo_server() {
	local ns=$1 port=$2 n=${3:-1}
	ip netns exec "$ns" python3 -c '
import socket, sys
port, n = sys.argv[1], int(sys.argv[2])
if port.endswith("/udp"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(port[:-4])))
    data, addr = s.recvfrom(65536)
    s.sendto(b"echo:" + data, addr)
    sys.exit(0)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(port)))
s.listen(8)
for _ in range(n):
    c, _ = s.accept()
    while True:
        b = c.recv(65536)
        if not b:
            break
        c.sendall(b)
    c.close()
' "$port" "$n" &
	BG_PIDS="${BG_PIDS:-} $!"
}

@test "-p: a published TCP port reached at 127.0.0.1 and at the gateway from another container, a UDP one at 127.0.0.1 only; bytes intact; rules and route_localnet gone with the container" {
	local t=ctr_${CTR_BRIDGE//-/_} data=$BATS_TEST_TMPDIR/data localnet
	net_create tn-pa 10.200.128.2 --nat -p 47301:8080 -p 127.0.0.1:47302:5353/udp
	net_create tn-pb 10.200.128.3
	localnet=$(cat "/proc/sys/net/ipv4/conf/$CTR_BRIDGE/route_localnet")
	assert_equal "$localnet" 1
	run netns-setup show tn-pa
	assert_line --regexp '^ports: +47301->8080/tcp,127\.0\.0\.1:47302->5353/udp$'
	run netns-setup list --json
	assert_equal "$(jq -c '.[] | select(.name=="tn-pa") | .ports' <<<"$output")" \
		'[{"host_ip":"0.0.0.0","host_port":47301,"port":8080,"proto":"tcp"},{"host_ip":"127.0.0.1","host_port":47302,"port":5353,"proto":"udp"}]'
	run nft list map ip "$t" pub_tcp
	assert_output --partial "47301 : jump pub_vc-tn-pa"
	echo_server tn-pa 8080 3
	wait_listen tn-pa 8080
	head -c 200000 /dev/urandom >"$data"
	# From the host's loopback, and from its own bridge address.
	nc -N -w5 127.0.0.1 47301 <"$data" >"$BATS_TEST_TMPDIR/out1"
	cmp "$data" "$BATS_TEST_TMPDIR/out1"
	nc -N -w5 10.200.128.1 47301 <"$data" >"$BATS_TEST_TMPDIR/out2"
	cmp "$data" "$BATS_TEST_TMPDIR/out2"
	# From another container (a --no-nat one) through the gateway.
	ip netns exec tn-pb nc -N -w5 10.200.128.1 47301 <"$data" >"$BATS_TEST_TMPDIR/out3"
	cmp "$data" "$BATS_TEST_TMPDIR/out3"
	# UDP on 127.0.0.1 only.
	echo_server tn-pa 5353/udp
	sleep 0.3
	run python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"ping-udp", ("127.0.0.1", 47302))
print(s.recvfrom(100)[0].decode())'
	assert_output "echo:ping-udp"
	run nft list chain ip "$t" pub_vc-tn-pa
	assert_output --partial "ip daddr 127.0.0.1 udp dport 47302 dnat to 10.200.128.2:5353"
	# shellcheck disable=SC2086 # a list of pids
	wait $BG_PIDS
	BG_PIDS=
	net_destroy tn-pa
	# The bridge stays (tn-pb): the port and its chain are gone, and
	# route_localnet is back.
	run nft list map ip "$t" pub_tcp
	refute_output --partial 47301
	run nft list chain ip "$t" pub_vc-tn-pa
	assert_failure
	assert_equal "$(cat "/proc/sys/net/ipv4/conf/$CTR_BRIDGE/route_localnet")" 0
	run nc -z -w1 127.0.0.1 47301
	assert_failure
	net_destroy tn-pb
	assert_no_debris "$SNAP" net_snapshot
}

@test "-p: bad ports, protocols and addresses, a port in use and --no-nat are refused with one line, leaving nothing" {
	local br=(--bridge "$CTR_BRIDGE")
	refused_naming "port 0" create tn-pq 10.200.128.2 "${br[@]}" -p 0:80
	refused_naming "port 65536" create tn-pq 10.200.128.2 "${br[@]}" -p 47301:65536
	refused_naming "port 'http'" create tn-pq 10.200.128.2 "${br[@]}" -p http:80
	refused_naming "sctp" create tn-pq 10.200.128.2 "${br[@]}" -p 47301:80/sctp
	refused_naming "47301:80:90" create tn-pq 10.200.128.2 "${br[@]}" -p 47301:80:90
	refused_naming "10.200.250.7" create tn-pq 10.200.128.2 "${br[@]}" -p 10.200.250.7:47301:80
	refused_naming "twice" create tn-pq 10.200.128.2 "${br[@]}" -p 47301:80 --publish 47301:81
	refused_naming "--no-nat" create tn-pq 10.200.128.2 "${br[@]}" -p 47301:80 --no-nat
	# A socket of the host listens on the port.
	python3 -c '
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 47303))
s.listen(1)
time.sleep(30)' &
	BG_PIDS=$!
	local i
	for ((i = 0; i < 100; i++)); do
		ss -Hltn "sport = :47303" | grep -q LISTEN && break
		sleep 0.05
	done
	refused_naming "47303/tcp" create tn-pq 10.200.128.2 "${br[@]}" -p 47303:80
	assert_output --partial "in use on this host"
	# The same port in UDP is free.
	net_create tn-pq 10.200.128.2 --nat -p 47303:80/udp
	# Published by another container, on another address too.
	net_snapshot >"$SNAP"
	refused_naming "tn-pq" create tn-pr 10.200.128.3 "${br[@]}" -p 127.0.0.1:47303:80/udp
	kill "$BG_PIDS"
	wait "$BG_PIDS" || true
	BG_PIDS=
	net_destroy tn-pq
}

@test "a create with NAT and -p failing in ctr-netlink: its port filter, NAT, published port and forwarding are rolled back" {
	local bin=$BATS_TEST_TMPDIR/bin fwd
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	mkdir -p "$bin"
	cat >"$bin/ctr-netlink" <<-EOF
		#!/bin/bash
		args=("\$@")
		[ "\$1" != create ] || args[4]=10.200.128.999
		exec $CTR_NETLINK "\${args[@]}"
	EOF
	chmod +x "$bin/ctr-netlink"
	CTR_NETLINK=$bin/ctr-netlink run netns-setup create tn-rb 10.200.128.2 --bridge "$CTR_BRIDGE" -p 47304:80
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "netns-setup: tn-rb: "
	run nft list table ip "ctr_${CTR_BRIDGE//-/_}"
	assert_failure
	run nft list table bridge "ctr_${CTR_BRIDGE//-/_}"
	assert_failure
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd"
	run netns-setup list --json
	assert_output "[]"
	assert_no_debris "$SNAP" net_snapshot
	# The port is free again.
	net_create tn-rb 10.200.128.2 --nat -p 47304:80
	net_destroy tn-rb
	assert_no_debris "$SNAP" net_snapshot
}
