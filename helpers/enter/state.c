/* SPDX-License-Identifier: MIT */
/*
 * state.c: runtime state of a running container and the per-NAME lock.
 *
 * The lock file is unlinked by its holder at exit; a waiter that got a
 * lock on an inode that is no longer linked retries, so removing it is safe
 * and CTR_RUN_DIR is left as it was found (a CTR_RUN_DIR this run made is
 * removed again when empty; a locker that finds it gone makes it again).
 */
#include <fcntl.h>
#include <dirent.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

/* deeper trees are refused (each level holds a directory fd) */
#define RM_MAX_DEPTH 512

char *state_mountpoint(const struct ctr_config *cfg)
{
	return xasprintf("%s/%s/rootfs", cfg->run_dir, cfg->name);
}

char *state_layer_dir(const struct ctr_config *cfg)
{
	return xasprintf("%s/%s", cfg->lib_dir, cfg->name);
}

/* The throwaway layer of an --rm run over an existing layer: beside the
 * layers, on the same file system, under a name no container can have
 * (names never start with '.'). */
char *state_top_dir(const struct ctr_config *cfg)
{
	return xasprintf("%s/.%s.rm", cfg->lib_dir, cfg->name);
}

bool state_layer_exists(const struct ctr_config *cfg)
{
	_cleanup_free_ char *layer = state_layer_dir(cfg);
	struct stat st;

	return lstat(layer, &st) == 0;
}

/* Remove NAME in the directory DFD, a tree on the mount MNT (never crossing
 * into another mount, never following a symlink: every step is relative to
 * a directory fd held open, so that a directory swapped for a symlink
 * meanwhile is unlinked as the symlink it is); 0 / -errno. */
static int rm_at(int dfd, const char *name, const struct statx *top, unsigned depth)
{
	struct statx sx;
	_cleanup_close_ int fd = -1;
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MNT_ID, &sx) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(sx.stx_mode))
		return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (depth > RM_MAX_DEPTH)
		return -ELOOP;
	/* Overlay's work/work is mode 000: root may still enter it. */
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_MNT_ID, &sx) < 0)
		return -errno;
	if (sx.stx_dev_major != top->stx_dev_major || sx.stx_dev_minor != top->stx_dev_minor ||
	    ((sx.stx_mask & top->stx_mask & STATX_MNT_ID) && sx.stx_mnt_id != top->stx_mnt_id))
		return -EXDEV;   /* a mount point: left as it is */
	d = fdopendir(fd);
	if (!d)
		return -errno;
	fd = -1;   /* the DIR owns it */
	while (r == 0 && (errno = 0, e = readdir(d))) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			r = rm_at(dirfd(d), e->d_name, top, depth + 1);
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	if (r == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

/* rm -rf PATH without crossing mount points or following symlinks below
 * PATH's directory; 0 / -errno. */
static int rm_rf(const char *path)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dir;
	_cleanup_close_ int dfd = -1;
	struct statx top;
	int r;

	if (slash == dir)
		dfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else if (slash) {
		*slash = '\0';
		/* (the directory itself is configuration: it may be a symlink;
		 * an owner's is in root's .user, which she cannot change) */
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else
		dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : ctr_fail(-errno, "remove %s", path);
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return ctr_failx(-EINVAL, "remove %s: not a name", path);
	if (statx(dfd, base, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MNT_ID, &top) < 0)
		return errno == ENOENT ? 0 : ctr_fail(-errno, "remove %s", path);
	r = rm_at(dfd, base, &top, 0);
	return r < 0 ? ctr_fail(r, "remove %s", path) : 0;
}

/* CTR_RUN_DIR/NAME/rm: made before the layer by a --rm start, so that a
 * kill -9 before the state is written still leaves the --rm intent. */
static char *rm_marker(const struct ctr_config *cfg)
{
	return xasprintf("%s/%s/rm", cfg->run_dir, cfg->name);
}

/* What a dead supervisor left: state dir, mountpoint, a throwaway layer
 * (always: nothing else uses it) and, when it ran with --rm on a layer it
 * made (the marker, or rm=1 in its state), that layer.  An --rm run over an
 * existing layer writes rm=top and no marker: its layer stays.  Its mounts
 * died with its mount namespace. */
static void clean_stale(const struct ctr_config *cfg)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", cfg->run_dir, cfg->name);
	_cleanup_free_ char *state = xasprintf("%s/state", dir);
	_cleanup_free_ char *marker = rm_marker(cfg);
	_cleanup_free_ char *top = state_top_dir(cfg);
	_cleanup_free_ char *buf = NULL;
	_cleanup_error_ struct ctr_error best_effort = CTR_ERROR_INIT;

	if (cfg->owned && getuid() == 0)
		return;   /* her directories: root removes nothing there (join.c) */
	ctr_error_local(&best_effort);
	rm_rf(top);
	if (access(marker, F_OK) == 0 ||
	    (read_file_regular(state, &buf) == 0 && strstr(buf, "\nrm=1\n"))) {
		_cleanup_free_ char *layer = state_layer_dir(cfg);

		rm_rf(layer);
	}
	rm_rf(dir);
}

