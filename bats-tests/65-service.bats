#!/usr/bin/env bats
# shellcheck disable=SC2016  # bats @test bodies are subshells; container-side strings in single quotes
# Running a service the way people do: --rm on a container that has a layer
# (a throwaway layer on top, the kept one untouched, also across kill -9),
# a stopped container remembers how it ran (ctrctl start/restart, its last
# exit in ps -a and inspect), docker habits (options before NAME, -h, -w,
# natural sort, stats in a pipe, root-only verbs), NAT reported per bridge,
# parallel stop/rm and --stop-signal.  Bridges ct-svc (10.204.65.0/24) and
# ct-svcn (10.204.66.0/24, NAT), names sv*, netns-setup records in the
# suite's own CTR_NET_STATE_DIR.

load test_helper
bats_require_minimum_version 1.5.0

setup_file() {
	require_root
	ctr_test_env svc
	svc_snapshot >"$BATS_FILE_TMPDIR/before"
}

teardown_file() {
	# shellcheck disable=SC2046  # one name per word
	remove_containers $(ip netns list 2>/dev/null | awk '$1 ~ /^sv/ { print $1 }')
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot svc_snapshot "$BATS_FILE_TMPDIR/before")"
}

# What this suite may create: its netns, veths, bridges and NAT rules, mounts
# under its tmpdir, its cgroups, its /etc/netns entries.
svc_snapshot() {
	{
		suite_snapshot sv ct-svc svc
		echo "## nat"; nft list tables 2>/dev/null | grep -i 'ctr_ct_svc' || true
		iptables -w -t nat -S 2>/dev/null | grep -i 'ctr_ct_svc' || true
	}
}

# Everything about the tree DIR that a change could touch: each entry's
# path, type, mode, owner, size, mtime, device number, link target, extended
# attributes (overlay's whiteouts and opaque marks live there) and content.
tree_sum() {
	python3 - "$1" <<'EOF' | sha256sum
import hashlib, os, stat, sys
top = sys.argv[1]
for root, dirs, files in os.walk(top):
    dirs.sort()
    for n in [""] + sorted(dirs + files) if root == top else sorted(dirs + files):
        p = os.path.join(root, n) if n else root
        st = os.lstat(p)
        try:
            xs = sorted((x, os.getxattr(p, x, follow_symlinks=False).hex())
                        for x in os.listxattr(p, follow_symlinks=False))
        except OSError:
            xs = "-"
        link = os.readlink(p) if stat.S_ISLNK(st.st_mode) else ""
        data = ""
        if stat.S_ISREG(st.st_mode):
            data = hashlib.sha256(open(p, "rb").read()).hexdigest()
        print(os.path.relpath(p, top), oct(st.st_mode), st.st_uid, st.st_gid, st.st_size,
              st.st_mtime_ns, st.st_rdev, link, xs, data)
EOF
}

# ------------------------------------------------------------ --rm

