/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the policy parser tests (parse_symvers_test.c,
 * parse_formats_test.c): inputs are written to a fresh temporary directory
 * (parse_test_begin() makes it, parse_test_end() removes it and gives the
 * exit status), loaded with load(), their rules looked up with find().
 */
#ifndef KG_TESTS_PARSE_TEST_H
#define KG_TESTS_PARSE_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kgclient.h"
#include "tap.h"

static char tmpdir[] = "/tmp/kg-parse-test.XXXXXX";

static inline void diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline const char *tmpfile_path(const char *name)
{
	static char path[4][512];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(path[slot], sizeof(path[slot]), "%s/%s", tmpdir, name);
	return path[slot];
}

static inline const char *write_file(const char *name, const void *data, size_t len)
{
	const char *path = tmpfile_path(name);
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	return path;
}

static inline const char *write_str(const char *name, const char *s)
{
	return write_file(name, s, strlen(s));
}

static inline bool streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static inline const struct kgc_rule *find(const struct kgc_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		if (streq(p->rules[i].name, name))
			return &p->rules[i];
	return NULL;
}

static inline int load(struct kgc_policy *p, const char *path, enum kgc_format fmt,
		       char *err, size_t errlen)
{
	err[0] = '\0';
	return kgc_policy_load_file(p, path, fmt, err, errlen);
}

static inline void parse_test_begin(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(1);
	}
	printf("TAP version 13\n");
}

/* Prints the plan, removes the directory; main()'s exit status. */
static inline int parse_test_end(void)
{
	char cmd[600];

	printf("1..%u\n", tap_nr_tests);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return tap_nr_failed ? 1 : 0;
}

#endif /* KG_TESTS_PARSE_TEST_H */
