// SPDX-License-Identifier: GPL-2.0
/*
 * The "kabiguard" generic netlink family: see include/uapi/linux/kabiguard.h
 * for every command, attribute and error.
 *
 * Every attribute is validated strictly by a per-command policy before a
 * handler runs; the handlers check what a policy cannot express (which
 * attributes belong to which rule kind). State-changing commands need
 * CAP_SYS_MODULE in the initial user namespace, the capability that lets
 * its holder load modules in the first place. The family is not
 * netns-aware, so it exists only in the initial network namespace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/netlink.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include "kabiguard.h"

static struct genl_family kg_family;

static const struct nla_policy kg_rule_policy[KABIGUARD_RULE_A_MAX + 1] = {
	[KABIGUARD_RULE_A_KIND] = NLA_POLICY_MAX(NLA_U32, KABIGUARD_RULE_KIND_MAX),
	[KABIGUARD_RULE_A_NAME] = { .type = NLA_NUL_STRING,
				    .len = KABIGUARD_SYMBOL_MAX - 1 },
	[KABIGUARD_RULE_A_NAMESPACE] = { .type = NLA_NUL_STRING,
					 .len = KABIGUARD_NAMESPACE_MAX - 1 },
	[KABIGUARD_RULE_A_EXPORTER] = { .type = NLA_NUL_STRING,
					.len = KABIGUARD_MODNAME_MAX - 1 },
	[KABIGUARD_RULE_A_CRC] = { .type = NLA_U32 },
	[KABIGUARD_RULE_A_MODULE] = { .type = NLA_NUL_STRING,
				      .len = KABIGUARD_MODNAME_MAX - 1 },
	[KABIGUARD_RULE_A_FLAGS] = { .type = NLA_U32 },
};

/* Commands without attributes: strict validation rejects any. */
static const struct nla_policy kg_none_policy[KABIGUARD_A_MAX + 1] = {};

static const struct nla_policy kg_set_mode_policy[KABIGUARD_A_MAX + 1] = {
	[KABIGUARD_A_MODE] = NLA_POLICY_MAX(NLA_U32, KABIGUARD_MODE_MAX),
};

static const struct nla_policy kg_add_policy[KABIGUARD_A_MAX + 1] = {
	[KABIGUARD_A_RULE] = NLA_POLICY_NESTED(kg_rule_policy),
};

static int kg_nl_admin(struct sk_buff *skb, struct genl_info *info)
{
	if (netlink_capable(skb, CAP_SYS_MODULE))
		return 0;
	NL_SET_ERR_MSG_MOD(info->extack,
			   "needs CAP_SYS_MODULE in the initial user namespace");
	return -EPERM;
}

static int kg_nl_put_status(struct sk_buff *msg, const struct kg_status *st)
{
	u32 features = KABIGUARD_FEAT_ENFORCE;

	if (kg_ksyms_have_crcs())
		features |= KABIGUARD_FEAT_MODVERSIONS;
	if (IS_ENABLED(CONFIG_MODULE_SIG))
		features |= KABIGUARD_FEAT_SIG;

	if (nla_put_u32(msg, KABIGUARD_A_MODE, st->mode) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_GENERATION, st->generation,
			      KABIGUARD_A_PAD) ||
	    nla_put_u8(msg, KABIGUARD_A_LOCKED, st->locked) ||
	    nla_put_u32(msg, KABIGUARD_A_FEATURES, features) ||
	    nla_put_u32(msg, KABIGUARD_A_MAX_RULES, READ_ONCE(kg_max_rules)) ||
	    nla_put_u32(msg, KABIGUARD_A_NR_RULES, st->nr_rules) ||
	    nla_put_u32(msg, KABIGUARD_A_NR_SYMBOL_RULES,
			st->nr_kind[KABIGUARD_RULE_SYMBOL]) ||
	    nla_put_u32(msg, KABIGUARD_A_NR_NAMESPACE_RULES,
			st->nr_kind[KABIGUARD_RULE_NAMESPACE]) ||
	    nla_put_u32(msg, KABIGUARD_A_NR_ANY_RULES,
			st->nr_kind[KABIGUARD_RULE_ANY]) ||
	    (st->txn_open &&
	     nla_put_u32(msg, KABIGUARD_A_TXN_OWNER, st->txn_owner)) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_CNT_CHECKED, st->checked,
			      KABIGUARD_A_PAD) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_CNT_ALLOWED, st->allowed,
			      KABIGUARD_A_PAD) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_CNT_AUDITED, st->audited,
			      KABIGUARD_A_PAD) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_CNT_DENIED, st->denied,
			      KABIGUARD_A_PAD) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_CNT_VIOLATIONS, st->violations,
			      KABIGUARD_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/**
 * kg_nl_get_status() - KABIGUARD_CMD_GET_STATUS
 * @skb: request
 * @info: request details
 *
 * Return: 0 or -ENOMEM/-EMSGSIZE.
 */
