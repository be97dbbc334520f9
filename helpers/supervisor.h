/* SPDX-License-Identifier: MIT */
/* supervisor.h: the small parent that stays while the container runs. */
#ifndef CTR_SUPERVISOR_H
#define CTR_SUPERVISOR_H

#include <stdbool.h>
#include <sys/types.h>

/* Block the signals the supervisor handles and return a signalfd for them
 * (before fork; the child unblocks). */
int supervisor_signals(int *sigfd);
/* Put the caller's terminal (fd 0) in raw mode; restored by supervisor_restore_tty. */
int supervisor_raw_tty(void);
void supervisor_restore_tty(void);
/* Wait for PID 1: forward signals, relay the pty (master >= 0), reap.
 * Returns its wait status. */
int supervisor_wait(pid_t pid1, int sigfd, int master);
/* Wait status -> exit code (128+N for signal N). */
int supervisor_exit_code(int status);

#endif
