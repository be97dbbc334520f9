/* SPDX-License-Identifier: MIT */
/*
 * cli.c: ctr-enter [OPTIONS] NAME [OPTIONS] [--] [COMMAND [ARG...]]
 *
 * Options may stand before or after NAME; the first word after NAME that is
 * not an option (or everything after `--`) is COMMAND, and everything from
 * there on belongs to COMMAND, like `docker run IMAGE CMD...`.  No
 * getopt_long: by default it permutes, taking COMMAND's own options for
 * ours; with '+' it stops at NAME, before the options that follow it; and
 * its '-' mode, which could walk NAME in order, still accepts abbreviations
 * (--mem for --memory) and prints its own messages, where ctr-enter takes
 * exact names only and reports one line (ctr-enter: ...: why).
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "join.h"
#include "cgroup-limits.h"
#include "security.h"
#include "util.h"

/* Passed by the Makefile from the VERSION file (the one place it is written). */
#ifndef CTR_VERSION
#define CTR_VERSION "unknown"
#endif

static void cli_usage(FILE *out)
{
	fputs("Usage: ctr-enter [OPTIONS] NAME [OPTIONS] [--] [COMMAND [ARG...]]\n"
	      "       ctr-enter --stats NAME [--json]\n"
	      "       ctr-enter --provision NAME [--owner USER] [LIMITS] | --unprovision NAME\n"
	      "\n"
	      "Run COMMAND as PID 1 of container NAME: join the network namespace\n"
	      "/run/netns/NAME (made by `netns-setup create NAME IP`), unshare the\n"
	      "mount, PID, UTS, IPC and cgroup namespaces and pivot into an overlay of\n"
	      "the rootfs.  COMMAND defaults to the rootfs's /bin/bash, else /bin/sh.\n"
	      "When NAME is running, COMMAND runs inside it instead (like docker exec:\n"
	      "its namespaces, cgroup and restrictions); only -e, -w and -u apply then.\n"
	      "\n"
	      "Options:\n"
	      "  --rootfs DIR          image to run (default $CTR_ROOTFS or\n"
	      "                        " CTR_DEFAULT_ROOTFS ")\n"
	      "  -h, --hostname H      hostname inside the container (default NAME)\n"
	      "  -e, --env K=V         set an environment variable (K alone: copy it)\n"
	      "  -w, --workdir DIR     working directory inside the container\n"
	      "  -u, --user UID[:GID]  run COMMAND as this user (number or name)\n"
	      "  -v, --volume HOST:CTR[:ro]\n"
	      "                        bind-mount HOST at CTR (read-only with :ro)\n"
	      "  --rm                  discard the container's writable layer at exit\n"
	      "  --read-only           no writable layer: the image is mounted read-only\n"
	      "  --init                run a small init as PID 1 that reaps and forwards\n"
	      "                        signals to COMMAND\n"
	      "  -d, --detach          start in the background: return once COMMAND runs\n"
	      "                        (or with its start error); its output goes to the\n"
	      "                        log (read it with `ctrctl logs NAME`)\n"
	      "  --log-file PATH       the log of -d (default $CTR_LIB_DIR/NAME/log)\n"
	      "  --log-max-size SIZE   rotate the log to PATH.1 at SIZE (k, m, g; a bare\n"
	      "                        number is MiB; default 10m)\n"
	      "  -i, -t, -it, --interactive, --tty\n"
	      "                        accepted for docker's habit, change nothing: the\n"
	      "                        container gets a pty of its own when stdin and\n"
	      "                        stdout are a terminal (a foreground job), else\n"
	      "                        pipes relayed to the caller's stdin/out/err\n"
	      "  --stop-signal SIG     what `ctrctl stop` sends PID 1 first (default TERM;\n"
	      "                        recorded in the state)\n"
	      LIMITS_HELP
	      "  --cap-add CAP[,CAP]   keep capability CAP (or ALL)\n"
	      "  --cap-drop CAP[,CAP]  drop capability CAP (or ALL)\n"
	      "  --privileged          no hardening (all capabilities, no seccomp,\n"
	      "                        no no_new_privs, no masked /proc paths)\n"
	      "  --seccomp unconfined|default\n"
	      "                        no seccomp filter, or the default one\n"
	      "  --security-opt seccomp=unconfined|default\n"
	      "                        the same in docker's spelling (also seccomp:X)\n"
	      "  --security-opt no-new-privileges\n"
	      "                        accepted (also =true, :true) and changes nothing:\n"
	      "                        no_new_privs is always set unless --privileged\n"
	      "  --ulimit NAME=SOFT[:HARD]\n"
	      "                        resource limit (nofile, nproc, core, ...)\n"
	      "  --stats               print NAME's resource usage (with --json: JSON)\n"
	      "  --provision           make NAME's cgroup once, its limits the ceiling of\n"
	      "                        every run (netns-setup create does it); a run\n"
	      "                        then joins it, its limits only tighten it\n"
	      "  --owner USER          with --provision: the cgroup goes under USER's\n"
	      "                        per-user ceiling (CTR_USER_CGROUP_PARENT/USER/NAME)\n"
	      "                        and USER may join it without root\n"
	      "  --unprovision         remove NAME's provisioned cgroup (netns-setup\n"
	      "                        destroy does it)\n"
	      "  --join                only join NAME: fail when it is not running\n"
	      "  --cleanup             remove what a dead NAME left (state, cgroup);\n"
	      "                        exit 0 when NAME is not running, 1 when it is\n"
	      "  --help                show this help and exit (also -h as the only\n"
	      "                        argument; anywhere else -h is --hostname, as in\n"
	      "                        docker run)\n"
	      "  --version             show the version and exit\n"
	      "\n"
	      "Environment: CTR_ROOTFS, CTR_LIB_DIR (default " CTR_DEFAULT_LIB_DIR "),\n"
	      "CTR_RUN_DIR (default " CTR_DEFAULT_RUN_DIR "), CTR_CGROUP_PARENT (default " CTR_DEFAULT_CGROUP "),\n"
	      "CTR_USER_CGROUP_PARENT (default " CTR_DEFAULT_USER_CGROUP "), CTR_NETNS_DIR (default " CTR_DEFAULT_NETNS "),\n"
	      "CTR_NET_STATE_DIR (default /run/ctr-net: an owned container's image view).\n"
	      "\n"
	      "Exit status: COMMAND's; 128+N when it died of signal N; 137 when the OOM\n"
	      "killer ended it; 125 when ctr-enter failed; 126 COMMAND not executable;\n"
	      "127 COMMAND not found.\n", out);
}

