/* SPDX-License-Identifier: MIT */
/* cgroup.c: PLACEHOLDER until the cgroup module lands (issue 5).
 * Creates nothing; any limit is refused so that no limit is silently ignored. */
#include "cgroup.h"
#include "util.h"

struct ctr_cgroup {
	int unused;
};

int cgroup_create(const struct ctr_config *cfg, struct ctr_cgroup **out)
{
	const struct ctr_limits *l = &cfg->limits;

	if (l->memory >= 0 || l->memory_swap != -1 || l->cpu_quota_us >= 0 ||
	    l->cpu_shares >= 0 || l->pids_limit >= 0)
		return ctr_failx(-ENOSYS, "resource limits: not implemented yet");
	*out = xcalloc(1, sizeof(**out));
	return 0;
}

int cgroup_attach(struct ctr_cgroup *cg, pid_t pid)
{
	(void)cg;
	(void)pid;
	return 0;
}

int cgroup_open(const struct ctr_config *cfg, const char *name, struct ctr_cgroup **out)
{
	(void)cfg;
	(void)name;
	*out = xcalloc(1, sizeof(**out));
	return 0;
}

bool cgroup_oom_killed(struct ctr_cgroup *cg)
{
	(void)cg;
	return false;
}

int cgroup_destroy(struct ctr_cgroup *cg)
{
	free(cg);
	return 0;
}

void cgroup_free(struct ctr_cgroup *cg)
{
	free(cg);
}

int cgroup_read_stats(struct ctr_cgroup *cg, struct ctr_stats *st)
{
	(void)cg;
	(void)st;
	return ctr_failx(-ENOSYS, "stats: not implemented yet");
}

int cgroup_print_stats(const struct ctr_config *cfg, const char *name, bool json)
{
	(void)cfg;
	(void)name;
	(void)json;
	return ctr_failx(-ENOSYS, "stats: not implemented yet");
}
