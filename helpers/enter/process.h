/* SPDX-License-Identifier: MIT */
/*
 * process.h: the process set-up that a start's PID 1 (container.c) and a
 * joining process (join.c) share, child side and supervisor side, as
 * crun's run and exec share theirs.
 *
 *   child:       process_child_begin   death signal, clean signals, stdio
 *                process_wait_go       the supervisor attached our cgroup
 *                process_send_pty      tty mode: the master to the supervisor
 *                process_resolve_user  -u in the container's /etc/passwd
 *                process_exec_command  user, fds, restrictions, workdir, exec
 *   supervisor:  process_release       cgroup_attach, then GO
 *                process_supervise     relay and wait until the process ends
 */
#ifndef CTR_PROCESS_H
#define CTR_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

struct relay;
struct ctr_cgroup;

/* Child, first thing after fork: PR_SET_PDEATHSIG(SIGKILL), every signal
 * back to SIG_DFL and unblocked (the supervisor blocked its own), a
 * session of its own with the pipes on 0-2 (relay_child). */
void process_child_begin(const struct relay *io, int sock);
/* Child: wait for MSG_GO; _exit(125) when the supervisor is gone. */
void process_wait_go(int sock);
/* Child, tty mode only (io->pty): open a pty at DIRFD/PTMX (CONSOLE: make
 * it /dev/console too, devices.h) and pass its master to the supervisor. */
void process_send_pty(const struct relay *io, int sock, int dirfd, const char *ptmx, bool console);

/* uid, gid and home of -u (or root) in the container's /etc/passwd and
 * /etc/group; 0 / -errno (recorded). */
int process_resolve_user(const struct ctr_config *cfg, uid_t *uid, gid_t *gid, char **home);
/* The end of the child's set-up, in this order: setgroups/setgid/setuid
 * when -u was given (and PR_SET_PDEATHSIG again: a uid/gid change clears
 * it), every fd but SOCK closed, caps/no_new_privs/seccomp
 * (security_apply), the workdir (-w, made when missing as docker does,
 * else HOME, else /); then COMMAND (bash or sh when none) with the clean
 * environment, or --init.  Never returns: a failure goes over SOCK. */
__attribute__((noreturn)) void process_exec_command(const struct ctr_config *cfg, int sock, uid_t uid,
						   gid_t gid, const char *home);
/* Exec ARGV with ENVP, searching PATH (from ENVP) like execvpe.  Returns
 * only on failure: the exit status to use (126/127), message recorded. */
int process_exec(char *const argv[], char *const envp[]);

/* Where main's argv strings live, so that --init and a joining process
 * can retitle themselves (process_retitle: the host's command line, -e
 * values included, is never visible in the container). */
void process_set_argv_area(char *start, size_t len);
void process_retitle(const char *title);
/* Test hook: CTR_TEST_SETUP_DELAY_MS (docs/testing.md). */
void process_test_delay(void);

/* Supervisor: attach PID to CG, then send GO.  When a step fails because
 * the child failed first (it exited: no such process, a closed socket),
 * the child's own message is the one recorded.  0 / -errno; the caller
 * kills the child on failure. */
int process_release(struct ctr_cgroup *cg, pid_t pid, int sock, int *master);
/* Supervisor, once COMMAND runs: MASTER (tty mode, else -1) to the relay
 * with the caller's terminal raw, wait for PID (supervisor_wait; JOIN as
 * there), terminal restored.  Returns PID's wait status. */
int process_supervise(const char *name, pid_t pid, int sigfd, struct relay *io, int master, bool join);

#endif
