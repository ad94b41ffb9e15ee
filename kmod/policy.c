// SPDX-License-Identifier: GPL-2.0
/*
 * Rules and the policy built from them.
 *
 * A policy is immutable once built: the notifier reads it under
 * rcu_read_lock() while a commit swaps in a new one, and the old one is
 * freed from a workqueue after a grace period (freeing tens of thousands of
 * rules does not belong in softirq context). SYMBOL and NAMESPACE rules sit
 * in one hash table keyed by kind and name, so matching an import costs one
 * or two bucket walks whatever the policy's size; ANY rules are few and sit
 * in a list of their own.
 */
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include "guard.h"

static struct workqueue_struct *kg_free_wq;

/* SYMBOL and NAMESPACE rules share the table: the kind picks another bucket. */
static unsigned int kg_bucket(const struct kg_policy *p, u32 kind, u32 hash)
{
	return hash_32(hash + kind, p->hash_bits);
}

struct kg_rule_chunk {
	struct list_head node;
	size_t size, used;
	char data[] __aligned(8);
};

void kg_rule_set_init(struct kg_rule_set *set)
{
	INIT_LIST_HEAD(&set->rules);
	INIT_LIST_HEAD(&set->chunks);
	set->nr = 0;
}

void kg_rule_set_free(struct kg_rule_set *set)
{
	struct kg_rule_chunk *c, *tmp;

	list_for_each_entry_safe(c, tmp, &set->chunks, node)
		kvfree(c);
	kg_rule_set_init(set);
}

/* Move every rule of @from, and the memory they live in, to the end of @to. */
void kg_rule_set_splice(struct kg_rule_set *from, struct kg_rule_set *to)
{
	list_splice_tail_init(&from->rules, &to->rules);
	list_splice_tail_init(&from->chunks, &to->chunks);
	to->nr += from->nr;
	from->nr = 0;
}

