/* SPDX-License-Identifier: MIT */
/*
 * owner.c: the namespaces and the image view of a container owned by an
 * unprivileged user (netns-setup create --owner; docs/architecture.md,
 * "Containers owned by a user").
 *
 * A network namespace made by root belongs to the host's user namespace:
 * the owner could never setns into it, nor mount its sysfs.  So a child of
 * this (privileged) process becomes the owner (her uid and gid, no
 * supplementary groups) and unshares CLONE_NEWUSER|CLONE_NEWNET in one
 * call, WITHOUT exec: the uid change has made it non-dumpable, so the owner
 * cannot ptrace it while it waits for its maps (an exec would make it
 * dumpable again, and she could write her own maps or hold it).  We, root,
 * write "0 START COUNT" from her /etc/subuid and /etc/subgid lines (her own
 * uid is not mapped), leave setgroups "allow" (newgidmap's policy: see
 * docs/architecture.md), pin both namespaces as files and let the child
 * go.  NS_GET_USERNS and NS_GET_OWNER_UID check the result.
 */
#include <fcntl.h>
#include <grp.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "owner.h"
#include "util.h"

static bool parse_ul(const char **p, unsigned long *out, char end)
{
	char *e;

	errno = 0;
	*out = strtoul(*p, &e, 10);
	if (errno || e == *p || *e != end || **p == '-')
		return false;
	*p = *e ? e + 1 : e;
	return true;
}

bool owner_parse(const char *text, struct owner_spec *spec)
{
	unsigned long v[6];

	for (int i = 0; i < 6; i++)
		if (!parse_ul(&text, &v[i], i < 5 ? ':' : '\0'))
			return false;
	spec->uid = (uid_t)v[0];
	spec->gid = (gid_t)v[1];
	spec->ustart = v[2];
	spec->ucount = v[3];
	spec->gstart = v[4];
	spec->gcount = v[5];
	/* uid 0 (with gid 0): root's own container in a user namespace of
	 * its own (netns-setup create --userns) */
	return v[0] == spec->uid && v[1] == spec->gid && (v[0] != 0 || v[1] == 0) && v[2] > 0 &&
	       v[4] > 0 && v[3] > 0 && v[5] > 0 && v[2] + v[3] <= UINT32_MAX && v[4] + v[5] <= UINT32_MAX;
}

/* The child: the owner, in her new user and network namespaces, until we
 * close TO_CHILD.  Reports unshare's errno (0: done) on TO_PARENT. */
__attribute__((noreturn)) static void owner_child(const struct owner_spec *spec, int to_child, int to_parent)
{
	int err = 0;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	if (setgroups(0, NULL) < 0 || setresgid(spec->gid, spec->gid, spec->gid) < 0 ||
	    setresuid(spec->uid, spec->uid, spec->uid) < 0 ||
	    unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		err = errno;
	if (write(to_parent, &err, sizeof(err)) != sizeof(err))
		_exit(1);
	while (read(to_child, &c, 1) < 0 && errno == EINTR)
		;
	_exit(err ? 1 : 0);
}

static int write_map(pid_t pid, const char *file, const char *text)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int)pid, file);

	return write_file_at(AT_FDCWD, path, "%s", text);
}

static int pin(pid_t pid, const char *ns, const char *target)
{
	_cleanup_free_ char *src = xasprintf("/proc/%d/ns/%s", (int)pid, ns);

	if (mount(src, target, "none", MS_BIND, NULL) < 0)
		return ctr_fail(-errno, "pin %s namespace on %s", ns, target);
	return 0;
}

static int make_pin_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);

	if (fd < 0)
		return ctr_fail(-errno, "create %s", path);
	close(fd);
	return 0;
}

/* The pinned netns belongs to the pinned user namespace, which belongs to
 * the owner. */
