/* SPDX-License-Identifier: MIT */
/*
 * supervisor.c: while the container runs, ctr-enter only waits here, in
 * poll(), with a few KiB of buffers: the signalfd and the relay of the
 * container's stdio (relay.c: the pty master or the pipes, and the caller's
 * fds).
 *
 * Forwarding rule: the container's processes are in a session of their own
 * (relay_child: setsid), never in our process group, so nothing the
 * caller's terminal generates reaches them directly: every signal we get,
 * sent with kill or by the caller's terminal (Ctrl-C, Ctrl-\ in pipe mode;
 * with a pty the terminal is raw and those are bytes for the container's
 * own line discipline), is forwarded to PID 1 (or the joined process) once.
 * With a pty, SIGWINCH resizes it instead (the kernel then signals the
 * container's foreground group).
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

#include "relay.h"
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

static void handle_signal(const struct signalfd_siginfo *si, pid_t pid1, int master)
{
	int sig = (int)si->ssi_signo;

	if (sig == SIGWINCH && master >= 0) {
		struct winsize ws;

		if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
			ioctl(master, TIOCSWINSZ, &ws);
		return;
	}
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
	struct ctr_error best_effort = CTR_ERROR_INIT;
	size_t n = 0;
	char *save = NULL;
	int r;

	ctr_error_local(&best_effort);
	r = read_file("/proc/self/maps", &maps);
	ctr_error_release(&best_effort);
	if (r < 0)
		return;
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

static void drain_signals(int sigfd, pid_t pid1, int master)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGCHLD)
			handle_signal(&si, pid1, master);
	}
}

int supervisor_wait(pid_t pid, int sigfd, struct relay *r, bool join)
{
	int status = 0;

	trim_text();
	for (;;) {
		struct pollfd p[1 + RELAY_N];

		if (waitpid(pid, &status, WNOHANG) == pid) {
			relay_finish(r, join);
			return status;
		}
		p[0] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		relay_pollfds(r, p + 1);
		if (poll(p, 1 + RELAY_N, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		drain_signals(sigfd, pid, r->master);
		relay_step(r, p + 1);
	}
}
