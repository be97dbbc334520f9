/* SPDX-License-Identifier: MIT */
/*
 * escape.c: container escape probes for bats-tests/50-security.bats.
 *
 * Runs INSIDE a container (built on the host, bind-mounted in with -v).
 * Each probe tries one way out and prints one line:
 *
 *     NAME  blocked|open|skip  what it tried: what happened
 *
 * "open" means nothing in the container stopped the attempt.  In a
 * default container every probe must say blocked (or skip when the host
 * lacks the thing, e.g. no /proc/kcore); under --privileged the
 * capability-bound ones must say open, which shows the probe itself works.
 * Where a probe cannot be made harmless by doing the real thing, it asks
 * for something invalid that the kernel checks only after the permission:
 * EPERM (or EROFS, EACCES) is the protection, EINVAL or ENOEXEC proves the
 * call got past it.
 *
 * Nothing here may harm the host even when a protection is missing, so
 * every probe runs in every mode:
 *  - /proc/sysrq-trigger, /sys and the read-only /proc paths are only
 *    opened for writing, never written;
 *  - /proc/sys/kernel/hostname gets its own value back (the hostname of
 *    the container's UTS namespace), sethostname the current name;
 *  - the clock is never set: clock_settime gets an invalid time (EINVAL
 *    once past the filter), clock_adjtime(ADJ_TICK) an out-of-range tick
 *    (EINVAL once past the CAP_SYS_TIME check, which comes first);
 *  - reboot gets a wrong magic number (EINVAL once past CAP_SYS_BOOT);
 *  - the module image is 16 bytes, shorter than an ELF header (ENOEXEC
 *    once past CAP_SYS_MODULE);
 *  - the host disk is only read (one sector);
 *  - mount namespace changes happen in a child that first tries to get
 *    a mount namespace of its own.
 * --mode host runs only the read-only probes that show, on the host
 * itself, that the namespace probes can see something when it is there.
 *
 * Exit status: the number of probes that said "open" (capped at 100).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

enum status { BLOCKED, OPEN, SKIP };
static const char *const status_names[] = { "blocked", "open", "skip" };

struct result {
	enum status status;
	char detail[400];
};

enum mode { MODE_CONTAINER, MODE_PRIVILEGED, MODE_HOST };

static struct {
	enum mode mode;
	pid_t host_pid;          /* a process outside the container */
	const char *host_marker; /* a host file not mounted into the container */
	const char *secret;      /* its content */
	const char *volume_link; /* a symlink in a volume pointing at host_marker */
	dev_t host_dev;          /* the host's root block device */
	bool have_host_dev;
	const char *scratch;     /* a writable directory for the probes */
} opt = { .scratch = "/tmp" };

