/* SPDX-License-Identifier: MIT */
/* namespaces.h: opening the named netns and entering/creating namespaces. */
#ifndef CTR_NAMESPACES_H
#define CTR_NAMESPACES_H

#include <stdbool.h>

#include "config.h"

/* Open NETNS_DIR/NAME (O_RDONLY|O_CLOEXEC) and check that it is a netns.
 * A missing netns gets a message that says how to create it. */
int ns_open_netns(const struct ctr_config *cfg, int *fd);
/* setns(fd, CLONE_NEWNET). */
int ns_join_net(int fd);
/* fork() into a new PID namespace: the child is its PID 1.  Returns like
 * fork (pid / 0 in the child), or -errno (recorded).  A clone flag rather
 * than unshare(CLONE_NEWPID): the supervisor's own later forks (none today;
 * LeakSanitizer's at exit) still work after PID 1 is gone. */
/* fork() (NEW_PIDNS: the child is PID 1 of a new PID namespace); on v2
 * with CGROUP_FD >= 0 the child is born in that cgroup (*IN_CGROUP), else
 * the caller moves it.  -errno (recorded). */
pid_t ns_clone(bool new_pidns, int cgroup_fd, bool *in_cgroup);
/* In the child: new mount, UTS and IPC namespaces, at once; the cgroup
 * namespace once the supervisor has placed us in the container's cgroup,
 * so that its root is that cgroup. */
int ns_unshare_container(void);
int ns_unshare_cgroup(void);

/* Is NAME's netns owned by a user namespace other than ours (netns-setup
 * create --owner)?  Sets cfg->owned and owner_uid (NS_GET_USERNS,
 * NS_GET_OWNER_UID), and for an owned one the owner's directories
 * (CTR_RUN_DIR/.user/UID, CTR_LIB_DIR/.user/UID) and the idmapped image
 * (CTR_NET_STATE_DIR/image/NAME).  Refuses a caller who is neither root
 * nor the owner (-EPERM, recorded); a netns that cannot be opened is an
 * error for a non-root caller only (root gets the start's message). */
int ns_probe_owner(struct ctr_config *cfg);
/* setns into the user namespace that owns NAME's netns. */
/* A container owned by a user: USERFD and NETFD (a process's user and net
 * namespaces, -1 when ours) are the user namespace owning NAME's netns and
 * that netns; else -EPERM (her state names a process that is not hers). */
int ns_check_owned_pid(const struct ctr_config *cfg, int userfd, int netfd);
int ns_join_owner_userns(const struct ctr_config *cfg);
/* In a user namespace: become its root (uid and gid 0, no supplementary
 * groups), so that nothing runs there with the caller's host identity
 * (a host root would be ptrace-able by the owner).  EFFECTIVE_ONLY: the
 * effective ids only (what mounts record), the real and saved ones stay
 * the owner's until PID 1 sets its user (process.c): a v1 cgroup takes a
 * task only from a writer whose euid is the task's uid or suid, and the
 * supervisor (the owner) opened PID 1's tasks files. */
int ns_become_userns_root(bool effective_only);
/* Root's container (--userns), once in its user namespace: uid 0 there is
 * host uid cfg->userns_root, as its record said (the layer was given to
 * that uid): else -ESTALE, recorded. */
int ns_check_userns_root(const struct ctr_config *cfg);

#endif