static int kg_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct kg_status st;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kg_family, 0,
				KABIGUARD_CMD_GET_STATUS);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto free_msg;
	}
	kg_state_status(&st);
	ret = kg_nl_put_status(msg, &st);
	if (ret)
		goto free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

free_msg:
	nlmsg_free(msg);
	return ret;
}

/**
 * kg_nl_set_mode() - KABIGUARD_CMD_SET_MODE
 * @skb: request
 * @info: request details
 *
 * Return: 0, -EPERM (no capability, or locked), -EINVAL (no mode) or
 * -ENOENT (enforce before any policy was committed).
 */
static int kg_nl_set_mode(struct sk_buff *skb, struct genl_info *info)
{
	int ret = kg_nl_admin(skb, info);

	if (ret)
		return ret;
	if (GENL_REQ_ATTR_CHECK(info, KABIGUARD_A_MODE))
		return -EINVAL;
	return kg_state_set_mode(nla_get_u32(info->attrs[KABIGUARD_A_MODE]),
				 info->extack);
}

/**
 * kg_nl_policy_begin() - KABIGUARD_CMD_POLICY_BEGIN
 * @skb: request
 * @info: request details
 *
 * Return: 0, -EPERM (no capability, or locked) or -EBUSY.
 */
static int kg_nl_policy_begin(struct sk_buff *skb, struct genl_info *info)
{
	int ret = kg_nl_admin(skb, info);

	if (ret)
		return ret;
	return kg_state_begin(info->snd_portid, info->extack);
}

/* A string attribute of a rule: absent is fine, empty is not. */
static int kg_nl_rule_str(struct nlattr **tb, int type, const char **out,
			  struct netlink_ext_ack *extack)
{
	*out = NULL;
	if (!tb[type])
		return 0;
	if (!nla_len(tb[type]) || !*(const char *)nla_data(tb[type])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[type], "empty string in rule");
		return -EINVAL;
	}
	*out = nla_data(tb[type]);
	return 0;
}

static int kg_nl_rule_spec(struct nlattr **tb, struct nlattr *nest,
			   struct kg_rule_spec *spec,
			   struct netlink_ext_ack *extack)
{
	int ret;

	if (!tb[KABIGUARD_RULE_A_KIND]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "rule without KABIGUARD_RULE_A_KIND");
		return -EINVAL;
	}
	spec->kind = nla_get_u32(tb[KABIGUARD_RULE_A_KIND]);
	ret = kg_nl_rule_str(tb, KABIGUARD_RULE_A_NAME, &spec->name, extack) ?:
	      kg_nl_rule_str(tb, KABIGUARD_RULE_A_NAMESPACE, &spec->ns, extack) ?:
	      kg_nl_rule_str(tb, KABIGUARD_RULE_A_EXPORTER, &spec->exporter,
			     extack) ?:
	      kg_nl_rule_str(tb, KABIGUARD_RULE_A_MODULE, &spec->module, extack);
	if (ret)
		return ret;

	if (spec->kind == KABIGUARD_RULE_ANY && spec->name) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KABIGUARD_RULE_A_NAME],
				    "an ANY rule takes no name");
		return -EINVAL;
	}
	if (spec->kind != KABIGUARD_RULE_ANY && !spec->name) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "SYMBOL and NAMESPACE rules need KABIGUARD_RULE_A_NAME");
		return -EINVAL;
	}
	if (spec->kind == KABIGUARD_RULE_NAMESPACE &&
	    strlen(spec->name) >= KABIGUARD_NAMESPACE_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KABIGUARD_RULE_A_NAME],
				    "namespace name too long");
		return -EINVAL;
	}
	if (spec->kind != KABIGUARD_RULE_SYMBOL &&
	    (tb[KABIGUARD_RULE_A_NAMESPACE] || tb[KABIGUARD_RULE_A_CRC])) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "only SYMBOL rules take a namespace or a CRC");
		return -EINVAL;
	}
	if (tb[KABIGUARD_RULE_A_CRC]) {
		spec->has_crc = true;
		spec->crc = nla_get_u32(tb[KABIGUARD_RULE_A_CRC]);
	}
	if (tb[KABIGUARD_RULE_A_FLAGS]) {
		spec->flags = nla_get_u32(tb[KABIGUARD_RULE_A_FLAGS]);
		if (spec->flags & ~__KABIGUARD_RULE_F_ALL) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KABIGUARD_RULE_A_FLAGS],
					    "unknown rule flags");
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/*
 * genl validated the whole request against kg_add_policy, nested rules
 * included: sort a rule's attributes without validating them again, which
 * would double the cost of pushing a large policy.
 */
