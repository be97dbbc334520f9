/* SPDX-License-Identifier: MIT */
/* devices.h: the container's minimal /dev and its terminal. */
#ifndef CTR_DEVICES_H
#define CTR_DEVICES_H

#include <stdbool.h>

/* The ptys one container may hold at once (its devpts instance's max=). */
#define CTR_PTY_MAX "1024"

/* tmpfs on ROOT/dev (nosuid, noexec, mode 755) with null, zero, full,
 * random, urandom, tty (mknod, else bound from the host), a new devpts
 * instance (at most CTR_PTY_MAX ptys) with ptmx -> pts/ptmx, shm, mqueue,
 * and the fd symlinks.
 * *devfd receives a directory fd of the new /dev. */
int devices_setup(int rootfd, int *devfd);
/* A new pty from the container's devpts (DIRFD/PTMX: "pts/ptmx" under the
 * new /dev while starting, "/dev/ptmx" when joining from inside the mount
 * ns); the slave becomes the controlling terminal of this process (a
 * session leader already: relay_child) and its stdin and stdout (and with
 * SLAVE_STDERR its stderr), its size copied from the caller's terminal on
 * fd 0, and with CONSOLE it is bound on /dev/console (the only
 * /dev/console there is: without a pty there is none, never a host tty).
 * *master receives the master. */
int devices_open_pty(int dirfd, const char *ptmx, bool console, bool slave_stderr, int *master);

#endif