static bool parse_int64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* RFC 1123-ish: 1..64 of [A-Za-z0-9_.-], not starting or ending with '-' or '.'. */
bool hostname_is_valid(const char *h)
{
	size_t len = strlen(h);

	if (len < 1 || len > 64)
		return false;
	if (h[0] == '-' || h[0] == '.' || h[len - 1] == '-' || h[len - 1] == '.')
		return false;
	return strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == len;
}

static bool path_has_dotdot(const char *p)
{
	const char *s = p;

	while ((s = strstr(s, "..")) != NULL) {
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return true;
		s += 2;
	}
	return false;
}

static int add_volume(struct ctr_config *cfg, const char *spec)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	char *host = copy, *target, *mode;
	struct ctr_volume *nv;
	bool ro = false;

	target = strchr(copy, ':');
	if (!target)
		return ctr_failx(-EINVAL, "bad volume '%s': expected HOST:CTR[:ro]", spec);
	*target++ = '\0';
	mode = strchr(target, ':');
	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") == 0)
			ro = true;
		else if (strcmp(mode, "rw") != 0)
			return ctr_failx(-EINVAL, "bad volume '%s': mode must be ro or rw, not '%s'", spec, mode);
	}
	if (host[0] != '/')
		return ctr_failx(-EINVAL, "bad volume '%s': host path '%s' is not absolute", spec, host);
	if (target[0] != '/')
		return ctr_failx(-EINVAL, "bad volume '%s': container path '%s' is not absolute", spec, target);
	if (path_has_dotdot(host) || path_has_dotdot(target))
		return ctr_failx(-EINVAL, "bad volume '%s': '..' is not allowed", spec);
	if (strcmp(target, "/") == 0)
		return ctr_failx(-EINVAL, "bad volume '%s': cannot mount over the container's /", spec);
	if (strchr(target, ',') || strchr(host, '\n') || strchr(target, '\n'))
		return ctr_failx(-EINVAL, "bad volume '%s': unsupported character in path", spec);
	nv = cfg->volumes = xreallocarray(cfg->volumes, cfg->n_volumes + 1, sizeof(*nv));
	nv[cfg->n_volumes].host = xstrdup(host);
	nv[cfg->n_volumes].target = xstrdup(target);
	nv[cfg->n_volumes].readonly = ro;
	cfg->n_volumes++;
	return 0;
}

