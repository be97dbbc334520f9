/* SPDX-License-Identifier: MIT */
/* Unit tests of cli.c: ctr-enter's command line into struct ctr_config
 * (options on both sides of NAME, COMMAND's own options left alone, values
 * attached or not, the per-option checks, the environment's paths). */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "cgroup-limits.h"
#include "unit.h"

#define MiB (1024LL * 1024)
#define MAX_ARGS 32

static struct ctr_config cfg;

/* cli_parse of "ctr-enter" ARGS (NULL-terminated) into cfg, after freeing
 * the last one. */
static int parse(const char *const *args)
{
	char *argv[MAX_ARGS + 2];
	int argc = 0, r;

	cli_free(&cfg);
	errmsg_clear();
	argv[argc++] = xstrdup("ctr-enter");
	for (; *args && argc <= MAX_ARGS; args++)
		argv[argc++] = xstrdup(*args);
	argv[argc] = NULL;
	r = cli_parse(argc, argv, &cfg);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return r;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The args are refused (-EINVAL) with WHY in the message. */
#define REFUSED(why, ...) do { \
		int r_ = parse(ARGS(__VA_ARGS__)); \
		CHECK(r_ < 0 && errmsg_has(why), "refused with '%s': r=%d, message '%s'", why, r_, ctr_errmsg()); \
	} while (0)

#define ACCEPTED(...) do { \
		int r_ = parse(ARGS(__VA_ARGS__)); \
		CHECK(r_ == 0, "accepted: r=%d, message '%s'", r_, ctr_errmsg()); \
	} while (0)

static bool argv_is(const char *const *want)
{
	size_t i;

	if (!want[0])
		return cfg.argv == NULL;
	if (!cfg.argv)
		return false;
	for (i = 0; want[i]; i++)
		if (!cfg.argv[i] || strcmp(cfg.argv[i], want[i]) != 0)
			return false;
	return cfg.argv[i] == NULL;
}

static bool str_is(const char *got, const char *want)
{
	return got && strcmp(got, want) == 0;
}

static void test_name_and_command(void)
{
	ACCEPTED("c1");
	CHECK(str_is(cfg.name, "c1") && argv_is((const char *[]){ NULL }), "NAME alone: no COMMAND");
	CHECK(str_is(cfg.hostname, "c1"), "the hostname defaults to NAME");
	CHECK(str_is(cfg.rootfs, CTR_DEFAULT_ROOTFS) && str_is(cfg.lib_dir, CTR_DEFAULT_LIB_DIR) &&
	      str_is(cfg.run_dir, CTR_DEFAULT_RUN_DIR) && str_is(cfg.cgroup_parent, CTR_DEFAULT_CGROUP) &&
	      str_is(cfg.netns_dir, CTR_DEFAULT_NETNS), "the default paths");
	CHECK(!cfg.rm && !cfg.read_only && !cfg.init && !cfg.has_user && cfg.n_env == 0 &&
	      cfg.n_volumes == 0 && cfg.start_opt == NULL, "nothing else set");

	ACCEPTED("c1", "ls", "-l", "/");
	CHECK(argv_is((const char *[]){ "ls", "-l", "/", NULL }), "COMMAND keeps its options");
	ACCEPTED("--rm", "c1", "--memory", "50", "--", "ls", "--rm");
	CHECK(cfg.rm && cfg.limits.memory == 50 * MiB && argv_is((const char *[]){ "ls", "--rm", NULL }),
	      "options before and after NAME; after -- all is COMMAND's");
	ACCEPTED("c1", "sh", "--rm");
	CHECK(!cfg.rm && argv_is((const char *[]){ "sh", "--rm", NULL }), "an option after COMMAND is COMMAND's");
	ACCEPTED("--", "c1", "true");
	CHECK(str_is(cfg.name, "c1") && argv_is((const char *[]){ "true", NULL }), "NAME after --");
	ACCEPTED("c1", "--", "-x");
	CHECK(argv_is((const char *[]){ "-x", NULL }), "a COMMAND starting with - after --");
	ACCEPTED("c1", "-");
	CHECK(argv_is((const char *[]){ "-", NULL }), "a lone - is a word, not an option");
	ACCEPTED("c1", "--");
	CHECK(argv_is((const char *[]){ NULL }), "-- and nothing: no COMMAND");

	REFUSED("missing container NAME", "--rm");
	CHECK(parse((const char *const[]){ NULL }) < 0 && errmsg_has("missing container NAME"), "no arguments at all");
	REFUSED("missing container NAME", "--");
	REFUSED("bad container name '.hidden'", ".hidden");
	REFUSED("bad container name '..'", "..");
	REFUSED("bad container name 'a..b'", "a..b");
	REFUSED("bad container name 'a/b'", "a/b");
	REFUSED("bad container name '123456789012345678901234567890123'", "123456789012345678901234567890123");
	REFUSED("bad container name", "--", "-x");
	/* a valid NAME that is no valid hostname needs --hostname */
	REFUSED("container name 'a.' is not a valid hostname: give --hostname", "a.");
	ACCEPTED("a.", "--hostname", "h");
	CHECK(str_is(cfg.hostname, "h"), "--hostname for a NAME that is no hostname");
}

