#!/usr/bin/env bats
# shellcheck disable=SC2016  # container-side strings in single quotes
# ctrctl top (ctr-top): the plain and --json views against the cgroup files
# read at the same moment, a container started, OOM-killed and stopped
# during a run, the keys in tmux and q leaving the terminal as it was, the
# web server (loopback by default, Host checked, GET only, /api/containers,
# /api/events, clients that do not block each other, SIGTERM), bad input,
# and the page in Debian's chromium (tests/browser, host only).
# Bridge ct-top (10.206.72.0/24), names tp* and wb*.

load test_helper
bats_require_minimum_version 1.5.0

TOP_NET=10.206.72

setup_file() {
	require_root
	ctr_test_env top
	top_snapshot >"$BATS_FILE_TMPDIR/before"
}

TOP_NAMES=(tp1 tp2 tp3 wb1 wb2 wb3 wb4)

# NAME's network (ctrctl rm -f takes it away with the container).
top_net() {
	local i
	[ ! -e "/run/netns/$1" ] || return 0
	for i in "${!TOP_NAMES[@]}"; do
		if [ "${TOP_NAMES[i]}" = "$1" ]; then
			net_create "$1" "$TOP_NET.$((i + 2))/24" >/dev/null
			return
		fi
	done
	fail "no address for $1"
}

teardown_file() {
	kill_suite_containers
	remove_containers "${TOP_NAMES[@]}"
	tmux -L "ctrtest-top" kill-server 2>/dev/null || true
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot top_snapshot "$BATS_FILE_TMPDIR/before")"
}

teardown() {
	local p n
	if [ -f "$BATS_TEST_TMPDIR/pids" ]; then
		while read -r p; do
			kill "$p" 2>/dev/null || true
		done <"$BATS_TEST_TMPDIR/pids"
	fi
	tmux -L "ctrtest-top" kill-server 2>/dev/null || true
	kill_suite_containers
	for n in "${TOP_NAMES[@]}"; do
		ctrctl rm -f "$n" >/dev/null 2>&1 || true
	done
}

top_snapshot() {
	suite_snapshot tp ct-top top
	suite_snapshot wb ct-top top | grep -v '^## ' || true
	echo "## ctr-top"
	top_pids
}

# This suite's ctr-top processes.
top_pids() {
	suite_ctr_pids ctr-top
}

# Remember a background process of the test (killed in teardown).
track() {
	echo "$1" >>"$BATS_TEST_TMPDIR/pids"
}

run_detached() {
	top_net "$1"
	ctrctl run -d "$@" >/dev/null
	wait_running "$1"
}

# The one JSON line of NAME in a --json run's output.
json_of() {
	grep -F "\"name\":\"$1\"" | tail -1
}

# Serve --web on a free loopback port; sets WEB_PID and WEB (host:port).
web_start() {
	ctr-top --web=0 "$@" >"$BATS_TEST_TMPDIR/web.out" 2>&1 &
	WEB_PID=$!
	track "$WEB_PID"
	wait_until 100 grep -q 'serving http://' "$BATS_TEST_TMPDIR/web.out" || fail "ctr-top --web did not start: $(cat "$BATS_TEST_TMPDIR/web.out")"
	WEB=$(sed -n 's|.*serving http://\([^/]*\)/.*|\1|p' "$BATS_TEST_TMPDIR/web.out")
}

@test "no containers: an empty view, not an error (plain and --json)" {
	run ctrctl top --no-stream
	assert_success
	assert_line --index 0 --regexp '^NAME +STATE +PID +IP +CPU% +MEM USED / LIMIT \(PEAK\) +PIDS +NET RX/TX +IO R/W +UPTIME +EXIT$'
	assert_equal "${#lines[@]}" 1
	run ctrctl top --json -n 2 -d 0.1
	assert_success
	assert_output ''
}

