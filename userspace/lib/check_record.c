// SPDX-License-Identifier: GPL-2.0
/*
 * The record in which a worker process (check_workers.c) sends a module it
 * read back to the checker: the result's modinfo, or its error, serialized
 * field by field (strings with their length, NULL as 0xffffffff).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offline_check.h"

static void kgc_put(struct kgc_buf *b, const void *src, size_t len)
{
	if (b->bad)
		return;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		unsigned char *n;

		while (cap < b->len + len)
			cap *= 2;
		n = realloc(b->d, cap);
		if (!n) {
			b->bad = true;
			return;
		}
		b->d = n;
		b->cap = cap;
	}
	memcpy(b->d + b->len, src, len);
	b->len += len;
}

static void kgc_put_u32(struct kgc_buf *b, uint32_t v)
{
	kgc_put(b, &v, sizeof(v));
}

/* NULL is length 0xffffffff. */
static void kgc_put_str(struct kgc_buf *b, const char *s)
{
	uint32_t len = s ? strlen(s) : UINT32_MAX;

	kgc_put_u32(b, len);
	if (s)
		kgc_put(b, s, len);
}

static bool kgc_get(struct kgc_buf *b, void *dst, size_t len)
{
	if (b->bad || b->len - b->pos < len) {
		b->bad = true;
		return false;
	}
	memcpy(dst, b->d + b->pos, len);
	b->pos += len;
	return true;
}

static uint32_t kgc_get_u32(struct kgc_buf *b)
{
	uint32_t v = 0;

	kgc_get(b, &v, sizeof(v));
	return v;
}

static char *kgc_get_str(struct kgc_buf *b)
{
	uint32_t len = kgc_get_u32(b);
	char *s;

	if (len == UINT32_MAX || b->bad)
		return NULL;
	if (b->len - b->pos < len) {
		b->bad = true;
		return NULL;
	}
	s = malloc(len + 1);
	if (!s) {
		b->bad = true;
		return NULL;
	}
	kgc_get(b, s, len);
	s[len] = '\0';
	return s;
}

static void kgc_put_syms(struct kgc_buf *b, const struct kgc_modsym *v,
			size_t nr)
{
	size_t i;

	kgc_put_u32(b, nr);
	for (i = 0; i < nr; i++) {
		kgc_put_str(b, v[i].name);
		kgc_put_u32(b, v[i].crc);
		kgc_put_u32(b, v[i].has_crc | v[i].weak << 1);
	}
}

static void kgc_get_syms(struct kgc_buf *b, struct kgc_modsym **v, size_t *nr)
{
	uint32_t i, n = kgc_get_u32(b), f;

	if (n > b->len)
		b->bad = true;
	if (!b->bad && n) {
		*v = calloc(n, sizeof(**v));
		b->bad = !*v;
	}
	for (i = 0; i < n && !b->bad; i++, (*nr)++) {
		(*v)[i].name = kgc_get_str(b);
		(*v)[i].crc = kgc_get_u32(b);
		f = kgc_get_u32(b);
		(*v)[i].has_crc = f & 1;
		(*v)[i].weak = f & 2;
	}
}

/* Record: u32 length of the rest, u32 index, i32 err, then either the
 * error message or the modinfo. */
void kgc_put_result(struct kgc_buf *b, size_t idx,
		    const struct kgc_check_result *r)
{
	const struct kgc_modinfo *mi = &r->mi;
	size_t start = b->len, i;
	uint32_t len;

	kgc_put_u32(b, 0);
	kgc_put_u32(b, idx);
	kgc_put_u32(b, (uint32_t)r->err);
	if (r->err) {
		kgc_put_str(b, r->errmsg);
	} else {
		kgc_put_str(b, mi->path);
		kgc_put_str(b, mi->name);
		kgc_put_str(b, mi->vermagic);
		kgc_put_str(b, mi->signer);
		kgc_put_u32(b, mi->has_versions | mi->has_ext_versions << 1 |
			   mi->signed_file << 2);
		kgc_put_u32(b, mi->nr_import_ns);
		for (i = 0; i < mi->nr_import_ns; i++)
			kgc_put_str(b, mi->import_ns[i]);
		kgc_put_syms(b, mi->imports, mi->nr_imports);
		kgc_put_syms(b, mi->crc_checks, mi->nr_crc_checks);
	}
	if (b->bad)
		return;
	len = b->len - start - sizeof(len);
	memcpy(b->d + start, &len, sizeof(len));
}

/* The records of one worker are trusted as much as the worker: only
 * bounds are checked. */
int kgc_get_result(struct kgc_buf *b, size_t nr,
		   struct kgc_check_result *results, size_t *idx)
{
	struct kgc_check_result *r;
	struct kgc_modinfo *mi;
	uint32_t i, n, f;

	*idx = kgc_get_u32(b);
	if (b->bad || *idx >= nr)
		return -EBADMSG;
	r = &results[*idx];
	mi = &r->mi;
	r->err = (int32_t)kgc_get_u32(b);
	if (r->err) {
		char *msg = kgc_get_str(b);

		snprintf(r->errmsg, sizeof(r->errmsg), "%s", msg ? msg : "?");
		free(msg);
		return b->bad ? -EBADMSG : 0;
	}
	mi->path = kgc_get_str(b);
	mi->name = kgc_get_str(b);
	mi->vermagic = kgc_get_str(b);
	mi->signer = kgc_get_str(b);
	f = kgc_get_u32(b);
	mi->has_versions = f & 1;
	mi->has_ext_versions = f & 2;
	mi->signed_file = f & 4;
	n = kgc_get_u32(b);
	if (n > b->len)
		b->bad = true;
	if (!b->bad && n) {
		mi->import_ns = calloc(n, sizeof(*mi->import_ns));
		b->bad = !mi->import_ns;
	}
	for (i = 0; i < n && !b->bad; i++, mi->nr_import_ns++)
		mi->import_ns[i] = kgc_get_str(b);
	kgc_get_syms(b, &mi->imports, &mi->nr_imports);
	kgc_get_syms(b, &mi->crc_checks, &mi->nr_crc_checks);
	if (b->bad || !mi->path || !mi->name)
		return -EBADMSG;
	for (i = 0; i < mi->nr_import_ns; i++)
		if (!mi->import_ns[i])
			return -EBADMSG;
	for (i = 0; i < mi->nr_imports; i++)
		if (!mi->imports[i].name)
			return -EBADMSG;
	for (i = 0; i < mi->nr_crc_checks; i++)
		if (!mi->crc_checks[i].name)
			return -EBADMSG;
	return 0;
}
