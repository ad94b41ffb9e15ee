/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The matcher's semantics (kabiguard-policy(5), "Matching") as tables: for
 * one rule and one import, whether the rule allows it and, if not, the
 * reason the verdict gives. Shared by userspace/tests/match_table_test.c (the
 * host: libkgclient's matcher over every combination) and
 * selftests/kabiguard/match_test.c (the kernel: the same combinations
 * through KABIGUARD_CMD_SCAN on real exports). Each dimension is spelt
 * out as a table a reader can check against the man page; mt_expect() only
 * walks them in the documented order.
 */
#ifndef KG_MATCH_TABLE_H
#define KG_MATCH_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/kabiguard.h>
#include "kgclient.h"

/* The import's namespace, as the kernel exports it. */
enum mt_imp_ns {
	MT_IMP_NONE,		/* in no namespace */
	MT_IMP_NAMED,		/* a namespace (USB_STORAGE, ...) */
	MT_IMP_LISTED,		/* "module:..." naming the importer */
	MT_IMP_UNLISTED,	/* "module:..." not naming it */
	MT_NR_IMP_NS
};

/*
 * A SYMBOL rule's namespace; a NAMESPACE rule's name (SAME or OTHER only);
 * ANY rules have none (ANY).
 */
enum mt_rule_ns {
	MT_NS_ANY,		/* name-only: no ns=, not pinned */
	MT_NS_NONE,		/* ns=-: pinned to no namespace */
	MT_NS_SAME,		/* ns= the import's own namespace */
	MT_NS_OTHER,		/* ns= another namespace */
	MT_NR_RULE_NS
};

/* from=, crc= and module=: absent, the import's own, another. */
enum mt_pin { MT_PIN_NONE, MT_PIN_SAME, MT_PIN_OTHER, MT_NR_PIN };

struct mt_case {
	enum kabiguard_rule_kind kind;
	enum mt_rule_ns ns;
	enum mt_pin exporter, crc, module;
	bool signed_only;
	bool in_tree;		/* "signed-only in-tree" (never in-tree alone) */
	enum mt_imp_ns imp_ns;
	bool imp_crc;		/* the kernel has a CRC for the import */
	bool sig_ok;		/* the importer's signature was verified */
	bool imp_in_tree;	/* the importer is not tainted out-of-tree */
};

/* SYMBOL rule: does its namespace condition hold? [rule ns][import ns] */
static const bool mt_sym_ns_ok[MT_NR_RULE_NS][MT_NR_IMP_NS] = {
	/*		NONE   NAMED  LISTED UNLISTED */
	[MT_NS_ANY]   = { true,  true,  true,  true },
	[MT_NS_NONE]  = { true,  false, true,  false },
	[MT_NS_SAME]  = { false, true,  true,  true },	/* NONE: not made */
	[MT_NS_OTHER] = { false, false, false, false },
};

/* NAMESPACE rule: is it looked up for the import? [rule name][import ns] */
static const bool mt_ns_rule_found[MT_NR_RULE_NS][MT_NR_IMP_NS] = {
	[MT_NS_SAME]  = { false, true,  true,  true },	/* NONE: not made */
	[MT_NS_OTHER] = { false, false, false, false },
};

/* The reason before any rule spoke: only "module:" lists naming the
 * importer count as no namespace. */
static const enum kabiguard_reason mt_start[MT_NR_IMP_NS] = {
	[MT_IMP_NONE] = KABIGUARD_REASON_NOT_ALLOWED,
	[MT_IMP_NAMED] = KABIGUARD_REASON_NAMESPACE,
	[MT_IMP_LISTED] = KABIGUARD_REASON_NOT_ALLOWED,
	[MT_IMP_UNLISTED] = KABIGUARD_REASON_NAMESPACE,
};

/* Which reason wins when rules disagree: the higher. */
static const unsigned int mt_rank[__KABIGUARD_REASON_MAX] = {
	[KABIGUARD_REASON_NOT_ALLOWED] = 0,
	[KABIGUARD_REASON_NAMESPACE] = 1,
	[KABIGUARD_REASON_UNSIGNED] = 2,
	[KABIGUARD_REASON_OUT_OF_TREE] = 3,
	[KABIGUARD_REASON_EXPORTER] = 4,
	[KABIGUARD_REASON_CRC_MISMATCH] = 5,
};

/* The importer's origin as the matcher takes it (KG_MATCH_*). */
static inline unsigned int mt_origin(const struct mt_case *c)
{
	return (c->sig_ok ? KG_MATCH_SIGNED : 0) |
	       (c->imp_in_tree ? KG_MATCH_IN_TREE : 0);
}

/* Can the case be written down at all? */
static inline bool mt_valid(const struct mt_case *c)
{
	switch (c->kind) {
	case KABIGUARD_RULE_SYMBOL:
		if (c->ns == MT_NS_SAME && c->imp_ns == MT_IMP_NONE)
			return false;	/* that is MT_NS_NONE */
		if (c->crc == MT_PIN_SAME && !c->imp_crc)
			return false;	/* no CRC to pin */
		return true;
	case KABIGUARD_RULE_NAMESPACE:
		if (c->ns != MT_NS_SAME && c->ns != MT_NS_OTHER)
			return false;
		if (c->ns == MT_NS_SAME && c->imp_ns == MT_IMP_NONE)
			return false;	/* no namespace to name */
		return c->crc == MT_PIN_NONE;
	default:
		return c->ns == MT_NS_ANY && c->crc == MT_PIN_NONE;
	}
}

/*
 * The verdict the tables give: true when the rule allows the import; on
 * refusal *reason is what the violation says. A rule for another module
 * (module=) or a NAMESPACE rule for another namespace says nothing; else
 * namespace, exporter, CRC, signature and in-tree status are checked in
 * that order and
 * the first that fails is the rule's reason (an ANY rule for another
 * exporter says nothing); the verdict keeps the higher-ranked of that and
 * the starting reason.
 */
static inline bool mt_expect(const struct mt_case *c,
			     enum kabiguard_reason *reason)
{
	enum kabiguard_reason why;

	*reason = mt_start[c->imp_ns];
	if (c->module == MT_PIN_OTHER)
		return false;
	if (c->kind == KABIGUARD_RULE_NAMESPACE &&
	    !mt_ns_rule_found[c->ns][c->imp_ns])
		return false;
	if (c->kind == KABIGUARD_RULE_SYMBOL && !mt_sym_ns_ok[c->ns][c->imp_ns])
		why = KABIGUARD_REASON_NAMESPACE;
	else if (c->exporter == MT_PIN_OTHER && c->kind == KABIGUARD_RULE_ANY)
		return false;
	else if (c->exporter == MT_PIN_OTHER)
		why = KABIGUARD_REASON_EXPORTER;
	else if (c->crc == MT_PIN_OTHER)
		why = KABIGUARD_REASON_CRC_MISMATCH;
	else if (c->signed_only && !c->sig_ok)
		why = KABIGUARD_REASON_UNSIGNED;
	else if (c->in_tree && !c->imp_in_tree)
		why = KABIGUARD_REASON_OUT_OF_TREE;
	else
		return true;
	if (mt_rank[why] >= mt_rank[*reason])
		*reason = why;
	return false;
}

/* One import as some kernel exports it, for one importer. */
struct mt_import {
	const char *symbol;
	const char *ns;		/* NULL: none */
	const char *exporter;
	const char *modname;	/* the importer */
	bool has_crc;
	uint32_t crc;
};

#define MT_OTHER_NS		"KG_NO_SUCH_NS"
#define MT_OTHER_EXPORTER	"kg_no_such_exporter"
#define MT_OTHER_MODULE		"kg_no_such_module"

/* The rule a case describes, for import @imp. */
static inline void mt_rule(const struct mt_case *c, const struct mt_import *imp,
			   struct kgc_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = c->kind;
	if (c->kind == KABIGUARD_RULE_SYMBOL) {
		r->name = (char *)imp->symbol;
		if (c->ns == MT_NS_NONE)
			r->flags |= KABIGUARD_RULE_F_NS_PINNED;
		else if (c->ns == MT_NS_SAME)
			r->ns = (char *)imp->ns;
		else if (c->ns == MT_NS_OTHER)
			r->ns = (char *)MT_OTHER_NS;
	} else if (c->kind == KABIGUARD_RULE_NAMESPACE) {
		r->name = (char *)(c->ns == MT_NS_SAME ? imp->ns : MT_OTHER_NS);
	}
	if (c->exporter != MT_PIN_NONE)
		r->exporter = (char *)(c->exporter == MT_PIN_SAME ?
				       imp->exporter : MT_OTHER_EXPORTER);
	if (c->crc != MT_PIN_NONE) {
		r->has_crc = true;
		r->crc = c->crc == MT_PIN_SAME ? imp->crc :
			 imp->has_crc ? imp->crc ^ 0x5a5a5a5a : 0x12345678;
	}
	if (c->module != MT_PIN_NONE)
		r->module = (char *)(c->module == MT_PIN_SAME ? imp->modname :
				     MT_OTHER_MODULE);
	if (c->signed_only)
		r->flags |= KABIGUARD_RULE_F_SIGNED_ONLY;
	if (c->in_tree)
		r->flags |= KABIGUARD_RULE_F_IN_TREE;
}

/* Next combination of the rule's dimensions; false after the last. */
static inline bool mt_next_rule(struct mt_case *c)
{
	/* none, signed-only, signed-only in-tree */
	if (!c->signed_only) {
		c->signed_only = true;
		return true;
	}
	if (!c->in_tree) {
		c->in_tree = true;
		return true;
	}
	c->signed_only = false;
	c->in_tree = false;
	if (++c->module < MT_NR_PIN)
		return true;
	c->module = 0;
	if (++c->crc < MT_NR_PIN)
		return true;
	c->crc = 0;
	if (++c->exporter < MT_NR_PIN)
		return true;
	c->exporter = 0;
	if (++c->ns < MT_NR_RULE_NS)
		return true;
	c->ns = 0;
	/*
	 * The kinds the per-import matcher decides; LIVEPATCH rules allow a
	 * module's livepatch references as a whole (kmod/livepatch.c).
	 */
	return ++c->kind <= KABIGUARD_RULE_ANY;
}

static inline const char *mt_reason_name(enum kabiguard_reason r)
{
	static const char *const names[__KABIGUARD_REASON_MAX] = {
		[KABIGUARD_REASON_NOT_ALLOWED] = "not-allowed",
		[KABIGUARD_REASON_NAMESPACE] = "namespace",
		[KABIGUARD_REASON_CRC_MISMATCH] = "crc-mismatch",
		[KABIGUARD_REASON_EXPORTER] = "exporter",
		[KABIGUARD_REASON_UNSIGNED] = "unsigned",
		[KABIGUARD_REASON_OUT_OF_TREE] = "out-of-tree",
	};

	return (unsigned int)r < __KABIGUARD_REASON_MAX ? names[r] : "?";
}

/* "symbol ns=- from=SAME crc=OTHER module=SAME signed-only / import
 * LISTED crc signed": a case, readable in a failure message. */
static inline void mt_describe(const struct mt_case *c, char *buf, size_t len)
{
	static const char *const kinds[] = { "symbol", "namespace", "any" };
	static const char *const nss[] = { "", " ns=-", " ns=SAME", " ns=OTHER" };
	static const char *const names[] = { "", "SAME", "OTHER" };
	static const char *const imps[] = { "NONE", "NAMED", "LISTED",
					    "UNLISTED" };

	snprintf(buf, len, "%s%s%s%s%s%s%s%s%s%s / import ns %s, %s, %s, %s",
		 kinds[c->kind],
		 c->kind == KABIGUARD_RULE_SYMBOL ? nss[c->ns] :
		 c->kind == KABIGUARD_RULE_NAMESPACE ?
		 (c->ns == MT_NS_SAME ? " SAME" : " OTHER") : "",
		 c->exporter ? " from=" : "", names[c->exporter],
		 c->crc ? " crc=" : "", names[c->crc],
		 c->module ? " module=" : "", names[c->module],
		 c->signed_only ? " signed-only" : "",
		 c->in_tree ? " in-tree" : "",
		 imps[c->imp_ns], c->imp_crc ? "crc" : "no crc",
		 c->sig_ok ? "signed" : "unsigned",
		 c->imp_in_tree ? "in-tree" : "out-of-tree");
}

#endif /* KG_MATCH_TABLE_H */
