/* SPDX-License-Identifier: MIT */
/*
 * owner.h: a container owned by an unprivileged user (netns-setup create
 * --owner): its user namespace and network namespace, made together by a
 * child that runs as the owner, and the idmapped view of the image.
 */
#ifndef CTR_NETLINK_OWNER_H
#define CTR_NETLINK_OWNER_H

#include <stdbool.h>
#include <sys/types.h>

struct owner_spec {
	uid_t uid;             /* the owner */
	gid_t gid;
	unsigned long ustart, ucount;   /* her /etc/subuid range: uid 0.. inside */
	unsigned long gstart, gcount;   /* her /etc/subgid range */
	const char *userns_pin;         /* where the user namespace is pinned */
	const char *image, *image_view; /* the image; its idmapped view */
};

/* "UID:GID:USTART:UCOUNT:GSTART:GCOUNT" into SPEC; false when malformed. */
bool owner_parse(const char *text, struct owner_spec *spec);
/* A user namespace owned by SPEC->uid (uid_map "0 USTART UCOUNT", gid_map
 * "0 GSTART GCOUNT", setgroups allowed) and a network namespace owned by
 * it, pinned on NETNS_PATH and SPEC->userns_pin; checked with NS_GET_USERNS
 * and NS_GET_OWNER_UID.  Returns an fd of the netns, or -errno (recorded). */
int owner_netns_add(const char *netns_path, const struct owner_spec *spec);
/* The image's idmapped view through the user namespace pinned at
 * SPEC->userns_pin: read-only, nosuid, nodev, on SPEC->image_view. */
int owner_image_view(const struct owner_spec *spec);
/* The user namespace pinned at PIN into *TARGET: 1, 0 when there is no
 * pin, -errno. */
struct stat;
int owner_stat_pin(const char *pin, struct stat *target);
/* SIGKILL every process whose user namespace is TARGET or a descendant of
 * it, pass after pass (up to 5 s) until they are gone: 0; -errno; or the
 * number of processes that survive (uninterruptible sleep), *STUCK their
 * pids (free it). */
int owner_kill_userns(const struct stat *target, char **stuck);
/* Unmount PATH (a pin), keeping the file; what is gone is no error. */
int owner_unmount(const char *path);
/* Unmount and remove PATH (a pin or the view); what is gone is no error. */
int owner_unpin(const char *path, bool dir);

#endif
