/* SPDX-License-Identifier: MIT */
/*
 * relay.c: the container's fds 0, 1, 2 and the supervisor's copying
 * between them and the caller's (see relay.h for the rule).
 *
 * Why never the caller's own fds: a container process can reopen any fd it
 * holds through /proc/self/fd/N.  The caller's terminal reopened that way
 * lets it turn echo off and read what the admin types after the command
 * ended; a host file given as stdout (`>/root/file`) reopened read-write
 * lets it read what was in it before, truncate it, chmod and chown it.  A
 * pipe reopened is the same pipe; a pty of the container's own devpts is
 * the container's.  (docker's shim relays the same way.)
 *
 * Each channel holds at most one buffer: while it is full the channel
 * polls its destination for POLLOUT, else its source for POLLIN.  The
 * caller's fds stay as they are (blocking; we only read or write after
 * poll said so); our pipe ends are non-blocking.
 */
#include <fcntl.h>
#include <linux/kcmp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>

#include "relay.h"
#include "util.h"

/* A join may leave a process that keeps the pipes open (sh -c 'x &'):
 * after the joined command's end we copy what it left, at most this many
 * buffers per channel. */
#define JOIN_DRAIN_READS 16
/* A start's pipes close when PID 1's end kills the namespace; should one
 * stay open (an fd sent out over a socket), stop after this long idle. */
#define DRAIN_IDLE_MS 2000

static bool same_open_file(int a, int b)
{
	pid_t me = getpid();

	return syscall(SYS_kcmp, me, me, KCMP_FILE, a, b) == 0;
}

/* The caller's stdin may be read: not a terminal, or one whose foreground
 * group we are (a background job reading it would stop on SIGTTIN), or a
 * terminal that is not ours at all (tcgetpgrp: ENOTTY). */
static bool may_read_stdin(void)
{
	pid_t fg;

	if (!isatty(STDIN_FILENO))
		return true;
	fg = tcgetpgrp(STDIN_FILENO);
	return fg < 0 ? errno == ENOTTY : fg == getpgrp();
}

static void chan_set(struct relay_chan *c, int src, bool own_src, int dst, bool own_dst)
{
	c->src = src;
	c->own_src = own_src;
	c->dst = dst;
	c->own_dst = own_dst;
}

/* pipe2 with our end (READ: the read end) non-blocking. */
static int make_pipe(int p[2], bool ours_reads)
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return ctr_fail(-errno, "pipe for the container's stdio");
	fcntl(p[ours_reads ? 0 : 1], F_SETFL, O_NONBLOCK);
	return 0;
}

static int plan_stdin(struct relay *r, bool relay_it)
{
	int p[2];
	int e = make_pipe(p, false);

	if (e < 0)
		return e;
	r->child[0] = p[0];
	if (relay_it) {
		chan_set(&r->ch[RELAY_IN], STDIN_FILENO, false, p[1], true);
	} else {
		close(p[1]);   /* an empty stdin: end-of-file at once */
	}
	return 0;
}

static int plan_output(struct relay *r, int which, int to, struct relay_log *log)
{
	int p[2];
	int e = make_pipe(p, true);

	if (e < 0)
		return e;
	r->child[which] = p[1];
	chan_set(&r->ch[which], p[0], true, log ? -1 : to, false);
	r->ch[which].log = log;
	return 0;
}

void relay_init(struct relay *r)
{
	memset(r, 0, sizeof(*r));
	r->master = -1;
	for (int i = 0; i < RELAY_N; i++) {
		r->child[i] = -1;
		chan_set(&r->ch[i], -1, false, -1, false);
	}
}

int relay_plan(struct relay *r, struct relay_log *log)
{
	int e;

	relay_init(r);
	r->pty = !log && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
		 tcgetpgrp(STDIN_FILENO) == getpgrp();
	if (r->pty) {
		/* IN and OUT go through the master (relay_set_master) */
		chan_set(&r->ch[RELAY_IN], STDIN_FILENO, false, -1, false);
		chan_set(&r->ch[RELAY_OUT], -1, false, STDOUT_FILENO, false);
		if (isatty(STDERR_FILENO))
			return 0;
		return plan_output(r, RELAY_ERR, STDERR_FILENO, NULL);
	}
	if ((e = plan_stdin(r, !log && may_read_stdin())) < 0 ||
	    (e = plan_output(r, RELAY_OUT, STDOUT_FILENO, log)) < 0)
		return e;
	if (log || same_open_file(STDOUT_FILENO, STDERR_FILENO)) {
		r->child[2] = r->child[1];   /* one pipe: 2>&1 keeps its order */
		return 0;
	}
	return plan_output(r, RELAY_ERR, STDERR_FILENO, NULL);
}

int relay_child(const struct relay *r)
{
	if (setsid() < 0)
		return ctr_fail(-errno, "setsid");
	for (int i = 0; i < 3; i++)
		if (r->child[i] >= 0 && dup2(r->child[i], i) < 0)
			return ctr_fail(-errno, "stdio: dup2");
	return 0;
}

void relay_parent(struct relay *r)
{
	for (int i = 0; i < 3; i++) {
		if (r->child[i] >= 0 && (i == 0 || r->child[i] != r->child[i - 1]))
			close(r->child[i]);
	}
	for (int i = 0; i < 3; i++)
		r->child[i] = -1;
}

void relay_set_master(struct relay *r, int master)
{
	r->master = master;
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	r->ch[RELAY_IN].dst = master;
	r->ch[RELAY_OUT].src = master;
}

static int dst_fd(const struct relay_chan *c)
{
	return c->log ? c->log->fd : c->dst;
}

