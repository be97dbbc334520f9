/* SPDX-License-Identifier: MIT */
/* cgroup-v1.c: limits, devices, OOM and stats on cgroup v1 hierarchies. */
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup-limits.h"
#include "util.h"

/* Without --memory-swap the container gets no swap (memsw = memory), so
 * that --memory is what it can use whether or not the host swaps. */
static int v1_memory(struct ctr_cgroup *cg, const struct ctr_limits *l)
{
	static const struct cg_memory_files v1 = {
		.limit = "memory.limit_in_bytes", .swap = "memory.memsw.limit_in_bytes",
		.swap_unlimited = "-1", .hint = "; boot with swapaccount=1", .swap_includes_memory = true,
	};

	return cg_write_memory(cg, l, &v1);
}

static int v1_cpu(struct ctr_cgroup *cg, const struct ctr_limits *l)
{
	int r = 0;

	if (l->cpu_quota_us > 0) {
		r = cg_write(cg, CG_CPU, "cpu.cfs_period_us", "%lld", (long long)l->cpu_period_us);
		if (r == 0)
			r = cg_write(cg, CG_CPU, "cpu.cfs_quota_us", "%lld", (long long)l->cpu_quota_us);
	}
	if (r == 0 && l->cpu_shares > 0)
		r = cg_write(cg, CG_CPU, "cpu.shares", "%lld", (long long)l->cpu_shares);
	return r;
}

/* Deny every device, allow the nodes ctr-enter makes in /dev. */
int cg_v1_devices(struct ctr_cgroup *cg, const struct ctr_config *cfg)
{
	int r;

	if (cfg->privileged || cg_fd(cg, CG_DEVICES) < 0)
		return 0;
	r = cg_write(cg, CG_DEVICES, "devices.deny", "a");
	for (size_t i = 0; r == 0 && i < cg_dev_allow_n; i++) {
		const struct cg_dev *d = &cg_dev_allow[i];

		if (d->minor < 0)
			r = cg_write(cg, CG_DEVICES, "devices.allow", "%c %d:* rwm", d->type, d->major);
		else
			r = cg_write(cg, CG_DEVICES, "devices.allow", "%c %d:%d rwm", d->type, d->major, d->minor);
	}
	return r;
}

int cg_v1_apply(struct ctr_cgroup *cg, const struct ctr_config *cfg)
{
	const struct ctr_limits *l = &cfg->limits;
	int r = v1_memory(cg, l);

	if (r == 0)
		r = v1_cpu(cg, l);
	if (r == 0)
		r = cg_v1_devices(cg, cfg);
	return r;
}

/* oom_kill in memory.oom_control (kernel >= 4.13); older kernels only
 * count hitting the limit (failcnt), the best hint they give. */
int64_t cg_v1_oom_count(struct ctr_cgroup *cg)
{
	int fd = cg_fd(cg, CG_MEMORY);
	int64_t v = 0;

	if (fd < 0)
		return 0;
	if (cg_read_key(fd, "memory.oom_control", "oom_kill", &v) == 0)
		return v;
	return cg_read_int(fd, "memory.failcnt", &v) == 0 ? v : 0;
}

/* v1 reads "no limit" as the largest page-aligned value. */
static int64_t v1_limit(int64_t v)
{
	return v > INT64_MAX - sysconf(_SC_PAGESIZE) ? CTR_STAT_UNLIMITED : v;
}

void cg_v1_read_stats(struct ctr_cgroup *cg, struct ctr_stats *st)
{
	int mem = cg_fd(cg, CG_MEMORY), acct = cg_fd(cg, CG_CPUACCT), pids = cg_fd(cg, CG_PIDS);

	if (mem >= 0) {
		cg_read_int(mem, "memory.usage_in_bytes", &st->mem_current);
		cg_read_int(mem, "memory.max_usage_in_bytes", &st->mem_peak);
		if (cg_read_int(mem, "memory.limit_in_bytes", &st->mem_limit) == 0)
			st->mem_limit = v1_limit(st->mem_limit);
	}
	if (acct >= 0)
		cg_read_int(acct, "cpuacct.usage", &st->cpu_usage_ns);
	if (pids >= 0) {
		cg_read_int(pids, "pids.current", &st->pids_current);
		cg_read_int(pids, "pids.max", &st->pids_limit);
	}
}
