/* SPDX-License-Identifier: MIT */
/*
 * masks.c: what the container must not see or change in /proc and /sys,
 * and no usable device nodes but the ones ctr-enter made.  Runs after
 * pivot_root, so every path is the container's own.  Paths that do not
 * exist are skipped.  Before Linux 5.12 (no mount_setattr) the read-only
 * remounts are not recursive.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "security-int.h"
#include "util.h"

/* Hidden: /dev/null over files, an empty read-only tmpfs over directories
 * (docker's list). */
static const char *const masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore",
	"/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware", "/sys/devices/virtual/powercap",
};

/* Visible but read-only (docker's list). */
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

#define RO_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* A bind remount must repeat the flags it keeps: statvfs's ST_* -> MS_*. */
static const struct {
	unsigned long st, ms;
} kept_flags[] = {
	{ ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },         { ST_NODEV, MS_NODEV },
	{ ST_NOEXEC, MS_NOEXEC },     { ST_NOATIME, MS_NOATIME },       { ST_NODIRATIME, MS_NODIRATIME },
	{ ST_RELATIME, MS_RELATIME },
};

/* mount_setattr(2) changes only the bits asked for; before 5.12 fall back
 * to a bind remount that restates the flags the mount already has. */

static int set_mount_attr(const char *path, uint64_t attr, unsigned long ms_flag, bool recursive)
{
	struct mount_attr ma = { .attr_set = attr };
	struct statvfs sv;
	unsigned long keep = 0;

	if (syscall(SYS_mount_setattr, AT_FDCWD, path,
		    AT_SYMLINK_NOFOLLOW | (recursive ? AT_RECURSIVE : 0), &ma, sizeof(ma)) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	if (statvfs(path, &sv) < 0)
		return -errno;
	for (size_t i = 0; i < ARRAY_SIZE(kept_flags); i++)
		if (sv.f_flag & kept_flags[i].st)
			keep |= kept_flags[i].ms;
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | keep | ms_flag, NULL) < 0)
		return -errno;
	return 0;
}

static int mask_path(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return ctr_fail(-errno, "mask %s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", RO_FLAGS, "size=0,mode=0555") < 0)
			return ctr_fail(-errno, "mask %s (empty tmpfs)", path);
	} else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
		return ctr_fail(-errno, "mask %s (bind /dev/null)", path);
	}
	return 0;
}

static int readonly_path(const char *path)
{
	struct stat st;
	int r;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return ctr_fail(-errno, "make %s read-only", path);
	}
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ctr_fail(-errno, "make %s read-only (bind)", path);
	r = set_mount_attr(path, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			   MOUNT_ATTR_NOEXEC, RO_FLAGS, true);
	if (r < 0)
		return ctr_fail(r, "make %s read-only (remount)", path);
	return 0;
}

static int readonly_sys(void)
{
	struct statvfs sv;
	int r;

	if (statvfs("/sys", &sv) < 0) {
		if (errno == ENOENT)
			return 0;
		return ctr_fail(-errno, "make /sys read-only");
	}
	r = set_mount_attr("/sys", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			   MOUNT_ATTR_NOEXEC, RO_FLAGS, true);
	/* EINVAL: /sys is a plain directory of the rootfs, nothing mounted */
	if (r < 0 && r != -EINVAL)
		return ctr_fail(r, "make /sys read-only");
	return 0;
}

/* Whether the comma list opts contains opt. */
static bool has_option(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = opts; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, opt, n) == 0 && (p[n] == ',' || p[n] == '\0' || p[n] == '\n'))
			return true;
	}
	return false;
}

/* Whether path is the root of a mount (not just a directory in one). */
static bool is_mount_root(const char *path)
{
	struct statx stx;
	struct stat parent;
	_cleanup_free_ char *up = xasprintf("%s/..", path);

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
		return false;
	if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		return stx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
	/* before 5.8: a different device than the parent directory */
	return stat(up, &parent) == 0 && makedev(stx.stx_dev_major, stx.stx_dev_minor) != parent.st_dev;
}

static bool is_device(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode));
}

/*
 * Pin each device node ctr-enter made in /dev to a bind mount of its own,
 * then /dev's tmpfs can be nodev: the pinned nodes keep working (a bind
 * mount has its own flags), a node made later with mknod (CAP_MKNOD is in
 * docker's default set) does not open.
 */
static int pin_dev_nodes(void)
{
	_cleanup_closedir_ DIR *d = opendir("/dev");
	struct dirent *e;

	if (!d)
		return ctr_fail(-errno, "open /dev");
	while ((e = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (e->d_type != DT_CHR && e->d_type != DT_BLK && e->d_type != DT_UNKNOWN)
			continue;
		p = xasprintf("/dev/%s", e->d_name);
		if (!is_device(p) || is_mount_root(p))
			continue;
		if (mount(p, p, NULL, MS_BIND, NULL) < 0)
			return ctr_fail(-errno, "pin %s", p);
	}
	return 0;
}

/*
 * Device nodes work only where ctr-enter put them: every mount gets nodev
 * except devpts and the pinned (or bind-mounted) device nodes.  Done only
 * when /dev is a mount of its own; otherwise the nodes live on the root
 * mount and nothing can be made nodev.
 */
static int nodev_everywhere(void)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int r;

	if (!is_mount_root("/dev"))
		return 0;
	r = pin_dev_nodes();
	if (r < 0)
		return r;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return ctr_fail(-errno, "open /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		/* id parent major:minor root mountpoint options [optional...] - fstype ... */
		char *mnt = NULL, *opts = NULL, *fstype = NULL, *save = NULL, *tok;
		bool sep = false;
		int field = 0;

		for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (++field == 5)
				mnt = tok;
			else if (field == 6)
				opts = tok;
			else if (field > 6 && sep) {
				fstype = tok;
				break;
			} else if (field > 6 && strcmp(tok, "-") == 0)
				sep = true;
		}
		if (!mnt || !opts || !fstype)
			continue;
		unescape_mountinfo(mnt);
		if (strcmp(fstype, "devpts") == 0 || has_option(opts, "nodev") || is_device(mnt))
			continue;
		r = set_mount_attr(mnt, MOUNT_ATTR_NODEV, MS_NODEV, false);
		if (r == -ENOENT || r == -EACCES || r == -EINVAL)
			continue;   /* shadowed by a later mount */
		if (r < 0)
			return ctr_fail(r, "set nodev on %s", mnt);
	}
	return 0;
}

int masks_apply(void)
{
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(masked_paths); i++) {
		r = mask_path(masked_paths[i]);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(readonly_paths); i++) {
		r = readonly_path(readonly_paths[i]);
		if (r < 0)
			return r;
	}
	r = readonly_sys();
	if (r < 0)
		return r;
	return nodev_everywhere();
}