@test "--rm on a container that has a layer leaves that layer exactly as it was" {
	net_create sva 10.204.65.2/24 >/dev/null
	run ctrctl run sva -- sh -c 'echo keep >/root/keep; mkdir -p /root/d; echo x >/root/d/f; rm /etc/issue'
	assert_success
	local before
	before=$(tree_sum "$CTR_LIB_DIR/sva")
	# the --rm run sees the layer (its files, its whiteout) and writes on top
	run ctrctl run sva --rm -- sh -c 'cat /root/keep; test -e /etc/issue || echo no-issue;
		echo junk >/root/junk; rm /root/keep; rm -r /root/d; echo changed >/etc/hostname.x'
	assert_success
	assert_output $'keep\nno-issue'
	[ "$(tree_sum "$CTR_LIB_DIR/sva")" = "$before" ] || fail "the --rm run changed the kept layer"
	[ ! -e "$CTR_LIB_DIR/.sva.rm" ] || fail "the throwaway layer is left"
	# the next normal run finds the earlier work, and nothing of the --rm run
	run ctrctl run sva -- sh -c 'cat /root/keep /root/d/f; ls /root/junk /etc/hostname.x 2>&1 | wc -l; test -e /etc/issue || echo no-issue'
	assert_success
	assert_output $'keep\nx\n2\nno-issue'
	# an --rm run records nothing either: no run-args of its own
	run ctrctl run sva --rm -e MARK=rm -- true
	assert_success
	run grep -c MARK "$CTR_LIB_DIR/sva/run-args"
	assert_output 0
	# without a layer --rm is as before: the run's own layer goes
	net_create svb 10.204.65.3/24 >/dev/null
	run ctrctl run svb --rm -- sh -c 'echo tmp >/root/t; cat /root/t'
	assert_success
	assert_output tmp
	[ ! -e "$CTR_LIB_DIR/svb" ]
	[ ! -e "$CTR_LIB_DIR/.svb.rm" ]
	run ctrctl rm sva svb
	assert_success
}

@test "kill -9 of an --rm run over a kept layer: only the throwaway layer is cleaned, never the kept one" {
	net_create svk 10.204.65.4/24 >/dev/null
	run ctrctl run svk -- sh -c 'echo keep >/root/keep'
	assert_success
	local before i sup n=2031
	before=$(tree_sum "$CTR_LIB_DIR/svk")
	for i in $(seq 12); do
		ctr-enter svk --rm -- sh -c "echo junk >/root/junk-$i; exec sleep $n" </dev/null >/dev/null 2>&1 3>&- &
		sup=$!
		sleep "$(printf '0.%03d' $((RANDOM % 80)))"
		kill -9 "$sup"
		wait "$sup" || true
		# what the next command finds: cleaned, the layer as it was
		run ctrctl ps
		refute_line --partial svk
		[ "$(tree_sum "$CTR_LIB_DIR/svk")" = "$before" ] || fail "iteration $i: the kept layer changed"
		[ ! -e "$CTR_RUN_DIR/svk" ] || fail "iteration $i: state left"
		for _ in $(seq 40); do
			pgrep -xf "sleep $n" >/dev/null || break
			sleep 0.05
		done
	done
	# a throwaway layer a killed run left goes with the next start or --cleanup
	mkdir -p "$CTR_RUN_DIR/svk" "$CTR_LIB_DIR/.svk.rm/upper/root"
	echo junk >"$CTR_LIB_DIR/.svk.rm/upper/root/junk"
	printf 'name=svk\nsupervisor=1\nsupervisor_start=1\npid=1\npid_start=1\nrm=top\n' >"$CTR_RUN_DIR/svk/state"
	run ctr-enter --cleanup svk
	assert_success
	[ ! -e "$CTR_LIB_DIR/.svk.rm" ]
	[ "$(tree_sum "$CTR_LIB_DIR/svk")" = "$before" ]
	run ctrctl run svk -- cat /root/keep
	assert_output keep
	run ctrctl rm svk
	assert_success
}

# ------------------------------------------------------------ remembered runs

