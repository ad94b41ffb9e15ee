/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy matcher, written once for kabiguard.ko (kmod/policy.c) and
 * libkgclient (userspace/lib/match.c, behind `kabiguardctl check`): the
 * verdict the guard gives at load time and the one the offline checker
 * predicts come from the same lines. The semantics are documented in
 * include/uapi/linux/kabiguard.h ("Rules") and kabiguard-policy(5).
 *
 * Each side keeps its own storage and lookup (hash tables) and, before
 * including this file, names its types (the kernel's kg_*, libkgclient's
 * kgc_*, so that a name leads to one definition):
 *
 *   KG_MATCH_RULE     its rule type: kind, flags, name, ns, exporter,
 *                     module (strings or NULL), crc, has_crc
 *   KG_MATCH_IMPORT   its import type: name, ns, exporter (strings or
 *                     NULL), crc, has_crc
 *   KG_MATCH_RESULT   where a verdict goes: reason, has_rule_crc, rule_crc
 *   KG_MATCH_STORE    the type of its rule index
 *
 * and, after it, defines the two lookups kg_match_import() calls, under
 * the names it gives them:
 *
 *   KG_MATCH_LOOKUP(store, kind, name, ctx): kg_match_rule() on each rule
 *       of that kind (SYMBOL or NAMESPACE) and name, in policy order,
 *       until one allows; true then.
 *   KG_MATCH_ANY(store, ctx): the same over the ANY rules.
 *
 * Plain C over those fields and the uapi header: no kernel header but
 * <linux/types.h> and <linux/string.h>, nothing of libc but <string.h>.
 */
#ifndef KG_MATCH_H
#define KG_MATCH_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <string.h>
#endif
#include <linux/kabiguard.h>
#include "origin.h"

/* One import being matched, and where the verdict goes. */
struct kg_match_ctx {
	const KG_MATCH_IMPORT *imp;
	const char *modname;	/* the importing module */
	bool listed;		/* imp->ns is a "module:" list naming it */
	unsigned int origin;	/* KG_MATCH_SIGNED, KG_MATCH_IN_TREE */
	KG_MATCH_RESULT *res;
};

static bool KG_MATCH_LOOKUP(const KG_MATCH_STORE *store, unsigned int kind,
			    const char *name, struct kg_match_ctx *c);
static bool KG_MATCH_ANY(const KG_MATCH_STORE *store, struct kg_match_ctx *c);

static inline bool kg_match_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

#define KG_MATCH_MODULE_NS	"module:"

static inline char kg_match_modchar(char c)
{
	return c == '-' ? '_' : c;
}

/*
 * Does the entry [e, end) of a "module:" list name @modname? '-' and '_'
 * are the same character in module names, and an entry ending in '*'
 * names every module whose name begins with the rest.
 */
static inline bool kg_match_mod_entry(const char *e, const char *end,
				      const char *modname)
{
	bool glob = end > e && end[-1] == '*';

	if (glob)
		end--;
	for (; e < end; e++, modname++)
		if (!*modname ||
		    kg_match_modchar(*e) != kg_match_modchar(*modname))
			return false;
	return glob || !*modname;
}

/**
 * kg_match_ns_lists_module() - does a module-restricted export name a module
 * @ns: the export's namespace, or NULL
 * @modname: the importing module
 *
 * EXPORT_SYMBOL_FOR_MODULES() (v6.16; EXPORT_SYMBOL_GPL_FOR_MODULES()
 * before) puts an export in the namespace "module:" followed by
 * comma-separated module names. The loader lets a module it names use the
 * export without MODULE_IMPORT_NS(). @ns comes from a module: it is read
 * up to its NUL and nothing else is assumed about it.
 *
 * Return: true when @ns is such a namespace and one entry names @modname.
 */
static inline bool kg_match_ns_lists_module(const char *ns,
					    const char *modname)
{
	const char *e, *end;

	if (!ns || strncmp(ns, KG_MATCH_MODULE_NS,
			   sizeof(KG_MATCH_MODULE_NS) - 1))
		return false;
	for (e = ns + sizeof(KG_MATCH_MODULE_NS) - 1; *e;
	     e = *end ? end + 1 : end) {
		for (end = e; *end && *end != ','; end++)
			;
		if (kg_match_mod_entry(e, end, modname))
			return true;
	}
	return false;
}

/* Reasons in increasing order of how much they tell the user. */
static inline unsigned int kg_match_rank(enum kabiguard_reason reason)
{
	switch (reason) {
	case KABIGUARD_REASON_NAMESPACE:
		return 1;
	case KABIGUARD_REASON_UNSIGNED:
		return 2;
	case KABIGUARD_REASON_OUT_OF_TREE:
		return 3;
	case KABIGUARD_REASON_EXPORTER:
		return 4;
	case KABIGUARD_REASON_CRC_MISMATCH:
		return 5;
	default:
		return 0;
	}
}

/* Rule @r names the import but refuses it for @reason: keep the best. */
static inline void kg_match_note(struct kg_match_ctx *c,
				 enum kabiguard_reason reason,
				 const KG_MATCH_RULE *r)
{
	if (kg_match_rank(reason) < kg_match_rank(c->res->reason))
		return;
	c->res->reason = reason;
	if (reason == KABIGUARD_REASON_CRC_MISMATCH) {
		c->res->has_rule_crc = true;
		c->res->rule_crc = r->crc;
	}
}

