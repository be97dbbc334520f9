/* SPDX-License-Identifier: MIT */
/*
 * cgroup-owner.c: containers owned by an unprivileged user
 * (`ctr-enter --provision NAME --owner USER`), their per-user ceiling and
 * the session hook's placement (ctr-session, run by PAM).
 *
 *   UPARENT/USER           the per-user ceiling (CTR_USER_CGROUP_PARENT,
 *                          default ctr-users): root-owned limits, the sum
 *                          of her containers' ceilings
 *   UPARENT/USER/session   her logins (ctr-session moves each there)
 *   UPARENT/USER/NAME      a container: its ceiling, root-owned; only its
 *                          procs files are hers
 *
 * What the owner may write, and why it is enough (docs/cgroups.md):
 *   v1: NAME's tasks and cgroup.procs in every hierarchy, nothing else
 *       (never a directory).  The kernel lets a writer of a procs file
 *       move a task whose uid or suid is her euid (__cgroup1_procs_write).
 *   v2: cgroup.procs and cgroup.threads of NAME and of USER, the common
 *       ancestor of USER/session and USER/NAME: a move needs write access
 *       to the common ancestor's cgroup.procs (cgroup_procs_write_permission,
 *       the same check for clone3's CLONE_INTO_CGROUP).  Not the directory
 *       nor cgroup.subtree_control: with those she could take the memory
 *       controller out of USER's children and so drop every container's
 *       own ceiling; her ceiling, USER's root-owned memory.max, would hold,
 *       but a container's would not.
 * Wherever she moves her processes among these, they stay under USER.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup-limits.h"
#include "util.h"

#define CG_SESSION "session"

int cg_owner_find(const struct ctr_config *cfg, const char *mount, const char *parent,
		  const char *uparent, const char *name, char **user)
{
	_cleanup_free_ char *marker = NULL, *udir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	*user = NULL;
	if (cfg->owner) {
		*user = xstrdup(cfg->owner);
		return 0;
	}
	if (geteuid() != 0) {
		struct passwd *pw = getpwuid(geteuid());

		if (!pw || !name_is_valid(pw->pw_name))
			return ctr_failx(-ENOENT, "cgroup: uid %u has no user name ctr accepts", (unsigned)geteuid());
		*user = xstrdup(pw->pw_name);
		return 0;
	}
	marker = xasprintf("%s/%s/%s/" CG_MARKER, mount, parent, name);
	if (access(marker, F_OK) == 0)
		return 0;
	/* Root, NAME not under CTR_CGROUP_PARENT: is it a user's?  NAME is
	 * the netns's name, unique on the host: at most one has it. */
	udir = xasprintf("%s/%s", mount, uparent);
	d = opendir(udir);
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *m = NULL;

		if (de->d_type != DT_DIR || !name_is_valid(de->d_name))
			continue;
		m = xasprintf("%s/%s/%s/" CG_MARKER, udir, de->d_name, name);
		if (access(m, F_OK) == 0) {
			*user = xstrdup(de->d_name);
			break;
		}
	}
	return 0;
}

int cg_owner_check(struct ctr_cgroup *cg)
{
	struct passwd *pw = getpwnam(cg->user);

	if (!pw)
		return ctr_failx(-ENOENT, "--owner %s: no such user", cg->user);
	if (pw->pw_uid == 0)
		return ctr_failx(-EINVAL, "--owner %s: uid 0 (a container of root's needs no owner)", cg->user);
	cg->uid = pw->pw_uid;
	cg->gid = pw->pw_gid;
	return 0;
}

/* ------------------------------------------------------ the ceiling */

/* The sum of the owner's containers' ceilings; -1 where one of them has
 * none (then neither has she). */
struct owner_sum {
	int64_t memory, memsw, cpu_quota_us, pids;
	int containers;
};

static int64_t add_or_unlimited(int64_t a, int64_t b)
{
	int64_t s;

	if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &s))
		return -1;
	return s;
}