@test "a stopped container remembers how it ran: ctrctl start, ps -a and inspect show its last exit" {
	net_create svs 10.204.65.5/24 >/dev/null
	# shellcheck disable=SC2016  # $A and $(pwd) are the container's
	run ctrctl run -e A=1 svs -w /srv/app --hostname h1 -- sh -c 'echo "run:$A:$(pwd):$(hostname)" >>/root/log; exit 3'
	assert_failure 3
	run ctrctl ps -a
	assert_line --regexp '^NAME +STATE .* UPTIME +EXIT +STOPPED +PORTS +OWNER$'
	assert_line --regexp '^svs +stopped +- .* 3 +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z +- +root$'
	run ctrctl ps -a --json
	run jq -r '.[] | select(.name == "svs") | [.exit, .oom_killed, (.stopped | test("Z$")), (.started | test("Z$"))] | map(tostring) | join(" ")' <<<"$output"
	assert_output '3 false true true'
	run ctrctl inspect svs
	assert_line exit=3
	assert_line exit_code=3
	assert_line oom_killed=0
	assert_line --regexp '^stopped=[0-9-]+T[0-9:]+Z$'
	assert_line --regexp '^started=[0-9-]+T[0-9:]+Z$'
	run ctrctl inspect svs --json
	run jq -r '[.exit, .exit_code, .oom_killed] | map(tostring) | join(" ")' <<<"$output"
	assert_output '3 3 0'
	# start: the same options, command and rootfs again
	run ctrctl start svs
	assert_failure 3
	run ctrctl run svs --rm -- cat /root/log
	assert_output $'run:1:/srv/app:h1\nrun:1:/srv/app:h1'
	# a run that ends by a signal
	ctrctl_run_bg svs -- sleep 1000
	wait_running svs
	run ctrctl start svs
	assert_failure 1
	assert_output 'ctrctl: svs: already running'
	run ctrctl stop svs -t 0
	assert_success
	run ctrctl inspect svs
	assert_line exit=137
	assert_line exit_signal=9
	# start now runs `sleep 1000` (the last run): restart stops and starts it
	ctrctl start svs </dev/null >/dev/null 2>&1 3>&- &
	wait_running svs
	local old
	old=$(state_field svs pid)
	ctrctl restart svs -t 0 </dev/null >/dev/null 2>&1 3>&- &
	for _ in $(seq 100); do
		[ -f "$CTR_RUN_DIR/svs/state" ] && [ "$(state_field svs pid)" != "$old" ] && break
		sleep 0.05
	done
	wait_running svs
	[ "$(state_field svs pid)" != "$old" ] || fail "restart did not run a new PID 1"
	run ctrctl exec svs sh -c 'tr "\0" " " </proc/1/cmdline'
	assert_output 'sleep 1000 '
	run ctrctl rm -f svs
	assert_success
}

@test "start and restart: bad input, one line each" {
	run ctrctl start svnone
	assert_failure 1
	assert_output 'ctrctl: svnone: no such container'
	run ctrctl restart svnone
	assert_failure 1
	assert_output 'ctrctl: svnone: no such container'
	net_create svc 10.204.65.6/24 >/dev/null
	run ctrctl start svc
	assert_failure 1
	assert_output 'ctrctl: svc: no recorded run to start again (its runs were --rm, or it never ran): use `ctrctl run svc ...`'
	run ctrctl start
	assert_failure 2
	run ctrctl restart svc
	assert_failure 1
	assert_output 'ctrctl: svc: no recorded run to start again (its runs were --rm, or it never ran): use `ctrctl run svc ...`'
	# a running --rm container without a recorded run: refused, not stopped
	ctrctl_run_bg svc --rm -- sleep 1000
	wait_running svc
	run ctrctl restart svc
	assert_failure 1
	assert_output --partial 'no recorded run'
	run ctrctl inspect svc
	assert_line state=running
	run ctrctl rm -f svc
	assert_success
	net_create svc 10.204.65.6/24 >/dev/null 2>&1 || true
	run ctrctl start svc svd
	assert_failure 2
	run ctrctl restart svc -t soon
	assert_failure 2
	run ctrctl rm svc
	assert_success
}

@test "an OOM-killed run says so in ps -a and inspect" {
	net_create svo 10.204.65.7/24 >/dev/null
	run ctrctl run svo --memory 32 --memory-swap 32 -- python3 -c 'b = bytearray(256 << 20); print(len(b))'
	[ "$status" -eq 137 ] || skip "the OOM killer did not end it here (status $status)"
	run ctrctl ps -a
	assert_line --regexp '^svo +stopped .* OOM-killed +[0-9-]+T'
	run ctrctl inspect svo
	assert_line exit=OOM-killed
	assert_line oom_killed=1
	run ctrctl ps -a --json
	run jq -r '.[] | select(.name == "svo") | [.exit, .oom_killed] | map(tostring) | join(" ")' <<<"$output"
	assert_output '137 true'
	ctrctl rm svo
}