static void test_option_forms(void)
{
	ACCEPTED("--memory=50", "c1");
	CHECK(cfg.limits.memory == 50 * MiB, "--opt=V");
	ACCEPTED("-m50", "c1");
	CHECK(cfg.limits.memory == 50 * MiB, "-oV");
	ACCEPTED("-m", "50", "c1");
	CHECK(cfg.limits.memory == 50 * MiB, "-o V");
	ACCEPTED("c1", "--memory", "1g", "-m", "64");
	CHECK(cfg.limits.memory == 64 * MiB, "the last of a repeated option wins");
	ACCEPTED("--env=A=B=C", "c1");
	CHECK(cfg.n_env == 1 && str_is(cfg.env[0], "A=B=C"), "--env=K=V splits at the first =");
	ACCEPTED("--hostname", "a", "c1", "--hostname=x");
	CHECK(str_is(cfg.hostname, "x"), "the later --hostname wins");

	REFUSED("unknown option '--bogus'", "--bogus", "c1");
	REFUSED("unknown option '--mem'", "--mem", "50", "c1");      /* no abbreviations */
	REFUSED("unknown option '-x'", "-x", "c1");
	ACCEPTED("-hx", "c1");                                        /* -h is --hostname, as in docker */
	CHECK(str_is(cfg.hostname, "x"), "-hVALUE sets the hostname");
	REFUSED("unknown option '-dx'", "-dx", "c1");                 /* flags do not bundle */
	REFUSED("unknown option '-rm'", "-rm", "c1");
	REFUSED("option --rm takes no value", "--rm=1", "c1");
	REFUSED("option --memory needs a value", "c1", "--memory");
	REFUSED("option -m needs a value", "c1", "-m");
	REFUSED("bad hostname ''", "--hostname=", "c1");
}

/* cli_parse of ctr-enter OPT with stdout in BUF (its first line). */
static int printed(const char *opt, char *buf, size_t size)
{
	char *argv[] = { "ctr-enter", (char *)opt, NULL };
	FILE *out = tmpfile();
	int saved, r;

	buf[0] = '\0';
	if (!out)
		return -errno;
	cli_free(&cfg);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(out), STDOUT_FILENO);
	r = cli_parse(2, argv, &cfg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(out);
	if (!fgets(buf, (int)size, out))
		buf[0] = '\0';
	fclose(out);
	return r;
}

static void test_help_and_version(void)
{
	char buf[256];
	int r;

	r = printed("--version", buf, sizeof(buf));
	CHECK(r == 1 && strncmp(buf, "ctr-enter ", 10) == 0 && strcmp(buf + 10, "unknown\n") != 0,
	      "--version: r=%d, printed '%s' (the version from VERSION)", r, buf);
	r = printed("--help", buf, sizeof(buf));
	CHECK(r == 1 && strncmp(buf, "Usage: ctr-enter", 16) == 0, "--help: r=%d, printed '%s'", r, buf);
	r = printed("-h", buf, sizeof(buf));
	CHECK(r == 1 && strncmp(buf, "Usage: ctr-enter", 16) == 0, "-h: r=%d", r);
}

