/* SPDX-License-Identifier: MIT */
/*
 * mounts.c: the container's root.  Runs in the child (the PID 1 to be), in
 * its own mount namespace, before the supervisor's GO: the mounts are built
 * while the supervisor makes the cgroup and moves the child into it.
 *
 * Every target inside the rootfs is resolved with openat2(RESOLVE_IN_ROOT)
 * and mounted through its /proc/self/fd/N magic link, so that a symlink in
 * the image (say /etc/hosts -> /etc/shadow-of-the-host) can never point a
 * mount at the host's tree.
 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "devices.h"
#include "mounts.h"
#include "state.h"
#include "util.h"

const char *fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

/* Open DIR (components of the root-relative, symlink-free path in *parts)
 * again from the root, one component at a time, never following a link. */
static int reopen_parts(int rootfd, char **parts, size_t n)
{
	int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	for (size_t i = 0; i < n && fd >= 0; i++) {
		int next = openat(fd, parts[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		close(fd);
		fd = next;
	}
	return fd < 0 ? -errno : fd;
}

/*
 * What openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) does, for kernels
 * before 5.6 (Ubuntu 20.04's 5.4) and for valgrind, which lacks the call:
 * resolve PATH one component at a time with O_NOFOLLOW; a symlink's target is
 * spliced in (an absolute one restarts at the root); ".." never climbs above
 * the root; a /proc magic link is read as plain text, so it cannot jump.
 */
static int walk_in_root(int rootfd, const char *path, int flags)
{
	_cleanup_free_ char *todo = xstrdup(path);
	char *parts[256];
	size_t n = 0;
	int links = 0, r = 0;
	_cleanup_close_ int dir = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		return -errno;
	for (;;) {
		char *comp = todo, *rest, target[4096];
		struct stat st;
		ssize_t len;

		while (*comp == '/')
			comp++;
		if (!*comp)
			break;
		rest = strchr(comp, '/');
		if (rest)
			*rest++ = '\0';
		if (strcmp(comp, ".") == 0) {
			/* nothing */
		} else if (strcmp(comp, "..") == 0) {
			if (n > 0)
				free(parts[--n]);
			close(dir);
			dir = reopen_parts(rootfd, parts, n);
			if (dir < 0) {
				r = dir;
				goto out;
			}
		} else if (fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
			   (rest || !(flags & O_NOFOLLOW))) {
			if (++links > 40) {
				r = -ELOOP;
				goto out;
			}
			len = readlinkat(dir, comp, target, sizeof(target) - 1);
			if (len < 0) {
				r = -errno;
				goto out;
			}
			target[len] = '\0';
			if (target[0] == '/') {
				while (n > 0)
					free(parts[--n]);
				close(dir);
				dir = reopen_parts(rootfd, parts, 0);
			}
			comp = xasprintf("%s/%s", target, rest ? rest : "");
			free(todo);
			todo = comp;
			if (dir < 0) {
				r = dir;
				goto out;
			}
			continue;
		} else if (rest && *rest) {
			int next = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (next < 0 || n == ARRAY_SIZE(parts)) {
				r = next < 0 ? -errno : -ENAMETOOLONG;
				if (next >= 0)
					close(next);
				goto out;
			}
			parts[n++] = xstrdup(comp);
			close(dir);
			dir = next;
		} else {
			/* the last component */
			r = openat(dir, comp, flags | O_NOFOLLOW | O_CLOEXEC);
			r = r < 0 ? -errno : r;
			goto out;
		}
		if (!rest)
			break;
		memmove(todo, rest, strlen(rest) + 1);
	}
	r = openat(dir, ".", flags | O_CLOEXEC);
	r = r < 0 ? -errno : r;
out:
	while (n > 0)
		free(parts[--n]);
	return r;
}

static int openat2_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	static bool no_openat2;
	int fd;

#ifdef CTR_TEST_HOOKS   /* a test build only (docs/testing.md) */
	if (!no_openat2 && getenv("CTR_TEST_NO_OPENAT2"))
		no_openat2 = true;
#endif
	if (no_openat2)
		return walk_in_root(rootfd, path, flags);
	do {
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	} while (fd < 0 && errno == EAGAIN);
	if (fd < 0 && errno == ENOSYS) {
		no_openat2 = true;
		return walk_in_root(rootfd, path, flags);
	}
	return fd < 0 ? -errno : fd;
}

static int open_in_root_depth(int rootfd, const char *path, bool create, bool dir, int depth);

/* NAME in PARENT (whose path in the root is PREFIX) is a symlink that points
 * nowhere yet: create its target, resolved inside the root. */
static int create_link_target(int rootfd, int parent, const char *prefix, const char *name, bool dir, int depth)
{
	char target[4096];
	_cleanup_free_ char *full = NULL;
	_cleanup_close_ int fd = -1;
	ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	full = target[0] == '/' ? xstrdup(target) : xasprintf("%s/%s", prefix, target);
	fd = open_in_root_depth(rootfd, full, true, dir, depth + 1);
	return fd < 0 ? fd : 0;
}

int open_in_root(int rootfd, const char *path, bool create, bool dir)
{
	return open_in_root_depth(rootfd, path, create, dir, 0);
}

static int open_in_root_depth(int rootfd, const char *path, bool create, bool dir, int depth)
{
	_cleanup_free_ char *p = xstrdup(path);
	char *s = p;
	int fd;

	while (*s == '/')
		s++;
	if (!*s)
		return openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
	fd = openat2_in_root(rootfd, s, O_PATH);
	if (fd >= 0)
		return fd;
	if (fd != -ENOENT || !create)
		return ctr_fail(fd, "open %s in the rootfs", path);
	/* Create what is missing, one component at a time, each parent
	 * resolved inside the root (O_PATH fds serve as *at() bases). */
	for (char *end = s;;) {
		_cleanup_close_ int parent = -1;
		char *slash, *name;
		bool last;

		slash = strchr(end, '/');
		last = !slash || slash[strspn(slash, "/")] == '\0';
		if (slash)
			*slash = '\0';
		fd = openat2_in_root(rootfd, s, O_PATH);
		if (fd < 0 && fd != -ENOENT)
			return ctr_fail(fd, "open %s in the rootfs", s);
		if (fd < 0) {
			name = strrchr(s, '/');
			if (name) {
				*name = '\0';
				parent = openat2_in_root(rootfd, s, O_PATH | O_DIRECTORY);
				*name++ = '/';
			} else {
				parent = openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
				name = s;
			}
			if (parent < 0)
				return ctr_fail(parent, "open parent of %s in the rootfs", path);
			if (last && !dir) {
				int f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);

				if (f < 0 && errno != EEXIST)
					return ctr_fail(-errno, "create %s in the rootfs", path);
				if (f >= 0)
					close(f);
			} else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
				return ctr_fail(-errno, "create %s in the rootfs", path);
			}
			fd = openat2_in_root(rootfd, s, O_PATH);
			if (fd == -ENOENT && depth < 8) {
				/* A dangling symlink: make what it points to. */
				char *cut = name > s ? name - 1 : NULL;
				int r;

				if (cut)
					*cut = '\0';
				r = create_link_target(rootfd, parent, cut ? s : "", name, !last || dir, depth);
				if (cut)
					*cut = '/';
				if (r < 0)
					return ctr_fail(r, "create %s in the rootfs", path);
				fd = openat2_in_root(rootfd, s, O_PATH);
			}
			if (fd < 0)
				return ctr_fail(fd, "open %s in the rootfs", path);
		}
		if (last)
			return fd;
		close(fd);
		*slash = '/';
		end = slash + 1;
	}
}