static void sum_values(struct owner_sum *s, int64_t memory, int64_t memsw, int64_t quota, int64_t pids)
{
	s->memory = add_or_unlimited(s->memory, memory);
	s->memsw = add_or_unlimited(s->memsw, memsw);
	s->cpu_quota_us = add_or_unlimited(s->cpu_quota_us, quota);
	s->pids = add_or_unlimited(s->pids, pids);
	s->containers++;
}

/* The limits of the container being provisioned (not in the kernel yet). */
static void sum_add(struct owner_sum *s, const struct ctr_limits *l)
{
	int64_t memsw = l->memory < 0 || l->memory_swap == LIMITS_UNLIMITED ? -1 :
			l->memory_swap < 0 ? l->memory : l->memory_swap;
	int64_t quota = l->cpu_quota_us > 0 && l->cpu_period_us > 0 ?
			l->cpu_quota_us * LIMITS_CPU_PERIOD / l->cpu_period_us : -1;

	sum_values(s, l->memory, memsw, quota, l->pids_limit > 0 ? l->pids_limit : -1);
}

/* A limit file's value; -1 for none ("max", v1's -1 or its largest
 * page-aligned value) and for a file that is missing or unreadable. */
static int64_t read_limit(int dirfd, const char *file)
{
	int64_t v;

	if (dirfd < 0 || cg_read_int(dirfd, file, &v) < 0 || v < 0 || v > INT64_MAX - sysconf(_SC_PAGESIZE))
		return -1;
	return v;
}

/* The directory NAME under USER in the hierarchy serving c; -1 when none. */
static int open_in(const struct ctr_cgroup *u, enum cg_ctrl c, const char *name)
{
	for (size_t i = 0; i < u->n; i++)
		if (u->h[i].ctrls & CG_BIT(c)) {
			_cleanup_free_ char *p = xasprintf("%s/%s", u->h[i].path, name);

			return open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		}
	return -1;
}

/* v2's cpu.max "QUOTA PERIOD" / v1's cfs files: the quota per
 * LIMITS_CPU_PERIOD, -1 for none. */
static int64_t read_quota(int fd, bool v2)
{
	int64_t quota, period;

	if (fd < 0)
		return -1;
	if (v2) {
		char buf[64], q[24];
		long long p;

		if (cg_read(fd, "cpu.max", buf, sizeof(buf)) <= 0 || sscanf(buf, "%23s %lld", q, &p) != 2 ||
		    strcmp(q, "max") == 0)
			return -1;
		quota = strtoll(q, NULL, 10);
		period = p;
	} else {
		quota = read_limit(fd, "cpu.cfs_quota_us");
		period = read_limit(fd, "cpu.cfs_period_us");
	}
	if (quota <= 0 || period <= 0)
		return -1;
	return quota * LIMITS_CPU_PERIOD / period;
}

/* The ceiling of USER/NAME as the kernel holds it: its limit files are
 * root's (her records, in her own directory, she could edit or delete). */
static void sum_cgroup(struct owner_sum *s, const struct ctr_cgroup *u, const char *name)
{
	_cleanup_close_ int mem = open_in(u, CG_MEMORY, name), cpu = open_in(u, CG_CPU, name),
			    pids = open_in(u, CG_PIDS, name);
	int64_t memory = read_limit(mem, u->v2 ? "memory.max" : "memory.limit_in_bytes"), memsw = memory;

	if (mem >= 0 && memory >= 0 && u->v2 && faccessat(mem, "memory.swap.max", F_OK, 0) == 0) {
		int64_t swap = read_limit(mem, "memory.swap.max");

		memsw = swap < 0 ? -1 : add_or_unlimited(memory, swap);
	} else if (mem >= 0 && memory >= 0 && !u->v2 && faccessat(mem, "memory.memsw.limit_in_bytes", F_OK, 0) == 0) {
		memsw = read_limit(mem, "memory.memsw.limit_in_bytes");
	}
	sum_values(s, memory, memsw, read_quota(cpu, u->v2), read_limit(pids, "pids.max"));
}

/* Her containers but SKIP (provisioned: the marker; their ceilings read
 * from their own root-owned limit files), plus ADD. */
