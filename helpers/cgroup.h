/* SPDX-License-Identifier: MIT */
/*
 * cgroup.h: one cgroup per container, v1 (split or combined controllers),
 * hybrid or v2, detected from /proc/self/mountinfo at run time.
 */
#ifndef CTR_CGROUP_H
#define CTR_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

struct ctr_cgroup;   /* opaque: paths/fds of the container's cgroup(s) */

/* Create CTR_CGROUP_PARENT/NAME in every needed hierarchy and write the
 * limits.  Also removes stale, empty cgroups of dead containers under the
 * parent first.  On failure nothing is left behind. */
int cgroup_create(const struct ctr_config *cfg, struct ctr_cgroup **out);
/* Move pid into the container's cgroup(s).  Called by the supervisor for
 * PID 1 before the child is released, and for joining processes. */
int cgroup_attach(struct ctr_cgroup *cg, pid_t pid);
/* Open an existing container's cgroup (for joining); -ENOENT when absent. */
int cgroup_open(const struct ctr_config *cfg, const char *name, struct ctr_cgroup **out);
/* True when the OOM killer killed a task of this cgroup. */
bool cgroup_oom_killed(struct ctr_cgroup *cg);
/* Kill what is left, remove the cgroup(s) (EBUSY retried), free cg. */
int cgroup_destroy(struct ctr_cgroup *cg);
/* Free without removing (the joining side). */
void cgroup_free(struct ctr_cgroup *cg);

struct ctr_stats {
	int64_t mem_current, mem_peak, mem_limit;   /* bytes, -1 unknown/unlimited */
	int64_t cpu_usage_ns;
	int64_t pids_current, pids_limit;           /* -1 unknown/unlimited */
};
int cgroup_read_stats(struct ctr_cgroup *cg, struct ctr_stats *st);
/* `ctr-enter --stats NAME [--json]`: print one line; 0 / -errno. */
int cgroup_print_stats(const struct ctr_config *cfg, const char *name, bool json);

#endif
