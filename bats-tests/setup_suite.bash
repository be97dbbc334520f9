# Runs once before all suites: builds the shared debootstrap rootfs (cached).
# shellcheck shell=bash

setup_suite() {
	local src
	src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
	export CTR_TEST_ROOTFS="${CTR_TEST_ROOTFS:-/var/cache/ctr-test/rootfs}"
	if [ -x "$src/rootfs-builder" ] && [ "${CTR_TEST_SKIP_ROOTFS:-0}" != 1 ]; then
		local out
		out=$("$src/rootfs-builder" "$CTR_TEST_ROOTFS" 2>&1)
		printf '%s\n' "$out" >&3
		# The suites' own cache, built with older defaults: rebuild it
		# (rootfs-builder keeps a user's stale rootfs; this one is ours).
		if grep -q 'built with older default packages' <<<"$out"; then
			"$src/rootfs-builder" --force "$CTR_TEST_ROOTFS" >&3 2>&1
		fi
	fi
}