/* Refused values: the message contains why. */
static const struct {
	const char *why;
	const char *args[6];    /* NULL-terminated by the initializer */
} value_refusals[] = {
	{ "expected HOST:CTR[:ro]", { "-v", "/a", "c1" } },
	{ "mode must be ro or rw, not 'rx'", { "-v", "/a:/b:rx", "c1" } },
	{ "mode must be ro or rw, not ''", { "-v", "/a:/b:", "c1" } },
	{ "host path 'a' is not absolute", { "-v", "a:/b", "c1" } },
	{ "host path '' is not absolute", { "-v", ":/b", "c1" } },
	{ "container path 'b' is not absolute", { "-v", "/a:b", "c1" } },
	{ "'..' is not allowed", { "-v", "/a/../etc:/b", "c1" } },
	{ "'..' is not allowed", { "-v", "/a:/b/..", "c1" } },
	{ "'..' is not allowed", { "-v", "/..:/b", "c1" } },
	{ "cannot mount over the container's /", { "-v", "/a:/", "c1" } },
	{ "unsupported character in path", { "-v", "/a:/b,c", "c1" } },
	{ "unsupported character in path", { "-v", "/a\n:/b", "c1" } },
	{ "uid out of range", { "-u", "4294901759", "c1" } },
	{ "gid out of range", { "-u", "0:99999999999", "c1" } },
	{ "bad user '-1'", { "-u", "-1", "c1" } },
	{ "bad user ''", { "-u", "", "c1" } },
	{ "bad user '1000:'", { "-u", "1000:", "c1" } },
	{ "bad user ':1000'", { "-u", ":1000", "c1" } },
	{ "bad user 'a:b:c'", { "-u", "a:b:c", "c1" } },
	{ "bad user 'a b'", { "-u", "a b", "c1" } },
	{ "bad workdir 'tmp'", { "-w", "tmp", "c1" } },
	{ "bad workdir '/a/../b'", { "-w", "/a/../b", "c1" } },
	{ "bad workdir ''", { "-w", "", "c1" } },
	{ "bad --rootfs: empty path", { "--rootfs", "", "c1" } },
	{ "bad rootfs '/a,b'", { "--rootfs", "/a,b", "c1" } },
	{ "bad rootfs '/a:b'", { "--rootfs", "/a:b", "c1" } },
	{ "bad rootfs '/a/../b'", { "--rootfs", "/a/../b", "c1" } },
	{ "rootfs ./no-such-dir-ctr-unit", { "--rootfs", "./no-such-dir-ctr-unit", "c1" } },
	{ "bad hostname 'bad!host'", { "--hostname", "bad!host", "c1" } },
	{ "bad hostname '-x'", { "--hostname", "-x", "c1" } },
	{ "it needs --memory", { "c1", "--memory-swap", "100" } },
	{ "below --memory", { "c1", "--memory", "100", "--memory-swap", "50" } },
	{ "bad --memory value 'x'", { "c1", "--memory", "x" } },
	{ "bad --cpus value '0'", { "c1", "--cpus", "0" } },
	{ "bad --pids-limit value '0'", { "c1", "--pids-limit", "0" } },
	{ "bad --cpu-shares value '1'", { "c1", "--cpu-shares", "1" } },
	{ "bad --cap-add value 'BOGUS': unknown capability", { "c1", "--cap-add", "BOGUS" } },
	{ "bad --cap-drop value 'NET_ADMIN;x'", { "c1", "--cap-drop", "NET_ADMIN;x" } },
	{ "bad --cap-add value ''", { "c1", "--cap-add", "" } },
	{ "bad --seccomp value 'strict'", { "c1", "--seccomp", "strict" } },
	{ "--security-opt", { "c1", "--security-opt", "apparmor=unconfined" } },
	{ "soft limit above hard limit", { "c1", "--ulimit", "nofile=200:100" } },
	{ "unknown limit 'bogus'", { "c1", "--ulimit", "bogus=1" } },
	{ "expected NAME=SOFT[:HARD]", { "c1", "--ulimit", "nofile" } },
	{ "limits are numbers or 'unlimited'", { "c1", "--ulimit", "nofile=" } },
	{ "limits are numbers or 'unlimited'", { "c1", "--ulimit", "nofile=-2" } },
	{ "limits are numbers or 'unlimited'", { "c1", "--ulimit", "nofile=1k" } },
	{ "limits are numbers or 'unlimited'", { "c1", "--ulimit", "nofile=99999999999999999999" } },
};

