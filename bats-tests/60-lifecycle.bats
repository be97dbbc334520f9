#!/usr/bin/env bats
# A container is something you come back to: joining a running container
# (ctrctl exec / ctr-enter NAME CMD), the porcelain's ps/stats/stop/rm/inspect,
# kill -9 of the supervisor at random moments, racing starts of one NAME,
# and one-line errors with documented exit codes.  Bridge ct-life, subnet
# 10.204.1.0/24, names lf*, netns-setup records in the suite's own CTR_NET_STATE_DIR (so
# that `ctrctl ps -a` lists only this suite's containers).
# shellcheck shell=bash
# Commands for the container and expected messages with backquotes are
# single-quoted on purpose.
# shellcheck disable=SC2016

load test_helper
bats_require_minimum_version 1.5.0

setup_file() {
	require_root
	ctr_test_env life
	life_snapshot >"$BATS_FILE_TMPDIR/before"
	net_create lfa 10.204.1.2/24 >/dev/null
	net_create lfb 10.204.1.3/24 >/dev/null
	# a long-running container shared by the tests below
	ctrctl_run_bg lfa --hostname box -- sh -c 'echo shared >/tmp/f; exec sleep 1000'
	wait_running lfa
}

teardown_file() {
	remove_containers lfa lfb lfc lfd lfk lfm lfr lfs lfp
	snapshot_unchanged "$BATS_FILE_TMPDIR/before" "$(settled_snapshot life_snapshot "$BATS_FILE_TMPDIR/before")"
}

# What this suite may create: its netns, veths and bridge, mounts under its
# tmpdir, its cgroups, its /etc/netns entries (other suites run meanwhile).
life_snapshot() {
	suite_snapshot lf ct-life life
}


@test "join: two shells see the same processes, hostname, files and IP" {
	# shell 1 leaves a process and a file behind; shell 2 sees both
	ctrctl exec lfa sh -c 'echo from-exec1 >/tmp/g; exec sleep 77' </dev/null >/dev/null 2>&1 3>&- &
	local ex1=$!
	for _ in $(seq 50); do
		ctrctl exec lfa pgrep -xf 'sleep 77' >/dev/null 2>&1 && break
		sleep 0.05
	done
	run ctrctl exec lfa sh -c 'hostname; cat /tmp/f /tmp/g; ip -4 -o addr show eth0; ps -o pid=,args= -p 1; ps -eo args='
	kill "$ex1" 2>/dev/null || true
	wait "$ex1" || true
	assert_success
	assert_line --index 0 box
	assert_line --index 1 shared
	assert_line --index 2 from-exec1
	assert_line --index 3 --partial 10.204.1.2/24
	assert_line --index 4 --regexp '^ *1 sleep 1000$'
	assert_line 'sleep 77'
	# the same file seen from PID 1's side (its root, on the host)
	run cat "/proc/$(state_field lfa pid)/root/tmp/g"
	assert_output from-exec1
}

@test "join: ctr-enter NAME CMD runs in the running container with its restrictions and exit codes" {
	local pid1
	pid1=$(state_field lfa pid)
	run ctr-enter lfa sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status'
	assert_success
	assert_output "$(grep -E '^(CapEff|NoNewPrivs|Seccomp):' "/proc/$pid1/status")"
	for ns in mnt pid uts ipc net cgroup; do
		run ctr-enter lfa readlink "/proc/self/ns/$ns"
		assert_output "$(readlink "/proc/$pid1/ns/$ns")"
	done
	run ctrctl exec lfa -u 65534 -w /tmp -e FOO=bar sh -c 'id -u; pwd; echo $FOO $HOSTNAME $container'
	assert_success
	assert_output $'65534\n/tmp\nbar box ctr'
	run ctrctl exec lfa sh -c 'exit 7'
	assert_failure 7
	run -127 ctrctl exec lfa no-such-command
	assert_failure 127
	run ctrctl exec lfa /etc/hostname
	assert_failure 126
	run ctrctl exec lfa sh -c 'kill -TERM $$'
	assert_failure 143
	# a signal sent to the joining ctr-enter reaches the joined command
	ctrctl exec lfa sleep 88 </dev/null >/dev/null 2>&1 3>&- &
	local ex=$! rc=0
	for _ in $(seq 50); do
		pgrep -xf 'sleep 88' >/dev/null && break
		sleep 0.05
	done
	kill -USR1 "$ex"
	wait "$ex" || rc=$?
	[ "$rc" -eq $((128 + 10)) ]
	run pgrep -xf 'sleep 88'
	assert_failure
}

