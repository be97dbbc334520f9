#!/usr/bin/env bats
# Containers owned by two users on one bridge: what one of them can do to the
# other's traffic from her own network namespace, entered as she can without
# any privilege (bats-tests/probes/owner-netns.py: her user namespace, where
# she holds every capability, CAP_NET_RAW included, then her netns).  She
# may send any frame there; the bridge port filter decides what leaves it.
# Real test users, the real kernel.  Bridge ct-rlnet (10.207.47.0/24).
# shellcheck shell=bash

load test_helper
bats_require_minimum_version 1.5.0

RN_A=ctrt47a
RN_B=ctrt47b
RN_NET=10.207.47

rn_snapshot() {
	suite_snapshot rn- ct-rlnet rlnet
	echo "## user cgroups"
	find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -path "*$CTR_USER_CGROUP_PARENT*" 2>/dev/null | sort
	echo "## users"; grep -E "^ctrt47[a-z]*:" /etc/passwd /etc/subuid /etc/subgid || true
}

setup_file() {
	require_root
	ctr_test_env rlnet
	# her create walks to the suite's private tmpdir: let the users through
	let_test_users_through "$BATS_FILE_TMPDIR"
	rn_snapshot >"$BATS_FILE_TMPDIR/before"
	test_user_add "$RN_A"
	test_user_add "$RN_B"
	net_create rn-a "$RN_NET.2/24" --owner "$RN_A" >/dev/null
	net_create rn-b "$RN_NET.3/24" --owner "$RN_B" >/dev/null
}

teardown_file() {
	[ -z "${BG_PIDS:-}" ] || kill "$BG_PIDS" 2>/dev/null || true
	net_destroy rn-a >/dev/null 2>&1 || true
	net_destroy rn-b >/dev/null 2>&1 || true
	test_user_del "$RN_A"
	test_user_del "$RN_B"
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot rn_snapshot "$BATS_FILE_TMPDIR/before")"
}

# USER runs CMD... in the network namespace of her container NAME, with no
# capability on the host.
as_owner_in_netns() {
	local user=$1 name=$2
	shift 2
	as_test_user "$user" python3 "$CTR_SRC/bats-tests/probes/owner-netns.py" "$name" "$@"
}

rn_spoof() {
	python3 "$CTR_SRC/bats-tests/probes/spoof.py" "$@"
}

eth0_mac() {
	ip -n "$1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2
}

# Wait for "listening" in FILE (a probe started in the background).
wait_listening() {
	wait_until 100 grep -q listening "$1" || fail "the probe did not start: $(cat "$1")"
}

# Her sniffer (3 s, promiscuous, in her netns, as her) while the host
# sends five datagrams carrying a secret to ADDR; its verdict in FILE.
rn_sniff_while_sent_to() {
	local addr=$1 file=$2 i
	as_owner_in_netns "$RN_A" rn-a python3 "$CTR_SRC/bats-tests/probes/spoof.py" \
		sniff eth0 3 secret-of-47 >"$file" &
	BG_PIDS=$!
	wait_listening "$file"
	for i in 1 2 3 4 5; do
		printf 'secret-of-47 %s' "$i" | socat -u - "UDP4-SENDTO:$addr:7403"
		sleep 0.1
	done
	wait "$BG_PIDS" || true
	BG_PIDS=
}

@test "she holds CAP_NET_RAW in her own netns without privilege: the probe works (a raw frame out of her eth0 with her own addresses reaches the host)" {
	local a_mac br_mac
	a_mac=$(eth0_mac rn-a)
	br_mac=$(cat "/sys/class/net/$CTR_BRIDGE/address")
	rn_spoof listen-udp "$RN_NET.1" 7401 3 >"$BATS_TEST_TMPDIR/udp" &
	BG_PIDS=$!
	wait_listening "$BATS_TEST_TMPDIR/udp"
	run as_owner_in_netns "$RN_A" rn-a python3 "$CTR_SRC/bats-tests/probes/spoof.py" \
		udp eth0 "$a_mac" "$br_mac" "$RN_NET.2" "$RN_NET.1" 7401 honest
	assert_success
	wait "$BG_PIDS" || true
	BG_PIDS=
	run cat "$BATS_TEST_TMPDIR/udp"
	assert_output $'listening\nhonest from '"$RN_NET.2"
}

@test "she cannot take his address: no ARP claim of it reaches the host, no datagram with his source address, not his MAC" {
	local a_mac b_mac br_mac
	a_mac=$(eth0_mac rn-a)
	b_mac=$(eth0_mac rn-b)
	br_mac=$(cat "/sys/class/net/$CTR_BRIDGE/address")
	# her port is pinned to her MAC like any container's
	run nft list chain bridge "ctr_${CTR_BRIDGE//-/_}" port_vc-rn-a
	assert_output --partial "ether saddr != $a_mac drop"
	ping -c1 -W2 "$RN_NET.3" >/dev/null
	rn_spoof listen-udp "$RN_NET.1" 7402 3 >"$BATS_TEST_TMPDIR/udp" &
	BG_PIDS=$!
	wait_listening "$BATS_TEST_TMPDIR/udp"
	# she tells the host that his address is at her MAC, sends with his
	# MAC, and sends a datagram with his address as the source
	as_owner_in_netns "$RN_A" rn-a python3 "$CTR_SRC/bats-tests/probes/spoof.py" \
		arp eth0 "$a_mac" "$a_mac" "$RN_NET.3" "$RN_NET.1"
	as_owner_in_netns "$RN_A" rn-a python3 "$CTR_SRC/bats-tests/probes/spoof.py" \
		arp eth0 "$b_mac" "$b_mac" "$RN_NET.3" "$RN_NET.9"
	as_owner_in_netns "$RN_A" rn-a python3 "$CTR_SRC/bats-tests/probes/spoof.py" \
		udp eth0 "$a_mac" "$br_mac" "$RN_NET.3" "$RN_NET.1" 7402 spoofed
	wait "$BG_PIDS" || true
	BG_PIDS=
	run ip neigh show "$RN_NET.3" dev "$CTR_BRIDGE"
	refute_output --partial "$a_mac"
	run bridge fdb show br "$CTR_BRIDGE"
	refute_line --partial "$b_mac dev vc-rn-a"
	run cat "$BATS_TEST_TMPDIR/udp"
	assert_output $'listening\nnothing'
	# he still talks to the host
	ip netns exec rn-b ping -c1 -W2 "$RN_NET.1" >/dev/null
}

@test "she cannot see his traffic: her eth0 in promiscuous mode gets no datagram meant for him, and does get one meant for her" {
	# the bridge has learnt both ports (unicast is not flooded)
	ip netns exec rn-b ping -c1 -W2 "$RN_NET.1" >/dev/null
	ip netns exec rn-a ping -c1 -W2 "$RN_NET.1" >/dev/null
	rn_sniff_while_sent_to "$RN_NET.3" "$BATS_TEST_TMPDIR/sniff-his"
	run cat "$BATS_TEST_TMPDIR/sniff-his"
	assert_output $'listening\nnot seen'
	# the control: the same sniffer sees a datagram meant for her container
	rn_sniff_while_sent_to "$RN_NET.2" "$BATS_TEST_TMPDIR/sniff-hers"
	run cat "$BATS_TEST_TMPDIR/sniff-hers"
	assert_output $'listening\nseen'
}
