/* SPDX-License-Identifier: MIT */
/*
 * main.c: ctr-enter.  The order of operations (docs/architecture.md):
 *
 *   parse; refuse non-root
 *   lock NAME (cleans a dead run's leftovers), or join NAME if it runs
 *   checks that change nothing (rootfs marker, volumes); open /run/netns/NAME
 *   state dir + layer; setns(net); socketpair              (prepare_start)
 *   v2: cgroup_create, then clone3(CLONE_NEWPID|CLONE_INTO_CGROUP): PID 1
 *   is born in its cgroup.  v1: clone(CLONE_NEWPID), and PID 1 builds its
 *   mounts while we cgroup_create; it moves itself at GO   (spawn_pid1)
 *   child: container_main() ... exec; we read its errors until EOF
 *                                                          (await_exec)
 *   write state (only now may a joiner find the container); run-args
 *                                                          (publish_state)
 *   supervise; OOM check; last-exit; cgroup_destroy; remove state (and the
 *   --rm layer, or the throwaway one over a kept layer)    (supervise_to_exit)
 *   Every other end: start_abort (report, then undo what the start holds).
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cgroup.h"
#include "cli.h"
#include "container.h"
#include "join.h"
#include "namespaces.h"
#include "process.h"
#include "relay.h"
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

/* A container owned by a user is started by her: root's supervisor would
 * have to enter her user namespace, where she could ptrace it. */
