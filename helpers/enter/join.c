/* SPDX-License-Identifier: MIT */
/*
 * join.c: run a command inside a running container (`docker exec`).
 *
 *   probe: lock busy and PID 1 alive with its recorded start time (the
 *          state is written once PID 1 has exec'd: it is set up)
 *   refuse options that would change the running container
 *   the container's restrictions from its state file into cfg
 *   open every /proc/PID1/ns/X first, check PID 1 is still the same process
 *   cgroup_open; setns(pid) in the supervisor, fork, and back to our own
 *   pid namespace (setns(CLONE_NEWPID) only affects children)
 *   supervisor: cgroup_attach(child), GO, read its errors until exec,
 *               then the same wait/forward/relay loop as a start
 *   child: rlimits (raising one needs CAP_SYS_RESOURCE); user, cgroup,
 *          ipc, uts, net namespaces, mnt last, chdir /; capabilities
 *          narrowed to the container's; a pty from the container's devpts
 *          (tty mode); then what a start's PID 1 does too (process.c):
 *          user, fds closed, caps, no_new_privs, seccomp (masked paths are
 *          in the mount ns already), workdir, exec
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "cgroup.h"
#include "join.h"
#include "lifecycle.h"
#include "namespaces.h"
#include "process.h"
#include "relay.h"
#include "security.h"
#include "supervisor.h"
#include "sync.h"
#include "util.h"

/* setns order: user first (it grants the rights for the rest), mnt last
 * (it changes root and cwd); pid is joined by the supervisor for its fork. */
static const struct {
	const char *name;
	int flag;
} nstypes[] = {
	{ "user", CLONE_NEWUSER }, { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },   { "net", CLONE_NEWNET },       { "pid", CLONE_NEWPID },
	{ "mnt", CLONE_NEWNS },
};
#define NS_N ARRAY_SIZE(nstypes)
#define NS_NET 4   /* nstypes[NS_NET] is net */
#define NS_PID 5   /* nstypes[NS_PID] is pid */

bool join_option_allowed(const char *lng)
{
	static const char *const allowed[] = {
		"env", "workdir", "user", "help", "version", "stats", "json", "join", "cleanup",
		"provision", "unprovision",
		"interactive", "tty",
	};

	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		if (strcmp(lng, allowed[i]) == 0)
			return true;
	return false;
}