static void set(struct result *r, enum status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set(struct result *r, enum status s, const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static const char *en(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/* A syscall's outcome as a result: 0 -> open, -1 -> blocked with errno. */
static void outcome(struct result *r, long rc, const char *what)
{
	if (rc >= 0)
		set(r, OPEN, "%s: succeeded", what);
	else
		set(r, BLOCKED, "%s: %s", what, en(errno));
}

/* Run fn in a child, after trying to give the child its own mount
 * namespace, so that a successful probe changes nothing else. */
static void in_child(void (*fn)(struct result *), struct result *r)
{
	int p[2];
	pid_t pid;
	int st;

	if (pipe(p) < 0) {
		set(r, SKIP, "pipe: %s", en(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		set(r, SKIP, "fork: %s", en(errno));
		return;
	}
	if (pid == 0) {
		struct result cr;
		ssize_t w;

		close(p[0]);
		if (unshare(CLONE_NEWNS) == 0)
			mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
		memset(&cr, 0, sizeof(cr));
		fn(&cr);
		w = write(p[1], &cr, sizeof(cr));
		_exit(w == (ssize_t)sizeof(cr) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], r, sizeof(*r)) != (ssize_t)sizeof(*r))
		set(r, BLOCKED, "child reported nothing");
	close(p[0]);
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		set(r, BLOCKED, "child killed by signal %d", WTERMSIG(st));
}

static char *scratch_path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", opt.scratch, name);
	return buf[i];
}

/* ---- mounts ---------------------------------------------------------- */

static void p_mount_tmpfs(struct result *r)
{
	char *d = scratch_path("probe-mnt");

	mkdir(d, 0700);
	outcome(r, mount("probe", d, "tmpfs", 0, "size=16k"), "mount tmpfs");
	if (r->status == OPEN)
		umount2(d, MNT_DETACH);
	rmdir(d);
}

static void c_remount_root(struct result *r)
{
	outcome(r, mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL), "remount / (bind, rw)");
}
static void p_remount_root(struct result *r) { in_child(c_remount_root, r); }

static void c_remount_proc(struct result *r)
{
	/* /proc/sys is a read-only bind in a default container; /proc itself
	 * under --privileged */
	struct stat a, b;
	const char *t = "/proc/sys";

	if (stat("/proc/sys", &a) == 0 && stat("/proc", &b) == 0 && a.st_dev == b.st_dev &&
	    access("/proc/sys/kernel/hostname", W_OK) == 0)
		t = "/proc";
	if (mount(NULL, t, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
		set(r, OPEN, "remount %s rw: succeeded", t);
	else
		set(r, BLOCKED, "remount %s rw: %s", t, en(errno));
}
static void p_remount_proc(struct result *r) { in_child(c_remount_proc, r); }

static void c_umount_proc(struct result *r)
{
	outcome(r, umount2("/proc", MNT_DETACH), "umount /proc");
}
static void p_umount_proc(struct result *r) { in_child(c_umount_proc, r); }

static void c_pivot_root(struct result *r)
{
	char *d = scratch_path("probe-pivot");

	/* new_root must be a mount other than the current root; without
	 * mount (blocked) the directory is not one, and EPERM still comes
	 * first from the filter */
	mkdir(d, 0700);
	mount("probe", d, "tmpfs", 0, "size=16k");
	if (chdir(d) < 0) {
		set(r, SKIP, "chdir %s: %s", d, en(errno));
		return;
	}
	outcome(r, syscall(SYS_pivot_root, ".", "."), "pivot_root(\".\", \".\")");
	if (r->status == OPEN)
		umount2(".", MNT_DETACH);
}
static void p_pivot_root(struct result *r)
{
	in_child(c_pivot_root, r);
	rmdir(scratch_path("probe-pivot"));
}

/* ---- the host's files ------------------------------------------------- */

/* Whether path holds the host's secret. */
static bool reads_secret(const char *path)
{
	char buf[256];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return opt.secret && strstr(buf, opt.secret);
}

static void c_chroot_escape(struct result *r)
{
	char *jail = scratch_path("probe-jail");
	int fd;

	if (!opt.host_marker) {
		set(r, SKIP, "no --host-marker");
		return;
	}
	mkdir(jail, 0700);
	fd = open("/", O_RDONLY | O_DIRECTORY);
	if (chroot(jail) < 0) {
		set(r, BLOCKED, "chroot %s: %s", jail, en(errno));
		return;
	}
	/* the classic: the cwd is outside the new root; walk up and chroot there */
	if (fchdir(fd) < 0) {
		set(r, BLOCKED, "fchdir to the old root: %s", en(errno));
		return;
	}
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0) {
		set(r, BLOCKED, "chroot .: %s", en(errno));
		return;
	}
	if (reads_secret(opt.host_marker))
		set(r, OPEN, "chroot out through an open fd: read %s", opt.host_marker);
	else
		set(r, BLOCKED, "chroot out through an open fd: %s not reachable (%s)",
		    opt.host_marker, en(errno));
}
static void p_chroot_escape(struct result *r)
{
	in_child(c_chroot_escape, r);
	rmdir(scratch_path("probe-jail"));
}

static void p_host_paths(struct result *r)
{
	static const char *const prefixes[] = {
		"", "/proc/1/root", "/proc/self/root", "/proc/self/cwd/../../../../../../..",
	};
	char path[1024];

	if (!opt.host_marker) {
		set(r, SKIP, "no --host-marker");
		return;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", prefixes[i], opt.host_marker);
		if (reads_secret(path)) {
			set(r, OPEN, "read the host file as %s", path);
			return;
		}
	}
	set(r, BLOCKED, "%s not reachable directly, via /proc/1/root, /proc/self/root or /proc/self/cwd",
	    opt.host_marker);
}

static void p_volume_symlink(struct result *r)
{
	char target[512];
	ssize_t n;

	if (!opt.volume_link) {
		set(r, SKIP, "no --volume-link");
		return;
	}
	n = readlink(opt.volume_link, target, sizeof(target) - 1);
	if (n < 0) {
		set(r, SKIP, "readlink %s: %s", opt.volume_link, en(errno));
		return;
	}
	target[n] = '\0';
	if (reads_secret(opt.volume_link))
		set(r, OPEN, "%s -> %s resolved to the host file", opt.volume_link, target);
	else
		set(r, BLOCKED, "%s -> %s resolves inside the container (%s)", opt.volume_link,
		    target, en(errno));
}

/*
 * The "shocker" escape: a file handle names an inode of the whole file
 * system, not of the bind mount it was taken from.  Take a handle in a
 * volume (a bind of a host directory), forge one for the file system's
 * root (ext4: inode 2) and open it.
 */
static void p_open_by_handle(struct result *r)
{
	struct { struct file_handle fh; unsigned char buf[128]; } h;
	char dir[512] = "/";
	int mount_id, fd, mfd;
	char *slash;

	if (opt.volume_link) {
		snprintf(dir, sizeof(dir), "%s", opt.volume_link);
		slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = '\0';
	}
	h.fh.handle_bytes = sizeof(h.buf);
	if (name_to_handle_at(AT_FDCWD, dir, &h.fh, &mount_id, 0) < 0) {
		set(r, BLOCKED, "name_to_handle_at %s: %s", dir, en(errno));
		return;
	}
	if (h.fh.handle_type == 1 /* FILEID_INO32_GEN */ && h.fh.handle_bytes >= 8) {
		uint32_t root[2] = { 2, 0 };

		memcpy(h.fh.f_handle, root, sizeof(root));
	}
	mfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mfd);
	if (fd < 0) {
		set(r, BLOCKED, "open_by_handle_at (from %s): %s", dir, en(errno));
		return;
	}
	if (opt.host_marker && opt.secret) {
		int sfd = openat(fd, opt.host_marker + 1, O_RDONLY | O_CLOEXEC);
		char buf[256];
		ssize_t n = sfd >= 0 ? read(sfd, buf, sizeof(buf) - 1) : -1;

		if (sfd >= 0)
			close(sfd);
		if (n > 0) {
			buf[n] = '\0';
			if (strstr(buf, opt.secret)) {
				set(r, OPEN, "open_by_handle_at from %s reached the host file system's root and %s",
				    dir, opt.host_marker);
				close(fd);
				return;
			}
		}
	}
	set(r, OPEN, "open_by_handle_at from %s: succeeded", dir);
	close(fd);
}

/* ---- /proc and /sys --------------------------------------------------- */

static void read_proc_file(struct result *r, const char *path)
{
	struct stat st;
	char buf[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			set(r, SKIP, "%s: absent on this kernel", path);
		else
			set(r, BLOCKED, "open %s: %s", path, en(errno));
		return;
	}
	fstat(fd, &st);
	if (S_ISCHR(st.st_mode))
		set(r, BLOCKED, "%s is masked (/dev/null, %u:%u)", path, major(st.st_rdev), minor(st.st_rdev));
	else if (read(fd, buf, sizeof(buf)) < 0)
		set(r, BLOCKED, "read %s: %s", path, en(errno));
	else
		set(r, OPEN, "read %s", path);
	close(fd);
}

static void p_read_kcore(struct result *r) { read_proc_file(r, "/proc/kcore"); }
static void p_read_keys(struct result *r) { read_proc_file(r, "/proc/keys"); }
static void p_read_timer_list(struct result *r) { read_proc_file(r, "/proc/timer_list"); }

/* Opened for writing, never written. */
static void open_for_write(struct result *r, const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		set(r, OPEN, "open %s for writing: succeeded (nothing written)", path);
		close(fd);
	} else if (errno == ENOENT) {
		set(r, SKIP, "%s: absent on this kernel", path);
	} else {
		set(r, BLOCKED, "open %s for writing: %s", path, en(errno));
	}
}

static void p_write_sysrq(struct result *r)
{
	open_for_write(r, "/proc/sysrq-trigger");
	if (r->status == SKIP)
		set(r, SKIP, "/proc/sysrq-trigger: absent on this kernel (built without "
			     "CONFIG_MAGIC_SYSRQ), nothing to protect or to probe");
}

/* The UTS namespace's hostname, written back to itself: harmless, and a
 * real write through /proc/sys when nothing stops it. */
static void p_write_sysctl(struct result *r)
{
	const char *path = "/proc/sys/kernel/hostname";
	char name[128];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		set(r, SKIP, "read %s: %s", path, en(errno));
		return;
	}
	n = read(fd, name, sizeof(name));
	close(fd);
	if (n <= 0) {
		set(r, SKIP, "read %s: %s", path, n < 0 ? en(errno) : "empty");
		return;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		set(r, BLOCKED, "open %s for writing: %s", path, en(errno));
		return;
	}
	if (write(fd, name, (size_t)n) == n)
		set(r, OPEN, "wrote %s (its own value back)", path);
	else
		set(r, BLOCKED, "open %s for writing worked, write: %s", path, en(errno));
	close(fd);
}

