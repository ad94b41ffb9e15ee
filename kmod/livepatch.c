// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch rules: whether a module may be a livepatch and have its
 * livepatch relocations resolved.
 *
 * A livepatch module can redirect any kernel function once its init runs
 * klp_enable_patch(), and its ".klp.sym" relocation symbols reach any
 * kernel symbol, exported or not, before MODULE_STATE_COMING: none of that
 * is an import a per-symbol rule could describe. So livepatch references
 * are allowed by KABIGUARD_RULE_LIVEPATCH rules only, which the policy
 * keeps in a list of their own, apart from the per-import matching.
 */
#include "kabiguard.h"

/**
 * kg_livepatch_allows() - may @modname use livepatch references?
 * @p: the policy, or NULL when none was ever committed (allows nothing)
 * @modname: the module being checked
 * @sig_ok: whether the kernel verified its signature
 *
 * Context: RCU read-side critical section holding @p.
 * Return: true when a LIVEPATCH rule applies to the module.
 */
bool kg_livepatch_allows(const struct kg_policy *p, const char *modname,
			 bool sig_ok)
{
	const struct kg_rule *r;

	if (!p)
		return false;
	hlist_for_each_entry(r, &p->livepatch, hnode) {
		if (r->module && strcmp(r->module, modname))
			continue;
		if ((r->flags & KABIGUARD_RULE_F_SIGNED_ONLY) && !sig_ok)
			continue;
		return true;
	}
	return false;
}