/* The topmost directory of CTR_RUN_DIR, or of CTR_LIB_DIR (itself or an
 * ancestor) that this process created, or NULL: giving up the lock (or the
 * layer) removes them again when empty (rmdir fails on a directory another
 * run uses), so that a run, above all a refused one, leaves CTR_RUN_DIR and
 * CTR_LIB_DIR as it found them. */
static char *made_run_dir;
static char *made_lib_dir;

static char *parent_dir(const char *path)
{
	char *p = xstrdup(path);
	size_t n = strlen(p);
	char *slash;

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	slash = strrchr(p, '/');
	if (!slash || slash == p) {
		free(p);
		return NULL;
	}
	*slash = '\0';
	return p;
}

static void drop_made_dir(char **made, const char *path)
{
	char *cur = *made ? xstrdup(path) : NULL;

	while (cur && rmdir(cur) == 0 && strcmp(cur, *made) != 0) {
		char *up = parent_dir(cur);

		free(cur);
		cur = up;
	}
	free(cur);
	free(*made);
	*made = NULL;
}

/* PATH, a directory, made 0700 or tightened to it: a layer or state
 * directory holds what the container wrote (setuid files, device nodes),
 * which no other host user may reach.  Its content is never touched. */
static int make_private_dir(const char *path)
{
	_cleanup_close_ int fd = -1;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return ctr_fail(-errno, "mkdir %s", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ctr_fail(-errno, "open %s", path);
	if (fchmod(fd, 0700) < 0)
		return ctr_fail(-errno, "chmod 0700 %s", path);
	return 0;
}

/* mkdir -p PATH (the missing parents 0755, PATH itself 0700), remembering
 * in *made the topmost directory it created.  A PATH that exists keeps its
 * mode: it is the user's (CTR_LIB_DIR=/srv/x). */
static int make_dir(char **made, const char *path)
{
	char *top = NULL, *cur = xstrdup(path);
	_cleanup_free_ char *parent = parent_dir(path);
	int r = 0;

	while (cur && access(cur, F_OK) < 0 && errno == ENOENT) {
		free(top);
		top = cur;
		cur = parent_dir(cur);
	}
	free(cur);
	if (parent)
		r = mkdir_p(parent, 0755);
	if (r == 0 && mkdir(path, 0700) < 0 && errno != EEXIST)
		r = ctr_fail(-errno, "mkdir %s", path);
	if (top && !*made)
		*made = top;
	else
		free(top);
	if (r < 0)
		drop_made_dir(made, path);
	return r;
}

static void drop_run_dir(const struct ctr_config *cfg)
{
	drop_made_dir(&made_run_dir, cfg->run_dir);
}

static int make_run_dir(const struct ctr_config *cfg)
{
	return make_dir(&made_run_dir, cfg->run_dir);
}

void state_unlock(const struct ctr_config *cfg, int lockfd)
{
	_cleanup_free_ char *lock = xasprintf("%s/%s.lock", cfg->run_dir, cfg->name);

	unlink(lock);
	close(lockfd);
	drop_run_dir(cfg);
}

static int lock_run_dir(const struct ctr_config *cfg, int *lockfd)
{
	_cleanup_free_ char *path = xasprintf("%s/%s.lock", cfg->run_dir, cfg->name);
	int r;

	for (int tries = 0; tries < 100; tries++) {
		/* A lock file that did not exist: every earlier holder ended
		 * cleanly (a killed one leaves its file): its cgroup is clean. */
		int fd_new = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		bool fresh = fd_new >= 0;
		_cleanup_close_ int fd = fresh ? fd_new : open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		struct stat a, b;

		if (fd < 0 && errno == ENOENT) {
			/* a run that had made CTR_RUN_DIR removed it just now */
			r = make_run_dir(cfg);
			if (r < 0)
				return r;
			continue;
		}
		if (fd < 0)
			return ctr_fail(-errno, "open lock %s", path);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno == EWOULDBLOCK) {
				_cleanup_free_ char *st = xasprintf("%s/%s/state", cfg->run_dir, cfg->name);
				_cleanup_free_ char *buf = NULL;
				char *p;
				long pid = 0;

				if (read_file_regular(st, &buf) == 0 && (p = strstr(buf, "supervisor=")))
					pid = strtol(p + 11, NULL, 10);
				if (pid > 0)
					return ctr_failx(-EBUSY, "container is already running (supervisor pid %ld)", pid);
				return ctr_failx(-EBUSY, "container is already running or starting");
			}
			return ctr_fail(-errno, "lock %s", path);
		}
		/* Got it: is it still the linked lock file? */
		if (fstat(fd, &a) < 0)
			return ctr_fail(-errno, "stat lock %s", path);
		if (stat(path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			continue;   /* its holder removed it; take the new one */
		clean_stale(cfg);
		*lockfd = ctr_steal_fd(&fd);
		return fresh ? 1 : 0;
	}
	return ctr_failx(-EBUSY, "lock %s: kept changing", path);
}

int state_lock(const struct ctr_config *cfg, int *lockfd)
{
	int r = make_run_dir(cfg);

	if (r == 0)
		r = lock_run_dir(cfg, lockfd);
	if (r < 0)
		drop_run_dir(cfg);
	return r;
}

static int open_tmp(const char *tmp)
{
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -1;
	return open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
}

/* An empty directory (or none): nothing of anyone's in it. */
static bool dir_empty(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return errno == ENOENT;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
			return false;
	return true;
}

/*
 * Root's container in a user namespace of its own (netns-setup create
 * --userns): its layer's upper and work belong to the container's root,
 * host uid cfg->userns_root, and LAYER/userns (root's, outside what the
 * container sees: it cannot change it the way it can chown its upper)
 * says for which block: "START:65536".  A layer without that file gets
 * it only while its upper and work are empty (a new layer, or one a
 * killed start left half made); a non-empty one is host root's (made
 * without --userns) and refused, as is one made for another block: ctr
 * changes no file of a layer it did not just make.
 */
static int userns_layer(const struct ctr_config *cfg, const char *layer, const char *upper, const char *work)
{
	_cleanup_free_ char *file = xasprintf("%s/userns", layer);
	_cleanup_free_ char *text = NULL;
	struct ctr_error quiet = CTR_ERROR_INIT;
	uid_t root = cfg->userns_root;
	unsigned long start;
	int r;

	ctr_error_local(&quiet);
	r = read_file_regular(file, &text);
	ctr_error_release(&quiet);
	if (r == 0) {
		start = strtoul(text, NULL, 10);
		if (start != root)
			return ctr_failx(-EPERM, "layer %s was made for host uid %lu, not for this container's root (host uid %u): remove it (ctrctl rm %s) or create the network as it was",
					 layer, start, (unsigned)root, cfg->name);
		return 0;
	}
	if (r != -ENOENT)
		return r;
	if (!dir_empty(upper) || (work && !dir_empty(work)))
		return ctr_failx(-EPERM, "layer %s holds files of a container without --userns (its upper belongs to host root): remove it (ctrctl rm %s) or create the network without --userns",
				 layer, cfg->name);
	if (!work)
		return ctr_failx(-EPERM, "layer %s is not this container's yet: start it once without --rm", layer);
	if (lchown(upper, root, root) < 0 || lchown(work, root, root) < 0)
		return ctr_fail(-errno, "give the new layer to the container's root (host uid %u)", (unsigned)root);
	{
		_cleanup_free_ char *tmp = xasprintf("%s.tmp", file);
		_cleanup_close_ int fd = open_tmp(tmp);

		if (fd < 0 || dprintf(fd, "%u:65536\n", (unsigned)root) < 0 || rename(tmp, file) < 0)
			return ctr_fail(-errno, "write %s", file);
	}
	return 0;
}

int state_prepare(const struct ctr_config *cfg, bool *layer_created)
{
	_cleanup_free_ char *mp = state_mountpoint(cfg);
	_cleanup_free_ char *layer = state_layer_dir(cfg);
	_cleanup_free_ char *rundir = xasprintf("%s/%s", cfg->run_dir, cfg->name);
	int r;

	*layer_created = false;
	r = make_private_dir(rundir);
	if (r == 0)
		r = mkdir_p(mp, 0755);
	if (r < 0)
		return r;
	if (cfg->rm_top && cfg->userns) {
		/* the throwaway upper is a tmpfs of PID 1 (mounts.c); the
		 * kept layer below it must still be this range's */
		_cleanup_free_ char *upper = xasprintf("%s/upper", layer);

		return cfg->owned ? 0 : userns_layer(cfg, layer, upper, NULL);
	}
	if (cfg->rm_top) {
		/* the layer is kept as it is: a throwaway upper over it */
		_cleanup_free_ char *top = state_top_dir(cfg);
		_cleanup_free_ char *upper = xasprintf("%s/upper", top);
		_cleanup_free_ char *work = xasprintf("%s/work", top);

		if ((r = mkdir_p(upper, 0755)) < 0 || (r = mkdir_p(work, 0700)) < 0)
			return r;
		return chmod(top, 0700) < 0 ? ctr_fail(-errno, "chmod %s", top) : 0;
	}
	if (cfg->rm) {
		_cleanup_free_ char *marker = rm_marker(cfg);
		_cleanup_close_ int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

		if (fd < 0)
			return ctr_fail(-errno, "create %s", marker);
	}
	if (!cfg->read_only) {
		_cleanup_free_ char *upper = xasprintf("%s/%s/upper", cfg->lib_dir, cfg->name);
		_cleanup_free_ char *work = xasprintf("%s/%s/work", cfg->lib_dir, cfg->name);

		*layer_created = access(layer, F_OK) < 0;
		/* ENOENT: a run that had made CTR_LIB_DIR removed it just now */
		for (int i = 0; i < 3; i++) {
			r = make_dir(&made_lib_dir, cfg->lib_dir);
			if (r == 0)
				r = make_private_dir(layer);
			if (r == 0)
				r = mkdir_p(upper, 0755);
			if (r != -ENOENT)
				break;
		}
		if (r < 0 || (r = mkdir_p(work, 0700)) < 0)
			return r;
		/* (an owner's layer is made by netns-setup, for her range) */
		if (cfg->userns && !cfg->owned && (r = userns_layer(cfg, layer, upper, work)) < 0)
			return r;
	}
	return 0;
}

static int64_t rlim_out(uint64_t v)
{
	return v == (uint64_t)RLIM_INFINITY ? -1 : (int64_t)v;
}

static int write_config(int fd, const struct ctr_config *cfg)
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
		n = st->rlimits = xreallocarray(st->rlimits, st->n_rlimits + 1, sizeof(*n));
		n[st->n_rlimits++] = (struct ctr_rlimit){ (int)strtol(t, NULL, 10),
							  rlim_in(soft + 1), rlim_in(hard + 1) };
	}
}

