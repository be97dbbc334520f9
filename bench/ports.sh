#!/usr/bin/env bash
# Benchmark: a published port (netns-setup create -p, DNAT on the host)
# against a direct connection to the container's address.  On loopback and
# the bridge only: a client on the host, a small HTTP server in the
# container's netns.  Prints a markdown section (bench/run.sh).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

NET=ctb-port
BRIDGE=ctb-ports
IP=10.205.250.2
HOSTPORT=47400
PORT=8080
ROUNDS=${BENCH_PORT_ROUNDS:-5}
REQUESTS=${BENCH_PORT_REQUESTS:-2000}
BULK_MIB=${BENCH_PORT_BULK_MIB:-256}

cleanup_ports_bench() {
	[ -z "${SERVER:-}" ] || { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
	netns-setup destroy "$NET" -f --wait >/dev/null 2>&1 || true
	rm -rf "${WORK:-/nonexistent}"
}

# The server, in the netns: per connection, a request (until the blank
# line) answered with a small HTTP response, or "BULK" then everything read
# is discarded and its size sent back.
server_py='
import socket, sys, threading
resp = b"HTTP/1.0 200 OK\r\nContent-Length: 13\r\nConnection: close\r\n\r\nhello, world\n"
def serve(c):
    head = b""
    while b"\r\n\r\n" not in head and not head.startswith(b"BULK"):
        b = c.recv(4096)
        if not b:
            break
        head += b
    if head.startswith(b"BULK"):
        n = len(head) - 4
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            n += len(b)
        c.sendall(str(n).encode())
    else:
        c.sendall(resp)
    c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(128)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'

# The client, on the host: a warm-up round, then ROUNDS rounds, each
# REQUESTS requests (one connection each) and a BULK_MIB transfer to both
# targets, which goes first alternating from round to round;
# prints "what target value" lines (median microseconds per request, median
# MiB/s).
client_py='
import socket, statistics, sys, time
targets = {"direct": (sys.argv[2], int(sys.argv[3])), "published": ("127.0.0.1", int(sys.argv[1]))}
rounds, requests, bulk = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]) << 20
req = b"GET / HTTP/1.0\r\nHost: bench\r\n\r\n"
lat = {k: [] for k in targets}
tput = {k: [] for k in targets}
chunk = b"x" * (1 << 20)
order = list(targets)
for r in range(rounds + 1):
    # every other round the other one first; round 0 only warms up
    for name in (order if r % 2 else order[::-1]):
        addr = targets[name]
        t = time.perf_counter()
        for _ in range(requests):
            c = socket.create_connection(addr)
            c.sendall(req)
            got = b""
            while True:
                b = c.recv(4096)
                if not b:
                    break
                got += b
            c.close()
            assert got.endswith(b"hello, world\n"), got
        if r:
            lat[name].append((time.perf_counter() - t) / requests * 1e6)
        t = time.perf_counter()
        c = socket.create_connection(addr)
        c.sendall(b"BULK")
        for _ in range(bulk >> 20):
            c.sendall(chunk)
        c.shutdown(socket.SHUT_WR)
        assert int(c.recv(100)) == bulk, "short transfer"
        c.close()
        if r:
            tput[name].append((bulk >> 20) / (time.perf_counter() - t))
for name in targets:
    print("latency", name, round(statistics.median(lat[name]), 1))
    print("throughput", name, round(statistics.median(tput[name])))
'

main() {
	bench_require_root
	WORK=$(mktemp -d /var/tmp/ctr-bench-ports.XXXXXX)
	export CTR_NET_STATE_DIR=$WORK/state CTR_RUN_DIR=$WORK/run CTR_CGROUP_PARENT=ctrbench-ports
	trap cleanup_ports_bench EXIT
	netns-setup create "$NET" "$IP/24" --bridge "$BRIDGE" -p "$HOSTPORT:$PORT" >/dev/null
	ip netns exec "$NET" python3 -c "$server_py" "$PORT" &
	SERVER=$!
	local i
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$NET" ss -Hltn "sport = :$PORT" | grep -q LISTEN && break
		sleep 0.05
	done
	python3 -c "$client_py" "$HOSTPORT" "$IP" "$PORT" "$ROUNDS" "$REQUESTS" "$BULK_MIB" >"$WORK/out"
	local lp ld tp td
	lp=$(awk '$1 == "latency" && $2 == "published" {print $3}' "$WORK/out")
	ld=$(awk '$1 == "latency" && $2 == "direct" {print $3}' "$WORK/out")
	tp=$(awk '$1 == "throughput" && $2 == "published" {print $3}' "$WORK/out")
	td=$(awk '$1 == "throughput" && $2 == "direct" {print $3}' "$WORK/out")
	echo "### A published port against the container's address ($ROUNDS rounds, medians)"
	echo
	echo "A client on the host; in the container's netns a small HTTP server (Python,"
	echo "one thread per connection). Requests: $REQUESTS, one TCP connection each;"
	echo "bulk: $BULK_MIB MiB over one connection. Published: 127.0.0.1:$HOSTPORT"
	echo "(DNAT in output, route_localnet, masquerade to the gateway); direct: $IP:$PORT."
	echo
	echo "| what | published | direct | ratio published / direct |"
	echo "|---|---:|---:|---:|"
	awk -v p="$lp" -v d="$ld" 'BEGIN{printf "| request (connect, GET, answer, close), us | %.1f | %.1f | %.2fx |\n", p, d, p/d}'
	awk -v p="$tp" -v d="$td" 'BEGIN{printf "| bulk transfer, MiB/s | %d | %d | %.2fx |\n", p, d, p/d}'
}

main "$@"
