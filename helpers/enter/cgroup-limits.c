/* SPDX-License-Identifier: MIT */
/* cgroup-limits.c: the cgroup limits (--memory, --memory-swap, --cpus,
 * --cpu-shares, --pids-limit): parsing and checks. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-limits.h"
#include "util.h"

#define MiB (1024LL * 1024)

void limits_init(struct ctr_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->memory = LIMITS_UNSET;
	l->memory_swap = LIMITS_UNSET;
	l->cpu_quota_us = LIMITS_UNSET;
	l->cpu_period_us = LIMITS_UNSET;
	l->cpu_shares = LIMITS_UNSET;
	l->pids_limit = LIMITS_UNSET;
}

void limits_free(struct ctr_limits *l)
{
	free(l->cpus_arg);
	free(l->memory_arg);
	l->cpus_arg = l->memory_arg = NULL;
}

/* The option's text as given, for the messages that name it; 0. */
static int keep_arg(char **arg, const char *val)
{
	free(*arg);
	*arg = xstrdup(val);
	return 0;
}

/* Leading decimal digits of *s into *v, advancing *s; -EINVAL without
 * digits, -ERANGE above INT64_MAX. */
static int parse_digits(const char **s, int64_t *v)
{
	const char *p = *s;
	int64_t n = 0;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, *p - '0', &n))
			return -ERANGE;
	}
	*s = p;
	*v = n;
	return 0;
}

/* A whole number with nothing after it. */
static int parse_int(const char *s, int64_t *v)
{
	int r = parse_digits(&s, v);

	if (r < 0)
		return r;
	return *s ? -EINVAL : 0;
}

int limits_parse_size(const char *s, int64_t *bytes)
{
	int64_t n, mult;
	int r = parse_digits(&s, &n);

	if (r < 0)
		return r;
	switch (tolower((unsigned char)*s)) {
	case '\0': mult = MiB; break;
	case 'b': mult = 1; break;
	case 'k': mult = 1024; break;
	case 'm': mult = MiB; break;
	case 'g': mult = 1024 * MiB; break;
	default: return -EINVAL;
	}
	if (*s) {
		s++;
		if (mult != 1 && tolower((unsigned char)*s) == 'i')   /* MiB */
			s++;
		if (mult != 1 && tolower((unsigned char)*s) == 'b')
			s++;
		if (*s)
			return -EINVAL;
	}
	if (__builtin_mul_overflow(n, mult, bytes))
		return -ERANGE;
	return 0;
}