# ------------------------------------------------------------ docker habits

@test "options may stand before NAME in run, exec and create" {
	run ctrctl create --bridge "$CTR_BRIDGE" sve 10.204.65.8/24
	assert_success
	# shellcheck disable=SC2016
	run ctrctl run --rm -e X=1 sve -- sh -c 'echo $X'
	assert_success
	assert_output 1
	ctrctl_run_bg sve -- sleep 1000
	wait_running sve
	# shellcheck disable=SC2016
	run ctrctl exec -e Y=2 -w /tmp sve sh -c 'echo $Y $(pwd)'
	assert_success
	assert_output '2 /tmp'
	run ctrctl rm -f sve
	assert_success
}

@test "-h is the hostname, as in docker run; alone it is help; never a silent no-op" {
	net_create svh 10.204.65.9/24 >/dev/null
	run ctrctl run svh --rm -h myhost -- hostname
	assert_success
	assert_output myhost
	run ctr-enter svh --rm -h other -- hostname
	assert_output other
	run ctrctl run -h
	assert_success
	assert_line --index 0 --partial 'Usage: ctr-enter'
	run ctr-enter -h
	assert_success
	run ctr-enter svh -h
	assert_failure 125
	assert_output 'ctr-enter: svh: option -h needs a value'
	run ctrctl rm svh
	assert_success
}

@test "-w DIR is made when missing, as the container's user, for run and exec" {
	net_create svw 10.204.65.10/24 >/dev/null
	run ctrctl run svw --rm -w /srv/new/dir -- pwd
	assert_success
	assert_output /srv/new/dir
	ctrctl_run_bg svw -- sleep 1000
	wait_running svw
	run ctrctl exec -w /tmp/a/b svw pwd
	assert_success
	assert_output /tmp/a/b
	run ctrctl exec -u 65534 -w /tmp/u/v svw sh -c 'pwd; stat -c %u /tmp/u /tmp/u/v'
	assert_success
	assert_output $'/tmp/u/v\n65534\n65534'
	# a user who may not make it: one clear line
	run ctrctl exec -u 65534 -w /root/x svw pwd
	assert_failure 125
	assert_output --regexp '^ctr-enter: svw: workdir /root/x: mkdir /root/x: Permission denied$'
	run ctrctl rm -f svw
	assert_success
}

@test "ps sorts names naturally; stats in a pipe prints no screen codes" {
	net_create svn10 10.204.65.11/24 >/dev/null
	net_create svn9 10.204.65.12/24 >/dev/null
	net_create svn3 10.204.65.13/24 >/dev/null
	run ctrctl ps -a
	run grep -o '^svn[0-9]*' <<<"$output"
	assert_output $'svn3\nsvn9\nsvn10'
	run ctrctl ps -a --json
	run jq -r '[.[].name | select(startswith("svn"))] | join(" ")' <<<"$output"
	assert_output 'svn3 svn9 svn10'
	ctrctl_run_bg svn3 -- sleep 1000
	wait_running svn3
	timeout -s INT 4 ctrctl stats svn3 >"$BATS_TEST_TMPDIR/stats" 2>&1 || true
	grep -q '^svn3 ' "$BATS_TEST_TMPDIR/stats" || fail "no table: $(cat "$BATS_TEST_TMPDIR/stats")"
	run grep -c $'\033' "$BATS_TEST_TMPDIR/stats"
	assert_output 0
	run ctrctl rm -f svn3 svn9 svn10
	assert_success
}

