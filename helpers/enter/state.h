/* SPDX-License-Identifier: MIT */
/*
 * state.h: CTR_RUN_DIR/NAME/ (state file + the rootfs mountpoint) and the
 * lock CTR_RUN_DIR/NAME.lock that makes one supervisor per NAME.
 *
 * CTR_RUN_DIR/NAME/state, key=value lines, written atomically (tmp+rename):
 *   supervisor=PID  supervisor_start=TICKS  pid=PID1 (host pid)
 *   pid_start=TICKS  rootfs=DIR  hostname=H  started=ISO-8601 UTC
 *   rm=0|1|top  read_only=0|1
 * then what joining and `ctrctl ps` need, in the same key=value form:
 *   cgroup_parent=ctr  user=UID[:GID] (empty: root)  init=0|1
 *   privileged=0|1  seccomp_unconfined=0|1  cap_add=0xMASK  cap_drop=0xMASK
 *   cap_drop_all=0|1  ulimits=RESOURCE:SOFT:HARD,... (-1: unlimited)
 *   memory=B  memory_swap=B  cpu_quota_us=N  cpu_period_us=N  cpu_shares=N
 *   pids_limit=N  (-1 unset, memory_swap -2 unlimited)
 *   stop_signal=N  (what `ctrctl stop` sends PID 1 first: --stop-signal, 15)
 *   log=FILE  (-d only)
 * Written only once PID 1 has exec'd COMMAND (before that: starting).
 * CTR_RUN_DIR/NAME/rm (empty): a --rm start, made before its layer (which
 * goes at exit: rm=1).
 *
 * --rm over an existing layer CTR_LIB_DIR/NAME (rm=top, no marker): the
 * layer is kept exactly as it is, mounted as a read-only lower layer under
 * a throwaway one, CTR_LIB_DIR/.NAME.rm/{upper,work}, which goes at exit
 * (or, after a kill -9, with whoever takes the lock next).
 *
 * What a run that keeps its layer leaves for the next (ctrctl start, ps -a,
 * inspect), both written atomically (tmp + rename) into CTR_LIB_DIR/NAME:
 *   run-args   --rootfs=DIR then every argument ctr-enter was given,
 *              each ending in a NUL byte (written when the run starts)
 *   last-exit  exit=CODE  signal=N (0: none)  oom=0|1  started=ISO-8601
 *              stopped=ISO-8601 (UTC; written when PID 1 has ended,
 *              removed when the next run starts)
 * An --rm run writes neither.
 *
 * Modes: CTR_RUN_DIR/NAME and the layer CTR_LIB_DIR/NAME are 0700 (an
 * existing one is tightened at start, its content left alone): the layer
 * holds what root in the container wrote, setuid copies and device nodes
 * included, and no other host user may reach it.  CTR_RUN_DIR and
 * CTR_LIB_DIR are made 0700 when a start has to make them (their missing
 * parents 0755); existing ones keep their mode.
 */
#ifndef CTR_STATE_H
#define CTR_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"

/* The state file read back (state_read). */
struct ctr_state {
	pid_t supervisor, pid;
	unsigned long long supervisor_start, pid_start;
	char *rootfs, *hostname, *started, *user, *cgroup_parent;
	bool privileged, seccomp_unconfined, cap_drop_all, init;
	uint64_t cap_add, cap_drop;
	struct ctr_rlimit *rlimits;
	size_t n_rlimits;
	struct ctr_limits limits;
};

/* Parse CTR_RUN_DIR/NAME/state into *st (state_free() it); -ENOENT (not
 * recorded) when there is none. */
int state_read(const struct ctr_config *cfg, struct ctr_state *st);
void state_free(struct ctr_state *st);
/* PID 1 of the state is alive and is the same process (start time). */
bool state_pid1_alive(const struct ctr_state *st);

/* Take the lock without blocking.  -EBUSY (recorded: already running) when
 * another supervisor holds it.  Cleans what a dead supervisor left.  1 when
 * the lock file was new (no supervisor died holding it: its cgroup needs no
 * clean-up), else 0. */
int state_lock(const struct ctr_config *cfg, int *lockfd);
/* Create CTR_RUN_DIR/NAME/rootfs, with --rm the marker CTR_RUN_DIR/NAME/rm
 * (before the layer: whoever cleans a killed run knows the layer goes too),
 * and (unless --read-only) the layer;
 * *layer_created tells whether this run made the layer (so that a failed
 * first start can take it away again). */
int state_prepare(const struct ctr_config *cfg, bool *layer_created);
/* The rootfs mountpoint (malloc'd). */
char *state_mountpoint(const struct ctr_config *cfg);
char *state_layer_dir(const struct ctr_config *cfg);
/* The throwaway layer of an --rm run over an existing layer (malloc'd). */
char *state_top_dir(const struct ctr_config *cfg);
/* CTR_LIB_DIR/NAME exists. */
bool state_layer_exists(const struct ctr_config *cfg);
int state_write(const struct ctr_config *cfg, pid_t supervisor, pid_t pid1, time_t started);
/* run-args and last-exit (above); a failure is a warning, never the run's. */
void state_record_run(const struct ctr_config *cfg);
void state_record_exit(const struct ctr_config *cfg, time_t started, int code, int sig, bool oom);
/* Unlink and close the lock; remove CTR_RUN_DIR again if state_lock() made
 * it and it is empty. */
void state_unlock(const struct ctr_config *cfg, int lockfd);
/* Remove the state dir (and with --rm or DROP_LAYER the layer; with rm_top
 * only the throwaway layer), then the lock (state_unlock). */
void state_remove(const struct ctr_config *cfg, int lockfd, bool drop_layer);

/* Write LEN bytes of BUF to PATH atomically (PATH.tmp, then rename);
 * the message names the file. */
int write_atomic(const char *path, const char *buf, size_t len);

#endif