/* The fds of mounts_open_owned (-1: not in a user namespace of its own).
 * Every path is opened before PID 1 becomes the namespace's root, whose
 * host uid may not search the directories above them. */
static struct {
	int mp, image, upper, work;
} owned = { -1, -1, -1, -1 };

static int open_path(const char *path, int *fd)
{
	*fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return *fd < 0 ? ctr_fail(-errno, "open %s", path) : 0;
}

int mounts_open_owned(const struct ctr_config *cfg, const char *mp)
{
	_cleanup_free_ char *layer = state_layer_dir(cfg);
	_cleanup_free_ char *upper = xasprintf("%s/upper", layer);
	_cleanup_free_ char *work = xasprintf("%s/work", layer);
	int r;

	if ((r = open_path(mp, &owned.mp)) < 0 || (r = open_path(cfg->rootfs, &owned.image)) < 0)
		return r;
	if (cfg->read_only)
		return 0;
	if ((r = open_path(upper, &owned.upper)) < 0 || (r = open_path(work, &owned.work)) < 0)
		return r;
	return 0;
}

/*
 * An owned container's overlay, with the mount API: the image is the
 * idmapped view netns-setup made (read-only, owned by her uid 0 through
 * it), the upper and work directories are reached through the fds opened
 * as her, and `userxattr` keeps overlay's own attributes in user.*
 * (trusted.* needs CAP_SYS_ADMIN of the host).  *rootfd: the new mount,
 * attached on the mountpoint.
 */