@test "--json and the plain view match the cgroup files read at the same moment" {
	run_detached tp1 --memory 64 --pids-limit 20 --cpus 0.5 -- sh -c 'sleep 1000 & sleep 1000 & wait'
	wait_until 100 eval '[ "$(cat "$(cg_run_file tp1 pids.current)")" = 3 ]' || fail "tp1 has not 3 processes"
	local mem_file limit_file peak_file j pid
	mem_file=$(cg_layout_file tp1 memory.usage_in_bytes memory.current cg_run_file)
	limit_file=$(cg_layout_file tp1 memory.limit_in_bytes memory.max cg_run_file)
	peak_file=$(cg_layout_file tp1 memory.max_usage_in_bytes memory.peak cg_run_file)
	j=$(ctrctl top --json --no-stream tp1)
	local mem_now limit pids pids_max
	mem_now=$(cat "$mem_file") limit=$(cat "$limit_file")
	pids=$(cat "$(cg_run_file tp1 pids.current)") pids_max=$(cat "$(cg_run_file tp1 pids.max)")
	pid=$(state_field tp1 pid)
	echo "$j"
	assert_equal "$(jq -r .name <<<"$j")" tp1
	assert_equal "$(jq -r .state <<<"$j")" running
	assert_equal "$(jq -r .pid <<<"$j")" "$pid"
	assert_equal "$(jq -r .ip <<<"$j")" "$TOP_NET.2"
	assert_equal "$(jq -r .mem_limit <<<"$j")" "$limit"
	assert_equal "$limit" 67108864
	assert_equal "$(jq -r .pids <<<"$j")" "$pids"
	assert_equal "$(jq -r .pids_limit <<<"$j")" "$pids_max"
	assert_equal "$(jq -r '.cpu_limit == 0.5' <<<"$j")" true
	# memory moves a little between two reads of a sleeping container
	local used
	used=$(jq -r .mem_used <<<"$j")
	[ "$used" -gt 0 ] && [ $((used - mem_now)) -lt 262144 ] && [ $((mem_now - used)) -lt 262144 ] ||
		fail "mem_used $used, $mem_file $mem_now"
	if [ -f "$peak_file" ]; then
		[ "$(jq -r .mem_peak <<<"$j")" -ge "$used" ] || fail "mem_peak below mem_used"
	else
		assert_equal "$(jq -r .mem_peak <<<"$j")" null
	fi
	# CPU% is a number (a sleeping container: near 0), never missing
	[[ $(jq -r .cpu_percent <<<"$j") =~ ^[0-9]+(\.[0-9])?$ ]] || fail "cpu_percent: $j"
	# the same field names as ps --json, in the same order, then top's own
	assert_equal "$(jq -c 'keys_unsorted[0:16]' <<<"$j")" "$(ctrctl ps --json | jq -c '.[0] | keys_unsorted')"
	# the layout's own figures: v2 has io.stat, memory.events (high) and PSI
	if [ "$(cg_layout)" = v2 ]; then
		[[ $(jq -r .io_read_bytes <<<"$j") =~ ^[0-9]+$ ]] || fail "io_read_bytes on v2: $j"
		assert_equal "$(jq -r .mem_high_events <<<"$j")" "$(awk '$1 == "high" { print $2 }' "$(cg_run_file tp1 memory.events)")"
		assert_equal "$(jq -r .oom_kill_events <<<"$j")" "$(awk '$1 == "oom_kill" { print $2 }' "$(cg_run_file tp1 memory.events)")"
		assert_equal "$(jq -r .pids_max_events <<<"$j")" "$(awk '$1 == "max" { print $2 }' "$(cg_run_file tp1 pids.events)")"
		if [ -f "$(cg_run_file tp1 cpu.pressure)" ] && cat "$(cg_run_file tp1 cpu.pressure)" >/dev/null 2>&1; then
			[[ $(jq -r .psi_cpu_some10 <<<"$j") =~ ^[0-9]+\.[0-9]+$ ]] || fail "psi on v2: $j"
		fi
	else
		# v1: ctr makes no blkio cgroup and v1 has no PSI per cgroup: n/a, never 0
		assert_equal "$(jq -r .io_read_bytes <<<"$j")" null
		assert_equal "$(jq -r .psi_cpu_some10 <<<"$j")" null
		assert_equal "$(jq -r .mem_high_events <<<"$j")" null
		assert_equal "$(jq -r .oom_kill_events <<<"$j")" "$(awk '$1 == "oom_kill" { print $2 }' "$(cg_run_file tp1 memory.oom_control)")"
		assert_equal "$(jq -r .mem_max_events <<<"$j")" "$(cat "$(cg_run_file tp1 memory.failcnt)")"
	fi
	# the plain view: one row, the same figures in people's units
	run ctrctl top --no-stream
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp "^tp1 +running +$pid +$TOP_NET\.2 +[0-9.]+ \([0-9]+%\) +[0-9.]+[KM]iB / 64\.0MiB \(([0-9.]+[KM]iB|n/a)\) +$pids/$pids_max "
	if [ "$(cg_layout)" = v1 ]; then
		# v1 accounts no block I/O here: n/a, never a zero
		assert_line --index 1 --partial ' n/a '
		refute_line --index 1 --partial ' 0B/0B '
	else
		# v2's io.stat is a real figure (0B/0B for a container that did
		# no block I/O), the one --json gives
		[ "$(jq -r '.io_read_bytes | type' <<<"$j")" = number ] || fail "no io_read_bytes on v2: $j"
	fi
}

