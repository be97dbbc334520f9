/* SPDX-License-Identifier: MIT */
/*
 * cgroup.c: find the hierarchies (mountinfo), create, join, empty and
 * remove the container's cgroup(s), clean up after dead supervisors, and
 * the stats reader.  What each cgroup version writes is in cgroup-v1.c and
 * cgroup-v2.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <time.h>

#include "cgroup-internal.h"
#include "cgroup-limits.h"
#include "state.h"
#include "util.h"

static const char *const cg_ctrl_names[CG_NCTRL] = {
	"memory", "cpu", "cpuacct", "pids", "devices", "freezer",
};

const struct cg_dev cg_dev_allow[] = {
	{ 'c', 1, 3 }, { 'c', 1, 5 }, { 'c', 1, 7 }, { 'c', 1, 8 }, { 'c', 1, 9 },  /* null zero full random urandom */
	{ 'c', 5, 0 }, { 'c', 5, 1 }, { 'c', 5, 2 },                                /* tty console ptmx */
	{ 'c', 136, -1 },                                                           /* pts */
};
const size_t cg_dev_allow_n = ARRAY_SIZE(cg_dev_allow);

#define CG_MOUNTINFO "/proc/self/mountinfo"
/* CG_MARKER (cgroup-internal.h): an empty child of a provisioned cgroup in
 * every hierarchy: it says "provisioned" (whatever CTR_RUN_DIR a caller
 * uses), and it makes every rmdir of the cgroup fail but remove_tree's
 * (the stale clean-up of an unprovisioned start never removes it). */

/* Test hook, only in a test build (-DCTR_TEST_HOOKS, docs/testing.md):
 * CTR_TEST_MOUNTINFO replaces it; a mountinfo that lists just the (empty)
 * cgroup2 mount of a hybrid host exercises the v2 code on a v1 machine. */
static const char *mountinfo_path(void)
{
#ifdef CTR_TEST_HOOKS
	const char *p = getenv("CTR_TEST_MOUNTINFO");

	if (p && *p)
		return p;
#endif
	return CG_MOUNTINFO;
}
#define CG_RETRIES 500              /* of CG_RETRY_NS: 5 s */
#define CG_RETRY_NS (10 * 1000 * 1000)
#define CG_CREATE_TRIES 20          /* 200 ms for a busy leftover */

static void pause_briefly(void)
{
	struct timespec ts = { 0, CG_RETRY_NS };

	nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------- files */

int cg_fd(const struct ctr_cgroup *cg, enum cg_ctrl c)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].ctrls & CG_BIT(c))
			return cg->h[i].fd;
	return -1;
}

/* The path of that directory (for messages); "" when none. */
static const char *cg_path(const struct ctr_cgroup *cg, enum cg_ctrl c)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].ctrls & CG_BIT(c))
			return cg->h[i].path;
	return "";
}

bool cg_has(const struct ctr_cgroup *cg, enum cg_ctrl c, const char *file)
{
	int fd = cg_fd(cg, c);

	return fd >= 0 && faccessat(fd, file, F_OK, 0) == 0;
}

int cg_write(const struct ctr_cgroup *cg, enum cg_ctrl c, const char *file, const char *fmt, ...)
{
	char val[128];
	_cleanup_close_ int fd = -1;
	int dfd = cg_fd(cg, c), len;
	va_list ap;

	va_start(ap, fmt);
	len = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (dfd < 0)
		return ctr_failx(-ENOENT, "set %s: no %s cgroup controller is mounted", file, cg_ctrl_names[c]);
	fd = openat(dfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return ctr_fail(-errno, "set %s in %s", file, cg_path(cg, c));
	if (write(fd, val, (size_t)len) != len)
		return ctr_fail(errno ? -errno : -EIO, "set %s to %s in %s", file, val, cg_path(cg, c));
	return 0;
}

int cg_read(int dirfd, const char *file, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return -errno;
	len = read_full(fd, buf, size - 1);
	if (len < 0)
		return (int)len;
	buf[len] = '\0';
	return (int)len;
}

static int parse_value(const char *s, int64_t *v)
{
	char *end;
	long long n;

	while (isspace((unsigned char)*s))
		s++;
	if (strncmp(s, "max", 3) == 0 && (s[3] == '\0' || isspace((unsigned char)s[3]))) {
		*v = CG_UNLIMITED;
		return 0;
	}
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || end == s || (*end && !isspace((unsigned char)*end)))
		return -EINVAL;
	*v = n;
	return 0;
}

int cg_read_int(int dirfd, const char *file, int64_t *v)
{
	char buf[64];
	int r = cg_read(dirfd, file, buf, sizeof(buf));

	return r < 0 ? r : parse_value(buf, v);
}

int cg_read_key(int dirfd, const char *file, const char *key, int64_t *v)
{
	char buf[4096];
	size_t klen = strlen(key);
	int r = cg_read(dirfd, file, buf, sizeof(buf));

	if (r < 0)
		return r;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			return parse_value(line + klen + 1, v);
	return -ENOENT;
}

int cg_swap_unaccounted(const struct ctr_cgroup *cg, const struct ctr_limits *l,
			const char *file, const char *hint)
{
	_cleanup_free_ char *swaps = NULL;
	bool has_swap = read_file("/proc/swaps", &swaps) == 0;
	const char *nl = has_swap ? strchr(swaps, '\n') : NULL;
	bool active = nl && nl[1];   /* a line after the header */

	if (l->memory_swap == LIMITS_UNLIMITED)
		return 0;
	if (l->memory_swap == LIMITS_UNSET) {
		if (active)
			ctr_warn(cg->name, "warning: this kernel does not account swap (no %s): "
				 "the container may swap beyond --memory", file);
		return 0;
	}
	if (!has_swap) {
		ctr_warn(cg->name, "warning: --memory-swap ignored: this kernel has no swap (no /proc/swaps)");
		return 0;
	}
	return ctr_failx(-EOPNOTSUPP, "--memory-swap: this kernel does not account swap (no %s%s)", file, hint);
}

int cg_write_memory(struct ctr_cgroup *cg, const struct ctr_limits *l, const struct cg_memory_files *f)
{
	int64_t total;
	int r;

	if (l->memory < 0)
		return 0;
	r = cg_write(cg, CG_MEMORY, f->limit, "%lld", (long long)l->memory);
	if (r < 0)
		return r;
	if (!cg_has(cg, CG_MEMORY, f->swap))
		return cg_swap_unaccounted(cg, l, f->swap, f->hint);
	if (l->memory_swap == LIMITS_UNLIMITED)
		return cg_write(cg, CG_MEMORY, f->swap, "%s", f->swap_unlimited);
	total = l->memory_swap == LIMITS_UNSET ? l->memory : l->memory_swap;
	return cg_write(cg, CG_MEMORY, f->swap, "%lld",
			(long long)(f->swap_includes_memory ? total : total - l->memory));
}