/*
 * --rm on an owned container (returns an fd of the throwaway upper): her
 * kept layer becomes a lower layer and the
 * throwaway upper and work are on a tmpfs of PID 1's own, attached on the
 * mountpoint under the overlay: it goes with the mount namespace, and its
 * pages count in her cgroup.  (She cannot make a directory owned by her
 * container's root on the host: a throwaway layer on disk would be hers,
 * which her container's root may not write.)
 */
static int throwaway_upper(void)
{
	_cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	_cleanup_close_ int mnt = -1;
	int fd;

	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return ctr_fail(-errno, "tmpfs for the --rm layer");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
	if (mnt < 0)
		return ctr_fail(-errno, "fsmount tmpfs for the --rm layer");
	if (move_mount(mnt, "", owned.mp, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctr_fail(-errno, "attach the --rm layer's tmpfs");
	if (mkdirat(mnt, "upper", 0755) < 0 || mkdirat(mnt, "work", 0700) < 0)
		return ctr_fail(-errno, "the --rm layer's directories");
	close(owned.work);
	owned.work = openat(mnt, "work", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (owned.work < 0)
		return ctr_fail(-errno, "open the --rm layer's work");
	/* her upper is a lower layer now: owned.upper stays open for it */
	fd = openat(mnt, "upper", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? ctr_fail(-errno, "open the --rm layer's upper") : fd;
}

static int mount_owned_overlay(const struct ctr_config *cfg, int *rootfd)
{
	_cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	_cleanup_close_ int mnt = -1;
	_cleanup_close_ int top = -1;
	_cleanup_free_ char *lower = NULL;
	char upper[64], work[64], kept[64], image[64];

	if (fs < 0)
		return ctr_fail(-errno, "fsopen overlay");
	if (cfg->rm_top) {
		int r = throwaway_upper();

		if (r < 0)
			return r;
		top = r;
	}
	fd_path(owned.upper, kept, sizeof(kept));
	fd_path(owned.image, image, sizeof(image));
	lower = top >= 0 ? xasprintf("%s:%s", kept, image) : xstrdup(image);
	fd_path(top >= 0 ? top : owned.upper, upper, sizeof(upper));
	fd_path(owned.work, work, sizeof(work));
	if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return ctr_fail(-errno, "overlay options (lowerdir=%s, userxattr)", cfg->rootfs);
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int err = -errno;
		char why[256];
		ssize_t n = read(fs, why, sizeof(why) - 1);   /* the kernel's reason */

		why[n > 0 ? n : 0] = '\0';
		if (n > 0 && why[n - 1] == '\n')
			why[n - 1] = '\0';
		return ctr_fail(err, "mount overlay (lowerdir=%s, her layer, userxattr%s%s)", cfg->rootfs,
				n > 0 ? "; " : "", why);
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return ctr_fail(-errno, "fsmount overlay");
	if (move_mount(mnt, "", owned.mp, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctr_fail(-errno, "attach the overlay");
	*rootfd = ctr_steal_fd(&mnt);
	return 0;
}

/* An owned container with --read-only: a read-only bind of the view. */
static int mount_owned_readonly(const struct ctr_config *cfg, int *rootfd)
{
	_cleanup_close_ int tree = open_tree(owned.image, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (tree < 0)
		return ctr_fail(-errno, "bind rootfs %s", cfg->rootfs);
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return ctr_fail(-errno, "make rootfs read-only");
	if (move_mount(tree, "", owned.mp, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctr_fail(-errno, "attach the rootfs");
	*rootfd = ctr_steal_fd(&tree);
	return 0;
}

static int mount_rootfs(const struct ctr_config *cfg, const char *mp)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return ctr_fail(-errno, "make / private");
	if (cfg->read_only) {
		if (mount(cfg->rootfs, mp, NULL, MS_BIND | MS_REC, NULL) < 0)
			return ctr_fail(-errno, "bind rootfs %s", cfg->rootfs);
		if (mount(NULL, mp, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			return ctr_fail(-errno, "make rootfs read-only");
	} else {
		_cleanup_free_ char *layer = state_layer_dir(cfg);
		_cleanup_free_ char *top = cfg->rm_top ? state_top_dir(cfg) : NULL;
		_cleanup_free_ char *kept = xasprintf("%s/upper", layer);
		_cleanup_free_ char *opts = NULL;
		struct stat st;

		if (!top)
			opts = xasprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work",
					 cfg->rootfs, layer, layer);
		else if (stat(kept, &st) == 0 && S_ISDIR(st.st_mode))
			/* --rm over a kept layer: it is a read-only lower layer
			 * (its whiteouts and opaque directories still count) */
			opts = xasprintf("lowerdir=%s:%s,upperdir=%s/upper,workdir=%s/work",
					 kept, cfg->rootfs, top, top);
		else
			opts = xasprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work",
					 cfg->rootfs, top, top);
		if (mount("overlay", mp, "overlay", 0, opts) < 0)
			return ctr_fail(-errno, "mount overlay (%s)", opts);
	}
	return 0;
}

static int mount_at(int rootfd, const char *target, bool dir, const char *src,
		    const char *type, unsigned long flags, const char *data)
{
	_cleanup_close_ int fd = open_in_root(rootfd, target, true, dir);
	char buf[64];

	if (fd < 0)
		return fd;
	if (mount(src, fd_path(fd, buf, sizeof(buf)), type, flags, data) < 0)
		return ctr_fail(-errno, "mount %s on %s", type ? type : src, target);
	return 0;
}

static int bind_at(int rootfd, const char *src, const char *target, bool dir, bool ro)
{
	_cleanup_close_ int fd = open_in_root(rootfd, target, true, dir);
	char buf[64];

	if (fd < 0)
		return fd;
	if (mount(src, fd_path(fd, buf, sizeof(buf)), NULL, MS_BIND | MS_REC, NULL) < 0)
		return ctr_fail(-errno, "bind %s on %s", src, target);
	if (ro) {
		_cleanup_close_ int top = open_in_root(rootfd, target, false, dir);

		if (top < 0)
			return top;
		if (mount(NULL, fd_path(top, buf, sizeof(buf)), NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
			return ctr_fail(-errno, "make %s read-only", target);
	}
	return 0;
}

/* ip's convention: /etc/netns/NAME/X is bound over /etc/X. */
static int bind_netns_files(const struct ctr_config *cfg, int rootfd)
{
	static const char *const files[] = { "resolv.conf", "hosts", "hostname" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *src = xasprintf("/etc/netns/%s/%s", cfg->name, files[i]);
		_cleanup_free_ char *dst = xasprintf("/etc/%s", files[i]);
		struct stat st;
		int r;

		if (stat(src, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		r = bind_at(rootfd, src, dst, false, true);
		if (r < 0)
			return r;
	}
	return 0;
}

static int bind_volumes(const struct ctr_config *cfg, int rootfd)
{
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		const struct ctr_volume *v = &cfg->volumes[i];
		struct stat st;
		int r;

		if (stat(v->host, &st) < 0)
			return ctr_fail(-errno, "volume %s", v->host);
		r = bind_at(rootfd, v->host, v->target, S_ISDIR(st.st_mode), v->readonly);
		if (r < 0) {
			char why[CTR_ERRMSG_MAX];

			snprintf(why, sizeof(why), "%s", ctr_errmsg());
			return ctr_failx(r, "volume %s:%s: %s", v->host, v->target, why);
		}
	}
	return 0;
}

int mounts_setup(const struct ctr_config *cfg, const char *mp, int *rootfd_out, int *devfd_out)
{
	_cleanup_close_ int rootfd = -1;
	_cleanup_close_ int devfd = -1;
	int r;

	if (owned.mp >= 0) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return ctr_fail(-errno, "make / private");
		r = cfg->read_only ? mount_owned_readonly(cfg, &rootfd) : mount_owned_overlay(cfg, &rootfd);
		if (r < 0)
			return r;
	} else {
		r = mount_rootfs(cfg, mp);
		if (r < 0)
			return r;
		rootfd = open(mp, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (rootfd < 0)
			return ctr_fail(-errno, "open %s", mp);
	}
	r = mount_at(rootfd, "/proc", true, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (r < 0)
		return r;
	r = mount_at(rootfd, "/sys", true, "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (r < 0)
		return r;
	r = devices_setup(rootfd, &devfd);
	if (r < 0)
		return r;
	r = bind_netns_files(cfg, rootfd);
	if (r < 0)
		return r;
	r = bind_volumes(cfg, rootfd);
	if (r < 0)
		return r;
	*rootfd_out = ctr_steal_fd(&rootfd);
	*devfd_out = ctr_steal_fd(&devfd);
	return 0;
}

int mounts_pivot(int rootfd)
{
	if (fchdir(rootfd) < 0)
		return ctr_fail(-errno, "chdir to the new root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return ctr_fail(-errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return ctr_fail(-errno, "detach the old root");
	if (chdir("/") < 0)
		return ctr_fail(-errno, "chdir /");
	return 0;
}