@test "a container started, OOM-killed and stopped during a run: each change shows" {
	ctrctl top --json -d 0.25 >"$BATS_TEST_TMPDIR/out" &
	local top=$!
	track "$top"
	sleep 0.6
	# a child is OOM-killed (the container lives on), then PID 1 itself
	run_detached tp2 --memory 32 -- sh -c 'sleep 1; python3 -c "b = bytearray(64 << 20)"; sleep 1.5; exec python3 -c "b = bytearray(64 << 20)"'
	wait_until 400 eval '! is_running tp2' || fail "tp2 was not OOM-killed"
	wait_until 400 grep -q '"name":"tp2","state":"stopped"' "$BATS_TEST_TMPDIR/out" || fail "no stopped row of tp2"
	kill "$top"
	wait "$top" || true
	local out first last
	out=$(grep -F '"name":"tp2"' "$BATS_TEST_TMPDIR/out")
	first=$(head -1 <<<"$out")
	assert_equal "$(jq -r .state <<<"$first")" running
	assert_equal "$(jq -r .oom_kill_events <<<"$first")" 0
	# the child's OOM kill while it runs
	[ "$(jq -s 'map(select(.state == "running" and .oom_kill_events >= 1)) | length' <<<"$out")" -gt 0 ] ||
		fail "no running row with oom_kill_events >= 1: $out"
	# then stopped, OOM-killed, exit 137
	last=$(tail -1 <<<"$out")
	assert_equal "$(jq -r .state <<<"$last")" stopped
	assert_equal "$(jq -r .oom_killed <<<"$last")" true
	assert_equal "$(jq -r .exit <<<"$last")" 137
	assert_equal "$(jq -r .mem_used <<<"$last")" null
	run ctrctl top --no-stream tp2
	assert_line --index 1 --regexp '^tp2 +stopped +- +.* OOM-killed$'
}

@test "ctrctl top | head -1: the reader leaving ends it quietly" {
	run -0 bash -c 'set -o pipefail; ctrctl top -d 0.1 -n 50 2>"$1" | head -1; echo "${PIPESTATUS[0]}"' _ "$BATS_TEST_TMPDIR/err"
	assert_line --index 0 --regexp '^NAME '
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ''
	# it ended long before its 50 refreshes (5 s)
	run -0 timeout 3 bash -c 'ctrctl top -d 0.1 -n 50 | head -1'
}

