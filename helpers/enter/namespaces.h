/* SPDX-License-Identifier: MIT */
/* namespaces.h: opening the named netns and entering/creating namespaces. */
#ifndef CTR_NAMESPACES_H
#define CTR_NAMESPACES_H

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
pid_t ns_fork_pid1(void);
/* In the child: new mount, UTS and IPC namespaces, at once; the cgroup
 * namespace once the supervisor has placed us in the container's cgroup,
 * so that its root is that cgroup. */
int ns_unshare_container(void);
int ns_unshare_cgroup(void);

#endif
