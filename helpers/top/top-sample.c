/* SPDX-License-Identifier: MIT */
/*
 * top-sample.c: one read of every container per refresh.
 *
 * Which containers: as `ctrctl ps -a` finds them, without changing
 * anything (ctrctl's clean-up of dead state is left to ctrctl):
 * CTR_RUN_DIR/NAME (or NAME.lock) whose state names a live PID 1 and
 * supervisor (their start times match) is running; a layer
 * CTR_LIB_DIR/NAME otherwise is stopped, with its last-exit record.
 * The cgroup figures come from ctr-enter's cgroup code (cgroup_open once
 * per run of a container, cgroup_read_stats and the cg_read* readers each
 * refresh); the network from the host end of the container's veth, named
 * in netns-setup's record CTR_NET_STATE_DIR/netns/NAME.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "cgroup-internal.h"
#include "config.h"
#include "top.h"
#include "util.h"

const char *const top_counter_names[TC_N] = { "oom_kill", "mem_max", "mem_high", "pids_max" };

/* A container's open cgroup, kept while the same PID 1 runs. */
struct cg_cache {
	char name[TOP_NAME_MAX];
	unsigned long long pid_start;
	struct ctr_cgroup *cg;
	bool seen;
};

struct top_sampler {
	struct ctr_config cfg;      /* cgroup_parent for cgroup_open */
	const char *run_dir, *lib_dir, *net_dir;
	struct cg_cache *cache;
	size_t n_cache;
	struct top_row *prev;       /* the previous sample's rows */
	size_t n_prev;
	bool primed;
};

static const char *env_or(const char *var, const char *def)
{
	const char *v = getenv(var);

	return v && *v ? v : def;
}

struct top_sampler *top_sampler_new(void)
{
	struct top_sampler *s = xcalloc(1, sizeof(*s));

	s->cfg.cgroup_parent = (char *)env_or("CTR_CGROUP_PARENT", "ctr");
	s->run_dir = env_or("CTR_RUN_DIR", "/run/ctr");
	s->lib_dir = env_or("CTR_LIB_DIR", "/var/lib/ctr/containers");
	s->net_dir = env_or("CTR_NET_STATE_DIR", "/run/ctr-net");
	return s;
}

void top_sampler_free(struct top_sampler *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_cache; i++)
		cgroup_free(s->cache[i].cg);
	free(s->cache);
	free(s->prev);
	free(s);
}

void top_sample_free(struct top_sample *smp)
{
	if (!smp)
		return;
	free(smp->rows);
	free(smp->events);
	free(smp);
}

/* ------------------------------------------------------------ small files */

/* KEY's value in a key=value file read into buf; "" when absent. */
static void kv_get(const char *buf, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);

	out[0] = '\0';
	for (const char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, klen) == 0 && l[klen] == '=') {
			const char *v = l + klen + 1;
			size_t len = strcspn(v, "\n");

			snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), v);
			return;
		}
	}
}

static int read_small(const char *path, char *buf, size_t size)
{
	return cg_read(AT_FDCWD, path, buf, size);
}

