/* SPDX-License-Identifier: MIT */
/*
 * sync.h: the supervisor <-> child protocol over a SOCK_SEQPACKET socketpair.
 *
 *   supervisor -> child   MSG_CGROUP  v1: a `tasks` file (SCM_RIGHTS) to move
 *                                     itself into, one per hierarchy, before GO
 *   supervisor -> child   MSG_GO      cgroup attached: go on
 *   child -> supervisor   MSG_PTY     the pty master (SCM_RIGHTS), tty mode only
 *   child -> supervisor   MSG_ERROR   setup or exec failed: text + exit code
 *
 * The child's end is close-on-exec: end-of-file without MSG_ERROR means
 * COMMAND was executed.
 */
#ifndef CTR_SYNC_H
#define CTR_SYNC_H

#include <sys/types.h>

#include "util.h"

enum ctr_msg_type { MSG_GO = 1, MSG_PTY, MSG_ERROR, MSG_CGROUP };

struct ctr_msg {
	int type;
	int code;                    /* MSG_ERROR: exit status to use */
	char text[CTR_ERRMSG_MAX];   /* MSG_ERROR: "step: reason" */
};

/* 0 / -errno.  fd >= 0 is passed along with the message. */
int sync_send(int sock, int type, int code, const char *text, int fd);
/* 1 got a message, 0 end-of-file, -errno.  *fd receives a passed fd or -1. */
int sync_recv(int sock, struct ctr_msg *msg, int *fd);
/* Child side, after PR_SET_PDEATHSIG: true when the supervisor's end is
 * closed, i.e. it died before the death signal was armed (a GO it sent
 * before dying is still readable, so reading alone cannot tell). */
bool sync_peer_gone(int sock);
/* Child side, after a change of uid/gid (which makes the kernel clear the
 * parent-death signal): PR_SET_PDEATHSIG(SIGKILL) again, then _exit when
 * the supervisor died before that (sync_peer_gone). */
void sync_rearm_pdeathsig(int sock);
/* Supervisor side: read the child's reports until its end closes (exec).
 * Returns 0 when COMMAND runs, else the exit status to use (the child's
 * message recorded, the child reaped).  A passed pty master lands in *master.
 * SIGFD: a SIGINT, SIGTERM, SIGHUP or SIGQUIT that arrives meanwhile kills
 * the child (nothing of the user's runs yet; a lookup in the container's
 * files must not hold a `timeout` or a Ctrl-C off): 128+N. */
int sync_wait_exec(int sock, int sigfd, pid_t pid, int *master);
/* Supervisor side, after one of its own steps failed: when the child has
 * already reported an error (it failed first), record that message. */
void sync_take_child_error(int sock, int *master);
/* Child side: send the recorded error and _exit(code). */
__attribute__((noreturn)) void sync_fail(int sock, int code);

#endif
