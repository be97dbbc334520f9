/* SPDX-License-Identifier: MIT */
/* devices.c: /dev of the container (a tmpfs: nothing of the host's /dev
 * leaks in except the few nodes bound when mknod is not allowed). */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "devices.h"
#include "mounts.h"
#include "util.h"

static const struct {
	const char *name;
	unsigned int major, minor;
} nodes[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
	const char *name, *target;
} links[] = {
	{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" }, { "core", "/proc/kcore" },
};

static int make_node(int devfd, const char *name, unsigned int ma, unsigned int mi)
{
	_cleanup_free_ char *host = NULL;
	_cleanup_close_ int f = -1;
	char buf[64];

	if (mknodat(devfd, name, S_IFCHR | 0666, makedev(ma, mi)) == 0) {
		if (fchmodat(devfd, name, 0666, 0) < 0)
			return ctr_fail(-errno, "chmod /dev/%s", name);
		return 0;
	}
	if (errno != EPERM)
		return ctr_fail(-errno, "mknod /dev/%s", name);
	/* No mknod (e.g. a user namespace): bind the host's node. */
	f = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0666);
	if (f < 0)
		return ctr_fail(-errno, "create /dev/%s", name);
	host = xasprintf("/dev/%s", name);
	if (mount(host, fd_path(f, buf, sizeof(buf)), NULL, MS_BIND, NULL) < 0)
		return ctr_fail(-errno, "bind %s", host);
	return 0;
}

static int mount_in_dev(int devfd, const char *dir, mode_t mode, const char *type,
			unsigned long flags, const char *data)
{
	_cleanup_close_ int fd = -1;
	char buf[64];

	if (mkdirat(devfd, dir, mode) < 0 && errno != EEXIST)
		return ctr_fail(-errno, "mkdir /dev/%s", dir);
	fd = openat(devfd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ctr_fail(-errno, "open /dev/%s", dir);
	if (mount(type, fd_path(fd, buf, sizeof(buf)), type, flags, data) < 0)
		return ctr_fail(-errno, "mount %s on /dev/%s", type, dir);
	return 0;
}

int devices_setup(int rootfd, int *devfd_out)
{
	_cleanup_close_ int target = open_in_root(rootfd, "/dev", true, true);
	_cleanup_close_ int devfd = -1;
	char buf[64];
	int r;

	if (target < 0)
		return target;
	if (mount("tmpfs", fd_path(target, buf, sizeof(buf)), "tmpfs", MS_NOSUID | MS_NOEXEC,
		  "mode=755,size=65536k") < 0)
		return ctr_fail(-errno, "mount tmpfs on /dev");
	/* target is the directory under the mount: look the path up again. */
	{
		_cleanup_close_ int top = open_in_root(rootfd, "/dev", false, true);

		if (top < 0)
			return top;
		devfd = open(fd_path(top, buf, sizeof(buf)), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	}
	if (devfd < 0)
		return ctr_fail(-errno, "open /dev");
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		r = make_node(devfd, nodes[i].name, nodes[i].major, nodes[i].minor);
		if (r < 0)
			return r;
	}
	/* A devpts of its own, with a budget of its own: max= caps this
	 * instance, so that one container cannot take every pty the kernel
	 * gives the non-initial instances (kernel.pty.max - kernel.pty.reserve,
	 * 3072 by default) and stop the next container's terminal. */
	r = mount_in_dev(devfd, "pts", 0755, "devpts", MS_NOSUID | MS_NOEXEC,
			 "newinstance,ptmxmode=0666,mode=0620,gid=5,max=" CTR_PTY_MAX);
	if (r < 0)
		return r;
	r = mount_in_dev(devfd, "shm", 01777, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			 "mode=1777,size=65536k");
	if (r < 0)
		return r;
	r = mount_in_dev(devfd, "mqueue", 0755, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i].target, devfd, links[i].name) < 0)
			return ctr_fail(-errno, "symlink /dev/%s", links[i].name);
	*devfd_out = ctr_steal_fd(&devfd);
	return 0;
}

static int bind_console(int devfd, int ttyfd)
{
	_cleanup_close_ int f = openat(devfd, "console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0600);
	char src[64], dst[64];

	if (f < 0)
		return ctr_fail(-errno, "create /dev/console");
	if (mount(fd_path(ttyfd, src, sizeof(src)), fd_path(f, dst, sizeof(dst)), NULL, MS_BIND, NULL) < 0)
		return ctr_fail(-errno, "bind the terminal on /dev/console");
	return 0;
}

int devices_open_pty(int dirfd, const char *ptmx, bool console, bool slave_stderr, int *master_out)
{
	_cleanup_close_ int master = -1;
	_cleanup_close_ int slave = -1;
	struct winsize ws;
	int unlock = 0, r;

	master = openat(dirfd, ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return ctr_fail(-errno, "open the container's %s", ptmx);
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return ctr_fail(-errno, "unlock pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return ctr_fail(-errno, "open pty slave");
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(slave, TIOCSWINSZ, &ws);
	if (console && (r = bind_console(dirfd, slave)) < 0)
		return r;
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return ctr_fail(-errno, "make the pty the controlling terminal");
	for (int i = 0; i < (slave_stderr ? 3 : 2); i++)
		if (dup2(slave, i) < 0)
			return ctr_fail(-errno, "dup pty");
	*master_out = ctr_steal_fd(&master);
	return 0;
}