static int add_env(struct ctr_config *cfg, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char **ne;
	char *entry;

	if (eq == kv || !*kv)
		return ctr_failx(-EINVAL, "bad environment variable '%s': expected K=V", kv);
	if (!eq) {
		const char *v = getenv(kv);

		if (!v)
			return 0;   /* docker: -e K copies K when the caller has it */
		entry = xasprintf("%s=%s", kv, v);
	} else {
		entry = xstrdup(kv);
	}
	ne = cfg->env = xreallocarray(cfg->env, cfg->n_env + 2, sizeof(*ne));
	ne[cfg->n_env++] = entry;
	ne[cfg->n_env] = NULL;
	return 0;
}

/* Replace a string setting (the last of a repeated option wins). */
static void set_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static bool valid_user_word(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len <= 32 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == len &&
	       s[0] != '-';
}

/* UID[:GID]: numbers, or names resolved later in the container's /etc/passwd. */
static int parse_user(struct ctr_config *cfg, const char *spec)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	char *g = strchr(copy, ':');
	int64_t v;

	if (g)
		*g++ = '\0';
	if (!valid_user_word(copy) || (g && !valid_user_word(g)))
		return ctr_failx(-EINVAL, "bad user '%s': expected UID[:GID]", spec);
	set_string(&cfg->user_spec, spec);
	cfg->has_user = true;
	cfg->uid = (uid_t)-1;
	cfg->gid = (gid_t)-1;
	if (parse_int64(copy, &v)) {
		if (v < 0 || v > 65535 * 65536LL - 2)
			return ctr_failx(-EINVAL, "bad user '%s': uid out of range", spec);
		cfg->uid = (uid_t)v;
	}
	if (g && parse_int64(g, &v)) {
		if (v < 0 || v > 65535 * 65536LL - 2)
			return ctr_failx(-EINVAL, "bad user '%s': gid out of range", spec);
		cfg->gid = (gid_t)v;
	}
	return 0;
}

enum opt_id {
	O_ROOTFS, O_HOSTNAME, O_ENV, O_WORKDIR, O_USER, O_VOLUME, O_RM, O_READONLY,
	O_INIT, O_MEMORY, O_MEMSWAP, O_CPUS, O_CPUSHARES, O_PIDS, O_CAPADD, O_CAPDROP,
	O_PRIV, O_SECOPT, O_SECCOMP, O_ULIMIT, O_STATS, O_JSON, O_HELP, O_VERSION,
	O_JOIN, O_CLEANUP, O_PROVISION, O_UNPROVISION, O_OWNER, O_DETACH, O_LOGFILE, O_LOGMAX, O_NOOP, O_STOPSIG,
};