static void close_all(int fds[NS_N])
{
	for (size_t i = 0; i < NS_N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* fds[i] = /proc/PID/ns/X, or -1 when we are in that namespace already
 * (never the mount namespace: that is refused). */
static int open_namespaces(pid_t pid, int fds[NS_N])
{
	for (size_t i = 0; i < NS_N; i++)
		fds[i] = -1;
	for (size_t i = 0; i < NS_N; i++) {
		char path[64], self[64];
		struct stat a, b;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, nstypes[i].name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", nstypes[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			int err = -errno;

			close_all(fds);
			if (err == -ENOENT || err == -ESRCH)
				return ctr_failx(err, "container stopped while joining it");
			return ctr_fail(err, "open %s", path);
		}
		if (fstat(fds[i], &a) == 0 && stat(self, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			close(fds[i]);
			fds[i] = -1;
			/* PID 1 always has a mount namespace of its own: sharing
			 * ours, it has not set up (the state says it has). */
			if (nstypes[i].flag == CLONE_NEWNS) {
				close_all(fds);
				return ctr_failx(-EAGAIN, "container is not set up: its PID 1 is in our mount namespace");
			}
		}
	}
	return 0;
}

/* The running container's restrictions replace the (default) ones of the
 * command line: the joining process gets what PID 1 got. */
static void adopt_state(struct ctr_config *cfg, const struct ctr_state *st)
{
	cfg->privileged = st->privileged;
	cfg->seccomp_unconfined = st->seccomp_unconfined;
	cfg->cap_add = st->cap_add;
	cfg->cap_drop = st->cap_drop;
	cfg->cap_drop_all = st->cap_drop_all;
	free(cfg->rlimits);
	cfg->rlimits = NULL;
	cfg->n_rlimits = st->n_rlimits;
	if (st->n_rlimits) {
		cfg->rlimits = xcalloc(st->n_rlimits, sizeof(*cfg->rlimits));
		memcpy(cfg->rlimits, st->rlimits, st->n_rlimits * sizeof(*cfg->rlimits));
	}
	cfg->limits = (struct ctr_limits){ .memory = st->limits.memory,
					   .memory_swap = st->limits.memory_swap,
					   .cpu_quota_us = st->limits.cpu_quota_us,
					   .cpu_period_us = st->limits.cpu_period_us,
					   .cpu_shares = st->limits.cpu_shares,
					   .pids_limit = st->limits.pids_limit };
	if (st->hostname && *st->hostname) {
		free(cfg->hostname);
		cfg->hostname = xstrdup(st->hostname);
	}
	if (!cfg->has_user && st->user && *st->user) {
		cfg->has_user = true;
		free(cfg->user_spec);
		cfg->user_spec = xstrdup(st->user);
	}
	if (st->cgroup_parent && *st->cgroup_parent) {
		free(cfg->cgroup_parent);
		cfg->cgroup_parent = xstrdup(st->cgroup_parent);
	}
}

/* OWNED: a container owned by a user (its user namespace is nstypes[0]):
 * once in it, become its root before anything else, so that nothing runs
 * there with the caller's host uid (a host root there could be ptraced by
 * the owner). */
static int enter_namespaces(const int fds[NS_N], bool owned)
{
	for (size_t i = 0; i < NS_N; i++) {
		if (fds[i] >= 0 && nstypes[i].flag != CLONE_NEWPID && setns(fds[i], nstypes[i].flag) < 0)
			return ctr_fail(-errno, "join %s namespace", nstypes[i].name);
		if (nstypes[i].flag == CLONE_NEWUSER && owned && ns_become_userns_root(false) < 0)
			return -EPERM;
	}
	if (chdir("/") < 0)
		return ctr_fail(-errno, "chdir /");
	return 0;
}

__attribute__((noreturn)) static void join_child(const struct ctr_config *cfg, int sock,
						 const int fds[NS_N], const struct relay *io)
{
	_cleanup_free_ char *home = NULL;
	uid_t uid = 0;
	gid_t gid = 0;

	/* Not readable or traceable by the container (its environ is still
	 * the caller's; exec resets this); no host command line (-e values)
	 * in its /proc/PID/cmdline. */
	process_child_begin(io, sock);
	prctl(PR_SET_DUMPABLE, 0);
	process_retitle("ctr-exec");
	process_wait_go(sock);
	/* rlimits first: raising one needs CAP_SYS_RESOURCE, which goes next */
	if (security_set_rlimits(cfg) < 0 || enter_namespaces(fds, cfg->userns) < 0 || security_narrow_caps(cfg) < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
	process_test_delay();
	process_send_pty(io, sock, AT_FDCWD, "/dev/ptmx", false);
	if (process_resolve_user(cfg, &uid, &gid, &home) < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
	process_exec_command(cfg, sock, uid, gid, home);
}

/* fork() with the child in the container's PID namespace (on v2 born in
 * its cgroup: cgroup_born_inside); we stay in ours. */
static pid_t fork_into(int pidns, int ownns, struct ctr_cgroup *cg)
{
	bool inside;
	pid_t pid;

	if (pidns >= 0 && setns(pidns, CLONE_NEWPID) < 0)
		return ctr_fail(-errno, "join pid namespace");
	fflush(NULL);
	pid = ns_clone(false, cgroup_clone_fd(cg), &inside);
	if (pid > 0 && inside)
		cgroup_born_inside(cg);
	/* (the owner, in her user namespace now, may not go back to the
	 * host's PID namespace: she has no capability there; we fork no more) */
	if (pid != 0 && pidns >= 0 && ownns >= 0 && setns(ownns, CLONE_NEWPID) < 0)
		ctr_warn(NULL, "cannot return to our own pid namespace: %s", strerror(errno));
	return pid;
}

static int supervise(const struct ctr_config *cfg, struct ctr_cgroup *cg, pid_t pid, int sock,
		     int sigfd, struct relay *io)
{
	int master = -1;
	int code;

	if (process_release(cg, pid, sock, &master) < 0) {
		if (master >= 0)
			close(master);
		ctr_report(cfg->name);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return EXIT_CTR_FAIL;
	}
	code = sync_wait_exec(sock, sigfd, pid, &master);
	if (code != 0) {
		if (master >= 0)
			close(master);
		ctr_report(cfg->name);
		return code;
	}
	return supervisor_exit_code(process_supervise(cfg->name, pid, sigfd, io, master, true));
}

static int join_running(struct ctr_config *cfg, const struct ctr_state *st)
{
	_cleanup_close_ int ownpid = -1;
	_cleanup_close_ int sigfd = -1;
	struct ctr_cgroup *cg = NULL;
	struct relay io;
	int fds[NS_N], sv[2] = { -1, -1 };
	int code = EXIT_CTR_FAIL;
	pid_t pid;

	relay_init(&io);
	for (size_t i = 0; i < NS_N; i++)
		fds[i] = -1;
	if (cfg->start_opt) {
		ctr_failx(-EINVAL, "%s: cannot change a running container", cfg->start_opt);
		goto out;
	}
	adopt_state(cfg, st);
	if (open_namespaces(st->pid, fds) < 0)
		goto out;
	/* her state file is hers: its pid must be in her namespaces */
	if (cfg->userns && ns_check_owned_pid(cfg, fds[0], fds[NS_NET]) < 0)
		goto out;
	if (!state_pid1_alive(st)) {
		ctr_failx(-ESRCH, "container stopped while joining it");
		goto out;
	}
	ownpid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (ownpid < 0) {
		ctr_fail(-errno, "open /proc/self/ns/pid");
		goto out;
	}
	if (cgroup_open(cfg, cfg->name, &cg) < 0 || supervisor_signals(&sigfd) < 0)
		goto out;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ctr_fail(-errno, "socketpair");
		goto out;
	}
	if (relay_plan(&io, NULL) < 0)
		goto out;
	/* The owner joins her user namespace herself: only there may she join
	 * its PID namespace (setns needs CAP_SYS_ADMIN in our own user
	 * namespace too).  Root never does: it stays root of the host, and
	 * its child becomes the namespace's root (enter_namespaces). */
	if (cfg->owned && getuid() != 0 && fds[0] >= 0) {
#ifdef __SANITIZE_ADDRESS__
		/* LeakSanitizer's check at exit stops the world from a task it
		 * clones: born in her PID namespace (we cannot go back to ours),
		 * it could not see us, and the check would spin forever. */
		__lsan_do_leak_check();
#endif
		if (setns(fds[0], CLONE_NEWUSER) < 0) {
			ctr_fail(-errno, "join the container's user namespace");
			goto out;
		}
		close(fds[0]);
		fds[0] = -1;
		close(ownpid);
		ownpid = -1;
	}
	pid = fork_into(fds[NS_PID], ownpid, cg);
	if (pid < 0)
		goto out;
	if (pid == 0) {
		close(sv[0]);
		close(sigfd);
		join_child(cfg, sv[1], fds, &io);
	}
	close(sv[1]);
	sv[1] = -1;
	relay_parent(&io);
	close_all(fds);
	for (size_t i = 0; i < NS_N; i++)
		fds[i] = -1;
	code = supervise(cfg, cg, pid, sv[0], sigfd, &io);
	cgroup_free(cg);
	close(sv[0]);
	relay_close(&io);
	return code;
out:
	relay_close(&io);
	close_all(fds);
	if (cg)
		cgroup_free(cg);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	ctr_report(cfg->name);
	return EXIT_CTR_FAIL;
}

/* Root and a container owned by a user: her run and layer directories are
 * hers, so root neither locks nor cleans anything there (she could swap a
 * directory for a symlink under its feet); it only joins a running one.
 * A start and --cleanup are hers. */
static int root_join_owned(struct ctr_config *cfg)
{
	struct ctr_state st;
	struct ctr_error quiet = CTR_ERROR_INIT;
	bool have, running;
	int code;

	ctr_error_local(&quiet);
	have = state_read(cfg, &st) == 0;
	ctr_error_release(&quiet);
	running = have && state_pid1_alive(&st);
	if (running && !cfg->cleanup) {
		code = join_running(cfg, &st);
		state_free(&st);
		return code;
	}
	if (have)
		state_free(&st);
	if (cfg->join_only && !cfg->cleanup)
		ctr_failx(-ESRCH, "container is not running");
	else
		ctr_failx(-EPERM, "owned by uid %u: %s as that user (root may join it once it runs)",
			  (unsigned)cfg->owner_uid, cfg->cleanup ? "clean it up" : "start it");
	ctr_report(cfg->name);
	return EXIT_CTR_FAIL;
}

int join_or_lock(struct ctr_config *cfg, int *lockfd)
{
	struct ctr_state st;
	int fd = -1, r, code;

	if (cfg->owned && getuid() == 0)
		return root_join_owned(cfg);
	if (cfg->cleanup) {
		r = lifecycle_cleanup(cfg);
		if (r < 0)
			ctr_report(cfg->name);
		return r < 0 ? EXIT_CTR_FAIL : r;
	}
	r = lifecycle_probe(cfg, &st, &fd);
	if (r < 0) {
		ctr_report(cfg->name);
		return EXIT_CTR_FAIL;
	}
	if (r == 0) {
		if (!cfg->join_only) {
			*lockfd = fd;
			return JOIN_START;
		}
		lifecycle_unlock(cfg, fd);
		ctr_failx(-ESRCH, "container is not running");
		ctr_report(cfg->name);
		return EXIT_CTR_FAIL;
	}
	code = join_running(cfg, &st);
	state_free(&st);
	return code;
}