/* The state file's keys (state.h) and where each goes in struct ctr_state. */
enum field_kind { F_I64, F_STR, F_PID, F_ULL, F_HEX, F_BOOL };
#define FIELD(key, member, kind) { key, offsetof(struct ctr_state, member), kind }
static const struct {
	const char *key;
	size_t off;
	enum field_kind kind;
} fields[] = {
	FIELD("supervisor", supervisor, F_PID),         FIELD("supervisor_start", supervisor_start, F_ULL),
	FIELD("pid", pid, F_PID),                       FIELD("pid_start", pid_start, F_ULL),
	FIELD("rootfs", rootfs, F_STR),                 FIELD("hostname", hostname, F_STR),
	FIELD("started", started, F_STR),               FIELD("user", user, F_STR),
	FIELD("cgroup_parent", cgroup_parent, F_STR),   FIELD("init", init, F_BOOL),
	FIELD("privileged", privileged, F_BOOL),        FIELD("seccomp_unconfined", seccomp_unconfined, F_BOOL),
	FIELD("cap_drop_all", cap_drop_all, F_BOOL),    FIELD("cap_add", cap_add, F_HEX),
	FIELD("cap_drop", cap_drop, F_HEX),             FIELD("memory", limits.memory, F_I64),
	FIELD("memory_swap", limits.memory_swap, F_I64), FIELD("cpu_quota_us", limits.cpu_quota_us, F_I64),
	FIELD("cpu_period_us", limits.cpu_period_us, F_I64), FIELD("cpu_shares", limits.cpu_shares, F_I64),
	FIELD("pids_limit", limits.pids_limit, F_I64),
};