static const struct option_def {
	const char *lng;
	char shrt;
	bool arg;
	enum opt_id id;
} options[] = {
	{ "rootfs", 0, true, O_ROOTFS },      { "hostname", 'h', true, O_HOSTNAME },
	{ "env", 'e', true, O_ENV },          { "workdir", 'w', true, O_WORKDIR },
	{ "user", 'u', true, O_USER },        { "volume", 'v', true, O_VOLUME },
	{ "rm", 0, false, O_RM },             { "read-only", 0, false, O_READONLY },
	{ "init", 0, false, O_INIT },         { "memory", 'm', true, O_MEMORY },
	{ "memory-swap", 0, true, O_MEMSWAP }, { "cpus", 0, true, O_CPUS },
	{ "cpu-shares", 0, true, O_CPUSHARES }, { "pids-limit", 0, true, O_PIDS },
	{ "cap-add", 0, true, O_CAPADD },     { "cap-drop", 0, true, O_CAPDROP },
	{ "privileged", 0, false, O_PRIV },   { "security-opt", 0, true, O_SECOPT },
	{ "seccomp", 0, true, O_SECCOMP },
	{ "ulimit", 0, true, O_ULIMIT },      { "stats", 0, false, O_STATS },
	{ "json", 0, false, O_JSON },         { "help", 0, false, O_HELP },
	{ "version", 0, false, O_VERSION },
	{ "join", 0, false, O_JOIN },         { "cleanup", 0, false, O_CLEANUP },
	{ "provision", 0, false, O_PROVISION }, { "unprovision", 0, false, O_UNPROVISION },
	{ "owner", 0, true, O_OWNER },
	{ "detach", 'd', false, O_DETACH },   { "log-file", 0, true, O_LOGFILE },
	{ "log-max-size", 0, true, O_LOGMAX },
	{ "interactive", 'i', false, O_NOOP }, { "tty", 't', false, O_NOOP },
	{ "stop-signal", 0, true, O_STOPSIG },
};

static int set_rootfs(struct ctr_config *cfg, const char *arg)
{
	if (!*arg)
		return ctr_failx(-EINVAL, "bad --rootfs: empty path");
	set_string(&cfg->rootfs, arg);
	return 0;
}

static int set_hostname(struct ctr_config *cfg, const char *arg)
{
	if (!hostname_is_valid(arg))
		return ctr_failx(-EINVAL, "bad hostname '%s': 1 to 64 of [A-Za-z0-9_.-], not starting or ending with '-' or '.'", arg);
	set_string(&cfg->hostname, arg);
	return 0;
}

static int set_workdir(struct ctr_config *cfg, const char *arg)
{
	if (arg[0] != '/' || path_has_dotdot(arg))
		return ctr_failx(-EINVAL, "bad workdir '%s': must be an absolute path without '..'", arg);
	set_string(&cfg->workdir, arg);
	return 0;
}

static int set_log_file(struct ctr_config *cfg, const char *arg)
{
	if (arg[0] != '/')
		return ctr_failx(-EINVAL, "bad --log-file '%s': must be an absolute path", arg);
	set_string(&cfg->log_file, arg);
	return 0;
}

static int set_log_max(struct ctr_config *cfg, const char *arg)
{
	if (limits_parse_size(arg, &cfg->log_max) < 0 || cfg->log_max < 1024)
		return ctr_failx(-EINVAL, "bad --log-max-size '%s': a size of at least 1k (k, m, g)", arg);
	return 0;
}

/* --owner USER: a login name (checked against the user database by
 * --provision, cgroup-owner.c). */
static int set_owner(struct ctr_config *cfg, const char *arg)
{
	if (!name_is_valid(arg))
		return ctr_failx(-EINVAL, "bad --owner '%s': a user name of 1 to 32 of [A-Za-z0-9_.-]", arg);
	set_string(&cfg->owner, arg);
	return 0;
}

/* --stop-signal SIG: a number (1-64) or a name, with or without SIG. */
static int set_stop_signal(struct ctr_config *cfg, const char *arg)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {
		{ "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "WINCH", SIGWINCH },
		{ "PWR", SIGPWR },   { "ALRM", SIGALRM }, { "STOP", SIGSTOP }, { "CONT", SIGCONT },
	};
	const char *n = strncasecmp(arg, "SIG", 3) == 0 ? arg + 3 : arg;
	int64_t v;

	if (parse_int64(arg, &v) && v >= 1 && v <= 64) {
		cfg->stop_signal = (int)v;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		if (strcasecmp(n, sigs[i].name) == 0) {
			cfg->stop_signal = sigs[i].sig;
			return 0;
		}
	}
	return ctr_failx(-EINVAL, "bad --stop-signal '%s': a signal name (TERM, INT, QUIT, ...) or number", arg);
}

