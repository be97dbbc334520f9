/* SPDX-License-Identifier: MIT */
/*
 * top.h: ctr-top, the live monitor behind `ctrctl top` (terminal, plain,
 * --json and --web views).  One sampler (top-sample.c) reads, once per
 * refresh, the state ctr-enter writes under CTR_RUN_DIR and CTR_LIB_DIR,
 * netns-setup's record of each network (CTR_NET_STATE_DIR), and every
 * container's cgroup files through ctr-enter's cgroup code (cgroup_open,
 * cgroup_read_stats; the cgroup stays open between refreshes); every view
 * formats that one sample (top-format.c), so they never disagree.
 */
#ifndef CTR_TOP_H
#define CTR_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define TOP_PROG "ctr-top"
#define TOP_NA (-1)              /* a figure the kernel or layout lacks */
#define TOP_MAX INT64_MAX        /* no limit */
#define TOP_NAME_MAX 33

/* Counters whose increase is an event (memory.events, pids.events on v2;
 * memory.oom_control, memory.failcnt, pids.events on v1). */
enum top_counter { TC_OOM_KILL, TC_MEM_MAX, TC_MEM_HIGH, TC_PIDS_MAX, TC_N };
extern const char *const top_counter_names[TC_N];

struct top_row {
	char name[TOP_NAME_MAX];
	bool running;               /* else stopped (a layer with last-exit) */
	bool v2;
	pid_t pid;
	char ip[48], hostname[72], ports[128], started[32], stopped[32];
	int64_t mem_used, mem_limit, mem_peak;       /* bytes, TOP_NA, TOP_MAX */
	int64_t pids, pids_limit;
	int64_t cpu_ns;
	double cpu_percent;         /* 100 = one core; < 0: n/a */
	double cpu_limit;           /* cores from --cpus (cpu.max / cfs quota); < 0: none */
	int64_t net_rx, net_tx;     /* bytes the container received/sent (host veth end) */
	double net_rx_rate, net_tx_rate;             /* bytes/s; < 0: n/a */
	int64_t io_read, io_write;  /* bytes (io.stat; v1: n/a, ctr makes no blkio cgroup) */
	double psi_cpu, psi_mem;    /* "some avg10" percent; < 0: n/a */
	int64_t counters[TC_N];     /* cumulative; TOP_NA when missing */
	int64_t uptime_s;
	int exit_code;              /* stopped: last exit, -1 unknown */
	int oom;                    /* stopped: 1 OOM-killed, 0 not, -1 unknown */
	unsigned long long pid_start;
	double read_mono;           /* CLOCK_MONOTONIC of the read (rates' dt) */
};

struct top_event {
	double time;                /* unix seconds */
	char name[TOP_NAME_MAX];
	char kind[24];              /* started, stopped, oom_kill, mem_max, mem_high, pids_max */
	int64_t count;              /* how many since the last sample */
	char detail[48];
};

struct top_sample {
	double time;                /* unix seconds of the read */
	struct top_row *rows;
	size_t n;
	struct top_event *events;   /* what changed since the previous sample */
	size_t n_events;
};

#define TOP_PRIME_S 0.2   /* the first CPU% needs two reads this far apart */

struct top_sampler;
struct top_sampler *top_sampler_new(void);
void top_sampler_free(struct top_sampler *s);
/* Read every container now; rates and events against the previous read. */
int top_sampler_read(struct top_sampler *s, struct top_sample **out);
void top_sample_free(struct top_sample *smp);

/* top-format.c: one row as JSON (ps --json's field names and more), the
 * plain table, human units.  Output goes to a FILE (memstream for the web). */
void top_row_json(FILE *f, const struct top_row *r);
void top_sample_json_array(FILE *f, const struct top_sample *smp);
void top_event_json(FILE *f, const struct top_event *e);
enum top_col { COL_NAME, COL_STATE, COL_PID, COL_IP, COL_CPU, COL_MEM, COL_PIDS,
	       COL_NET, COL_IO, COL_UPTIME, COL_EXIT, COL_N };
extern const char *const top_col_names[COL_N];
void top_table_header(FILE *f, size_t width);
void top_table_row(FILE *f, const struct top_row *r, size_t width);
/* Sort rows by column (natural name order for ties); reverse flips it. */
void top_sort(struct top_row *rows, size_t n, enum top_col col, bool reverse);

/* top-tty.c: the interactive view; returns the exit code. */
struct top_opts {
	double delay;               /* -d SECS */
	long iterations;            /* -n N; 0 forever */
	bool json;
	char **names;               /* NAME... filter (exact) */
	size_t n_names;
	bool web;
	char *listen;               /* ADDR:PORT */
	bool listen_given;          /* --listen (any address) vs --web ADDR (loopback only) */
};
bool top_row_selected(const struct top_opts *o, const struct top_row *r);
/* 1 (with one line on stderr) when a NAME given is not in smp. */
int top_check_names(const struct top_opts *o, const struct top_sample *smp);
/* A sampler after its first read (the baseline of CPU% and the rates),
 * every NAME given checked; NULL with *rc the exit code otherwise. */
struct top_sampler *top_sampler_start(const struct top_opts *o, int *rc);
int top_run_tty(const struct top_opts *o);
/* top-web.c: the HTTP server; returns the exit code. */
int top_run_web(const struct top_opts *o);

#endif