@test "join: kill -9 of the joining ctr-enter takes its command down, also after -u" {
	local u sup p n=7000
	for u in 0 65534; do
		n=$((n + 1))
		ctr-enter lfa -u "$u" -- sleep "$n" </dev/null >/dev/null 2>&1 3>&- &
		sup=$! p=
		for _ in $(seq 100); do
			p=$(pgrep -xf "sleep $n" || true)
			[ -n "$p" ] && break
			sleep 0.05
		done
		[ -n "$p" ] || { echo "-u $u: sleep $n did not start" >&2; false; }
		[ "$(stat -c %u "/proc/$p")" -eq "$u" ]
		kill -9 "$sup"
		wait "$sup" || true
		for _ in $(seq 60); do
			pgrep -xf "sleep $n" >/dev/null || break
			sleep 0.05
		done
		run pgrep -xf "sleep $n"
		[ "$status" -ne 0 ] || kill -9 "$p"
		assert_failure
	done
}

@test "join: options that would change a running container are refused" {
	run ctr-enter lfa --memory 50 true
	assert_failure 125
	assert_output 'ctr-enter: lfa: --memory: cannot change a running container'
	for opt in --hostname=x --rootfs=/ --volume=/tmp:/x --read-only --rm --init --privileged --cap-add=NET_ADMIN; do
		run ctr-enter lfa "$opt" true
		assert_failure 125
		assert_output "ctr-enter: lfa: ${opt%%=*}: cannot change a running container"
	done
}

@test "join: a terminal gets its own pty from the container's devpts" {
	command -v script >/dev/null || skip "no script(1)"
	run script -qec "ctrctl exec lfa sh -c 'tty; readlink /proc/1/ns/pid'" /dev/null
	assert_success
	assert_output --regexp '/dev/pts/[0-9]+'
}

@test "join: the joined process is in the container's cgroup and counts against its pids limit" {
	run ctrctl exec lfa sh -c 'cat /proc/self/cgroup'
	assert_success
	refute_line --regexp ':/.+$'
	ctrctl exec lfa sleep 66 </dev/null >/dev/null 2>&1 3>&- &
	local ex=$! p
	for _ in $(seq 50); do
		p=$(pgrep -xf 'sleep 66' || true)
		[ -n "$p" ] && break
		sleep 0.05
	done
	run grep -qx "$p" "$(cg_run_dir lfa pids)/cgroup.procs"
	kill "$ex"
	wait "$ex" || true
	assert_success
	# a container with --pids-limit 3: PID 1, the joined sh, one child
	net_create lfc 10.204.1.4/24 >/dev/null
	ctrctl_run_bg lfc --pids-limit 3 -- sleep 1000
	wait_running lfc
	run ctrctl exec lfc sh -c 'sleep 1 & sleep 1 & wait'
	ctrctl rm -f lfc
	assert_output --partial 'fork'
}

