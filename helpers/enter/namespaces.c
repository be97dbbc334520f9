/* SPDX-License-Identifier: MIT */
/*
 * namespaces.c: the supervisor joins the named netns and forks PID 1 into a
 * new PID namespace (clone(CLONE_NEWPID)); the child
 * makes its own mount, UTS, IPC and cgroup namespaces once it sits in the
 * container's cgroup, so that its cgroup namespace root is that cgroup and
 * the supervisor stays in the host's mount namespace (no mount of the
 * container is ever visible to, or pinned by, the host side).
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "namespaces.h"
#include "util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

int ns_open_netns(const struct ctr_config *cfg, int *out)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", cfg->netns_dir, cfg->name);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct statfs sfs;

	if (fd < 0) {
		if (errno == ENOENT)
			return ctr_failx(-ENOENT, "network namespace %s does not exist: create it with `netns-setup create %s IP`",
					 path, cfg->name);
		return ctr_fail(-errno, "open network namespace %s", path);
	}
	if (fstatfs(fd, &sfs) < 0)
		return ctr_fail(-errno, "statfs %s", path);
	if (sfs.f_type != NSFS_MAGIC)
		return ctr_failx(-EINVAL, "%s is not a network namespace (not mounted): recreate it with `netns-setup create %s IP`",
				 path, cfg->name);
	*out = ctr_steal_fd(&fd);
	return 0;
}

int ns_join_net(int fd)
{
	if (setns(fd, CLONE_NEWNET) < 0)
		return ctr_fail(-errno, "join network namespace");
	return 0;
}

pid_t ns_fork_pid1(void)
{
	/* The raw syscall behaves like fork() (no stack: copy-on-write). */
	long pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, 0);

	if (pid < 0)
		return ctr_fail(-errno, "clone into a new PID namespace");
	return (pid_t)pid;
}

int ns_unshare_container(void)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC) < 0)
		return ctr_fail(-errno, "unshare mount/UTS/IPC namespaces");
	return 0;
}

int ns_unshare_cgroup(void)
{
	if (unshare(CLONE_NEWCGROUP) < 0)
		return ctr_fail(-errno, "unshare cgroup namespace");
	return 0;
}