/*
 * A SYMBOL rule's namespace condition. A name-only rule (a stablelist,
 * symset or GKI list entry) allows the symbol in whatever namespace the
 * kernel exports it; whether the module may import that namespace is the
 * loader's question, answered before kabiguard runs. ns= pins the
 * namespace; KABIGUARD_RULE_F_NS_PINNED without one pins "no namespace",
 * which a "module:" list naming the importer counts as: the loader lets
 * that module use the export as if it had no namespace.
 */
static inline bool kg_match_ns_ok(const KG_MATCH_RULE *r,
				  const struct kg_match_ctx *c)
{
	if (r->ns)
		return kg_match_streq(r->ns, c->imp->ns);
	if (r->flags & KABIGUARD_RULE_F_NS_PINNED)
		return !c->imp->ns || c->listed;
	return true;
}

/**
 * kg_match_origin_ok() - may a module of this origin use rule @r at all
 * @flags: the rule's KABIGUARD_RULE_F_* flags
 * @origin: KG_MATCH_SIGNED and KG_MATCH_IN_TREE as the kernel saw them
 * @why: on false, KABIGUARD_REASON_UNSIGNED or _OUT_OF_TREE
 *
 * signed-only needs a verified signature; in-tree (only ever set with
 * signed-only) also needs the kernel's in-tree status: a signature alone
 * comes from any trusted key, enrolled MOK keys (DKMS) included.
 */
static inline bool kg_match_origin_ok(unsigned int flags, unsigned int origin,
				      enum kabiguard_reason *why)
{
	if ((flags & KABIGUARD_RULE_F_SIGNED_ONLY) &&
	    !(origin & KG_MATCH_SIGNED)) {
		*why = KABIGUARD_REASON_UNSIGNED;
		return false;
	}
	if ((flags & KABIGUARD_RULE_F_IN_TREE) &&
	    !(origin & KG_MATCH_IN_TREE)) {
		*why = KABIGUARD_REASON_OUT_OF_TREE;
		return false;
	}
	return true;
}

/**
 * kg_match_rule() - does one rule allow the import of @c
 * @r: a rule whose kind and name (if any) already match the import
 * @c: the import; when @r names it but refuses it, the reason is noted
 *
 * module= limits a rule to one module (another module: the rule does not
 * apply, no reason); then namespace, exporter, CRC, signature and
 * in-tree status are checked in that order, the first failing one giving
 * the reason.
 */
static inline bool kg_match_rule(const KG_MATCH_RULE *r,
				 struct kg_match_ctx *c)
{
	const KG_MATCH_IMPORT *imp = c->imp;
	enum kabiguard_reason why;

	if (r->module && strcmp(r->module, c->modname))
		return false;
	if (r->kind == KABIGUARD_RULE_SYMBOL && !kg_match_ns_ok(r, c)) {
		kg_match_note(c, KABIGUARD_REASON_NAMESPACE, r);
		return false;
	}
	if (r->exporter && !kg_match_streq(r->exporter, imp->exporter)) {
		/* An ANY rule names no symbol: it just does not apply. */
		if (r->kind != KABIGUARD_RULE_ANY)
			kg_match_note(c, KABIGUARD_REASON_EXPORTER, r);
		return false;
	}
	if (r->has_crc && (!imp->has_crc || r->crc != imp->crc)) {
		kg_match_note(c, KABIGUARD_REASON_CRC_MISMATCH, r);
		return false;
	}
	if (!kg_match_origin_ok(r->flags, c->origin, &why)) {
		kg_match_note(c, why, r);
		return false;
	}
	return true;
}

/**
 * kg_match_import() - check one import against a policy
 * @store: the policy's rule index, or NULL for no policy (allows nothing)
 * @imp: the resolved import (namespace, exporter and CRC as the kernel has
 *	them)
 * @modname: the importing module
 * @origin: the importing module's KG_MATCH_SIGNED and KG_MATCH_IN_TREE
 * @res: on refusal, the most telling reason any rule gave (not-allowed <
 *	namespace < unsigned < out-of-tree < exporter < crc-mismatch); an
 *	import in a namespace starts at "namespace" unless it is a "module:"
 *	list naming @modname.
 *
 * SYMBOL rules are looked up by the import's name, NAMESPACE rules by its
 * namespace (when it has one), then the ANY rules are tried.
 *
 * Return: true when some rule allows @imp.
 */
static inline bool kg_match_import(const KG_MATCH_STORE *store,
				   const KG_MATCH_IMPORT *imp,
				   const char *modname, unsigned int origin,
				   KG_MATCH_RESULT *res)
{
	struct kg_match_ctx c = {
		.imp = imp,
		.modname = modname,
		.listed = kg_match_ns_lists_module(imp->ns, modname),
		.origin = origin,
		.res = res,
	};

	res->reason = imp->ns && !c.listed ? KABIGUARD_REASON_NAMESPACE :
					     KABIGUARD_REASON_NOT_ALLOWED;
	res->has_rule_crc = false;
	res->rule_crc = 0;
	if (!store)
		return false;
	if (KG_MATCH_LOOKUP(store, KABIGUARD_RULE_SYMBOL, imp->name, &c))
		return true;
	if (imp->ns &&
	    KG_MATCH_LOOKUP(store, KABIGUARD_RULE_NAMESPACE, imp->ns, &c))
		return true;
	return KG_MATCH_ANY(store, &c);
}

#endif /* KG_MATCH_H */
