/* SPDX-License-Identifier: MIT */
/*
 * config.h: what the command line asked for.  cli.c fills it; join.c then
 * replaces the restrictions, hostname, user and cgroup parent with those of
 * the running container it joins (adopt_state), and main.c records whether
 * --rm keeps an existing layer (rm_top); every other module only reads it.
 * Unset numbers are -1 (or 0 where 0 is not valid).
 */
#ifndef CTR_CONFIG_H
#define CTR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ctr_volume {
	char *host;       /* absolute path on the host */
	char *target;     /* absolute path inside the container */
	bool readonly;
};

struct ctr_rlimit {
	int resource;     /* RLIMIT_* */
	uint64_t soft, hard;
};

struct ctr_limits {
	int64_t memory;        /* bytes, -1 unset */
	int64_t memory_swap;   /* bytes (memory + swap, docker's meaning), -1 unset, -2 unlimited */
	int64_t cpu_quota_us;  /* from --cpus, -1 unset */
	int64_t cpu_period_us; /* 100000 when --cpus is set */
	int64_t cpu_shares;    /* -1 unset */
	int64_t pids_limit;    /* -1 unset */
	char *cpus_arg;        /* the text the user gave, for messages */
	char *memory_arg;
};

struct ctr_config {
	char *name;            /* container name (== netns name) */
	char *rootfs;          /* image directory (lower layer) */
	char *hostname;
	char *lib_dir;         /* CTR_LIB_DIR, default /var/lib/ctr/containers */
	char *run_dir;         /* CTR_RUN_DIR, default /run/ctr */
	char *cgroup_parent;   /* CTR_CGROUP_PARENT, default "ctr" */
	char *user_cgroup_parent; /* CTR_USER_CGROUP_PARENT, default "ctr-users":
				   * where owned containers' cgroups live, under
				   * their owner's ceiling (PARENT/USER/NAME) */
	char *netns_dir;       /* /run/netns (CTR_NETNS_DIR for tests of the tool itself) */

	char **argv;           /* COMMAND; NULL means the rootfs's bash, else sh */
	char **args;           /* every argument as given (argv[1..]), recorded in
				* CTR_LIB_DIR/NAME/run-args for `ctrctl start` */
	size_t n_args;
	char **env;            /* -e K=V entries, NULL-terminated */
	size_t n_env;
	char *workdir;         /* -w */
	uid_t uid;             /* -u; (uid_t)-1 until resolved */
	gid_t gid;             /* (gid_t)-1: the user's group from /etc/passwd */
	bool has_user;
	char *user_spec;       /* -u text as given (names resolved in the container) */

	struct ctr_volume *volumes;
	size_t n_volumes;

	bool rm;
	bool rm_top;           /* --rm over an existing layer: the run writes to a
				* throwaway layer on top of it, which goes at exit
				* (decided at start, under the lock: main.c) */
	bool read_only;
	bool init;             /* --init: a reaping init as PID 1 */
	bool noop;             /* -i, -t: accepted, change nothing */
	bool detach;           /* -d: return once COMMAND runs; output to the log */
	char *log_file;        /* -d: the log (default CTR_LIB_DIR/NAME/log) */
	int64_t log_max;       /* --log-max-size: bytes before it is rotated */
	int stop_signal;       /* --stop-signal: what `ctrctl stop` sends PID 1
				* first (recorded in the state; 0: SIGTERM) */

	struct ctr_limits limits;

	/* security (security.c) */
	bool privileged;
	bool seccomp_unconfined;
	uint64_t cap_add;      /* bit N = capability N */
	uint64_t cap_drop;
	bool cap_drop_all;
	struct ctr_rlimit *rlimits;
	size_t n_rlimits;

	/* lifecycle (join.c): --join fails unless NAME runs; --cleanup removes
	 * what a dead NAME left; start_opt is the first option given that
	 * only a start can apply ("--memory"), refused when joining */
	bool join_only;
	bool cleanup;
	bool provision;        /* --provision NAME [limits] (cgroup.c) */
	bool unprovision;
	char *owner;           /* --provision NAME --owner USER: the container's
				* cgroup under USER's per-user ceiling, joinable
				* by USER (cgroup-owner.c) */
	char *start_opt;

	/* a container owned by a user (netns-setup create --owner): its netns
	 * belongs to a user namespace that is not ours (ns_probe_owner).
	 * run_dir and lib_dir are then the owner's (RUN/.user/UID), rootfs the
	 * idmapped view of the image netns-setup made */
	bool owned;
	uid_t owner_uid;
	/* NAME's netns belongs to a user namespace of its own: owned, or
	 * root's (netns-setup create --userns: owner_uid 0, started by root).
	 * PID 1 and every joiner become that namespace's root, host uid
	 * userns_root (the first id of its range, for the layer's owner) */
	bool userns;
	uid_t userns_root;

	/* --stats NAME [--json] (cgroup.c reader) */
	bool stats;
	bool json;
};

#endif
