/* SPDX-License-Identifier: MIT */
/* sync.c: messages (and one fd) between the supervisor and the child. */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <sys/wait.h>

#include "sync.h"

int sync_send(int sock, int type, int code, const char *text, int fd)
{
	struct ctr_msg msg = { .type = type, .code = code };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = &msg, .iov_len = sizeof(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (text)
		snprintf(msg.text, sizeof(msg.text), "%s", text);
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return ctr_fail(-errno, "sync with %s",
					type == MSG_GO || type == MSG_CGROUP ? "child" : "supervisor");
	}
	return 0;
}

int sync_recv(int sock, struct ctr_msg *msg, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	ssize_t n;

	if (fd)
		*fd = -1;
	memset(msg, 0, sizeof(*msg));
	/* A peer that exited with a message of ours unread (PID 1 failed
	 * before it read GO) sets ECONNRESET on our end, and the kernel reports
	 * it before the messages still queued for us (its MSG_ERROR): the
	 * error is cleared by being reported, so read once more. */
	bool reset = false;
	for (;;) {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n >= 0 || (errno != EINTR && (errno != ECONNRESET || reset)))
			break;
		reset = reset || errno == ECONNRESET;
	}
	if (n < 0)
		return errno == ECONNRESET ? 0 : ctr_fail(-errno, "sync");
	if (n == 0)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;

			memcpy(&got, CMSG_DATA(c), sizeof(int));
			if (fd)
				*fd = got;
			else
				close(got);
		}
	}
	if ((size_t)n != sizeof(*msg))
		return ctr_failx(-EPROTO, "sync: short message");
	msg->text[sizeof(msg->text) - 1] = '\0';
	return 1;
}

void sync_fail(int sock, int code)
{
	sync_send(sock, MSG_ERROR, code, ctr_errmsg(), -1);
	_exit(code);
}

bool sync_peer_gone(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };

	/* AF_UNIX: POLLHUP once the peer has closed its end. */
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

/* One report of the child: a pty master is kept in *master; an error
 * message is recorded (true). */
static bool take_report(const struct ctr_msg *msg, int fd, int *master)
{
	if (msg->type == MSG_PTY && fd >= 0 && *master < 0) {
		*master = fd;
		return false;
	}
	if (fd >= 0)
		close(fd);
	if (msg->type != MSG_ERROR)
		return false;
	ctr_seterrmsg(msg->text);
	return true;
}

void sync_take_child_error(int sock, int *master)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	struct ctr_msg msg;
	int fd;

	while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && sync_recv(sock, &msg, &fd) > 0)
		if (take_report(&msg, fd, master))
			return;
}

void sync_rearm_pdeathsig(int sock)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || sync_peer_gone(sock))
		_exit(EXIT_CTR_FAIL);
}

/* A signal that ends a start or join before COMMAND runs: its number. */
static int stop_signal(int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
			return sig;
	}
	return 0;
}

int sync_wait_exec(int sock, int sigfd, pid_t pid, int *master)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };
		struct ctr_msg msg;
		int fd = -1, r, sig;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ctr_fail(-errno, "poll");
			return EXIT_CTR_FAIL;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)) && (sig = stop_signal(sigfd))) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			ctr_failx(-EINTR, "interrupted by %s before COMMAND ran", strsignal(sig));
			return 128 + sig;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = sync_recv(sock, &msg, &fd);

		if (r < 0)
			return EXIT_CTR_FAIL;
		if (r == 0)
			return 0;
		if (take_report(&msg, fd, master)) {
			waitpid(pid, NULL, 0);
			return msg.code ? msg.code : EXIT_CTR_FAIL;
		}
	}
}
