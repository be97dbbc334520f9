/* SPDX-License-Identifier: MIT */
/*
 * top-format.c: a sample as JSON (the field names of `ctrctl ps --json`,
 * then the monitor's own) and as the table of the plain and terminal
 * views.  A figure the kernel does not give is null in JSON and "n/a" in
 * the table, never 0; "max" is no limit; "-" is a figure a stopped
 * container does not have.
 */
#include <math.h>
#include <string.h>

#include "top.h"
#include "util.h"

const char *const top_col_names[COL_N] = {
	"NAME", "STATE", "PID", "IP", "CPU%", "MEM USED / LIMIT (PEAK)", "PIDS", "NET RX/TX", "IO R/W",
	"UPTIME", "EXIT",
};
static const int col_width[COL_N] = { 16, 8, 8, 15, 13, 30, 10, 19, 15, 8, 10 };

/* ------------------------------------------------------------ JSON */

static void json_str(FILE *f, const char *s)
{
	if (!s || !*s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A count or size: null when n/a or unlimited (as ps --json). */
static void json_int(FILE *f, int64_t v)
{
	if (v == TOP_NA || v == TOP_MAX)
		fputs("null", f);
	else
		fprintf(f, "%lld", (long long)v);
}

static void json_real(FILE *f, double v, int decimals)
{
	if (v < 0 || !isfinite(v))
		fputs("null", f);
	else
		fprintf(f, "%.*f", decimals, v);
}

/* ,"KEY": (every key after the first, "name"). */
static void key(FILE *f, const char *k)
{
	fprintf(f, ",\"%s\":", k);
}

static void key_int(FILE *f, const char *k, int64_t v)
{
	key(f, k);
	json_int(f, v);
}

static void key_real(FILE *f, const char *k, double v, int decimals)
{
	key(f, k);
	json_real(f, v, decimals);
}

static void key_str(FILE *f, const char *k, const char *v)
{
	key(f, k);
	json_str(f, v);
}

void top_row_json(FILE *f, const struct top_row *r)
{
	fputs("{\"name\":", f);
	json_str(f, r->name);
	key_str(f, "state", r->running ? "running" : "stopped");
	key_int(f, "pid", r->running ? r->pid : TOP_NA);
	key_str(f, "ip", r->ip);
	key_str(f, "hostname", r->hostname);
	key_int(f, "mem_used", r->mem_used);
	key_int(f, "mem_limit", r->mem_limit);
	key_real(f, "cpu_percent", r->cpu_percent, 1);
	key_int(f, "pids", r->pids);
	key_int(f, "uptime_s", r->running ? r->uptime_s : TOP_NA);
	key_str(f, "started", r->started);
	key_int(f, "exit", r->running || r->exit_code < 0 ? TOP_NA : r->exit_code);
	key(f, "oom_killed");
	fputs(r->running || r->oom < 0 ? "null" : r->oom ? "true" : "false", f);
	key_str(f, "stopped", r->running ? "" : r->stopped);
	key_str(f, "ports", r->ports);
	/* ps's owner: the monitor reads root's containers only (null). */
	key_str(f, "owner", NULL);
	/* The monitor's own figures. */
	key_int(f, "mem_peak", r->mem_peak);
	key_int(f, "pids_limit", r->pids_limit);
	key_int(f, "cpu_ns", r->cpu_ns);
	key_real(f, "cpu_limit", r->cpu_limit, 2);
	key_real(f, "cpu_limit_percent", r->cpu_limit > 0 && r->cpu_percent >= 0 ? r->cpu_percent / r->cpu_limit : -1, 1);
	key_int(f, "net_rx_bytes", r->net_rx);
	key_int(f, "net_tx_bytes", r->net_tx);
	key_real(f, "net_rx_rate", r->net_rx_rate, 0);
	key_real(f, "net_tx_rate", r->net_tx_rate, 0);
	key_int(f, "io_read_bytes", r->io_read);
	key_int(f, "io_write_bytes", r->io_write);
	key_real(f, "psi_cpu_some10", r->psi_cpu, 2);
	key_real(f, "psi_mem_some10", r->psi_mem, 2);
	for (int i = 0; i < TC_N; i++) {
		char k[32];

		snprintf(k, sizeof(k), "%s_events", top_counter_names[i]);
		key_int(f, k, r->counters[i]);
	}
	key_str(f, "cgroup", !r->running ? "" : r->v2 ? "v2" : "v1");
	fputc('}', f);
}

void top_sample_json_array(FILE *f, const struct top_sample *smp)
{
	fputc('[', f);
	for (size_t i = 0; i < smp->n; i++) {
		if (i)
			fputc(',', f);
		top_row_json(f, &smp->rows[i]);
	}
	fputc(']', f);
}

void top_event_json(FILE *f, const struct top_event *e)
{
	fprintf(f, "{\"time\":%.3f,\"name\":", e->time);
	json_str(f, e->name);
	fprintf(f, ",\"kind\":\"%s\",\"count\":%lld,\"detail\":", e->kind, (long long)e->count);
	json_str(f, e->detail);
	fputc('}', f);
}

/* ------------------------------------------------------------ table */

static void human(char *buf, size_t size, double b)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t i = 0;

	while (b >= 1024 && i + 1 < ARRAY_SIZE(units)) {
		b /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, size, "%.0f%s", b, units[i]);
	else
		snprintf(buf, size, "%.1f%s", b, units[i]);
}

static void size_text(char *buf, size_t size, int64_t v)
{
	if (v == TOP_NA)
		snprintf(buf, size, "n/a");
	else if (v == TOP_MAX)
		snprintf(buf, size, "max");
	else
		human(buf, size, (double)v);
}

static void count_text(char *buf, size_t size, int64_t v)
{
	if (v == TOP_NA)
		snprintf(buf, size, "n/a");
	else if (v == TOP_MAX)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%lld", (long long)v);
}

static void duration_text(char *buf, size_t size, int64_t s)
{
	if (s == TOP_NA)
		snprintf(buf, size, "n/a");
	else if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", (long long)s / 60, (long long)s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh%02lldm", (long long)s / 3600, (long long)s % 3600 / 60);
	else
		snprintf(buf, size, "%lldd%02lldh", (long long)s / 86400, (long long)s % 86400 / 3600);
}