static int64_t kv_int(const char *buf, const char *key)
{
	char v[32];
	char *end;
	long long n;

	kv_get(buf, key, v, sizeof(v));
	if (!v[0])
		return TOP_NA;
	n = strtoll(v, &end, 10);
	return *end ? TOP_NA : n;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t uptime_of(unsigned long long start_ticks)
{
	char buf[64];
	long hz = sysconf(_SC_CLK_TCK);

	if (read_small("/proc/uptime", buf, sizeof(buf)) < 0 || hz <= 0)
		return TOP_NA;
	return (int64_t)(strtod(buf, NULL) - (double)start_ticks / (double)hz);
}

/* ------------------------------------------------------------ containers */

/* The state of a running container into r; false when it is not running. */
static bool read_running(const struct top_sampler *s, const char *name, struct top_row *r)
{
	char path[4096], buf[2048], v[32];
	unsigned long long pid_start, sup_start;
	pid_t sup;

	snprintf(path, sizeof(path), "%s/%s/state", s->run_dir, name);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return false;
	r->pid = (pid_t)kv_int(buf, "pid");
	sup = (pid_t)kv_int(buf, "supervisor");
	kv_get(buf, "pid_start", v, sizeof(v));
	pid_start = strtoull(v, NULL, 10);
	kv_get(buf, "supervisor_start", v, sizeof(v));
	sup_start = strtoull(v, NULL, 10);
	if (r->pid <= 0 || sup <= 0 || !pid_start || proc_starttime(r->pid) != pid_start ||
	    proc_starttime(sup) != sup_start)
		return false;
	r->running = true;
	r->pid_start = pid_start;
	kv_get(buf, "hostname", r->hostname, sizeof(r->hostname));
	kv_get(buf, "started", r->started, sizeof(r->started));
	r->uptime_s = uptime_of(pid_start);
	return true;
}

/* True when a process holds a flock on PATH: a supervisor between its
 * lock and its state (starting), or cleaning up after PID 1 (stopping).
 * Read from /proc/locks: taking the lock, even shared, could make a start
 * that tries it at that moment fail. */
static bool lock_held(const char *path)
{
	_cleanup_fclose_ FILE *f = NULL;
	struct stat st;
	char line[256];

	if (stat(path, &st) < 0 || !(f = fopen("/proc/locks", "re")))
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long ino;
		const char *p = strstr(line, "FLOCK");

		/* "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF" */
		for (int field = 0; p && field < 4; field++) {
			p = strchr(p, ' ');
			p = p ? p + strspn(p, " ") : NULL;
		}
		if (p && sscanf(p, "%x:%x:%lu", &maj, &min, &ino) == 3 && ino == st.st_ino &&
		    maj == major(st.st_dev) && min == minor(st.st_dev))
			return true;
	}
	return false;
}

/* A stopped container's last-exit record (absent: exit unknown). */
static void read_last_exit(const struct top_sampler *s, const char *name, struct top_row *r)
{
	char path[4096], buf[1024];

	snprintf(path, sizeof(path), "%s/%s/last-exit", s->lib_dir, name);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return;
	r->exit_code = (int)kv_int(buf, "exit");
	r->oom = (int)kv_int(buf, "oom");
	kv_get(buf, "started", r->started, sizeof(r->started));
	kv_get(buf, "stopped", r->stopped, sizeof(r->stopped));
}

/* netns-setup's record: IP, published ports, the veth's host end. */
static void read_net(const struct top_sampler *s, const char *name, struct top_row *r)
{
	char path[4096], buf[2048], veth[32];
	int64_t rx, tx;

	snprintf(path, sizeof(path), "%s/netns/%s", s->net_dir, name);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return;
	kv_get(buf, "ip", r->ip, sizeof(r->ip));
	kv_get(buf, "ports", r->ports, sizeof(r->ports));
	kv_get(buf, "veth", veth, sizeof(veth));
	if (!r->running || !veth[0] || strchr(veth, '/') || veth[0] == '.')
		return;
	/* What the host end receives the container sent, and the reverse. */
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_bytes", veth);
	if (cg_read_int(AT_FDCWD, path, &rx) < 0)
		return;
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_bytes", veth);
	if (cg_read_int(AT_FDCWD, path, &tx) < 0)
		return;
	r->net_rx = rx;
	r->net_tx = tx;
}

/* ------------------------------------------------------------ cgroups */

static struct ctr_cgroup *cgroup_of(struct top_sampler *s, const struct top_row *r)
{
	struct cg_cache *c = NULL;

