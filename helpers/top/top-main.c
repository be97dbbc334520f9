/* SPDX-License-Identifier: MIT */
/*
 * top-main.c: ctr-top's command line, and the plain and --json views
 * (what a pipe or a script gets).  `ctrctl top` execs it.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "top.h"
#include "util.h"


static void usage(FILE *f)
{
	fputs("Usage: ctrctl top [OPTIONS] [NAME...]\n"
	      "A live view of the running (and stopped) containers: CPU% (100 = one core;\n"
	      "in parentheses the share of --cpus), memory used / limit (peak), processes /\n"
	      "limit, network rx/tx rate, block I/O, uptime and the last exit.\n"
	      "\n"
	      "  -d, --delay SECS      refresh every SECS (default 1)\n"
	      "  -n, --iterations N    stop after N refreshes\n"
	      "      --no-stream       one refresh (-n 1)\n"
	      "      --json            newline-delimited JSON, one object per container and\n"
	      "                        refresh (the field names of ctrctl ps --json and more)\n"
	      "      --web[=ADDR:PORT] serve the live page and /api/containers, /api/events\n"
	      "                        (default 127.0.0.1:7397; ADDR must be a loopback one)\n"
	      "      --listen ADDR:PORT  with --web: this address, any (beware: no auth)\n"
	      "  -h, --help            this text\n"
	      "NAME...: only these containers (each must exist).\n"
	      "On a terminal: keys c m p n t s i o e sort by CPU, memory, pids, name, uptime,\n"
	      "state, IP, I/O, exit; < > the next column; r reverse; / filter by name;\n"
	      "h help; q quit.  Elsewhere one table per refresh.\n", f);
}

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, TOP_PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ctrctl top --help'.\n");
	return 2;
}

bool top_row_selected(const struct top_opts *o, const struct top_row *r)
{
	if (!o->n_names)
		return true;
	for (size_t i = 0; i < o->n_names; i++)
		if (strcmp(o->names[i], r->name) == 0)
			return true;
	return false;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - floor(s)) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Every NAME given must be a container now. */
int top_check_names(const struct top_opts *o, const struct top_sample *smp)
{
	for (size_t i = 0; i < o->n_names; i++) {
		bool found = false;

		for (size_t j = 0; j < smp->n && !found; j++)
			found = strcmp(smp->rows[j].name, o->names[i]) == 0;
		if (!found) {
			fprintf(stderr, TOP_PROG ": %s: no such container\n", o->names[i]);
			return 1;
		}
	}
	return 0;
}

struct top_sampler *top_sampler_start(const struct top_opts *o, int *rc)
{
	struct top_sampler *s = top_sampler_new();
	struct top_sample *smp = NULL;

	top_sampler_read(s, &smp);
	*rc = top_check_names(o, smp);
	top_sample_free(smp);
	if (*rc) {
		top_sampler_free(s);
		return NULL;
	}
	return s;
}

static int run_plain(const struct top_opts *o)
{
	struct top_sample *smp = NULL;
	int r;
	struct top_sampler *s = top_sampler_start(o, &r);

	if (!s)
		return r;
	sleep_s(fmin(o->delay, TOP_PRIME_S));
	for (long it = 0; o->iterations == 0 || it < o->iterations; it++) {
		if (it)
			sleep_s(o->delay);
		top_sampler_read(s, &smp);
		top_sort(smp->rows, smp->n, COL_NAME, false);
		if (!o->json) {
			if (it)
				putchar('\n');
			top_table_header(stdout, 0);
		}
		for (size_t i = 0; i < smp->n; i++) {
			if (!top_row_selected(o, &smp->rows[i]))
				continue;
			if (o->json) {
				top_row_json(stdout, &smp->rows[i]);
				putchar('\n');
			} else {
				top_table_row(stdout, &smp->rows[i], 0);
			}
		}
		top_sample_free(smp);
		if (fflush(stdout) != 0) {   /* EPIPE with SIGPIPE ignored: a reader that left */
			top_sampler_free(s);
			return errno == EPIPE ? 0 : 1;
		}
	}
	top_sampler_free(s);
	return 0;
}

static int parse_number(const char *opt, const char *arg, double min, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < min)
		return -1;
	(void)opt;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "no-stream", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "web", optional_argument, NULL, 'w' },
		{ "listen", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct top_opts o = { .delay = 1 };
	char *web_addr = NULL, *listen_addr = NULL;
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "d:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (parse_number("-d", optarg, 0.1, &o.delay) < 0)
				return bad_usage("-d %s: a number of seconds, at least 0.1", optarg);
			break;
		case 'n':
			if (parse_number("-n", optarg, 1, &v) < 0 || v != floor(v) || v > 1e9)
				return bad_usage("-n %s: a whole number of refreshes, at least 1", optarg);
			o.iterations = (long)v;
			break;
		case 'N': o.iterations = 1; break;
		case 'j': o.json = true; break;
		case 'w':
			o.web = true;
			if (optarg)
				web_addr = optarg;
			break;
		case 'l':
			o.web = true;
			listen_addr = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: return bad_usage("unknown option (see --help)");
		}
	}
	if (web_addr && listen_addr)
		return bad_usage("--web=ADDR and --listen ADDR: give one of them");
	/* Only --listen may name a non-loopback address. */
	o.listen = listen_addr ? listen_addr : web_addr;
	o.listen_given = listen_addr != NULL;
	o.names = argv + optind;
	o.n_names = (size_t)(argc - optind);
	for (size_t i = 0; i < o.n_names; i++)
		if (!name_is_valid(o.names[i]))
			return bad_usage("bad container name '%s'", o.names[i]);
	if (o.web && (o.json || o.iterations))
		return bad_usage("--web serves until stopped: no --json, -n or --no-stream with it");
	signal(SIGPIPE, SIG_IGN);
	if (o.web)
		return top_run_web(&o);
	if (!o.json && o.iterations == 0 && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))
		return top_run_tty(&o);
	return run_plain(&o);
}
