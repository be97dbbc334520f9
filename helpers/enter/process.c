/* SPDX-License-Identifier: MIT */
/*
 * process.c: the set-up a start's PID 1 and a joining process share
 * (process.h): signals, the user from the container's files, the clean
 * environment, the workdir, exec; and the supervisor's side of GO and of
 * the wait.
 */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "devices.h"
#include "init.h"
#include "cgroup.h"
#include "process.h"
#include "relay.h"
#include "security.h"
#include "supervisor.h"
#include "sync.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void reset_signals(void)
{
	sigset_t all;

	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* The container's /etc/passwd and /etc/group are the container's to make:
 * a FIFO there would hang the open (and a start or join with it), a
 * device or a huge file the read.  Only a regular file of a sane size is
 * read (O_NONBLOCK: opening a FIFO does not wait for a writer). */
#define ACCOUNT_FILE_MAX (4 << 20)

static int read_account_file(const char *file, char **out)
{
	_cleanup_close_ int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t len;

	if (fd < 0)
		return ctr_fail(-errno, "open the container's %s", file);
	if (fstat(fd, &st) < 0)
		return ctr_fail(-errno, "stat the container's %s", file);
	if (!S_ISREG(st.st_mode))
		return ctr_failx(-EINVAL, "the container's %s is not a regular file", file);
	if (st.st_size > ACCOUNT_FILE_MAX)
		return ctr_failx(-EFBIG, "the container's %s is larger than %d MiB", file, ACCOUNT_FILE_MAX >> 20);
	buf = xcalloc(1, (size_t)st.st_size + 1);
	len = read_full(fd, buf, (size_t)st.st_size);
	if (len < 0)
		return ctr_fail((int)len, "read the container's %s", file);
	buf[len] = '\0';
	*out = ctr_steal_ptr(&buf);
	return 0;
}

/* A line of /etc/passwd or /etc/group: NAME:x:ID:...  1 found, 0 not,
 * -errno when the file could not be read (recorded). */
static int find_entry(const char *file, const char *key, char *fields[7], char **buf)
{
	char *save = NULL;
	int r = read_account_file(file, buf);

	if (r < 0)
		return r;
	for (char *line = strtok_r(*buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[7] = { 0 };
		char *s = line;
		int n = 0;

		while (n < 7) {
			f[n++] = s;
			s = strchr(s, ':');
			if (!s)
				break;
			*s++ = '\0';
		}
		if (n < 3)
			continue;
		if (strcmp(f[0], key) == 0 || strcmp(f[2], key) == 0) {
			memcpy(fields, f, sizeof(f));
			return 1;
		}
	}
	return 0;
}

static bool is_number(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* Fill uid/gid/home from -u and the container's /etc/passwd.  A file that
 * cannot be read is no error for a number (an image without /etc/passwd),
 * and a refused one (not a regular file, too big) is one for a name. */
int process_resolve_user(const struct ctr_config *cfg, uid_t *uid, gid_t *gid, char **home)
{
	_cleanup_free_ char *spec = xstrdup(cfg->has_user ? cfg->user_spec : "0");
	_cleanup_free_ char *pw = NULL;
	char *g = strchr(spec, ':');
	_cleanup_error_ struct ctr_error lookup = CTR_ERROR_INIT;
	char *f[7] = { 0 };
	bool found;
	int r;

	if (g)
		*g++ = '\0';
	/* a passwd that cannot be read is no error for a number */
	ctr_error_local(&lookup);
	r = find_entry("/etc/passwd", spec, f, &pw);
	ctr_error_release(&lookup);
	found = r > 0;
	if (is_number(spec)) {
		*uid = (uid_t)strtoul(spec, NULL, 10);
		if (found && (uid_t)strtoul(f[2], NULL, 10) != *uid)
			found = false;   /* a user named like a number: take the number */
	} else if (found) {
		*uid = (uid_t)strtoul(f[2], NULL, 10);
	} else if (r < 0 && r != -ENOENT) {
		return ctr_error_keep(&lookup, r);
	} else {
		return ctr_failx(-ENOENT, "user '%s': not found in the container's /etc/passwd", spec);
	}
	*gid = found && f[3] ? (gid_t)strtoul(f[3], NULL, 10) : 0;
	*home = xstrdup(found && f[5] && f[5][0] == '/' ? f[5] : "/root");
	if (!found && *uid != 0) {
		free(*home);
		*home = xstrdup("/");
	}
	if (g) {
		_cleanup_free_ char *gr = NULL;

		if (is_number(g)) {
			*gid = (gid_t)strtoul(g, NULL, 10);
		} else if ((r = find_entry("/etc/group", g, f, &gr)) > 0) {
			*gid = (gid_t)strtoul(f[2], NULL, 10);
		} else {
			free(*home);
			*home = NULL;
			if (r < 0 && r != -ENOENT)
				return r;
			return ctr_failx(-ENOENT, "group '%s': not found in the container's /etc/group", g);
		}
	}
	return 0;
}

static int switch_user(uid_t uid, gid_t gid, int sock)
{
	if (setgroups(0, NULL) < 0)
		return ctr_fail(-errno, "setgroups");
	if (setgid(gid) < 0)
		return ctr_fail(-errno, "setgid %u", (unsigned)gid);
	if (setuid(uid) < 0)
		return ctr_fail(-errno, "setuid %u", (unsigned)uid);
	sync_rearm_pdeathsig(sock);   /* the uid/gid change cleared it */
	return 0;
}

static void env_set(char ***env, size_t *n, char *entry)
{
	size_t klen = strcspn(entry, "=");

	for (size_t i = 0; i < *n; i++) {
		if (strncmp((*env)[i], entry, klen) == 0 && (*env)[i][klen] == '=') {
			free((*env)[i]);
			(*env)[i] = entry;
			return;
		}
	}
	*env = xreallocarray(*env, *n + 2, sizeof(char *));
	(*env)[(*n)++] = entry;
	(*env)[*n] = NULL;
}

static char **build_env(const struct ctr_config *cfg, const char *home)
{
	const char *term = getenv("TERM");
	char **env = NULL;
	size_t n = 0;

	env_set(&env, &n, xstrdup("PATH=" DEFAULT_PATH));
	env_set(&env, &n, xasprintf("HOME=%s", home));
	env_set(&env, &n, xasprintf("TERM=%s", term && *term ? term : "xterm"));
	env_set(&env, &n, xasprintf("HOSTNAME=%s", cfg->hostname));
	env_set(&env, &n, xstrdup("container=ctr"));
	for (size_t i = 0; i < cfg->n_env; i++)
		env_set(&env, &n, xstrdup(cfg->env[i]));
	return env;
}

static char *argv_area;
static size_t argv_area_len;

void process_set_argv_area(char *start, size_t len)
{
	argv_area = start;
	argv_area_len = len;
}

/* A process of ours that the container can see before it execs (the
 * --init, which never does; a joining process while it sets up) would show
 * the host's ctr-enter command line in /proc/PID/cmdline, -e secrets and
 * all: overwrite it in place (PR_SET_MM would need CAP_SYS_RESOURCE, which
 * a host may not grant). */
void process_retitle(const char *title)
{
	size_t len = strlen(title) + 1;

	prctl(PR_SET_NAME, title);
	if (!argv_area || argv_area_len < len)
		return;
	memset(argv_area, 0, argv_area_len);
	memcpy(argv_area, title, len);
}

int process_exec(char *const argv[], char *const envp[])
{
	const char *path = DEFAULT_PATH;
	bool eacces = false;
	int err = ENOENT;

	for (char *const *e = envp; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, envp);
		err = errno;
	} else {
		_cleanup_free_ char *dirs = xstrdup(path);
		char *save = NULL;

		for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			_cleanup_free_ char *full = xasprintf("%s/%s", *d ? d : ".", argv[0]);

			execve(full, argv, envp);
			if (errno == EACCES)
				eacces = true;
			else if (errno != ENOENT && errno != ENOTDIR) {
				err = errno;
				break;
			}
		}
		if (eacces && (err == ENOENT))
			err = EACCES;
		if (err == ENOENT) {
			ctr_failx(-ENOENT, "exec %s: executable file not found in the container's PATH", argv[0]);
			return EXIT_NOTFOUND;
		}
	}
	ctr_fail(-err, "exec %s", argv[0]);
	return err == ENOENT || err == ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
}

/* Test hook, only in a test build (-DCTR_TEST_HOOKS, docs/testing.md): CTR_TEST_SETUP_DELAY_MS=N holds PID 1 for
 * N ms (at most 10 s) before its set-up, so that bats-tests/60-lifecycle
 * can show that no joiner gets in while the container is half-built; and a
 * joining process once it is in the container's namespaces, so that
 * bats-tests/35-stdio can look at it from inside. */
void process_test_delay(void)
{
#ifdef CTR_TEST_HOOKS
	const char *v = getenv("CTR_TEST_SETUP_DELAY_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;

	if (ms > 0)
		usleep((useconds_t)(ms < 10000 ? ms : 10000) * 1000);
#endif
}

/* GO: the supervisor has placed us in the container's cgroup.  If it died
 * before PR_SET_PDEATHSIG was armed, its end of the socket is closed: the
 * read sees end-of-file, or (when it sent GO and died at once)
 * sync_peer_gone() sees the hang-up (getppid() is 0 in a new PID namespace
 * either way, so it cannot tell). */
void process_wait_go(int sock)
{
	struct ctr_msg msg;
	int fd, r;

	/* v1: a `tasks` file per hierarchy first, to move ourselves into
	 * (cgroup_open_tasks). */
	while ((r = sync_recv(sock, &msg, &fd)) > 0 && msg.type == MSG_CGROUP) {
		if (fd < 0 || write(fd, "0", 1) != 1) {
			ctr_fail(fd < 0 ? -EBADF : -errno, "join the container's cgroup (tasks)");
			sync_fail(sock, EXIT_CTR_FAIL);
		}
		close(fd);
	}
	if (r <= 0 || msg.type != MSG_GO || sync_peer_gone(sock))
		_exit(EXIT_CTR_FAIL);
}

/* As the container's user, with its restrictions: -w DIR is made when
 * missing (docker's habit), for a start and a join alike. */
static int enter_workdir(const struct ctr_config *cfg, const char *home)
{
	if (!cfg->workdir) {
		if (chdir(home) < 0 && chdir("/") < 0)
			return ctr_fail(-errno, "chdir /");
		return 0;
	}
	return workdir_enter(cfg->workdir);
}


void process_child_begin(const struct relay *io, int sock)
{
	/* Die with the supervisor (see process_wait_go for the race). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	reset_signals();
	if (relay_child(io) < 0)   /* own session; the pipes on 0-2 (relay.h) */
		sync_fail(sock, EXIT_CTR_FAIL);
}

void process_send_pty(const struct relay *io, int sock, int dirfd, const char *ptmx, bool console)
{
	_cleanup_close_ int master = -1;

	if (!io->pty)
		return;
	if (devices_open_pty(dirfd, ptmx, console, io->child[2] < 0, &master) < 0 ||
	    sync_send(sock, MSG_PTY, 0, NULL, master) < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
}

void process_exec_command(const struct ctr_config *cfg, int sock, uid_t uid, gid_t gid, const char *home)
{
	char *default_argv[] = { NULL, NULL };
	char *const *argv = cfg->argv;
	char **envp;

	/* an owned container's PID 1 still has the owner's real and saved
	 * ids (ns_become_userns_root): the switch makes them all the user's */
	if ((cfg->has_user || cfg->userns) && switch_user(uid, gid, sock) < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
	if (close_inherited_fds(sock) < 0 || security_apply(cfg) < 0 || enter_workdir(cfg, home) < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
	envp = build_env(cfg, home);
	if (!argv) {
		default_argv[0] = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
		argv = default_argv;
	}
	if (cfg->init)
		init_main(argv, envp, sock);
	sync_fail(sock, process_exec(argv, envp));
}

int process_release(struct ctr_cgroup *cg, pid_t pid, int sock, int *master)
{
	int fds[8];
	int n = cgroup_open_tasks(cg, fds, ARRAY_SIZE(fds)), r = n < 0 ? n : 0;

	/* v1: the child moves itself (cgroup.h: no global lock); v2: we move it. */
	for (int i = 0; i < n; i++) {
		if (r == 0)
			r = sync_send(sock, MSG_CGROUP, 0, NULL, fds[i]);
		close(fds[i]);
	}
	if (r == 0 && n == 0 && !cgroup_is_born_inside(cg))
		r = cgroup_attach(cg, pid);
	if (r == 0)
		r = sync_send(sock, MSG_GO, 0, NULL, -1);
	if (r < 0)
		sync_take_child_error(sock, master);
	return r;
}

int process_supervise(const char *name, pid_t pid, int sigfd, struct relay *io, int master, bool join)
{
	int status;

	signal(SIGPIPE, SIG_IGN);   /* a closed stdout must not kill the supervisor */
	if (master >= 0) {
		relay_set_master(io, master);
		if (supervisor_raw_tty() < 0)
			ctr_warn(name, "%s", ctr_errmsg());
	}
	status = supervisor_wait(pid, sigfd, io, join);
	supervisor_restore_tty();
	return status;
}
