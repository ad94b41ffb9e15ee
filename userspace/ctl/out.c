// SPDX-License-Identifier: GPL-2.0
/*
 * The one output path of kabiguardctl: every value goes through out_*(),
 * which prints it as text or as JSON: compact output, one top-level value
 * per line (so `monitor --json` is JSON lines). Values are written by the
 * library's JSON writer (kgc_json_*(), json_writer.c); this file only
 * places them (commas, keys, nesting).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "kgc_fields.h"

#define OUT_MAX_DEPTH	16

static struct {
	bool json;
	int depth;
	bool first[OUT_MAX_DEPTH];
	bool is_obj[OUT_MAX_DEPTH];
} o;

void out_set_json(bool json)
{
	o.json = json;
}

bool out_json(void)
{
	return o.json;
}

/* Writes what the library's JSON writer made of one value (json_writer.c,
 * the writer of the event line too). */
static void json_emit(struct kgc_strbuf *b, int ret)
{
	if (!ret && b->s)
		fputs(b->s, stdout);
	kgc_strbuf_free(b);
}

static void json_string(const char *str)
{
	struct kgc_strbuf b = { 0 };

	json_emit(&b, kgc_json_str(&b, str));
}

static void json_null(void)
{
	struct kgc_strbuf b = { 0 };

	json_emit(&b, kgc_json_null(&b));
}

/* Comma and key before a JSON value. */
static void json_member(const char *key)
{
	if (o.depth > 0) {
		if (!o.first[o.depth - 1])
			putchar(',');
		o.first[o.depth - 1] = false;
		if (o.is_obj[o.depth - 1]) {
			json_string(key ? key : "");
			putchar(':');
		}
	}
}

static void json_open(const char *key, bool obj)
{
	json_member(key);
	putchar(obj ? '{' : '[');
	if (o.depth < OUT_MAX_DEPTH) {
		o.first[o.depth] = true;
		o.is_obj[o.depth] = obj;
	}
	o.depth++;
}

static void json_close(bool obj)
{
	putchar(obj ? '}' : ']');
	if (o.depth > 0)
		o.depth--;
}

void out_obj_begin(const char *key)
{
	if (o.json)
		json_open(key, true);
}

void out_obj_end(void)
{
	if (o.json)
		json_close(true);
}

void out_arr_begin(const char *key)
{
	if (o.json)
		json_open(key, false);
}

void out_arr_end(void)
{
	if (o.json)
		json_close(false);
}

/*
 * Text output must not let a module name or comm drive the terminal:
 * control characters (C0, DEL, and C1 in its UTF-8 form U+0080..U+009F)
 * and the backslash become \xNN, and so does every byte that is not part
 * of a valid UTF-8 sequence (a lone 0x9b is a CSI on 8-bit terminals);
 * other UTF-8 characters are printed as they are.
 */
static void text_sanitize(char *dst, size_t size, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = 0, len;

	while (*s && n + 5 < size) {
		len = *s < 0x80 ? 1 : kgc_utf8_len(s);
		if (len > 1 && !(s[0] == 0xc2 && s[1] < 0xa0)) {
			memcpy(dst + n, s, len);
			n += len;
			s += len;
			continue;
		}
		if (*s < 0x20 || *s >= 0x7f || *s == '\\')
			n += snprintf(dst + n, size - n, "\\x%02x", *s);
		else
			dst[n++] = *s;
		s++;
	}
	dst[n] = '\0';
}

void out_str(const char *key, const char *fmt, const char *val)
{
	char buf[2048];

	if (o.json) {
		json_member(key);
		if (val)
			json_string(val);
		else
			json_null();
	} else if (fmt && val) {
		text_sanitize(buf, sizeof(buf), val);
		printf(fmt, buf);
	}
}

void out_u64(const char *key, const char *fmt, uint64_t val)
{
	if (o.json) {
		struct kgc_strbuf b = { 0 };

		json_member(key);
		json_emit(&b, kgc_json_u64(&b, val));
	} else if (fmt) {
		printf(fmt, (unsigned long long)val);
	}
}

void out_hex32(const char *key, const char *fmt, uint32_t val)
{
	struct kgc_strbuf b = { 0 };
	char buf[16];

	if (o.json) {
		json_member(key);
		json_emit(&b, kgc_json_hex32(&b, val));
	} else if (fmt) {
		snprintf(buf, sizeof(buf), "0x%08x", val);
		printf(fmt, buf);
	}
}

void out_bool(const char *key, const char *fmt, bool val)
{
	if (o.json) {
		struct kgc_strbuf b = { 0 };

		json_member(key);
		json_emit(&b, kgc_json_bool(&b, val));
	} else if (fmt) {
		printf(fmt, val ? "yes" : "no");
	}
}

void out_null(const char *key)
{
	if (o.json) {
		json_member(key);
		json_null();
	}
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (o.json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void out_flush(void)
{
	if (o.json && o.depth == 0)
		putchar('\n');
	fflush(stdout);
}

void out_rule(const struct kgc_rule *r)
{
	char line[KABIGUARD_SYMBOL_MAX + KABIGUARD_NAMESPACE_MAX +
		  2 * KABIGUARD_MODNAME_MAX + 128];

	if (!o.json) {
		kgc_rule_format(r, line, sizeof(line));
		printf("%s\n", line);
		return;
	}
	out_obj_begin(NULL);
	out_str("kind", NULL, kgc_kind_name(r->kind));
	if (r->name)
		out_str("name", NULL, r->name);
	if (r->ns)
		out_str("namespace", NULL, r->ns);
	/* Without it, a rule pinned to no namespace ("ns=-") and a
	 * name-only one (any namespace) would print alike. A namespace
	 * pins by itself; the flag says so when there is none. */
	out_bool("namespace_pinned", NULL,
		 r->kind == KABIGUARD_RULE_SYMBOL &&
		 (r->ns || (r->flags & KABIGUARD_RULE_F_NS_PINNED)));
	if (r->exporter)
		out_str("exporter", NULL, r->exporter);
	if (r->has_crc)
		out_hex32("crc", NULL, r->crc);
	if (r->module)
		out_str("module", NULL, r->module);
	out_bool("signed_only", NULL, r->flags & KABIGUARD_RULE_F_SIGNED_ONLY);
	out_bool("in_tree", NULL, r->flags & KABIGUARD_RULE_F_IN_TREE);
	out_obj_end();
}

void out_field(const struct kgc_field *f, const void *obj)
{
	if (kgc_field_null(f, obj)) {
		out_null(f->key);
		if (f->text_null)
			out_text("%s", f->text_null);
		return;
	}
	switch (f->json) {
	case KGC_J_NUM:
		out_u64(f->key, f->text, kgc_field_u64(f, obj));
		break;
	case KGC_J_BOOL:
	case KGC_J_BIT:
		out_bool(f->key, f->text, kgc_field_u64(f, obj) &
			 (f->json == KGC_J_BIT ? f->mask : 1));
		break;
	case KGC_J_HEX:
		if (*(const bool *)((const char *)obj + f->aux))
			out_hex32(f->key, f->text, kgc_field_u64(f, obj));
		else
			out_null(f->key);
		break;
	case KGC_J_STR:
	case KGC_J_STR_EMPTY:
	case KGC_J_NAME:
		out_str(f->key, f->text, kgc_field_str(f, obj));
		break;
	default:	/* KGC_J_NONE; hooks are the caller's */
		break;
	}
}
