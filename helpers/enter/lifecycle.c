/* SPDX-License-Identifier: MIT */
/*
 * lifecycle.c: the config part of the state file, reading it back, and
 * deciding whether a container runs (see lifecycle.h).
 */
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cgroup.h"
#include "lifecycle.h"
#include "state.h"
#include "util.h"

static int64_t rlim_out(uint64_t v)
{
	return v == (uint64_t)RLIM_INFINITY ? -1 : (int64_t)v;
}

int state_write_config(int fd, const struct ctr_config *cfg)
{
	const struct ctr_limits *l = &cfg->limits;
	int r;

	r = dprintf(fd,
		    "cgroup_parent=%s\nuser=%s\ninit=%d\nprivileged=%d\nseccomp_unconfined=%d\n"
		    "cap_add=0x%" PRIx64 "\ncap_drop=0x%" PRIx64 "\ncap_drop_all=%d\nulimits=",
		    cfg->cgroup_parent, cfg->has_user && cfg->user_spec ? cfg->user_spec : "",
		    cfg->init, cfg->privileged, cfg->seccomp_unconfined, cfg->cap_add,
		    cfg->cap_drop, cfg->cap_drop_all);
	for (size_t i = 0; r >= 0 && i < cfg->n_rlimits; i++)
		r = dprintf(fd, "%s%d:%" PRId64 ":%" PRId64, i ? "," : "", cfg->rlimits[i].resource,
			    rlim_out(cfg->rlimits[i].soft), rlim_out(cfg->rlimits[i].hard));
	if (r >= 0)
		r = dprintf(fd,
			    "\nmemory=%" PRId64 "\nmemory_swap=%" PRId64 "\ncpu_quota_us=%" PRId64
			    "\ncpu_period_us=%" PRId64 "\ncpu_shares=%" PRId64 "\npids_limit=%" PRId64
			    "\nstop_signal=%d\n",
			    l->memory, l->memory_swap, l->cpu_quota_us, l->cpu_period_us,
			    l->cpu_shares, l->pids_limit, cfg->stop_signal ? cfg->stop_signal : SIGTERM);
	if (r >= 0 && cfg->detach)
		r = dprintf(fd, "log=%s\n", cfg->log_file);
	return r < 0 ? ctr_fail(-errno, "write state") : 0;
}

static uint64_t rlim_in(const char *s)
{
	long long v = strtoll(s, NULL, 10);

	return v < 0 ? (uint64_t)RLIM_INFINITY : (uint64_t)v;
}

static void parse_ulimits(struct ctr_state *st, char *v)
{
	char *save = NULL;

	for (char *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *soft = strchr(t, ':'), *hard = soft ? strchr(soft + 1, ':') : NULL;
		struct ctr_rlimit *n;

		if (!soft || !hard)
			continue;
		n = realloc(st->rlimits, (st->n_rlimits + 1) * sizeof(*n));
		if (!n)
			abort();
		st->rlimits = n;
		n[st->n_rlimits++] = (struct ctr_rlimit){ (int)strtol(t, NULL, 10),
							  rlim_in(soft + 1), rlim_in(hard + 1) };
	}
}

static void set_field(struct ctr_state *st, const char *k, char *v)
{
	static const struct {
		const char *key;
		size_t off;
	} i64[] = {
		{ "memory", offsetof(struct ctr_limits, memory) },
		{ "memory_swap", offsetof(struct ctr_limits, memory_swap) },
		{ "cpu_quota_us", offsetof(struct ctr_limits, cpu_quota_us) },
		{ "cpu_period_us", offsetof(struct ctr_limits, cpu_period_us) },
		{ "cpu_shares", offsetof(struct ctr_limits, cpu_shares) },
		{ "pids_limit", offsetof(struct ctr_limits, pids_limit) },
	};
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
		{ "rootfs", offsetof(struct ctr_state, rootfs) },
		{ "hostname", offsetof(struct ctr_state, hostname) },
		{ "started", offsetof(struct ctr_state, started) },
		{ "user", offsetof(struct ctr_state, user) },
		{ "cgroup_parent", offsetof(struct ctr_state, cgroup_parent) },
	};

	for (size_t i = 0; i < ARRAY_SIZE(i64); i++)
		if (strcmp(k, i64[i].key) == 0)
			*(int64_t *)((char *)&st->limits + i64[i].off) = strtoll(v, NULL, 10);
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		if (strcmp(k, strs[i].key) == 0) {
			char **p = (char **)((char *)st + strs[i].off);

			free(*p);
			*p = xstrdup(v);
		}
	}
	if (strcmp(k, "supervisor") == 0)
		st->supervisor = (pid_t)strtol(v, NULL, 10);
	else if (strcmp(k, "supervisor_start") == 0)
		st->supervisor_start = strtoull(v, NULL, 10);
	else if (strcmp(k, "pid") == 0)
		st->pid = (pid_t)strtol(v, NULL, 10);
	else if (strcmp(k, "pid_start") == 0)
		st->pid_start = strtoull(v, NULL, 10);
	else if (strcmp(k, "init") == 0)
		st->init = strcmp(v, "1") == 0;
	else if (strcmp(k, "privileged") == 0)
		st->privileged = strcmp(v, "1") == 0;
	else if (strcmp(k, "seccomp_unconfined") == 0)
		st->seccomp_unconfined = strcmp(v, "1") == 0;
	else if (strcmp(k, "cap_drop_all") == 0)
		st->cap_drop_all = strcmp(v, "1") == 0;
	else if (strcmp(k, "cap_add") == 0)
		st->cap_add = strtoull(v, NULL, 16);
	else if (strcmp(k, "cap_drop") == 0)
		st->cap_drop = strtoull(v, NULL, 16);
	else if (strcmp(k, "ulimits") == 0)
		parse_ulimits(st, v);
}

