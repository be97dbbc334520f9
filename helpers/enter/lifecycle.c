/* SPDX-License-Identifier: MIT */
/*
 * lifecycle.c: deciding whether a container runs, waiting through starting
 * and stopping, and cleaning what a dead run left (see lifecycle.h).
 */
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "lifecycle.h"
#include "state.h"
#include "util.h"

void lifecycle_unlock(const struct ctr_config *cfg, int lockfd)
{
	state_unlock(cfg, lockfd);
}

/* We hold the lock: nobody runs NAME.  state_lock() removed the state dir
 * (and an --rm layer); a cgroup a killed supervisor left goes too. */
static void clean_cgroup(const struct ctr_config *cfg)
{
	_cleanup_error_ struct ctr_error best_effort = CTR_ERROR_INIT;
	struct ctr_cgroup *cg = NULL;

	if (cfg->owned && getuid() == 0)
		return;   /* hers: root cleans nothing of it (join.c) */
	ctr_error_local(&best_effort);
	if (cgroup_open(cfg, cfg->name, &cg) == 0) {
		if (cgroup_claim(cg) < 0)
			cgroup_free(cg);
		else if (cgroup_destroy(cg) < 0)
			ctr_warn(cfg->name, "%s", ctr_errmsg());
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lifecycle_probe(const struct ctr_config *cfg, struct ctr_state *st, int *lockfd)
{
	long long deadline = now_ms() + LIFECYCLE_WAIT_MS;
	bool stopping = false;

	for (;;) {
		int fd = -1;
		int r = state_lock(cfg, &fd);

		if (r >= 0) {
			if (r == 0)   /* a lock file left: a supervisor may have died */
				clean_cgroup(cfg);
			*lockfd = fd;
			return 0;
		}
		if (r != -EBUSY)
			return r;
		if (state_read(cfg, st) == 0) {
			if (state_pid1_alive(st))
				return 1;
			state_free(st);
			stopping = true;
		}
		if (now_ms() > deadline)
			return ctr_failx(-EBUSY, "container is %s: still busy after %d s",
					 stopping ? "stopping" : "starting", LIFECYCLE_WAIT_MS / 1000);
		usleep(10000);
	}
}

int lifecycle_cleanup(const struct ctr_config *cfg)
{
	int fd = -1;
	int r = state_lock(cfg, &fd);

	if (r == -EBUSY)
		return 1;
	if (r < 0)
		return r;
	clean_cgroup(cfg);
	lifecycle_unlock(cfg, fd);
	return 0;
}