	for (size_t i = 0; i < s->n_cache && !c; i++)
		if (strcmp(s->cache[i].name, r->name) == 0)
			c = &s->cache[i];
	if (!c) {
		s->cache = realloc(s->cache, (s->n_cache + 1) * sizeof(*s->cache));
		if (!s->cache)
			abort();
		c = &s->cache[s->n_cache++];
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", r->name);
	}
	c->seen = true;
	if (c->cg && c->pid_start == r->pid_start)
		return c->cg;
	cgroup_free(c->cg);
	c->cg = NULL;
	/* Best effort: a container between its state and its cgroup. */
	if (cgroup_open(&s->cfg, r->name, &c->cg) < 0)
		c->cg = NULL;
	ctr_seterrmsg("");
	c->pid_start = r->pid_start;
	return c->cg;
}

/* Forget the cgroups of containers no longer running. */
static void cache_sweep(struct top_sampler *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_cache; i++) {
		if (s->cache[i].seen) {
			s->cache[i].seen = false;
			s->cache[n++] = s->cache[i];
		} else {
			cgroup_free(s->cache[i].cg);
		}
	}
	s->n_cache = n;
}

static int64_t stat_or_na(int64_t v)
{
	if (v == CTR_STAT_UNKNOWN)
		return TOP_NA;
	return v == CTR_STAT_UNLIMITED ? TOP_MAX : v;
}

/* "some avg10=1.23 ..." of a PSI file; -1 when the kernel has none. */
static double psi_some(int fd, const char *file)
{
	char buf[256];
	const char *p;

	if (fd < 0 || cg_read(fd, file, buf, sizeof(buf)) < 0 || strncmp(buf, "some ", 5) != 0)
		return -1;
	p = strstr(buf, "avg10=");
	return p ? strtod(p + 6, NULL) : -1;
}

/* Bytes read and written, summed over the devices of io.stat. */
static void read_io(int fd, struct top_row *r)
{
	char buf[8192];

	if (fd < 0 || cg_read(fd, "io.stat", buf, sizeof(buf)) < 0)
		return;
	r->io_read = r->io_write = 0;
	for (char *p = buf; (p = strstr(p, "bytes=")); p += 6) {
		if (p - buf >= 1 && p[-1] == 'r')
			r->io_read += strtoll(p + 6, NULL, 10);
		else if (p - buf >= 1 && p[-1] == 'w')
			r->io_write += strtoll(p + 6, NULL, 10);
	}
}

