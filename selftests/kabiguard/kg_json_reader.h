/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal JSON reader for the daemon tests (the VM has no python): one
 * object per line, into path=value pairs ("module",
 * "violations.0.symbol"); strings unescaped, other values as written
 * (numbers, true, false, null).
 *
 * Include after kselftest_harness.h and kg_selftest.h.
 */
#ifndef KG_JSON_READER_H
#define KG_JSON_READER_H

#include <ctype.h>

struct kj_pair {
	char path[64];
	char val[600];
	bool is_str;
};

struct kj {
	struct kj_pair p[128];
	int n;
	const char *s;
	bool bad;
};

static inline void kj_ws(struct kj *j)
{
	while (*j->s == ' ' || *j->s == '\t')
		j->s++;
}

static inline void kj_value(struct kj *j, const char *path);

static inline void kj_add(struct kj *j, const char *path, const char *v, size_t n,
			  bool is_str)
{
	struct kj_pair *p;

	if (j->n == (int)(sizeof(j->p) / sizeof(j->p[0])))
		return;
	p = &j->p[j->n++];
	snprintf(p->path, sizeof(p->path), "%s", path);
	if (n >= sizeof(p->val))
		n = sizeof(p->val) - 1;
	memcpy(p->val, v, n);
	p->val[n] = '\0';
	p->is_str = is_str;
}

/* A string at j->s into out (unescaped, \uXXXX kept as is below 0x80). */
static inline void kj_string(struct kj *j, char *out, size_t len)
{
	size_t n = 0;

	if (*j->s != '"') {
		j->bad = true;
		return;
	}
	j->s++;
	while (*j->s && *j->s != '"') {
		char c = *j->s++;

		if (c == '\\') {
			c = *j->s++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned int u;

				if (sscanf(j->s, "%4x", &u) != 1) {
					j->bad = true;
					return;
				}
				j->s += 4;
				c = u < 0x80 ? (char)u : '?';
				break;
			}
			case '"': case '\\': case '/': break;
			default:
				j->bad = true;
				return;
			}
		} else if ((unsigned char)c < 0x20) {
			j->bad = true;
			return;
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	out[n] = '\0';
	if (*j->s != '"') {
		j->bad = true;
		return;
	}
	j->s++;
}

static inline void kj_container(struct kj *j, const char *path, bool obj)
{
	char key[64], sub[64];
	int idx = 0;

	j->s++;
	kj_ws(j);
	if (*j->s == (obj ? '}' : ']')) {
		j->s++;
		return;
	}
	for (;;) {
		kj_ws(j);
		if (obj) {
			kj_string(j, key, sizeof(key));
			kj_ws(j);
			if (j->bad || *j->s++ != ':') {
				j->bad = true;
				return;
			}
			if (snprintf(sub, sizeof(sub), "%s%s%s", path,
				     *path ? "." : "", key) >= (int)sizeof(sub))
				j->bad = true;
		} else if (snprintf(sub, sizeof(sub), "%s.%d", path, idx++) >=
			   (int)sizeof(sub)) {
			j->bad = true;
		}
		kj_ws(j);
		kj_value(j, sub);
		if (j->bad)
			return;
		kj_ws(j);
		if (*j->s == ',') {
			j->s++;
			continue;
		}
		if (*j->s++ != (obj ? '}' : ']'))
			j->bad = true;
		return;
	}
}

static inline void kj_value(struct kj *j, const char *path)
{
	const char *start = j->s;
	char buf[600];

	if (*j->s == '{') {
		kj_container(j, path, true);
	} else if (*j->s == '[') {
		kj_container(j, path, false);
	} else if (*j->s == '"') {
		kj_string(j, buf, sizeof(buf));
		kj_add(j, path, buf, strlen(buf), true);
	} else if (!strncmp(j->s, "true", 4) || !strncmp(j->s, "null", 4)) {
		j->s += 4;
		kj_add(j, path, start, 4, false);
	} else if (!strncmp(j->s, "false", 5)) {
		j->s += 5;
		kj_add(j, path, start, 5, false);
	} else if (*j->s == '-' || isdigit((unsigned char)*j->s)) {
		while (*j->s == '-' || isdigit((unsigned char)*j->s))
			j->s++;
		kj_add(j, path, start, j->s - start, false);
	} else {
		j->bad = true;
	}
}

/* 0 when line is one JSON object and nothing else. */
static inline int kj_parse(struct kj *j, const char *line)
{
	memset(j, 0, sizeof(*j));
	j->s = line;
	if (*j->s != '{')
		return -1;
	kj_value(j, "");
	return j->bad || *j->s ? -1 : 0;
}

static inline const char *kj_get(const struct kj *j, const char *path)
{
	int i;

	for (i = 0; i < j->n; i++)
		if (!strcmp(j->p[i].path, path))
			return j->p[i].val;
	return NULL;
}

static inline bool kj_is(const struct kj *j, const char *path, const char *want)
{
	const char *v = kj_get(j, path);

	return v && !strcmp(v, want);
}

static inline uint64_t kj_u64(const struct kj *j, const char *path)
{
	const char *v = kj_get(j, path);

	return v ? strtoull(v, NULL, 10) : 0;
}

#endif /* KG_JSON_READER_H */