/* Parse CTR_RUN_DIR/NAME/state; -ENOENT (not recorded) when there is none. */
static int state_read(const struct ctr_config *cfg, struct ctr_state *st)
{
	_cleanup_free_ char *path = xasprintf("%s/%s/state", cfg->run_dir, cfg->name);
	_cleanup_free_ char *buf = NULL;
	char saved[CTR_ERRMSG_MAX];
	char *save = NULL;

	memset(st, 0, sizeof(*st));
	st->limits = (struct ctr_limits){ .memory = -1, .memory_swap = -1, .cpu_quota_us = -1,
					  .cpu_period_us = -1, .cpu_shares = -1, .pids_limit = -1 };
	snprintf(saved, sizeof(saved), "%s", ctr_errmsg());
	if (read_file(path, &buf) < 0) {
		int err = errno;

		ctr_seterrmsg(saved);
		return err == ENOENT ? -ENOENT : ctr_fail(-err, "read state %s", path);
	}
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');

		if (!eq)
			continue;
		*eq = '\0';
		set_field(st, l, eq + 1);
	}
	if (st->pid <= 0 || st->supervisor <= 0) {
		state_free(st);
		return ctr_failx(-EINVAL, "state %s: no pid", path);
	}
	return 0;
}

void state_free(struct ctr_state *st)
{
	free(st->rootfs);
	free(st->hostname);
	free(st->started);
	free(st->user);
	free(st->cgroup_parent);
	free(st->rlimits);
	memset(st, 0, sizeof(*st));
}

/* A zombie (its supervisor killed, not yet reaped by the host's init) is gone. */
static bool proc_is_dead(pid_t pid)
{
	_cleanup_free_ char *buf = NULL;
	char path[64], saved[CTR_ERRMSG_MAX];
	const char *p;
	bool dead;

	snprintf(saved, sizeof(saved), "%s", ctr_errmsg());
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, &buf) < 0) {
		ctr_seterrmsg(saved);
		return true;
	}
	p = strrchr(buf, ')');
	dead = !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X' || p[2] == 'x';
	return dead;
}

bool state_pid1_alive(const struct ctr_state *st)
{
	return st->pid > 0 && st->pid_start && proc_starttime(st->pid) == st->pid_start &&
	       !proc_is_dead(st->pid);
}

void lifecycle_unlock(const struct ctr_config *cfg, int lockfd)
{
	state_unlock(cfg, lockfd);
}

/* We hold the lock: nobody runs NAME.  state_lock() removed the state dir
 * (and an --rm layer); a cgroup a killed supervisor left goes too. */
static void clean_cgroup(const struct ctr_config *cfg)
{
	struct ctr_cgroup *cg = NULL;
	char saved[CTR_ERRMSG_MAX];

	snprintf(saved, sizeof(saved), "%s", ctr_errmsg());
	if (cgroup_open(cfg, cfg->name, &cg) == 0) {
		if (cgroup_claim(cg) < 0)
			cgroup_free(cg);
		else if (cgroup_destroy(cg) < 0)
			ctr_warn(cfg->name, "%s", ctr_errmsg());
	}
	ctr_seterrmsg(saved);
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
