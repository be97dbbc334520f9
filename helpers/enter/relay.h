/* SPDX-License-Identifier: MIT */
/*
 * relay.h: the container's standard streams.  The container never gets a
 * file descriptor of the caller's (its terminal, a host file, a pipe): it
 * gets a pty of its own devpts, or pipes made here, and the supervisor
 * copies bytes between those and the caller's fds 0, 1, 2 (or the log).
 *
 * The rule, the same for a start and a join (relay_plan):
 *   pty mode   stdin and stdout are terminals and we are the terminal's
 *              foreground process group: a pty from the container's devpts
 *              on its fds 0, 1 (and 2 when stderr is a terminal too; else a
 *              pipe relayed to our stderr, so `2>err` still separates).
 *   pipe mode  otherwise: three pipes (one for 1 and 2 when the caller's
 *              fds 1 and 2 are the same open file, so `>f 2>&1` keeps its
 *              order).  Stdin is relayed, except a terminal we may not read
 *              (a background job): then the container's stdin is an empty
 *              pipe (end-of-file at once, like docker without -i).
 *   detached   pipe mode, stdin empty, stdout and stderr (one pipe) to the
 *              log (relay_log_*: rotated once to PATH.1 at a line's end
 *              past the cap; a line longer than the cap is cut at twice it).
 */
#ifndef CTR_RELAY_H
#define CTR_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>

#define RELAY_BUF 4096

/* The log of a detached container. */
struct relay_log {
	char *path;
	int fd;
	off_t size, max;
	bool line_start;        /* the last byte written was a newline */
};

/* One direction: SRC -> buffer -> DST (or the log). */
struct relay_chan {
	int src, dst;           /* -1: closed */
	bool own_src, own_dst;  /* a pipe end of ours (closing it is the signal to
				 * the other side), not a caller's fd or the pty master */
	struct relay_log *log;  /* DST is the log */
	unsigned reads;         /* reads since the drain began (a join's budget) */
	size_t len, off;
	char buf[RELAY_BUF];
};

enum { RELAY_IN, RELAY_OUT, RELAY_ERR, RELAY_N };

struct relay {
	bool pty;
	int child[3];           /* the container's fds 0..2 (-1: the pty slave) */
	int master;             /* pty mode: the master, from the child (MSG_PTY) */
	struct relay_chan ch[RELAY_N];
};

/* Nothing open (relay_close is then a no-op). */
void relay_init(struct relay *r);
/* Decide the mode and make the pipes (LOG: detached, the output goes there).
 * 0 / -errno. */
int relay_plan(struct relay *r, struct relay_log *log);
/* In the container's process, first thing after fork: its own session
 * (setsid), the pipes on fds 0..2.  0 / -errno. */
int relay_child(const struct relay *r);
/* In the supervisor after the fork: close the container's ends. */
void relay_parent(struct relay *r);
/* Pty mode: the master arrived. */
void relay_set_master(struct relay *r, int master);
/* One pollfd per channel (fd -1 when idle), RELAY_N of them. */
void relay_pollfds(const struct relay *r, struct pollfd p[RELAY_N]);
/* Act on what poll reported. */
void relay_step(struct relay *r, const struct pollfd p[RELAY_N]);
/* The container's process is gone: no more input; copy its remaining
 * output: until end-of-file (a start: PID 1's end closes every pipe), or
 * what is readable now (JOIN: something it started may keep them open). */
void relay_finish(struct relay *r, bool join);
/* Close everything of ours. */
void relay_close(struct relay *r);

/* The log: opened (created 0640) by the supervisor; 0 / -errno. */
int relay_log_open(struct relay_log *log);
void relay_log_close(struct relay_log *log);

#endif