/* ------------------------------------------------------------- layout */

struct cg_layout {
	char *v2_mount;                 /* first cgroup2 mount */
	struct { char *mount; unsigned ctrls; } v1[CG_NCTRL];
	size_t n_v1;                    /* v1 hierarchies with controllers ctr uses */
};

static void layout_free(struct cg_layout *lo)
{
	free(lo->v2_mount);
	for (size_t i = 0; i < lo->n_v1; i++)
		free(lo->v1[i].mount);
}

/* The controllers ctr uses among a v1 mount's super options ("rw,cpu,cpuacct"). */
static unsigned ctrls_in_list(char *list, const char *seps)
{
	unsigned mask = 0;
	char *save = NULL;

	for (char *tok = strtok_r(list, seps, &save); tok; tok = strtok_r(NULL, seps, &save))
		for (int c = 0; c < CG_NCTRL; c++)
			if (strcmp(tok, cg_ctrl_names[c]) == 0)
				mask |= CG_BIT(c);
	return mask;
}

static void layout_add_line(struct cg_layout *lo, char *line)
{
	char *sep = strstr(line, " - "), *save = NULL, *mnt = NULL, *fstype, *super;
	unsigned mask, seen = 0;

	if (!sep)
		return;
	*sep = '\0';
	/* id parent major:minor root MOUNTPOINT ... - FSTYPE SOURCE SUPEROPTS */
	strtok_r(line, " ", &save);
	for (int i = 0; i < 4; i++)
		mnt = strtok_r(NULL, " ", &save);
	fstype = strtok_r(sep + 3, " \n", &save);
	strtok_r(NULL, " \n", &save);
	super = strtok_r(NULL, " \n", &save);
	if (!mnt || !fstype || !super)
		return;
	unescape_mountinfo(mnt);
	if (strcmp(fstype, "cgroup2") == 0) {
		if (!lo->v2_mount)
			lo->v2_mount = xstrdup(mnt);
		return;
	}
	if (strcmp(fstype, "cgroup") != 0)
		return;
	mask = ctrls_in_list(super, ",");
	for (size_t i = 0; i < lo->n_v1; i++)
		seen |= lo->v1[i].ctrls;
	/* Not ours, or another mount of a hierarchy seen already. */
	if (!mask || (mask & seen) || lo->n_v1 >= CG_NCTRL)
		return;
	lo->v1[lo->n_v1].mount = xstrdup(mnt);
	lo->v1[lo->n_v1].ctrls = mask;
	lo->n_v1++;
}

/* v1 when any v1 hierarchy carries a controller ctr uses (pure v1 or
 * hybrid, whose cgroup2 mount has no controllers); else v2. */
static int layout_read(const char *mountinfo, struct cg_layout *lo)
{
	_cleanup_fclose_ FILE *f = fopen(mountinfo, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	memset(lo, 0, sizeof(*lo));
	if (!f)
		return ctr_fail(-errno, "cgroups: read %s", mountinfo);
	while (getline(&line, &cap, f) > 0)
		layout_add_line(lo, line);
	if (lo->n_v1 == 0 && !lo->v2_mount)
		return ctr_failx(-ENOENT, "cgroups: no cgroup hierarchy is mounted (see %s)", mountinfo);
	return 0;
}

/* The controllers a v2 hierarchy offers (cpu.stat's usage is always there). */
static unsigned v2_ctrls(const char *mount)
{
	_cleanup_close_ int fd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[512];

	if (fd < 0 || cg_read(fd, "cgroup.controllers", buf, sizeof(buf)) < 0)
		return CG_BIT(CG_CPUACCT);
	return (ctrls_in_list(buf, " \n") & (CG_BIT(CG_MEMORY) | CG_BIT(CG_CPU) | CG_BIT(CG_PIDS))) |
	       CG_BIT(CG_CPUACCT);
}

/* "ctr", "/a/b/" -> "a/b"; no empty, "." or ".." components. */
int cg_parent_normalise(const char *in, const char *def, const char *what, char **out)
{
	_cleanup_free_ char *p = NULL;
	char *s, *e, *comp, *save = NULL;

	if (!in || !*in)
		in = def;
	p = xstrdup(in);
	for (s = p; *s == '/'; s++)
		;
	for (e = s + strlen(s); e > s && e[-1] == '/'; e--)
		;
	*e = '\0';
	if (!*s || strstr(s, "//"))
		return ctr_failx(-EINVAL, "bad %s '%s': expected a relative cgroup path like %s or a/b", what, in, def);
	{
		_cleanup_free_ char *copy = xstrdup(s);

		for (comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save))
			if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0)
				return ctr_failx(-EINVAL, "bad %s '%s': no . or .. allowed", what, in);
	}
	*out = xstrdup(s);
	return 0;
}

void cg_set_parent(struct ctr_cgroup *cg, const char *parent)
{
	_cleanup_free_ char *marker = NULL;
	char *copy = xstrdup(parent);   /* parent may be cg->parent itself */

	free(cg->parent);
	cg->parent = copy;
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->h[i].path);
		cg->h[i].path = xasprintf("%s/%s/%s", cg->h[i].mount, cg->parent, cg->name);
	}
	marker = xasprintf("%s/" CG_MARKER, cg->h[0].path);
	cg->provisioned = access(marker, F_OK) == 0;
}

struct ctr_cgroup *cg_copy_at(const struct ctr_cgroup *cg, const char *dir)
{
	struct ctr_cgroup *c = xcalloc(1, sizeof(*c));

	c->v2 = cg->v2;
	c->name = xstrdup(cg->name);
	c->parent = xstrdup(dir);
	c->dev_link = -1;
	c->n = cg->n;
	for (size_t i = 0; i < cg->n; i++) {
		c->h[i].mount = xstrdup(cg->h[i].mount);
		c->h[i].ctrls = cg->h[i].ctrls;
		c->h[i].path = xasprintf("%s/%s", cg->h[i].mount, dir);
		c->h[i].fd = c->h[i].top = -1;
	}
	return c;
}

int cg_open_dirs(struct ctr_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		if (cg->h[i].fd >= 0)
			continue;
		cg->h[i].fd = open(cg->h[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg->h[i].fd < 0)
			return ctr_fail(-errno, "open cgroup %s", cg->h[i].path);
	}
	return 0;
}

