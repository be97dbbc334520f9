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
#include <grp.h>
#include <linux/nsfs.h>
#include <linux/sched.h>   /* struct clone_args, CLONE_INTO_CGROUP */
#include <pwd.h>
#include <sched.h>
#include <sys/ioctl.h>
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

pid_t ns_clone(bool new_pidns, int cgroup_fd, bool *in_cgroup)
{
	unsigned long flags = new_pidns ? CLONE_NEWPID : 0;
	const char *what = new_pidns ? "clone into a new PID namespace" : "fork";
	long pid;

	*in_cgroup = false;
	/* v2: born in its cgroup (clone3, Linux >= 5.7); the raw syscalls
	 * behave like fork() (no stack: copy-on-write; we have one thread) */
	if (cgroup_fd >= 0) {
		struct clone_args args = {
			.flags = flags | CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
			.cgroup = (uint64_t)cgroup_fd,
		};

		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			*in_cgroup = true;
			return (pid_t)pid;
		}
		/* an older kernel (or a seccomp filter of the caller's that
		 * refuses clone3): cloned as below, then moved, which the
		 * kernel checks the same way */
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL && errno != EPERM)
			return ctr_fail(-errno, "%s, in the container's cgroup (clone3)", what);
	}
	pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0)
		return ctr_fail(-errno, "%s", what);
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

/* The user namespace that owns NAME's netns (an fd), or -errno (recorded). */
static int owner_userns(const struct ctr_config *cfg)
{
	_cleanup_close_ int net = -1;
	int r = ns_open_netns(cfg, &net), fd;

	if (r < 0)
		return r;
	fd = ioctl(net, NS_GET_USERNS);
	if (fd < 0)
		return ctr_fail(-errno, "user namespace of the network namespace (NS_GET_USERNS)");
	return fd;
}

static const char *net_state_dir(void)
{
	const char *e = getenv("CTR_NET_STATE_DIR");

	return e && *e ? e : "/run/ctr-net";
}

/* "subuid=START:COUNT" of NAME's record (netns-setup create --userns),
 * root's file: the host uid of the container's root. */
static int userns_root_from_record(const struct ctr_config *cfg, uid_t *root)
{
	_cleanup_free_ char *path = xasprintf("%s/netns/%s", net_state_dir(), cfg->name);
	_cleanup_free_ char *text = NULL;
	unsigned long start;
	const char *p;
	char *end;
	int r = read_file_regular(path, &text);

	if (r < 0)
		return r;
	p = strstr(text, "\nsubuid=");
	if (!p)
		return ctr_failx(-ENOENT, "%s: no subuid= line (not made by netns-setup create --userns)", path);
	errno = 0;
	start = strtoul(p + 8, &end, 10);
	if (errno || end == p + 8 || *end != ':' || start == 0 || start > UINT32_MAX - 65536)
		return ctr_failx(-EINVAL, "%s: bad subuid= line", path);
	*root = (uid_t)start;
	return 0;
}

/* Root's container in a user namespace of its own (netns-setup create
 * --userns): started and joined by root only; its image is the idmapped
 * view; its state and layer stay root's. */
static int probe_root_userns(struct ctr_config *cfg)
{
	int r;

	if (getuid() != 0 || geteuid() != 0)
		return ctr_failx(-EPERM, "must be run as root (its user namespace is root's: netns-setup create --userns)");
	if ((r = userns_root_from_record(cfg, &cfg->userns_root)) < 0)
		return r;
	free(cfg->rootfs);
	cfg->rootfs = xasprintf("%s/image/%s", net_state_dir(), cfg->name);
	return 0;
}

