/* SPDX-License-Identifier: MIT */
/*
 * join.h: `ctr-enter NAME [COMMAND]` while NAME runs: COMMAND runs inside
 * the container like `docker exec` (all of its namespaces, its cgroup, its
 * rlimits, user, capabilities, no_new_privs and seccomp filter), with the
 * supervisor's signal forwarding, pty relay and exit codes.
 */
#ifndef CTR_JOIN_H
#define CTR_JOIN_H

#include <stdbool.h>

#include "config.h"

/* No join: NAME is not running and the caller holds its lock to start it. */
#define JOIN_START (-1)

/*
 * The first step of ctr-enter after the root check.  When NAME runs (or
 * finishes starting within LIFECYCLE_WAIT_MS), runs COMMAND in it and
 * returns the exit status; options that would change the running container
 * are refused (125).  --join: fails (125) when NAME is not running.
 * --cleanup: removes what a dead NAME left; 0 not running, 1 running.
 * Otherwise returns JOIN_START with the lock on *lockfd (stale leftovers
 * removed): the caller starts the container.
 */
int join_or_lock(struct ctr_config *cfg, int *lockfd);

/* Options a joining command may give (-e, -w, -u and the mode options);
 * LONG is the option's long name without dashes. */
bool join_option_allowed(const char *lng);

#endif