/* The setting a flag option turns on; NULL for an option with a value. */
static bool *flag_of(struct ctr_config *cfg, enum opt_id id)
{
	switch (id) {
	case O_RM:       return &cfg->rm;
	case O_READONLY: return &cfg->read_only;
	case O_INIT:     return &cfg->init;
	case O_STATS:    return &cfg->stats;
	case O_JSON:     return &cfg->json;
	case O_JOIN:     return &cfg->join_only;
	case O_CLEANUP:  return &cfg->cleanup;
	case O_PROVISION: return &cfg->provision;
	case O_UNPROVISION: return &cfg->unprovision;
	case O_DETACH:   return &cfg->detach;
	case O_NOOP:     return &cfg->noop;
	default:         return NULL;
	}
}

/* Every option but --help and --version, which cli_parse handles. */
static int apply_option(struct ctr_config *cfg, enum opt_id id, const char *opt, const char *arg)
{
	bool *flag = flag_of(cfg, id);

	if (flag) {
		*flag = true;
		return 0;
	}
	switch (id) {
	case O_ROOTFS:   return set_rootfs(cfg, arg);
	case O_HOSTNAME: return set_hostname(cfg, arg);
	case O_ENV:      return add_env(cfg, arg);
	case O_WORKDIR:  return set_workdir(cfg, arg);
	case O_USER:     return parse_user(cfg, arg);
	case O_STOPSIG:  return set_stop_signal(cfg, arg);
	case O_VOLUME:   return add_volume(cfg, arg);
	case O_LOGFILE:  return set_log_file(cfg, arg);
	case O_LOGMAX:   return set_log_max(cfg, arg);
	case O_OWNER:    return set_owner(cfg, arg);
	case O_MEMORY: case O_MEMSWAP: case O_CPUS: case O_CPUSHARES: case O_PIDS:
		return limits_parse_option(&cfg->limits, opt, arg);
	case O_CAPADD: case O_CAPDROP: case O_PRIV: case O_SECOPT: case O_SECCOMP: case O_ULIMIT:
		return security_parse_option(cfg, opt, arg);
	default:
		return 0;
	}
}

static const struct option_def *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (strlen(options[i].lng) == len && strncmp(options[i].lng, name, len) == 0)
			return &options[i];
	return NULL;
}

static const struct option_def *find_short(char c)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (options[i].shrt == c)
			return &options[i];
	return NULL;
}

static void set_defaults(struct ctr_config *cfg)
{
	const char *e;

	memset(cfg, 0, sizeof(*cfg));
	security_init(cfg);
	cfg->uid = (uid_t)-1;
	cfg->gid = (gid_t)-1;
	limits_init(&cfg->limits);
	e = getenv("CTR_ROOTFS");
	cfg->rootfs = xstrdup(e && *e ? e : CTR_DEFAULT_ROOTFS);
	e = getenv("CTR_LIB_DIR");
	cfg->lib_dir = xstrdup(e && *e ? e : CTR_DEFAULT_LIB_DIR);
	e = getenv("CTR_RUN_DIR");
	cfg->run_dir = xstrdup(e && *e ? e : CTR_DEFAULT_RUN_DIR);
	e = getenv("CTR_CGROUP_PARENT");
	cfg->cgroup_parent = xstrdup(e && *e ? e : CTR_DEFAULT_CGROUP);
	e = getenv("CTR_USER_CGROUP_PARENT");
	cfg->user_cgroup_parent = xstrdup(e && *e ? e : CTR_DEFAULT_USER_CGROUP);
	e = getenv("CTR_NETNS_DIR");
	cfg->netns_dir = xstrdup(e && *e ? e : CTR_DEFAULT_NETNS);
}

static int check_dir_var(const char *what, const char *p)
{
	if (p[0] != '/' || strchr(p, ',') || strchr(p, ':') || path_has_dotdot(p))
		return ctr_failx(-EINVAL, "bad %s '%s': must be an absolute path without ',', ':' or '..'", what, p);
	return 0;
}

/* One option word at argv[*i] (with its value, which may be the next word). */
struct option_word {
	const struct option_def *def;
	const char *arg;        /* NULL for a flag */
	char name[64];          /* as messages name it: "--env", "-e" */
};

/* The value is ATTACHED (--opt=V, -oV) or the next word. */
static int take_value(struct option_word *w, const char *attached, int argc, char **argv, int *i)
{
	if (attached)
		w->arg = attached;
	else if (*i + 1 < argc)
		w->arg = argv[++*i];
	else
		return ctr_failx(-EINVAL, "option %s needs a value", w->name);
	return 0;
}

