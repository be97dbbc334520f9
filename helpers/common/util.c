/* SPDX-License-Identifier: MIT */
/* util.c: error recording, file helpers, allocation that cannot fail. */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "util.h"

/* Where failures are recorded: the process's message, or the innermost
 * local error (ctr_error_local). */
static char process_errmsg[CTR_ERRMSG_MAX];
static char *errmsg = process_errmsg;

static void record(int err, bool with_errno, const char *fmt, va_list ap)
{
	int n = vsnprintf(errmsg, CTR_ERRMSG_MAX, fmt, ap);

	if (n < 0)
		n = 0;
	if (with_errno && (size_t)n < CTR_ERRMSG_MAX)
		snprintf(errmsg + n, CTR_ERRMSG_MAX - (size_t)n, ": %s", strerror(-err));
}

void ctr_error_local(struct ctr_error *e)
{
	e->msg[0] = '\0';
	e->outer = errmsg;
	errmsg = e->msg;
}

void ctr_error_release(struct ctr_error *e)
{
	if (!e->outer)
		return;
	errmsg = e->outer;
	e->outer = NULL;
}

int ctr_error_keep(struct ctr_error *e, int err)
{
	ctr_error_release(e);
	snprintf(errmsg, CTR_ERRMSG_MAX, "%s", e->msg);
	return err;
}

int ctr_fail(int err, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	record(err, true, fmt, ap);
	va_end(ap);
	errno = saved;
	return err;
}

int ctr_failx(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(err, false, fmt, ap);
	va_end(ap);
	return err;
}

const char *ctr_errmsg(void)
{
	return errmsg;
}

void ctr_seterrmsg(const char *msg)
{
	snprintf(errmsg, CTR_ERRMSG_MAX, "%s", msg);
}

void ctr_report(const char *name)
{
	if (name && *name)
		fprintf(stderr, CTR_PROG ": %s: %s\n", name, errmsg[0] ? errmsg : "unknown error");
	else
		fprintf(stderr, CTR_PROG ": %s\n", errmsg[0] ? errmsg : "unknown error");
}

void ctr_warn(const char *name, const char *fmt, ...)
{
	char buf[CTR_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (name && *name)
		fprintf(stderr, CTR_PROG ": %s: %s\n", name, buf);
	else
		fprintf(stderr, CTR_PROG ": %s\n", buf);
}

static void oom(void)
{
	fputs(CTR_PROG ": out of memory\n", stderr);
	_exit(EXIT_CTR_FAIL);
}

static void *xrealloc(void *p, size_t size)
{
	void *n = realloc(p, size);

	if (!n && size)
		oom();
	return n;
}

ssize_t read_full(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len < size) {
		ssize_t n = read(fd, buf + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

static int vwrite_at(int dirfd, const char *path, const char *fmt, va_list ap)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	int len = vasprintf(&buf, fmt, ap);
	ssize_t n;

	if (len < 0)
		return ctr_fail(-ENOMEM, "format %s", path);
	fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ctr_fail(-errno, "open %s", path);
	n = write(fd, buf, (size_t)len);
	if (n < 0)
		return ctr_fail(-errno, "write '%s' to %s", buf, path);
	if (n != len)
		return ctr_fail(-EIO, "short write to %s", path);
	return 0;
}

int write_file_at(int dirfd, const char *path, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vwrite_at(dirfd, path, fmt, ap);
	va_end(ap);
	return r;
}

int read_file_at(int dirfd, const char *path, char **out)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0)
		return ctr_fail(-errno, "open %s", path);
	for (;;) {
		ssize_t n;

		if (cap - len < 256) {
			cap = cap ? cap * 2 : 1024;
			buf = xrealloc(buf, cap);
		}
		n = read_full(fd, buf + len, cap - len - 1);
		if (n < 0)
			return ctr_fail((int)n, "read %s", path);
		len += (size_t)n;
		if (len < cap - 1)
			break;   /* read_full stops short only at end of file */
	}
	buf[len] = '\0';
	*out = ctr_steal_ptr(&buf);
	return 0;
}

