// SPDX-License-Identifier: GPL-2.0
/*
 * The module notifier: check each incoming module's imports against the
 * active policy, log and publish the verdict, and deny in enforce mode.
 *
 * The notifier is registered with priority INT_MAX so that it runs first at
 * MODULE_STATE_COMING. The chain is robust since v5.10: a failure rolls back
 * only the notifiers that ran before, and none did, so no other subsystem
 * (ftrace, livepatch, jump labels) ever sees a denied module. None of the
 * module's own code has run at this point.
 */
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "guard.h"
#include "../include/kabiguard/names.h"

/* Violations printed per load; the event carries up to KABIGUARD_MAX_VIOLATIONS. */
#define KG_LOG_VIOLATIONS 32

static const char * const kg_verdict_names[] = KG_VERDICT_NAMES;
static_assert(ARRAY_SIZE(kg_verdict_names) == __KABIGUARD_VERDICT_MAX);

/*
 * Every name a module controls goes through "%*pE": a newline or an
 * escape sequence in an import name shows escaped, never as a forged
 * second log line or raw control characters.
 */
static void kg_log_violation(const struct kg_verdict *v,
			     const struct kg_violation *x)
{
	const char *mod = v->mod->name, *ns = x->ns ?: "";
	const char *from = x->exporter ?: "?", *sym = x->symbol;
	char crc[64];
	const char *why;

	switch (x->reason) {
	case KABIGUARD_REASON_CRC_MISMATCH:
		if (x->has_kernel_crc)
			snprintf(crc, sizeof(crc),
				 "CRC mismatch (kernel 0x%08x, policy 0x%08x)",
				 x->kernel_crc, x->rule_crc);
		else
			snprintf(crc, sizeof(crc),
				 "CRC mismatch (kernel none, policy 0x%08x)",
				 x->rule_crc);
		why = crc;
		break;
	case KABIGUARD_REASON_NAMESPACE:
		why = "namespace not allowed";
		break;
	case KABIGUARD_REASON_EXPORTER:
		why = "exporter not allowed";
		break;
	case KABIGUARD_REASON_UNSIGNED:
		why = "allowed for signed modules only";
		break;
	case KABIGUARD_REASON_OUT_OF_TREE:
		why = "allowed for signed in-tree modules only";
		break;
	case KABIGUARD_REASON_LIVEPATCH:
		if (!*sym)
			sym = "(modinfo livepatch=Y)";
		why = "livepatch not allowed";
		break;
	case KABIGUARD_REASON_UNVERIFIABLE:
		if (!*sym)
			sym = "(nameless symbol)";
		why = "unverifiable reference";
		break;
	default:
		why = "not allowed";
		break;
	}
	pr_warn("%*pE: %*pE%s%*pE from %*pE: %s\n",
		kg_esc_len(mod, MODULE_NAME_LEN), mod,
		kg_esc_len(sym, KG_LOG_NAME_MAX), sym,
		x->ns ? " namespace " : "",
		kg_esc_len(ns, KABIGUARD_NAMESPACE_MAX), ns,
		kg_esc_len(from, MODULE_NAME_LEN), from, why);
}

/*
 * A verdict's lines in the kernel log: all of them, one line for a
 * repeated denial (@count > 1: its event names the full one), or none
 * while the rate limit (ratelimit.c) holds, which counts them instead.
 * Called by ring.c once the event is numbered, before it is sent, so that
 * a reader that got the event finds its log lines.
 */
