/* SPDX-License-Identifier: MIT */
/*
 * filter-dump.c: print ctr's default seccomp filter as libseccomp's
 * pseudo-C (seccomp_export_pfc), for 50-security.bats to check what a
 * live probe cannot on a kernel without 32-bit support: that the x86
 * and x32 sections carry the same rules as the native one.
 * Built by the suite with helpers/{caps,seccomp,util}.c.
 */
#include "security-int.h"
#include "util.h"

int main(void)
{
	if (secfilter_export(caps_default(), 1) < 0) {
		ctr_report(NULL);
		return 1;
	}
	return 0;
}