/* The container's cgroup, not yet opened: one entry per hierarchy used. */
int cg_new(const struct ctr_config *cfg, const char *name, struct ctr_cgroup **out)
{
	_cleanup_free_ char *parent = NULL, *uparent = NULL, *user = NULL;
	struct cg_layout lo;
	struct ctr_cgroup *cg;
	int r;

	if (!name || !name_is_valid(name))
		return ctr_failx(-EINVAL, "cgroup: bad container name '%s'", name ? name : "");
	r = cg_parent_normalise(cfg->cgroup_parent, "ctr", "CTR_CGROUP_PARENT", &parent);
	if (r == 0)
		r = cg_parent_normalise(cfg->user_cgroup_parent, "ctr-users", "CTR_USER_CGROUP_PARENT", &uparent);
	if (r < 0)
		return r;
	r = layout_read(mountinfo_path(), &lo);
	if (r < 0) {
		layout_free(&lo);
		return r;
	}
	cg = xcalloc(1, sizeof(*cg));
	cg->name = xstrdup(name);
	cg->parent = ctr_steal_ptr(&parent);
	cg->record = xasprintf("%s/%s.cgroup", cfg->run_dir, name);
	cg->cpu_base = xasprintf("%s/%s/cgroup-cpu-base", cfg->run_dir, name);
	cg->uparent = ctr_steal_ptr(&uparent);
	cg->dev_link = -1;
	cg->v2 = lo.n_v1 == 0;
	if (cg->v2) {
		cg->h[0].mount = ctr_steal_ptr(&lo.v2_mount);
		cg->h[0].ctrls = v2_ctrls(cg->h[0].mount);
		cg->n = 1;
	} else {
		for (size_t i = 0; i < lo.n_v1; i++) {
			cg->h[i].mount = ctr_steal_ptr(&lo.v1[i].mount);
			cg->h[i].ctrls = lo.v1[i].ctrls;
		}
		cg->n = lo.n_v1;
	}
	for (size_t i = 0; i < cg->n; i++) {
		cg->h[i].fd = cg->h[i].top = -1;
		cg->h[i].path = xasprintf("%s/%s/%s", cg->h[i].mount, cg->parent, name);
	}
	layout_free(&lo);
	r = cg_owner_find(cfg, cg->h[0].mount, cg->parent, cg->uparent, name, &user);
	if (r < 0) {
		cgroup_free(cg);
		return r;
	}
	if (user) {
		_cleanup_free_ char *p = xasprintf("%s/%s", cg->uparent, user);

		cg->user = ctr_steal_ptr(&user);
		cg_set_parent(cg, p);
	} else {
		cg_set_parent(cg, cg->parent);
	}
	*out = cg;
	return 0;
}

void cgroup_free(struct ctr_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->h[i].mount);
		free(cg->h[i].path);
		if (cg->h[i].fd >= 0)
			close(cg->h[i].fd);
		if (cg->h[i].top >= 0)
			close(cg->h[i].top);
	}
	if (cg->dev_link >= 0)
		close(cg->dev_link);
	free(cg->record);
	free(cg->cpu_base);
	free(cg->name);
	free(cg->parent);
	free(cg->uparent);
	free(cg->user);
	free(cg);
}

/* ------------------------------------------------- emptying, removing */

/* A listing of the directory fd (which stays open and usable). */
static DIR *list_dir(int fd)
{
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = copy < 0 ? NULL : fdopendir(copy);

	if (!d && copy >= 0)
		close(copy);
	return d;
}

/* SIGKILL what is in the cgroup (cgroup.kill when the kernel has it and
 * we may write it: not so for an owner's run, nor for root in an owner's
 * cgroup) and wait until it is empty.  Only pids listed in this cgroup are
 * signalled; root in an owner's cgroup kills only hers (cg_owner_kill). */
int cg_kill_all(int fd, const char *path, const struct ctr_cgroup *cg)
{
	bool owned = cg && cg->user && geteuid() == 0;
	bool has_kill = !owned && faccessat(fd, "cgroup.kill", W_OK, 0) == 0;

	for (int i = 0; i < CG_RETRIES; i++) {
		_cleanup_free_ char *procs = NULL;
		int r = read_file_at(fd, "cgroup.procs", &procs);
		long stranger = 0;
		uid_t foreign = 0;
		bool killed = false;

		if (r == -ENOENT || r == -ENODEV)
			return 0;
		if (r < 0)
			return r;
		if (!procs[0])
			return 0;
		if (has_kill) {
			r = write_file_at(fd, "cgroup.kill", "1");
			if (r < 0)
				return r;
		} else {
			for (char *s = procs, *end; *s; s = end) {
				long pid = strtol(s, &end, 10);

				if (end == s)
					break;
				/* Never 0, 1 or ourselves, whatever the file says. */
				if (pid <= 1 || pid == getpid())
					continue;
				if (!owned)
					kill((pid_t)pid, SIGKILL);
				else if (cg_owner_kill(cg, (pid_t)pid, &foreign) == 0)
					stranger = pid;
				else
					killed = true;
			}
		}
		if (stranger && !killed)
			return ctr_failx(-EBUSY, "empty cgroup %s: process %ld (uid %d) is not %s's: not killed, the cgroup stays",
					 path, stranger, (int)foreign, cg->user);
		pause_briefly();
	}
	return ctr_failx(-EBUSY, "empty cgroup %s: processes still run after SIGKILL", path);
}

/* The usual end: PID 1 is reaped and nothing else ran, so the cgroup is
 * empty and one rmdir removes it (the kernel refuses, EBUSY, while a task
 * or a sub-cgroup is left: then remove_tree). */