static void owner_sum(const struct ctr_cgroup *u, const char *skip, const struct ctr_limits *add,
		      struct owner_sum *s)
{
	_cleanup_closedir_ DIR *d = opendir(u->h[0].path);
	struct dirent *de;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(s, 0, sizeof(*s));
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *m = NULL;

		if (de->d_type != DT_DIR || !name_is_valid(de->d_name) || strcmp(de->d_name, skip) == 0)
			continue;
		m = xasprintf("%s/%s/" CG_MARKER, u->h[0].path, de->d_name);
		if (access(m, F_OK) < 0)
			continue;
		sum_cgroup(s, u, de->d_name);
	}
	if (add)
		sum_add(s, add);
	if (ncpu > 0 && s->cpu_quota_us > ncpu * LIMITS_CPU_PERIOD)
		s->cpu_quota_us = ncpu * LIMITS_CPU_PERIOD;
	if (s->pids > LIMITS_PIDS_MAX)
		s->pids = -1;
}

/* Lowering memory below what her processes use now would make the kernel
 * reclaim and then OOM-kill them (v2), or fail with EBUSY (v1): kept. */
static bool memory_in_use_above(const struct ctr_cgroup *u, int64_t limit)
{
	int fd = cg_fd(u, CG_MEMORY);
	int64_t used;

	if (fd < 0 || limit < 0)
		return false;
	if (cg_read_int(fd, u->v2 ? "memory.current" : "memory.usage_in_bytes", &used) < 0)
		return false;
	return used > limit;
}

static int write_memory(struct ctr_cgroup *u, const struct owner_sum *s)
{
	const char *lim = u->v2 ? "memory.max" : "memory.limit_in_bytes";
	const char *sw = u->v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes";
	const char *none = u->v2 ? "max" : "-1";
	bool has_swap = cg_has(u, CG_MEMORY, sw);
	int64_t swap = s->memsw < 0 || s->memory < 0 ? -1 : u->v2 ? s->memsw - s->memory : s->memsw;
	int r;

	if (cg_fd(u, CG_MEMORY) < 0)
		return 0;
	if (memory_in_use_above(u, s->memory)) {
		ctr_warn(u->name, "warning: kept %s's memory ceiling: her processes use more than %lld bytes now",
			 u->h[0].path, (long long)s->memory);
		return 0;
	}
	/* v1: memsw is never below the memory limit: raised first, lowered
	 * last (the first write fails when it lowers; the last then works). */
	if (has_swap && !u->v2) {
		if (swap < 0)
			write_file_at(cg_fd(u, CG_MEMORY), sw, "-1");
		else
			write_file_at(cg_fd(u, CG_MEMORY), sw, "%lld", (long long)swap);
	}
	r = s->memory < 0 ? cg_write(u, CG_MEMORY, lim, "%s", none)
			  : cg_write(u, CG_MEMORY, lim, "%lld", (long long)s->memory);
	if (r < 0 || !has_swap)
		return r;
	return swap < 0 ? cg_write(u, CG_MEMORY, sw, "%s", none)
			: cg_write(u, CG_MEMORY, sw, "%lld", (long long)swap);
}

static int write_ceiling(struct ctr_cgroup *u, const struct owner_sum *s)
{
	int r = write_memory(u, s);

	if (r == 0 && cg_fd(u, CG_CPU) >= 0) {
		if (u->v2 && s->cpu_quota_us < 0)
			r = cg_write(u, CG_CPU, "cpu.max", "max %d", LIMITS_CPU_PERIOD);
		else if (u->v2)
			r = cg_write(u, CG_CPU, "cpu.max", "%lld %d", (long long)s->cpu_quota_us, LIMITS_CPU_PERIOD);
		else if ((r = cg_write(u, CG_CPU, "cpu.cfs_period_us", "%d", LIMITS_CPU_PERIOD)) == 0)
			r = cg_write(u, CG_CPU, "cpu.cfs_quota_us", "%lld", (long long)s->cpu_quota_us);
	}
	if (r == 0 && cg_fd(u, CG_PIDS) >= 0) {
		if (s->pids < 0)
			r = cg_write(u, CG_PIDS, "pids.max", "max");
		else
			r = cg_write(u, CG_PIDS, "pids.max", "%lld", (long long)s->pids);
	}
	return r;
}