static void test_values(void)
{
	/* -e */
	setenv("CTR_UNIT_COPY", "copied", 1);
	unsetenv("CTR_UNIT_ABSENT");
	ACCEPTED("-e", "K=V", "-e", "CTR_UNIT_COPY", "-e", "CTR_UNIT_ABSENT", "-e", "E=", "c1");
	CHECK(cfg.n_env == 3 && str_is(cfg.env[0], "K=V") && str_is(cfg.env[1], "CTR_UNIT_COPY=copied") &&
	      str_is(cfg.env[2], "E=") && cfg.env[3] == NULL,
	      "-e K=V, -e K (copied when set, dropped when not), -e K=");
	REFUSED("bad environment variable '=V'", "-e", "=V", "c1");
	REFUSED("bad environment variable ''", "-e", "", "c1");

	/* -v */
	ACCEPTED("-v", "/srv:/data:ro", "-v", "/a:/b", "-v", "/c:/d:rw", "-v", "/x..y:/z..", "c1");
	CHECK(cfg.n_volumes == 4 && str_is(cfg.volumes[0].host, "/srv") && str_is(cfg.volumes[0].target, "/data") &&
	      cfg.volumes[0].readonly && !cfg.volumes[1].readonly && !cfg.volumes[2].readonly &&
	      str_is(cfg.volumes[3].host, "/x..y"), "volumes (.. inside a name is no component)");
	/* -u */
	ACCEPTED("-u", "1000:1001", "c1");
	CHECK(cfg.has_user && cfg.uid == 1000 && cfg.gid == 1001 && str_is(cfg.user_spec, "1000:1001"), "-u UID:GID");
	ACCEPTED("-u", "0", "c1");
	CHECK(cfg.uid == 0 && cfg.gid == (gid_t)-1, "-u 0: root, the group from /etc/passwd");
	ACCEPTED("-u", "nobody", "c1");
	CHECK(cfg.has_user && cfg.uid == (uid_t)-1 && str_is(cfg.user_spec, "nobody"), "-u NAME: resolved later");
	ACCEPTED("-u", "www-data:adm", "c1");
	CHECK(cfg.uid == (uid_t)-1 && cfg.gid == (gid_t)-1, "-u NAME:GROUP");
	ACCEPTED("-u", "007", "c1");
	CHECK(cfg.uid == 7, "-u with leading zeros is decimal");
	ACCEPTED("-u", "4294901758", "c1");
	CHECK(cfg.uid == 4294901758u, "-u: the largest uid");
	/* refused values: -v, -u, -w, --rootfs, --hostname, limits, security */
	for (size_t i = 0; i < ARRAY_SIZE(value_refusals); i++) {
		int r = parse(value_refusals[i].args);

		CHECK(r < 0 && errmsg_has(value_refusals[i].why), "refused with '%s': r=%d, message '%s'",
		      value_refusals[i].why, r, ctr_errmsg());
	}

	/* -w, --rootfs, --hostname */
	ACCEPTED("-w", "/tmp", "c1");
	CHECK(str_is(cfg.workdir, "/tmp"), "-w /tmp");
	ACCEPTED("--rootfs", ".", "c1");
	CHECK(cfg.rootfs && cfg.rootfs[0] == '/', "a relative --rootfs is made absolute: %s", cfg.rootfs);

	/* flags */
	ACCEPTED("--rm", "--read-only", "--init", "c1");
	CHECK(!cfg.rm && cfg.read_only && cfg.init, "--rm with --read-only: nothing to discard");
	ACCEPTED("--stats", "c1", "--json");
	CHECK(cfg.stats && cfg.json, "--stats --json");
	ACCEPTED("--join", "c1");
	CHECK(cfg.join_only && !cfg.cleanup, "--join");
	ACCEPTED("--cleanup", "c1");
	CHECK(cfg.cleanup, "--cleanup");
}