void limits_format_size(int64_t bytes, char *buf, size_t size)
{
	static const struct { int64_t unit; const char *name; } units[] = {
		{ 1024 * MiB, "GiB" }, { MiB, "MiB" }, { 1024, "KiB" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (bytes >= units[i].unit && bytes % units[i].unit == 0) {
			snprintf(buf, size, "%lld %s", (long long)(bytes / units[i].unit), units[i].name);
			return;
		}
	}
	snprintf(buf, size, "%lld bytes", (long long)bytes);
}

static int bad(const char *opt, const char *val, const char *why)
{
	return ctr_failx(-EINVAL, "bad --%s value '%s': %s", opt, val, why);
}

static int parse_memory(struct ctr_limits *l, const char *val)
{
	int64_t v;
	int r = limits_parse_size(val, &v);

	if (r == -ERANGE)
		return bad("memory", val, "larger than the kernel's maximum (2^63-1 bytes)");
	if (r < 0 && val[0] == '-')
		return bad("memory", val, "must be a positive size");
	if (r < 0)
		return bad("memory", val, "expected a whole number of MiB (50) or a size with a unit (100k, 512m, 1g)");
	if (v == 0)
		return bad("memory", val, "must be more than 0 (the minimum is 6 MiB)");
	if (v < LIMITS_MEMORY_MIN)
		return bad("memory", val, "the minimum is 6 MiB");
	l->memory = v;
	return keep_arg(&l->memory_arg, val);
}

static int parse_memory_swap(struct ctr_limits *l, const char *val)
{
	int64_t v;
	int r;

	if (strcmp(val, "-1") == 0) {
		l->memory_swap = LIMITS_UNLIMITED;
		return 0;
	}
	r = limits_parse_size(val, &v);
	if (r == -ERANGE)
		return bad("memory-swap", val, "larger than the kernel's maximum (2^63-1 bytes)");
	if (r < 0)
		return bad("memory-swap", val, "expected -1 (unlimited) or a size like 100 (MiB), 512m, 1g");
	if (v < LIMITS_MEMORY_MIN)
		return bad("memory-swap", val, "the minimum is 6 MiB");
	l->memory_swap = v;
	return 0;
}

/* "0.5" -> 50000 (microseconds per 100 ms period); decimal digits only. */
static int parse_cpus(struct ctr_limits *l, const char *val)
{
	const char *s = val;
	int64_t whole = 0, frac = 0, scale = LIMITS_CPU_PERIOD, quota;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool digits = false;
	int r;

	if (isdigit((unsigned char)*s)) {
		r = parse_digits(&s, &whole);
		if (r < 0)
			return bad("cpus", val, "more than the online CPUs");
		digits = true;
	}
	if (*s == '.') {
		s++;
		for (; isdigit((unsigned char)*s); s++, digits = true) {
			scale /= 10;   /* digits beyond 1 us are ignored */
			frac += (*s - '0') * scale;
		}
	}
	if (!digits || *s)
		return bad("cpus", val, "expected a positive decimal number of CPUs like 0.5 or 2");
	if (__builtin_mul_overflow(whole, LIMITS_CPU_PERIOD, &quota) ||
	    __builtin_add_overflow(quota, frac, &quota))
		return bad("cpus", val, "more than the online CPUs");
	if (quota == 0)
		return bad("cpus", val, "must be more than 0");
	if (quota < LIMITS_CPU_QUOTA_MIN)
		return bad("cpus", val, "the minimum is 0.01");
	if (ncpu > 0 && quota > ncpu * LIMITS_CPU_PERIOD)
		return ctr_failx(-EINVAL, "bad --cpus value '%s': more than the %ld online CPUs", val, ncpu);
	l->cpu_quota_us = quota;
	l->cpu_period_us = LIMITS_CPU_PERIOD;
	return keep_arg(&l->cpus_arg, val);
}

static int parse_cpu_shares(struct ctr_limits *l, const char *val)
{
	int64_t v;

	if (parse_int(val, &v) < 0 || v < LIMITS_SHARES_MIN || v > LIMITS_SHARES_MAX)
		return bad("cpu-shares", val, "expected a whole number from 2 to 262144");
	l->cpu_shares = v;
	return 0;
}

static int parse_pids_limit(struct ctr_limits *l, const char *val)
{
	int64_t v;

	if (parse_int(val, &v) < 0 || v < 1 || v > LIMITS_PIDS_MAX)
		return bad("pids-limit", val, "expected a whole number from 1 to 4194304");
	l->pids_limit = v;
	return 0;
}

int limits_parse_option(struct ctr_limits *l, const char *opt, const char *val)
{
	static const struct {
		const char *name;
		int (*parse)(struct ctr_limits *, const char *);
	} opts[] = {
		{ "memory", parse_memory },         { "m", parse_memory },
		{ "memory-swap", parse_memory_swap }, { "cpus", parse_cpus },
		{ "cpu-shares", parse_cpu_shares }, { "pids-limit", parse_pids_limit },
	};

	while (*opt == '-')
		opt++;
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		if (strcmp(opt, opts[i].name) != 0)
			continue;
		if (!val)
			return ctr_failx(-EINVAL, "--%s needs a value", opts[i].name);
		return opts[i].parse(l, val);
	}
	return -ENOENT;
}

int limits_check(const struct ctr_limits *l)
{
	if (l->memory_swap != LIMITS_UNSET && l->memory == LIMITS_UNSET)
		return ctr_failx(-EINVAL, "bad --memory-swap: it needs --memory (it is the total of memory and swap)");
	if (l->memory_swap >= 0 && l->memory_swap < l->memory) {
		char m[32], s[32];

		limits_format_size(l->memory, m, sizeof(m));
		limits_format_size(l->memory_swap, s, sizeof(s));
		return ctr_failx(-EINVAL, "bad --memory-swap value %s: below --memory %s (it is the total of memory and swap)", s, m);
	}
	return 0;
}

bool limits_any(const struct ctr_limits *l)
{
	return l->memory != LIMITS_UNSET || l->memory_swap != LIMITS_UNSET ||
	       l->cpu_quota_us != LIMITS_UNSET || l->cpu_shares != LIMITS_UNSET ||
	       l->pids_limit != LIMITS_UNSET;
}

