// SPDX-License-Identifier: GPL-2.0
/*
 * Audit events as JSON lines, for `kabiguardctl policy generate --audit`:
 * one object per line, as kabiguardd logs them and `kabiguardctl monitor
 * --json` prints them:
 *
 *   {"module":"foo","verdict":"audited",...,"violations":[{"symbol":"x",
 *    "namespace":"NS","exporter":"vmlinux","reason":"not-allowed",
 *    "kernel_crc":"0x12345678"},...]}
 *
 * A small strict parser (RFC 8259 syntax, nesting limited) that keeps the
 * members above and skips everything else, whatever its type. Strings are
 * unescaped; \u escapes become UTF-8 (a NUL is refused).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KG_JSON_DEPTH	32

struct kgc_json {
	const char *s, *end, *start;
	char *err;
	size_t errlen;
	bool failed;
};

static int kgc_json_fail(struct kgc_json *j, const char *what)
{
	if (!j->failed)
		snprintf(j->err, j->errlen, "column %zu: expected %s",
			 (size_t)(j->s - j->start) + 1, what);
	j->failed = true;
	return -EINVAL;
}

static void kgc_json_ws(struct kgc_json *j)
{
	while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' ||
				 *j->s == '\n' || *j->s == '\r'))
		j->s++;
}

static bool kgc_json_eat(struct kgc_json *j, char c)
{
	kgc_json_ws(j);
	if (j->s < j->end && *j->s == c) {
		j->s++;
		return true;
	}
	return false;
}

static int kgc_hex4(const char *s, unsigned int *v)
{
	unsigned int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = s[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static size_t kgc_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* A string; stored in *out (malloc'ed) when out is not NULL. */
static int kgc_json_string(struct kgc_json *j, char **out)
{
	char *buf = NULL;
	size_t n = 0;

	if (!kgc_json_eat(j, '"'))
		return kgc_json_fail(j, "a string");
	if (out) {
		/* Unescaping never makes a string longer. */
		buf = malloc(j->end - j->s + 1);
		if (!buf)
			return -ENOMEM;
	}
	while (j->s < j->end && *j->s != '"') {
		unsigned char c = *j->s++;
		char tmp[4];
		size_t tl = 1;

		if (c < 0x20)
			goto bad;
		tmp[0] = c;
		if (c == '\\') {
			unsigned int cp, lo;

			if (j->s >= j->end)
				goto bad;
			switch (*j->s++) {
			case '"': tmp[0] = '"'; break;
			case '\\': tmp[0] = '\\'; break;
			case '/': tmp[0] = '/'; break;
			case 'b': tmp[0] = '\b'; break;
			case 'f': tmp[0] = '\f'; break;
			case 'n': tmp[0] = '\n'; break;
			case 'r': tmp[0] = '\r'; break;
			case 't': tmp[0] = '\t'; break;
			case 'u':
				if (j->end - j->s < 4 || kgc_hex4(j->s, &cp))
					goto bad;
				j->s += 4;
				if (cp >= 0xd800 && cp < 0xdc00) {
					if (j->end - j->s < 6 || j->s[0] != '\\' ||
					    j->s[1] != 'u' ||
					    kgc_hex4(j->s + 2, &lo) ||
					    lo < 0xdc00 || lo >= 0xe000)
						goto bad;
					j->s += 6;
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
				} else if (cp >= 0xdc00 && cp < 0xe000) {
					goto bad;
				}
				if (!cp)
					goto bad;
				tl = kgc_utf8(tmp, cp);
				break;
			default:
				goto bad;
			}
		}
		if (buf) {
			memcpy(buf + n, tmp, tl);
			n += tl;
		}
	}
	if (j->s >= j->end)
		goto bad;
	j->s++;
	if (buf) {
		buf[n] = '\0';
		*out = buf;
	}
	return 0;
bad:
	free(buf);
	return kgc_json_fail(j, "a valid string");
}

static int kgc_json_skip(struct kgc_json *j, int depth);