void kg_log_verdict(const struct kg_verdict *v, u32 count)
{
	const char *what = kg_verdict_names[v->verdict];
	const char *scan = v->kind == KABIGUARD_EVENT_SCAN ? "scanned: " : "";
	const char *mod = v->mod->name;
	int len = kg_esc_len(mod, MODULE_NAME_LEN);
	unsigned int i, shown;

	shown = min_t(unsigned int, v->nr_listed, KG_LOG_VIOLATIONS);
	if (count > 1 || !v->nr_violations) {
		if (!kg_log_limit(1))
			return;
	} else if (!kg_log_limit(1 + shown + (v->nr_violations > shown))) {
		return;
	}
	if (count > 1) {
		pr_warn("%*pE: %s again (%s, generation %llu), %u times so far\n",
			len, mod, what, kg_mode_name(v->mode), v->generation,
			count);
		return;
	}
	if (!v->nr_violations) {
		pr_info("%*pE: %s%s (%s, generation %llu), %u imports\n",
			len, mod, scan, what, kg_mode_name(v->mode),
			v->generation, v->nr_imports);
		return;
	}
	pr_warn("%*pE: %s%s (%s, generation %llu), %u of %u imports not allowed\n",
		len, mod, scan, what, kg_mode_name(v->mode), v->generation,
		v->nr_violations, v->nr_imports);
	for (i = 0; i < shown; i++)
		kg_log_violation(v, &v->viol[i]);
	if (v->nr_violations > i)
		pr_warn("%*pE: ... and %u more violations\n", len, mod,
			v->nr_violations - i);
}

/*
 * Is reference @imp allowed? Imports go to the per-symbol rules,
 * livepatch references to the livepatch rules only, and what cannot be
 * accounted for is refused whatever the policy.
 */
static bool kg_ref_allowed(const struct kg_policy *p,
			   const struct kg_import *imp,
			   const struct kg_verdict *v, struct kg_match *m)
{
	m->has_rule_crc = false;
	m->rule_crc = 0;
	switch (imp->ref) {
	case KG_REF_IMPORT:
		return kg_policy_allows(p, imp, v->mod->name, v->origin, m);
	case KG_REF_LIVEPATCH:
	case KG_REF_LIVEPATCH_MODULE:
		m->reason = KABIGUARD_REASON_LIVEPATCH;
		return kg_livepatch_allows(p, v->mod->name, v->origin);
	default:
		m->reason = KABIGUARD_REASON_UNVERIFIABLE;
		return false;
	}
}

/* Check every import @it yields; record up to @max violations. */
static void kg_check_imports(struct kg_verdict *v, struct kg_import_iter *it,
			     unsigned int max)
{
	const struct kg_policy *p;
	struct kg_import imp;
	struct kg_match m;
	u64 start = ktime_get_ns();

	rcu_read_lock();
	p = kg_state_policy();
	v->generation = p ? p->generation : 0;
	while (kg_imports_next(it, &imp)) {
		struct kg_violation *x;

		if (imp.ref != KG_REF_LIVEPATCH_MODULE)
			v->nr_imports++;
		if (kg_ref_allowed(p, &imp, v, &m))
			continue;
		if (v->nr_violations++ >= max)
			continue;
		x = &v->viol[v->nr_listed++];
		x->symbol = imp.name;
		x->ns = imp.ns;
		x->exporter = imp.exporter;
		x->reason = m.reason;
		x->has_kernel_crc = imp.has_crc;
		x->kernel_crc = imp.crc;
		x->has_rule_crc = m.has_rule_crc;
		x->rule_crc = m.rule_crc;
	}
	rcu_read_unlock();
	v->check_ns = ktime_get_ns() - start;
	v->time_boot_ns = ktime_get_boottime_ns();
	v->time_real_ns = ktime_get_real_ns();
}

/*
 * The module's origin as the kernel judged it before COMING: whether it
 * verified the signature (true for all without CONFIG_MODULE_SIG, where
 * signed-only rules are refused) and whether it tainted the module
 * out-of-tree (no modinfo intree=Y).
 */
static void kg_verdict_origin(struct kg_verdict *v)
{
	v->sig_ok = module_sig_ok(v->mod);
	v->origin = 0;
	if (v->sig_ok && KG_HAVE_MODULE_SIG)
		v->origin |= KG_MATCH_SIGNED;
	if (!test_bit(TAINT_OOT_MODULE, &v->mod->taints))
		v->origin |= KG_MATCH_IN_TREE;
}