@test "ctrctl ps and --json: running, stopped and created containers" {
	run ctrctl run lfb true
	assert_success
	net_create lfd 10.204.1.5/24 >/dev/null
	run ctrctl ps
	assert_success
	assert_line --index 0 --regexp '^NAME +STATE +PID +IP +HOSTNAME +MEM'
	assert_line --regexp "^lfa +running +$(state_field lfa pid) +10\.204\.1\.2 +box "
	refute_line --partial lfb
	run ctrctl ps -a
	assert_line --regexp '^lfb +stopped +- +10\.204\.1\.3 '
	assert_line --regexp '^lfd +created +- +10\.204\.1\.5 '
	run ctrctl ps -a --json
	assert_success
	run jq -r '.[] | [.name, .state, (.pid|tostring), .ip, (.hostname // "-")] | join(" ")' <<<"$output"
	assert_line "lfa running $(state_field lfa pid) 10.204.1.2 box"
	assert_line "lfb stopped null 10.204.1.3 -"
	assert_line "lfd created null 10.204.1.5 -"
	run ctrctl inspect lfa --json
	assert_success
	run jq -r '.state + " " + .net_ip + " " + .hostname' <<<"$output"
	assert_output "running 10.204.1.2/24 box"
	ctrctl rm lfd
	ctrctl rm lfb
	run ctrctl ps -a
	refute_line --partial lfd
	refute_line --partial lfb
}

@test "ctrctl create -p: a server in the container reached at 127.0.0.1:HOSTPORT; the ports in inspect and ps; gone with rm" {
	local i
	run ctrctl create lfp 10.204.1.10/24 --bridge "$CTR_BRIDGE" -p 47311:8080
	assert_success
	ctrctl_run_bg lfp -- python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080))
s.listen(4)
while True:
    c, _ = s.accept()
    c.sendall(b"ctr:" + c.recv(100))
    c.close()'
	wait_running lfp
	for ((i = 0; i < 100; i++)); do
		ip netns exec lfp ss -Hltn "sport = :8080" | grep -q LISTEN && break
		sleep 0.05
	done
	run sh -c 'printf hello | nc -N -w3 127.0.0.1 47311'
	assert_output "ctr:hello"
	run ctrctl inspect lfp
	assert_line "net_ports=47311->8080/tcp"
	assert_line "net_nat=yes"
	run ctrctl ps
	assert_line --regexp '^lfp +running .* 47311->8080/tcp +root$'
	run ctrctl ps --json
	assert_equal "$(jq -r '.[] | select(.name=="lfp") | .ports' <<<"$output")" "47311->8080/tcp"
	assert_equal "$(jq -r '.[] | select(.name=="lfa") | .ports' <<<"$output")" null
	ctrctl rm -f lfp
	run nc -z -w1 127.0.0.1 47311
	assert_failure
}

@test "ctrctl stats --no-stream matches the cgroup files" {
	run ctrctl stats lfa --no-stream
	assert_success
	assert_line --index 0 --regexp '^NAME +CPU % +MEM USAGE / LIMIT'
	assert_line --regexp "^lfa +[0-9.]+% .* $(cat "$(cg_run_dir lfa pids)/pids.current")/"
	run ctr-enter --stats lfa
	assert_output --partial "pids=$(cat "$(cg_run_dir lfa pids)/pids.current")"
	assert_output --partial "mem_limit=max"
	# streaming: a fresh table every second until interrupted
	run timeout -s INT 6 ctrctl stats lfa
	[ "$(grep -o 'NAME ' <<<"$output" | wc -l)" -ge 2 ]
	assert_line --regexp '^lfa +[0-9.]+% '
}

