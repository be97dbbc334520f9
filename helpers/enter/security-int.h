/* SPDX-License-Identifier: MIT */
/*
 * security-int.h: how the security module's files talk to each other.
 * Only caps.c, seccomp.c, masks.c and security.c include it (and the
 * unit test of the capability names).
 */
#ifndef CTR_SECURITY_INT_H
#define CTR_SECURITY_INT_H

#include <stdbool.h>
#include <stdint.h>

/* Parse a capability name ("NET_ADMIN", "CAP_NET_ADMIN", "ALL"); -1 bad, 64 for ALL. */
int caps_from_name(const char *name);
/* "CAP_NET_ADMIN" for 12; NULL when unknown. */
const char *caps_name(int cap);
/* Docker's default capability set. */
uint64_t caps_default(void);
/* Highest capability the running kernel knows (cap_last_cap). */
int caps_last(void);
/* Trim bounding, ambient, inheritable, permitted and effective sets to
 * keep (root) or to nothing (non-root uid: bounding keeps keep). */
int caps_apply(uint64_t keep);
/* Permitted and effective sets cut down to KEEP (inheritable emptied);
 * the bounding set is caps_apply's. */
int caps_narrow(uint64_t keep);

/* Build the default deny-list filter for a container holding caps and
 * load it into the calling thread.  no_new_privs must be set. */
int secfilter_load(uint64_t caps);
/* Write the same filter (without the personality part) as libseccomp's
 * pseudo-C to fd, as it is built on a kernel of that release (NULL: the
 * running one): for debugging, the docs and the tests. */
int secfilter_export(uint64_t caps, const char *release, int fd);
/* The filter for a kernel >= 4.8 as raw BPF (struct sock_filter[]) to fd:
 * for the build's precompiled default (helpers/enter/gen/seccomp-gen.c) and its
 * test. */
int secfilter_export_bpf(uint64_t caps, int fd);

/* Masked and read-only /proc and /sys paths, nodev outside /dev. */
int masks_apply(void);

#endif
