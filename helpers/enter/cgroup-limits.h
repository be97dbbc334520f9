/* SPDX-License-Identifier: MIT */
/*
 * cgroup-limits.h: parsing and checking of the cgroup limit options
 * (--memory, --memory-swap, --cpus, --cpu-shares, --pids-limit) into
 * struct ctr_limits (config.h).  The cgroup module writes them.  (The
 * rlimits of --ulimit are another thing: security.c.)
 *
 * Sentinels in struct ctr_limits:
 *   every field          -1             unset (the kernel's default applies)
 *   memory_swap          LIMITS_UNLIMITED (-2)  `--memory-swap -1`: swap unlimited
 */
#ifndef CTR_CGROUP_LIMITS_H
#define CTR_CGROUP_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define LIMITS_UNSET      (-1)
#define LIMITS_UNLIMITED  (-2)

#define LIMITS_MEMORY_MIN  (6LL * 1024 * 1024)   /* as docker: below this nothing starts */
#define LIMITS_CPU_PERIOD  100000                /* microseconds */
#define LIMITS_CPU_QUOTA_MIN 1000                /* the kernel refuses less than 1 ms */
#define LIMITS_SHARES_MIN  2
#define LIMITS_SHARES_MAX  262144
#define LIMITS_PIDS_MAX    4194304               /* PID_MAX_LIMIT */

/* Help text for the options, to paste into --help (one option a line). */
#define LIMITS_HELP \
	"  -m, --memory SIZE     memory limit: a plain number is MiB (50 = 50 MiB),\n" \
	"                        or give a unit: 512m, 1G, 8192kb; at least 6 MiB.\n" \
	"                        Without --memory-swap the container gets no swap\n" \
	"  --memory-swap SIZE    memory + swap (docker's meaning), >= --memory;\n" \
	"                        -1: unlimited swap.  Needs --memory\n" \
	"  --cpus N              CPU time in CPUs (0.5 = half of one CPU), at least\n" \
	"                        0.01 and at most the number of online CPUs\n" \
	"  --cpu-shares N        relative CPU weight, 2..262144 (default 1024)\n" \
	"  --pids-limit N        maximum number of processes and threads, 1..4194304\n"

/* Everything unset. */
void limits_init(struct ctr_limits *l);
/* Free the strings limits_parse_option() stored. */
void limits_free(struct ctr_limits *l);

/*
 * Parse one option.  opt is its name with or without leading dashes
 * ("memory", "--memory", "-m", "cpus", ...), val its argument.
 * Returns 0; -ENOENT (nothing recorded) when opt is not a limits option;
 * another negative errno with a one-line reason recorded
 * ("bad --memory value 'abc': expected ...").  A later option replaces an
 * earlier one.
 */
int limits_parse_option(struct ctr_limits *l, const char *opt, const char *val);

/* The checks between options (--memory-swap needs --memory and is not
 * below it).  Call once after all options; 0 / -EINVAL recorded. */
int limits_check(const struct ctr_limits *l);

/*
 * Sizes: a plain number is MiB; a unit k, m or g (any case, optional
 * trailing b or ib: 1g, 1GB, 1GiB) or b alone.  Whole numbers only.  0 / -EINVAL (not a size),
 * -ERANGE (above 2^63-1 bytes); nothing recorded.
 */
int limits_parse_size(const char *s, int64_t *bytes);

/* "50 MiB", "1 GiB", "100 KiB", "52428801 bytes". */
void limits_format_size(int64_t bytes, char *buf, size_t size);

/* True when any limit is set. */
bool limits_any(const struct ctr_limits *l);
/* A run's limits may only tighten the provisioned ceiling (netns-setup
 * create --memory ...): 0, or -EPERM with "--memory 100 MiB: above the
 * provisioned ceiling 50 MiB (...)" recorded.  Unset values inherit. */
int limits_within(const struct ctr_limits *run, const struct ctr_limits *ceiling);
/* The numbers of struct ctr_limits by their key in key=value files (the
 * state file, the ceiling's record): memory, memory_swap, cpu_quota_us,
 * cpu_period_us, cpu_shares, pids_limit. */
struct limits_key {
	const char *key;
	size_t off;   /* of an int64_t in struct ctr_limits */
};
extern const struct limits_key limits_keys[];
extern const size_t limits_keys_n;

/* The ceiling's record (CTR_RUN_DIR/NAME.cgroup): "memory=N\n..." with -1
 * for unset; the parser ignores unknown keys, -EINVAL on a bad number. */
void limits_format_record(const struct ctr_limits *l, char *buf, size_t size);
int limits_parse_record(const char *text, struct ctr_limits *l);

#endif
