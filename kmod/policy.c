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
#include "kabiguard.h"

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

static bool kg_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* Reasons in increasing order of how much they tell the user. */
static const u8 kg_reason_rank[__KABIGUARD_REASON_MAX] = {
	[KABIGUARD_REASON_NOT_ALLOWED] = 0,
	[KABIGUARD_REASON_NAMESPACE] = 1,
	[KABIGUARD_REASON_UNSIGNED] = 2,
	[KABIGUARD_REASON_EXPORTER] = 3,
	[KABIGUARD_REASON_CRC_MISMATCH] = 4,
};

static void kg_note(struct kg_match *m, enum kabiguard_reason reason,
		    const struct kg_rule *r)
{
	if (kg_reason_rank[reason] < kg_reason_rank[m->reason])
		return;
	m->reason = reason;
	if (reason == KABIGUARD_REASON_CRC_MISMATCH) {
		m->has_rule_crc = true;
		m->rule_crc = r->crc;
	}
}

/*
 * A "module:" namespace (EXPORT_SYMBOL_FOR_MODULES(), v6.16, and
 * EXPORT_SYMBOL_GPL_FOR_MODULES() before it) names the modules an export is
 * for: "module:" and comma-separated names, '-' and '_' alike, a trailing
 * '*' matching any rest of the name. Does @ns list @modname? This is the
 * loader's module_match(); the loader lets a listed module use the export
 * without MODULE_IMPORT_NS(), so a SYMBOL rule without a namespace allows
 * it too. @ns comes from the exporting module: read it up to its NUL only.
 */
#define KG_MODULE_NS_PREFIX "module:"

static char kg_modname_char(char c)
{
	return c == '-' ? '_' : c;
}

static bool kg_ns_lists_module(const char *ns, const char *modname)
{
	const char *p, *m;

	if (!ns || strncmp(ns, KG_MODULE_NS_PREFIX,
			   sizeof(KG_MODULE_NS_PREFIX) - 1))
		return false;
	for (p = ns + sizeof(KG_MODULE_NS_PREFIX) - 1; *p; ) {
		for (m = modname; *p && *p != ','; p++, m++) {
			if (*p == '*' && (!p[1] || p[1] == ','))
				return true;
			if (!*m || kg_modname_char(*p) != kg_modname_char(*m))
				break;
		}
		if ((!*p || *p == ',') && !*m)
			return true;
		p = strchrnul(p, ',');
		if (*p)
			p++;
	}
	return false;
}

/*
 * Does rule @r allow @imp for module @modname? @listed: @imp is in a
 * "module:" namespace that lists @modname. When the rule names the import
 * but refuses it, the reason is noted in @m.
 */
static bool kg_rule_allows(const struct kg_rule *r, const struct kg_import *imp,
			   const char *modname, bool listed, bool sig_ok,
			   struct kg_match *m)
{
	if (r->module && strcmp(r->module, modname))
		return false;
	if (r->kind == KABIGUARD_RULE_SYMBOL && !kg_streq(r->ns, imp->ns) &&
	    (r->ns || !listed)) {
		kg_note(m, KABIGUARD_REASON_NAMESPACE, r);
		return false;
	}
	if (r->exporter && !kg_streq(r->exporter, imp->exporter)) {
		/* An ANY rule names no symbol: it just does not apply. */
		if (r->kind != KABIGUARD_RULE_ANY)
			kg_note(m, KABIGUARD_REASON_EXPORTER, r);
		return false;
	}
	if (r->has_crc && (!imp->has_crc || r->crc != imp->crc)) {
		kg_note(m, KABIGUARD_REASON_CRC_MISMATCH, r);
		return false;
	}
	if ((r->flags & KABIGUARD_RULE_F_SIGNED_ONLY) && !sig_ok) {
		kg_note(m, KABIGUARD_REASON_UNSIGNED, r);
		return false;
	}
	return true;
}

static bool kg_bucket_allows(const struct kg_policy *p, u32 kind,
			     const char *name, u32 hash,
			     const struct kg_import *imp, const char *modname,
			     bool listed, bool sig_ok, struct kg_match *m)
{
	struct kg_rule *r;

	hlist_for_each_entry(r, &p->table[kg_bucket(p, kind, hash)], hnode) {
		if (r->hash != hash || r->kind != kind || strcmp(r->name, name))
			continue;
		if (kg_rule_allows(r, imp, modname, listed, sig_ok, m))
			return true;
	}
	return false;
}

/**
 * kg_policy_allows() - check one import against a policy
 * @p: the policy, or NULL when none was ever committed (allows nothing)
 * @imp: the resolved import
 * @modname: the importing module
 * @sig_ok: whether the kernel verified the importing module's signature
 * @m: on refusal, why
 *
 * Context: RCU read-side critical section holding @p.
 * Return: true when some rule allows @imp.
 */
bool kg_policy_allows(const struct kg_policy *p, const struct kg_import *imp,
		      const char *modname, bool sig_ok, struct kg_match *m)
{
	bool listed = kg_ns_lists_module(imp->ns, modname);
	struct kg_rule *r;

	/* A listed module needs no namespace rule, as it needs no import. */
	m->reason = imp->ns && !listed ? KABIGUARD_REASON_NAMESPACE :
					 KABIGUARD_REASON_NOT_ALLOWED;
	m->has_rule_crc = false;
	m->rule_crc = 0;
	if (!p)
		return false;

	if (kg_bucket_allows(p, KABIGUARD_RULE_SYMBOL, imp->name, imp->hash,
			     imp, modname, listed, sig_ok, m))
		return true;
	if (imp->ns && kg_bucket_allows(p, KABIGUARD_RULE_NAMESPACE, imp->ns,
					kg_name_hash(imp->ns), imp, modname,
					listed, sig_ok, m))
		return true;
	hlist_for_each_entry(r, &p->any, hnode)
		if (kg_rule_allows(r, imp, modname, listed, sig_ok, m))
			return true;
	return false;
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
