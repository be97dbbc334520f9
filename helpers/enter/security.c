/* SPDX-License-Identifier: MIT */
/*
 * security.c: the security options and the three steps the container
 * child runs (see security.h for the order).  Capabilities are in caps.c,
 * the seccomp filter in seccomp.c, masked paths in masks.c.
 */
#include <inttypes.h>
#include <linux/capability.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "security-int.h"
#include "security.h"
#include "util.h"

void security_init(struct ctr_config *cfg)
{
	cfg->privileged = false;
	cfg->seccomp_unconfined = false;
	cfg->cap_add = 0;
	cfg->cap_drop = 0;
	cfg->cap_drop_all = false;
}

/* The capability set the container's root keeps (bit N = capability N):
 * docker's default, plus --cap-add, minus --cap-drop; all with --privileged. */
static uint64_t security_container_caps(const struct ctr_config *cfg)
{
	int last = caps_last();
	uint64_t all = last >= 63 ? UINT64_MAX : (CAP_BIT(last + 1) - 1);
	uint64_t base = cfg->cap_drop_all ? 0 : caps_default();

	if (cfg->privileged)
		return all;
	return (base | cfg->cap_add) & ~cfg->cap_drop & all;
}

/* --- options --------------------------------------------------------- */

/* "NET_ADMIN,cap_sys_time" or "ALL" into a bit set. */
static int parse_cap_list(const char *opt, const char *val, uint64_t *set, bool *all)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (!val || !*val)
		return ctr_failx(-EINVAL, "bad %s value '': expected a capability name", opt);
	copy = xstrdup(val);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int c = caps_from_name(tok);

		if (c < 0)
			return ctr_failx(-EINVAL, "bad %s value '%s': unknown capability", opt, tok);
		if (c == 64)
			*all = true;
		else
			*set |= CAP_BIT(c);
	}
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "as", RLIMIT_AS }, { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE }, { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE }, { "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS }, { "rtprio", RLIMIT_RTPRIO }, { "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
};

static const char *rlimit_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return "?";
}

/* A number, "unlimited" or -1. */
static bool parse_limit_value(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (strcasecmp(s, "unlimited") == 0 || strcmp(s, "-1") == 0) {
		*out = RLIM_INFINITY;
		return true;
	}
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v >= RLIM_INFINITY)
		return false;
	*out = v;
	return true;
}

/* NAME=SOFT[:HARD] (docker's --ulimit). */
static int parse_ulimit(struct ctr_config *cfg, const char *val)
{
	_cleanup_free_ char *copy = NULL;
	char *eq, *colon;
	uint64_t soft, hard;
	int resource = -1;
	struct ctr_rlimit *nl;

	if (!val)
		val = "";
	copy = xstrdup(val);
	eq = strchr(copy, '=');
	if (!eq)
		return ctr_failx(-EINVAL, "bad --ulimit value '%s': expected NAME=SOFT[:HARD]", val);
	*eq = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (strcasecmp(copy, rlimit_names[i].name) == 0)
			resource = rlimit_names[i].resource;
	if (resource < 0)
		return ctr_failx(-EINVAL, "bad --ulimit value '%s': unknown limit '%s'", val, copy);
	colon = strchr(eq + 1, ':');
	if (colon)
		*colon = '\0';
	if (!parse_limit_value(eq + 1, &soft) || (colon && !parse_limit_value(colon + 1, &hard)))
		return ctr_failx(-EINVAL, "bad --ulimit value '%s': limits are numbers or 'unlimited'", val);
	if (!colon)
		hard = soft;
	if (soft > hard)
		return ctr_failx(-EINVAL, "bad --ulimit value '%s': soft limit above hard limit", val);

	for (size_t i = 0; i < cfg->n_rlimits; i++) {
		if (cfg->rlimits[i].resource == resource) {
			cfg->rlimits[i].soft = soft;
			cfg->rlimits[i].hard = hard;
			return 0;
		}
	}
	nl = cfg->rlimits = xreallocarray(cfg->rlimits, cfg->n_rlimits + 1, sizeof(*nl));
	nl[cfg->n_rlimits++] = (struct ctr_rlimit){ resource, soft, hard };
	return 0;
}

static int parse_seccomp(struct ctr_config *cfg, const char *opt, const char *val)
{
	if (val && strcmp(val, "unconfined") == 0)
		cfg->seccomp_unconfined = true;
	else if (val && strcmp(val, "default") == 0)
		cfg->seccomp_unconfined = false;
	else
		return ctr_failx(-EINVAL, "bad %s value '%s': expected 'unconfined' or 'default'",
				 opt, val ? val : "");
	return 0;
}

static const char *strip_dashes(const char *opt)
{
	while (*opt == '-')
		opt++;
	return opt;
}

