/* SPDX-License-Identifier: MIT */
/* mounts.h: the container's filesystem view, built in its own mount ns. */
#ifndef CTR_MOUNTS_H
#define CTR_MOUNTS_H

#include <stdbool.h>

#include "config.h"

/* Resolve PATH inside the tree ROOTFD (symlinks stay inside it: openat2
 * RESOLVE_IN_ROOT), creating missing directories (and, with !dir, the final
 * file).  Returns an O_PATH fd or -errno (recorded). */
int open_in_root(int rootfd, const char *path, bool create, bool dir);
/* "/proc/self/fd/N" (static buffer per call site). */
const char *fd_path(int fd, char *buf, size_t len);

/* Everything before pivot_root: / private, the overlay (or read-only bind)
 * on MOUNTPOINT, /proc, /sys, /dev (devices.c), netns files, volumes.
 * *rootfd receives an fd of the new root, *devfd of its /dev. */
int mounts_setup(const struct ctr_config *cfg, const char *mountpoint, int *rootfd, int *devfd);
/* A container owned by a user: PID 1 opens the mountpoint and the layer
 * (hers, 0700) while it still has her uid, before it becomes root of her
 * user namespace (START on the host), which may not walk her directories;
 * mounts_setup then mounts through these fds. */
int mounts_open_owned(const struct ctr_config *cfg, const char *mountpoint);
/* pivot_root(".", ".") into ROOTFD and detach the old root. */
int mounts_pivot(int rootfd);

#endif
