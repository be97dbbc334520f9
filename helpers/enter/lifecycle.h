/* SPDX-License-Identifier: MIT */
/*
 * lifecycle.h: whether a container runs, from its lock and state (state.h).
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

#include "config.h"
#include "state.h"

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
