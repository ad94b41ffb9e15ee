// SPDX-License-Identifier: GPL-2.0
/*
 * Verdict events: KABIGUARD_CMD_VERDICT messages, numbered and kept by
 * ring.c and sent on the "events" multicast group.
 */
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include "kabiguard.h"

static size_t kg_str_size(const char *s)
{
	return s ? nla_total_size(strlen(s) + 1) : 0;
}

static size_t kg_event_size(const struct kg_verdict *v)
{
	size_t size = 9 * nla_total_size_64bit(sizeof(u64)) +
		      20 * nla_total_size(sizeof(u32)) +
		      3 * nla_total_size(KABIGUARD_MODNAME_MAX);
	unsigned int i;

	if (v->loader)
		size += nla_total_size(TASK_COMM_LEN) +
			kg_str_size(v->loader->tty) +
			kg_str_size(v->loader->lsm_label) +
			nla_total_size(v->loader->argv_len) +
			kg_str_size(v->loader->exe) +
			kg_str_size(v->loader->cgroup);
	for (i = 0; i < v->nr_listed; i++) {
		const struct kg_violation *x = &v->viol[i];

		size += nla_total_size(0) + kg_str_size(x->symbol) +
			kg_str_size(x->ns) + kg_str_size(x->exporter) +
			3 * nla_total_size(sizeof(u32));
	}
	return size;
}

static int kg_put_violation(struct sk_buff *msg, const struct kg_violation *x)
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

static int kg_put_loader(struct sk_buff *msg, const struct kg_loader *l)
{
	if (nla_put_u32(msg, KABIGUARD_A_PID, l->pid) ||
	    nla_put_u32(msg, KABIGUARD_A_PPID, l->ppid) ||
	    nla_put_u32(msg, KABIGUARD_A_UID, l->uid) ||
	    nla_put_u32(msg, KABIGUARD_A_EUID, l->euid) ||
	    nla_put_u32(msg, KABIGUARD_A_GID, l->gid) ||
	    nla_put_u32(msg, KABIGUARD_A_EGID, l->egid) ||
	    nla_put_u32(msg, KABIGUARD_A_LOGINUID, l->loginuid) ||
	    nla_put_u32(msg, KABIGUARD_A_SESSIONID, l->sessionid) ||
	    nla_put_string(msg, KABIGUARD_A_COMM, l->comm) ||
	    (l->tty[0] && nla_put_string(msg, KABIGUARD_A_TTY, l->tty)) ||
	    nla_put_u32(msg, KABIGUARD_A_PIDNS, l->pidns) ||
	    (l->argv_len &&
	     nla_put(msg, KABIGUARD_A_ARGV, l->argv_len, l->argv)) ||
	    nla_put_u8(msg, KABIGUARD_A_ARGV_TRUNCATED, l->argv_truncated) ||
	    (l->lsm_label[0] &&
	     nla_put_string(msg, KABIGUARD_A_LSM_LABEL, l->lsm_label)) ||
	    (l->cgroup_id &&
	     nla_put_u64_64bit(msg, KABIGUARD_A_CGROUP_ID, l->cgroup_id,
			       KABIGUARD_A_PAD)) ||
	    (l->exe && nla_put_string(msg, KABIGUARD_A_EXE, l->exe)) ||
	    (l->cgroup && nla_put_string(msg, KABIGUARD_A_CGROUP, l->cgroup)) ||
	    nla_put_u8(msg, KABIGUARD_A_KMOD_REQUEST, l->kmod_request))
		return -EMSGSIZE;
	return 0;
}

static int kg_put_event(struct sk_buff *msg, const struct kg_verdict *v)
{
	const struct module *mod = v->mod;
	unsigned int i;

	if (nla_put_u32(msg, KABIGUARD_A_EVENT_KIND, v->kind) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_TIME_BOOT_NS, v->time_boot_ns,
			      KABIGUARD_A_PAD) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_TIME_REAL_NS, v->time_real_ns,
			      KABIGUARD_A_PAD) ||
	    nla_put_u32(msg, KABIGUARD_A_VERDICT, v->verdict) ||
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
	    nla_put_u64_64bit(msg, KABIGUARD_A_CHECK_NS, v->check_ns,
			      KABIGUARD_A_PAD) ||
	    (v->loader && kg_put_loader(msg, v->loader)))
		return -EMSGSIZE;
	for (i = 0; i < v->nr_listed; i++)
		if (kg_put_violation(msg, &v->viol[i]))
			return -EMSGSIZE;
	return 0;
}

/**
 * kg_event_publish() - number, keep and multicast the event for a verdict
 * @v: the verdict
 *
 * A verdict that cannot be encoded (out of memory) is logged as lost; the
 * kernel log line for it was already written.
 */
void kg_event_publish(const struct kg_verdict *v)
{
	struct nlattr *seq_attr;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(kg_event_size(v), GFP_KERNEL);
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &kg_genl_family, 0, KABIGUARD_CMD_VERDICT);
	if (!hdr)
		goto free_msg;
	/* Reserved first; ring.c fills in the number under its lock. */
	seq_attr = nla_reserve_64bit(msg, KABIGUARD_A_SEQ, sizeof(u64),
				     KABIGUARD_A_PAD);
	if (!seq_attr || kg_put_event(msg, v))
		goto free_msg;
	genlmsg_end(msg, hdr);
	kg_ring_publish(msg, seq_attr);
	return;

free_msg:
	nlmsg_free(msg);
lost:
	pr_err("%s: verdict event lost (out of memory)\n", v->mod->name);
}