int read_file(const char *path, char **out)
{
	return read_file_at(AT_FDCWD, path, out);
}

/* A file in a directory someone else may write to (a user's run dir): not
 * through a symlink, a regular file only (O_NONBLOCK: a FIFO planted there
 * does not block the open), at most READ_REGULAR_MAX bytes. */
#define READ_REGULAR_MAX (1 << 20)
int read_file_regular(const char *path, char **out)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return ctr_fail(-errno, "open %s", path);
	if (fstat(fd, &st) < 0)
		return ctr_fail(-errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return ctr_failx(-EINVAL, "%s: not a regular file", path);
	if (st.st_size > READ_REGULAR_MAX)
		return ctr_failx(-EFBIG, "%s: larger than %d bytes", path, READ_REGULAR_MAX);
	buf = xcalloc((size_t)st.st_size + 1, 1);
	n = read_full(fd, buf, (size_t)st.st_size);
	if (n < 0)
		return ctr_fail((int)n, "read %s", path);
	buf[n] = '\0';
	*out = ctr_steal_ptr(&buf);
	return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return ctr_fail(-errno, "mkdir %s", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return ctr_fail(-errno, "mkdir %s", p);
	return 0;
}

int workdir_enter(const char *dir)
{
	char why[CTR_ERRMSG_MAX];
	int r = mkdir_p(dir, 0755);

	if (r == 0 && chdir(dir) < 0)
		r = ctr_fail(-errno, "chdir");
	if (r == 0)
		return 0;
	snprintf(why, sizeof(why), "%s", ctr_errmsg());
	return ctr_failx(r, "workdir %s: %s", dir, why);
}


char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return s;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		oom();
	return d;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		oom();
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom();
	return xrealloc(p, n * size);
}

bool name_is_valid(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > 32 || name[0] == '.' || name[0] == '-' || strstr(name, ".."))
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == len;
}

unsigned long long proc_starttime(pid_t pid)
{
	char path[64];
	_cleanup_free_ char *buf = NULL;
	unsigned long long st = 0;
	_cleanup_error_ struct ctr_error gone = CTR_ERROR_INIT;
	int saved_errno = errno;
	char *p;

	/* A missing process is not an error worth recording. */
	ctr_error_local(&gone);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, &buf) < 0) {
		errno = saved_errno;
		return 0;
	}
	ctr_error_release(&gone);
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* After "pid (comm)": field 3 is state; starttime is field 22. */
	p += 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		st = strtoull(p, NULL, 10);
	return st;
}

static int close_range_of(unsigned int lo, unsigned int hi)
{
#ifdef SYS_close_range
	if (lo > hi)
		return 0;
	return syscall(SYS_close_range, lo, hi, 0) < 0 ? -errno : 0;
#else
	(void)lo;
	(void)hi;
	return -ENOSYS;
#endif
}

/* Before Linux 5.9 (Ubuntu 20.04's 5.4): walk /proc/self/fd. */
static int close_listed_fds(int a, int b)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return ctr_fail(-errno, "list open file descriptors");
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (fd > 2 && fd != a && fd != b && fd != dirfd(d))
			close(fd);
	}
	return 0;
}

int close_fds_except(int a, int b)
{
	unsigned int lo = 3;
	int keep[2] = { a < b ? a : b, a < b ? b : a };
	int r = 0;

	for (int i = 0; i < 2 && r == 0; i++) {
		if (keep[i] < (int)lo)
			continue;
		r = close_range_of(lo, (unsigned int)keep[i] - 1);
		lo = (unsigned int)keep[i] + 1;
	}
	if (r == 0)
		r = close_range_of(lo, ~0U);
	if (r == 0)
		return 0;
	return close_listed_fds(a, b);
}

int close_inherited_fds(int keep)
{
	return close_fds_except(keep, -1);
}

void unescape_mountinfo(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}