static int kg_nl_parse_rule(struct nlattr *nest, struct kg_rule_spec *spec,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KABIGUARD_RULE_A_MAX + 1] = {};
	struct nlattr *attr;
	int rem;

	memset(spec, 0, sizeof(*spec));
	nla_for_each_nested(attr, nest, rem)
		if (nla_type(attr) <= KABIGUARD_RULE_A_MAX)
			tb[nla_type(attr)] = attr;
	return kg_nl_rule_spec(tb, nest, spec, extack);
}

/**
 * kg_nl_policy_add() - KABIGUARD_CMD_POLICY_ADD
 * @skb: request
 * @info: request details
 *
 * The batch goes into one allocation sized from the request (a rule never
 * takes more than its header plus the attribute bytes it came in), and is
 * added whole or not at all.
 *
 * Return: 0, -EPERM, -EINVAL or -EOPNOTSUPP (bad rule), -ENOENT (no
 * transaction on this socket), -E2BIG (max_rules) or -ENOMEM.
 */
static int kg_nl_policy_add(struct sk_buff *skb, struct genl_info *info)
{
	struct kg_rule_spec spec;
	struct kg_rule_set batch;
	struct nlattr *attr;
	size_t bytes = 0;
	int rem, ret;

	ret = kg_nl_admin(skb, info);
	if (ret)
		return ret;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(attr) == KABIGUARD_A_RULE)
			bytes += sizeof(struct kg_rule) + 8 + nla_len(attr);
	if (!bytes) {
		NL_SET_ERR_MSG_MOD(info->extack, "no KABIGUARD_A_RULE in request");
		return -EINVAL;
	}

	kg_rule_set_init(&batch);
	ret = kg_rule_set_reserve(&batch, bytes);
	if (ret)
		return ret;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != KABIGUARD_A_RULE)
			continue;
		ret = kg_nl_parse_rule(attr, &spec, info->extack);
		if (ret)
			goto free_batch;
		kg_rule_set_add(&batch, &spec);
	}
	ret = kg_state_add(info->snd_portid, &batch, info->extack);
free_batch:
	kg_rule_set_free(&batch);
	return ret;
}

/**
 * kg_nl_policy_commit() - KABIGUARD_CMD_POLICY_COMMIT
 * @skb: request
 * @info: request details
 *
 * Return: 0, -EPERM, -ENOENT (no transaction on this socket) or -ENOMEM.
 */
static int kg_nl_policy_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	u64 generation;
	u32 nr_rules;
	void *hdr;
	int ret;

	ret = kg_nl_admin(skb, info);
	if (ret)
		return ret;
	/* Allocate the reply first: a committed policy must be reported. */
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = kg_state_commit(info->snd_portid, &generation, &nr_rules,
			      info->extack);
	if (ret)
		goto free_msg;
	hdr = genlmsg_put_reply(msg, info, &kg_family, 0,
				KABIGUARD_CMD_POLICY_COMMIT);
	if (!hdr ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_GENERATION, generation,
			      KABIGUARD_A_PAD) ||
	    nla_put_u32(msg, KABIGUARD_A_NR_RULES, nr_rules)) {
		ret = -EMSGSIZE;
		goto free_msg;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

free_msg:
	nlmsg_free(msg);
	return ret;
}

/**
 * kg_nl_policy_abort() - KABIGUARD_CMD_POLICY_ABORT
 * @skb: request
 * @info: request details
 *
 * Return: 0, -EPERM or -ENOENT (no transaction on this socket).
 */
static int kg_nl_policy_abort(struct sk_buff *skb, struct genl_info *info)
{
	int ret = kg_nl_admin(skb, info);

	if (ret)
		return ret;
	return kg_state_abort(info->snd_portid, info->extack);
}

/**
 * kg_nl_lock() - KABIGUARD_CMD_LOCK
 * @skb: request
 * @info: request details
 *
 * Return: 0 or -EPERM (no capability, or already locked).
 */
static int kg_nl_lock(struct sk_buff *skb, struct genl_info *info)
{
	int ret = kg_nl_admin(skb, info);

	if (ret)
		return ret;
	return kg_state_lock(info->extack);
}

