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
#include "guard.h"

/**
 * kg_livepatch_allows() - may @modname use livepatch references?
 * @p: the policy, or NULL when none was ever committed (allows nothing)
 * @modname: the module being checked
 * @origin: its KG_MATCH_SIGNED and KG_MATCH_IN_TREE
 *
 * Context: RCU read-side critical section holding @p.
 * Return: true when a LIVEPATCH rule applies to the module.
 */
bool kg_livepatch_allows(const struct kg_policy *p, const char *modname,
			 unsigned int origin)
{
	const struct kg_rule *r;

	if (!p)
		return false;
	hlist_for_each_entry(r, &p->livepatch, hnode) {
		if (r->module && strcmp(r->module, modname))
			continue;
		if (!kg_policy_origin_ok(r, origin))
			continue;
		return true;
	}
	return false;
}