int ns_probe_owner(struct ctr_config *cfg)
{
	_cleanup_close_ int user = -1;
	struct stat a, b;
	struct passwd *pw;
	uid_t owner;

	cfg->owned = false;
	cfg->userns = false;
	user = owner_userns(cfg);
	if (user < 0)
		return getuid() == 0 ? 0 : user;
	if (fstat(user, &a) < 0 || stat("/proc/self/ns/user", &b) < 0)
		return ctr_fail(-errno, "stat user namespace");
	if (a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
		if (geteuid() != 0)
			return ctr_failx(-EPERM, "must be run as root (it creates namespaces and mounts)");
		return 0;
	}
	if (ioctl(user, NS_GET_OWNER_UID, &owner) < 0)
		return ctr_fail(-errno, "owner of the user namespace (NS_GET_OWNER_UID)");
	cfg->userns = true;
	if (owner == 0)
		return probe_root_userns(cfg);
	if (getuid() != 0 && owner != getuid())
		return ctr_failx(-EPERM, "not the owner: its user namespace belongs to uid %u", (unsigned)owner);
	cfg->owned = true;
	cfg->owner_uid = owner;
	/* her cgroup is found by her name (cgroup-owner.c); asked here, in our
	 * own user namespace, where her uid still has its name */
	pw = getpwuid(owner);
	if (!pw)
		return ctr_failx(-ENOENT, "owner uid %u of its user namespace has no user name", (unsigned)owner);
	free(cfg->owner);
	cfg->owner = xstrdup(pw->pw_name);
	{
		char *run = xasprintf("%s/.user/%u", cfg->run_dir, (unsigned)owner);
		char *lib = xasprintf("%s/.user/%u", cfg->lib_dir, (unsigned)owner);
		_cleanup_free_ char *log = xasprintf("%s/%s/log", cfg->lib_dir, cfg->name);

		/* -d's default log goes with the layer */
		if (cfg->log_file && strcmp(cfg->log_file, log) == 0) {
			free(cfg->log_file);
			cfg->log_file = xasprintf("%s/%s/log", lib, cfg->name);
		}
		free(cfg->run_dir);
		cfg->run_dir = run;
		free(cfg->lib_dir);
		cfg->lib_dir = lib;
	}
	free(cfg->rootfs);
	cfg->rootfs = xasprintf("%s/image/%s", net_state_dir(), cfg->name);
	return 0;
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_ino == sb.st_ino &&
	       sa.st_dev == sb.st_dev;
}

int ns_check_owned_pid(const struct ctr_config *cfg, int userfd, int netfd)
{
	_cleanup_close_ int net = -1;
	_cleanup_close_ int user = -1;
	int r;

	if (userfd >= 0 && netfd >= 0) {
		if ((r = ns_open_netns(cfg, &net)) < 0)
			return r;
		user = ioctl(net, NS_GET_USERNS);
		if (user < 0)
			return ctr_fail(-errno, "user namespace of the network namespace (NS_GET_USERNS)");
		if (same_file(user, userfd) && same_file(net, netfd))
			return 0;
	}
	return ctr_failx(-EPERM, "the state's pid is not in the container's user and network namespaces: refused");
}

int ns_join_owner_userns(const struct ctr_config *cfg)
{
	_cleanup_close_ int user = owner_userns(cfg);

	if (user < 0)
		return user;
	if (setns(user, CLONE_NEWUSER) < 0)
		return ctr_fail(-errno, "join the container's user namespace");
	return 0;
}

int ns_check_userns_root(const struct ctr_config *cfg)
{
	_cleanup_free_ char *map = NULL;
	unsigned long inside, outside;
	int r = read_file("/proc/self/uid_map", &map);

	if (r < 0)
		return r;
	if (sscanf(map, "%lu %lu", &inside, &outside) != 2 || inside != 0 || outside != cfg->userns_root)
		return ctr_failx(-ESTALE, "its user namespace maps uid 0 to host uid %lu, its record says %u: made again meanwhile? (try again)",
				 outside, (unsigned)cfg->userns_root);
	return 0;
}

int ns_become_userns_root(bool effective_only)
{
	uid_t keep_uid = effective_only ? (uid_t)-1 : 0;
	gid_t keep_gid = effective_only ? (gid_t)-1 : 0;

	if (setgroups(0, NULL) < 0)
		return ctr_fail(-errno, "setgroups in the user namespace");
	if (setresgid(keep_gid, 0, keep_gid) < 0)
		return ctr_fail(-errno, "become gid 0 of the user namespace");
	if (setresuid(keep_uid, 0, keep_uid) < 0)
		return ctr_fail(-errno, "become uid 0 of the user namespace");
	return 0;
}
