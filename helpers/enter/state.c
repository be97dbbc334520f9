/* SPDX-License-Identifier: MIT */
/*
 * state.c: runtime state of a running container and the per-NAME lock.
 *
 * The lock file is unlinked by its holder at exit; a waiter that got a
 * lock on an inode that is no longer linked retries, so removing it is safe
 * and CTR_RUN_DIR is left as it was found (a CTR_RUN_DIR this run made is
 * removed again when empty; a locker that finds it gone makes it again).
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "lifecycle.h"
#include "state.h"
#include "util.h"

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

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR) {
		if (rmdir(path) < 0 && errno != ENOENT)
			return -errno;
	} else if (unlink(path) < 0 && errno != ENOENT) {
		return -errno;
	}
	return 0;
}

/* rm -rf that does not cross mount points; 0 / -errno. */
static int remove_tree(const char *path)
{
	struct stat st;
	int r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : ctr_fail(-errno, "remove %s", path);
	/* Overlay's work/work is mode 000: root may still enter it. */
	r = nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (r < 0)
		return ctr_fail(r == -1 ? -errno : r, "remove %s", path);
	if (r > 0)
		return ctr_fail(-r, "remove %s", path);
	return 0;
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
	char saved[CTR_ERRMSG_MAX];

	snprintf(saved, sizeof(saved), "%s", ctr_errmsg());
	remove_tree(top);
	if (access(marker, F_OK) == 0 ||
	    (read_file(state, &buf) == 0 && strstr(buf, "\nrm=1\n"))) {
		_cleanup_free_ char *layer = state_layer_dir(cfg);

		remove_tree(layer);
	}
	remove_tree(dir);
	ctr_seterrmsg(saved);
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
		 * cleanly (a killed one leaves its file), nothing to clean. */
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

				if (read_file(st, &buf) == 0 && (p = strstr(buf, "supervisor=")))
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
		if (!fresh)
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
	}
	return 0;
}

static void iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int state_write(const struct ctr_config *cfg, pid_t supervisor, pid_t pid1, time_t start)
{
	_cleanup_free_ char *path = xasprintf("%s/%s/state", cfg->run_dir, cfg->name);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	_cleanup_close_ int fd = -1;
	char started[64];
	int r;

	iso_time(start, started, sizeof(started));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return ctr_fail(-errno, "write state %s", tmp);
	r = dprintf(fd,
		    "name=%s\nsupervisor=%d\nsupervisor_start=%llu\npid=%d\npid_start=%llu\n"
		    "rootfs=%s\nhostname=%s\nstarted=%s\nrm=%s\nread_only=%d\n",
		    cfg->name, (int)supervisor, proc_starttime(supervisor), (int)pid1,
		    proc_starttime(pid1), cfg->rootfs, cfg->hostname, started,
		    cfg->rm_top ? "top" : cfg->rm ? "1" : "0", cfg->read_only ? 1 : 0);
	if (r >= 0 && state_write_config(fd, cfg) < 0)
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
	char saved[CTR_ERRMSG_MAX];

	snprintf(saved, sizeof(saved), "%s", ctr_errmsg());
	if (cfg->rm_top) {
		_cleanup_free_ char *top = state_top_dir(cfg);

		if (remove_tree(top) < 0)
			ctr_warn(cfg->name, "%s", ctr_errmsg());
	} else if (cfg->rm || drop_layer) {
		_cleanup_free_ char *layer = state_layer_dir(cfg);

		if (remove_tree(layer) < 0)
			ctr_warn(cfg->name, "%s", ctr_errmsg());
		drop_made_dir(&made_lib_dir, cfg->lib_dir);
	}
	if (remove_tree(dir) < 0)
		ctr_warn(cfg->name, "%s", ctr_errmsg());
	if (lockfd >= 0)
		state_unlock(cfg, lockfd);
	ctr_seterrmsg(saved);
}

int write_atomic(const char *path, const char *buf, size_t len)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
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
	char saved[CTR_ERRMSG_MAX];
	size_t len, off;

	if (!remembered(cfg))
		return;
	snprintf(saved, sizeof(saved), "%s", ctr_errmsg());
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
	ctr_seterrmsg(saved);
}

void state_record_exit(const struct ctr_config *cfg, time_t started, int code, int sig, bool oom)
{
	_cleanup_free_ char *layer = state_layer_dir(cfg);
	_cleanup_free_ char *path = xasprintf("%s/last-exit", layer);
	_cleanup_free_ char *buf = NULL;
	char saved[CTR_ERRMSG_MAX], t0[64], t1[64];

	if (!remembered(cfg))
		return;
	snprintf(saved, sizeof(saved), "%s", ctr_errmsg());
	iso_time(started, t0, sizeof(t0));
	iso_time(time(NULL), t1, sizeof(t1));
	buf = xasprintf("exit=%d\nsignal=%d\noom=%d\nstarted=%s\nstopped=%s\n",
			code, sig, oom ? 1 : 0, t0, t1);
	if (write_atomic(path, buf, strlen(buf)) < 0)
		ctr_warn(cfg->name, "%s", ctr_errmsg());
	ctr_seterrmsg(saved);
}