static void cell(const struct top_row *r, enum top_col c, char *buf, size_t size)
{
	char a[24], b[24], p[24];

	if (!r->running && c != COL_NAME && c != COL_STATE && c != COL_IP && c != COL_EXIT) {
		snprintf(buf, size, "-");
		return;
	}
	switch (c) {
	case COL_NAME: snprintf(buf, size, "%s", r->name); break;
	case COL_STATE: snprintf(buf, size, "%s", r->running ? "running" : "stopped"); break;
	case COL_PID: snprintf(buf, size, "%d", (int)r->pid); break;
	case COL_IP: snprintf(buf, size, "%s", r->ip[0] ? r->ip : "-"); break;
	case COL_CPU:
		if (r->cpu_percent < 0)
			snprintf(buf, size, "n/a");
		else if (r->cpu_limit > 0)
			snprintf(buf, size, "%.1f (%.0f%%)", r->cpu_percent, r->cpu_percent / r->cpu_limit);
		else
			snprintf(buf, size, "%.1f", r->cpu_percent);
		break;
	case COL_MEM:
		size_text(a, sizeof(a), r->mem_used);
		size_text(b, sizeof(b), r->mem_limit);
		size_text(p, sizeof(p), r->mem_peak);
		snprintf(buf, size, "%s / %s (%s)", a, b, p);
		break;
	case COL_PIDS:
		count_text(a, sizeof(a), r->pids);
		count_text(b, sizeof(b), r->pids_limit);
		snprintf(buf, size, "%s/%s", a, b);
		break;
	case COL_NET:
		if (r->net_rx_rate < 0 || r->net_tx_rate < 0) {
			snprintf(buf, size, "n/a");
			break;
		}
		human(a, sizeof(a), r->net_rx_rate);
		human(b, sizeof(b), r->net_tx_rate);
		snprintf(buf, size, "%s/%s/s", a, b);
		break;
	case COL_IO:
		size_text(a, sizeof(a), r->io_read);
		size_text(b, sizeof(b), r->io_write);
		if (r->io_read == TOP_NA)
			snprintf(buf, size, "n/a");
		else
			snprintf(buf, size, "%s/%s", a, b);
		break;
	case COL_UPTIME: duration_text(buf, size, r->uptime_s); break;
	case COL_EXIT:
		if (r->running)
			snprintf(buf, size, "-");
		else if (r->oom == 1)
			snprintf(buf, size, "OOM-killed");
		else if (r->exit_code >= 0)
			snprintf(buf, size, "%d", r->exit_code);
		else
			snprintf(buf, size, "n/a");
		break;
	case COL_N: buf[0] = '\0'; break;
	}
}

/* One line of columns, cut at width (0: no limit). */
static void line(FILE *f, const char *const *cells, size_t width)
{
	char out[512];
	size_t len = 0;

	for (int c = 0; c < COL_N; c++) {
		int n = c == COL_N - 1 ? snprintf(out + len, sizeof(out) - len, "%s", cells[c])
				       : snprintf(out + len, sizeof(out) - len, "%-*s ", col_width[c], cells[c]);

		if (n < 0 || (size_t)n >= sizeof(out) - len)
			break;
		len += (size_t)n;
	}
	if (width && len > width)
		len = width;
	fprintf(f, "%.*s\n", (int)len, out);
}

void top_table_header(FILE *f, size_t width)
{
	line(f, top_col_names, width);
}

void top_table_row(FILE *f, const struct top_row *r, size_t width)
{
	char bufs[COL_N][96];
	const char *cells[COL_N];

	for (int c = 0; c < COL_N; c++) {
		cell(r, (enum top_col)c, bufs[c], sizeof(bufs[c]));
		cells[c] = bufs[c];
	}
	line(f, cells, width);
}

/* ------------------------------------------------------------ sort */

static enum top_col sort_col;

static double sort_key(const struct top_row *r)
{
	switch (sort_col) {
	case COL_STATE: return r->running;
	case COL_PID: return r->pid;
	case COL_CPU: return r->cpu_percent;
	case COL_MEM: return (double)r->mem_used;
	case COL_PIDS: return (double)r->pids;
	case COL_NET: return r->net_rx_rate + r->net_tx_rate;
	case COL_IO: return (double)r->io_read + (double)r->io_write;
	case COL_UPTIME: return (double)r->uptime_s;
	case COL_EXIT: return r->oom == 1 ? 1000 : r->exit_code;
	default: return 0;
	}
}

static int by_col(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	double kx = sort_key(x), ky = sort_key(y);

	if (sort_col == COL_IP && strcmp(x->ip, y->ip))
		return strverscmp(x->ip, y->ip);
	if (kx != ky)   /* figures: the largest first */
		return kx < ky ? 1 : -1;
	return strverscmp(x->name, y->name);
}

void top_sort(struct top_row *rows, size_t n, enum top_col col, bool reverse)
{
	sort_col = col;
	qsort(rows, n, sizeof(*rows), by_col);
	for (size_t i = 0; reverse && i < n / 2; i++) {
		struct top_row t = rows[i];

		rows[i] = rows[n - 1 - i];
		rows[n - 1 - i] = t;
	}
}