static bool remove_if_empty(int pfd, const char *name)
{
	return unlinkat(pfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT;
}

/* Empty and remove the cgroup NAME under pfd, its sub-cgroups first. */
static int remove_tree(int pfd, const char *name, const char *path, const struct ctr_cgroup *cg)
{
	_cleanup_close_ int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int r = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : ctr_fail(-errno, "open cgroup %s", path);
	d = list_dir(fd);
	if (!d)
		return ctr_fail(-errno, "list cgroup %s", path);
	while ((de = readdir(d)) && r == 0) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sub = xasprintf("%s/%s", path, de->d_name);
		r = remove_tree(fd, de->d_name, sub, cg);
	}
	if (r < 0)
		return r;
	r = cg_kill_all(fd, path, cg);
	if (r < 0)
		return r;
	/* EBUSY while a child just removed goes offline (an RCU grace
	 * period, a few ms) or the last task exits: polled every ms, 5 s. */
	for (int i = 0; i < CG_RETRIES * 10; i++) {
		struct timespec ms = { 0, 1000 * 1000 };

		if (unlinkat(pfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		nanosleep(&ms, NULL);
	}
	return ctr_fail(-errno, "remove cgroup %s", path);
}

void cg_remove_parent(const char *mount, const char *parent)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", mount, parent);
	size_t mlen = strlen(mount);

	for (;;) {
		char *slash;

		if (rmdir(p) < 0 && errno != ENOENT)
			return;
		slash = strrchr(p, '/');
		if (!slash || (size_t)(slash - p) <= mlen)
			return;
		*slash = '\0';
	}
}

/* Remove NAME under pfd when no ctr-enter holds its lock and no process is
 * in it.  0 removed; -EBUSY in use; other -errno.  Nothing recorded. */
static int remove_if_unused(int pfd, const char *name)
{
	_cleanup_close_ int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[16];
	int n;

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return -EBUSY;
	n = cg_read(fd, "cgroup.procs", buf, sizeof(buf));
	if (n != 0)
		return n < 0 ? n : -EBUSY;
	if (unlinkat(pfd, name, AT_REMOVEDIR) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

/* After a kill -9 of a supervisor: remove the empty cgroups of containers
 * whose supervisor is gone.  Only directly under the parent, only names
 * ctr could have made, never a non-empty one. */
static void remove_stale(int pfd, const char *self)
{
	_cleanup_closedir_ DIR *d = list_dir(pfd);
	struct dirent *de;

	if (!d)
		return;
	/* A provisioned cgroup is never removed here: its marker child makes
	 * the rmdir fail. */
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && name_is_valid(de->d_name) && strcmp(de->d_name, self) != 0)
			remove_if_unused(pfd, de->d_name);
}

/* ------------------------------------------------------------ creating */

/* Make mount/PARENT/NAME fresh and hold its lock.  A leftover NAME from a
 * dead supervisor is removed when empty; a concurrent clean-up that removes
 * the parent or our new directory under us is retried. */
static int create_dir(struct ctr_cgroup *cg, struct cg_hier *h)
{
	_cleanup_free_ char *ppath = xasprintf("%s/%s", h->mount, cg->parent);

	for (int attempt = 0; attempt < CG_CREATE_TRIES; attempt++) {
		_cleanup_close_ int pfd = -1, fd = -1;
		int r = cg->v2 ? cg_v2_enable(h->mount, cg->parent, cg->needed) : mkdir_p(ppath, 0755);

		if (r < 0)
			return r;
		pfd = open(ppath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0) {
			if (errno == ENOENT)
				continue;
			return ctr_fail(-errno, "open cgroup %s", ppath);
		}
		/* Not among an owner's: her session leaf is no container. */
		if (!cg->user)
			remove_stale(pfd, cg->name);
		if (mkdirat(pfd, cg->name, 0755) < 0) {
			if (errno == ENOENT)
				continue;
			if (errno != EEXIST)
				return ctr_fail(-errno, "create cgroup %s", h->path);
			/* A dead supervisor's leftover, or another start's clean-up
			 * looking at it right now (then it goes in a moment). */
			r = remove_if_unused(pfd, cg->name);
			if (r == -EBUSY && attempt + 1 == CG_CREATE_TRIES)
				return ctr_failx(-EBUSY, "create cgroup %s: it exists and is in use (is container %s running?)",
						 h->path, cg->name);
			if (r < 0 && r != -ENOENT && r != -EBUSY)
				return ctr_fail(r, "remove the old cgroup %s", h->path);
			if (r < 0)
				pause_briefly();
			continue;
		}
		fd = openat(pfd, cg->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 ||
		    faccessat(fd, "cgroup.procs", F_OK, 0) < 0) {
			pause_briefly();   /* another start's clean-up took it: make it again */
			continue;
		}
		h->fd = ctr_steal_fd(&fd);
		return 0;
	}
	return ctr_failx(-EAGAIN, "create cgroup %s: it keeps disappearing (concurrent clean-up)", h->path);
}

static bool cg_serves(const struct ctr_cgroup *cg, enum cg_ctrl c)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].ctrls & CG_BIT(c))
			return true;
	return false;
}

/* Note the controllers the limits need; fail when the host lacks one. */
static int check_controllers(struct ctr_cgroup *cg, const struct ctr_limits *l)
{
	static const struct { enum cg_ctrl c; const char *opt; } need[] = {
		{ CG_MEMORY, "--memory" }, { CG_CPU, "--cpus/--cpu-shares" }, { CG_PIDS, "--pids-limit" },
	};
	bool wants[] = {
		l->memory != LIMITS_UNSET || l->memory_swap != LIMITS_UNSET,
		l->cpu_quota_us != LIMITS_UNSET || l->cpu_shares != LIMITS_UNSET,
		l->pids_limit != LIMITS_UNSET,
	};

	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		if (!wants[i])
			continue;
		if (!cg_serves(cg, need[i].c))
			return ctr_failx(-EOPNOTSUPP, "%s: this host has no %s cgroup controller",
					 need[i].opt, cg_ctrl_names[need[i].c]);
		cg->needed |= CG_BIT(need[i].c);
	}
	return 0;
}

static void cgroup_destroyp(struct ctr_cgroup **cg)
{
	if (*cg) {
		struct ctr_error undo = CTR_ERROR_INIT;

		/* Keep the message of the failure that got us here. */
		ctr_error_local(&undo);
		cgroup_destroy(*cg);
		ctr_error_release(&undo);
	}
}

/* The version's limits and devices, then pids.max (the same file on v1
 * and v2). */
static int apply_limits(struct ctr_cgroup *cg, const struct ctr_config *cfg)
{
	int r = cg->v2 ? cg_v2_apply(cg, cfg) : cg_v1_apply(cg, cfg);

	if (r == 0 && cfg->limits.pids_limit > 0)
		r = cg_write(cg, CG_PIDS, "pids.max", "%lld", (long long)cfg->limits.pids_limit);
	return r;
}

/* The limits checked, then NAME's cgroup (not yet opened). */
static int cg_new_checked(const struct ctr_config *cfg, struct ctr_cgroup **out)
{
	int r = limits_check(&cfg->limits);

	return r < 0 ? r : cg_new(cfg, cfg->name, out);
}

/* The controllers the limits need, then a fresh directory in every
 * hierarchy (owned: cgroup_destroy removes them on a failure). */
