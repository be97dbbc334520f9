/* SPDX-License-Identifier: MIT */
/* cli.h: the command line of ctr-enter, parsed into struct ctr_config. */
#ifndef CTR_CLI_H
#define CTR_CLI_H

#include <stdio.h>

#include "config.h"

/* Default paths; CTR_* overrides them (docs/contract.md, ctr-enter(1) ENVIRONMENT). */
#define CTR_DEFAULT_ROOTFS  "/var/lib/ctr/rootfs/default"
#define CTR_DEFAULT_LIB_DIR "/var/lib/ctr/containers"
#define CTR_DEFAULT_RUN_DIR "/run/ctr"
#define CTR_DEFAULT_NETNS   "/run/netns"
#define CTR_DEFAULT_CGROUP  "ctr"
#define CTR_DEFAULT_USER_CGROUP "ctr-users"

/* Parse argv into cfg (environment overrides included).
 * Returns 0 to run, 1 when --help/--version was printed (exit 0),
 * or -errno with the reason recorded. */
int cli_parse(int argc, char **argv, struct ctr_config *cfg);
void cli_free(struct ctr_config *cfg);

bool hostname_is_valid(const char *h);

#endif
