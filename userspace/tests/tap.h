/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP 13 output for the host-side tests: one "ok N - ..." or
 * "not ok N - ..." line per check; main() prints the plan ("1..N") from
 * tap_nr_tests and fails when tap_nr_failed is not 0.
 */
#ifndef KG_TESTS_TAP_H
#define KG_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned int tap_nr_tests, tap_nr_failed;

static inline void ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tap_nr_tests++;
	if (!cond)
		tap_nr_failed++;
	printf("%sok %u - ", cond ? "" : "not ", tap_nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline void skip(const char *why, const char *desc)
{
	printf("ok %u - %s # SKIP %s\n", ++tap_nr_tests, desc, why);
}

#endif
