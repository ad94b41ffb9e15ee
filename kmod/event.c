// SPDX-License-Identifier: GPL-2.0
/*
 * Verdict events: KABIGUARD_CMD_VERDICT on the "events" multicast group.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/genetlink.h>
#include <net/net_namespace.h>
#include "kabiguard.h"

static size_t kg_nl_verdict_size(const struct kg_verdict *v)
{
	size_t size = 13 * nla_total_size_64bit(sizeof(u64)) +
		      nla_total_size(KABIGUARD_MODNAME_MAX) * 3 +
		      nla_total_size(TASK_COMM_LEN);
	unsigned int i;

	for (i = 0; i < v->nr_listed; i++) {
		const struct kg_violation *x = &v->viol[i];

		size += nla_total_size(0) +
			nla_total_size(strlen(x->symbol) + 1) +
			(x->ns ? nla_total_size(strlen(x->ns) + 1) : 0) +
			(x->exporter ? nla_total_size(strlen(x->exporter) + 1) : 0) +
			3 * nla_total_size(sizeof(u32));
	}
	return size;
}

static int kg_nl_put_violation(struct sk_buff *msg, const struct kg_violation *x)
{
	struct nlattr *nest = nla_nest_start(msg, KABIGUARD_A_VIOLATION);

	if (!nest ||
	    nla_put_string(msg, KABIGUARD_VIOL_A_SYMBOL, x->symbol) ||
	    (x->ns && nla_put_string(msg, KABIGUARD_VIOL_A_NAMESPACE, x->ns)) ||
	    (x->exporter &&
	     nla_put_string(msg, KABIGUARD_VIOL_A_EXPORTER, x->exporter)) ||
	    nla_put_u32(msg, KABIGUARD_VIOL_A_REASON, x->reason) ||
	    (x->has_kernel_crc &&
	     nla_put_u32(msg, KABIGUARD_VIOL_A_KERNEL_CRC, x->kernel_crc)) ||
	    (x->has_rule_crc &&
	     nla_put_u32(msg, KABIGUARD_VIOL_A_RULE_CRC, x->rule_crc)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int kg_nl_put_verdict(struct sk_buff *msg, const struct kg_verdict *v)
{
	const struct module *mod = v->mod;
	unsigned int i;

	if (nla_put_u32(msg, KABIGUARD_A_VERDICT, v->verdict) ||
	    nla_put_u32(msg, KABIGUARD_A_MODE, v->mode) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_GENERATION, v->generation,
			      KABIGUARD_A_PAD) ||
	    nla_put_string(msg, KABIGUARD_A_MODULE, mod->name) ||
	    (mod->version &&
	     nla_put_string(msg, KABIGUARD_A_MODULE_VERSION, mod->version)) ||
	    (mod->srcversion &&
	     nla_put_string(msg, KABIGUARD_A_SRCVERSION, mod->srcversion)) ||
	    nla_put_u8(msg, KABIGUARD_A_SIG_OK, v->sig_ok) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_TAINTS, mod->taints,
			      KABIGUARD_A_PAD) ||
	    nla_put_u32(msg, KABIGUARD_A_NR_IMPORTS, v->nr_imports) ||
	    nla_put_u32(msg, KABIGUARD_A_NR_VIOLATIONS, v->nr_violations) ||
	    nla_put_u32(msg, KABIGUARD_A_PID, v->pid) ||
	    nla_put_u32(msg, KABIGUARD_A_UID, v->uid) ||
	    nla_put_string(msg, KABIGUARD_A_COMM, v->comm) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_CHECK_NS, v->check_ns,
			      KABIGUARD_A_PAD))
		return -EMSGSIZE;
	for (i = 0; i < v->nr_listed; i++)
		if (kg_nl_put_violation(msg, &v->viol[i]))
			return -EMSGSIZE;
	return 0;
}

/* Publish a verdict on the "events" group, if anyone listens. */
void kg_netlink_notify_verdict(const struct kg_verdict *v)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&kg_genl_family, &init_net, 0))
		return;
	msg = genlmsg_new(kg_nl_verdict_size(v), GFP_KERNEL);
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &kg_genl_family, 0, KABIGUARD_CMD_VERDICT);
	if (!hdr || kg_nl_put_verdict(msg, v)) {
		nlmsg_free(msg);
		goto lost;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&kg_genl_family, msg, 0, 0, GFP_KERNEL);
	return;
lost:
	pr_err("%s: verdict event lost (out of memory)\n", v->mod->name);
}
