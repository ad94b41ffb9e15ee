// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's rule matching for offline checks: the rules themselves are
 * matched by include/kabiguard/match.h, the very code kabiguard.ko runs
 * (kmod/policy.c); this file only indexes a policy the way the kernel
 * does and finds the rules to try.
 *
 * Rules are hashed by (kind, name) into one open-addressing table of rule
 * indices; rules of the same key keep policy order, as in the kernel's
 * hlist buckets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KG_MATCH_RULE struct kgc_rule
#define KG_MATCH_IMPORT struct kgc_import
#define KG_MATCH_RESULT struct kgc_match
#define KG_MATCH_STORE struct kgc_matcher
#define KG_MATCH_LOOKUP kgc_match_lookup
#define KG_MATCH_ANY kgc_match_any
#include "../../include/kabiguard/match.h"

struct kgc_matcher {
	const struct kgc_policy *p;
	/* Chains: head[bucket] -> first rule index + 1, next[i] -> next. */
	uint32_t *head, *next, *hash;
	size_t mask;
	uint32_t *any;
	size_t nr_any;
};

uint32_t kgc_str_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static uint32_t kgc_key_hash(enum kabiguard_rule_kind kind, const char *name)
{
	return kgc_str_hash(name) ^ (uint32_t)kind * 0x9e3779b9u;
}

int kgc_matcher_new(struct kgc_matcher **out, const struct kgc_policy *p)
{
	struct kgc_matcher *m;
	uint32_t *tail;
	size_t i, size = 16;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->p = p;
	while (size < p->nr * 2)
		size *= 2;
	m->mask = size - 1;
	m->head = calloc(size, sizeof(*m->head));
	tail = calloc(size, sizeof(*tail));
	m->next = calloc(p->nr + 1, sizeof(*m->next));
	m->hash = calloc(p->nr + 1, sizeof(*m->hash));
	m->any = calloc(p->nr + 1, sizeof(*m->any));
	if (!m->head || !tail || !m->next || !m->hash || !m->any) {
		free(tail);
		kgc_matcher_free(m);
		return -ENOMEM;
	}
	for (i = 0; i < p->nr; i++) {
		const struct kgc_rule *r = &p->rules[i];
		size_t b;

		/* Livepatch rules allow no import (kabiguard.h). */
		if (r->kind == KABIGUARD_RULE_LIVEPATCH)
			continue;
		if (r->kind == KABIGUARD_RULE_ANY || !r->name) {
			m->any[m->nr_any++] = i;
			continue;
		}
		m->hash[i] = kgc_key_hash(r->kind, r->name);
		b = m->hash[i] & m->mask;
		/* Append: same-key rules are tried in policy order. */
		if (tail[b])
			m->next[tail[b] - 1] = i + 1;
		else
			m->head[b] = i + 1;
		tail[b] = i + 1;
	}
	free(tail);
	*out = m;
	return 0;
}

void kgc_matcher_free(struct kgc_matcher *m)
{
	if (!m)
		return;
	free(m->head);
	free(m->next);
	free(m->hash);
	free(m->any);
	free(m);
}

static bool kgc_match_lookup(const struct kgc_matcher *m, unsigned int kind,
			    const char *name, struct kg_match_ctx *c)
{
	uint32_t h = kgc_key_hash(kind, name), i;

	for (i = m->head[h & m->mask]; i; i = m->next[i - 1]) {
		const struct kgc_rule *r = &m->p->rules[i - 1];

		if (m->hash[i - 1] != h || r->kind != kind ||
		    strcmp(r->name, name))
			continue;
		if (kg_match_rule(r, c)) {
			c->res->rule = r;
			return true;
		}
	}
	return false;
}

static bool kgc_match_any(const struct kgc_matcher *m, struct kg_match_ctx *c)
{
	size_t i;

	for (i = 0; i < m->nr_any; i++) {
		const struct kgc_rule *r = &m->p->rules[m->any[i]];

		if (kg_match_rule(r, c)) {
			c->res->rule = r;
			return true;
		}
	}
	return false;
}

bool kgc_matcher_allows(const struct kgc_matcher *m, const struct kgc_import *imp,
		       const char *modname, unsigned int origin,
		       struct kgc_match *res)
{
	res->rule = NULL;
	return kg_match_import(m, imp, modname, origin, res);
}

/* The loader's test, as the matcher applies it (include/kabiguard/match.h). */
bool kgc_ns_allows_module(const char *ns, const char *modname)
{
	return kg_match_ns_lists_module(ns, modname);
}
