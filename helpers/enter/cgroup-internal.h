/* SPDX-License-Identifier: MIT */
/*
 * cgroup-internal.h: shared between cgroup.c (layout, life cycle) and
 * cgroup-v1.c / cgroup-v2.c (what each version writes and reads).
 */
#ifndef CTR_CGROUP_INTERNAL_H
#define CTR_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "cgroup.h"

/* The controllers ctr uses.  On v2, CG_CPUACCT stands for cpu.stat's
 * usage (always there) and devices/freezer are not used. */
enum cg_ctrl { CG_MEMORY, CG_CPU, CG_CPUACCT, CG_PIDS, CG_DEVICES, CG_FREEZER, CG_NCTRL };
#define CG_BIT(c) (1u << (c))

/* One hierarchy (v1: one mount of one or more controllers; v2: the one). */
struct cg_hier {
	char *mount;      /* where the hierarchy is mounted */
	unsigned ctrls;   /* CG_BIT()s it serves */
	char *path;       /* mount/PARENT/NAME (/run: a provisioned cgroup's per-run child) */
	int fd;           /* that directory (O_DIRECTORY); flock'ed while its creator lives */
	int top;          /* a provisioned cgroup's own directory when fd is its
			   * per-run child "run"; else -1 */
};

struct ctr_cgroup {
	bool v2;
	bool owner;                 /* created here: cgroup_destroy removes it */
	bool provisioned;           /* made by --provision (its marker child
				     * .provisioned says so): a run joins it, and
				     * its end empties it but keeps it */
	char *record;               /* CTR_RUN_DIR/NAME.cgroup: the ceiling */
	int dev_link;               /* v2: the device filter's bpf link (provisioned) */
	bool born_inside;           /* v2: PID 1 cloned into it (CLONE_INTO_CGROUP) */
	unsigned needed;            /* CG_BIT()s the limits need */
	int64_t oom_base;           /* the OOM count at the start (a provisioned
				     * directory's counters are its lifetime's) */
	char *name;
	char *parent;               /* CTR_CGROUP_PARENT without outer slashes;
				     * an owned container's: UPARENT/USER */
	char *uparent;              /* CTR_USER_CGROUP_PARENT, normalised */
	char *user;                 /* the owner (cgroup-owner.c), NULL for none */
	uid_t uid;                  /* the owner's, when user */
	gid_t gid;
	char *cpu_base;             /* CTR_RUN_DIR/NAME/cgroup-cpu-base: a
				     * non-root run's CPU time at its start */
	struct cg_hier h[CG_NCTRL];
	size_t n;
};

/* "a/b" from "/a/b/" (WHAT names the variable in the message; DEF when
 * in is empty); no empty, "." or ".." component. */
int cg_parent_normalise(const char *in, const char *def, const char *what, char **out);
/* NAME's cgroup (not opened): CTR_CGROUP_PARENT/NAME, or, owned,
 * CTR_USER_CGROUP_PARENT/USER/NAME (cg_owner_find). */
int cg_new(const struct ctr_config *cfg, const char *name, struct ctr_cgroup **out);
/* Point cg at mount/PARENT/NAME in every hierarchy (nothing opened) and
 * note whether it is provisioned (its marker). */
void cg_set_parent(struct ctr_cgroup *cg, const char *parent);
/* A copy of cg's hierarchies pointing at mount/DIR (nothing opened). */
struct ctr_cgroup *cg_copy_at(const struct ctr_cgroup *cg, const char *dir);
/* Open every hierarchy's directory (O_DIRECTORY); -errno recorded. */
int cg_open_dirs(struct ctr_cgroup *cg);
/* SIGKILL what is in the cgroup at fd and wait until it is empty.  Run
 * by root on a cgroup of an owner's (cg->user): only her processes, by
 * pidfd (cg_owner_kill); another's is left there and the cgroup kept
 * (-EBUSY, one line). */
int cg_kill_all(int fd, const char *path, const struct ctr_cgroup *cg);
/* Root's SIGKILL of pid in her cgroup, through a pidfd, when each of its
 * uids (real, effective, saved, fs) is hers or in her /etc/subuid range:
 * 1 killed; 0 not hers (*foreign its uid), left alone; -errno gone. */
int cg_owner_kill(const struct ctr_cgroup *cg, pid_t pid, uid_t *foreign);
/* rmdir mount/PARENT's levels, deepest first, while they are empty. */
void cg_remove_parent(const char *mount, const char *parent);
/* The marker child of a provisioned cgroup. */
#define CG_MARKER ".provisioned"

/* The owner of a provisioned cgroup (cgroup-owner.c).  Which user's
 * ceiling NAME lives under: cfg->owner (--provision --owner), the
 * caller's own name when it is not root, else (root: a start, a join,
 * --stats, --unprovision of an owned container) the user under
 * UPARENT whose directory holds a provisioned NAME; *user NULL: none. */
int cg_owner_find(const struct ctr_config *cfg, const char *mount, const char *parent,
		  const char *uparent, const char *name, char **user);