static int kg_nl_put_rule(struct sk_buff *msg, const struct kg_rule *r)
{
	struct nlattr *nest = nla_nest_start(msg, KABIGUARD_A_RULE);

	if (!nest ||
	    nla_put_u32(msg, KABIGUARD_RULE_A_KIND, r->kind) ||
	    (r->name && nla_put_string(msg, KABIGUARD_RULE_A_NAME, r->name)) ||
	    (r->ns && nla_put_string(msg, KABIGUARD_RULE_A_NAMESPACE, r->ns)) ||
	    (r->exporter &&
	     nla_put_string(msg, KABIGUARD_RULE_A_EXPORTER, r->exporter)) ||
	    (r->has_crc && nla_put_u32(msg, KABIGUARD_RULE_A_CRC, r->crc)) ||
	    (r->module &&
	     nla_put_string(msg, KABIGUARD_RULE_A_MODULE, r->module)) ||
	    (r->flags && nla_put_u32(msg, KABIGUARD_RULE_A_FLAGS, r->flags)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * KABIGUARD_CMD_POLICY_GET: one message per rule. cb->args[0] is the next
 * rule; cb->seq carries the generation so that a commit between two calls
 * flags the rest of the dump NLM_F_DUMP_INTR.
 */
static int kg_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct kg_policy *p;
	unsigned long idx = cb->args[0];
	void *hdr;

	rcu_read_lock();
	p = kg_state_policy();
	if (!p)
		goto out;
	cb->seq = (u32)p->generation;
	for (; idx < p->nr_rules; idx++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &kg_family, NLM_F_MULTI,
				  KABIGUARD_CMD_POLICY_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (nla_put_u64_64bit(skb, KABIGUARD_A_GENERATION,
				      p->generation, KABIGUARD_A_PAD) ||
		    kg_nl_put_rule(skb, p->rules[idx])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
out:
	rcu_read_unlock();
	cb->args[0] = idx;
	return skb->len;
}

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

	if (!genl_has_listeners(&kg_family, &init_net, 0))
		return;
	msg = genlmsg_new(kg_nl_verdict_size(v), GFP_KERNEL);
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &kg_family, 0, KABIGUARD_CMD_VERDICT);
	if (!hdr || kg_nl_put_verdict(msg, v)) {
		nlmsg_free(msg);
		goto lost;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&kg_family, msg, 0, 0, GFP_KERNEL);
	return;
lost:
	pr_err("%s: verdict event lost (out of memory)\n", v->mod->name);
}

static const struct genl_ops kg_ops[] = {
	{
		.cmd = KABIGUARD_CMD_GET_STATUS,
		.doit = kg_nl_get_status,
		.policy = kg_none_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
	{
		.cmd = KABIGUARD_CMD_SET_MODE,
		.doit = kg_nl_set_mode,
		.policy = kg_set_mode_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
	{
		.cmd = KABIGUARD_CMD_POLICY_BEGIN,
		.doit = kg_nl_policy_begin,
		.policy = kg_none_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
	{
		.cmd = KABIGUARD_CMD_POLICY_ADD,
		.doit = kg_nl_policy_add,
		.policy = kg_add_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
	{
		.cmd = KABIGUARD_CMD_POLICY_COMMIT,
		.doit = kg_nl_policy_commit,
		.policy = kg_none_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
	{
		.cmd = KABIGUARD_CMD_POLICY_ABORT,
		.doit = kg_nl_policy_abort,
		.policy = kg_none_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
	{
		.cmd = KABIGUARD_CMD_POLICY_GET,
		.dumpit = kg_nl_policy_dump,
		.policy = kg_none_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
	{
		.cmd = KABIGUARD_CMD_LOCK,
		.doit = kg_nl_lock,
		.policy = kg_none_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
};

static const struct genl_multicast_group kg_mcgrps[] = {
	{ .name = KABIGUARD_MCGRP_EVENTS },
};

static struct genl_family kg_family __ro_after_init = {
	.name = KABIGUARD_GENL_NAME,
	.version = KABIGUARD_GENL_VERSION,
	.module = THIS_MODULE,
	.ops = kg_ops,
	.n_ops = ARRAY_SIZE(kg_ops),
	.mcgrps = kg_mcgrps,
	.n_mcgrps = ARRAY_SIZE(kg_mcgrps),
};

/* A socket that closes with a transaction open aborts it. */
static int kg_nl_release(struct notifier_block *nb, unsigned long event,
			 void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    net_eq(n->net, &init_net))
		kg_state_release(n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block kg_nl_release_nb = {
	.notifier_call = kg_nl_release,
};

int kg_netlink_init(void)
{
	int ret;

	ret = netlink_register_notifier(&kg_nl_release_nb);
	if (ret)
		return ret;
	ret = genl_register_family(&kg_family);
	if (ret)
		goto unregister_notifier;
	return 0;

unregister_notifier:
	netlink_unregister_notifier(&kg_nl_release_nb);
	return ret;
}

void kg_netlink_exit(void)
{
	genl_unregister_family(&kg_family);
	netlink_unregister_notifier(&kg_nl_release_nb);
}