static void cgroup_freep(struct ctr_cgroup **cg)
{
	cgroup_free(*cg);
}

/* The controllers the limits need (v2 enables them in USER's subtree). */
static unsigned needed_by(const struct ctr_limits *l)
{
	unsigned n = 0;

	if (l->memory != LIMITS_UNSET || l->memory_swap != LIMITS_UNSET)
		n |= CG_BIT(CG_MEMORY);
	if (l->cpu_quota_us != LIMITS_UNSET || l->cpu_shares != LIMITS_UNSET)
		n |= CG_BIT(CG_CPU);
	if (l->pids_limit != LIMITS_UNSET)
		n |= CG_BIT(CG_PIDS);
	return n;
}

/* UPARENT/USER and UPARENT/USER/session in every hierarchy, root's. */
static int make_user_dirs(const struct ctr_cgroup *u, unsigned needed)
{
	for (size_t i = 0; i < u->n; i++) {
		const struct cg_hier *h = &u->h[i];
		_cleanup_free_ char *session = xasprintf("%s/" CG_SESSION, h->path);
		int r = u->v2 ? cg_v2_enable(h->mount, u->parent, needed) : mkdir_p(h->path, 0755);

		if (r < 0)
			return r;
		if (mkdir(session, 0755) < 0 && errno != EEXIST)
			return ctr_fail(-errno, "create cgroup %s", session);
	}
	return 0;
}

int cg_owner_prepare(struct ctr_cgroup *cg, const struct ctr_config *cfg)
{
	_cleanup_(cgroup_freep) struct ctr_cgroup *u = cg_copy_at(cg, cg->parent);
	struct owner_sum s;
	int r = make_user_dirs(u, needed_by(&cfg->limits));

	if (r < 0 || (r = cg_open_dirs(u)) < 0)
		return r;
	owner_sum(u, cg->name, &cfg->limits, &s);
	return write_ceiling(u, &s);
}

static int give(int dirfd, const char *dir, const char *file, uid_t uid, gid_t gid)
{
	if (fchownat(dirfd, file, uid, gid, 0) < 0)
		return ctr_fail(-errno, "provision: give %s/%s to its owner", dir, file);
	return 0;
}

