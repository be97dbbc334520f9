/* SPDX-License-Identifier: MIT */
/*
 * top-tty.c: the interactive view.  The terminal is put in non-canonical
 * mode on the alternate screen and restored exactly (termios as found,
 * cursor shown, main screen back) on q, Ctrl-C, SIGTERM or SIGHUP.
 */
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>

#include "top.h"
#include "util.h"

static struct termios saved_tio;
static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static void tty_restore(void)
{
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
}

static int tty_setup(void)
{
	struct termios t;
	struct sigaction sa = { .sa_handler = on_signal };

	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return ctr_fail(-errno, "read the terminal's settings");
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) < 0)
		return ctr_fail(-errno, "set the terminal");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fputs("\033[?1049h\033[?25l", stdout);
	return 0;
}

struct view {
	enum top_col sort;
	bool reverse, help, editing;
	char filter[TOP_NAME_MAX];
};

static size_t term_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

static void draw(const struct view *v, const struct top_opts *o, struct top_sample *smp)
{
	size_t width = term_width(), shown = 0;

	fputs("\033[H\033[2J", stdout);
	if (v->help) {
		fputs("ctr-top keys\r\n\r\n"
		      "  c m p n t s i o e   sort by CPU%, memory, pids, name, uptime, state, IP, I/O, exit\r\n"
		      "  < >                 sort by the column to the left / right\r\n"
		      "  r                   reverse the order\r\n"
		      "  /                   filter by name (Enter ends, Esc clears)\r\n"
		      "  h ?                 this help (any key returns)\r\n"
		      "  q                   quit\r\n", stdout);
		fflush(stdout);
		return;
	}
	top_sort(smp->rows, smp->n, v->sort, v->reverse);
	for (size_t i = 0; i < smp->n; i++)
		shown += top_row_selected(o, &smp->rows[i]) && strstr(smp->rows[i].name, v->filter);
	printf("ctr-top: %zu container%s  sort: %s%s  filter: %s%s   h help, q quit\033[K\r\n\r\n", shown,
	       shown == 1 ? "" : "s", top_col_names[v->sort], v->reverse ? " (reversed)" : "",
	       v->filter[0] ? v->filter : "-", v->editing ? "_" : "");
	top_table_header(stdout, width);
	for (size_t i = 0; i < smp->n; i++) {
		if (!top_row_selected(o, &smp->rows[i]) || !strstr(smp->rows[i].name, v->filter))
			continue;
		fputs("\r", stdout);
		top_table_row(stdout, &smp->rows[i], width);
	}
	fflush(stdout);
}

/* One key; false to quit. */
static bool key(struct view *v, char k)
{
	static const struct { char key; enum top_col col; } keys[] = {
		{ 'c', COL_CPU }, { 'm', COL_MEM }, { 'p', COL_PIDS }, { 'n', COL_NAME }, { 't', COL_UPTIME },
		{ 's', COL_STATE }, { 'i', COL_IP }, { 'o', COL_IO }, { 'e', COL_EXIT }, { 'N', COL_NET },
	};
	size_t len = strlen(v->filter);

	if (v->editing) {
		if (k == '\r' || k == '\n')
			v->editing = false;
		else if (k == 27) {
			v->editing = false;
			v->filter[0] = '\0';
		} else if ((k == 127 || k == 8) && len)
			v->filter[len - 1] = '\0';
		else if (k > 32 && k < 127 && len + 1 < sizeof(v->filter))
			v->filter[len] = k, v->filter[len + 1] = '\0';
		return true;
	}
	if (v->help) {
		v->help = false;
		return k != 'q';
	}
	switch (k) {
	case 'q': return false;
	case 'h': case '?': v->help = true; return true;
	case 'r': v->reverse = !v->reverse; return true;
	case '/': v->editing = true; v->filter[0] = '\0'; return true;
	case 27: v->filter[0] = '\0'; return true;
	case '<': v->sort = (enum top_col)((v->sort + COL_N - 1) % COL_N); return true;
	case '>': v->sort = (enum top_col)((v->sort + 1) % COL_N); return true;
	default: break;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].key == k)
			v->sort = keys[i].col;
	return true;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int top_run_tty(const struct top_opts *o)
{
	struct top_sample *smp = NULL;
	struct view v = { .sort = COL_NAME };
	double next;
	bool run = true;
	int r;
	struct top_sampler *s = top_sampler_start(o, &r);

	if (!s)
		return r;
	if (tty_setup() < 0) {
		fprintf(stderr, TOP_PROG ": %s\n", ctr_errmsg());
		top_sampler_free(s);
		return 1;
	}
	poll(NULL, 0, (int)(fmin(o->delay, TOP_PRIME_S) * 1000));   /* a first CPU% worth showing */
	top_sampler_read(s, &smp);
	draw(&v, o, smp);
	next = mono() + o->delay;
	while (run && !stop_sig) {
		struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
		double wait = next - mono();
		char buf[32];
		ssize_t n;

		if (wait <= 0) {
			top_sample_free(smp);
			top_sampler_read(s, &smp);
			draw(&v, o, smp);
			next = mono() + o->delay;
			continue;
		}
		if (poll(&p, 1, (int)(wait * 1000) + 1) <= 0)
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break;   /* the terminal is gone */
		for (ssize_t i = 0; i < n && run; i++)
			run = key(&v, buf[i]);
		if (run)
			draw(&v, o, smp);
	}
	tty_restore();
	top_sample_free(smp);
	top_sampler_free(s);
	return 0;
}