static int kgc_json_literal(struct kgc_json *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->s) < n || memcmp(j->s, lit, n))
		return kgc_json_fail(j, "a JSON value");
	j->s += n;
	return 0;
}

static int kgc_json_number(struct kgc_json *j)
{
	const char *p = j->s;

	if (p < j->end && *p == '-')
		p++;
	if (p >= j->end || *p < '0' || *p > '9')
		return kgc_json_fail(j, "a number");
	if (*p == '0')
		p++;
	else
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	if (p < j->end && *p == '.') {
		p++;
		if (p >= j->end || *p < '0' || *p > '9')
			return kgc_json_fail(j, "digits after '.'");
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < j->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= j->end || *p < '0' || *p > '9')
			return kgc_json_fail(j, "an exponent");
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	j->s = p;
	return 0;
}

/* Members of an object, each handed to fn(key) which consumes the value. */
typedef int (*kgc_member_fn)(struct kgc_json *j, const char *key, void *arg,
			    int depth);

static int kgc_json_object(struct kgc_json *j, kgc_member_fn fn, void *arg,
			  int depth)
{
	int ret;

	if (depth > KG_JSON_DEPTH)
		return kgc_json_fail(j, "less nesting");
	if (!kgc_json_eat(j, '{'))
		return kgc_json_fail(j, "'{'");
	if (kgc_json_eat(j, '}'))
		return 0;
	do {
		char *key = NULL;

		ret = kgc_json_string(j, &key);
		if (ret)
			return ret;
		if (!kgc_json_eat(j, ':')) {
			free(key);
			return kgc_json_fail(j, "':'");
		}
		ret = fn ? fn(j, key, arg, depth + 1) :
			   kgc_json_skip(j, depth + 1);
		free(key);
		if (ret)
			return ret;
	} while (kgc_json_eat(j, ','));
	if (!kgc_json_eat(j, '}'))
		return kgc_json_fail(j, "',' or '}'");
	return 0;
}

static int kgc_json_skip(struct kgc_json *j, int depth)
{
	int ret;

	if (depth > KG_JSON_DEPTH)
		return kgc_json_fail(j, "less nesting");
	kgc_json_ws(j);
	if (j->s >= j->end)
		return kgc_json_fail(j, "a JSON value");
	switch (*j->s) {
	case '{':
		return kgc_json_object(j, NULL, NULL, depth);
	case '[':
		j->s++;
		if (kgc_json_eat(j, ']'))
			return 0;
		do {
			ret = kgc_json_skip(j, depth + 1);
			if (ret)
				return ret;
		} while (kgc_json_eat(j, ','));
		return kgc_json_eat(j, ']') ? 0 : kgc_json_fail(j, "',' or ']'");
	case '"':
		return kgc_json_string(j, NULL);
	case 't':
		return kgc_json_literal(j, "true");
	case 'f':
		return kgc_json_literal(j, "false");
	case 'n':
		return kgc_json_literal(j, "null");
	default:
		return kgc_json_number(j);
	}
}

/* A string member, or null (left NULL). A repeated key keeps the last. */
static int kgc_json_str_member(struct kgc_json *j, char **out)
{
	kgc_json_ws(j);
	if (j->s < j->end && *j->s == 'n')
		return kgc_json_literal(j, "null");
	free(*out);
	*out = NULL;
	return kgc_json_string(j, out);
}

