/* SPDX-License-Identifier: MIT */
/*
 * filter-dump.c: print ctr's default seccomp filter as libseccomp's
 * pseudo-C (seccomp_export_pfc), for 50-security.bats to check what a
 * live probe cannot on a kernel without 32-bit support: that the x86
 * and x32 sections carry the same rules as the native one, and what the
 * running kernel cannot show: the filter ctr-enter builds on an older one.
 *
 *     filter-dump [RELEASE [CAPS]]
 *
 * RELEASE: a `uname -r` (default: this kernel's); CAPS: the container's
 * capability mask in hex (default: docker's 14).
 *
 * Built by the suite with helpers/enter/{caps,seccomp}.c and helpers/common/util.c.
 */
#include <stdlib.h>

#include "security-int.h"
#include "util.h"

int main(int argc, char **argv)
{
	uint64_t caps = argc > 2 ? strtoull(argv[2], NULL, 16) : caps_default();

	if (secfilter_export(caps, argc > 1 ? argv[1] : NULL, 1) < 0) {
		ctr_report(NULL);
		return 1;
	}
	return 0;
}