int security_parse_option(struct ctr_config *cfg, const char *opt, const char *val)
{
	const char *o = strip_dashes(opt);

	if (strcmp(o, "privileged") == 0) {
		cfg->privileged = true;
		return 0;
	}
	if (strcmp(o, "cap-add") == 0 || strcmp(o, "cap-drop") == 0) {
		bool add = strcmp(o, "cap-add") == 0, all = false;
		int r = parse_cap_list(add ? "--cap-add" : "--cap-drop", val,
				       add ? &cfg->cap_add : &cfg->cap_drop, &all);

		if (all && add)
			cfg->cap_add = UINT64_MAX;   /* --cap-add ALL: every capability */
		else if (all)
			cfg->cap_drop_all = true;    /* --cap-drop ALL: none of the defaults */
		return r;
	}
	if (strcmp(o, "seccomp") == 0)
		return parse_seccomp(cfg, "--seccomp", val);
	if (strcmp(o, "security-opt") == 0) {
		/* docker's spellings: seccomp=X (seccomp:X is the old one) */
		if (val && (strncmp(val, "seccomp=", 8) == 0 || strncmp(val, "seccomp:", 8) == 0))
			return parse_seccomp(cfg, "--security-opt seccomp", val + 8);
		/* always on here; accepted so that docker command lines work */
		if (val && (strcmp(val, "no-new-privileges") == 0 ||
			    strcmp(val, "no-new-privileges=true") == 0 ||
			    strcmp(val, "no-new-privileges:true") == 0))
			return 0;
		return ctr_failx(-EINVAL, "bad --security-opt value '%s': known are seccomp=unconfined|default and no-new-privileges",
				 val ? val : "");
	}
	if (strcmp(o, "ulimit") == 0)
		return parse_ulimit(cfg, val);
	return -ENOENT;
}

/* --- the steps in the child ----------------------------------------- */

int security_mask_paths(const struct ctr_config *cfg)
{
	if (cfg->privileged)
		return 0;
	return masks_apply();
}

/* Docker's nofile default, bounded by what the caller may hold. */
#define NOFILE_SOFT 1024
#define NOFILE_HARD 524288

static int set_one_rlimit(int resource, uint64_t soft, uint64_t hard)
{
	struct rlimit rl = { .rlim_cur = soft, .rlim_max = hard };

	if (setrlimit(resource, &rl) < 0) {
		char s[24] = "unlimited", h[24] = "unlimited";

		if (soft != RLIM_INFINITY)
			snprintf(s, sizeof(s), "%" PRIu64, soft);
		if (hard != RLIM_INFINITY)
			snprintf(h, sizeof(h), "%" PRIu64, hard);
		return ctr_fail(-errno, "set ulimit %s=%s:%s", rlimit_name(resource), s, h);
	}
	return 0;
}

int security_set_rlimits(const struct ctr_config *cfg)
{
	bool nofile_set = false;
	int r;

	for (size_t i = 0; i < cfg->n_rlimits; i++) {
		r = set_one_rlimit(cfg->rlimits[i].resource, cfg->rlimits[i].soft, cfg->rlimits[i].hard);
		if (r < 0)
			return r;
		if (cfg->rlimits[i].resource == RLIMIT_NOFILE)
			nofile_set = true;
	}
	if (!nofile_set) {
		struct rlimit cur;
		uint64_t hard = NOFILE_HARD, soft = NOFILE_SOFT;

		if (getrlimit(RLIMIT_NOFILE, &cur) < 0)
			return ctr_fail(-errno, "read ulimit nofile");
		if (cur.rlim_max < hard)
			hard = cur.rlim_max;
		if (soft > hard)
			soft = hard;
		r = set_one_rlimit(RLIMIT_NOFILE, soft, hard);
		if (r < 0)
			return r;
	}

	/* setuid to a non-root uid empties the permitted set unless
	 * KEEPCAPS is armed; security_apply() still needs CAP_SETPCAP to
	 * trim the bounding set, and clears the flag again. */
	if (!cfg->privileged && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return ctr_fail(-errno, "set PR_SET_KEEPCAPS");
	return 0;
}

int security_narrow_caps(const struct ctr_config *cfg)
{
	if (cfg->privileged)
		return 0;
	return caps_narrow(security_container_caps(cfg) | CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID) |
			   CAP_BIT(CAP_SETPCAP));
}

int security_apply(const struct ctr_config *cfg)
{
	uint64_t caps = security_container_caps(cfg);
	int r;

	if (cfg->privileged) {
		/* everything kept; a non-root uid lost its capabilities at setuid */
		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
			return ctr_fail(-errno, "clear PR_SET_KEEPCAPS");
		return 0;
	}
	r = caps_apply(caps);
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ctr_fail(-errno, "set no_new_privs");
	if (cfg->seccomp_unconfined)
		return 0;
	return secfilter_load(caps);
}
