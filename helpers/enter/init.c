/* SPDX-License-Identifier: MIT */
/*
 * init.c: --init.  PID 1 of a PID namespace gets no default signal actions,
 * so a COMMAND without handlers ignores SIGTERM when it is PID 1; and
 * nobody reaps orphans.  This init forks COMMAND as PID 2 (same process
 * group, so the terminal's own signals reach it directly), forwards the
 * signals that were sent to it (si_code <= 0: kill/sigqueue/tkill, i.e. by
 * the supervisor) to COMMAND, reaps everything, and exits with COMMAND's
 * status (128+N for signal N).
 */
#include <signal.h>
#include <string.h>
#include <linux/prctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "process.h"
#include "init.h"
#include "sync.h"
#include "util.h"

/* Fields of /proc/self/stat (1-based numbers as proc(5) gives them). */
enum { F_START_CODE = 26, F_END_CODE, F_START_STACK, F_START_DATA = 45, F_END_DATA,
       F_START_BRK, F_ARG_START, F_ARG_END, F_ENV_START, F_ENV_END, F_N };

static int read_stat_fields(unsigned long f[F_N])
{
	_cleanup_free_ char *stat = NULL;
	char *p, *save = NULL;
	int i = 3;

	if (read_file("/proc/self/stat", &stat) < 0 || !(p = strrchr(stat, ')')))
		return -EIO;
	memset(f, 0, F_N * sizeof(*f));
	for (char *t = strtok_r(p + 1, " ", &save); t && i < F_N; t = strtok_r(NULL, " ", &save), i++)
		f[i] = strtoul(t, NULL, 10);
	return i == F_N ? 0 : -EIO;
}

/*
 * The init never execs: the kernel's record of its environment is still
 * the block ctr-enter was started with (the caller's: HOSTSECRET, PWD,
 * ...), and /proc/1/environ would show it to the container.  Point the
 * record at a copy of ENVP (PR_SET_MM_MAP: every other field as it is; it
 * needs no capability, only CONFIG_CHECKPOINT_RESTORE), then wipe the old
 * strings from the stack.  Without PR_SET_MM_MAP, ENVP is written over the
 * old block when it fits (the rest zeros), else the block is only wiped.
 */
static void init_set_environ(char *const envp[])
{
	unsigned long f[F_N];
	struct prctl_mm_map map;
	size_t len = 0, old_len;
	char *block, *old, *q;

	if (read_stat_fields(f) < 0 || f[F_ENV_END] <= f[F_ENV_START])
		return;
	for (char *const *e = envp; *e; e++)
		len += strlen(*e) + 1;
	block = mmap(NULL, len + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (block == MAP_FAILED)
		return;
	q = block;
	for (char *const *e = envp; *e; e++)
		q = stpcpy(q, *e) + 1;
	old = (char *)f[F_ENV_START];
	old_len = f[F_ENV_END] - f[F_ENV_START];
	map = (struct prctl_mm_map){
		.start_code = f[F_START_CODE], .end_code = f[F_END_CODE],
		.start_data = f[F_START_DATA], .end_data = f[F_END_DATA],
		.start_brk = f[F_START_BRK], .brk = (unsigned long)sbrk(0),
		.start_stack = f[F_START_STACK],
		.arg_start = f[F_ARG_START], .arg_end = f[F_ARG_END],
		.env_start = (unsigned long)block, .env_end = (unsigned long)block + len,
		.exe_fd = (__u32)-1,
	};
	if (prctl(PR_SET_MM, PR_SET_MM_MAP, &map, sizeof(map), 0) == 0) {
		memset(old, 0, old_len);
		return;
	}
	memset(old, 0, old_len);
	if (len <= old_len)
		memcpy(old, block, len);
	munmap(block, len + 1);
}

void init_main(char *const argv[], char *const envp[], int sock)
{
	sigset_t all, none;
	pid_t child;

	init_set_environ(envp);

	sigfillset(&all);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &all, NULL);
	child = fork();
	if (child < 0) {
		ctr_fail(-errno, "init: fork");
		sync_fail(sock, EXIT_CTR_FAIL);
	}
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &none, NULL);
		sync_fail(sock, process_exec(argv, envp));
	}
	close(sock);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);

		if (sig < 0)
			continue;
		if (sig == SIGCHLD) {
			int status;
			pid_t p;

			while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
				if (p != child)
					continue;
				if (WIFEXITED(status))
					_exit(WEXITSTATUS(status));
				_exit(128 + WTERMSIG(status));
			}
			continue;
		}
		if (si.si_code <= 0)
			kill(child, sig);
	}
}
