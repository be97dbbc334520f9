# Runs once before all suites: builds the shared debootstrap rootfs (cached).
# shellcheck shell=bash

setup_suite() {
	local src
	src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
	export CTR_TEST_ROOTFS="${CTR_TEST_ROOTFS:-/var/cache/ctr-test/rootfs}"
	if [ -x "$src/rootfs-builder" ] && [ "${CTR_TEST_SKIP_ROOTFS:-0}" != 1 ]; then
		"$src/rootfs-builder" "$CTR_TEST_ROOTFS" >&3 2>&1
	fi
}