/* A sysfs file root may write: the classic uevent_helper when the kernel
 * has it, else a harmless knob.  Opened, never written. */
static void p_write_sys(struct result *r)
{
	static const char *const files[] = {
		"/sys/kernel/uevent_helper", "/sys/kernel/profiling", "/sys/kernel/rcu_expedited",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		open_for_write(r, files[i]);
		if (r->status != SKIP)
			return;
	}
	set(r, SKIP, "none of /sys/kernel/{uevent_helper,profiling,rcu_expedited} on this kernel");
}

/* ---- the masked and read-only paths, one line each -------------------- */

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* lstat PATH; when it fails, the result says why: absent on this kernel
 * (skip), or not even visible (blocked). */
static int lstat_or_report(struct result *r, const char *path, struct stat *st)
{
	if (lstat(path, st) == 0)
		return 0;
	if (errno == ENOENT)
		set(r, SKIP, "%s: absent on this kernel", path);
	else
		set(r, BLOCKED, "stat %s: %s", path, en(errno));
	return -1;
}

/* blocked: /dev/null over a file, an empty tmpfs over a directory, or
 * unreadable; open: the real thing is there. */
static void check_masked(struct result *r, const char *path)
{
	struct statfs sf;
	struct stat st;

	if (lstat_or_report(r, path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		int n = count_entries(path);

		if (statfs(path, &sf) < 0) {
			set(r, BLOCKED, "statfs %s: %s", path, en(errno));
		} else if ((unsigned long)sf.f_type == TMPFS_MAGIC && n == 0) {
			set(r, BLOCKED, "%s is masked (an empty tmpfs)", path);
		} else if (n < 0) {
			set(r, BLOCKED, "open %s: %s", path, en(errno));
		} else {
			set(r, OPEN, "%s is the real directory (fs 0x%lx, %d entries)", path,
			    (unsigned long)sf.f_type, n);
		}
		return;
	}
	read_proc_file(r, path);
}

/* A regular file under dir that root may write (mode u+w), else any
 * regular file: depth-first, at most three levels down. */
static bool find_file(const char *dir, int depth, bool want_w, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char p[PATH_MAX];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISREG(st.st_mode) && (!want_w || (st.st_mode & S_IWUSR))) {
			snprintf(out, len, "%s", p);
			found = true;
		} else if (S_ISDIR(st.st_mode) && depth > 0) {
			found = find_file(p, depth - 1, want_w, out, len);
		}
	}
	closedir(d);
	return found;
}

/* blocked: EROFS (or another error) opening a file there for writing;
 * open: the open worked.  Nothing is written. */
static void check_readonly(struct result *r, const char *path)
{
	char file[PATH_MAX];
	struct stat st;

	if (lstat_or_report(r, path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode))
		snprintf(file, sizeof(file), "%s", path);
	else if (!find_file(path, 3, true, file, sizeof(file)) &&
		 !find_file(path, 3, false, file, sizeof(file))) {
		set(r, SKIP, "%s: no file in it to open", path);
		return;
	}
	open_for_write(r, file);
}

