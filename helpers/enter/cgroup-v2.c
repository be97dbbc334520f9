/* SPDX-License-Identifier: MIT */
/* cgroup-v2.c: controllers, limits, OOM and stats on the unified hierarchy. */
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "cgroup-internal.h"
#include "cgroup-limits.h"
#include "util.h"

static bool word_in(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' ' || p[len] == '\n'))
			return true;
	return false;
}

/* Enable the offered controllers in DIR's subtree_control. */
static int enable_at(const char *dir, unsigned needed)
{
	static const struct { const char *name; unsigned bit; } ctrls[] = {
		{ "memory", CG_BIT(CG_MEMORY) }, { "cpu", CG_BIT(CG_CPU) },
		{ "pids", CG_BIT(CG_PIDS) },     { "io", 0 },
	};
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char offered[512], enabled[512];

	if (fd < 0)
		return ctr_fail(-errno, "open cgroup %s", dir);
	if (cg_read(fd, "cgroup.controllers", offered, sizeof(offered)) < 0 ||
	    cg_read(fd, "cgroup.subtree_control", enabled, sizeof(enabled)) < 0)
		return ctr_fail(-errno, "read the controllers of cgroup %s", dir);
	for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++) {
		bool need = needed & ctrls[i].bit;
		int r;

		if (word_in(enabled, ctrls[i].name))
			continue;
		if (!word_in(offered, ctrls[i].name)) {
			if (need)
				return ctr_failx(-EOPNOTSUPP, "cgroup %s does not offer the %s controller",
						 dir, ctrls[i].name);
			continue;
		}
		/* EBUSY here means processes in DIR: the no-internal-process rule. */
		r = write_file_at(fd, "cgroup.subtree_control", "+%s", ctrls[i].name);
		if (r < 0 && need)
			return r;
	}
	return 0;
}

int cg_v2_enable(const char *mount, const char *parent, unsigned needed)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", mount, parent);
	size_t end = strlen(dir);
	int r = enable_at(mount, needed);

	/* mount/a, mount/a/b, ...: cut dir at each '/' after the mount. */
	for (size_t i = strlen(mount) + 1; r == 0 && i <= end; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return ctr_fail(-errno, "create cgroup %s", dir);
		r = enable_at(dir, needed);
		if (i < end)
			dir[i] = '/';
	}
	return r;
}

void cg_v2_disable(int dirfd)
{
	static const char *const names[] = { "memory", "cpu", "pids", "io" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		write_file_at(dirfd, "cgroup.subtree_control", "-%s", names[i]);
}

/* Without --memory-swap the container gets no swap (as on v1). */
static int v2_memory(struct ctr_cgroup *cg, const struct ctr_limits *l)
{
	static const struct cg_memory_files v2 = {
		.limit = "memory.max", .swap = "memory.swap.max",
		.swap_unlimited = "max", .hint = "", .swap_includes_memory = false,
	};

	return cg_write_memory(cg, l, &v2);
}

int cg_v2_apply(struct ctr_cgroup *cg, const struct ctr_config *cfg)
{
	const struct ctr_limits *l = &cfg->limits;
	int r = v2_memory(cg, l);

	if (r == 0 && l->cpu_quota_us > 0)
		r = cg_write(cg, CG_CPU, "cpu.max", "%lld %lld",
			     (long long)l->cpu_quota_us, (long long)l->cpu_period_us);
	/* shares 2..262144 onto weight 1..10000, as crun does */
	if (r == 0 && l->cpu_shares > 0)
		r = cg_write(cg, CG_CPU, "cpu.weight", "%lld",
			     (long long)(1 + ((l->cpu_shares - 2) * 9999) / 262142));
	if (r == 0)
		r = cg_v2_devices(cg, cfg);
	return r;
}

int64_t cg_v2_oom_count(struct ctr_cgroup *cg)
{
	int64_t v = 0;

	return cg_read_key(cg->h[0].fd, "memory.events", "oom_kill", &v) == 0 ? v : 0;
}

#define CPU_BASE_XATTR "trusted.ctr.cpu_base_usec"

void cg_v2_mark_cpu_base(struct ctr_cgroup *cg)
{
	int64_t usec;
	char buf[24];
	int len;

	if (cg_read_key(cg->h[0].fd, "cpu.stat", "usage_usec", &usec) < 0)
		return;
	len = snprintf(buf, sizeof(buf), "%lld", (long long)usec);
	fsetxattr(cg->h[0].fd, CPU_BASE_XATTR, buf, (size_t)len, 0);
}

static int64_t cpu_base_usec(int fd)
{
	char buf[24];
	ssize_t n = fgetxattr(fd, CPU_BASE_XATTR, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

void cg_v2_read_stats(struct ctr_cgroup *cg, struct ctr_stats *st)
{
	int fd = cg->h[0].fd;
	int64_t usec;

	cg_read_int(fd, "memory.current", &st->mem_current);
	cg_read_int(fd, "memory.peak", &st->mem_peak);
	cg_read_int(fd, "memory.max", &st->mem_limit);
	if (cg_read_key(fd, "cpu.stat", "usage_usec", &usec) == 0) {
		if (cg->provisioned && cg->h[0].top < 0)
			usec -= cpu_base_usec(fd);
		st->cpu_usage_ns = (usec < 0 ? 0 : usec) * 1000;
	}
	cg_read_int(fd, "pids.current", &st->pids_current);
	cg_read_int(fd, "pids.max", &st->pids_limit);
}
