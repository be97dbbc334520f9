/* SPDX-License-Identifier: MIT */
/*
 * ctr-session: the session hook of container owners.  pam_exec runs it as
 * root at each login (PAM_TYPE=open_session, PAM_USER=the user); it moves
 * the process that opens the session (its parent: login, sshd's session
 * process, su, cron, ...) into UPARENT/USER/session in every cgroup
 * hierarchy, so that the user's shell and all it starts are under her
 * per-user ceiling (docs/cgroups.md).  A user with no container (no
 * UPARENT/USER) or root: nothing done.  Any other PAM_TYPE: nothing done.
 *
 *   ctr-session [--parent UPARENT]     (default ctr-users)
 *
 * The parent comes from the command line only (the PAM configuration,
 * root's): never from the environment, which PAM may fill from the user's.
 * Exit 0, or 1 with one line on stderr when a user with a ceiling could
 * not be placed in it (the PAM profile makes that fail the login).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

int main(int argc, char **argv)
{
	const char *parent = "ctr-users", *type = getenv("PAM_TYPE"), *user = getenv("PAM_USER");

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--parent") == 0 && i + 1 < argc) {
			parent = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0) {
			puts("Usage: ctr-session [--parent UPARENT]   (run by pam_exec as root, type=open_session)");
			return 0;
		} else {
			fprintf(stderr, "ctr-session: unknown argument '%s'\n", argv[i]);
			return 1;
		}
	}
	if (!type || strcmp(type, "open_session") != 0)
		return 0;
	if (cgroup_session_join(parent, user, getppid()) < 0) {
		fprintf(stderr, "ctr-session: %s\n", ctr_errmsg());
		return 1;
	}
	return 0;
}