int cg_owner_grant(struct ctr_cgroup *cg)
{
	int r = 0;

	if (cg->v2) {
		_cleanup_free_ char *udir = xasprintf("%s/%s", cg->h[0].mount, cg->parent);
		_cleanup_close_ int ufd = open(udir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (ufd < 0)
			return ctr_fail(-errno, "provision: open cgroup %s", udir);
		if ((r = give(cg->h[0].fd, cg->h[0].path, "cgroup.procs", cg->uid, cg->gid)) < 0 ||
		    (r = give(cg->h[0].fd, cg->h[0].path, "cgroup.threads", cg->uid, cg->gid)) < 0 ||
		    (r = give(ufd, udir, "cgroup.procs", cg->uid, cg->gid)) < 0)
			return r;
		return give(ufd, udir, "cgroup.threads", cg->uid, cg->gid);
	}
	for (size_t i = 0; i < cg->n && r == 0; i++) {
		r = give(cg->h[i].fd, cg->h[i].path, "tasks", cg->uid, cg->gid);
		if (r == 0)
			r = give(cg->h[i].fd, cg->h[i].path, "cgroup.procs", cg->uid, cg->gid);
	}
	return r;
}

/* Whether the cgroup at path has a process (EBUSY of rmdir says the same,
 * or a child; this names the reason). */
static bool has_procs(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[16];

	return fd >= 0 && cg_read(fd, "cgroup.procs", buf, sizeof(buf)) > 0;
}

void cg_owner_release(struct ctr_cgroup *cg)
{
	_cleanup_(cgroup_freep) struct ctr_cgroup *u = cg_copy_at(cg, cg->parent);
	struct ctr_error keep = CTR_ERROR_INIT;
	bool busy = false;
	struct owner_sum s;

	ctr_error_local(&keep);
	if (access(u->h[0].path, F_OK) < 0)
		goto out;
	owner_sum(u, cg->name, NULL, &s);
	if (s.containers > 0) {
		int r = cg_open_dirs(u);

		/* v1's CPU bandwidth refuses a parent quota below a child's
		 * (tg_cfs_schedulable_down) while the removed container's
		 * group is still going offline: retried for a second. */
		for (int i = 0; r == 0; i++) {
			struct timespec ms10 = { 0, 10 * 1000 * 1000 };

			r = write_ceiling(u, &s);
			if (r != -EINVAL || i == 100)
				break;
			r = 0;
			nanosleep(&ms10, NULL);
		}
		if (r < 0)
			ctr_warn(cg->name, "warning: %s's ceiling stays as it was: %s", cg->user, ctr_errmsg());
		goto out;
	}
	/* Her last container: the ceiling goes with it unless a process of
	 * hers is still in it (never killed: a login session's). */
	for (size_t i = 0; i < u->n; i++) {
		_cleanup_free_ char *session = xasprintf("%s/" CG_SESSION, u->h[i].path);

		if (has_procs(session) || has_procs(u->h[i].path) ||
		    (rmdir(session) < 0 && errno != ENOENT) || (rmdir(u->h[i].path) < 0 && errno != ENOENT)) {
			busy = true;
			continue;
		}
		cg_remove_parent(u->h[i].mount, cg->uparent);
	}
	if (busy)
		ctr_warn(cg->name, "kept %s's ceiling %s: processes of her sessions are still in it "
			 "(ctr-session removes it at her next login once they have ended)", cg->user, u->h[0].path);
out:
	ctr_error_release(&keep);
}

/* ------------------------------------------------------------- killing */

/* Whether the process of pidfd has not ended (a live or zombie process
 * keeps its pid: what was read or written by that number was its). */
static bool alive(int pidfd)
{
	return pidfd_send_signal(pidfd, 0, NULL, 0) == 0;
}


/* Whether uid is in one of USER's /etc/subuid ranges (a line names her
 * or her uid). */
static bool in_subuid_range(const char *user, uid_t own, uid_t uid)
{
	_cleanup_free_ char *text = NULL;
	char ownstr[16];

	snprintf(ownstr, sizeof(ownstr), "%u", (unsigned)own);
	if (read_file("/etc/subuid", &text) < 0)
		return false;
	for (char *line = text, *next; line && *line; line = next) {
		char who[64];
		unsigned long start, count;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "%63[^:]:%lu:%lu", who, &start, &count) != 3 ||
		    (strcmp(who, user) != 0 && strcmp(who, ownstr) != 0))
			continue;
		if (uid >= start && uid - start < count)
			return true;
	}
	return false;
}

int cg_owner_kill(const struct ctr_cgroup *cg, pid_t pid, uid_t *foreign)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/status", (int)pid), *text = NULL;
	_cleanup_close_ int pidfd = pidfd_open(pid, 0);
	struct passwd *pw = getpwnam(cg->user);
	unsigned uid[4];
	char *line;

	if (pidfd < 0)
		return -errno;
	if (read_file(path, &text) < 0 || !alive(pidfd))
		return -ESRCH;
	line = strstr(text, "\nUid:");
	if (!pw || !line || sscanf(line, "\nUid: %u %u %u %u", &uid[0], &uid[1], &uid[2], &uid[3]) != 4) {
		*foreign = (uid_t)-1;
		return 0;
	}
	for (int i = 0; i < 4; i++)
		if (uid[i] != pw->pw_uid && !in_subuid_range(cg->user, pw->pw_uid, uid[i])) {
			*foreign = uid[i];
			return 0;
		}
	if (pidfd_send_signal(pidfd, SIGKILL, NULL, 0) < 0)
		return -errno;
	return 1;
}

/* ------------------------------------------------------------ sessions */

/* Whether UDIR (UPARENT/USER in one hierarchy) holds a provisioned
 * container. */