static int verify(int netfd, const struct owner_spec *spec)
{
	_cleanup_close_ int userfd = ioctl(netfd, NS_GET_USERNS);
	struct stat a, b;
	uid_t owner;

	if (userfd < 0)
		return ctr_fail(-errno, "NS_GET_USERNS");
	if (ioctl(userfd, NS_GET_OWNER_UID, &owner) < 0)
		return ctr_fail(-errno, "NS_GET_OWNER_UID");
	if (owner != spec->uid)
		return ctr_failx(-EPERM, "user namespace owned by uid %u, not %u", (unsigned)owner,
				 (unsigned)spec->uid);
	if (fstat(userfd, &a) < 0 || stat(spec->userns_pin, &b) < 0)
		return ctr_fail(-errno, "stat %s", spec->userns_pin);
	if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		return ctr_failx(-EINVAL, "the network namespace's user namespace is not the one pinned on %s",
				 spec->userns_pin);
	return 0;
}

#define OWNER_CHILD_WAIT_MS 10000

/* FD readable (or at its end) within MS milliseconds; -ETIMEDOUT. */
static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return r > 0 ? 0 : r == 0 ? -ETIMEDOUT : -errno;
}

/* Maps, pins, check: the parent's half while the child waits. */
static int make_namespaces(pid_t pid, const char *netns_path, const struct owner_spec *spec, int from_child)
{
	_cleanup_free_ char *umap = xasprintf("0 %lu %lu\n", spec->ustart, spec->ucount);
	_cleanup_free_ char *gmap = xasprintf("0 %lu %lu\n", spec->gstart, spec->gcount);
	int err = -1, r;

	/* she may stop her child (it runs as her uid): not forever */
	if (wait_readable(from_child, OWNER_CHILD_WAIT_MS) < 0)
		return ctr_failx(-ETIMEDOUT, "user namespace: the child as uid %u did not answer in %d s",
				 (unsigned)spec->uid, OWNER_CHILD_WAIT_MS / 1000);
	if (read_full(from_child, (char *)&err, sizeof(err)) != sizeof(err))
		return ctr_failx(-EIO, "user namespace: the child as uid %u ended early", (unsigned)spec->uid);
	if (err)
		return ctr_fail(-err, "user namespace: unshare as uid %u", (unsigned)spec->uid);
	if ((r = write_map(pid, "uid_map", umap)) < 0 || (r = write_map(pid, "setgroups", "allow")) < 0 ||
	    (r = write_map(pid, "gid_map", gmap)) < 0)
		return r;
	if ((r = pin(pid, "user", spec->userns_pin)) < 0 || (r = pin(pid, "net", netns_path)) < 0)
		return r;
	return 0;
}

