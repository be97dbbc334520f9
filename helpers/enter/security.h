/* SPDX-License-Identifier: MIT */
/*
 * security.h: capabilities, no_new_privs, seccomp, masked /proc, rlimits.
 * Order inside the child (after pivot_root, before exec):
 *   security_mask_paths()    while CAP_SYS_ADMIN is still held
 *   security_set_rlimits()   the last step before setuid: also arms
 *                            PR_SET_KEEPCAPS so that security_apply() can
 *                            still trim the bounding set after a switch to
 *                            a non-root uid
 *   ... setgid/setuid ...
 *   security_apply()         caps, no_new_privs, seccomp (last: the filter
 *                            must not block the calls made to install it)
 * A process joining a running container calls security_set_rlimits(),
 * setgid/setuid and security_apply() with the container's config in the
 * same order; security_apply() needs nothing but the config.
 *
 * Defaults (docker's): 14 capabilities (CTR_DEFAULT_CAPS), no_new_privs,
 * a deny-list seccomp filter (EPERM; clone3 ENOSYS), masked and read-only
 * /proc paths, read-only /sys, nodev on every mount outside /dev, nofile
 * 1024:524288.  --privileged keeps every capability and skips
 * no_new_privs, seccomp and the masks; rlimits still apply.
 */
#ifndef CTR_SECURITY_H
#define CTR_SECURITY_H

#include <stdint.h>

#include "config.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

/* Fill the security part of cfg with the defaults (all zero today). */
void security_init(struct ctr_config *cfg);

/*
 * The one entry point for the option parser.  opt is the long option with
 * or without its dashes: --cap-add LIST, --cap-drop LIST, --privileged
 * (val NULL), --seccomp unconfined|default, --security-opt seccomp=...,
 * --ulimit NAME=SOFT[:HARD].  Returns 0, a negative errno with the reason
 * recorded (ctr_failx), or -ENOENT (nothing recorded) when opt is not a
 * security option.
 */
int security_parse_option(struct ctr_config *cfg, const char *opt, const char *val);

int security_mask_paths(const struct ctr_config *cfg);
int security_set_rlimits(const struct ctr_config *cfg);
int security_apply(const struct ctr_config *cfg);
/* A joining process, once in the container's namespaces: keep only the
 * container's capabilities and what switch_user and security_apply still
 * need (SETUID, SETGID, SETPCAP). */
int security_narrow_caps(const struct ctr_config *cfg);

#endif