# Figure KEY of container NAME from its own cgroup files: mem (bytes used),
# limit (bytes), pids, cpu_ns.  v1 or v2 by the file the kernel made
# (memory.usage_in_bytes or memory.current, cpuacct.usage or cpu.stat).
cg_figure() { # NAME KEY
	local d
	case $2 in
	mem | limit)
		local -A v1=([mem]=memory.usage_in_bytes [limit]=memory.limit_in_bytes)
		local -A v2=([mem]=memory.current [limit]=memory.max)
		d=$(cg_run_dir "$1" memory)
		if [ -e "$d/memory.usage_in_bytes" ]; then
			cat "$d/${v1[$2]}"
		else
			cat "$d/${v2[$2]}"
		fi
		;;
	pids) cat "$(cg_run_dir "$1" pids)/pids.current" ;;
	cpu_ns)
		d=$(cg_run_dir "$1" cpuacct)
		if [ -e "$d/cpuacct.usage" ]; then
			cat "$d/cpuacct.usage"
		else
			echo $(($(awk '$1 == "usage_usec" { print $2 }' "$d/cpu.stat") * 1000))
		fi
		;;
	*) return 1 ;;
	esac
}

# "21.3MiB" (ctr's human_bytes) -> bytes, to the 0.1 unit it prints.
size_bytes() {
	local -A mul=([B]=1 [KiB]=1024 [MiB]=1048576 [GiB]=1073741824)
	[[ $1 =~ ^([0-9]+)(\.([0-9]))?(B|KiB|MiB|GiB)$ ]] || { echo "not a size: '$1'" >&2; return 1; }
	echo $(((BASH_REMATCH[1] * 10 + ${BASH_REMATCH[3]:-0}) * ${mul[${BASH_REMATCH[4]}]} / 10))
}

now_us() { echo "${EPOCHREALTIME/./}"; }

# The CPU use of NAME's cgroup since CPU_A0/CPU_W0, in tenths of a percent
# of one CPU (as ctr computes it); sets CPU_A0/CPU_W0 when called with start.
cpu_window() { # NAME start|end
	if [ "$2" = start ]; then
		CPU_A0=$(cg_figure "$1" cpu_ns) CPU_W0=$(now_us)
	else
		echo $((($(cg_figure "$1" cpu_ns) - CPU_A0) / ($(now_us) - CPU_W0)))
	fi
}

