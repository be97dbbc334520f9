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
struct relay;
/* Wait for PID (PID 1, or a joined process): forward signals, relay its
 * stdio (R), reap; then copy what it left (relay_finish).  Returns its
 * wait status. */
int supervisor_wait(pid_t pid, int sigfd, struct relay *r, bool join);
/* Wait status -> exit code (128+N for signal N). */
int supervisor_exit_code(int status);

#endif
