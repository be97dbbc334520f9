/* SPDX-License-Identifier: MIT */
/*
 * unit.h: the checks of the unit tests (tests/unit/test-*.c).  Each test
 * program links the real objects of ctr-enter (or includes netcfg.c),
 * needs no root, prints one line per failed check and ends with
 * "NAME: N passed, N failed"; it exits 1 when a check failed.
 * `make unit` builds and runs them all (tests/unit/run adds them up).
 */
#ifndef CTR_UNIT_H
#define CTR_UNIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static int unit_passed, unit_failed;

/* CHECK(condition, "what, printf-style", ...): counted; a failure is printed. */
#define CHECK(cond, ...) unit_check((cond), __FILE__, __LINE__, __VA_ARGS__)

static inline __attribute__((format(printf, 4, 5)))
void unit_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		unit_passed++;
		return;
	}
	unit_failed++;
	printf("FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The message the last failing call recorded contains WANT ("" for any). */
static inline bool errmsg_has(const char *want)
{
	return strstr(ctr_errmsg(), want) != NULL;
}

/* Forget the recorded message before the next case. */
static inline void errmsg_clear(void)
{
	ctr_seterrmsg("");
}

static inline int unit_end(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