# Seconds PID has run, from /proc/uptime and its start time in /proc/PID/stat.
proc_uptime() {
	local stat up
	stat=$(<"/proc/$1/stat")
	stat=${stat##*) }
	up=$(</proc/uptime)
	up=${up%% *}
	# field 22 of stat is field 20 after "PID (comm) "; centiseconds
	echo $(((${up/./} - $(awk '{ print $20 }' <<<"$stat") * 100 / $(getconf CLK_TCK)) / 100))
}

# A container with known figures: --memory 64 (MiB), --pids-limit 50,
# --cpus 0.5 with a busy loop (about 50 % of one CPU), a python3 PID 1
# holding 20 MiB, and a sleep: 3 processes.
@test "ctrctl stats --no-stream and ctrctl ps: memory, limit, PIDS, CPU% and UPTIME agree with the cgroup files and /proc" {
	net_create lfm 10.204.1.9/24 >/dev/null
	local prog t0 t1 row used pids own up exp_up
	prog='import time; b = b"x" * (20 << 20); print("holding", flush=True); time.sleep(1000)'
	t0=$(now_us)
	# shellcheck disable=SC2016  # $0 is sh's: the python program
	ctrctl_run_bg lfm --memory 64 --pids-limit 50 --cpus 0.5 -- \
		sh -c 'sleep 1000 & (while :; do :; done) & exec python3 -c "$0"' "$prog"
	wait_running lfm
	t1=$(now_us)
	for _ in $(seq 100); do
		grep -qx holding "$BATS_FILE_TMPDIR/lfm.out" && break
		sleep 0.05
	done
	run cat "$BATS_FILE_TMPDIR/lfm.out"
	assert_output holding
	sleep 2   # a few whole seconds of uptime, a steady CPU share

	cpu_window lfm start
	run ctrctl stats lfm --no-stream
	own=$(cpu_window lfm end) used=$(cg_figure lfm mem) pids=$(cg_figure lfm pids)
	assert_success
	assert_line --index 0 --regexp '^NAME +CPU % +MEM USAGE / LIMIT +MEM % +PIDS$'
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} =~ ^lfm\ +([0-9]+)\.([0-9])%\ +([^ ]+)\ /\ ([^ ]+)\ +([0-9]+)\.([0-9])%\ +([0-9]+)/([0-9]+)$ ]] ||
		fail "stats row: ${lines[1]}"
	local -a f=("${BASH_REMATCH[@]}")
	[ "${f[4]}" = 64.0MiB ] || fail "limit ${f[4]}"
	[ "$(cg_figure lfm limit)" -eq $((64 << 20)) ]
	local mem
	mem=$(size_bytes "${f[3]}")
	((used >= 20 << 20)) || fail "the cgroup holds $used bytes, not python3's 20 MiB"
	((mem - used <= 3 << 20 && used - mem <= 3 << 20)) || fail "MEM $mem, cgroup $used"
	# MEM %: used / limit, to a few points
	local pct=$((f[5] * 10 + f[6])) exp_pct=$((used * 1000 / (64 << 20)))
	((pct - exp_pct <= 50 && exp_pct - pct <= 50)) || fail "MEM % ${f[5]}.${f[6]}, cgroup $exp_pct tenths"
	[ "$pids" -eq 3 ] || fail "pids.current $pids"
	[ "${f[7]}" -eq "$pids" ]
	[ "${f[8]}" -eq 50 ]
	# CPU %: ctr's 0.2 s sample lies inside our window; the loop's share
	# is steady (the quota), so both are about 50 %
	((own >= 250 && own <= 600)) || fail "the busy loop got $own tenths of a percent"
	local cpu=$((f[1] * 10 + f[2]))
	((cpu - own <= 200 && own - cpu <= 200)) || fail "CPU % ${f[1]}.${f[2]}, cgroup $own tenths"

	cpu_window lfm start
	run ctrctl ps --json
	own=$(cpu_window lfm end) used=$(cg_figure lfm mem) pids=$(cg_figure lfm pids)
	exp_up=$(proc_uptime "$(state_field lfm pid)")
	assert_success
	row=$(jq -c '.[] | select(.name == "lfm")' <<<"$output")
	[ -n "$row" ] || fail "no lfm in: $output"
	[ "$(jq .mem_limit <<<"$row")" -eq $((64 << 20)) ]
	mem=$(jq .mem_used <<<"$row")
	((mem - used <= 3 << 20 && used - mem <= 3 << 20)) || fail "mem_used $mem, cgroup $used"
	[ "$(jq .pids <<<"$row")" -eq "$pids" ]
	cpu=$(jq -r '.cpu_percent * 10 | round' <<<"$row")
	((cpu - own <= 200 && own - cpu <= 200)) || fail "cpu_percent $(jq .cpu_percent <<<"$row"), cgroup $own tenths"
	# UPTIME: /proc's figure to the second, and between the time since
	# wait_running saw it run and the time since ctrctl run was called
	up=$(jq .uptime_s <<<"$row")
	((up - exp_up <= 1 && exp_up - up <= 1)) || fail "uptime_s $up, /proc $exp_up"
	((up >= ($(now_us) - t1) / 1000000 - 1)) || fail "uptime_s $up: less than since it ran"
	((up <= ($(now_us) - t0) / 1000000 + 1)) || fail "uptime_s $up: more than since ctrctl run"
	# the table shows the same figures
	run ctrctl ps
	assert_line --regexp "^lfm +running +$(state_field lfm pid) +10\.204\.1\.9 +lfm +[0-9.]+MiB / 64\.0MiB +[0-9]+\.[0-9] +$pids +[0-9]+s +- +- +- +root$"
	run ctrctl rm -f lfm
	assert_success
}

