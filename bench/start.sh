#!/usr/bin/env bash
# Start-to-exit of /bin/true in a container: ctr-enter beside bubblewrap,
# unshare+chroot, crun and runc, in ONE hyperfine run.  Prints markdown.
#
# Every runtime gets new mount, PID, UTS, IPC and network namespaces, a fresh
# /proc and a /dev.  ctr-enter joins a netns made by netns-setup and mounts its
# overlay; crun and runc run an OCI bundle of the same rootfs.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

WORK=""
NET=ctb-start

cleanup_start_bench() {
	netns-setup destroy "$NET" -f >/dev/null 2>&1 || true
	[ -n "$WORK" ] && rm -rf --one-file-system "$WORK"
}

make_oci_bundle() {
	local dir=$1
	mkdir -p "$dir"
	(cd "$dir" && crun spec)
	jq --arg root "$BENCH_ROOTFS" \
		'.process.terminal=false | .process.args=["/bin/true"] | .root.path=$root | .root.readonly=true' \
		"$dir/config.json" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
}

# Debian's crun 1.8 refuses a hybrid host whose unified hierarchy lists any
# controller; inside a private mount namespace we hide that file for every
# runtime alike, so the comparison stays fair.
run_hyperfine() {
	local json=$1
	unshare -m --propagation private bash -c '
		set -e
		if grep -qs . /sys/fs/cgroup/unified/cgroup.controllers; then
			mount -t tmpfs -o size=4k ctr-bench /sys/fs/cgroup/unified
		fi
		exec "$@"' _ hyperfine -N --warmup 5 --runs "$BENCH_RUNS" --export-json "$json" \
		-n "ctr-enter" "ctr-enter $NET --rm -- /bin/true" \
		-n "bwrap" "bwrap --bind $BENCH_ROOTFS / --proc /proc --dev /dev --unshare-pid --unshare-uts --unshare-ipc --unshare-net /bin/true" \
		-n "unshare+chroot" "unshare -m -u -i -n -p --fork --mount-proc=$BENCH_ROOTFS/proc chroot $BENCH_ROOTFS /bin/true" \
		-n "crun" "crun run --bundle $WORK/oci ctr-bench-crun" \
		-n "runc" "runc run --bundle $WORK/oci ctr-bench-runc" \
		-n "exec (static)" "/bin/busybox true" >&2
}

main() {
	bench_require_root
	trap cleanup_start_bench EXIT
	WORK=$(mktemp -d /var/tmp/ctr-bench.XXXXXX)
	export CTR_RUN_DIR="$WORK/run" CTR_LIB_DIR="$WORK/lib" CTR_CGROUP_PARENT=ctrbench CTR_ROOTFS="$BENCH_ROOTFS"
	netns-setup create "$NET" 10.206.0.2/24 --bridge ctb-start >/dev/null
	make_oci_bundle "$WORK/oci"
	run_hyperfine "$WORK/start.json"
	echo "### Start-to-exit of /bin/true ($BENCH_RUNS runs each, hyperfine -N)"
	echo
	bench_table "$WORK/start.json" 1
	echo
	hyperfine -N --warmup 5 --runs "$BENCH_RUNS" --export-json "$WORK/hardening.json" \
		-n "ctr-enter (default hardening)" "ctr-enter $NET --rm -- /bin/true" \
		-n "ctr-enter --cap-add SYS_TIME (filter compiled at start)" "ctr-enter $NET --rm --cap-add SYS_TIME -- /bin/true" \
		-n "ctr-enter --seccomp=unconfined" "ctr-enter $NET --rm --seccomp=unconfined -- /bin/true" \
		-n "ctr-enter --privileged" "ctr-enter $NET --rm --privileged -- /bin/true" >&2
	echo "### The cost of the hardening (seccomp filter, capabilities, masks)"
	echo
	echo "The default filter is compiled at build time; another capability set makes"
	echo "ctr-enter compile its filter with libseccomp at start (second row)."
	echo
	bench_table "$WORK/hardening.json" 2
}

main "$@"