int owner_netns_add(const char *netns_path, const struct owner_spec *spec)
{
	int to_child[2], to_parent[2], r, status;
	_cleanup_close_ int fd = -1;
	pid_t pid;

	if ((r = make_pin_file(spec->userns_pin)) < 0)
		return r;
	if ((r = make_pin_file(netns_path)) < 0) {
		unlink(spec->userns_pin);
		return r;
	}
	if (pipe2(to_child, O_CLOEXEC) < 0) {
		r = ctr_fail(-errno, "pipe");
		goto fail;
	}
	if (pipe2(to_parent, O_CLOEXEC) < 0) {
		r = ctr_fail(-errno, "pipe");
		close(to_child[0]);
		close(to_child[1]);
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		owner_child(spec, to_child[0], to_parent[1]);
	}
	close(to_child[0]);
	close(to_parent[1]);
	r = pid < 0 ? ctr_fail(-errno, "fork") : make_namespaces(pid, netns_path, spec, to_parent[0]);
	close(to_parent[0]);
	close(to_child[1]);   /* the child ends */
	if (pid > 0) {
		/* the pins hold the namespaces: the child is done, and a
		 * child she stopped (SIGSTOP as her uid) would hold us */
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (r < 0)
		goto fail;
	fd = open(netns_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = ctr_fail(-errno, "open %s", netns_path);
		goto fail;
	}
	if ((r = verify(fd, spec)) < 0)
		goto fail;
	return ctr_steal_fd(&fd);
fail:
	owner_unpin(netns_path, false);
	owner_unpin(spec->userns_pin, false);
	return r;
}

int owner_image_view(const struct owner_spec *spec)
{
	_cleanup_close_ int userfd = open(spec->userns_pin, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int tree = -1;
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
	};

	if (userfd < 0)
		return ctr_fail(-errno, "open %s", spec->userns_pin);
	attr.userns_fd = (uint64_t)userfd;
	tree = open_tree(AT_FDCWD, spec->image, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return ctr_fail(-errno, "image %s: open_tree", spec->image);
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return ctr_fail(-errno, "image %s has no idmapped mounts (Linux >= 5.12 and a filesystem that supports them): mount_setattr",
				spec->image);
	if (mkdir(spec->image_view, 0755) < 0 && errno != EEXIST)
		return ctr_fail(-errno, "mkdir %s", spec->image_view);
	if (move_mount(tree, "", AT_FDCWD, spec->image_view, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		int r = ctr_fail(-errno, "attach the image view on %s", spec->image_view);

		rmdir(spec->image_view);
		return r;
	}
	return 0;
}

/* Is the user namespace of /proc/PID (or an ancestor of it) TARGET? */
static bool in_userns(const char *pid, const struct stat *target)
{
	_cleanup_free_ char *path = xasprintf("/proc/%s/ns/user", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	while (fd >= 0) {
		struct stat st;
		int parent;

		if (fstat(fd, &st) == 0 && st.st_ino == target->st_ino && st.st_dev == target->st_dev) {
			close(fd);
			return true;
		}
		parent = ioctl(fd, NS_GET_PARENT);   /* EPERM above our own */
		close(fd);
		fd = parent;
	}
	return false;
}

/* A zombie keeps its credentials (and so its user namespace) until it is
 * reaped, and a SIGKILL to it "succeeds": not counted. */
static bool is_zombie(const char *pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%s/stat", pid);
	_cleanup_free_ char *text = NULL;
	const char *paren;
	struct ctr_error e = CTR_ERROR_INIT;
	int r;

	ctr_error_local(&e);
	r = read_file(path, &text);
	ctr_error_release(&e);
	if (r < 0)
		return true;   /* gone */
	paren = strrchr(text, ')');
	return !paren || paren[1] != ' ' || paren[2] == 'Z' || paren[2] == 'X';
}

/* One pass over /proc: SIGKILL to each process in the namespace; the
 * count.  STUCK (when not NULL): their pids, space-separated. */
static int kill_pass(const struct stat *target, char **stuck)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return ctr_fail(-errno, "opendir /proc");
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || !in_userns(e->d_name, target) ||
		    is_zombie(e->d_name))
			continue;
		if (kill((pid_t)atoi(e->d_name), SIGKILL) == 0) {
			n++;
			if (stuck) {
				char *more = xasprintf("%s%s%s", *stuck ? *stuck : "", *stuck ? " " : "", e->d_name);

				free(*stuck);
				*stuck = more;
			}
		}
	}
	return n;
}

int owner_stat_pin(const char *pin, struct stat *target)
{
	if (stat(pin, target) < 0)
		return errno == ENOENT ? 0 : ctr_fail(-errno, "stat %s", pin);
	return 1;
}

int owner_kill_userns(const struct stat *target, char **stuck)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };

	*stuck = NULL;
	for (int i = 0; i < 500; i++) {
		int n = kill_pass(target, NULL);

		if (n <= 0)
			return n;
		nanosleep(&nap, NULL);
	}
	/* (uninterruptible sleep: a FUSE server of hers, say) */
	return kill_pass(target, stuck);
}

int owner_unmount(const char *path)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return ctr_fail(-errno, "unmount %s", path);
	return 0;
}

int owner_unpin(const char *path, bool dir)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return ctr_fail(-errno, "unmount %s", path);
	if ((dir ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		return ctr_fail(-errno, "remove %s", path);
	return 0;
}