static bool has_container(const char *udir)
{
	_cleanup_closedir_ DIR *d = opendir(udir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		_cleanup_free_ char *m = NULL;

		if (de->d_type != DT_DIR || !name_is_valid(de->d_name))
			continue;
		m = xasprintf("%s/%s/" CG_MARKER, udir, de->d_name);
		if (access(m, F_OK) == 0)
			return true;
	}
	return false;
}

/* A ceiling whose last container went while her sessions were in it
 * (cg_owner_release kept it): removed once empty. */
static void remove_leftover(struct ctr_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		_cleanup_free_ char *udir = xasprintf("%s/%s", cg->h[i].mount, cg->parent);

		if (rmdir(cg->h[i].path) < 0 && errno != ENOENT)
			continue;
		if (rmdir(udir) == 0)
			cg_remove_parent(cg->h[i].mount, cg->uparent);
	}
}

/* The process opening the session: pid 1 never; its real uid hers or
 * root's, or its effective uid root's (su or sudo run by another user). */
static int check_session_process(pid_t pid, int pidfd, uid_t uid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/status", (int)pid), *text = NULL;
	unsigned ruid, euid;
	char *line;
	int r;

	if (pid <= 1)
		return ctr_failx(-EPERM, "session: refused to move process %d (not a login's)", (int)pid);
	r = read_file(path, &text);
	if (r < 0)
		return ctr_fail(r, "session: read %s", path);
	line = strstr(text, "\nUid:");
	if (!alive(pidfd))
		return ctr_failx(-ESRCH, "session: process %d ended before it was moved", (int)pid);
	if (!line || sscanf(line, "\nUid: %u %u", &ruid, &euid) != 2)
		return ctr_failx(-EINVAL, "session: %s has no Uid line", path);
	if (ruid != uid && ruid != 0 && euid != 0)
		return ctr_failx(-EPERM, "session: refused to move process %d: uid %u, not the login's (%u) nor root's",
				 (int)pid, ruid, (unsigned)uid);
	return 0;
}

int cgroup_session_join(const char *uparent, const char *user, pid_t pid, int pidfd)
{
	_cleanup_(cgroup_freep) struct ctr_cgroup *cg = NULL;
	_cleanup_free_ char *udir = NULL;
	struct ctr_config cfg = { 0 };
	struct passwd *pw;
	char buf[24];
	int r;

	if (geteuid() != 0)
		return ctr_failx(-EPERM, "session: must be run as root (by pam_exec)");
	if (!user || !name_is_valid(user))
		return ctr_failx(-EINVAL, "session: bad user name '%s'", user ? user : "");
	pw = getpwnam(user);
	if (!pw)
		return ctr_failx(-ENOENT, "session: no such user %s", user);
	if (pw->pw_uid == 0)
		return 0;
	cfg.owner = (char *)user;
	cfg.user_cgroup_parent = (char *)uparent;
	cfg.run_dir = (char *)"/";
	r = cg_new(&cfg, CG_SESSION, &cg);
	if (r < 0)
		return r;
	udir = xasprintf("%s/%s", cg->h[0].mount, cg->parent);
	if (access(udir, F_OK) < 0)
		return 0;   /* no container of hers: nothing to do */
	if (!has_container(udir)) {
		remove_leftover(cg);
		return 0;
	}
	r = check_session_process(pid, pidfd, pw->pw_uid);
	if (r < 0)
		return r;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++) {
		if (mkdir(cg->h[i].path, 0755) < 0 && errno != EEXIST)
			return ctr_fail(-errno, "session: create cgroup %s", cg->h[i].path);
		cg->h[i].fd = open(cg->h[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg->h[i].fd < 0)
			return ctr_fail(-errno, "session: open cgroup %s", cg->h[i].path);
		r = write_file_at(cg->h[i].fd, "cgroup.procs", "%s", buf);
		if (r < 0)
			return ctr_fail(r, "session: move process %d of %s into %s", (int)pid, user, cg->h[i].path);
		if (!alive(pidfd))
			return ctr_failx(-ESRCH, "session: process %d ended while it was moved into %s",
					 (int)pid, cg->h[i].path);
	}
	return 0;
}