static void c_cgroup_limits(struct result *r)
{
	static const char *const files[] = {
		"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max",
		"/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/pids.max",
	};
	char *d = scratch_path("probe-cg");
	char path[600];
	int fd;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fd = open(files[i], O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			set(r, OPEN, "open %s for writing: succeeded (nothing written)", files[i]);
			return;
		}
	}
	mkdir(d, 0700);
	if (mount("cgroup", d, "cgroup", 0, "memory") < 0 &&
	    mount("cgroup2", d, "cgroup2", 0, NULL) < 0) {
		set(r, BLOCKED, "cgroup files not writable; mount cgroup/cgroup2: %s", en(errno));
		rmdir(d);
		return;
	}
	snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", d);
	if (access(path, F_OK) < 0)
		snprintf(path, sizeof(path), "%s/memory.max", d);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		set(r, OPEN, "mounted a cgroup hierarchy, opened %s for writing (nothing written)", path);
		close(fd);
	} else {
		set(r, OPEN, "mounted a cgroup hierarchy (%s: %s)", path, en(errno));
	}
	umount2(d, MNT_DETACH);
	rmdir(d);
}
static void p_cgroup_limits(struct result *r) { in_child(c_cgroup_limits, r); }

/* ---- devices ---------------------------------------------------------- */

static bool read_sector(const char *path)
{
	char buf[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0;
}

/* Open PATH read-only and give it back at once: kmsg, nothing read. */
static bool opens(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* mknod NAME (MODE, DEV) in /dev, then in the scratch dir, and USE it (an
 * open, a read): OPEN when one of them worked, else BLOCKED with what each
 * try met ("mknod PATH: ERR" or "mknod PATH ok, USED: ERR"). */
static void mknod_probe(struct result *r, const char *name, mode_t mode, dev_t dev,
			bool (*use)(const char *path), const char *used)
{
	const char *dirs[] = { "/dev", opt.scratch };
	char path[600], tried[400] = "";
	size_t len = 0;

	for (size_t i = 0; i < 2; i++) {
		bool ok;
		int e;

		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		unlink(path);
		if (mknod(path, mode, dev) < 0) {
			e = errno;
			len += (size_t)snprintf(tried + len, sizeof(tried) - len, "%smknod %s: %s",
						 len ? "; " : "", path, en(e));
		} else {
			ok = use(path);
			e = errno;
			unlink(path);
			if (ok) {
				set(r, OPEN, "mknod %s (%u:%u) and %s it", path, major(dev), minor(dev), used);
				return;
			}
			len += (size_t)snprintf(tried + len, sizeof(tried) - len, "%smknod %s ok, %s: %s",
						 len ? "; " : "", path, used, en(e));
		}
		if (len >= sizeof(tried))
			len = sizeof(tried) - 1;
	}
	set(r, BLOCKED, "%s", tried);
}

/* mknod the host's root disk (--host-dev) and read a sector of it. */
static void p_mknod_host_disk(struct result *r)
{
	if (!opt.have_host_dev) {
		set(r, SKIP, "no --host-dev");
		return;
	}
	mknod_probe(r, "probe-disk", S_IFBLK | 0600, opt.host_dev, read_sector, "open/read");
}

/* mknod a char device the container was not given: /dev/kmsg (1:11),
 * the host's kernel log.  Opened read-only, nothing read. */
static void p_mknod_kmsg(struct result *r)
{
	mknod_probe(r, "probe-kmsg", S_IFCHR | 0600, makedev(1, 11), opens, "open");
}

static void p_raw_devices(struct result *r)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	char path[600];
	int n = 0;

	if (!d) {
		set(r, BLOCKED, "open /dev: %s", en(errno));
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;

		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		if (lstat(path, &st) < 0 || !S_ISBLK(st.st_mode))
			continue;
		n++;
		if (read_sector(path)) {
			set(r, OPEN, "read block device %s", path);
			closedir(d);
			return;
		}
	}
	closedir(d);
	static const char *const chars[] = { "/dev/mem", "/dev/kmem", "/dev/port", "/dev/kmsg" };
	for (size_t i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
		int fd = open(chars[i], O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			close(fd);
			set(r, OPEN, "opened %s", chars[i]);
			return;
		}
	}
	set(r, BLOCKED, "%d block devices in /dev, none readable; no /dev/mem, kmem, port, kmsg", n);
}

/* socket(FAMILY, TYPE) as a result named WHAT; SKIP when this kernel has
 * no such family (NAME says which).  The socket is closed; true when made. */
static bool socket_probe(struct result *r, int family, int type, const char *name,
			 const char *what)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	if (fd < 0 && errno == EAFNOSUPPORT) {
		set(r, SKIP, "socket(%s): no %s in this kernel", name, name);
		return false;
	}
	outcome(r, fd, what);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void p_vsock(struct result *r)
{
	int fd;

	if (socket_probe(r, AF_VSOCK, SOCK_STREAM, "AF_VSOCK", "socket(AF_VSOCK) (the hypervisor's channel)") ||
	    r->status == SKIP)
		return;
	/* the kernel reads an int: upper bits must not slip past the filter */
	fd = (int)syscall(SYS_socket, (1L << 32) | AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		set(r, OPEN, "socket(1<<32 | AF_VSOCK): succeeded");
		close(fd);
	}
}

#ifndef AF_ALG
#define AF_ALG 38
#endif

/* AF_ALG: the kernel's crypto API, a frequent source of kernel bugs
 * (docker refuses it too).  Only the socket is made. */
static void p_af_alg(struct result *r)
{
	socket_probe(r, AF_ALG, SOCK_SEQPACKET, "AF_ALG", "socket(AF_ALG)");
}

/*
 * System calls newer than docker's list of before 28.2 (the same number on
 * every architecture).  Each gets arguments the kernel refuses or that do
 * nothing: EPERM is the filter (an allow-list), ENOSYS a kernel without
 * the call, anything else the kernel's own answer, so the call got through.
 */
static void new_syscall(struct result *r, const char *what, long nr, long a, long b, long c, long d)
{
	long rc = syscall(nr, a, b, c, d, 0L);

	if (rc < 0 && errno == ENOSYS)
		set(r, SKIP, "%s: ENOSYS (not in this kernel)", what);
	else if (rc < 0 && errno == EPERM)
		set(r, BLOCKED, "%s: EPERM", what);
	else
		set(r, OPEN, "%s reached the kernel: %s", what, rc < 0 ? en(errno) : "succeeded");
}

static void p_statmount(struct result *r)
{
	new_syscall(r, "statmount(NULL)", 457, 0, 0, 0, 0);   /* Linux 6.8 */
}

static void p_listmount(struct result *r)
{
	new_syscall(r, "listmount(NULL)", 458, 0, 0, 0, 0);   /* Linux 6.8 */
}

static void p_lsm_get_self_attr(struct result *r)
{
	/* LSM_ATTR_CURRENT, no buffer */
	new_syscall(r, "lsm_get_self_attr(CURRENT, NULL)", 459, 100, 0, 0, 0);   /* Linux 6.8 */
}

static void p_mseal(struct result *r)
{
	new_syscall(r, "mseal(NULL, 0)", 462, 0, 0, 0, 0);   /* Linux 6.10; length 0 seals nothing */
}

static void p_file_getattr(struct result *r)
{
	new_syscall(r, "file_getattr(-1)", 468, -1, 0, 0, 0);   /* Linux 6.17; EBADF */
}

/* A number no kernel has (yet): an allow-list answers EPERM, a deny-list
 * lets the kernel say ENOSYS. */
static void p_unknown_syscall(struct result *r)
{
	long rc = syscall(1000, 0L, 0L, 0L, 0L, 0L);

	if (rc < 0 && errno == EPERM)
		set(r, BLOCKED, "syscall 1000: EPERM (the filter)");
	else
		set(r, OPEN, "syscall 1000 reached the kernel: %s", rc < 0 ? en(errno) : "succeeded");
}

/* TIOCSTI pushes input into a terminal (the host's, if the container
 * writes to it).  Tried on /dev/null: the filter answers EPERM before the
 * tty layer would answer ENOTTY, and nothing is ever injected. */
static void p_tiocsti(struct result *r)
{
	static const struct { unsigned long cmd; const char *name; } cmds[] = {
		{ TIOCSTI, "TIOCSTI" }, { TIOCLINUX, "TIOCLINUX" },
	};
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char c = 0;

	for (size_t i = 0; i < 2; i++) {
		if (ioctl(fd, cmds[i].cmd, &c) < 0 && errno == EPERM)
			continue;
		set(r, OPEN, "ioctl(%s) reached the tty layer (%s)", cmds[i].name, en(errno));
		close(fd);
		return;
	}
	set(r, BLOCKED, "ioctl(TIOCSTI), ioctl(TIOCLINUX): EPERM");
	close(fd);
}

/* ---- the kernel ------------------------------------------------------- */

static void p_init_module(struct result *r)
{
	/* shorter than an ELF header: ENOEXEC right after the permission
	 * check, before anything is parsed */
	static char image[16];
	long rc = syscall(SYS_init_module, image, sizeof(image), "");

	if (rc < 0 && errno == ENOSYS) {
		/* the filter answers EPERM; ENOSYS comes from the kernel */
		set(r, OPEN, "init_module got through to the kernel, which has no module support (ENOSYS)");
		return;
	}
	if (rc < 0 && errno != EPERM) {
		set(r, OPEN, "init_module passed the permission check (%s)", en(errno));
		return;
	}
	outcome(r, rc, "init_module");
	if (r->status == BLOCKED) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		rc = syscall(SYS_finit_module, fd, "", 0);
		if (rc < 0 && errno != EPERM)
			set(r, OPEN, "finit_module got past the permission check (%s)", en(errno));
		else if (rc < 0)
			set(r, BLOCKED, "init_module: EPERM; finit_module: %s", en(errno));
		close(fd);
	}
}

