/* SPDX-License-Identifier: MIT */
/*
 * ctr-session: the session hook of container owners.  pam_exec runs it as
 * root at each login (PAM_TYPE=open_session, PAM_USER=the user); it moves
 * the process that opens the session (its parent: login, sshd's session
 * process, su, cron, ...) into UPARENT/USER/session in every hierarchy, so
 * that the user's shell and all it starts are under her per-user ceiling
 * (docs/cgroups.md).  A user with no container (no UPARENT/USER) or root:
 * nothing done.  Any other PAM_TYPE: nothing done.
 *
 *   ctr-session [--parent UPARENT]     (default ctr-users)
 *
 * The parent comes from the command line only (the PAM configuration,
 * root's): never from the environment, which PAM may fill from the user's.
 * PAM_USER and PAM_TYPE must each be there once: pam_exec appends its
 * items after the PAM environment (pam_env's user_readenv may hold hers),
 * so a second one is refused.
 *
 * Only its parent is moved, and only while it is its parent: pinned by a
 * pidfd, getppid() the same before and after (a reparented hook, its
 * login's process killed, would see pid 1 or a subreaper), in the same
 * session and process group as the hook (a subreaper is not), never pid 1;
 * cgroup_session_join checks its uids and that it lives through the move.
 *
 * Exit 0, or 1 with one line on stderr when a user with a ceiling could
 * not be placed in it, or on any doubt (the PAM profile makes that fail
 * the login).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

extern char **environ;

/* How often KEY is in the environment; *out its (last) value, NULL when
 * missing. */
static int pam_item(const char *key, const char **out)
{
	size_t n = strlen(key);
	int found = 0;

	*out = NULL;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, key, n) == 0 && (*e)[n] == '=') {
			*out = *e + n + 1;
			found++;
		}
	return found;
}

static int fail(const char *msg)
{
	fprintf(stderr, "ctr-session: %s\n", msg);
	return 1;
}

int main(int argc, char **argv)
{
	const char *parent = "ctr-users", *type, *user;
	_cleanup_close_ int pidfd = -1;
	pid_t ppid;

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
	if (pam_item("PAM_TYPE", &type) > 1 || pam_item("PAM_USER", &user) > 1)
		return fail("PAM_TYPE or PAM_USER is in the environment twice: refused");
	if (!type || strcmp(type, "open_session") != 0)
		return 0;
	ppid = getppid();
	if (ppid <= 1)
		return fail("the login's process is gone (parent is pid 1): refused");
	pidfd = pidfd_open(ppid, 0);
	if (pidfd < 0) {
		fprintf(stderr, "ctr-session: pidfd of the login's process %d: %s\n", (int)ppid, strerror(errno));
		return 1;
	}
	if (getppid() != ppid)
		return fail("the login's process is gone (reparented): refused");
	/* pam_exec's child shares its parent's session and process group; a
	 * subreaper that adopted it (its login's process killed before it
	 * started) is in another. */
	if (getsid(ppid) != getsid(0) || getpgid(ppid) != getpgid(0))
		return fail("the parent is not in the login's process group (reparented to a subreaper?): refused");
	if (cgroup_session_join(parent, user, ppid, pidfd) < 0) {
		fprintf(stderr, "ctr-session: %s\n", ctr_errmsg());
		return 1;
	}
	if (getppid() != ppid)
		return fail("the login's process ended while it was moved: refused");
	return 0;
}
