/* SPDX-License-Identifier: MIT */
/* security.c: PLACEHOLDER until the security module lands (issue 8). */
#include <string.h>

#include "security.h"
#include "util.h"

int security_mask_paths(const struct ctr_config *cfg)
{
	(void)cfg;
	return 0;
}

int security_set_rlimits(const struct ctr_config *cfg)
{
	(void)cfg;
	return 0;
}

int security_apply(const struct ctr_config *cfg)
{
	(void)cfg;
	return 0;
}

int security_cap_from_name(const char *name)
{
	return strcasecmp(name, "ALL") == 0 ? 64 : -1;
}
