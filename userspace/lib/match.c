// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's rule matching (kmod/policy.c, kg_policy_allows() and
 * kg_rule_allows()) in userspace, for offline checks. Keep the two in step:
 * a module that `kabiguardctl check` passes must be one the kernel allows.
 *
 *   - SYMBOL rules are looked up by the import's name, NAMESPACE rules by
 *     its namespace (only when it has one), then every ANY rule is tried.
 *   - module= limits a rule to one module; a SYMBOL rule requires the
 *     import's namespace to be the one it names (none without ns=), except
 *     that without ns= it also allows an import in a "module:" namespace
 *     that lists the importing module (kg_ns_allows_module(), the loader's
 *     rule); from= pins the exporter, crc= the target kernel's CRC,
 *     signed-only needs a verified signature.
 *   - A refused import gets the most telling reason any rule gave:
 *     not-allowed < namespace < unsigned < exporter < crc-mismatch, and
 *     an import with a namespace starts at "namespace" (unless it is a
 *     "module:" namespace listing the importer). An ANY rule with
 *     another exporter just does not apply (no reason).
 *
 * Rules are hashed by (kind, name) into one open-addressing table of rule
 * indices; rules of the same key keep policy order, as in the kernel's
 * hlist buckets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct kg_matcher {
	const struct kg_policy *p;
	/* Chains: head[bucket] -> first rule index + 1, next[i] -> next. */
	uint32_t *head, *next, *hash;
	size_t mask;
	uint32_t *any;
	size_t nr_any;
};

uint32_t kg_str_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static uint32_t kg_key_hash(enum kabiguard_rule_kind kind, const char *name)
{
	return kg_str_hash(name) ^ (uint32_t)kind * 0x9e3779b9u;
}

int kg_matcher_new(struct kg_matcher **out, const struct kg_policy *p)
{
	struct kg_matcher *m;
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
		kg_matcher_free(m);
		return -ENOMEM;
	}
	for (i = 0; i < p->nr; i++) {
		const struct kg_rule *r = &p->rules[i];
		size_t b;

		/* Livepatch rules allow no import (kabiguard.h). */
		if (r->kind == KABIGUARD_RULE_LIVEPATCH)
			continue;
		if (r->kind == KABIGUARD_RULE_ANY || !r->name) {
			m->any[m->nr_any++] = i;
			continue;
		}
		m->hash[i] = kg_key_hash(r->kind, r->name);
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

void kg_matcher_free(struct kg_matcher *m)
{
	if (!m)
		return;
	free(m->head);
	free(m->next);
	free(m->hash);
	free(m->any);
	free(m);
}

static bool kg_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static const unsigned char kg_reason_rank[__KABIGUARD_REASON_MAX] = {
	[KABIGUARD_REASON_NOT_ALLOWED] = 0,
	[KABIGUARD_REASON_NAMESPACE] = 1,
	[KABIGUARD_REASON_UNSIGNED] = 2,
	[KABIGUARD_REASON_EXPORTER] = 3,
	[KABIGUARD_REASON_CRC_MISMATCH] = 4,
};

static void kg_note(struct kg_match *res, enum kabiguard_reason reason,
		    const struct kg_rule *r)
{
	if (kg_reason_rank[reason] < kg_reason_rank[res->reason])
		return;
	res->reason = reason;
	if (reason == KABIGUARD_REASON_CRC_MISMATCH) {
		res->has_rule_crc = true;
		res->rule_crc = r->crc;
	}
}

static bool kg_rule_allows(const struct kg_rule *r, const struct kg_import *imp,
			   const char *modname, bool listed, bool sig_ok,
			   struct kg_match *res)
{
	if (r->module && strcmp(r->module, modname))
		return false;
	if (r->kind == KABIGUARD_RULE_SYMBOL && !kg_streq(r->ns, imp->ns) &&
	    (r->ns || !listed)) {
		kg_note(res, KABIGUARD_REASON_NAMESPACE, r);
		return false;
	}
	if (r->exporter && !kg_streq(r->exporter, imp->exporter)) {
		if (r->kind != KABIGUARD_RULE_ANY)
			kg_note(res, KABIGUARD_REASON_EXPORTER, r);
		return false;
	}
	if (r->has_crc && (!imp->has_crc || r->crc != imp->crc)) {
		kg_note(res, KABIGUARD_REASON_CRC_MISMATCH, r);
		return false;
	}
	if ((r->flags & KABIGUARD_RULE_F_SIGNED_ONLY) && !sig_ok) {
		kg_note(res, KABIGUARD_REASON_UNSIGNED, r);
		return false;
	}
	res->rule = r;
	return true;
}

static bool kg_bucket_allows(const struct kg_matcher *m,
			     enum kabiguard_rule_kind kind, const char *name,
			     const struct kg_import *imp, const char *modname,
			     bool listed, bool sig_ok, struct kg_match *res)
{
	uint32_t h = kg_key_hash(kind, name), i;

	for (i = m->head[h & m->mask]; i; i = m->next[i - 1]) {
		const struct kg_rule *r = &m->p->rules[i - 1];

		if (m->hash[i - 1] != h || r->kind != kind ||
		    strcmp(r->name, name))
			continue;
		if (kg_rule_allows(r, imp, modname, listed, sig_ok, res))
			return true;
	}
	return false;
}

bool kg_matcher_allows(const struct kg_matcher *m, const struct kg_import *imp,
		       const char *modname, bool sig_ok, struct kg_match *res)
{
	bool listed = imp->ns && kg_ns_allows_module(imp->ns, modname);
	size_t i;

	res->reason = imp->ns && !listed ? KABIGUARD_REASON_NAMESPACE :
					   KABIGUARD_REASON_NOT_ALLOWED;
	res->has_rule_crc = false;
	res->rule_crc = 0;
	res->rule = NULL;
	if (!m)
		return false;
	if (kg_bucket_allows(m, KABIGUARD_RULE_SYMBOL, imp->name, imp, modname,
			     listed, sig_ok, res))
		return true;
	if (imp->ns && kg_bucket_allows(m, KABIGUARD_RULE_NAMESPACE, imp->ns,
					imp, modname, listed, sig_ok, res))
		return true;
	for (i = 0; i < m->nr_any; i++)
		if (kg_rule_allows(&m->p->rules[m->any[i]], imp, modname,
				   listed, sig_ok, res))
			return true;
	return false;
}
