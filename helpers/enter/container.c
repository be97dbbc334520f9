/* SPDX-License-Identifier: MIT */
/*
 * container.c: what runs in the child between fork and exec.
 *
 *   PDEATHSIG; setsid and the stdio pipes; unshare mnt/uts/ipc; mounts
 *   (overlay, proc, sys, dev, files, volumes); pty and console (pty mode
 *   only); pivot_root; hostname; masked paths; rlimits (all while the
 *   supervisor makes the cgroup)
 *   wait for GO (cgroup attached); unshare cgroup; then what a joining
 *   process does too (process.c): user (and PDEATHSIG again: a uid/gid
 *   change clears it); fds closed; caps/no_new_privs/seccomp; workdir;
 *   exec (or --init)
 *
 * Any failure sends "step: reason" to the supervisor and exits 125 (126/127
 * for exec), so the user reads one line and no user code has run.
 */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "container.h"
#include "mounts.h"
#include "namespaces.h"
#include "process.h"
#include "relay.h"
#include "security.h"
#include "state.h"
#include "sync.h"
#include "util.h"

/* The parts of the setup that need no cgroup: they run while the
 * supervisor creates it.  The new root, its mounts, the console, the
 * hostname, the masks; no code of the user's is involved. */
static void build_root(const struct ctr_config *cfg, int sock, const struct relay *io)
{
	_cleanup_free_ char *mp = state_mountpoint(cfg);
	_cleanup_close_ int rootfd = -1;
	_cleanup_close_ int devfd = -1;

	process_test_delay();
	/* Owned by a user: her directories are opened as her, then PID 1
	 * becomes root of her user namespace (uid and gid 0 there, START
	 * outside) and builds the root as that; a uid change clears the
	 * death signal, so it is set again. */
	if (ns_unshare_container() < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
	/* (opened in the new mount namespace: overlay takes only layers of
	 * the mounter's own namespace) */
	if (cfg->userns && (mounts_open_owned(cfg, mp) < 0 || ns_become_userns_root(cfg->owned) < 0 ||
			   prctl(PR_SET_PDEATHSIG, SIGKILL) < 0))
		sync_fail(sock, EXIT_CTR_FAIL);
	if (mounts_setup(cfg, mp, &rootfd, &devfd) < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
	process_send_pty(io, sock, devfd, "pts/ptmx", true);
	if (mounts_pivot(rootfd) < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
	if (sethostname(cfg->hostname, strlen(cfg->hostname)) < 0) {
		ctr_fail(-errno, "sethostname %s", cfg->hostname);
		sync_fail(sock, EXIT_CTR_FAIL);
	}
	if (security_mask_paths(cfg) < 0 || security_set_rlimits(cfg) < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
}

void container_main(const struct ctr_config *cfg, int sock, const struct relay *io)
{
	_cleanup_free_ char *home = NULL;
	uid_t uid = 0;
	gid_t gid = 0;

	process_child_begin(io, sock);
	umask(022);
	build_root(cfg, sock, io);
	if (process_resolve_user(cfg, &uid, &gid, &home) < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
	if (cfg->init)
		process_retitle("ctr-init");
	/* GO: the supervisor has placed us in the container's cgroup (our
	 * mounts are built by then).  The state file is not written yet: the
	 * supervisor writes it only once we have exec'd COMMAND (main.c,
	 * publish_state), so no joiner finds a half-built container. */
	process_wait_go(sock);
	if (ns_unshare_cgroup() < 0)
		sync_fail(sock, EXIT_CTR_FAIL);
	process_exec_command(cfg, sock, uid, gid, home);
}
