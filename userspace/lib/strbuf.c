// SPDX-License-Identifier: GPL-2.0
/* A growing string (struct kgc_strbuf): the JSON writer, the journal
 * records and the metrics file append to one. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kgclient.h"

void kgc_strbuf_free(struct kgc_strbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static int kgc_strbuf_reserve(struct kgc_strbuf *b, size_t more)
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

int kgc_strbuf_put(struct kgc_strbuf *b, const char *s, size_t n)
{
	if (kgc_strbuf_reserve(b, n))
		return -ENOMEM;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int kgc_strbuf_printf(struct kgc_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || kgc_strbuf_reserve(b, n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
	return 0;
}
