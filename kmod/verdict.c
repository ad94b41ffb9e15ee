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
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "kabiguard.h"

/* Violations printed per load; the event carries up to KABIGUARD_MAX_VIOLATIONS. */
#define KG_LOG_VIOLATIONS 32

static const char * const kg_verdict_names[] = {
	[KABIGUARD_VERDICT_ALLOWED] = "allowed",
	[KABIGUARD_VERDICT_AUDITED] = "audited",
	[KABIGUARD_VERDICT_DENIED] = "denied",
};

static void kg_log_violation(const struct kg_verdict *v,
			     const struct kg_violation *x)
{
	const char *nsp = x->ns ? " namespace " : "";
	const char *ns = x->ns ?: "";
	const char *from = x->exporter ?: "?";
	const char *mod = v->mod->name;

	switch (x->reason) {
	case KABIGUARD_REASON_CRC_MISMATCH:
		if (x->has_kernel_crc)
			pr_warn("%s: %s%s%s from %s: CRC mismatch (kernel 0x%08x, policy 0x%08x)\n",
				mod, x->symbol, nsp, ns, from, x->kernel_crc,
				x->rule_crc);
		else
			pr_warn("%s: %s%s%s from %s: CRC mismatch (kernel none, policy 0x%08x)\n",
				mod, x->symbol, nsp, ns, from, x->rule_crc);
		break;
	case KABIGUARD_REASON_NAMESPACE:
		pr_warn("%s: %s%s%s from %s: namespace not allowed\n",
			mod, x->symbol, nsp, ns, from);
		break;
	case KABIGUARD_REASON_EXPORTER:
		pr_warn("%s: %s%s%s from %s: exporter not allowed\n",
			mod, x->symbol, nsp, ns, from);
		break;
	case KABIGUARD_REASON_UNSIGNED:
		pr_warn("%s: %s%s%s from %s: allowed for signed modules only\n",
			mod, x->symbol, nsp, ns, from);
		break;
	default:
		pr_warn("%s: %s%s%s from %s: not allowed\n",
			mod, x->symbol, nsp, ns, from);
		break;
	}
}

static void kg_log_verdict(const struct kg_verdict *v)
{
	const char *what = kg_verdict_names[v->verdict];
	unsigned int i;

	if (!v->nr_violations) {
		pr_info("%s: %s (%s, generation %llu), %u imports\n",
			v->mod->name, what, kg_mode_name(v->mode),
			v->generation, v->nr_imports);
		return;
	}
	pr_warn("%s: %s (%s, generation %llu), %u of %u imports not allowed\n",
		v->mod->name, what, kg_mode_name(v->mode), v->generation,
		v->nr_violations, v->nr_imports);
	for (i = 0; i < min_t(unsigned int, v->nr_listed, KG_LOG_VIOLATIONS); i++)
		kg_log_violation(v, &v->viol[i]);
	if (v->nr_violations > i)
		pr_warn("%s: ... and %u more violations\n", v->mod->name,
			v->nr_violations - i);
}

/* Check every import; record up to @max violations. */
static void kg_check_imports(struct kg_verdict *v, unsigned int max)
{
	const struct kg_policy *p;
	struct kg_import_iter it;
	struct kg_import imp;
	struct kg_match m;

	rcu_read_lock();
	p = kg_state_policy();
	v->generation = p ? p->generation : 0;
	kg_imports_start(v->mod, &it);
	while (kg_imports_next(v->mod, &it, &imp)) {
		struct kg_violation *x;

		v->nr_imports++;
		if (kg_policy_allows(p, &imp, v->mod->name, v->sig_ok, &m))
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
}

static int kg_module_coming(struct module *mod)
{
	struct kg_verdict v = {
		.mod = mod,
		.mode = kg_state_mode(),
		.sig_ok = module_sig_ok(mod),
		.pid = task_tgid_nr(current),
		.uid = from_kuid(&init_user_ns, current_uid()),
	};
	unsigned int max;
	u64 start;

	if (v.mode == KABIGUARD_MODE_OFF)
		return NOTIFY_DONE;
	get_task_comm(v.comm, current);

	max = min_t(unsigned int, kg_imports_count(mod),
		    KABIGUARD_MAX_VIOLATIONS);
	v.viol = kvcalloc(max ?: 1, sizeof(*v.viol), GFP_KERNEL);
	if (!v.viol) {
		/* Fail closed: a load that cannot be checked is not let through. */
		pr_err("%s: out of memory checking imports, %s\n", mod->name,
		       v.mode == KABIGUARD_MODE_ENFORCE ? "denied" : "not checked");
		return v.mode == KABIGUARD_MODE_ENFORCE ?
			notifier_from_errno(-ENOMEM) : NOTIFY_DONE;
	}

	start = ktime_get_ns();
	kg_check_imports(&v, max);
	v.check_ns = ktime_get_ns() - start;

	if (!v.nr_violations)
		v.verdict = KABIGUARD_VERDICT_ALLOWED;
	else if (v.mode == KABIGUARD_MODE_ENFORCE)
		v.verdict = KABIGUARD_VERDICT_DENIED;
	else
		v.verdict = KABIGUARD_VERDICT_AUDITED;

	kg_state_count(v.verdict, v.nr_violations);
	kg_log_verdict(&v);
	kg_netlink_notify_verdict(&v);
	kvfree(v.viol);

	return v.verdict == KABIGUARD_VERDICT_DENIED ?
		notifier_from_errno(-EPERM) : NOTIFY_OK;
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