@test "options after NAME, the order --help shows: ctrctl top NAME -n 1 --json" {
	run_detached tp2 -- sleep 1000
	run ctrctl top tp2 -n 1 --json
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_line --index 0 --partial '"name":"tp2"'
	run ctrctl top tp2 -d 0.1 -n 2
	assert_success
	assert_equal "$(grep -c '^tp2 ' <<<"$output")" 2
}

@test "bad input: one clear line each" {
	run -1 ctrctl top nosuch
	assert_output 'ctr-top: nosuch: no such container'
	run -2 ctrctl top -d x
	assert_line --index 0 'ctr-top: -d x: a number of seconds, at least 0.1'
	run -2 ctrctl top -n 0
	assert_line --index 0 'ctr-top: -n 0: a whole number of refreshes, at least 1'
	run -2 ctrctl top '../x'
	assert_line --index 0 "ctr-top: bad container name '../x'"
	# a port too long for its buffer is refused, not cut to a shorter one
	run -1 timeout 10 ctrctl top --listen 127.0.0.1:000000000080
	assert_output 'ctr-top: --listen 127.0.0.1:000000000080: not ADDR:PORT (a numeric address)'
	run -1 ctrctl top --web=10.206.72.1:7397
	assert_output 'ctr-top: 10.206.72.1: not a loopback address: the monitor has no authentication; to serve it beyond this machine anyway, give --listen 10.206.72.1:7397'
	# an address from --web stays loopback-only, even beside --listen
	run -2 ctrctl top --listen 127.0.0.1:1 --web=10.206.72.1:2
	assert_line --index 0 'ctr-top: --web=ADDR and --listen ADDR: give one of them'
	web_start
	run -1 ctrctl top --web="$WEB"
	assert_output "ctr-top: listen on $WEB: Address already in use"
	run -0 ctrctl top --help
	assert_line --index 0 'Usage: ctrctl top [OPTIONS] [NAME...]'
}

# ------------------------------------------------------------ the terminal

tmux_top() {
	tmux -L ctrtest-top "$@"
}

pane() {
	tmux_top capture-pane -p -t top
}