static void set_field(struct ctr_state *st, const char *k, char *v)
{
	if (strcmp(k, "ulimits") == 0) {
		parse_ulimits(st, v);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		void *p = (char *)st + fields[i].off;

		if (strcmp(k, fields[i].key) != 0)
			continue;
		switch (fields[i].kind) {
		case F_I64:  *(int64_t *)p = strtoll(v, NULL, 10); break;
		case F_PID:  *(pid_t *)p = (pid_t)strtol(v, NULL, 10); break;
		case F_ULL:  *(unsigned long long *)p = strtoull(v, NULL, 10); break;
		case F_HEX:  *(uint64_t *)p = strtoull(v, NULL, 16); break;
		case F_BOOL: *(bool *)p = strcmp(v, "1") == 0; break;
		case F_STR:
			free(*(char **)p);
			*(char **)p = xstrdup(v);
			break;
		}
		return;
	}
}

int state_read(const struct ctr_config *cfg, struct ctr_state *st)
{
	_cleanup_free_ char *path = xasprintf("%s/%s/state", cfg->run_dir, cfg->name);
	_cleanup_free_ char *buf = NULL;
	struct ctr_error none = CTR_ERROR_INIT;
	char *save = NULL;
	int r;

	memset(st, 0, sizeof(*st));
	st->limits = (struct ctr_limits){ .memory = -1, .memory_swap = -1, .cpu_quota_us = -1,
					  .cpu_period_us = -1, .cpu_shares = -1, .pids_limit = -1 };
	ctr_error_local(&none);   /* no state is no error */
	r = read_file_regular(path, &buf);
	ctr_error_release(&none);
	if (r < 0)
		return r == -ENOENT ? -ENOENT : ctr_fail(r, "read state %s", path);
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
	struct ctr_error gone = CTR_ERROR_INIT;
	char path[64];
	const char *p;
	bool dead;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ctr_error_local(&gone);
	r = read_file(path, &buf);
	ctr_error_release(&gone);
	if (r < 0)
		return true;
	p = strrchr(buf, ')');
	dead = !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X' || p[2] == 'x';
	return dead;
}

