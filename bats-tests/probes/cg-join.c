/* SPDX-License-Identifier: MIT */
/*
 * cg-join: the cgroup half of a start by a container's owner, without the
 * namespaces (46-rootless-cgroup runs it as a test user): ctr-enter's own
 * cgroup_create() (which, not run by root, only joins the provisioned
 * cgroup), COMMAND moved in the way PID 1 is (v1: it writes 0 into the
 * tasks fds opened for it; v2: cgroup_attach by the parent), then
 * cgroup_oom_killed() and cgroup_destroy(), the end of a run.
 *
 *   cg-join NAME [LIMITS] [--] COMMAND...      (CTR_* as for ctr-enter)
 *
 * Exit: COMMAND's status (128+N for signal N; "oom" on stderr when the
 * OOM killer took it), 125 with ctr-enter's one line when a step failed.
 * Built by `make test-hooks` into BUILD/test-hooks/.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cli.h"
#include "util.h"

int main(int argc, char **argv)
{
	struct ctr_config cfg;
	struct ctr_cgroup *cg = NULL;
	int fds[8], go[2], status, n, r = cli_parse(argc, argv, &cfg);
	pid_t pid;
	char c = 0;

	if (r != 0 || !cfg.argv)
		return r == 1 ? 0 : (ctr_report(cfg.name), 125);
	if (cgroup_create(&cfg, &cg) < 0 || (n = cgroup_open_tasks(cg, fds, ARRAY_SIZE(fds))) < 0 ||
	    pipe(go) < 0) {
		ctr_report(cfg.name);
		cgroup_destroy(cg);
		cli_free(&cfg);   /* (an ASan build checks for leaks at exit) */
		return 125;
	}
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(125);
		for (int i = 0; i < n; i++)
			if (write(fds[i], "0", 1) != 1) {
				perror("cg-join: write 0 into tasks");
				_exit(125);
			}
		execvp(cfg.argv[0], cfg.argv);
		_exit(127);
	}
	close(go[0]);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	if (pid < 0 || (n == 0 && cgroup_attach(cg, pid) < 0)) {
		ctr_report(cfg.name);
		if (pid > 0)
			kill(pid, SIGKILL);
		cgroup_destroy(cg);
		cli_free(&cfg);
		return 125;
	}
	if (write(go[1], "1", 1) != 1)
		return 125;
	close(go[1]);
	while (waitpid(pid, &status, 0) < 0)
		;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && cgroup_oom_killed(cg))
		fputs("oom\n", stderr);
	if (cgroup_destroy(cg) < 0)
		ctr_report(cfg.name);
	cli_free(&cfg);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