@test "ctrctl stop: a PID 1 that traps SIGTERM ends at once, one that ignores it after -t" {
	net_create lfc 10.204.1.4/24 >/dev/null
	ctrctl_run_bg lfc -- sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done'
	wait_running lfc
	local sup t0
	sup=$(state_field lfc supervisor)
	t0=$(date +%s%N)
	run ctrctl stop lfc
	assert_success
	(($(date +%s%N) - t0 < 5000000000))
	[ ! -e "/proc/$sup" ] || [ "$(awk '{print $3}' "/proc/$sup/stat")" = Z ]
	[ ! -e "$CTR_RUN_DIR/lfc" ]
	run ctrctl ps -a
	assert_line --regexp '^lfc +stopped '

	ctrctl_run_bg lfc -- sleep 1000
	wait_running lfc
	t0=$(date +%s%N)
	run ctrctl stop lfc -t 1
	assert_success
	local dt=$(($(date +%s%N) - t0))
	((dt >= 1000000000 && dt < 8000000000))
	[ ! -e "$CTR_RUN_DIR/lfc" ]
	run ctrctl stop lfc
	assert_failure 1
	assert_output 'ctrctl: lfc: not running'
}

@test "ctrctl rm leaves no netns, veth, layer, state or cgroup; rm -f stops first" {
	net_create lfc 10.204.1.4/24 >/dev/null 2>&1 || true
	ctrctl_run_bg lfc -- sleep 1000
	wait_running lfc
	run ctrctl rm lfc
	assert_failure 1
	assert_output 'ctrctl: lfc: is running: stop it first (ctrctl stop lfc) or use ctrctl rm -f'
	run ctrctl rm -f lfc
	assert_success
	[ ! -e /run/netns/lfc ]
	run ip link show vc-lfc
	assert_failure
	[ ! -e "$CTR_LIB_DIR/lfc" ]
	[ ! -e "$CTR_RUN_DIR/lfc" ]
	[ ! -e "$CTR_RUN_DIR/lfc.lock" ]
	[ ! -e /etc/netns/lfc ]
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -path '*ctrtest-life/lfc' 2>/dev/null)" ]
	run ctrctl inspect lfc
	assert_failure 1
	assert_output 'ctrctl: lfc: no such container'
}

# ITER starts of `ctr-enter lfk OPTS... -- sleep N`, each supervisor killed
# with -9 at a random moment (0-50 ms: before, during and after PID 1's
# set-up); after each, ctrctl ps finds nothing running and its clean-up leaves
# no state, lock, cgroup, mount, --rm layer or process of the run.
kill9_loop() {
	local iter=$1 n=$2 i sup rm=0 o
	shift 2
	for o in "$@"; do
		[ "$o" = --rm ] && rm=1
	done
	for i in $(seq "$iter"); do
		ctr-enter lfk "$@" -- sleep "$n" </dev/null >/dev/null 2>&1 3>&- &
		sup=$!
		sleep "$(printf '0.%03d' $((RANDOM % 51)))"
		kill -9 "$sup"
		wait "$sup" || true
		# ps is truthful (PID 1 dies with its supervisor) and cleans up
		run ctrctl ps
		refute_line --partial lfk
		[ ! -e "$CTR_RUN_DIR/lfk" ] || { echo "iteration $i: state left" >&2; false; }
		[ ! -e "$CTR_RUN_DIR/lfk.lock" ] || { echo "iteration $i: lock left" >&2; false; }
		# the provisioned cgroup stays (netns-setup create made it), empty,
		# without a per-run child
		[ -z "$(find /sys/fs/cgroup -maxdepth 4 -path '*ctrtest-life/lfk/run' 2>/dev/null)" ] ||
			{ echo "iteration $i: per-run cgroup left" >&2; false; }
		[ -z "$(cat "$(cg_dir lfk pids)/cgroup.procs")" ] ||
			{ echo "iteration $i: processes left in the cgroup" >&2; false; }
		run grep -q "$CTR_RUN_DIR/lfk" /proc/self/mountinfo
		assert_failure
		if ((rm)); then
			[ ! -e "$CTR_LIB_DIR/lfk" ] || { echo "iteration $i: --rm layer left" >&2; false; }
		fi
		for _ in $(seq 40); do
			pgrep -xf "sleep $n" >/dev/null || break
			sleep 0.05
		done
		if pgrep -xf "sleep $n" >/dev/null; then
			kill -9 $(pgrep -xf "sleep $n")
			echo "iteration $i: sleep $n outlived its supervisor ($*)" >&2
			false
		fi
	done
}