static int take_long(struct option_word *w, int argc, char **argv, int *i)
{
	const char *a = argv[*i] + 2;
	const char *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);

	w->def = find_long(a, len);
	snprintf(w->name, sizeof(w->name), "--%.*s", (int)(len > 40 ? 40 : len), a);
	if (!w->def)
		return ctr_failx(-EINVAL, "unknown option '%s' (see ctr-enter --help)", w->name);
	if (w->def->arg)
		return take_value(w, eq ? eq + 1 : NULL, argc, argv, i);
	if (eq)
		return ctr_failx(-EINVAL, "option %s takes no value", w->name);
	return 0;
}

/* -oV or -o V; flags do not bundle (-hx is unknown). */
static int take_short(struct option_word *w, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (strcmp(a, "-it") == 0 || strcmp(a, "-ti") == 0)
		a = "-t";   /* docker's spelling; a no-op like -i and -t */
	w->def = find_short(a[1]);
	snprintf(w->name, sizeof(w->name), "-%c", a[1]);
	if (!w->def || (!w->def->arg && a[2]))
		return ctr_failx(-EINVAL, "unknown option '%s' (see ctr-enter --help)", a);
	if (w->def->arg)
		return take_value(w, a[2] ? a + 2 : NULL, argc, argv, i);
	return 0;
}

/* 1 when it was --help or --version (printed). */
static int use_option(struct ctr_config *cfg, const struct option_word *w)
{
	if (w->def->id == O_HELP) {
		cli_usage(stdout);
		return 1;
	}
	if (w->def->id == O_VERSION) {
		printf("ctr-enter %s\n", CTR_VERSION);
		return 1;
	}
	if (!cfg->start_opt && !join_option_allowed(w->def->lng))
		cfg->start_opt = xasprintf("--%s", w->def->lng);
	return apply_option(cfg, w->def->id, w->name, w->arg);
}

static int option_at(struct ctr_config *cfg, int argc, char **argv, int *i)
{
	struct option_word w = { 0 };
	int r = argv[*i][1] == '-' ? take_long(&w, argc, argv, i)
				   : take_short(&w, argc, argv, i);

	return r < 0 ? r : use_option(cfg, &w);
}

static int set_name(struct ctr_config *cfg, const char *name)
{
	if (!name_is_valid(name))
		return ctr_failx(-EINVAL, "bad container name '%s': 1 to 32 of [A-Za-z0-9_.-], not starting with '.' or '-', no '..'", name);
	cfg->name = xstrdup(name);
	return 0;
}

/* Options and NAME, up to COMMAND (*cmd: its index, argc when none);
 * 1 when --help or --version was printed. */
static int parse_options(struct ctr_config *cfg, int argc, char **argv, int *cmd)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] == '-' && a[1] != '\0')
			r = option_at(cfg, argc, argv, &i);
		else if (cfg->name)
			break;   /* COMMAND starts here */
		else
			r = set_name(cfg, a);
		if (r != 0)
			return r;
	}
	*cmd = i;
	return 0;
}

/* After `--` NAME may still come (ctr-enter [OPTS] -- NAME CMD); the rest is COMMAND. */
static int take_command(struct ctr_config *cfg, int argc, char **argv, int i)
{
	int r;

	if (!cfg->name) {
		if (i >= argc)
			return ctr_failx(-EINVAL, "missing container NAME (usage: ctr-enter NAME [OPTIONS] [--] [COMMAND...]; see --help)");
		if ((r = set_name(cfg, argv[i++])) < 0)
			return r;
	}
	if (i < argc) {
		cfg->argv = xcalloc((size_t)(argc - i + 1), sizeof(char *));
		for (int j = 0; i < argc; i++, j++)
			cfg->argv[j] = xstrdup(argv[i]);
	}
	return 0;
}

static int default_hostname(struct ctr_config *cfg)
{
	if (cfg->hostname)
		return 0;
	if (!hostname_is_valid(cfg->name))
		return ctr_failx(-EINVAL, "container name '%s' is not a valid hostname: give --hostname", cfg->name);
	cfg->hostname = xstrdup(cfg->name);
	return 0;
}