@test "tmux: the keys sort, reverse, filter and help, and q leaves the terminal as it found it" {
	command -v tmux >/dev/null || fail "tmux is not installed (make deps)"
	run_detached tp1 -- sleep 1000
	run_detached tp3 --cpus 0.2 -- sh -c 'while :; do :; done'
	local env
	env=$(printf '%q ' "PATH=$PATH" "CTR_RUN_DIR=$CTR_RUN_DIR" "CTR_LIB_DIR=$CTR_LIB_DIR" \
		"CTR_CGROUP_PARENT=$CTR_CGROUP_PARENT" "CTR_NET_STATE_DIR=$CTR_NET_STATE_DIR")
	tmux_top -f /dev/null new-session -d -s top -x 200 -y 30 "env -i TERM=screen $env bash --norc --noprofile"
	tmux_top send-keys -t top "PS1='$ '; stty -g >$BATS_TEST_TMPDIR/stty.before; clear" Enter
	wait_until 100 test -s "$BATS_TEST_TMPDIR/stty.before"
	tmux_top send-keys -t top "ctrctl top -d 0.3; stty -g >$BATS_TEST_TMPDIR/stty.after; echo top-exited=\$?" Enter
	wait_until 100 eval 'pane | grep -q "^tp3 "' || fail "no tp3 row: $(pane)"
	assert_equal "$(tmux_top display -p -t top '#{alternate_on}')" 1
	pane | grep -q 'sort: NAME ' || fail "$(pane)"
	# sorted by name: tp1 above tp3
	[ "$(pane | grep -n '^tp1 ' | cut -d: -f1)" -lt "$(pane | grep -n '^tp3 ' | cut -d: -f1)" ]
	tmux_top send-keys -t top r
	wait_until 40 eval 'pane | grep -q "sort: NAME (reversed)"' || fail "r: $(pane)"
	[ "$(pane | grep -n '^tp1 ' | cut -d: -f1)" -gt "$(pane | grep -n '^tp3 ' | cut -d: -f1)" ]
	tmux_top send-keys -t top c
	wait_until 40 eval 'pane | grep -q "sort: CPU% (reversed)"' || fail "c: $(pane)"
	tmux_top send-keys -t top r
	# the busy one first
	wait_until 40 eval 'pane | grep -q "sort: CPU%  "' || fail "r again: $(pane)"
	wait_until 40 eval '[ "$(pane | grep -n "^tp3 " | cut -d: -f1)" -lt "$(pane | grep -n "^tp1 " | cut -d: -f1)" ]' ||
		fail "tp3 (busy) is not above tp1 sorted by CPU%: $(pane)"
	tmux_top send-keys -t top m
	wait_until 40 eval 'pane | grep -q "sort: MEM USED"' || fail "m: $(pane)"
	tmux_top send-keys -t top '>'
	wait_until 40 eval 'pane | grep -q "sort: PIDS"' || fail ">: $(pane)"
	tmux_top send-keys -t top / t p 3 Enter
	wait_until 40 eval 'pane | grep -q "filter: tp3 "' || fail "filter: $(pane)"
	pane | grep -q '^tp3 ' && ! pane | grep -q '^tp1 ' || fail "filter tp3 shows: $(pane)"
	tmux_top send-keys -t top Escape
	wait_until 40 eval 'pane | grep -q "^tp1 "' || fail "Esc did not clear the filter: $(pane)"
	tmux_top send-keys -t top h
	wait_until 40 eval 'pane | grep -q "ctr-top keys"' || fail "h: $(pane)"
	tmux_top send-keys -t top x
	wait_until 40 eval 'pane | grep -q "^tp1 "' || fail "a key after help: $(pane)"
	tmux_top send-keys -t top q
	wait_until 100 eval 'pane | grep -q "top-exited=0"' || fail "q did not end it: $(pane)"
	# the main screen back, the cursor shown, the terminal's modes as before
	assert_equal "$(tmux_top display -p -t top '#{alternate_on}')" 0
	assert_equal "$(tmux_top display -p -t top '#{cursor_flag}')" 1
	assert_equal "$(cat "$BATS_TEST_TMPDIR/stty.after")" "$(cat "$BATS_TEST_TMPDIR/stty.before")"
	pane | grep -q '^\$ ctrctl top -d 0.3' || fail "the shell's screen was not restored: $(pane)"
}

# ------------------------------------------------------------ the web view