bool state_pid1_alive(const struct ctr_state *st)
{
	return st->pid > 0 && st->pid_start && proc_starttime(st->pid) == st->pid_start &&
	       !proc_is_dead(st->pid);
}

static void iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A new file TMP, made here (a stale one, or a FIFO or symlink someone
 * planted in a directory that is not only ours, is unlinked first and
 * never opened); fd or -1 with errno. */
int state_write(const struct ctr_config *cfg, pid_t supervisor, pid_t pid1, time_t start)
{
	_cleanup_free_ char *path = xasprintf("%s/%s/state", cfg->run_dir, cfg->name);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	_cleanup_close_ int fd = -1;
	char started[64];
	int r;

	iso_time(start, started, sizeof(started));
	fd = open_tmp(tmp);
	if (fd < 0)
		return ctr_fail(-errno, "write state %s", tmp);
	r = dprintf(fd,
		    "name=%s\nsupervisor=%d\nsupervisor_start=%llu\npid=%d\npid_start=%llu\n"
		    "rootfs=%s\nhostname=%s\nstarted=%s\nrm=%s\nread_only=%d\n",
		    cfg->name, (int)supervisor, proc_starttime(supervisor), (int)pid1,
		    proc_starttime(pid1), cfg->rootfs, cfg->hostname, started,
		    cfg->rm_top ? "top" : cfg->rm ? "1" : "0", cfg->read_only ? 1 : 0);
	if (r >= 0 && write_config(fd, cfg) < 0)
		return -errno;
	if (r < 0)
		return ctr_fail(-errno, "write state %s", tmp);
	if (rename(tmp, path) < 0)
		return ctr_fail(-errno, "rename %s", tmp);
	return 0;
}