static int make_dirs(struct ctr_cgroup *cg, const struct ctr_limits *l)
{
	int r = check_controllers(cg, l);

	if (r < 0)
		return r;
	cg->owner = true;
	for (size_t i = 0; i < cg->n && r == 0; i++)
		r = create_dir(cg, &cg->h[i]);
	return r;
}

/* ------------------------------------------------------- provisioning */

/* A provisioned cgroup keeps its own limits (the ceiling); a run that
 * tightens them gets the child CG_RUN_CHILD below it, removed at its end,
 * so the next run starts from the ceiling again. */
#define CG_RUN_CHILD "run"

/* fd (CG_RUN_CHILD under h->fd) becomes where PID 1 goes. */
static void use_child(struct cg_hier *h, int fd)
{
	char *path = xasprintf("%s/" CG_RUN_CHILD, h->path);

	h->top = h->fd;
	h->fd = fd;
	free(h->path);
	h->path = path;
}

static int read_ceiling(const struct ctr_cgroup *cg, struct ctr_limits *ceil)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_regular(cg->record, &text);

	if (r == -ENOENT)
		return 1;   /* another CTR_RUN_DIR: the kernel still holds the ceiling */
	if (r < 0)
		return ctr_fail(r, "read the provisioned limits %s", cg->record);
	if (limits_parse_record(text, ceil) < 0)
		return ctr_failx(-EINVAL, "read the provisioned limits %s: not a limits record", cg->record);
	return 0;
}

/* v1: the provisioned directory denies every device but the allow-list
 * (written at provisioning, and never changed: the kernel refuses a change
 * of the default once the directory has a child, its marker); a
 * --privileged run adds the exceptions "c *:* rwm" and "b *:* rwm" (a child
 * cannot have more than its parent), the next run that is not privileged
 * takes them out again: both denies are always written (each exception on
 * its own: one may be there without the other), an allow only when it is
 * missing. */
static int v1_provisioned_devices(struct ctr_cgroup *cg, const struct ctr_config *cfg)
{
	static const char *const all[] = { "c *:* rwm", "b *:* rwm" };
	int fd = cg_fd(cg, CG_DEVICES), r = 0;
	char buf[1024];
	bool listed;

	if (cg->v2 || fd < 0)
		return 0;
	listed = cg_read(fd, "devices.list", buf, sizeof(buf)) > 0;
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(all); i++) {
		if (!cfg->privileged)
			r = cg_write(cg, CG_DEVICES, "devices.deny", "%s", all[i]);
		else if (!listed || !strstr(buf, all[i]))
			r = cg_write(cg, CG_DEVICES, "devices.allow", "%s", all[i]);
	}
	return r;
}

/* The per-run child in every hierarchy (on v2 with the controllers
 * enabled in the provisioned directory's subtree_control). */
