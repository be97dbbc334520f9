/* SPDX-License-Identifier: MIT */
/*
 * cgroup.h: one cgroup per container, v1 (split or combined controllers),
 * hybrid or v2, detected from /proc/self/mountinfo at run time.
 *
 * Where: CTR_CGROUP_PARENT/NAME (cfg->cgroup_parent, default "ctr") under
 * the root of every v1 hierarchy ctr uses (memory, cpu, cpuacct, pids, and
 * devices and freezer when mounted; a hierarchy serving several of them,
 * like cpu,cpuacct, gets one directory), or under the v2 root, where the
 * controllers are enabled in the root's and the parent's subtree_control
 * and no process is ever put into the parent.  Nothing outside
 * CTR_CGROUP_PARENT is written except, on v2, the root's subtree_control.
 *
 * Life cycle, as the supervisor uses it:
 *   cgroup_create()          before fork (limits written, devices denied)
 *   cgroup_attach(pid1)      before the child is released (the child then
 *                            unshares its cgroup namespace)
 *   ... PID 1 exits ...
 *   cgroup_oom_killed()      before the cgroup goes (check it when PID 1
 *                            died of SIGKILL: exit 137 with the message)
 *   cgroup_destroy()         kills what is left, removes the cgroup(s) and
 *                            the parent when it is empty
 * The creating process holds a flock on its cgroup directories; a later
 * cgroup_create() removes the empty, unlocked cgroups of containers whose
 * supervisor died (kill -9), and never touches a non-empty one.
 */
#ifndef CTR_CGROUP_H
#define CTR_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
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
/* v2: an fd of the cgroup a new process should be born in (clone3's
 * CLONE_INTO_CGROUP: no move, so none of the global lock a cgroup.procs
 * write takes); -1 on v1.  cgroup_born_inside: the process was born
 * there (cgroup_attach is not needed). */
int cgroup_clone_fd(const struct ctr_cgroup *cg);
/* /sys/fs/cgroup is cgroup2 (statfs: a cheap guess of the layout, made
 * before the cgroup is; a wrong guess costs time, never correctness). */
bool cgroup_unified_host(void);
void cgroup_born_inside(struct ctr_cgroup *cg);
bool cgroup_is_born_inside(const struct ctr_cgroup *cg);
/* v1: the `tasks` file of the container's cgroup in each hierarchy, opened
 * for writing, into fds (at most max); returns how many, 0 on v2 (then
 * cgroup_attach).  PID 1 writes "0" into each itself: a thread that moves
 * itself skips the global lock a cgroup.procs write takes (Linux >= 6.1),
 * whose RCU grace period costs 5-15 ms on a host that is otherwise idle. */
int cgroup_open_tasks(struct ctr_cgroup *cg, int *fds, size_t max);
/* Open an existing container's cgroup (for joining); -ENOENT when absent. */
int cgroup_open(const struct ctr_config *cfg, const char *name, struct ctr_cgroup **out);
/* True when the OOM killer killed a task of this cgroup. */
bool cgroup_oom_killed(struct ctr_cgroup *cg);
/* Kill what is left, remove the cgroup(s) (EBUSY retried), free cg. */
int cgroup_destroy(struct ctr_cgroup *cg);
/* Free without removing (the joining side). */
void cgroup_free(struct ctr_cgroup *cg);
/* An opened cgroup whose creator is gone (its locks are free): make
 * cgroup_destroy() kill what is left and remove it; -EBUSY when a live
 * supervisor still holds it. */
int cgroup_claim(struct ctr_cgroup *cg);

/* `ctr-enter --provision NAME [limits]` (netns-setup create runs it):
 * make the container's cgroup in every hierarchy, write the limits as its
 * ceiling and record them in CTR_RUN_DIR/NAME.cgroup.  A start then joins
 * it (cgroup_create; tighter per-run limits go into a child "run" below
 * it, refused above the ceiling) and its end empties it but keeps it.
 * --unprovision (netns-setup destroy) removes record and cgroup (a run
 * still going removes the cgroup at its end); 0 when there is none. */
int cgroup_provision(const struct ctr_config *cfg);
int cgroup_unprovision(const struct ctr_config *cfg);

/* The session hook (ctr-session, run as root by pam_exec at a login of
 * USER): move pid into UPARENT/USER/session in every hierarchy, so that
 * her login is under her per-user ceiling; 0 and nothing done when she
 * has no ceiling (no container of hers) or is root.  pidfd is pid's
 * (pidfd_open): pid is moved only while pidfd shows it alive, never pid 1,
 * and only a process whose real uid is hers or root's, or that runs as
 * root (a set-user-ID PAM application: su, sudo); else -EPERM, nothing
 * moved (or, when it ended during the move, -ESRCH). */
int cgroup_session_join(const char *uparent, const char *user, pid_t pid, int pidfd);

/* "50 MiB" (or "no limit") for `killed by the OOM killer (memory limit 50 MiB)`;
 * returns 0, or -ENOENT when no --memory was given (buf says "no limit"). */
int cgroup_describe_memory_limit(const struct ctr_config *cfg, char *buf, size_t size);

#define CTR_STAT_UNKNOWN   ((int64_t)-1)         /* the file is missing */
#define CTR_STAT_UNLIMITED INT64_MAX             /* no limit ("max") */
struct ctr_stats {
	bool v2;
	int64_t mem_current, mem_peak, mem_limit;   /* bytes */
	int64_t cpu_usage_ns;
	int64_t pids_current, pids_limit;
};
/* `ctr-enter --stats NAME [--json]`: print one line to stdout:
 *   name=c1 mem_current=B mem_peak=B mem_limit=B|max cpu_ns=N pids=N pids_limit=N|max cgroup=v1|v2
 * (sizes in bytes; "unknown" when the kernel lacks the file), or with json
 *   {"name":"c1","mem_current":B,...,"cgroup":"v1"} (null for max/unknown).
 * mem_* from memory.usage_in_bytes/max_usage_in_bytes/limit_in_bytes (v1) or
 * memory.current/peak/max (v2); cpu_ns from cpuacct.usage (v1) or cpu.stat
 * usage_usec * 1000 (v2); pids from pids.current/pids.max.
 * -ENOENT (recorded) when NAME has no cgroup (not running). */
int cgroup_print_stats(const struct ctr_config *cfg, const char *name, bool json);
/* The same figures of an opened cgroup into st (CTR_STAT_UNKNOWN where
 * the kernel lacks the file); ctr-top reads them once per refresh. */
int cgroup_read_stats(struct ctr_cgroup *cg, struct ctr_stats *st);

#endif
