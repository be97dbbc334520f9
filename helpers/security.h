/* SPDX-License-Identifier: MIT */
/*
 * security.h: capabilities, no_new_privs, seccomp, masked /proc, rlimits.
 * Order inside the child (after pivot_root, before exec):
 *   security_mask_paths()    while CAP_SYS_ADMIN is still held
 *   security_set_rlimits()
 *   ... setgid/setuid ...
 *   security_apply()         caps, no_new_privs, seccomp (last: the filter
 *                            must not block the calls made to install it)
 */
#ifndef CTR_SECURITY_H
#define CTR_SECURITY_H

#include "config.h"

int security_mask_paths(const struct ctr_config *cfg);
int security_set_rlimits(const struct ctr_config *cfg);
int security_apply(const struct ctr_config *cfg);
/* Parse a capability name ("NET_ADMIN", "CAP_NET_ADMIN", "ALL"); -1 bad, 64 for ALL. */
int security_cap_from_name(const char *name);

#endif