static int make_run_child(struct ctr_cgroup *cg)
{
	if (cg->v2) {
		_cleanup_free_ char *rel = xasprintf("%s/%s", cg->parent, cg->name);
		int r = cg_v2_enable(cg->h[0].mount, rel, cg->needed);

		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < cg->n; i++) {
		int fd;

		/* A stale child (a run killed before its end): removed and
		 * made again, never reused with an old run's limits. */
		int made = mkdirat(cg->h[i].fd, CG_RUN_CHILD, 0755);

		if (made < 0 && errno == EEXIST) {
			_cleanup_free_ char *path = xasprintf("%s/" CG_RUN_CHILD, cg->h[i].path);
			int r = remove_tree(cg->h[i].fd, CG_RUN_CHILD, path, cg);

			if (r < 0)
				return r;
			if (mkdirat(cg->h[i].fd, CG_RUN_CHILD, 0755) < 0)
				return ctr_fail(-errno, "create cgroup %s", path);
		} else if (made < 0) {
			return ctr_fail(-errno, "create cgroup %s/" CG_RUN_CHILD, cg->h[i].path);
		}
		fd = openat(cg->h[i].fd, CG_RUN_CHILD, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return ctr_fail(-errno, "open cgroup %s/" CG_RUN_CHILD, cg->h[i].path);
		use_child(&cg->h[i], fd);
	}
	return 0;
}

/* This run's figures start at zero where the kernel lets us reset them
 * (v1: cpuacct.usage, the memory high-water mark and failcnt); v2 notes
 * where the CPU time stood (its memory.peak stays the cgroup's own). */
static void reset_stats(struct ctr_cgroup *cg)
{
	int fd;

	if (cg->v2) {
		cg_v2_mark_cpu_base(cg);
		return;
	}
	if ((fd = cg_fd(cg, CG_CPUACCT)) >= 0)
		write_file_at(fd, "cpuacct.usage", "0");
	if ((fd = cg_fd(cg, CG_MEMORY)) >= 0) {
		write_file_at(fd, "memory.max_usage_in_bytes", "0");
		write_file_at(fd, "memory.failcnt", "0");
	}
	ctr_seterrmsg("");
}

/* A run's CPU time so far, in ns (v1 cpuacct.usage, v2 cpu.stat). */
static int cpu_usage_ns(struct ctr_cgroup *cg, int64_t *ns)
{
	int fd = cg_fd(cg, CG_CPUACCT);
	int r;

	if (fd < 0)
		return -ENOENT;
	if (!cg->v2)
		return cg_read_int(fd, "cpuacct.usage", ns);
	r = cg_read_key(fd, "cpu.stat", "usage_usec", ns);
	if (r == 0)
		*ns *= 1000;
	return r;
}

/* A run by the owner (not root) may write nothing but the procs files
 * (cg_owner_grant): its figures start where the cgroup's CPU time stood,
 * noted in its state directory (cg->cpu_base), and --stats subtracts it.
 * The memory high-water mark stays the cgroup's own (v1
 * max_usage_in_bytes, v2 memory.peak). */
static void note_cpu_base(struct ctr_cgroup *cg)
{
	char buf[24];
	int64_t ns;

	if (cpu_usage_ns(cg, &ns) == 0 &&
	    write_atomic(cg->cpu_base, buf, (size_t)snprintf(buf, sizeof(buf), "%lld", (long long)ns)) < 0)
		ctr_warn(cg->name, "warning: %s: --stats will show the CPU time of earlier runs too",
			 ctr_errmsg());
	ctr_seterrmsg("");
}

/* A start of a provisioned container: open its directories and hold their
 * locks (the previous run's leftovers were removed by the clean-up before,
 * lifecycle.c); tighter limits of this run go into a child.  The owner
 * (not root) joins it and writes nothing else. */
static int join_provisioned(struct ctr_cgroup *cg, const struct ctr_config *cfg)
{
	const struct ctr_limits *l = &cfg->limits;
	struct ctr_config run_cfg = *cfg;
	bool root = geteuid() == 0;
	int r;

	if (!root && limits_any(l))
		return ctr_failx(-EPERM, "per-run limits (--memory, --cpus, ...) need root: the provisioned ceiling applies "
				 "(sudo netns-setup destroy and create %s with other limits)", cg->name);

	for (size_t i = 0; i < cg->n; i++) {
		cg->h[i].fd = open(cg->h[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg->h[i].fd < 0)
			return ctr_fail(-errno, "open the provisioned cgroup %s (netns-setup destroy and create it again)",
					cg->h[i].path);
		if (flock(cg->h[i].fd, LOCK_EX | LOCK_NB) < 0)
			return ctr_failx(-EBUSY, "cgroup %s is in use by another ctr-enter", cg->h[i].path);
	}
	/* Ours only now that every lock is held: a failed start must not
	 * kill (cgroup_destroy) the run that holds them. */
	cg->owner = true;
	if (!root) {
		/* v1: the devices were denied at provisioning; v2: no device
		 * filter (loading one needs CAP_BPF and CAP_NET_ADMIN); the
		 * owner's user namespace gets no device node anyway: mknod
		 * needs CAP_MKNOD in the initial namespace (vfs_mknod). */
		note_cpu_base(cg);
		cg->oom_base = cg->v2 ? cg_v2_oom_count(cg) : cg_v1_oom_count(cg);
		return 0;
	}
	if ((r = v1_provisioned_devices(cg, cfg)) < 0)
		return r;
	if (limits_any(l)) {
		struct ctr_limits ceil;

		if ((r = read_ceiling(cg, &ceil)) < 0 || (r == 0 && (r = limits_within(l, &ceil)) < 0) ||
		    (r = check_controllers(cg, l)) < 0 || (r = make_run_child(cg)) < 0)
			return r;
	} else {
		reset_stats(cg);
	}
	/* The OOM verdict counts this run's kills only. */
	cg->oom_base = cg->v2 ? cg_v2_oom_count(cg) : cg_v1_oom_count(cg);
	if (cg->v2)
		return apply_limits(cg, cfg);
	run_cfg.privileged = true;   /* the devices: above */
	return apply_limits(cg, &run_cfg);
}

/* The end of a run (or the clean-up after a killed one): what is left is
 * killed, the per-run child goes, the provisioned directory stays (unless
 * netns-setup destroy removed its record meanwhile: then it goes too). */
static int end_provisioned(struct ctr_cgroup *cg)
{
	int ret = 0;
	bool kept;

	{
		int top = cg->h[0].top >= 0 ? cg->h[0].top : cg->h[0].fd;

		kept = top >= 0 && faccessat(top, CG_MARKER, F_OK, 0) == 0;
	}

	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		int top = h->top >= 0 ? h->top : h->fd;
		int r = 0;

		if (h->top >= 0) {
			if (unlinkat(h->top, CG_RUN_CHILD, AT_REMOVEDIR) < 0 && errno != ENOENT)
				r = remove_tree(h->top, CG_RUN_CHILD, h->path, cg);
			if (cg->v2)
				cg_v2_disable(h->top);
		} else if (top >= 0) {
			r = cg_kill_all(top, h->path, cg);
			/* Controllers a run enabled before it was killed
			 * (between cg_v2_enable and its child's mkdir) would
			 * make every later start without a child fail. */
			if (cg->v2)
				cg_v2_disable(top);
		}
		if (r == 0 && !kept) {
			_cleanup_free_ char *ppath = xasprintf("%s/%s", h->mount, cg->parent);
			_cleanup_close_ int pfd = open(ppath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			r = pfd < 0 ? 0 : remove_tree(pfd, cg->name, ppath, cg);
			cg_remove_parent(h->mount, cg->parent);
		}
		if (r < 0 && ret == 0)
			ret = r;
	}
	cgroup_free(cg);
	return ret;
}

/* --owner: NAME is nobody's yet (not under CTR_CGROUP_PARENT either), the
 * owner is a user and not root; her ceiling is made or raised. */
static int provision_owned(struct ctr_cgroup *cg, const struct ctr_config *cfg)
{
	_cleanup_free_ char *plain = NULL, *marker = NULL;
	int r = cg_parent_normalise(cfg->cgroup_parent, "ctr", "CTR_CGROUP_PARENT", &plain);

	if (r < 0)
		return r;
	marker = xasprintf("%s/%s/%s/" CG_MARKER, cg->h[0].mount, plain, cfg->name);
	if (access(marker, F_OK) == 0)
		return ctr_failx(-EEXIST, "provision: cgroup %s/%s/%s is provisioned already, without an owner (netns-setup destroy %s first)",
				 cg->h[0].mount, plain, cfg->name, cfg->name);
	r = cg_owner_check(cg);
	return r < 0 ? r : cg_owner_prepare(cg, cfg);
}

/* The body of cgroup_provision: the directories, the ceiling, the
 * marker, the owner's rights, the record.  On a failure the caller
 * removes what was made. */
static int provision(struct ctr_cgroup *cg, const struct ctr_config *cfg)
{
	struct ctr_config ceiling = *cfg;
	char text[512];
	int r;

	if (cg->provisioned || access(cg->record, F_OK) == 0)
		return ctr_failx(-EEXIST, "provision: cgroup %s is provisioned already (netns-setup destroy %s first)",
				 cg->h[0].path, cfg->name);
	if (cfg->owner && (r = provision_owned(cg, cfg)) < 0)
		return r;
	if ((r = make_dirs(cg, &cfg->limits)) < 0)
		return r;
	/* v1: the devices outside the allow-list denied (a --privileged run
	 * allows them, the next run denies them again); v2: each run attaches
	 * its device filter. */
	ceiling.privileged = cg->v2;
	if ((r = apply_limits(cg, &ceiling)) < 0)
		return r;
	/* The marker last: v1 refuses the devices' default once there is a child. */
	for (size_t i = 0; i < cg->n; i++)
		if (mkdirat(cg->h[i].fd, CG_MARKER, 0755) < 0)
			return ctr_fail(-errno, "provision: create cgroup %s/" CG_MARKER, cg->h[i].path);
	if (cg->user && (r = cg_owner_grant(cg)) < 0)
		return r;
	limits_format_record(&cfg->limits, text, sizeof(text));
	if (cg->user)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "owner=%s\n", cg->user);
	r = mkdir_p(cfg->run_dir, 0755);
	if (r < 0)
		return ctr_fail(r, "provision: create %s", cfg->run_dir);
	return write_atomic(cg->record, text, strlen(text));
}

int cgroup_provision(const struct ctr_config *cfg)
{
	struct ctr_cgroup *cg, *owner = NULL;
	struct ctr_error keep = CTR_ERROR_INIT;
	int r;

	if (geteuid() != 0)
		return ctr_failx(-EPERM, "--provision needs root (sudo netns-setup create %s IP --owner USER)", cfg->name);
	r = cg_new_checked(cfg, &cg);
	if (r < 0)
		return r;
	r = provision(cg, cfg);
	if (r == 0) {
		cgroup_free(cg);
		return 0;
	}
	/* Undo: NAME's directories, then the owner's ceiling back to what
	 * her other containers need (or gone with none). */
	ctr_error_local(&keep);
	if (cfg->owner && cg->user) {
		owner = cg_copy_at(cg, cg->parent);
		owner->user = xstrdup(cg->user);
		owner->uparent = xstrdup(cg->uparent);
	}
	cgroup_destroy(cg);
	if (owner) {
		cg_owner_release(owner);
		cgroup_free(owner);
	}
	ctr_error_release(&keep);
	return r;
}

/* Whether NAME's directory has the marker in some hierarchy. */
static bool has_marker(const struct ctr_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		_cleanup_free_ char *m = xasprintf("%s/" CG_MARKER, cg->h[i].path);

		if (access(m, F_OK) == 0)
			return true;
	}
	return false;
}