static void test_limits_through_cli(void)
{
	ACCEPTED("c1", "--memory", "100", "--memory-swap", "200", "--cpus", "0.5", "--cpu-shares", "512",
		 "--pids-limit", "64");
	CHECK(cfg.limits.memory == 100 * MiB && cfg.limits.memory_swap == 200 * MiB &&
	      cfg.limits.cpu_quota_us == 50000 && cfg.limits.cpu_shares == 512 && cfg.limits.pids_limit == 64,
	      "every limit");
}

static void test_security_options(void)
{
	ACCEPTED("c1", "--cap-add", "NET_ADMIN,cap_sys_time", "--cap-drop", "CHOWN");
	CHECK(cfg.cap_add == ((1ULL << 12) | (1ULL << 25)) && cfg.cap_drop == 1ULL && !cfg.cap_drop_all,
	      "--cap-add two, --cap-drop one");
	ACCEPTED("c1", "--cap-drop", "ALL");
	CHECK(cfg.cap_drop_all, "--cap-drop ALL");
	ACCEPTED("c1", "--cap-add", "all");
	CHECK(cfg.cap_add == UINT64_MAX, "--cap-add all");
	ACCEPTED("c1", "--privileged");
	CHECK(cfg.privileged, "--privileged");
	ACCEPTED("c1", "--security-opt", "seccomp=unconfined");
	CHECK(cfg.seccomp_unconfined, "--security-opt seccomp=unconfined");
	ACCEPTED("c1", "--security-opt", "seccomp:unconfined", "--seccomp", "default");
	CHECK(!cfg.seccomp_unconfined, "the last seccomp option wins");
	ACCEPTED("c1", "--security-opt", "no-new-privileges");
	ACCEPTED("c1", "--security-opt", "no-new-privileges:true");

	ACCEPTED("c1", "--ulimit", "nofile=100:200", "--ulimit", "core=0", "--ulimit", "NPROC=unlimited");
	CHECK(cfg.n_rlimits == 3 && cfg.rlimits[0].resource == RLIMIT_NOFILE && cfg.rlimits[0].soft == 100 &&
	      cfg.rlimits[0].hard == 200 && cfg.rlimits[1].soft == 0 && cfg.rlimits[1].hard == 0 &&
	      cfg.rlimits[2].resource == RLIMIT_NPROC && cfg.rlimits[2].soft == RLIM_INFINITY,
	      "--ulimit: soft:hard, one value for both, unlimited, names in any case");
	ACCEPTED("c1", "--ulimit", "nofile=10", "--ulimit", "nofile=20:-1");
	CHECK(cfg.n_rlimits == 1 && cfg.rlimits[0].soft == 20 && cfg.rlimits[0].hard == RLIM_INFINITY,
	      "a repeated --ulimit replaces the earlier one");
}

static void test_join_options(void)
{
	ACCEPTED("-e", "K=V", "-w", "/", "-u", "1", "c1", "true");
	CHECK(cfg.start_opt == NULL, "-e, -w and -u also apply to a join");
	ACCEPTED("c1", "--memory", "50", "--rm");
	CHECK(str_is(cfg.start_opt, "--memory"), "the first start-only option is named: %s",
	      cfg.start_opt ? cfg.start_opt : "(none)");
	ACCEPTED("-v", "/a:/b", "c1");
	CHECK(str_is(cfg.start_opt, "--volume"), "-v is start-only, named by its long form");
}

