// SPDX-License-Identifier: GPL-2.0
/* Appending to a kg_strbuf, for the journal records and the metrics file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabiguardd.h"

static int kgd_sb_reserve(struct kg_strbuf *b, size_t more)
{
	size_t cap;
	char *n;

	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more + 1)
		cap *= 2;
	n = realloc(b->s, cap);
	if (!n)
		return -ENOMEM;
	b->s = n;
	b->cap = cap;
	return 0;
}

int kgd_sb_put(struct kg_strbuf *b, const char *s, size_t n)
{
	if (kgd_sb_reserve(b, n))
		return -ENOMEM;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int kgd_sb_printf(struct kg_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || kgd_sb_reserve(b, n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
	return 0;
}