@test "kill -9 of the supervisor at random moments of 50 starts leaves nothing the next command does not clean" {
	netns-setup destroy lfk -f >/dev/null 2>&1 || true   # an earlier test's, had it failed
	net_create lfk 10.204.1.6/24 >/dev/null
	kill9_loop 50 1021
	# and it still starts normally
	run ctrctl run lfk --rm -- echo alive
	assert_success
	assert_output alive
	run ctrctl rm lfk
	assert_success
	[ ! -e /run/netns/lfk ]
}

@test "kill -9 at random moments of 20 --rm starts: the layer goes too" {
	netns-setup destroy lfk -f >/dev/null 2>&1 || true   # an earlier test's, had it failed
	net_create lfk 10.204.1.6/24 >/dev/null
	rm -rf "${CTR_LIB_DIR:?}/lfk"
	kill9_loop 20 1022 --rm
	run ctr-enter --cleanup lfk
	assert_success
	[ ! -e "$CTR_LIB_DIR/lfk" ]
	run ctrctl rm lfk
	assert_success
}

@test "kill -9 at random moments of 20 starts with -u (and --init -u): PID 1 dies too" {
	netns-setup destroy lfk -f >/dev/null 2>&1 || true   # an earlier test's, had it failed
	net_create lfk 10.204.1.6/24 >/dev/null
	kill9_loop 10 1023 -u 65534
	kill9_loop 10 1024 --init -u 65534:65534
	run ctrctl rm lfk
	assert_success
}

@test "racing starts of one NAME: exactly one container, the others join or fail cleanly" {
	net_create lfr 10.204.1.7/24 >/dev/null
	local round i p n max seen self host_mnt
	local -a starters
	self=$(readlink /proc/self/ns/pid)
	host_mnt=$(readlink /proc/self/ns/mnt)
	for round in $(seq 5); do
		starters=()
		for i in 1 2 3 4; do
			ctr-enter lfr -- sh -c "echo ran-$i; hostname; readlink /proc/self/ns/mnt; sleep 1" \
				</dev/null >"$BATS_TEST_TMPDIR/r$i" 2>&1 3>&- &
			starters+=($!)
		done
		# while they run, every process in netns lfr sits in one PID
		# namespace (the supervisors are in the netns too, in ours)
		max=0 seen=0
		while kill -0 "${starters[@]}" 2>/dev/null || [ "$seen" -lt 3 ]; do
			n=$(for p in /proc/[0-9]*; do
				[ "$p/ns/net" -ef /run/netns/lfr ] 2>/dev/null && readlink "$p/ns/pid"
			done | grep -vxF "$self" | sort -u | wc -l)
			((n > max)) && max=$n
			seen=$((seen + 1))
			kill -0 "${starters[@]}" 2>/dev/null || break
		done
		for p in "${starters[@]}"; do
			wait "$p" || true
		done
		[ "$max" -eq 1 ] || { echo "round $round: $max PID namespaces at once" >&2; false; }
		# a starter or joiner that ran is in the container (its hostname,
		# not the host's mount namespace), never in a half-built one
		for i in 1 2 3 4; do
			if grep -qx "ran-$i" "$BATS_TEST_TMPDIR/r$i"; then
				run cat "$BATS_TEST_TMPDIR/r$i"
				assert_line --index 1 lfr
				assert_line --index 2 --regexp '^mnt:'
				refute_line "$host_mnt"
			else
				grep -q '^ctr-enter: lfr: ' "$BATS_TEST_TMPDIR/r$i" ||
					{ cat "$BATS_TEST_TMPDIR/r$i" >&2; false; }
			fi
		done
	done
	ctrctl rm lfr
}