static struct kg_violation *kg_viol_alloc(unsigned int nr_imports,
					  unsigned int *max)
{
	*max = min_t(unsigned int, nr_imports, KABIGUARD_MAX_VIOLATIONS);
	return kvcalloc(*max ?: 1, sizeof(struct kg_violation), GFP_KERNEL);
}

static int kg_module_coming(struct module *mod)
{
	struct kg_verdict v = {
		.mod = mod,
		.kind = KABIGUARD_EVENT_LOAD,
		.mode = kg_state_mode(),
	};
	struct kg_import_iter it;
	struct kg_loader *loader;
	unsigned int max;

	if (v.mode == KABIGUARD_MODE_OFF)
		return NOTIFY_DONE;
	kg_verdict_origin(&v);

	v.viol = kg_viol_alloc(kg_imports_count(mod), &max);
	loader = kg_loader_current();
	if (!v.viol || !loader || kg_nomem(KG_NOMEM_VERDICT)) {
		/*
		 * Still checked, and still an event with a sequence number:
		 * a minimal one, without the loader and the list.
		 */
		kvfree(v.viol);
		kfree(loader);
		v.viol = NULL;
		loader = NULL;
		max = 0;
		v.minimal = true;
		pr_err("%*pE: out of memory checking imports, the event will be minimal\n",
		       kg_esc_len(mod->name, MODULE_NAME_LEN), mod->name);
	}
	v.loader = loader;

	kg_imports_start(&it, mod);
	kg_check_imports(&v, &it, max);
	if (!v.nr_violations)
		v.verdict = KABIGUARD_VERDICT_ALLOWED;
	else if (v.mode == KABIGUARD_MODE_ENFORCE)
		v.verdict = KABIGUARD_VERDICT_DENIED;
	else
		v.verdict = KABIGUARD_VERDICT_AUDITED;

	kg_state_count(v.verdict, v.nr_violations);
	kg_event_publish(&v);
	kvfree(v.viol);
	kfree(loader);

	return v.verdict == KABIGUARD_VERDICT_DENIED ?
		notifier_from_errno(-EPERM) : NOTIFY_OK;
}

/**
 * kg_verdict_scan() - check a module that is already loaded
 * @modname: its name
 * @names: its imports, as userspace read them from the module's file
 * @nr: how many
 * @extack: for the error message
 *
 * The verdict is published as a KABIGUARD_EVENT_SCAN event: allowed, or
 * audited when there are violations; nothing is denied.
 *
 * Return: 0, -ENOENT (no live module of that name) or -ENOMEM.
 */
int kg_verdict_scan(const char *modname, const char * const *names,
		    unsigned int nr, struct netlink_ext_ack *extack)
{
	struct kg_verdict v = {
		.kind = KABIGUARD_EVENT_SCAN,
		.mode = kg_state_mode(),
	};
	struct kg_import_iter it;
	unsigned int max;
	int ret = 0;

	v.mod = kg_module_get(modname);
	if (!v.mod) {
		NL_SET_ERR_MSG_MOD(extack, "no live module of that name");
		return -ENOENT;
	}
	kg_verdict_origin(&v);
	v.viol = kg_viol_alloc(nr, &max);
	if (!v.viol) {
		ret = -ENOMEM;
		goto put_module;
	}
	kg_imports_start_names(&it, v.mod, names, nr);
	kg_check_imports(&v, &it, max);
	v.verdict = v.nr_violations ? KABIGUARD_VERDICT_AUDITED :
				      KABIGUARD_VERDICT_ALLOWED;
	kg_event_publish(&v);
	kvfree(v.viol);
put_module:
	module_put(v.mod);
	return ret;
}

static int kg_module_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	if (action != MODULE_STATE_COMING)
		return NOTIFY_DONE;
	return kg_module_coming(data);
}

static struct notifier_block kg_module_nb = {
	.notifier_call = kg_module_notify,
	.priority = INT_MAX,
};

int kg_verdict_init(void)
{
	return register_module_notifier(&kg_module_nb);
}

void kg_verdict_exit(void)
{
	unregister_module_notifier(&kg_module_nb);
}