/* Memory plus swap a limits set allows; INT64_MAX for no limit. */
static int64_t memsw_of(const struct ctr_limits *l)
{
	if (l->memory == LIMITS_UNSET || l->memory_swap == LIMITS_UNLIMITED)
		return INT64_MAX;
	return l->memory_swap == LIMITS_UNSET ? l->memory : l->memory_swap;
}

static int above(const char *opt, const char *asked, const char *ceiling)
{
	return ctr_failx(-EPERM, "%s %s: above the provisioned ceiling %s (netns-setup create ... %s)",
			 opt, asked, ceiling, opt);
}

int limits_within(const struct ctr_limits *run, const struct ctr_limits *ceil)
{
	char a[32], c[32];

	if (ceil->memory >= 0 && run->memory > ceil->memory) {
		limits_format_size(run->memory, a, sizeof(a));
		limits_format_size(ceil->memory, c, sizeof(c));
		return above("--memory", a, c);
	}
	if (run->memory != LIMITS_UNSET && memsw_of(run) > memsw_of(ceil)) {
		if (memsw_of(run) == INT64_MAX)
			snprintf(a, sizeof(a), "-1 (unlimited)");
		else
			limits_format_size(memsw_of(run), a, sizeof(a));
		limits_format_size(memsw_of(ceil), c, sizeof(c));
		return above("--memory-swap", a, c);
	}
	if (ceil->cpu_quota_us > 0 && run->cpu_quota_us > 0 &&
	    run->cpu_quota_us * ceil->cpu_period_us > ceil->cpu_quota_us * run->cpu_period_us) {
		snprintf(a, sizeof(a), "%s", run->cpus_arg ? run->cpus_arg : "?");
		snprintf(c, sizeof(c), "%.2f", (double)ceil->cpu_quota_us / (double)ceil->cpu_period_us);
		return above("--cpus", a, c);
	}
	if (ceil->cpu_shares > 0 && run->cpu_shares > ceil->cpu_shares) {
		snprintf(a, sizeof(a), "%lld", (long long)run->cpu_shares);
		snprintf(c, sizeof(c), "%lld", (long long)ceil->cpu_shares);
		return above("--cpu-shares", a, c);
	}
	if (ceil->pids_limit > 0 && run->pids_limit > ceil->pids_limit) {
		snprintf(a, sizeof(a), "%lld", (long long)run->pids_limit);
		snprintf(c, sizeof(c), "%lld", (long long)ceil->pids_limit);
		return above("--pids-limit", a, c);
	}
	return 0;
}

const struct limits_key limits_keys[] = {
	{ "memory", offsetof(struct ctr_limits, memory) },
	{ "memory_swap", offsetof(struct ctr_limits, memory_swap) },
	{ "cpu_quota_us", offsetof(struct ctr_limits, cpu_quota_us) },
	{ "cpu_period_us", offsetof(struct ctr_limits, cpu_period_us) },
	{ "cpu_shares", offsetof(struct ctr_limits, cpu_shares) },
	{ "pids_limit", offsetof(struct ctr_limits, pids_limit) },
};
const size_t limits_keys_n = ARRAY_SIZE(limits_keys);

void limits_format_record(const struct ctr_limits *l, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(limits_keys) && len < size; i++) {
		const int64_t *v = (const int64_t *)(const void *)((const char *)l + limits_keys[i].off);
		int n = snprintf(buf + len, size - len, "%s=%lld\n", limits_keys[i].key, (long long)*v);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

int limits_parse_record(const char *text, struct ctr_limits *l)
{
	limits_init(l);
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		for (size_t i = 0; i < ARRAY_SIZE(limits_keys); i++) {
			size_t klen = strlen(limits_keys[i].key);
			int64_t *v = (int64_t *)(void *)((char *)l + limits_keys[i].off);
			char *end;
			long long n;

			if (strncmp(line, limits_keys[i].key, klen) != 0 || line[klen] != '=')
				continue;
			errno = 0;
			n = strtoll(line + klen + 1, &end, 10);
			if (errno || (*end && *end != '\n') || n < LIMITS_UNLIMITED)
				return -EINVAL;
			*v = n;
		}
	}
	return 0;
}
