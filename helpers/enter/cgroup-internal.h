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
	unsigned needed;            /* CG_BIT()s the limits need */
	int64_t oom_base;           /* the OOM count at the start (a provisioned
				     * directory's counters are its lifetime's) */
	char *name;
	char *parent;               /* CTR_CGROUP_PARENT without outer slashes */
	struct cg_hier h[CG_NCTRL];
	size_t n;
};

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