/* Only what --provision made: in each hierarchy only a directory with the
 * marker (a foreign or orphan PARENT/NAME is left alone).  The marker
 * alone is enough: a --provision killed before it wrote its record
 * (CTR_RUN_DIR/NAME.cgroup; netns-setup's record says cgroup=2 then, and
 * its rollback unprovisions), and an owned container, whose record is in
 * her own directory (she may have deleted it). */
int cgroup_unprovision(const struct ctr_config *cfg)
{
	struct ctr_cgroup *cg;
	bool locked[CG_NCTRL] = { false };
	int r;

	if (geteuid() != 0)
		return ctr_failx(-EPERM, "--unprovision needs root (sudo netns-setup destroy %s)", cfg->name);
	r = cg_new(cfg, cfg->name, &cg);
	if (r < 0)
		return r;
	if (access(cg->record, F_OK) < 0 && !has_marker(cg)) {
		cgroup_free(cg);
		return 0;
	}
	/* The record first (a record without a cgroup would be worse); a run
	 * still going finds no marker at its end and removes the cgroup. */
	if (unlink(cg->record) < 0 && errno != ENOENT) {
		r = ctr_fail(-errno, "unprovision: remove %s", cg->record);
		cgroup_free(cg);
		return r;
	}
	/* Lock, then the markers of every hierarchy: the kernel refuses the
	 * rmdir of a directory (EBUSY) until its removed child is offline,
	 * about an RCU grace period; one wait for all hierarchies, not one
	 * each.  A held lock: its run removes the directory at its end. */
	for (size_t i = 0; i < cg->n; i++) {
		cg->h[i].fd = open(cg->h[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg->h[i].fd < 0)
			continue;
		/* An owner's run could not remove the directory at its end
		 * (UPARENT/USER is root's): what runs there is killed now. */
		locked[i] = flock(cg->h[i].fd, LOCK_EX | LOCK_NB) == 0 || cg->user;
		if (faccessat(cg->h[i].fd, CG_MARKER, F_OK, 0) < 0 ||
		    unlinkat(cg->h[i].fd, CG_MARKER, AT_REMOVEDIR) < 0)
			locked[i] = false;   /* not provisioned: not ours */
	}
	for (size_t i = 0; i < cg->n && (r == 0 || cg->user); i++) {
		_cleanup_free_ char *ppath = xasprintf("%s/%s", cg->h[i].mount, cg->parent);
		_cleanup_close_ int pfd = open(ppath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int ri = 0;

		if (pfd < 0 || !locked[i])
			continue;
		if (!remove_if_empty(pfd, cg->name))
			ri = remove_tree(pfd, cg->name, cg->h[i].path, cg);
		/* An owner's cgroup kept (a process not hers is in it): its
		 * marker back, so that a later --unprovision removes it. */
		if (ri < 0 && cg->user)
			mkdirat(cg->h[i].fd, CG_MARKER, 0755);
		if (ri < 0 && r == 0)
			r = ri;
		if (!cg->user)
			cg_remove_parent(cg->h[i].mount, cg->parent);
	}
	if (cg->user)
		cg_owner_release(cg);
	cgroup_free(cg);
	return r;
}

int cgroup_create(const struct ctr_config *cfg, struct ctr_cgroup **out)
{
	_cleanup_(cgroup_destroyp) struct ctr_cgroup *cg = NULL;
	int r = cg_new_checked(cfg, &cg);

	if (r < 0)
		return r;
	if (!cg->provisioned && geteuid() != 0)
		return ctr_failx(-ENOENT, "not provisioned: sudo netns-setup create %s IP --owner %s", cfg->name, cg->user);
	if (cg->provisioned) {
		r = join_provisioned(cg, cfg);
		if (r < 0)
			return r;
		*out = ctr_steal_ptr(&cg);
		return 0;
	}
	r = make_dirs(cg, &cfg->limits);
	if (r < 0)
		return r;
	r = apply_limits(cg, cfg);
	if (r < 0)
		return r;
	*out = ctr_steal_ptr(&cg);
	return 0;
}

int cgroup_open(const struct ctr_config *cfg, const char *name, struct ctr_cgroup **out)
{
	struct ctr_cgroup *cg;
	size_t n = 0;
	int r = cg_new(cfg, name, &cg);

	if (r < 0)
		return r;
	for (size_t i = 0; i < cg->n; i++) {
		int fd = open(cg->h[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		int child = -1;

		if (fd < 0) {   /* not in this hierarchy: leave it out */
			free(cg->h[i].mount);
			free(cg->h[i].path);
			continue;
		}
		if (cg->provisioned)
			child = openat(fd, CG_RUN_CHILD, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		cg->h[n] = cg->h[i];
		cg->h[n].fd = fd;
		if (child >= 0)
			use_child(&cg->h[n], child);
		n++;
	}
	cg->n = n;
	if (n == 0) {
		cgroup_free(cg);
		return ctr_failx(-ENOENT, "no cgroup %s/%s: is container %s running?",
				 cfg->cgroup_parent && *cfg->cgroup_parent ? cfg->cgroup_parent : "ctr", name, name);
	}
	*out = cg;
	return 0;
}

int cgroup_open_tasks(struct ctr_cgroup *cg, int *fds, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; !cg->v2 && i < cg->n && n < max; i++) {
		fds[n] = openat(cg->h[i].fd, "tasks", O_WRONLY | O_CLOEXEC);
		if (fds[n] < 0) {
			int r = ctr_fail(-errno, "open %s/tasks", cg->h[i].path);

			while (n > 0)
				close(fds[--n]);
			return r;
		}
		n++;
	}
	return (int)n;
}

/* Take over the cgroup of a container whose supervisor is gone (kill -9),
 * so that cgroup_destroy() kills what is left in it and removes it.  The
 * creating supervisor holds a flock on each of its cgroup directories
 * while it lives; when every lock can be taken, nobody owns it. */
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

int cgroup_attach(struct ctr_cgroup *cg, pid_t pid)
{
	for (size_t i = 0; i < cg->n; i++) {
		_cleanup_close_ int fd = openat(cg->h[i].fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
		char buf[24];
		int len = snprintf(buf, sizeof(buf), "%d", (int)pid);

		if (fd < 0 || write(fd, buf, (size_t)len) != len)
			return ctr_fail(-errno, "move process %d into cgroup %s", (int)pid, cg->h[i].path);
	}
	return 0;
}

bool cgroup_unified_host(void)
{
	struct statfs sfs;

	return statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

int cgroup_clone_fd(const struct ctr_cgroup *cg)
{
	return cg && cg->v2 && cg->n == 1 ? cg->h[0].fd : -1;
}

void cgroup_born_inside(struct ctr_cgroup *cg)
{
	cg->born_inside = true;
}

bool cgroup_is_born_inside(const struct ctr_cgroup *cg)
{
	return cg->born_inside;
}

bool cgroup_oom_killed(struct ctr_cgroup *cg)
{
	return (cg->v2 ? cg_v2_oom_count(cg) : cg_v1_oom_count(cg)) > cg->oom_base;
}

int cgroup_destroy(struct ctr_cgroup *cg)
{
	int ret = 0;

	if (!cg)
		return 0;
	if (cg->provisioned && cg->owner)
		return end_provisioned(cg);
	/* Only the directories made here (open and locked): a failed create
	 * must not remove a running container's cgroup of the same name. */
	for (size_t i = 0; cg->owner && i < cg->n; i++) {
		_cleanup_free_ char *ppath = xasprintf("%s/%s", cg->h[i].mount, cg->parent);
		_cleanup_close_ int pfd = -1;
		int r = 0;

		if (cg->h[i].fd >= 0) {
			pfd = open(ppath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (pfd < 0)
				r = ctr_fail(-errno, "open cgroup %s", ppath);
			else if (!remove_if_empty(pfd, cg->name))
				r = remove_tree(pfd, cg->name, cg->h[i].path, cg);
		}
		if (r < 0 && ret == 0)
			ret = r;
		cg_remove_parent(cg->h[i].mount, cg->parent);
	}
	cgroup_free(cg);
	return ret;
}

/* --------------------------------------------------------------- stats */

int cgroup_describe_memory_limit(const struct ctr_config *cfg, char *buf, size_t size)
{
	int64_t memory = cfg->limits.memory;

	if (memory < 0) {   /* a provisioned container's ceiling, if any */
		_cleanup_free_ char *record = xasprintf("%s/%s.cgroup", cfg->run_dir, cfg->name);
		_cleanup_free_ char *text = NULL;
		struct ctr_limits ceil;

		if (read_file_regular(record, &text) == 0 && limits_parse_record(text, &ceil) == 0)
			memory = ceil.memory;
	}
	if (memory < 0) {
		snprintf(buf, size, "no limit");
		return -ENOENT;
	}
	limits_format_size(memory, buf, size);
	return 0;
}

int cgroup_read_stats(struct ctr_cgroup *cg, struct ctr_stats *st)
{
	_cleanup_free_ char *base = NULL;
	int64_t ns;

	st->v2 = cg->v2;
	st->mem_current = st->mem_peak = st->mem_limit = CTR_STAT_UNKNOWN;
	st->cpu_usage_ns = st->pids_current = st->pids_limit = CTR_STAT_UNKNOWN;
	if (cg->v2)
		cg_v2_read_stats(cg, st);
	else
		cg_v1_read_stats(cg, st);
	/* An owner's run noted where the CPU time stood (note_cpu_base). */
	if (cg->provisioned && cg->h[0].top < 0 && cg->cpu_base && read_file_regular(cg->cpu_base, &base) == 0 &&
	    cpu_usage_ns(cg, &ns) == 0)
		st->cpu_usage_ns = ns > atoll(base) ? ns - atoll(base) : 0;
	return 0;
}

static const char *stat_text(int64_t v, bool json, char *buf, size_t size)
{
	if (v == CTR_STAT_UNLIMITED)
		return json ? "null" : "max";
	if (v == CTR_STAT_UNKNOWN)
		return json ? "null" : "unknown";
	snprintf(buf, size, "%lld", (long long)v);
	return buf;
}

int cgroup_print_stats(const struct ctr_config *cfg, const char *name, bool json)
{
	struct ctr_cgroup *cg;
	struct ctr_stats st;
	const struct { const char *key; int64_t *v; } f[] = {
		{ "mem_current", &st.mem_current }, { "mem_peak", &st.mem_peak },
		{ "mem_limit", &st.mem_limit },     { "cpu_ns", &st.cpu_usage_ns },
		{ "pids", &st.pids_current },       { "pids_limit", &st.pids_limit },
	};
	int r = cgroup_open(cfg, name, &cg);

	if (r < 0)
		return r;
	if (cg->provisioned) {   /* it stays between runs: is one going? */
		char buf[16];

		if (cg_read(cg->h[0].fd, "cgroup.procs", buf, sizeof(buf)) <= 0) {
			r = ctr_failx(-ENOENT, "cgroup %s/%s: container %s is not running", cg->parent, name, name);
			cgroup_free(cg);
			return r;
		}
	}
	cgroup_read_stats(cg, &st);
	cgroup_free(cg);
	printf(json ? "{\"name\":\"%s\"" : "name=%s", name);
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		char buf[32];

		printf(json ? ",\"%s\":%s" : " %s=%s", f[i].key, stat_text(*f[i].v, json, buf, sizeof(buf)));
	}
	printf(json ? ",\"cgroup\":\"%s\"}\n" : " cgroup=%s\n", st.v2 ? "v2" : "v1");
	if (fflush(stdout) != 0)
		return ctr_fail(-errno, "write stats");
	return 0;
}