@test "--web: 127.0.0.1 by default, GET only, the Host checked, no CORS header" {
	web_start
	local port=${WEB##*:}
	assert_equal "$WEB" "127.0.0.1:$port"
	# the only socket it listens on
	run -0 ss -Hltnp
	assert_line --regexp "^LISTEN .* 127\.0\.0\.1:$port .*pid=$WEB_PID,"
	refute_line --regexp "(\*|0\.0\.0\.0|\[::\]):$port .*pid=$WEB_PID,"
	run -0 curl -sS -D - -o /dev/null "http://$WEB/"
	assert_line --regexp '^HTTP/1.1 200'
	assert_line --regexp '^Content-Type: text/html'
	refute_line --regexp '^Access-Control-'
	# DNS rebinding: a name that resolves here but is not ours
	run -0 curl -sS -o /dev/null -w '%{http_code}' -H 'Host: attacker.example' "http://$WEB/api/containers"
	assert_output 403
	run -0 curl -sS -o /dev/null -w '%{http_code}' -H "Host: localhost:$port" "http://$WEB/api/containers"
	assert_output 200
	run -0 curl -sS -o /dev/null -w '%{http_code}' -H "Origin: http://attacker.example" "http://$WEB/api/containers"
	assert_output 200
	run -0 curl -sS -D - -o /dev/null -H "Origin: http://attacker.example" "http://$WEB/api/containers"
	refute_line --regexp '^Access-Control-'
	local m
	for m in POST PUT DELETE OPTIONS HEAD; do
		run -0 curl -sS -o /dev/null -w '%{http_code}' -X "$m" --max-time 2 "http://$WEB/api/containers"
		assert_output 405
	done
	run -0 curl -sS -o /dev/null -w '%{http_code}' "http://$WEB/nosuch"
	assert_output 404
}

@test "--web: /api/containers is --json's rows, /api/events streams samples and events" {
	run_detached tp1 --memory 64 --pids-limit 20 -- sleep 1000
	web_start -d 0.3
	sleep 0.7
	run -0 curl -sS "http://$WEB/api/containers"
	assert_equal "$(jq -r '.[0].name' <<<"$output")" tp1
	assert_equal "$(jq -r '.[0].mem_limit' <<<"$output")" 67108864
	assert_equal "$(jq -r '.[0].pids_limit' <<<"$output")" "$(cat "$(cg_run_file tp1 pids.max)")"
	assert_equal "$(jq -c '.[0] | keys_unsorted' <<<"$output")" "$(ctrctl top --json --no-stream | jq -c 'keys_unsorted')"
	curl -sSN --max-time 60 "http://$WEB/api/events" >"$BATS_TEST_TMPDIR/sse" &
	local reader=$!
	track "$reader"
	sleep 0.5
	ctrctl stop -t 1 tp1 >/dev/null
	wait_until 400 grep -q '"kind":"stopped"' "$BATS_TEST_TMPDIR/sse" || fail "no stopped event: $(cat "$BATS_TEST_TMPDIR/sse")"
	sleep 0.7
	kill "$reader"
	run -0 grep -c '^event: sample$' "$BATS_TEST_TMPDIR/sse"
	[ "$output" -ge 3 ] || fail "$output samples in over 1.5 s at -d 0.3"
	# a new client first gets the last five minutes of tp1's CPU% and memory
	run -0 grep -A1 -m1 '^event: history$' "$BATS_TEST_TMPDIR/sse"
	assert_line --index 1 --regexp '^data: \[\{"t":[0-9.]+,"r":\[\["tp1",[0-9.]+,[0-9]+\]\]\}'

	run -0 grep -A1 '^event: event$' "$BATS_TEST_TMPDIR/sse"
	assert_line --regexp '^data: \{"time":[0-9.]+,"name":"tp1","kind":"stopped","count":1,"detail":"exit 1?[0-9]+"\}$'
	run -0 sed -n 's/^data: \(\[.*\]\)$/\1/p' "$BATS_TEST_TMPDIR/sse"
	assert_equal "$(tail -1 <<<"$output" | jq -r '.[0].state')" stopped
	# Each event has an id; a reconnect naming the last one it saw (what an
	# EventSource sends) is not given that event again, a new client is.
	run -0 grep -B1 '^event: event$' "$BATS_TEST_TMPDIR/sse"
	local last
	last=$(sed -n 's/^id: \([0-9][0-9]*\)$/\1/p' <<<"$output" | tail -1)
	[ -n "$last" ] || fail "no id: line before the event: $output"
	run -28 curl -sSN --max-time 1.5 -H "Last-Event-ID: $last" "http://$WEB/api/events"
	assert_output --partial "event: sample"
	refute_output --partial "event: event"
	run -28 curl -sSN --max-time 1.5 "http://$WEB/api/events"
	assert_output --partial "id: $last"
	assert_output --partial '"kind":"stopped"'
}

@test "--listen 0.0.0.0: a request naming the address it came to is served, another Host is not" {
	# in a network namespace of its own (only lo): nothing reachable from outside
	run -0 timeout 20 unshare -n bash -c '
		set -euo pipefail
		ip link set lo up
		ctr-top --listen 0.0.0.0:0 >"$1/wild.out" 2>&1 &
		p=$!
		trap "kill \$p 2>/dev/null || true" EXIT
		for _ in $(seq 100); do grep -q "serving http://" "$1/wild.out" && break; sleep 0.05; done
		port=$(sed -n "s|.*serving http://0.0.0.0:\([0-9]*\)/.*|\1|p" "$1/wild.out")
		url=http://127.0.0.1:$port/api/containers
		curl -s -o /dev/null -w "%{http_code}\n" "$url"
		curl -s -o /dev/null -w "%{http_code}\n" -H "Host: attacker.example:$port" "$url"
		curl -s -o /dev/null -w "%{http_code}\n" -H "Host: 127.0.0.2:$port" "$url"' _ "$BATS_TEST_TMPDIR"
	assert_equal "$output" $'200\n403\n403'
}

@test "--web: an idle client and a stream do not hold up others; SIGTERM ends it, nothing left" {
	web_start -d 0.3
	local port=${WEB##*:}
	# a client that connects and says nothing, one that sends half a request
	exec {idle}<>"/dev/tcp/127.0.0.1/$port"
	exec {half}<>"/dev/tcp/127.0.0.1/$port"
	printf 'GET / HTTP/1.1\r\nHo' >&"$half"
	curl -sSN --max-time 10 "http://$WEB/api/events" >"$BATS_TEST_TMPDIR/sse1" 2>/dev/null &
	track $!
	curl -sSN --max-time 10 "http://$WEB/api/events" >"$BATS_TEST_TMPDIR/sse2" 2>/dev/null &
	track $!
	run -0 curl -sS --max-time 2 -o /dev/null -w '%{http_code}' "http://$WEB/api/containers"
	assert_output 200
	run -0 curl -sS --max-time 2 -o /dev/null -w '%{http_code}' "http://$WEB/"
	assert_output 200
	sleep 1
	grep -q '^event: sample' "$BATS_TEST_TMPDIR/sse1" || fail "stream 1 got nothing"
	grep -q '^event: sample' "$BATS_TEST_TMPDIR/sse2" || fail "stream 2 got nothing"
	kill -TERM "$WEB_PID"
	local rc=0
	wait "$WEB_PID" || rc=$?
	assert_equal "$rc" 0
	exec {idle}>&- {half}>&-
	# the port is free again, no ctr-top of this suite is left
	run ss -Hltn "sport = :$port"
	assert_output ''
	wait_until 40 eval '[ -z "$(top_pids)" ]' || fail "a ctr-top is left: $(top_pids)"
}

# ------------------------------------------------------------ the browser

@test "the page in chromium: doughnuts with the API's figures, live, OOM marked, stopped, nothing fetched elsewhere" {
	if ! command -v chromium >/dev/null; then
		# the VM image has no browser; the host runs this (make deps installs it)
		[ -n "${CTR_VM_LAYOUT:-}" ] || fail "chromium is not installed (make deps)"
		skip "no chromium in the VM (the host runs the browser test)"
	fi
	[ -d "$CTR_SRC/tests/browser/node_modules/playwright-core" ] || fail "run make deps (npm ci in tests/browser)"
	# three containers under load
	run_detached wb1 --cpus 0.3 -- sh -c 'while :; do :; done'
	run_detached wb2 --memory 64 -- python3 -c 'import time; b = b"x" * (24 << 20); time.sleep(1000)'
	run_detached wb3 --memory 48 --cpus 0.2 -- sh -c 'while :; do :; done'
	top_net wb4   # started by the page test
	CTR_TOP_SCREENSHOT="$CTR_SRC/docs/top-web.png" run node --test --test-reporter=tap "$CTR_SRC/tests/browser/"
	echo "$output"
	assert_success
}
