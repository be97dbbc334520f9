/* SPDX-License-Identifier: MIT */
/*
 * supervisor.c: while the container runs, ctr-enter only waits here, in
 * poll(), with a few KiB of buffers: the signalfd, and with a pty the
 * caller's terminal (raw) and the pty master.
 *
 * Forwarding rule: with a pty the caller's terminal is raw, so every signal
 * we get was sent by someone (kill) and is forwarded to PID 1; SIGWINCH
 * resizes the pty instead (the kernel then signals the container's
 * foreground group).  Without a pty the container shares our process group
 * on the caller's terminal, so the terminal's own SIGINT/SIGQUIT/SIGTSTP
 * (si_code SI_KERNEL) already reached it: only signals with si_code <= 0
 * (kill, sigqueue, tkill) are forwarded, never doubled.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>

#include "supervisor.h"
#include "util.h"

static const int forwarded[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD,
};

static struct termios saved_tio;
static bool tio_saved;

int supervisor_signals(int *sigfd)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return ctr_fail(-errno, "block signals");
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return ctr_fail(-errno, "signalfd");
	*sigfd = fd;
	return 0;
}

int supervisor_raw_tty(void)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return ctr_fail(-errno, "read terminal settings");
	tio_saved = true;
	raw = saved_tio;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0)
		return ctr_fail(-errno, "set the terminal to raw mode");
	return 0;
}

void supervisor_restore_tty(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
	tio_saved = false;
}

int supervisor_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_CTR_FAIL;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };

				poll(&p, 1, 1000);
				continue;
			}
			return;   /* the reader went away: drop */
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* Copy what the pty has; false when it is closed (EIO: no slave left). */
static bool pump_master(int master)
{
	char buf[4096];
	ssize_t n = read(master, buf, sizeof(buf));

	if (n > 0) {
		write_all(STDOUT_FILENO, buf, (size_t)n);
		return true;
	}
	return n < 0 && (errno == EAGAIN || errno == EINTR);
}

static void handle_signal(const struct signalfd_siginfo *si, pid_t pid1, int master)
{
	int sig = (int)si->ssi_signo;

	if (master >= 0) {
		if (sig == SIGWINCH) {
			struct winsize ws;

			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(master, TIOCSWINSZ, &ws);
			return;
		}
		kill(pid1, sig);
		return;
	}
	if (si->ssi_code <= 0)   /* SI_USER, SI_QUEUE, SI_TKILL: sent to us, not by the tty */
		kill(pid1, sig);
}

/*
 * Most of the supervisor's VmRSS is libc text that the kernel mapped by
 * fault-around while we set up (about 1 MiB of a 1.7 MiB total).  Those are
 * clean page-cache pages: MADV_DONTNEED on our private r-x file mappings
 * unmaps them, and the few the wait loop needs fault back in.  Only
 * executable mappings: they are never written, so nothing can be lost
 * (a RELRO or data page would be).
 */
static void trim_text(void)
{
	_cleanup_free_ char *maps = NULL;
	struct { unsigned long lo, hi; } text[16];
	size_t n = 0;
	char saved[CTR_ERRMSG_MAX];
	char *save = NULL;

	snprintf(saved, sizeof(saved), "%s", ctr_errmsg());
	if (read_file("/proc/self/maps", &maps) < 0) {
		ctr_seterrmsg(saved);
		return;
	}
	for (char *l = strtok_r(maps, "\n", &save); l && n < ARRAY_SIZE(text); l = strtok_r(NULL, "\n", &save)) {
		char perms[8];

		if (sscanf(l, "%lx-%lx %7s", &text[n].lo, &text[n].hi, perms) == 3 &&
		    strcmp(perms, "r-xp") == 0 && strchr(l, '/'))
			n++;
	}
	/* ctr-enter is linked with -z now, so no lazy PLT binding brings
	 * ld.so's text back.  All parsing done first: the loop below touches
	 * little text. */
	for (size_t i = 0; i < n; i++)
		madvise((void *)text[i].lo, text[i].hi - text[i].lo, MADV_DONTNEED);
}

/* The pty relay: the caller's terminal (raw) <-> the pty master.  Input
 * is read only when the last read has gone out to the master. */
struct relay {
	int master;
	bool master_open, stdin_open;
	char in[4096];
	size_t in_len, in_off;
};

static void relay_pollfds(const struct relay *t, int sigfd, struct pollfd p[3])
{
	p[0] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = t->master_open ? t->master : -1,
				.events = POLLIN | (t->in_len ? POLLOUT : 0) };
	p[2] = (struct pollfd){ .fd = t->stdin_open && !t->in_len ? STDIN_FILENO : -1,
				.events = POLLIN };
}

static void drain_signals(int sigfd, pid_t pid1, int master)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGCHLD)
			handle_signal(&si, pid1, master);
	}
}

/* PID 1 is gone: what the pty still holds goes out first. */
static void drain_master(int master)
{
	while (pump_master(master)) {
		struct pollfd q = { .fd = master, .events = POLLIN };

		if (poll(&q, 1, 0) <= 0)
			break;
	}
}

static void relay_to_master(struct relay *t)
{
	ssize_t n = write(t->master, t->in + t->in_off, t->in_len - t->in_off);

	if (n > 0)
		t->in_off += (size_t)n;
	if (t->in_off >= t->in_len)
		t->in_len = t->in_off = 0;
}

static void relay_from_stdin(struct relay *t)
{
	ssize_t n = read(STDIN_FILENO, t->in, sizeof(t->in));

	if (n > 0) {
		t->in_len = (size_t)n;
		t->in_off = 0;
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		t->stdin_open = false;
	}
}

static void relay_step(struct relay *t, const struct pollfd p[3])
{
	if (!t->master_open)
		return;
	if (p[1].revents & (POLLIN | POLLHUP | POLLERR) && !pump_master(t->master))
		t->master_open = false;   /* no slave left: wait for SIGCHLD only */
	if (p[1].revents & POLLOUT && t->in_len)
		relay_to_master(t);
	if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
		relay_from_stdin(t);
}

int supervisor_wait(pid_t pid1, int sigfd, int master)
{
	struct relay t = { .master = master, .master_open = master >= 0, .stdin_open = master >= 0 };
	int status = 0;

	if (master >= 0)
		fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	trim_text();
	for (;;) {
		struct pollfd p[3];

		relay_pollfds(&t, sigfd, p);
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		drain_signals(sigfd, pid1, master);
		if (waitpid(pid1, &status, WNOHANG) == pid1) {
			if (t.master_open)
				drain_master(master);
			return status;
		}
		relay_step(&t, p);
	}
}