void state_remove(const struct ctr_config *cfg, int lockfd, bool drop_layer)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", cfg->run_dir, cfg->name);
	_cleanup_error_ struct ctr_error best_effort = CTR_ERROR_INIT;

	ctr_error_local(&best_effort);   /* failures are warnings here */
	if (cfg->rm_top) {
		_cleanup_free_ char *top = state_top_dir(cfg);

		if (rm_rf(top) < 0)
			ctr_warn(cfg->name, "%s", ctr_errmsg());
	} else if (cfg->rm || drop_layer) {
		_cleanup_free_ char *layer = state_layer_dir(cfg);

		if (rm_rf(layer) < 0)
			ctr_warn(cfg->name, "%s", ctr_errmsg());
		drop_made_dir(&made_lib_dir, cfg->lib_dir);
	}
	if (rm_rf(dir) < 0)
		ctr_warn(cfg->name, "%s", ctr_errmsg());
	if (lockfd >= 0)
		state_unlock(cfg, lockfd);
}

int write_atomic(const char *path, const char *buf, size_t len)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	int fd = open_tmp(tmp);
	ssize_t n = 0;

	if (fd < 0)
		return ctr_fail(-errno, "write %s", tmp);
	while (len > 0 && (n = write(fd, buf, len)) > 0) {
		buf += n;
		len -= (size_t)n;
	}
	if (n < 0 || close(fd) < 0) {
		int err = -errno;

		unlink(tmp);
		return ctr_fail(err, "write %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		int err = -errno;

		unlink(tmp);
		return ctr_fail(err, "rename %s", tmp);
	}
	return 0;
}

/* Only a run that keeps its layer is remembered (an --rm run leaves no
 * trace, a --read-only run without a layer has nowhere to keep one). */
static bool remembered(const struct ctr_config *cfg)
{
	return !cfg->rm && state_layer_exists(cfg);
}

void state_record_run(const struct ctr_config *cfg)
{
	_cleanup_free_ char *layer = state_layer_dir(cfg);
	_cleanup_free_ char *path = xasprintf("%s/run-args", layer);
	_cleanup_free_ char *last = xasprintf("%s/last-exit", layer);
	_cleanup_free_ char *buf = NULL;
	_cleanup_error_ struct ctr_error best_effort = CTR_ERROR_INIT;
	size_t len, off;

	if (!remembered(cfg))
		return;
	ctr_error_local(&best_effort);   /* failures are warnings here */
	/* --rootfs first: the image it ran is part of the container (a later
	 * --rootfs among the arguments, the same one, wins) */
	len = strlen("--rootfs=") + strlen(cfg->rootfs) + 1;
	for (size_t i = 0; i < cfg->n_args; i++)
		len += strlen(cfg->args[i]) + 1;
	buf = xcalloc(len + 1, 1);
	off = (size_t)sprintf(buf, "--rootfs=%s", cfg->rootfs) + 1;
	for (size_t i = 0; i < cfg->n_args; i++) {
		size_t n = strlen(cfg->args[i]);

		memcpy(buf + off, cfg->args[i], n + 1);
		off += n + 1;
	}
	if (write_atomic(path, buf, off) < 0)
		ctr_warn(cfg->name, "%s", ctr_errmsg());
	/* the last run is this one now: its end is not known yet */
	if (unlink(last) < 0 && errno != ENOENT)
		ctr_warn(cfg->name, "remove %s: %s", last, strerror(errno));
}

void state_record_exit(const struct ctr_config *cfg, time_t started, int code, int sig, bool oom)
{
	_cleanup_free_ char *layer = state_layer_dir(cfg);
	_cleanup_free_ char *path = xasprintf("%s/last-exit", layer);
	_cleanup_free_ char *buf = NULL;
	_cleanup_error_ struct ctr_error best_effort = CTR_ERROR_INIT;
	char t0[64], t1[64];

	if (!remembered(cfg))
		return;
	ctr_error_local(&best_effort);   /* failures are warnings here */
	iso_time(started, t0, sizeof(t0));
	iso_time(time(NULL), t1, sizeof(t1));
	buf = xasprintf("exit=%d\nsignal=%d\noom=%d\nstarted=%s\nstopped=%s\n",
			code, sig, oom ? 1 : 0, t0, t1);
	if (write_atomic(path, buf, strlen(buf)) < 0)
		ctr_warn(cfg->name, "%s", ctr_errmsg());
}