/* --rootfs ./dir: the overlay wants an absolute path. */
static int absolute_rootfs(struct ctr_config *cfg)
{
	char *abs;

	if (cfg->rootfs[0] == '/')
		return 0;
	abs = realpath(cfg->rootfs, NULL);
	if (!abs)
		return ctr_fail(-errno, "rootfs %s", cfg->rootfs);
	free(cfg->rootfs);
	cfg->rootfs = abs;
	return 0;
}

static int check_paths(const struct ctr_config *cfg)
{
	int r;

	if ((r = check_dir_var("CTR_LIB_DIR", cfg->lib_dir)) < 0 ||
	    (r = check_dir_var("CTR_RUN_DIR", cfg->run_dir)) < 0 ||
	    (r = check_dir_var("rootfs", cfg->rootfs)) < 0 ||
	    (r = check_dir_var("CTR_NETNS_DIR", cfg->netns_dir)) < 0)
		return r;
	return 0;
}

/* The checks and defaults that need every option. */
static int finish_config(struct ctr_config *cfg)
{
	int r;

	if ((r = default_hostname(cfg)) < 0 || (r = limits_check(&cfg->limits)) < 0)
		return r;
	if (cfg->owner && !cfg->provision)
		return ctr_failx(-EINVAL, "--owner goes with --provision (netns-setup create NAME IP --owner USER)");
	if (cfg->rm && cfg->read_only)
		cfg->rm = false;   /* nothing to discard */
	if ((cfg->log_file || cfg->log_max) && !cfg->detach)
		return ctr_failx(-EINVAL, "--log-file and --log-max-size need -d (--detach)");
	if (cfg->detach && !cfg->log_file)
		cfg->log_file = xasprintf("%s/%s/log", cfg->lib_dir, cfg->name);
	if (!cfg->log_max)
		cfg->log_max = 10 * 1024 * 1024;
	if ((r = absolute_rootfs(cfg)) < 0)
		return r;
	return check_paths(cfg);
}

/* Every argument as given, for CTR_LIB_DIR/NAME/run-args. */
static void keep_args(struct ctr_config *cfg, int argc, char **argv)
{
	cfg->n_args = argc > 1 ? (size_t)(argc - 1) : 0;
	cfg->args = xcalloc(cfg->n_args + 1, sizeof(char *));
	for (size_t i = 0; i < cfg->n_args; i++)
		cfg->args[i] = xstrdup(argv[i + 1]);
}

int cli_parse(int argc, char **argv, struct ctr_config *cfg)
{
	int cmd, r;

	set_defaults(cfg);
	if (argc == 2 && strcmp(argv[1], "-h") == 0) {
		cli_usage(stdout);   /* `ctr-enter -h` alone: help; else -h is --hostname */
		return 1;
	}
	keep_args(cfg, argc, argv);
	if ((r = parse_options(cfg, argc, argv, &cmd)) != 0 ||
	    (r = take_command(cfg, argc, argv, cmd)) < 0)
		return r;
	return finish_config(cfg);
}

void cli_free(struct ctr_config *cfg)
{
	free(cfg->name);
	free(cfg->rootfs);
	free(cfg->hostname);
	free(cfg->lib_dir);
	free(cfg->run_dir);
	free(cfg->cgroup_parent);
	free(cfg->user_cgroup_parent);
	free(cfg->owner);
	free(cfg->netns_dir);
	for (char **p = cfg->argv; p && *p; p++)
		free(*p);
	free(cfg->argv);
	for (size_t i = 0; i < cfg->n_args; i++)
		free(cfg->args[i]);
	free(cfg->args);
	for (size_t i = 0; i < cfg->n_env; i++)
		free(cfg->env[i]);
	free(cfg->env);
	free(cfg->workdir);
	free(cfg->user_spec);
	free(cfg->start_opt);
	free(cfg->log_file);
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		free(cfg->volumes[i].host);
		free(cfg->volumes[i].target);
	}
	free(cfg->volumes);
	free(cfg->rlimits);
	limits_free(&cfg->limits);
	memset(cfg, 0, sizeof(*cfg));
}