# The state is written once PID 1 has exec'd: a joiner that comes while
# PID 1 still sets up waits, and never runs in the host's mount, UTS or IPC
# namespaces.  CTR_TEST_SETUP_DELAY_MS (a test hook, docs/testing.md) holds
# PID 1 before its set-up.
@test "join: no joiner enters a container whose PID 1 is still setting up" {
	net_create lfs 10.204.1.8/24 >/dev/null
	local host_mnt sup i
	local -a joiners=()
	host_mnt=$(readlink /proc/self/ns/mnt)
	touch "$BATS_TEST_TMPDIR/on-the-host"
	require_hooks_build
	CTR_TEST_SETUP_DELAY_MS=1500 "$CTR_HOOKS_BIN/ctr-enter" lfs --hostname slow -- sleep 1003 \
		</dev/null >"$BATS_TEST_TMPDIR/start" 2>&1 3>&- &
	sup=$!
	# the start holds the lock (its state dir is made after it)
	for _ in $(seq 100); do
		[ -d "$CTR_RUN_DIR/lfs/rootfs" ] && break
		sleep 0.01
	done
	for i in 1 2 3; do
		ctr-enter lfs -- sh -c "hostname; readlink /proc/self/ns/mnt; test -e $BATS_TEST_TMPDIR/on-the-host && echo host-files; true" \
			</dev/null >"$BATS_TEST_TMPDIR/j$i" 2>&1 3>&- &
		joiners+=($!)
		sleep 0.2
	done
	for i in "${joiners[@]}"; do
		wait "$i" || true
	done
	kill -9 "$sup"
	wait "$sup" || true
	for i in 1 2 3; do
		run cat "$BATS_TEST_TMPDIR/j$i"
		assert_line --index 0 slow
		assert_line --index 1 --regexp '^mnt:'
		refute_line "$host_mnt"
		refute_line host-files
	done
	run ctrctl rm lfs
	assert_success
}

@test "bad input: one line each, the documented exit code" {
	run ctrctl exec lfnone true
	assert_failure 1
	assert_output 'ctrctl: lfnone: no such container'
	run ctr-enter --join lfnone true
	assert_failure 125
	assert_output 'ctr-enter: lfnone: container is not running'
	# a stopped container: it ran once, its layer is kept
	net_create lfb 10.204.1.3/24 >/dev/null 2>&1 || true
	run ctrctl run lfb true
	assert_success
	run ctrctl ps -a
	assert_line --regexp '^lfb +stopped '
	run ctrctl exec lfb true
	assert_failure 1
	assert_output 'ctrctl: lfb: not running (start it with `ctrctl run lfb`)'
	run ctr-enter --join lfb true
	assert_failure 125
	assert_output 'ctr-enter: lfb: container is not running'
	for cmd in stop rm inspect stats; do
		run ctrctl "$cmd" lfnone
		assert_failure 1
		assert_output 'ctrctl: lfnone: no such container'
	done
	run ctrctl run lfnone true
	assert_failure 1
	assert_output 'ctrctl: lfnone: no network namespace /run/netns/lfnone: create it first with `ctrctl create lfnone IP`'
	run ctrctl rm lfa
	assert_failure 1
	assert_output 'ctrctl: lfa: is running: stop it first (ctrctl stop lfa) or use ctrctl rm -f'
	run ctrctl frobnicate
	assert_failure 2
	run ctrctl stop
	assert_failure 2
	run ctrctl stop lfa -t soon
	assert_failure 2
	run ctrctl ps --bogus
	assert_failure 2
	run ctrctl exec ../x true
	assert_failure 2
}
