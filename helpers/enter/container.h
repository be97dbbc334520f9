/* SPDX-License-Identifier: MIT */
/* container.h: the child's side, from fork to exec of COMMAND (PID 1). */
#ifndef CTR_CONTAINER_H
#define CTR_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Never returns: execs COMMAND (or runs --init), or reports the failed step
 * over SOCK and exits 125/126/127.  Waits for MSG_GO first. */
struct relay;
__attribute__((noreturn)) void container_main(const struct ctr_config *cfg, int sock, const struct relay *io);

/* Exec ARGV with ENVP, searching PATH (from ENVP) like execvpe.  Returns
 * only on failure: the exit status to use (126/127), message recorded. */
int container_exec(char *const argv[], char *const envp[]);

/* Where main's argv strings live, so that --init and a joining process
 * can retitle themselves (container_retitle: the host's command line,
 * -e values included, is never visible in the container). */
void container_set_argv_area(char *start, size_t len);
void container_retitle(const char *title);
/* Test hook: CTR_TEST_SETUP_DELAY_MS (docs/testing.md). */
void container_test_delay(void);

/* Shared with join.c (a joining process resolves its user in the
 * container's /etc/passwd and gets the same clean environment). */
int resolve_user(const struct ctr_config *cfg, uid_t *uid, gid_t *gid, char **home);
/* setgroups/setgid/setuid, then PR_SET_PDEATHSIG again (the kernel clears
 * it on a uid/gid change); exits when the supervisor on SOCK is gone. */
int switch_user(uid_t uid, gid_t gid, int sock);
char **build_env(const struct ctr_config *cfg, const char *home);

#endif
