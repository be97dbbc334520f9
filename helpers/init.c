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
#include <sys/prctl.h>
#include <sys/wait.h>

#include "container.h"
#include "init.h"
#include "sync.h"
#include "util.h"

void init_main(char *const argv[], char *const envp[], int sock)
{
	sigset_t all, none;
	pid_t child;

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
		sync_fail(sock, container_exec(argv, envp));
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
