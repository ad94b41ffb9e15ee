// SPDX-License-Identifier: GPL-2.0
/*
 * The project's one JSON writer: values appended to a struct kgc_strbuf.
 * The event line (event_json.c) and kabiguardctl's output (ctl/out.c) are
 * both written with it, so a string is escaped the same way everywhere:
 * per RFC 8259, control characters and DEL as \u00XX, and every byte that
 * is not part of a valid UTF-8 sequence as \u00XX too, so the output stays
 * valid JSON whatever the kernel sends. Members are separated by the
 * caller: the event line always has a first member, ctl/out.c tracks
 * nesting.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kgclient.h"

size_t kgc_utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/*
	 * The second byte's range for the lead bytes that allow overlong
	 * forms (E0, F0), UTF-16 surrogates (ED) or code points past
	 * U+10FFFF (F4): what RFC 3629 calls valid, so that a strict decoder
	 * reads every line, and an overlong C1 control never passes as text.
	 */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

int kgc_json_str(struct kgc_strbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int ret = kgc_strbuf_put(b, "\"", 1);

	while (!ret && *s) {
		const char *esc = NULL;
		size_t n;

		switch (*s) {
		case '"':  esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		}
		if (esc) {
			ret = kgc_strbuf_put(b, esc, strlen(esc));
		} else if (*s < 0x20 || *s == 0x7f) {
			ret = kgc_strbuf_printf(b, "\\u%04x", *s);
		} else if (*s < 0x80) {
			ret = kgc_strbuf_put(b, (const char *)s, 1);
		} else if ((n = kgc_utf8_len(s))) {
			ret = kgc_strbuf_put(b, (const char *)s, n);
			s += n;
			continue;
		} else {
			ret = kgc_strbuf_printf(b, "\\u%04x", *s);
		}
		s++;
	}
	return ret ? ret : kgc_strbuf_put(b, "\"", 1);
}

int kgc_json_key(struct kgc_strbuf *b, const char *key)
{
	int ret = kgc_strbuf_put(b, ",", 1);

	if (!ret)
		ret = kgc_json_str(b, key);
	return ret ? ret : kgc_strbuf_put(b, ":", 1);
}

int kgc_json_str_or_null(struct kgc_strbuf *b, const char *val)
{
	if (!val || !*val)
		return kgc_json_null(b);
	return kgc_json_str(b, val);
}

int kgc_json_u64(struct kgc_strbuf *b, uint64_t v)
{
	return kgc_strbuf_printf(b, "%" PRIu64, v);
}

int kgc_json_bool(struct kgc_strbuf *b, bool v)
{
	return v ? kgc_strbuf_put(b, "true", 4) : kgc_strbuf_put(b, "false", 5);
}

int kgc_json_null(struct kgc_strbuf *b)
{
	return kgc_strbuf_put(b, "null", 4);
}

int kgc_json_hex32(struct kgc_strbuf *b, uint32_t v)
{
	return kgc_strbuf_printf(b, "\"0x%08x\"", v);
}