@test "names: '.', '..' and any '..' are refused by every verb, as netns-setup does" {
	local v n
	for v in run exec stop rm inspect stats start restart; do
		for n in . .. a..b; do
			run ctrctl "$v" "$n"
			assert_failure 2
			assert_line --index 0 "ctrctl: bad container name '$n': 1 to 32 of [A-Za-z0-9_.-], not starting with '.' or '-', no '..'"
		done
	done
	run ctrctl create a..b 10.204.65.14/24
	assert_failure 2
}

@test "stop, rm, start and restart say they need root instead of failing on files" {
	net_create svr 10.204.65.15/24 >/dev/null
	run ctrctl run svr true
	assert_success
	local v
	for v in stop start restart; do
		run setpriv --reuid 65534 --regid 65534 --clear-groups -- "$CTR_SRC/ctrctl" "$v" svr
		assert_failure 1
		assert_output "ctrctl: $v: must be run as root (it changes containers of root's), or own the container"
	done
	run setpriv --reuid 65534 --regid 65534 --clear-groups -- "$CTR_SRC/ctrctl" rm svr
	assert_failure 1
	assert_output "ctrctl: rm: must be run as root (sudo ctrctl rm NAME; a container owned by a user goes with sudo netns-setup destroy NAME)"
	[ -d "$CTR_LIB_DIR/svr/upper" ]
	run ctrctl rm svr
	assert_success
}

# ------------------------------------------------------------ network

@test "NAT as it is: a container on a NAT bridge says nat: yes, one excluded with --no-nat says no" {
	netns-setup create svq1 10.204.66.2/24 --bridge ct-svcn --nat >/dev/null
	netns-setup create svq2 10.204.66.3/24 --bridge ct-svcn >/dev/null
	run ctrctl inspect svq2
	assert_line net_bridge=ct-svcn
	assert_line net_nat=yes
	run ctrctl inspect svq2 --json
	run jq -r .net_nat <<<"$output"
	assert_output yes
	netns-setup create svq4 10.204.66.4/24 --bridge ct-svcn --no-nat >/dev/null
	run ctrctl inspect svq4
	assert_line 'net_nat=no (--no-nat: excluded from the NAT of its bridge)'
	assert_line --regexp '^net_bridge_nat=yes'
	net_create svq3 10.204.65.16/24 >/dev/null
	run ctrctl inspect svq3
	assert_line net_nat=no
	run ctrctl rm svq1 svq2 svq3 svq4
	assert_success
}

# ------------------------------------------------------------ stopping

@test "stop and rm take several names, in parallel; each failure is one line" {
	local n
	for n in 1 2 3; do
		net_create "svp$n" "10.204.65.2$n/24" >/dev/null
		ctrctl_run_bg "svp$n" -- sleep 1000
	done
	for n in 1 2 3; do wait_running "svp$n"; done
	run ctrctl stop -t 0 svp1 svpnone svp2 svp3
	assert_failure 1
	assert_output 'ctrctl: svpnone: no such container'
	run ctrctl ps
	refute_line --partial svp
	run ctrctl ps -a
	assert_line --regexp '^svp1 +stopped .* 137 '
	run ctrctl rm svp1 svp2 svp3 svpnone
	assert_failure 1
	assert_output 'ctrctl: svpnone: no such container'
	run ctrctl ps -a
	refute_line --partial svp
	[ ! -e /run/netns/svp1 ] && [ ! -e "$CTR_LIB_DIR/svp2" ]
}