static void p_reboot(struct result *r)
{
	/* CAP_SYS_BOOT is checked before the magic numbers: a wrong magic
	 * is EPERM without the capability, EINVAL with it, and never reboots */
	long rc = syscall(SYS_reboot, 0 /* not LINUX_REBOOT_MAGIC1 */, LINUX_REBOOT_MAGIC2,
			  LINUX_REBOOT_CMD_CAD_OFF, NULL);

	if (rc < 0 && errno == EINVAL)
		set(r, OPEN, "reboot(bad magic) passed the CAP_SYS_BOOT check (EINVAL)");
	else if (rc < 0)
		set(r, BLOCKED, "reboot(bad magic): %s", en(errno));
	else
		set(r, OPEN, "reboot(bad magic): succeeded?!");
}

static void p_clock_settime(struct result *r)
{
	/* an invalid time: EINVAL once the call is past the filter (the
	 * kernel checks the value before the capability), EPERM from it */
	struct timespec bad = { .tv_sec = 0, .tv_nsec = -1 };
	/* an out-of-range tick: CAP_SYS_TIME is checked first, then EINVAL;
	 * adjtimex is not filtered, so this is the capability's answer */
	struct timex tx = { .modes = ADJ_TICK, .tick = 0 };
	long set_rc = syscall(SYS_clock_settime, CLOCK_REALTIME, &bad);
	int set_err = errno;
	long adj_rc = syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
	int adj_err = errno;

	if (set_rc == 0 || adj_rc >= 0)
		set(r, OPEN, "the clock was set?! (clock_settime %ld, clock_adjtime %ld)", set_rc, adj_rc);
	else if (set_err != EPERM || adj_err != EPERM)
		set(r, OPEN, "clock_settime(invalid time): %s; clock_adjtime(ADJ_TICK, tick 0): %s "
			     "(EINVAL: past the filter / CAP_SYS_TIME)", en(set_err), en(adj_err));
	else
		set(r, BLOCKED, "clock_settime(invalid time): EPERM; clock_adjtime(ADJ_TICK, tick 0): EPERM");
}

