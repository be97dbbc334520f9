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

void top_row_json(FILE *f, const struct top_row *r)
{
	fputs("{\"name\":", f);
	json_str(f, r->name);
	fprintf(f, ",\"state\":\"%s\",\"pid\":", r->running ? "running" : "stopped");
	json_int(f, r->running ? r->pid : TOP_NA);
	fputs(",\"ip\":", f);
	json_str(f, r->ip);
	fputs(",\"hostname\":", f);
	json_str(f, r->hostname);
	fputs(",\"mem_used\":", f);
	json_int(f, r->mem_used);
	fputs(",\"mem_limit\":", f);
	json_int(f, r->mem_limit);
	fputs(",\"cpu_percent\":", f);
	json_real(f, r->cpu_percent, 1);
	fputs(",\"pids\":", f);
	json_int(f, r->pids);
	fputs(",\"uptime_s\":", f);
	json_int(f, r->running ? r->uptime_s : TOP_NA);
	fputs(",\"started\":", f);
	json_str(f, r->started);
	fputs(",\"exit\":", f);
	json_int(f, r->running || r->exit_code < 0 ? TOP_NA : r->exit_code);
	fputs(",\"oom_killed\":", f);
	fputs(r->running || r->oom < 0 ? "null" : r->oom ? "true" : "false", f);
	fputs(",\"stopped\":", f);
	json_str(f, r->running ? "" : r->stopped);
	fputs(",\"ports\":", f);
	json_str(f, r->ports);
	/* The monitor's own figures. */
	fputs(",\"mem_peak\":", f);
	json_int(f, r->mem_peak);
	fputs(",\"pids_limit\":", f);
	json_int(f, r->pids_limit);
	fputs(",\"cpu_ns\":", f);
	json_int(f, r->cpu_ns);
	fputs(",\"cpu_limit\":", f);
	json_real(f, r->cpu_limit, 2);
	fputs(",\"cpu_limit_percent\":", f);
	json_real(f, r->cpu_limit > 0 && r->cpu_percent >= 0 ? r->cpu_percent / r->cpu_limit : -1, 1);
	fputs(",\"net_rx_bytes\":", f);
	json_int(f, r->net_rx);
	fputs(",\"net_tx_bytes\":", f);
	json_int(f, r->net_tx);
	fputs(",\"net_rx_rate\":", f);
	json_real(f, r->net_rx_rate, 0);
	fputs(",\"net_tx_rate\":", f);
	json_real(f, r->net_tx_rate, 0);
	fputs(",\"io_read_bytes\":", f);
	json_int(f, r->io_read);
	fputs(",\"io_write_bytes\":", f);
	json_int(f, r->io_write);
	fputs(",\"psi_cpu_some10\":", f);
	json_real(f, r->psi_cpu, 2);
	fputs(",\"psi_mem_some10\":", f);
	json_real(f, r->psi_mem, 2);
	for (int i = 0; i < TC_N; i++) {
		fprintf(f, ",\"%s_events\":", top_counter_names[i]);
		json_int(f, r->counters[i]);
	}
	fprintf(f, ",\"cgroup\":%s}", !r->running ? "null" : r->v2 ? "\"v2\"" : "\"v1\"");
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