@test "--stop-signal: stop sends the container's own signal first; -s overrides it" {
	net_create svt 10.204.65.17/24 >/dev/null
	# PID 1 of a PID namespace ignores SIGTERM it has no handler for: this
	# one only answers INT (and USR1)
	ctrctl_run_bg svt --stop-signal SIGINT -- sh -c 'trap "exit 7" INT; trap "exit 9" USR1; while :; do sleep 0.1; done'
	wait_running svt
	run ctrctl inspect svt
	assert_line stop_signal=2
	local t0
	t0=$(date +%s)
	run ctrctl stop svt -t 60
	assert_success
	(($(date +%s) - t0 < 30)) || fail "stop waited for SIGKILL"
	run ctrctl inspect svt
	assert_line exit=7
	# start keeps --stop-signal; -s USR1 for this stop
	ctrctl start svt </dev/null >/dev/null 2>&1 3>&- &
	wait_running svt
	run ctrctl stop -s USR1 -t 60 svt
	assert_success
	run ctrctl inspect svt
	assert_line exit=9
	run ctrctl stop -s NOPE svt
	assert_failure 2
	run ctr-enter svt --stop-signal NOPE -- true
	assert_failure 125
	assert_output --partial "bad --stop-signal 'NOPE'"
	run ctrctl rm svt
	assert_success
}

# ------------------------------------------------------------ a service

# The scenario a docker user runs: a web server published with -p and
# started with -d, reached on the host's loopback and from another
# container; its request lines in logs -f; stop, then start reruns it with
# the same options over the same layer; rm leaves no log, layer, rule or
# network.
@test "a service: -p and -d, reached on 127.0.0.1 and from another container, logs -f, stop/start, rm leaves nothing" {
	local port=48080 body logf fpid
	run ctrctl create svweb 10.204.66.20/24 --bridge ct-svcn --nat -p "$port:8000"
	assert_success
	ctrctl create svcli 10.204.66.21/24 --bridge ct-svcn --nat >/dev/null
	run ctrctl run svweb -d --init --memory 128 -w /srv -- python3 -m http.server 8000
	assert_success
	ctrctl exec svweb sh -c 'echo hello-layer >/srv/page.txt'
	wait_until 100 curl -sf "http://127.0.0.1:$port/page.txt" >/dev/null || fail "no answer on 127.0.0.1:$port"
	body=$(curl -sf "http://127.0.0.1:$port/page.txt")
	assert_equal "$body" hello-layer
	run ctrctl run svcli --rm -- python3 -c 'import urllib.request; print(urllib.request.urlopen("http://10.204.66.20:8000/page.txt", timeout=5).read().decode().strip())'
	assert_success
	assert_output hello-layer

	# logs -f: the request lines as they come, and it ends with the container
	logf="$BATS_TEST_TMPDIR/follow"
	ctrctl logs -f svweb >"$logf" 2>&1 3>&- &
	fpid=$!
	curl -sf "http://127.0.0.1:$port/page.txt?follow-marker" >/dev/null
	wait_until 100 grep -q 'GET /page.txt?follow-marker' "$logf" || fail "logs -f did not show the request: $(cat "$logf")"
	run ctrctl stop svweb -t 5
	assert_success
	wait_until 100 eval "! kill -0 $fpid" || fail "logs -f still runs after stop"
	run ctrctl logs svweb
	assert_output --partial 'GET /page.txt HTTP/1.1" 200'

	# start: the same options (the memory limit, -d) over the same layer
	run ctrctl start svweb
	assert_success
	wait_until 100 curl -sf "http://127.0.0.1:$port/page.txt" >/dev/null || fail "no answer after start"
	assert_equal "$(curl -sf "http://127.0.0.1:$port/page.txt")" hello-layer
	run ctrctl inspect svweb
	assert_line state=running
	assert_line memory=134217728
	assert_line "net_ports=$port->8000/tcp"

	run ctrctl rm -f svweb svcli
	assert_success
	[ ! -e "$CTR_LIB_DIR/svweb" ] || fail "layer or log left: $(ls -la "$CTR_LIB_DIR/svweb")"
	[ ! -e /run/netns/svweb ] && [ ! -e /run/netns/svcli ]
	run sh -c "nft list ruleset 2>/dev/null | grep -c 'dport $port' || true"
	assert_output 0
	run nc -z -w1 127.0.0.1 "$port"
	assert_failure
}
