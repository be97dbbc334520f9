/* SPDX-License-Identifier: MIT */
/*
 * util.h: the one error idiom and the cleanup helpers every module uses.
 *
 * Error idiom: a fallible function returns a value >= 0 on success and a
 * negative errno on failure.  At the place it fails it records what it was
 * doing with ctr_fail() (adds strerror) or ctr_failx() (a complete reason),
 * and returns that value.  Callers only propagate it.  The top (main, or the
 * supervisor reading the child's report) prints exactly one line:
 *
 *     ctr-enter: NAME: <step>: <reason>
 */
#ifndef CTR_UTIL_H
#define CTR_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CTR_PROG "ctr-enter"

/* Exit codes: docker's (docs/contract.md, ctr-enter(1) EXIT STATUS). */
#define EXIT_CTR_FAIL 125   /* ctr-enter itself failed */
#define EXIT_NOEXEC   126   /* COMMAND found but not executable */
#define EXIT_NOTFOUND 127   /* COMMAND not found */

#define CTR_ERRMSG_MAX 512

/* Record "step: strerror(-err)"; returns err (which must be negative). */
int ctr_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record "step" as the whole message (the reason is in it); returns err. */
int ctr_failx(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The recorded message ("" when none). */
const char *ctr_errmsg(void);
/*
 * A check whose failure is not (or not yet) the caller's error: a process
 * that may be gone, a best-effort clean-up.  Between ctr_error_local(&e)
 * and ctr_error_release(&e) every failure is recorded in e, a temporary
 * error of the function's own (as crun's temporary libcrun_error_t), and
 * the message recorded before stays as it was.  ctr_error_keep(&e, err)
 * releases e and records its message after all (the check's failure is
 * the caller's error); returns err.  Locals nest (innermost first);
 * _cleanup_error_ releases on every path.
 */
struct ctr_error {
	char msg[CTR_ERRMSG_MAX];
	char *outer;   /* NULL once released */
};
#define CTR_ERROR_INIT { .outer = NULL }
void ctr_error_local(struct ctr_error *e);
void ctr_error_release(struct ctr_error *e);
int ctr_error_keep(struct ctr_error *e, int err);
/* Replace the recorded message (used by the supervisor for the child's report). */
void ctr_seterrmsg(const char *msg);
/* Print "ctr-enter: NAME: MSG" (or "ctr-enter: MSG" when name is NULL). */
void ctr_report(const char *name);
/* Print a warning line in the same shape, not recorded. */
void ctr_warn(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Cleanup attributes. */
static inline void ctr_freep(void *p) { free(*(void **)p); }
static inline void ctr_closep(const int *fd) { if (*fd >= 0) close(*fd); }
static inline void ctr_fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void ctr_closedirp(DIR **d) { if (*d) closedir(*d); }
#define _cleanup_(f)     __attribute__((cleanup(f)))
#define _cleanup_free_   _cleanup_(ctr_freep)
#define _cleanup_close_  _cleanup_(ctr_closep)
#define _cleanup_fclose_ _cleanup_(ctr_fclosep)
#define _cleanup_closedir_ _cleanup_(ctr_closedirp)
#define _cleanup_error_  _cleanup_(ctr_error_release)

/* Hand an fd out of a _cleanup_close_ variable. */
static inline int ctr_steal_fd(int *fd) { int r = *fd; *fd = -1; return r; }
static inline void *ctr_steal_ptr(void *pp) { void **p = pp; void *r = *p; *p = NULL; return r; }

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Small file helpers; all return 0 / -errno and record the failure. */
int write_file_at(int dirfd, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* read() until SIZE bytes or end of file (EINTR retried); the length read,
 * or -errno (not recorded).  Short only at end of file. */
ssize_t read_full(int fd, char *buf, size_t size);
/* Reads a whole small file into *out (NUL-terminated, trailing newline kept). */
int read_file(const char *path, char **out);
int read_file_at(int dirfd, const char *path, char **out);
int read_file_regular(const char *path, char **out);
/* mkdir -p with mode; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode);
/* -w DIR: mkdir -p DIR (as whoever runs it, mode 0755 before the umask),
 * as docker does, then chdir into it; 0 / -errno ("workdir DIR: ..."). */
int workdir_enter(const char *dir);
/* Allocation that cannot fail: out of memory, they print one line and
 * _exit(125) (the only sane reaction in a one-shot tool).  Every
 * allocation in helpers/ goes through them. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xstrdup(const char *s);
void *xcalloc(size_t n, size_t size);
/* realloc of N elements of SIZE, overflow checked. */
void *xreallocarray(void *p, size_t n, size_t size);

/* Close every fd above 2 but KEEP (-1: none): nothing the caller or the
 * supervisor had open may reach the container (an inherited directory fd
 * would be a way out of the rootfs).  0 / -errno. */
int close_inherited_fds(int keep);
/* The same, keeping A and B (-1: none). */
int close_fds_except(int a, int b);

/* Undo /proc/self/mountinfo's octal escapes (\040 for a space) in place. */
void unescape_mountinfo(char *s);

/* Container names: 1..32 of [A-Za-z0-9_.-], not starting with '.' or '-',
 * no ".." anywhere (netns-setup's and ctrctl's rule; docs/contract.md). */
bool name_is_valid(const char *name);

/* Read a process's start time (field 22 of /proc/PID/stat); 0 when gone. */
unsigned long long proc_starttime(pid_t pid);

#endif
