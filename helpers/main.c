/* SPDX-License-Identifier: MIT */
/*
 * main.c: ctr-enter.  The order of operations (docs/architecture.md):
 *
 *   parse; refuse non-root
 *   lock NAME (cleans a dead run's leftovers), or join NAME if it runs
 *   checks that change nothing (rootfs marker, volumes); open /run/netns/NAME
 *   state dir + layer
 *   setns(net); socketpair; clone(CLONE_NEWPID) -> child is PID 1, which
 *   builds its mounts while we cgroup_create, cgroup_attach(child); GO
 *   child: container_main() ... exec; we read its errors until EOF
 *   write state (only now may a joiner find the container)
 *   supervise; OOM check; cgroup_destroy; remove state (and --rm layer)
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "cli.h"
#include "container.h"
#include "join.h"
#include "namespaces.h"
#include "state.h"
#include "supervisor.h"
#include "sync.h"
#include "util.h"

static int check_rootfs(const struct ctr_config *cfg)
{
	_cleanup_free_ char *marker = xasprintf("%s/.ctr-rootfs", cfg->rootfs);
	struct stat st;

	if (stat(cfg->rootfs, &st) < 0)
		return ctr_fail(-errno, "rootfs %s", cfg->rootfs);
	if (!S_ISDIR(st.st_mode))
		return ctr_failx(-ENOTDIR, "rootfs %s: not a directory", cfg->rootfs);
	if (stat(marker, &st) < 0)
		return ctr_failx(-ENOENT, "rootfs %s is not a finished rootfs (no .ctr-rootfs marker): build it with rootfs-builder %s",
				 cfg->rootfs, cfg->rootfs);
	return 0;
}

static int check_volumes(const struct ctr_config *cfg)
{
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		struct stat st;

		if (stat(cfg->volumes[i].host, &st) < 0)
			return ctr_fail(-errno, "volume %s:%s: host path %s", cfg->volumes[i].host,
					cfg->volumes[i].target, cfg->volumes[i].host);
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) &&
		    !S_ISBLK(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISFIFO(st.st_mode))
			return ctr_failx(-EINVAL, "volume %s: unsupported file type", cfg->volumes[i].host);
	}
	return 0;
}

static int oom_exit(const struct ctr_config *cfg)
{
	char limit[64];

	if (cgroup_describe_memory_limit(cfg, limit, sizeof(limit)) == 0)
		ctr_warn(cfg->name, "killed by the OOM killer (memory limit %s)", limit);
	else
		ctr_warn(cfg->name, "killed by the OOM killer");
	return 137;
}

/* Attach PID 1 to its cgroup, send GO.  When a step fails because PID 1
 * already failed (it exited: no such process, a closed socket), its own
 * message is the one to report. */
static int release_pid1(struct ctr_cgroup *cg, pid_t pid, int sock, int *master)
{
	int r = cgroup_attach(cg, pid);

	if (r == 0)
		r = sync_send(sock, MSG_GO, 0, NULL, -1);
	if (r < 0)
		sync_take_child_error(sock, master);
	return r;
}

static int run(struct ctr_config *cfg)
{
	_cleanup_close_ int netfd = -1;
	_cleanup_close_ int sigfd = -1;
	_cleanup_close_ int master = -1;
	int lockfd = -1, sv[2] = { -1, -1 };
	bool new_layer = false;
	struct ctr_cgroup *cg = NULL;
	/* A pty only for a foreground job on a terminal: a background one
	 * would stop on SIGTTOU when it sets raw mode. */
	bool use_pty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
		       tcgetpgrp(STDIN_FILENO) == getpgrp();
	pid_t pid;
	int code, status;

	cfg->tty = use_pty;
	if (geteuid() != 0) {
		ctr_failx(-EPERM, "must be run as root (it creates namespaces and mounts)");
		goto fail;
	}
	code = join_or_lock(cfg, &lockfd);   /* NAME runs: join it (join.c) */
	if (code != JOIN_START)
		return code;
	if (check_rootfs(cfg) < 0 || check_volumes(cfg) < 0)
		goto fail;
	if (ns_open_netns(cfg, &netfd) < 0)
		goto fail;
	if (lockfd < 0 && state_lock(cfg, &lockfd) < 0)
		goto fail;
	if (state_prepare(cfg, &new_layer) < 0)
		goto fail;
	if (ns_join_net(netfd) < 0)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ctr_fail(-errno, "socketpair");
		goto fail;
	}
	if (supervisor_signals(&sigfd) < 0)
		goto fail;
	fflush(NULL);
	pid = ns_fork_pid1();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		close(sv[0]);
		close(sigfd);
		close(lockfd);
		close(netfd);
		container_main(cfg, sv[1], use_pty);
	}
	close(sv[1]);
	sv[1] = -1;
	/* PID 1 builds its mounts meanwhile (container.c): on two CPUs the
	 * cgroup work costs no wall time.  It waits for GO before it unshares
	 * its cgroup namespace and runs anything of the user's. */
	if (cgroup_create(cfg, &cg) < 0 || release_pid1(cg, pid, sv[0], &master) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	code = sync_wait_exec(sv[0], pid, &master);
	close(sv[0]);
	sv[0] = -1;
	if (code != 0) {
		ctr_report(cfg->name);
		cgroup_destroy(cg);
		state_remove(cfg, lockfd, new_layer);
		return code;
	}
	/* The state only now: a joiner must never find a PID 1 that is still
	 * setting up (still in the host's mount, UTS and IPC namespaces). */
	if (state_write(cfg, getpid(), pid) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	signal(SIGPIPE, SIG_IGN);   /* a closed stdout must not kill the supervisor */
	if (master >= 0 && supervisor_raw_tty() < 0)
		ctr_warn(cfg->name, "%s", ctr_errmsg());
	status = supervisor_wait(pid, sigfd, master);
	supervisor_restore_tty();
	code = supervisor_exit_code(status);
	/* 137: SIGKILL ended PID 1 (or it passed on its child's); a process
	 * the OOM killer took while PID 1 lived on is no OOM end. */
	if (code == 137 && cgroup_oom_killed(cg))
		code = oom_exit(cfg);
	if (cgroup_destroy(cg) < 0)
		ctr_report(cfg->name);
	state_remove(cfg, lockfd, false);
	return code;

fail:
	ctr_report(cfg->name);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (cg)
		cgroup_destroy(cg);
	if (lockfd >= 0)
		state_remove(cfg, lockfd, new_layer);
	return EXIT_CTR_FAIL;
}

int main(int argc, char **argv)
{
	struct ctr_config cfg;
	int r, code;

	/* fds 0-2 must be open, or the socketpair could land on them. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return EXIT_CTR_FAIL;
	container_set_argv_area(argv[0], (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]));
	r = cli_parse(argc, argv, &cfg);
	if (r == 1) {
		code = 0;
	} else if (r < 0) {
		ctr_report(cfg.name);
		code = EXIT_CTR_FAIL;
	} else if (cfg.stats) {
		r = cgroup_print_stats(&cfg, cfg.name, cfg.json);
		if (r < 0)
			ctr_report(cfg.name);
		code = r < 0 ? EXIT_CTR_FAIL : 0;
	} else {
		code = run(&cfg);
	}
	cli_free(&cfg);
	return code;
}