void relay_pollfds(const struct relay *r, struct pollfd p[RELAY_N])
{
	for (int i = 0; i < RELAY_N; i++) {
		const struct relay_chan *c = &r->ch[i];

		if (c->len)
			p[i] = (struct pollfd){ .fd = dst_fd(c), .events = POLLOUT };
		else
			p[i] = (struct pollfd){ .fd = c->src, .events = POLLIN };
	}
}

static void chan_close_src(struct relay_chan *c)
{
	if (c->own_src && c->src >= 0)
		close(c->src);
	c->src = -1;
}

static void chan_close_dst(struct relay_chan *c)
{
	if (c->own_dst && c->dst >= 0)
		close(c->dst);
	c->dst = -1;
	c->log = NULL;
}

/* Both ends: closing our read end of an output pipe makes the container's
 * next write fail with EPIPE (SIGPIPE), as if it wrote to the caller's
 * closed pipe itself; closing our write end of its stdin is its EOF. */
static void chan_end(struct relay_chan *c)
{
	chan_close_src(c);
	chan_close_dst(c);
	c->len = c->off = 0;
}

static void chan_read(struct relay_chan *c)
{
	ssize_t n = read(c->src, c->buf, sizeof(c->buf));

	if (n > 0) {
		c->len = (size_t)n;
		c->off = 0;
		c->reads++;
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		chan_end(c);   /* end of file; EIO: the pty has no slave left */
	}
}

/* Rotate once: PATH -> PATH.1 (the older PATH.1 goes), a new PATH. */
static void log_rotate(struct relay_log *log)
{
	_cleanup_free_ char *old = xasprintf("%s.1", log->path);
	int fd;

	if (rename(log->path, old) < 0)
		return;
	fd = open(log->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
	if (fd < 0)
		return;   /* keep writing to the renamed one */
	close(log->fd);
	log->fd = fd;
	log->size = 0;
	log->line_start = true;
}

/* All of BUF, or dropped: what cannot be written to the log (a full
 * disk) is lost, the container must not stop on its log. */
static void log_put(struct relay_log *log, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(log->fd, buf, len);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return;
		}
		log->size += n;
		log->line_start = buf[n - 1] == '\n';
		buf += n;
		len -= (size_t)n;
	}
}

/* The log rotates at a line's end: a line that has begun is finished in
 * the old file (unless it is longer than the cap: then it is cut). */
static ssize_t log_write(struct relay_log *log, const char *buf, size_t len)
{
	size_t head = 0;

	if (log->size > 0 && log->size + (off_t)len > log->max) {
		const char *nl = log->line_start ? NULL : memchr(buf, '\n', len);

		if (!log->line_start && !nl && log->size < 2 * log->max) {
			log_put(log, buf, len);   /* the line goes on */
			return (ssize_t)len;
		}
		head = nl ? (size_t)(nl - buf) + 1 : 0;
		log_put(log, buf, head);
		log_rotate(log);
	}
	log_put(log, buf + head, len - head);
	return (ssize_t)len;
}

static void chan_write(struct relay_chan *c)
{
	ssize_t n = c->log ? log_write(c->log, c->buf + c->off, c->len - c->off)
			   : write(c->dst, c->buf + c->off, c->len - c->off);

	if (n < 0) {
		if (errno != EINTR && errno != EAGAIN)
			chan_end(c);   /* EPIPE: the caller's reader is gone */
		return;
	}
	c->off += (size_t)n;
	if (c->off >= c->len)
		c->len = c->off = 0;
}

void relay_step(struct relay *r, const struct pollfd p[RELAY_N])
{
	for (int i = 0; i < RELAY_N; i++) {
		struct relay_chan *c = &r->ch[i];
		short ev = p[i].revents;

		if (p[i].fd < 0 || !ev)
			continue;
		if (ev & POLLNVAL)
			chan_end(c);
		else if (c->len)
			chan_write(c);
		else if (c->src >= 0)
			chan_read(c);
	}
}

void relay_finish(struct relay *r, bool join)
{
	chan_end(&r->ch[RELAY_IN]);
	for (int i = 0; i < RELAY_N; i++)
		r->ch[i].reads = 0;
	for (;;) {
		struct pollfd p[RELAY_N];
		bool live = false, pending = false;
		int n;

		for (int i = 0; i < RELAY_N; i++) {
			struct relay_chan *c = &r->ch[i];

			if (join && !c->len && c->reads >= JOIN_DRAIN_READS)
				chan_end(c);
			pending |= c->len > 0;
		}
		relay_pollfds(r, p);
		for (int i = 0; i < RELAY_N; i++)
			live |= p[i].fd >= 0;
		if (!live)
			return;
		n = poll(p, RELAY_N, join && !pending ? 0 : DRAIN_IDLE_MS);
		if (n == 0 || (n < 0 && errno != EINTR))
			return;
		if (n > 0)
			relay_step(r, p);
	}
}

void relay_close(struct relay *r)
{
	relay_parent(r);
	for (int i = 0; i < RELAY_N; i++)
		chan_end(&r->ch[i]);
	if (r->master >= 0)
		close(r->master);
	r->master = -1;
}

int relay_log_open(struct relay_log *log)
{
	struct stat st;

	log->fd = open(log->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
	if (log->fd < 0)
		return ctr_fail(-errno, "open the log %s", log->path);
	if (fstat(log->fd, &st) < 0)
		return ctr_fail(-errno, "stat the log %s", log->path);
	if (!S_ISREG(st.st_mode))
		return ctr_failx(-EINVAL, "the log %s is not a regular file", log->path);
	log->size = st.st_size;
	log->line_start = true;   /* a run before ended its output as it did */
	return 0;
}

void relay_log_close(struct relay_log *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}