static int kgc_viol_member(struct kgc_json *j, const char *key, void *arg,
			  int depth)
{
	struct kgc_audit_viol *v = arg;
	char *crc = NULL, *end;
	unsigned long val;
	int ret;

	if (!strcmp(key, "symbol"))
		return kgc_json_str_member(j, &v->symbol);
	if (!strcmp(key, "namespace"))
		return kgc_json_str_member(j, &v->ns);
	if (!strcmp(key, "exporter"))
		return kgc_json_str_member(j, &v->exporter);
	if (!strcmp(key, "reason"))
		return kgc_json_str_member(j, &v->reason);
	if (strcmp(key, "kernel_crc"))
		return kgc_json_skip(j, depth);
	/* "0x12345678" as kabiguardctl prints it; a plain number too. */
	kgc_json_ws(j);
	if (j->s < j->end && *j->s != '"') {
		const char *start = j->s;

		if (*j->s == 'n')
			return kgc_json_literal(j, "null");
		ret = kgc_json_number(j);
		if (ret)
			return ret;
		val = strtoul(start, &end, 10);
		if (end != j->s || val > UINT32_MAX)
			return kgc_json_fail(j, "a CRC (0 to 2^32-1)");
		v->kernel_crc = val;
		v->has_kernel_crc = true;
		return 0;
	}
	ret = kgc_json_string(j, &crc);
	if (ret)
		return ret;
	errno = 0;
	val = strtoul(crc, &end, 16);
	if (strncmp(crc, "0x", 2) || !crc[2] || *end || errno ||
	    val > UINT32_MAX) {
		free(crc);
		return kgc_json_fail(j, "a CRC \"0x...\"");
	}
	free(crc);
	v->kernel_crc = val;
	v->has_kernel_crc = true;
	return 0;
}

static void kgc_viol_free(struct kgc_audit_viol *v)
{
	free(v->symbol);
	free(v->ns);
	free(v->exporter);
	free(v->reason);
}

static int kgc_event_member(struct kgc_json *j, const char *key, void *arg,
			   int depth)
{
	struct kgc_audit_event *ev = arg;
	int ret;

	if (!strcmp(key, "module"))
		return kgc_json_str_member(j, &ev->module);
	if (!strcmp(key, "verdict"))
		return kgc_json_str_member(j, &ev->verdict);
	if (strcmp(key, "violations"))
		return kgc_json_skip(j, depth);
	kgc_json_ws(j);
	if (j->s < j->end && *j->s == 'n')
		return kgc_json_literal(j, "null");
	if (!kgc_json_eat(j, '['))
		return kgc_json_fail(j, "an array of violations");
	if (kgc_json_eat(j, ']'))
		return 0;
	do {
		struct kgc_audit_viol v = { 0 }, *n;

		ret = kgc_json_object(j, kgc_viol_member, &v, depth + 1);
		if (!ret && !v.symbol)
			ret = kgc_json_fail(j, "a violation with a \"symbol\"");
		if (!ret) {
			n = realloc(ev->viol, (ev->nr_viol + 1) * sizeof(*n));
			if (!n)
				ret = -ENOMEM;
			else
				ev->viol = n;
		}
		if (ret) {
			kgc_viol_free(&v);
			return ret;
		}
		ev->viol[ev->nr_viol++] = v;
	} while (kgc_json_eat(j, ','));
	return kgc_json_eat(j, ']') ? 0 : kgc_json_fail(j, "',' or ']'");
}

void kgc_audit_event_free(struct kgc_audit_event *ev)
{
	size_t i;

	free(ev->module);
	free(ev->verdict);
	for (i = 0; i < ev->nr_viol; i++)
		kgc_viol_free(&ev->viol[i]);
	free(ev->viol);
	memset(ev, 0, sizeof(*ev));
}

int kgc_audit_parse(const char *line, size_t len, struct kgc_audit_event *ev,
		   char *err, size_t errlen)
{
	struct kgc_json j = {
		.s = line, .end = line + len, .start = line,
		.err = err, .errlen = errlen,
	};
	int ret;

	memset(ev, 0, sizeof(*ev));
	kgc_json_ws(&j);
	if (j.s == j.end)
		return 1;
	ret = kgc_json_object(&j, kgc_event_member, ev, 0);
	if (!ret) {
		kgc_json_ws(&j);
		if (j.s != j.end)
			ret = kgc_json_fail(&j, "the end of the line");
	}
	if (!ret && !ev->module)
		ret = kgc_json_fail(&j, "an event with a \"module\"");
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "%s", strerror(ENOMEM));
		kgc_audit_event_free(ev);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	return 0;
}
