/* SPDX-License-Identifier: MIT */
/*
 * test-top.c: ctr-top's formatter (top-format.c): a missing figure is null
 * in JSON and "n/a" in the table, never 0; no limit is null / "max"; the
 * keys of `ctrctl ps --json` come first and in its order; a stopped row
 * says OOM-killed; sorting puts the largest figure first, names in natural
 * order.
 */
#include <math.h>

#include "top.h"
#include "unit.h"

static char *json_of(const struct top_row *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	top_row_json(f, r);
	fclose(f);
	return buf;
}

static char *table_of(const struct top_row *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	top_table_row(f, r, 0);
	fclose(f);
	return buf;
}

static void row_blank(struct top_row *r, const char *name, bool running)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->running = running;
	r->pid = running ? 42 : 0;
	r->mem_used = r->mem_limit = r->mem_peak = r->pids = r->pids_limit = r->cpu_ns = TOP_NA;
	r->net_rx = r->net_tx = r->io_read = r->io_write = r->uptime_s = TOP_NA;
	r->cpu_percent = r->cpu_limit = r->net_rx_rate = r->net_tx_rate = r->psi_cpu = r->psi_mem = -1;
	for (int i = 0; i < TC_N; i++)
		r->counters[i] = TOP_NA;
	r->exit_code = r->oom = -1;
}

static void test_missing_is_null(void)
{
	struct top_row r;
	char *j, *t;

	row_blank(&r, "c1", true);
	j = json_of(&r);
	CHECK(strstr(j, "\"mem_used\":null,\"mem_limit\":null,\"cpu_percent\":null,\"pids\":null"), "n/a is null: %s", j);
	CHECK(strstr(j, "\"io_read_bytes\":null") && strstr(j, "\"psi_cpu_some10\":null"), "%s", j);
	CHECK(!strstr(j, ":0,") && !strstr(j, ":0}"), "no zero stands for a missing figure: %s", j);
	t = table_of(&r);
	CHECK(strstr(t, " n/a ") != NULL, "the table says n/a: %s", t);
	CHECK(strstr(t, "n/a / n/a (n/a)") != NULL, "memory n/a: %s", t);
	CHECK(strstr(t, " 0 ") == NULL && strstr(t, "0B") == NULL, "no 0 in the table: %s", t);
	free(j);
	free(t);
}

static void test_figures(void)
{
	static const char ps_keys[] =
		"{\"name\":\"web\",\"state\":\"running\",\"pid\":42,\"ip\":null,\"hostname\":null,"
		"\"mem_used\":10485760,\"mem_limit\":null,\"cpu_percent\":25.0,\"pids\":3,\"uptime_s\":null,"
		"\"started\":null,\"exit\":null,\"oom_killed\":null,\"stopped\":null,\"ports\":null,\"owner\":null,";
	struct top_row r;
	char *j, *t;

	row_blank(&r, "web", true);
	r.mem_used = 10 << 20;
	r.mem_limit = TOP_MAX;
	r.mem_peak = 12 << 20;
	r.pids = 3;
	r.pids_limit = 20;
	r.cpu_percent = 25.04;
	r.cpu_limit = 0.5;
	r.counters[TC_OOM_KILL] = 0;
	j = json_of(&r);
	CHECK(strncmp(j, ps_keys, strlen(ps_keys)) == 0, "ps --json's keys first: %s", j);
	CHECK(strstr(j, "\"cpu_limit\":0.50,\"cpu_limit_percent\":50.1") != NULL, "the --cpus share: %s", j);
	CHECK(strstr(j, "\"oom_kill_events\":0,") != NULL, "a real 0 counter stays 0: %s", j);
	t = table_of(&r);
	CHECK(strstr(t, "25.0 (50%)") != NULL, "CPU%% and its share: %s", t);
	CHECK(strstr(t, "10.0MiB / max (12.0MiB)") != NULL, "memory: %s", t);
	CHECK(strstr(t, "3/20") != NULL, "pids: %s", t);
	free(j);
	free(t);
}

static void test_stopped(void)
{
	struct top_row r;
	char *j, *t;

	row_blank(&r, "db", false);
	r.exit_code = 137;
	r.oom = 1;
	j = json_of(&r);
	CHECK(strstr(j, "\"state\":\"stopped\",\"pid\":null") != NULL, "%s", j);
	CHECK(strstr(j, "\"exit\":137,\"oom_killed\":true") != NULL, "%s", j);
	t = table_of(&r);
	CHECK(strstr(t, "OOM-killed\n") != NULL, "the last exit: %s", t);
	free(j);
	free(t);
}

static void test_json_escapes(void)
{
	struct top_row r;
	char *j;

	row_blank(&r, "x", true);
	snprintf(r.hostname, sizeof(r.hostname), "a\"b\\c\n");
	j = json_of(&r);
	CHECK(strstr(j, "\"hostname\":\"a\\\"b\\\\c\\u000a\"") != NULL, "%s", j);
	free(j);
}

static void test_sort(void)
{
	struct top_row rows[3];

	row_blank(&rows[0], "wl10", true);
	row_blank(&rows[1], "wl3", true);
	row_blank(&rows[2], "a", true);
	rows[0].cpu_percent = 5;
	rows[1].cpu_percent = 50;
	rows[2].cpu_percent = 5;
	top_sort(rows, 3, COL_NAME, false);
	CHECK(!strcmp(rows[0].name, "a") && !strcmp(rows[1].name, "wl3") && !strcmp(rows[2].name, "wl10"),
	      "natural order: %s %s %s", rows[0].name, rows[1].name, rows[2].name);
	top_sort(rows, 3, COL_CPU, false);
	CHECK(!strcmp(rows[0].name, "wl3") && !strcmp(rows[1].name, "a"), "CPU%%, largest first, then by name");
	top_sort(rows, 3, COL_CPU, true);
	CHECK(!strcmp(rows[2].name, "wl3"), "reversed");
}

int main(void)
{
	test_missing_is_null();
	test_figures();
	test_stopped();
	test_json_escapes();
	test_sort();
	return unit_end("top");
}