static double cpu_limit_v2(int fd)
{
	char buf[64];
	long long quota, period;

	if (fd < 0 || cg_read(fd, "cpu.max", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%lld %lld", &quota, &period) != 2 || period <= 0)
		return -1;
	return (double)quota / (double)period;
}

static double cpu_limit_v1(int fd)
{
	int64_t quota, period;

	if (fd < 0 || cg_read_int(fd, "cpu.cfs_quota_us", &quota) < 0 || quota <= 0 ||
	    cg_read_int(fd, "cpu.cfs_period_us", &period) < 0 || period <= 0)
		return -1;
	return (double)quota / (double)period;
}

static void read_cgroup(struct top_sampler *s, struct top_row *r)
{
	struct ctr_cgroup *cg = cgroup_of(s, r);
	struct ctr_stats st;
	int mem, pids, cpu;
	int64_t v;

	if (!cg)
		return;
	cgroup_read_stats(cg, &st);
	r->v2 = st.v2;
	r->mem_used = stat_or_na(st.mem_current);
	r->mem_peak = stat_or_na(st.mem_peak);
	r->mem_limit = stat_or_na(st.mem_limit);
	r->cpu_ns = stat_or_na(st.cpu_usage_ns);
	r->pids = stat_or_na(st.pids_current);
	r->pids_limit = stat_or_na(st.pids_limit);
	mem = cg_fd(cg, CG_MEMORY);
	pids = cg_fd(cg, CG_PIDS);
	cpu = cg_fd(cg, CG_CPU);
	if (pids >= 0 && cg_read_key(pids, "pids.events", "max", &v) == 0)
		r->counters[TC_PIDS_MAX] = v;
	if (st.v2) {
		if (mem >= 0 && cg_read_key(mem, "memory.events", "oom_kill", &v) == 0)
			r->counters[TC_OOM_KILL] = v;
		if (mem >= 0 && cg_read_key(mem, "memory.events", "max", &v) == 0)
			r->counters[TC_MEM_MAX] = v;
		if (mem >= 0 && cg_read_key(mem, "memory.events", "high", &v) == 0)
			r->counters[TC_MEM_HIGH] = v;
		r->cpu_limit = cpu_limit_v2(cg->h[0].fd);
		r->psi_cpu = psi_some(cg->h[0].fd, "cpu.pressure");
		r->psi_mem = psi_some(cg->h[0].fd, "memory.pressure");
		read_io(cg->h[0].fd, r);
	} else {
		if (mem >= 0 && cg_read_key(mem, "memory.oom_control", "oom_kill", &v) == 0)
			r->counters[TC_OOM_KILL] = v;
		if (mem >= 0 && cg_read_int(mem, "memory.failcnt", &v) == 0)
			r->counters[TC_MEM_MAX] = v;
		r->cpu_limit = cpu_limit_v1(cpu);
	}
}

/* ------------------------------------------------------------ the sample */

static void row_init(struct top_row *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->mem_used = r->mem_limit = r->mem_peak = TOP_NA;
	r->pids = r->pids_limit = r->cpu_ns = TOP_NA;
	r->net_rx = r->net_tx = r->io_read = r->io_write = TOP_NA;
	r->uptime_s = TOP_NA;
	r->cpu_percent = r->cpu_limit = r->net_rx_rate = r->net_tx_rate = -1;
	r->psi_cpu = r->psi_mem = -1;
	for (int i = 0; i < TC_N; i++)
		r->counters[i] = TOP_NA;
	r->exit_code = r->oom = -1;
}

struct name_list {
	char (*v)[TOP_NAME_MAX];
	size_t n;
};

static void names_add(struct name_list *l, const char *name)
{
	if (!name_is_valid(name))
		return;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return;
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!l->v)
		abort();
	snprintf(l->v[l->n++], TOP_NAME_MAX, "%s", name);
}

/* NAME for every NAME/ (and NAME.lock with suffix) in dir. */
static void names_from_dir(struct name_list *l, const char *dir, bool locks)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_DIR) {
			names_add(l, e->d_name);
		} else if (locks && len > 5 && strcmp(e->d_name + len - 5, ".lock") == 0) {
			char n[TOP_NAME_MAX];

			snprintf(n, sizeof(n), "%.*s", (int)(len - 5), e->d_name);
			names_add(l, n);
		}
	}
}

static const struct top_row *prev_row(const struct top_sampler *s, const char *name)
{
	for (size_t i = 0; i < s->n_prev; i++)
		if (strcmp(s->prev[i].name, name) == 0)
			return &s->prev[i];
	return NULL;
}

static void event_add(struct top_sample *smp, const char *name, const char *kind, int64_t count,
		      const char *detail)
{
	struct top_event *e;

	smp->events = realloc(smp->events, (smp->n_events + 1) * sizeof(*smp->events));
	if (!smp->events)
		abort();
	e = &smp->events[smp->n_events++];
	memset(e, 0, sizeof(*e));
	e->time = smp->time;
	e->count = count;
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	snprintf(e->detail, sizeof(e->detail), "%s", detail ? detail : "");
}

static double rate(int64_t now, int64_t before, double dt)
{
	if (now == TOP_NA || before == TOP_NA || dt <= 0 || now < before)
		return -1;
	return (double)(now - before) / dt;
}

/* Rates and events of r against its previous sample p (same run), over
 * the time between their reads (a row carried over keeps its own). */