/* --provision --owner: the owner exists and is not root; uid, gid set. */
int cg_owner_check(struct ctr_cgroup *cg);
/* Before the container's directory is made: UPARENT/USER and its leaf
 * "session" in every hierarchy (v2: the controllers enabled in USER's
 * subtree_control), and USER's ceiling raised to the sum of her
 * containers' ceilings with LIMITS added. */
int cg_owner_prepare(struct ctr_cgroup *cg, const struct ctr_config *cfg);
/* After: the container's cgroup made joinable by the owner (v1: tasks
 * and cgroup.procs of each hierarchy; v2: cgroup.procs and
 * cgroup.threads of NAME and of USER, the common ancestor). */
int cg_owner_grant(struct ctr_cgroup *cg);
/* After an unprovision (or a failed provision): USER's ceiling lowered
 * to her remaining containers' sum, or, with none left, USER removed
 * when no process is in it (a login's processes are never killed: then
 * it stays, with a warning). */
void cg_owner_release(struct ctr_cgroup *cg);

/* The directory fd serving controller c; -1 when none. */
int cg_fd(const struct ctr_cgroup *cg, enum cg_ctrl c);

/* Write a value to FILE in the directory serving c; records
 * "set FILE to VALUE in PATH: reason". */
int cg_write(const struct ctr_cgroup *cg, enum cg_ctrl c, const char *file,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* True when the directory serving c has FILE. */
bool cg_has(const struct ctr_cgroup *cg, enum cg_ctrl c, const char *file);

/* --memory and --memory-swap: the limit, then swap (an unset
 * --memory-swap: no swap at all), in the files of one cgroup version. */
struct cg_memory_files {
	const char *limit;           /* the memory limit */
	const char *swap;            /* the swap limit */
	const char *swap_unlimited;  /* what --memory-swap -1 writes there */
	const char *hint;            /* for cg_swap_unaccounted */
	bool swap_includes_memory;   /* v1's memsw: memory + swap; v2: swap alone */
};
int cg_write_memory(struct ctr_cgroup *cg, const struct ctr_limits *l, const struct cg_memory_files *f);
/* The swap limit FILE is missing in the memory cgroup: this kernel does
 * not account swap.  --memory-swap -1 asks for what happens anyway: 0.
 * A finite --memory-swap is refused (one line, -EOPNOTSUPP; HINT ends the
 * message) unless the kernel has no swap at all (no /proc/swaps): then it
 * is moot and ignored with a warning.  --memory alone warns when a swap
 * device is active (the container may then swap beyond --memory). */
int cg_swap_unaccounted(const struct ctr_cgroup *cg, const struct ctr_limits *l,
			const char *file, const char *hint);

/* Readers; nothing is recorded (stats and OOM checks are best effort).
 * "max" reads as CG_UNLIMITED.  -errno when missing or not a number. */
#define CG_UNLIMITED INT64_MAX
int cg_read(int dirfd, const char *file, char *buf, size_t size);
int cg_read_int(int dirfd, const char *file, int64_t *v);
/* The value of "KEY VALUE" line in FILE (memory.events, cpu.stat, ...). */
int cg_read_key(int dirfd, const char *file, const char *key, int64_t *v);

/* The device nodes ctr-enter makes in /dev, the only ones a container
 * (unless --privileged) may mknod, read or write: v1 writes them to
 * devices.allow after denying all, v2 attaches an eBPF program that allows
 * just these (bpf-devices.c).  'c' or 'b'; minor -1 is any ("136:*"). */
struct cg_dev {
	char type;
	int major, minor;
};
extern const struct cg_dev cg_dev_allow[];
extern const size_t cg_dev_allow_n;

/* Version specific parts. */
int cg_v1_apply(struct ctr_cgroup *cg, const struct ctr_config *cfg);
/* Deny every device, allow cg_dev_allow (nothing under --privileged). */
int cg_v1_devices(struct ctr_cgroup *cg, const struct ctr_config *cfg);
int64_t cg_v1_oom_count(struct ctr_cgroup *cg);
void cg_v1_read_stats(struct ctr_cgroup *cg, struct ctr_stats *st);

/* Make the levels of parent under the v2 root and enable memory, cpu, pids
 * and io (those offered) in the subtree_control of the root and of every
 * level, never in the container's own cgroup.  Failing to enable one in
 * needed (CG_BIT()s) is an error, others are skipped. */
int cg_v2_enable(const char *mount, const char *parent, unsigned needed);
/* Take the controllers out of DIR's subtree_control again (a provisioned
 * cgroup whose per-run child is gone: PID 1 may join it directly again). */
void cg_v2_disable(int dirfd);
int cg_v2_apply(struct ctr_cgroup *cg, const struct ctr_config *cfg);
/* The allow-list above as an eBPF device program on the v2 cgroup;
 * nothing under --privileged. */
int cg_v2_devices(struct ctr_cgroup *cg, const struct ctr_config *cfg);
int64_t cg_v2_oom_count(struct ctr_cgroup *cg);
/* A provisioned cgroup's CPU time at the start of a run, kept in an
 * extended attribute of its directory (cgroupfs keeps trusted.*): the
 * stats subtract it, so that they show this run's time. */
void cg_v2_mark_cpu_base(struct ctr_cgroup *cg);
void cg_v2_read_stats(struct ctr_cgroup *cg, struct ctr_stats *st);

#endif