static size_t kg_len(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Bytes kg_rule_set_add() takes for @spec. */
static size_t kg_rule_size(const struct kg_rule_spec *spec)
{
	struct kg_rule *r;

	return ALIGN(struct_size(r, strings, kg_len(spec->name) +
				 kg_len(spec->ns) + kg_len(spec->exporter) +
				 kg_len(spec->module)), 8);
}

/* Make room for rules of @bytes in all (the sum of their kg_rule_size()). */
int kg_rule_set_reserve(struct kg_rule_set *set, size_t bytes)
{
	struct kg_rule_chunk *c;

	c = kvmalloc(struct_size(c, data, bytes), GFP_KERNEL_ACCOUNT);
	if (!c)
		return -ENOMEM;
	c->size = bytes;
	c->used = 0;
	list_add_tail(&c->node, &set->chunks);
	return 0;
}

static const char *kg_copy(char **pos, const char *s)
{
	char *d = *pos;
	size_t len;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	memcpy(d, s, len);
	*pos += len;
	return d;
}

/**
 * kg_rule_set_add() - append a rule, with its own copy of the spec's strings
 * @set: where to add it; kg_rule_set_reserve() made room for it
 * @spec: validated rule description
 */
void kg_rule_set_add(struct kg_rule_set *set, const struct kg_rule_spec *spec)
{
	struct kg_rule_chunk *c = list_last_entry(&set->chunks,
						  struct kg_rule_chunk, node);
	size_t size = kg_rule_size(spec);
	struct kg_rule *r;
	char *pos;

	if (WARN_ON_ONCE(c->used + size > c->size))
		return;
	r = (struct kg_rule *)&c->data[c->used];
	c->used += size;
	memset(r, 0, sizeof(*r));
	pos = r->strings;
	r->kind = spec->kind;
	r->has_crc = spec->has_crc;
	r->crc = spec->crc;
	r->flags = spec->flags;
	r->name = kg_copy(&pos, spec->name);
	r->ns = kg_copy(&pos, spec->ns);
	r->exporter = kg_copy(&pos, spec->exporter);
	r->module = kg_copy(&pos, spec->module);
	if (r->name)
		r->hash = kg_name_hash(r->name);
	list_add_tail(&r->set_node, &set->rules);
	set->nr++;
}

/**
 * kg_policy_build() - turn a committed transaction into a policy
 * @set: the transaction's rules; on success they belong to the policy
 * @generation: the generation the policy will carry
 *
 * Return: the policy, or NULL when out of memory (@set untouched).
 */
struct kg_policy *kg_policy_build(struct kg_rule_set *set, u64 generation)
{
	struct kg_policy *p;
	struct kg_rule *r;
	u32 i = 0;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	p->hash_bits = ilog2(roundup_pow_of_two(max(set->nr, 16U)));
	p->table = kvcalloc(1U << p->hash_bits, sizeof(*p->table),
			    GFP_KERNEL_ACCOUNT);
	p->rules = kvcalloc(max(set->nr, 1U), sizeof(*p->rules),
			    GFP_KERNEL_ACCOUNT);
	if (!p->table || !p->rules)
		goto free_arrays;

	p->generation = generation;
	INIT_HLIST_HEAD(&p->any);
	INIT_HLIST_HEAD(&p->livepatch);
	list_for_each_entry(r, &set->rules, set_node) {
		/* Never seen by the per-import matching below. */
		if (r->kind == KABIGUARD_RULE_LIVEPATCH)
			hlist_add_head(&r->hnode, &p->livepatch);
		else if (r->kind == KABIGUARD_RULE_ANY)
			hlist_add_head(&r->hnode, &p->any);
		else
			hlist_add_head(&r->hnode,
				       &p->table[kg_bucket(p, r->kind, r->hash)]);
		p->nr_kind[r->kind]++;
		p->rules[i++] = r;
	}
	p->nr_rules = i;
	kg_rule_set_init(&p->set);
	kg_rule_set_splice(set, &p->set);
	return p;

free_arrays:
	kvfree(p->rules);
	kvfree(p->table);
	kfree(p);
	return NULL;
}

void kg_policy_free(struct kg_policy *p)
{
	if (!p)
		return;
	kg_rule_set_free(&p->set);
	kvfree(p->rules);
	kvfree(p->table);
	kfree(p);
}

static void kg_policy_free_work(struct work_struct *work)
{
	kg_policy_free(container_of(to_rcu_work(work), struct kg_policy,
				    free_work));
}

/* Free @p once no reader can still hold it. */
void kg_policy_free_deferred(struct kg_policy *p)
{
	if (!p)
		return;
	INIT_RCU_WORK(&p->free_work, kg_policy_free_work);
	queue_rcu_work(kg_free_wq, &p->free_work);
}

/*
 * The matching itself is include/kabiguard/match.h, shared with the offline
 * checker; this file only finds the rules it tries.
 */
#define KG_MATCH_RULE struct kg_rule
#define KG_MATCH_IMPORT struct kg_import
#define KG_MATCH_RESULT struct kg_match
#define KG_MATCH_STORE struct kg_policy
#define KG_MATCH_LOOKUP kg_match_lookup
#define KG_MATCH_ANY kg_match_any
#include "../include/kabiguard/match.h"

static bool kg_match_lookup(const struct kg_policy *p, unsigned int kind,
			    const char *name, struct kg_match_ctx *c)
{
	u32 hash = name == c->imp->name ? c->imp->hash : kg_name_hash(name);
	struct kg_rule *r;

	hlist_for_each_entry(r, &p->table[kg_bucket(p, kind, hash)], hnode) {
		if (r->hash != hash || r->kind != kind || strcmp(r->name, name))
			continue;
		if (kg_match_rule(r, c))
			return true;
	}
	return false;
}

static bool kg_match_any(const struct kg_policy *p, struct kg_match_ctx *c)
{
	struct kg_rule *r;

	hlist_for_each_entry(r, &p->any, hnode)
		if (kg_match_rule(r, c))
			return true;
	return false;
}

/**
 * kg_policy_allows() - check one import against a policy
 * @p: the policy, or NULL when none was ever committed (allows nothing)
 * @imp: the resolved import
 * @modname: the importing module
 * @origin: the importing module's KG_MATCH_SIGNED and KG_MATCH_IN_TREE
 * @m: on refusal, why
 *
 * Context: RCU read-side critical section holding @p.
 * Return: true when some rule allows @imp.
 */
bool kg_policy_allows(const struct kg_policy *p, const struct kg_import *imp,
		      const char *modname, unsigned int origin,
		      struct kg_match *m)
{
	return kg_match_import(p, imp, modname, origin, m);
}

/**
 * kg_policy_origin_ok() - may a module of @origin use rule @r at all
 * @r: a rule
 * @origin: the module's KG_MATCH_SIGNED and KG_MATCH_IN_TREE
 *
 * For the rules outside the per-import matching (livepatch rules).
 * Return: true unless signed-only or in-tree excludes the module.
 */
bool kg_policy_origin_ok(const struct kg_rule *r, unsigned int origin)
{
	enum kabiguard_reason why;

	return kg_match_origin_ok(r->flags, origin, &why);
}

int kg_policy_init(void)
{
	kg_free_wq = alloc_workqueue("kabiguard_free", WQ_UNBOUND, 0);
	return kg_free_wq ? 0 : -ENOMEM;
}

/* Wait for every deferred free; no policy may be queued afterwards. */
void kg_policy_exit(void)
{
	rcu_barrier();
	destroy_workqueue(kg_free_wq);
}