static void p_sethostname(struct result *r)
{
	/* the container's own UTS namespace, set to the name it has */
	char name[256] = "";

	gethostname(name, sizeof(name) - 1);
	outcome(r, sethostname(name, strlen(name)), "sethostname (to its current name)");
}

static void p_keyctl(struct result *r)
{
	/* the process keyring dies with the process */
	long rc = syscall(SYS_add_key, "user", "ctr-probe", "x", 1, -2 /* KEY_SPEC_PROCESS_KEYRING */);

	outcome(r, rc, "add_key to the process keyring");
	if (r->status == BLOCKED) {
		rc = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
		if (rc >= 0)
			set(r, OPEN, "keyctl(GET_KEYRING_ID): succeeded");
	}
}

static void p_bpf(struct result *r)
{
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = 2;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	outcome(r, fd, "bpf(BPF_PROG_LOAD)");
	if (fd >= 0)
		close((int)fd);
}

static void p_perf_event(struct result *r)
{
	/* a software event on ourselves, closed at once */
	struct {
		uint32_t type, size;
		uint64_t config;
		uint64_t pad[14];
	} attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = 1;  /* PERF_TYPE_SOFTWARE */
	attr.size = 64; /* PERF_ATTR_SIZE_VER0 */
	attr.config = 0; /* PERF_COUNT_SW_CPU_CLOCK */
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	outcome(r, fd, "perf_event_open");
	if (fd >= 0)
		close((int)fd);
}

static void p_io_uring(struct result *r)
{
	unsigned char params[120];
	long fd;

	memset(params, 0, sizeof(params));
	fd = syscall(SYS_io_uring_setup, 1, params);
	if (fd < 0 && errno == ENOSYS) {
		set(r, SKIP, "io_uring_setup: ENOSYS (disabled in this kernel)");
		return;
	}
	outcome(r, fd, "io_uring_setup");
	if (fd >= 0)
		close((int)fd);
}

static void p_personality(struct result *r)
{
	int old = personality(0xffffffff);
	int rc = personality(ADDR_NO_RANDOMIZE);

	if (rc < 0) {
		set(r, BLOCKED, "personality(ADDR_NO_RANDOMIZE): %s (query: %s)", en(errno),
		    old < 0 ? "failed" : "ok");
		return;
	}
	personality((unsigned long)old);
	set(r, OPEN, "personality(ADDR_NO_RANDOMIZE): succeeded");
}

/* ---- namespaces ------------------------------------------------------- */

static void c_unshare_userns(struct result *r)
{
	outcome(r, unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)");
}
static void p_unshare_userns(struct result *r) { in_child(c_unshare_userns, r); }

static void c_unshare_netns(struct result *r)
{
	outcome(r, unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)");
}
static void p_unshare_netns(struct result *r) { in_child(c_unshare_netns, r); }

static void p_clone_newuser(struct result *r)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);

	if (pid == 0)
		_exit(0);
	outcome(r, pid, "clone(CLONE_NEWUSER)");
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
}

static void p_clone3(struct result *r)
{
	struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; } a;
	long pid;

	memset(&a, 0, sizeof(a));
	a.flags = CLONE_NEWUSER;
	a.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &a, sizeof(a));
	if (pid == 0)
		_exit(0);
	outcome(r, pid, "clone3(CLONE_NEWUSER)");
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
}

#if defined(__x86_64__)
/* The 32-bit syscall table, reached from a 64-bit process with int 0x80:
 * the compat architecture of the seccomp filter. */
static long sys32(long nr, long a, long b, long c, long d, long e)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

/* A kernel without IA32 emulation answers int 0x80 with a fault. */
static bool int80_works(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(sys32(20 /* getpid */, 0, 0, 0, 0, 0) > 0 ? 0 : 1);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A page below 4 GiB for the 32-bit ABI's pointers, or NULL with SKIP
 * when there is none or this kernel runs no 32-bit code. */
static void *low_page(struct result *r)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	if (p == MAP_FAILED) {
		set(r, SKIP, "mmap MAP_32BIT: %s", en(errno));
		return NULL;
	}
	if (!int80_works()) {
		set(r, SKIP, "int 0x80 faults: this kernel runs no 32-bit code (IA32 emulation off)");
		return NULL;
	}
	return p;
}

/* 32-bit socketcall(SOCKET, {family, type, protocol}): the family hides
 * behind a pointer, so the filter cannot tell AF_VSOCK from AF_INET. */
static void c_socketcall32(struct result *r)
{
	unsigned int *args = low_page(r);
	long inet, vsock;

	if (!args)
		return;
	args[0] = AF_INET, args[1] = SOCK_DGRAM, args[2] = 0;
	inet = sys32(102 /* socketcall */, 1 /* SYS_SOCKET */, (long)(uintptr_t)args, 0, 0, 0);
	args[0] = AF_VSOCK, args[1] = SOCK_STREAM;
	vsock = sys32(102, 1, (long)(uintptr_t)args, 0, 0, 0);
	if (inet >= 0 || vsock >= 0)
		set(r, OPEN, "32-bit socketcall(SOCKET): AF_INET %s, AF_VSOCK %s",
		    inet >= 0 ? "succeeded" : en((int)-inet), vsock >= 0 ? "succeeded" : en((int)-vsock));
	else
		set(r, BLOCKED, "32-bit socketcall(SOCKET): AF_INET %s, AF_VSOCK %s", en((int)-inet), en((int)-vsock));
}
static void p_socketcall32(struct result *r) { in_child(c_socketcall32, r); }

