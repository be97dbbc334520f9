/* SPDX-License-Identifier: MIT */
/*
 * lifecycle.h: what a later command needs to find a container again.
 *
 * state.c writes the identity lines of CTR_RUN_DIR/NAME/state (supervisor,
 * pid, start times, rootfs, hostname, started); state_write_config() appends
 * what joining and `ctrctl ps` need, in the same key=value form:
 *
 *   cgroup_parent=ctr  user=UID[:GID] (empty: root)  init=0|1
 *   privileged=0|1  seccomp_unconfined=0|1  cap_add=0xMASK  cap_drop=0xMASK
 *   cap_drop_all=0|1  ulimits=RESOURCE:SOFT:HARD,... (-1: unlimited)
 *   memory=B  memory_swap=B  cpu_quota_us=N  cpu_period_us=N  cpu_shares=N
 *   pids_limit=N  (-1 unset, memory_swap -2 unlimited)
 *   stop_signal=N  (what `ctrctl stop` sends PID 1 first: --stop-signal, 15)
 *
 * A container is running when the lock CTR_RUN_DIR/NAME.lock is held (its
 * supervisor lives) and the state's PID 1 is alive with the recorded start
 * time.  The supervisor writes the state only once PID 1 has set up and
 * exec'd COMMAND, so held with no state yet is starting (a joiner waits,
 * and never enters a half-built container).  Free: not running; whatever it
 * left (state dir, --rm layer, cgroup) is stale and cleaned by whoever takes
 * the lock next.
 */
#ifndef CTR_LIFECYCLE_H
#define CTR_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

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

/* Append the config lines above to the state file being written on fd. */
int state_write_config(int fd, const struct ctr_config *cfg);
void state_free(struct ctr_state *st);
/* PID 1 of the state is alive and is the same process (start time). */
bool state_pid1_alive(const struct ctr_state *st);

/* How long a command waits for a container that is starting (its lock is
 * held, its state not yet written: PID 1 has not exec'd) or stopping (PID 1 gone, the supervisor
 * still cleaning up). */
#define LIFECYCLE_WAIT_MS 5000

/*
 * Find out whether NAME runs, waiting (bounded) through starting/stopping:
 *   1   running: *st filled (the caller frees it), no lock taken;
 *   0   not running: the lock is held on *lockfd, and what a dead run left
 *       (state dir, --rm layer, cgroup) has been removed;
 *   <0  failure (recorded), e.g. still starting after LIFECYCLE_WAIT_MS.
 */
int lifecycle_probe(const struct ctr_config *cfg, struct ctr_state *st, int *lockfd);
/* Give up a lock from lifecycle_probe() without starting (removes it). */
void lifecycle_unlock(const struct ctr_config *cfg, int lockfd);

/* `ctr-enter --cleanup NAME`: remove what a dead NAME left.  0 when NAME
 * is not running (cleaned or nothing to clean), 1 when it runs. */
int lifecycle_cleanup(const struct ctr_config *cfg);

#endif