static void test_owner(void)
{
	ACCEPTED("--provision", "c1", "--owner", "alice", "--memory", "64");
	CHECK(cfg.provision && str_is(cfg.owner, "alice") && cfg.limits.memory == 64LL << 20,
	      "--provision NAME --owner USER with limits");
	REFUSED("--owner goes with --provision", "c1", "--owner", "alice");
	REFUSED("bad --owner '../x'", "--provision", "c1", "--owner", "../x");
	REFUSED("bad --owner ''", "--provision", "c1", "--owner", "");
	unsetenv("CTR_USER_CGROUP_PARENT");
	ACCEPTED("c1");
	CHECK(str_is(cfg.user_cgroup_parent, CTR_DEFAULT_USER_CGROUP), "CTR_USER_CGROUP_PARENT defaults to ctr-users");
	setenv("CTR_USER_CGROUP_PARENT", "t/users", 1);
	ACCEPTED("c1");
	CHECK(str_is(cfg.user_cgroup_parent, "t/users"), "CTR_USER_CGROUP_PARENT overrides it");
	unsetenv("CTR_USER_CGROUP_PARENT");
}

static void test_environment_paths(void)
{
	setenv("CTR_ROOTFS", "/srv/img", 1);
	setenv("CTR_LIB_DIR", "/l", 1);
	setenv("CTR_RUN_DIR", "/r", 1);
	setenv("CTR_CGROUP_PARENT", "cgp", 1);
	setenv("CTR_NETNS_DIR", "/n", 1);
	ACCEPTED("c1");
	CHECK(str_is(cfg.rootfs, "/srv/img") && str_is(cfg.lib_dir, "/l") && str_is(cfg.run_dir, "/r") &&
	      str_is(cfg.cgroup_parent, "cgp") && str_is(cfg.netns_dir, "/n"), "CTR_* override the paths");
	ACCEPTED("--rootfs", "/other", "c1");
	CHECK(str_is(cfg.rootfs, "/other"), "--rootfs over CTR_ROOTFS");
	setenv("CTR_RUN_DIR", "", 1);
	ACCEPTED("c1");
	CHECK(str_is(cfg.run_dir, CTR_DEFAULT_RUN_DIR), "an empty CTR_RUN_DIR is the default");
	setenv("CTR_RUN_DIR", "relative", 1);
	REFUSED("bad CTR_RUN_DIR 'relative'", "c1");
	setenv("CTR_RUN_DIR", "/a:b", 1);
	REFUSED("bad CTR_RUN_DIR '/a:b'", "c1");
	setenv("CTR_LIB_DIR", "/a,b", 1);
	unsetenv("CTR_RUN_DIR");
	REFUSED("bad CTR_LIB_DIR '/a,b'", "c1");
	unsetenv("CTR_LIB_DIR");
	setenv("CTR_NETNS_DIR", "/x/../run/netns", 1);
	REFUSED("bad CTR_NETNS_DIR '/x/../run/netns'", "c1");
	unsetenv("CTR_ROOTFS");
	unsetenv("CTR_CGROUP_PARENT");
	unsetenv("CTR_NETNS_DIR");
}

int main(void)
{
	static const char *const vars[] = {
		"CTR_ROOTFS", "CTR_LIB_DIR", "CTR_RUN_DIR", "CTR_CGROUP_PARENT", "CTR_NETNS_DIR",
		"CTR_USER_CGROUP_PARENT",
	};

	for (size_t i = 0; i < ARRAY_SIZE(vars); i++)
		unsetenv(vars[i]);
	test_name_and_command();
	test_option_forms();
	test_help_and_version();
	test_values();
	test_limits_through_cli();
	test_security_options();
	test_join_options();
	test_owner();
	test_environment_paths();
	cli_free(&cfg);
	return unit_end("cli");
}