static void compare(struct top_sample *smp, struct top_row *r, const struct top_row *p)
{
	double dt = p ? r->read_mono - p->read_mono : 0;
	bool same_run = p && p->running && r->running && p->pid_start == r->pid_start;
	bool oom_seen = false;

	if (same_run) {
		double ns = rate(r->cpu_ns, p->cpu_ns, dt);

		r->cpu_percent = ns < 0 ? -1 : ns / 1e7;
		r->net_rx_rate = rate(r->net_rx, p->net_rx, dt);
		r->net_tx_rate = rate(r->net_tx, p->net_tx, dt);
		for (int i = 0; i < TC_N; i++)
			if (r->counters[i] != TOP_NA && p->counters[i] != TOP_NA && r->counters[i] > p->counters[i]) {
				event_add(smp, r->name, top_counter_names[i], r->counters[i] - p->counters[i], NULL);
				oom_seen |= i == TC_OOM_KILL;
			}
	}
	if (r->running && !same_run)
		event_add(smp, r->name, "started", 1, NULL);
	if (p && p->running && !r->running) {
		char d[48];

		if (r->oom == 1)
			snprintf(d, sizeof(d), "OOM-killed");
		else if (r->exit_code >= 0)
			snprintf(d, sizeof(d), "exit %d", r->exit_code);
		else
			snprintf(d, sizeof(d), "gone");
		/* PID 1 killed before a refresh saw the counter move. */
		if (r->oom == 1 && !oom_seen)
			event_add(smp, r->name, "oom_kill", 1, NULL);
		event_add(smp, r->name, "stopped", 1, d);
	}
}

int top_sampler_read(struct top_sampler *s, struct top_sample **out)
{
	struct name_list names = { 0 };
	struct top_sample *smp = xcalloc(1, sizeof(*smp));
	char path[4096];
	double now;

	names_from_dir(&names, s->run_dir, true);
	names_from_dir(&names, s->lib_dir, false);
	smp->time = clock_s(CLOCK_REALTIME);      /* for events and history */
	now = clock_s(CLOCK_MONOTONIC);           /* for rates: no clock steps */
	smp->rows = xcalloc(names.n ? names.n : 1, sizeof(*smp->rows));
	for (size_t i = 0; i < names.n; i++) {
		struct top_row *r = &smp->rows[smp->n];

		row_init(r, names.v[i]);
		r->read_mono = now;
		if (read_running(s, r->name, r)) {
			read_cgroup(s, r);
		} else if (snprintf(path, sizeof(path), "%s/%s.lock", s->run_dir, r->name) > 0 &&
			   lock_held(path)) {
			/* Starting (its layer is made before its state) or
			 * stopping: as it was, or not yet shown. */
			const struct top_row *p = prev_row(s, r->name);

			if (!p)
				continue;
			*r = *p;
			r->cpu_percent = r->net_rx_rate = r->net_tx_rate = -1;
			smp->n++;
			continue;
		} else {
			snprintf(path, sizeof(path), "%s/%s", s->lib_dir, r->name);
			if (access(path, F_OK) != 0)
				continue;   /* starting, or a state left by a dead run */
			r->pid = 0;
			read_last_exit(s, r->name, r);
		}
		read_net(s, r->name, r);
		if (s->primed)
			compare(smp, r, prev_row(s, r->name));
		smp->n++;
	}
	/* Gone altogether (an --rm run ended): stopped, then forgotten. */
	for (size_t i = 0; s->primed && i < s->n_prev; i++) {
		bool found = false;

		for (size_t j = 0; j < smp->n && !found; j++)
			found = strcmp(smp->rows[j].name, s->prev[i].name) == 0;
		if (!found && s->prev[i].running)
			event_add(smp, s->prev[i].name, "stopped", 1, "removed");
	}
	free(names.v);
	cache_sweep(s);
	free(s->prev);
	s->prev = xcalloc(smp->n ? smp->n : 1, sizeof(*s->prev));
	memcpy(s->prev, smp->rows, smp->n * sizeof(*s->prev));
	s->n_prev = smp->n;
	s->primed = true;
	*out = smp;
	return 0;
}