static void c_compat32(struct result *r)
{
	/* strings below 4 GiB for the 32-bit ABI */
	char *low = low_page(r);
	long rc;

	if (!low)
		return;
	snprintf(low, 64, "%s", scratch_path("probe-mnt32"));
	strcpy(low + 1024, "tmpfs");
	mkdir(low, 0700);
	rc = sys32(21 /* mount */, (long)(uintptr_t)(low + 1024), (long)(uintptr_t)low,
		   (long)(uintptr_t)(low + 1024), 0, 0);
	if (rc == 0) {
		set(r, OPEN, "32-bit mount (int 0x80): succeeded");
		umount2(low, MNT_DETACH);
		rmdir(low);
		return;
	}
	rmdir(low);
	rc = sys32(310 /* unshare */, CLONE_NEWUSER, 0, 0, 0, 0);
	if (rc == 0) {
		set(r, OPEN, "32-bit unshare(CLONE_NEWUSER) (int 0x80): succeeded");
		return;
	}
	set(r, BLOCKED, "32-bit (int 0x80) mount and unshare(CLONE_NEWUSER): %s", en((int)-rc));
}
static void p_compat32(struct result *r) { in_child(c_compat32, r); }
#else
static void p_compat32(struct result *r) { set(r, SKIP, "not x86_64"); }
static void p_socketcall32(struct result *r) { set(r, SKIP, "not x86_64"); }
#endif

static void p_setns_own(struct result *r)
{
	int fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		set(r, SKIP, "open /proc/self/ns/uts: %s", en(errno));
		return;
	}
	outcome(r, setns(fd, CLONE_NEWUTS), "setns into its own UTS namespace");
	close(fd);
}

static void p_setns_host(struct result *r)
{
	static const char *const kinds[] = { "mnt", "net", "pid", "uts", "user", "cgroup", "ipc" };
	char path[64];

	if (!opt.host_pid) {
		set(r, SKIP, "no --host-pid");
		return;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)opt.host_pid, kinds[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* joining the host's UTS namespace changes nothing by itself */
		if (strcmp(kinds[i], "uts") == 0 && setns(fd, 0) == 0) {
			set(r, OPEN, "setns %s: succeeded", path);
			close(fd);
			return;
		}
		set(r, OPEN, "opened %s", path);
		close(fd);
		return;
	}
	set(r, BLOCKED, "/proc/%d/ns/*: %s", (int)opt.host_pid, en(ENOENT));
}

static void p_host_procs(struct result *r)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], buf[256];
	int n = 0;

	if (!d) {
		set(r, BLOCKED, "open /proc: %s", en(errno));
		return;
	}
	while ((e = readdir(d))) {
		int fd;
		ssize_t len;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		n++;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len > 0) {
			buf[len] = '\0';
			if (strstr(buf, "ctr-probe-hostproc")) {
				set(r, OPEN, "sees the host process as pid %s", e->d_name);
				closedir(d);
				return;
			}
		}
	}
	closedir(d);
	if (opt.host_pid && kill(opt.host_pid, 0) == 0) {
		set(r, OPEN, "kill(%d, 0) reached a process", (int)opt.host_pid);
		return;
	}
	set(r, BLOCKED, "%d processes visible, none of the host's", n);
}

static void p_ptrace_host(struct result *r)
{
	if (!opt.host_pid) {
		set(r, SKIP, "no --host-pid");
		return;
	}
	if (ptrace(PTRACE_ATTACH, opt.host_pid, NULL, NULL) == 0) {
		waitpid(opt.host_pid, NULL, __WALL);
		ptrace(PTRACE_DETACH, opt.host_pid, NULL, NULL);
		set(r, OPEN, "ptrace(ATTACH) the host's pid %d", (int)opt.host_pid);
		return;
	}
	set(r, BLOCKED, "ptrace(ATTACH) pid %d: %s", (int)opt.host_pid, en(errno));
}

/* Not an escape: ptrace is allowed inside (docker, kernel >= 4.8); shown
 * so that the host probe above is not blocked for the wrong reason. */
static void p_ptrace_own_child(struct result *r)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0) {
		waitpid(pid, &st, 0);
		set(r, OPEN, "ptrace(ATTACH) its own child: succeeded");
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	} else {
		set(r, BLOCKED, "ptrace(ATTACH) its own child: %s", en(errno));
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* ---- what the process holds (information) ----------------------------- */

static void p_status(struct result *r)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256], out[400] = "";
	size_t len = 0;

	if (!f) {
		set(r, SKIP, "/proc/self/status: %s", en(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Cap", 3) && strncmp(line, "NoNewPrivs:", 11) &&
		    strncmp(line, "Seccomp:", 8))
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (char *p = line; *p; p++)
			if (*p == '\t')
				*p = ' ';
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", len ? ", " : "", line);
		if (len >= sizeof(out))
			break;
	}
	fclose(f);
	set(r, SKIP, "%s", out);
}

/* ---- table -------------------------------------------------------------- */

#define HOST_SAFE 1 /* read-only: also run under --mode host */

/* A probe is a function, or a check of one path (fn NULL). */
enum check { CHECK_NONE, CHECK_MASKED, CHECK_READONLY };
#define MASKED(p)   { .name = "mask:" p, .path = p, .check = CHECK_MASKED }
#define READONLY(p) { .name = "ro:" p, .path = p, .check = CHECK_READONLY }