static int check_owned_start(const struct ctr_config *cfg)
{
	if (!cfg->owned)
		return 0;
	if (getuid() == 0)
		return ctr_failx(-EPERM, "owned by uid %u: start it as that user (root may join it once it runs)",
				 (unsigned)cfg->owner_uid);
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

/* What a start holds.  start_release() gives it back on every path of the
 * supervisor; PID 1 closes its own copies (spawn_pid1). */
struct start {
	struct ctr_config *cfg;
	struct relay io;         /* the container's stdio (relay.h) */
	int lockfd;              /* NAME's lock; state_remove() gives it up */
	bool new_layer;          /* this run made the layer */
	int netfd, sigfd, master;
	int ready;               /* -d: tell the caller's process COMMAND runs */
	struct relay_log log;    /* -d: where the output goes */
	int sv[2];               /* the socket to PID 1: [0] ours, [1] its */
	struct ctr_cgroup *cg;
	pid_t pid;               /* PID 1 (host pid) */
	time_t started;          /* when the state was written */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The socket, the cgroup, the state dir and lock (with DROP_LAYER the
 * layer too: a failed first start takes it away again), then the fds. */
static void start_release(struct start *s, bool drop_layer)
{
	close_fd(&s->sv[0]);
	close_fd(&s->sv[1]);
	cgroup_destroy(s->cg);
	s->cg = NULL;
	if (s->lockfd >= 0)
		state_remove(s->cfg, s->lockfd, drop_layer);
	s->lockfd = -1;
	close_fd(&s->master);
	close_fd(&s->ready);
	relay_close(&s->io);
	relay_log_close(&s->log);
	close_fd(&s->sigfd);
	close_fd(&s->netfd);
}

/* A start that failed, or whose COMMAND did not run: report, undo, CODE. */
static int start_abort(struct start *s, int code)
{
	ctr_report(s->cfg->name);
	start_release(s, s->new_layer);
	return code;
}

static void kill_pid1(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* -d: the log, in a directory that exists (the layer's, made by
 * state_prepare; with --read-only there is none). */
static int open_log(struct start *s)
{
	_cleanup_free_ char *dir = xstrdup(s->cfg->log_file);
	int r;

	*strrchr(dir, '/') = '\0';
	if (*dir && (r = mkdir_p(dir, 0755)) < 0)
		return r;
	s->log.path = s->cfg->log_file;
	s->log.max = s->cfg->log_max;
	return relay_log_open(&s->log);
}

/*
 * -d: the caller's process only waits here for the start's outcome; the
 * start goes on in a child, in a session of its own, which becomes the
 * supervisor (the lock is shared with it: flock belongs to the open file).
 * Returns the caller's exit code: 0 once COMMAND runs (the state written),
 * else the child's (its error went to our stderr).  -1 in the child.
 */
static int detach_fork(struct start *s)
{
	int p[2], status;
	ssize_t n;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0) {
		ctr_fail(-errno, "pipe");
		return start_abort(s, EXIT_CTR_FAIL);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ctr_fail(-errno, "fork");
		close(p[0]);
		close(p[1]);
		return start_abort(s, EXIT_CTR_FAIL);
	}
	if (pid == 0) {
		/* nothing of the caller's but fds 0-2 (until detach_ready) */
		s->ready = p[1];
		close_fds_except(s->lockfd, s->ready);
		setsid();
		return -1;
	}
	close(p[1]);
	do {
		n = read(p[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n == 1)
		return 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return supervisor_exit_code(status);
}

/* -d, COMMAND runs: release the caller, leave its terminal and cwd. */
static void detach_ready(struct start *s)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (write(s->ready, "1", 1) < 0)
		ctr_warn(s->cfg->name, "detach: %s", strerror(errno));
	close_fd(&s->ready);
	for (int fd = 0; null >= 0 && fd < 3; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
	if (chdir("/") < 0)
		ctr_warn(s->cfg->name, "chdir /: %s", strerror(errno));
}

/* Checks that change nothing, the netns, the lock (unless join_or_lock
 * kept it), the state dir and layer; then into the netns (PID 1 inherits
 * it), the socket and the signalfd. */
static int prepare_start(struct start *s)
{
	int r;

	if ((r = check_owned_start(s->cfg)) < 0 || (r = check_rootfs(s->cfg)) < 0 ||
	    (r = check_volumes(s->cfg)) < 0 || (r = ns_open_netns(s->cfg, &s->netfd)) < 0)
		return r;
	if (s->lockfd < 0 && (r = state_lock(s->cfg, &s->lockfd)) < 0)
		return r;
	/* Under the lock: --rm on a container that has a layer must leave
	 * that layer as it is (a throwaway layer on top, state.h). */
	s->cfg->rm_top = s->cfg->rm && state_layer_exists(s->cfg);
	if ((r = state_prepare(s->cfg, &s->new_layer)) < 0)
		return r;
	/* Root's container in a user namespace of its own (--userns): the
	 * cgroup now, while we still have our capabilities (a device filter
	 * needs CAP_SYS_ADMIN of the host); the join keeps the uid 0 that
	 * the cgroup files' modes let write, not the capabilities. */
	if (s->cfg->userns && !s->cfg->owned) {
		if ((r = cgroup_create(s->cfg, &s->cg)) < 0)
			return r;
		/* host uid 0 in its user namespace: nothing of it may trace us */
		if (prctl(PR_SET_DUMPABLE, 0) < 0)
			return ctr_fail(-errno, "prctl(PR_SET_DUMPABLE)");
	}
	/* the user namespace first: it owns the netns, and PID 1's PID
	 * namespace is made in it */
	if (s->cfg->userns && (r = ns_join_owner_userns(s->cfg)) < 0)
		return r;
	if (s->cfg->userns && !s->cfg->owned && (r = ns_check_userns_root(s->cfg)) < 0)
		return r;
	if ((r = ns_join_net(s->netfd)) < 0)
		return r;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s->sv) < 0)
		return ctr_fail(-errno, "socketpair");
	if (s->cfg->detach && (r = open_log(s)) < 0)
		return r;
	if ((r = relay_plan(&s->io, s->cfg->detach ? &s->log : NULL)) < 0)
		return r;
	return supervisor_signals(&s->sigfd);
}

/* Fork PID 1 (container_main: it never comes back here, so none of the
 * supervisor's releases run in it), then its cgroup and GO. */
static int spawn_pid1(struct start *s)
{
	bool inside;
	int r;

	/* v2: the cgroup first, and PID 1 is born in it (no move, so no
	 * global lock).  v1: PID 1 builds its mounts while we make or join
	 * the cgroup (two CPUs: no wall time), and moves itself at GO. */
	if (!s->cg && cgroup_unified_host() && (r = cgroup_create(s->cfg, &s->cg)) < 0)
		return r;
	fflush(NULL);
	s->pid = ns_clone(true, cgroup_clone_fd(s->cg), &inside);
	if (s->pid < 0)
		return s->pid;
	if (s->pid == 0) {
		close(s->sv[0]);
		close(s->sigfd);
		if (s->ready >= 0)
			close(s->ready);
		close(s->lockfd);
		close(s->netfd);
		container_main(s->cfg, s->sv[1], &s->io);
	}
	if (inside)
		cgroup_born_inside(s->cg);
	close_fd(&s->sv[1]);
	relay_parent(&s->io);
	/* PID 1 builds its mounts meanwhile (container.c).  It waits for GO
	 * before it unshares its cgroup namespace and runs anything of the
	 * user's. */
	if ((!s->cg && (r = cgroup_create(s->cfg, &s->cg)) < 0) ||
	    (r = process_release(s->cg, s->pid, s->sv[0], &s->master)) < 0)
		kill_pid1(s->pid);
	return r;
}

/* PID 1's reports until it execs COMMAND: 0, else the exit code to use. */
static int await_exec(struct start *s)
{
	int code = sync_wait_exec(s->sv[0], s->sigfd, s->pid, &s->master);

	close_fd(&s->sv[0]);
	return code;
}

/* The state only now: a joiner must never find a PID 1 that is still
 * setting up (still in the host's mount, UTS and IPC namespaces). */
static int publish_state(struct start *s)
{
	int r;

	s->started = time(NULL);
	r = state_write(s->cfg, getpid(), s->pid, s->started);
	if (r < 0)
		kill_pid1(s->pid);
	else
		state_record_run(s->cfg);
	return r;
}

/* Until PID 1 ends; then its exit code, the cgroup and state removed (a
 * layer this run made stays, unless --rm). */
static int supervise_to_exit(struct start *s)
{
	int status, code;
	bool oom = false;

	status = process_supervise(s->cfg->name, s->pid, s->sigfd, &s->io, ctr_steal_fd(&s->master), false);
	code = supervisor_exit_code(status);
	/* 137: SIGKILL ended PID 1 (or it passed on its child's); a process
	 * the OOM killer took while PID 1 lived on is no OOM end. */
	if (code == 137 && cgroup_oom_killed(s->cg)) {
		code = oom_exit(s->cfg);
		oom = true;
	}
	state_record_exit(s->cfg, s->started, code, WIFSIGNALED(status) ? WTERMSIG(status) : 0, oom);
	if (cgroup_destroy(s->cg) < 0)
		ctr_report(s->cfg->name);
	s->cg = NULL;
	start_release(s, false);
	return code;
}

static int run(struct ctr_config *cfg)
{
	struct start s = {
		.cfg = cfg, .lockfd = -1, .netfd = -1, .sigfd = -1, .master = -1, .sv = { -1, -1 },
		.ready = -1, .log = { .fd = -1 },
	};
	int code;

	relay_init(&s.io);
	/* root, or the owner of NAME's user namespace (namespaces.c) */
	if (ns_probe_owner(cfg) < 0)
		return start_abort(&s, EXIT_CTR_FAIL);
	code = join_or_lock(cfg, &s.lockfd);   /* NAME runs: join it (join.c) */
	if (code != JOIN_START)
		return code;
	if (cfg->detach && (code = detach_fork(&s)) >= 0)
		return code;   /* the caller's process */
	if (prepare_start(&s) < 0 || spawn_pid1(&s) < 0)
		return start_abort(&s, EXIT_CTR_FAIL);
	code = await_exec(&s);
	if (code != 0)
		return start_abort(&s, code);
	if (publish_state(&s) < 0)
		return start_abort(&s, EXIT_CTR_FAIL);
	if (s.ready >= 0)
		detach_ready(&s);
	return supervise_to_exit(&s);
}

int main(int argc, char **argv)
{
	struct ctr_config cfg;
	int r, code;

	/* fds 0-2 must be open, or the socketpair could land on them. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return EXIT_CTR_FAIL;
	process_set_argv_area(argv[0], (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]));
	r = cli_parse(argc, argv, &cfg);
	if (r == 1) {
		code = 0;
	} else if (r < 0) {
		ctr_report(cfg.name);
		code = EXIT_CTR_FAIL;
	} else if (cfg.stats || cfg.provision || cfg.unprovision) {
		/* --stats: root, or the owner (her run dir holds the CPU baseline);
		 * without a netns the cgroup's place says whose it is */
		if (cfg.stats) {
			r = ns_probe_owner(&cfg);
			if (r == -ENOENT) {
				ctr_seterrmsg("");
				r = 0;
			}
			if (r == 0)
				r = cgroup_print_stats(&cfg, cfg.name, cfg.json);
		} else {
			r = cfg.provision ? cgroup_provision(&cfg) : cgroup_unprovision(&cfg);
		}
		if (r < 0)
			ctr_report(cfg.name);
		code = r < 0 ? EXIT_CTR_FAIL : 0;
	} else {
		code = run(&cfg);
	}
	cli_free(&cfg);
	return code;
}
