/* SPDX-License-Identifier: MIT */
/* container.h: the child's side, from fork to exec of COMMAND (PID 1).
 * What it shares with a joining process is in process.h. */
#ifndef CTR_CONTAINER_H
#define CTR_CONTAINER_H

#include "config.h"

/* Never returns: execs COMMAND (or runs --init), or reports the failed step
 * over SOCK and exits 125/126/127.  Waits for MSG_GO first. */
struct relay;
__attribute__((noreturn)) void container_main(const struct ctr_config *cfg, int sock, const struct relay *io);

#endif
