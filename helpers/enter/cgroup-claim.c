/* SPDX-License-Identifier: MIT */
/*
 * cgroup-claim.c: take over the cgroup of a container whose supervisor is
 * gone (kill -9), so that cgroup_destroy() kills what is left in it and
 * removes it.  The creating supervisor holds a flock on each of its cgroup
 * directories while it lives; when every lock can be taken, nobody owns it.
 */
#include <sys/file.h>

#include "cgroup-internal.h"
#include "util.h"

int cgroup_claim(struct ctr_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		/* A provisioned cgroup's run holds the provisioned directory. */
		int fd = cg->h[i].top >= 0 ? cg->h[i].top : cg->h[i].fd;

		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0)
			return ctr_failx(-EBUSY, "cgroup %s is in use by a running ctr-enter", cg->h[i].path);
	}
	cg->owner = true;
	return 0;
}