/* A probe whose name is its function's: p_NAME. */
#define PROBE(n, fl) { .name = #n, .fn = p_##n, .flags = (fl) }

static const struct probe {
	const char *name;
	void (*fn)(struct result *);
	int flags;
	const char *path;
	enum check check;
} probes[] = {
	PROBE(status, HOST_SAFE),
	PROBE(mount_tmpfs, 0),
	PROBE(remount_root, 0),
	PROBE(remount_proc, 0),
	PROBE(pivot_root, 0),
	PROBE(chroot_escape, HOST_SAFE),
	PROBE(host_paths, HOST_SAFE),
	PROBE(volume_symlink, HOST_SAFE),
	PROBE(open_by_handle, HOST_SAFE),
	PROBE(read_kcore, 0),
	PROBE(read_keys, 0),
	PROBE(read_timer_list, 0),
	/* docker's masked paths, and the two ctr adds (interrupts, powercap) */
	MASKED("/proc/acpi"), MASKED("/proc/asound"), MASKED("/proc/interrupts"),
	MASKED("/proc/kcore"), MASKED("/proc/keys"), MASKED("/proc/latency_stats"),
	MASKED("/proc/timer_list"), MASKED("/proc/timer_stats"), MASKED("/proc/sched_debug"),
	MASKED("/proc/scsi"), MASKED("/sys/firmware"), MASKED("/sys/devices/virtual/powercap"),
	/* docker's read-only paths */
	READONLY("/proc/bus"), READONLY("/proc/fs"), READONLY("/proc/irq"),
	READONLY("/proc/sys"), READONLY("/proc/sysrq-trigger"),
	PROBE(write_sysrq, 0),
	PROBE(write_sysctl, 0),
	PROBE(write_sys, HOST_SAFE),
	PROBE(cgroup_limits, 0),
	PROBE(mknod_host_disk, 0),
	PROBE(mknod_kmsg, 0),
	PROBE(raw_devices, HOST_SAFE),
	PROBE(vsock, 0),
	PROBE(tiocsti, 0),
	PROBE(init_module, 0),
	PROBE(reboot, 0),
	PROBE(clock_settime, 0),
	PROBE(sethostname, 0),
	PROBE(keyctl, 0),
	PROBE(bpf, 0),
	{ .name = "perf_event_open", .fn = p_perf_event, .flags = 0 },
	PROBE(io_uring, 0),
	PROBE(personality, 0),
	PROBE(unshare_userns, 0),
	PROBE(unshare_netns, 0),
	PROBE(clone_newuser, 0),
	PROBE(clone3, 0),
	PROBE(compat32, 0),
	PROBE(socketcall32, HOST_SAFE),
	PROBE(af_alg, HOST_SAFE),
	/* calls newer than docker's list before 28.2, and one no kernel has */
	PROBE(statmount, HOST_SAFE),
	PROBE(listmount, HOST_SAFE),
	PROBE(lsm_get_self_attr, HOST_SAFE),
	PROBE(mseal, HOST_SAFE),
	PROBE(file_getattr, HOST_SAFE),
	PROBE(unknown_syscall, HOST_SAFE),
	PROBE(setns_own, 0),
	PROBE(setns_host, HOST_SAFE),
	PROBE(host_procs, HOST_SAFE),
	PROBE(ptrace_host, HOST_SAFE),
	PROBE(ptrace_own_child, HOST_SAFE),
	/* last: under --privileged it really unmounts (in its own namespace) */
	PROBE(umount_proc, 0),
};

static void usage(void)
{
	fputs("usage: escape [--mode container|privileged|host] [--host-pid PID]\n"
	      "              [--host-marker PATH --secret TEXT] [--volume-link PATH]\n"
	      "              [--host-dev MAJ:MIN] [--scratch DIR] [--list] [PROBE...]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	int opened = 0, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--list") == 0) {
			for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++)
				printf("%s\n", probes[k].name);
			return 0;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "--mode") == 0)
			opt.mode = strcmp(v, "privileged") == 0 ? MODE_PRIVILEGED
				 : strcmp(v, "host") == 0       ? MODE_HOST
								: MODE_CONTAINER;
		else if (strcmp(a, "--host-pid") == 0)
			opt.host_pid = (pid_t)atoi(v);
		else if (strcmp(a, "--host-marker") == 0)
			opt.host_marker = v;
		else if (strcmp(a, "--secret") == 0)
			opt.secret = v;
		else if (strcmp(a, "--volume-link") == 0)
			opt.volume_link = v;
		else if (strcmp(a, "--scratch") == 0)
			opt.scratch = v;
		else if (strcmp(a, "--host-dev") == 0) {
			unsigned maj, min;

			if (sscanf(v, "%u:%u", &maj, &min) != 2)
				usage();
			opt.host_dev = makedev(maj, min);
			opt.have_host_dev = true;
		} else
			usage();
	}
	for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
		const struct probe *p = &probes[k];
		struct result r;
		bool wanted = i >= argc;

		for (int j = i; j < argc; j++)
			if (strcmp(argv[j], p->name) == 0)
				wanted = true;
		if (!wanted)
			continue;
		memset(&r, 0, sizeof(r));
		if (opt.mode == MODE_HOST && !(p->flags & HOST_SAFE))
			continue;
		if (p->check == CHECK_MASKED)
			check_masked(&r, p->path);
		else if (p->check == CHECK_READONLY)
			check_readonly(&r, p->path);
		else
			p->fn(&r);
		if (r.status == OPEN)
			opened++;
		printf("%-18s %-7s %s\n", p->name, status_names[r.status], r.detail);
	}
	return opened > 100 ? 100 : opened;
}
