// SPDX-License-Identifier: GPL-2.0
/*
 * The "kabiguard" generic netlink family: see include/uapi/linux/kabiguard.h
 * for every command, attribute and error.
 *
 * Every attribute is validated strictly by a per-command policy before a
 * handler runs; the handlers check what a policy cannot express (which
 * attributes belong to which rule kind). State-changing commands need
 * CAP_SYS_MODULE in the initial user namespace, the capability that lets
 * its holder load modules in the first place. So do the dumps: netlink
 * holds a reference on the module while a dump is unfinished, so a dump
 * left unread would keep rmmod from removing the guard; only those who
 * may remove it can start one. The family is not
 * netns-aware, so it exists only in the initial network namespace.
 */
#include <linux/capability.h>
#include <linux/netlink.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include "guard.h"

/* Commands without attributes: strict validation rejects any. */
static const struct nla_policy kg_none_policy[KABIGUARD_A_MAX + 1] = {};

static const struct nla_policy kg_set_mode_policy[KABIGUARD_A_MAX + 1] = {
	[KABIGUARD_A_MODE] = NLA_POLICY_MAX(NLA_U32, KABIGUARD_MODE_MAX),
};

static const struct nla_policy kg_add_policy[KABIGUARD_A_MAX + 1] = {
	[KABIGUARD_A_RULE] = NLA_POLICY_NESTED(kg_rule_policy),
};

static const struct nla_policy kg_events_get_policy[KABIGUARD_A_MAX + 1] = {
	[KABIGUARD_A_SEQ] = { .type = NLA_U64 },
};

static const struct nla_policy kg_import_policy[KABIGUARD_IMPORT_A_MAX + 1] = {
	[KABIGUARD_IMPORT_A_NAME] = { .type = NLA_NUL_STRING,
				      .len = KABIGUARD_SYMBOL_MAX - 1 },
};

static const struct nla_policy kg_scan_policy[KABIGUARD_A_MAX + 1] = {
	[KABIGUARD_A_MODULE] = { .type = NLA_NUL_STRING,
				 .len = KABIGUARD_MODNAME_MAX - 1 },
	[KABIGUARD_A_IMPORT] = NLA_POLICY_NESTED(kg_import_policy),
};

static int kg_nl_admin(struct sk_buff *skb, struct genl_info *info)
{
	if (netlink_capable(skb, CAP_SYS_MODULE))
		return 0;
	NL_SET_ERR_MSG_MOD(info->extack,
			   "needs CAP_SYS_MODULE in the initial user namespace");
	return -EPERM;
}

/* A reply to @info of command @cmd, its genl header at *@hdr. */
static struct sk_buff *kg_nl_reply_new(struct genl_info *info, u8 cmd,
				       void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &kg_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* The event ring's figures (KABIGUARD_A_RING), as socket @portid sees them. */
static int kg_nl_put_ring(struct sk_buff *msg, u32 portid)
{
	struct kg_ring_status rs;
	struct nlattr *nest;

	kg_ring_status(&rs, portid);
	nest = nla_nest_start(msg, KABIGUARD_A_RING);
	if (!nest ||
	    nla_put_u32(msg, KABIGUARD_RING_A_SIZE, rs.size) ||
	    nla_put_u64_64bit(msg, KABIGUARD_RING_A_FIRST, rs.first,
			      KABIGUARD_RING_A_PAD) ||
	    nla_put_u64_64bit(msg, KABIGUARD_RING_A_NEXT, rs.next,
			      KABIGUARD_RING_A_PAD) ||
	    nla_put_u64_64bit(msg, KABIGUARD_RING_A_OVERFLOW, rs.overflow,
			      KABIGUARD_RING_A_PAD) ||
	    nla_put_u64_64bit(msg, KABIGUARD_RING_A_BYTES, rs.bytes,
			      KABIGUARD_RING_A_PAD) ||
	    nla_put_u64_64bit(msg, KABIGUARD_RING_A_BYTES_MAX, rs.bytes_max,
			      KABIGUARD_RING_A_PAD) ||
	    (rs.is_reader &&
	     nla_put_u64_64bit(msg, KABIGUARD_RING_A_READER_OVERFLOW,
			       rs.reader_overflow, KABIGUARD_RING_A_PAD)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int kg_nl_put_status(struct sk_buff *msg, const struct kg_status *st,
			    u32 portid)
{
	u32 features = KABIGUARD_FEAT_ENFORCE | KABIGUARD_FEAT_RING |
		       KABIGUARD_FEAT_SCAN;

	if (kg_ksyms_have_crcs())
		features |= KABIGUARD_FEAT_MODVERSIONS;
	if (KG_HAVE_MODULE_SIG)
		features |= KABIGUARD_FEAT_SIG;
	if (KG_HAVE_MCGRP_ADMIN_ONLY)
		features |= KABIGUARD_FEAT_EVENTS_ADMIN;

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
	return kg_nl_put_ring(msg, portid);
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

	msg = kg_nl_reply_new(info, KABIGUARD_CMD_GET_STATUS, &hdr);
	if (!msg)
		return -ENOMEM;
	kg_state_status(&st);
	if (kg_nl_put_status(msg, &st, info->snd_portid)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
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
	msg = kg_nl_reply_new(info, KABIGUARD_CMD_POLICY_COMMIT, &hdr);
	if (!msg)
		return -ENOMEM;
	ret = kg_state_commit(info->snd_portid, &generation, &nr_rules,
			      info->extack);
	if (ret)
		goto free_msg;
	if (nla_put_u64_64bit(msg, KABIGUARD_A_GENERATION, generation,
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

/* Dumps pin the module until read to the end: see the top of this file. */
static int kg_nl_dump_admin(struct netlink_callback *cb)
{
	if (netlink_capable(cb->skb, CAP_SYS_MODULE))
		return 0;
	NL_SET_ERR_MSG_MOD(cb->extack,
			   "needs CAP_SYS_MODULE in the initial user namespace");
	return -EPERM;
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
				  cb->nlh->nlmsg_seq, &kg_genl_family, NLM_F_MULTI,
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

/*
 * KABIGUARD_CMD_EVENTS_GET: the ring from the requested sequence number on.
 * genl validated the request; it is parsed here rather than through the
 * dump info, whose layout differs between kernels.
 */
static int kg_nl_events_start(struct netlink_callback *cb)
{
	struct nlattr *tb[KABIGUARD_A_MAX + 1];
	int ret;

	/* Events name processes and users: not for every local user. */
	ret = kg_nl_dump_admin(cb);
	if (ret)
		return ret;
	ret = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, KABIGUARD_A_MAX,
			  kg_events_get_policy, cb->extack);
	if (ret)
		return ret;
	ret = kg_ring_reader_add(NETLINK_CB(cb->skb).portid, cb->extack);
	if (ret)
		return ret;
	cb->args[0] = tb[KABIGUARD_A_SEQ] ? nla_get_u64(tb[KABIGUARD_A_SEQ]) : 0;
	/* Room for the largest event in every dump message. */
	cb->min_dump_alloc = nlmsg_total_size(GENL_HDRLEN + KABIGUARD_EVENT_MAX);
	return 0;
}

/**
 * kg_nl_scan() - KABIGUARD_CMD_SCAN
 * @skb: request
 * @info: request details
 *
 * Return: 0, -EPERM, -EINVAL (no module name), -ENOENT (no live module of
 * that name) or -ENOMEM.
 */
static int kg_nl_scan(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[KABIGUARD_IMPORT_A_MAX + 1];
	const char **names = NULL;
	unsigned int nr = 0;
	struct nlattr *attr;
	int rem, ret;

	ret = kg_nl_admin(skb, info);
	if (ret)
		return ret;
	if (GENL_REQ_ATTR_CHECK(info, KABIGUARD_A_MODULE))
		return -EINVAL;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem)
		nr += nla_type(attr) == KABIGUARD_A_IMPORT;
	if (nr) {
		names = kvmalloc_array(nr, sizeof(*names), GFP_KERNEL);
		if (!names)
			return -ENOMEM;
	}
	nr = 0;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != KABIGUARD_A_IMPORT)
			continue;
		ret = nla_parse_nested(tb, KABIGUARD_IMPORT_A_MAX, attr,
				       kg_import_policy, info->extack);
		if (ret)
			goto free_names;
		if (!tb[KABIGUARD_IMPORT_A_NAME]) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "import without KABIGUARD_IMPORT_A_NAME");
			ret = -EINVAL;
			goto free_names;
		}
		names[nr++] = nla_data(tb[KABIGUARD_IMPORT_A_NAME]);
	}
	ret = kg_verdict_scan(nla_data(info->attrs[KABIGUARD_A_MODULE]), names,
			      nr, info->extack);
free_names:
	kvfree(names);
	return ret;
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
		.start = kg_nl_dump_admin,
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
	{
		.cmd = KABIGUARD_CMD_EVENTS_GET,
		.start = kg_nl_events_start,
		.dumpit = kg_ring_dump,
		.policy = kg_events_get_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
	{
		.cmd = KABIGUARD_CMD_SCAN,
		.doit = kg_nl_scan,
		.policy = kg_scan_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
};

static const struct genl_multicast_group kg_mcgrps[] = {
	{ .name = KABIGUARD_MCGRP_EVENTS, KG_MCGRP_ADMIN_ONLY },
};

struct genl_family kg_genl_family __ro_after_init = {
	.name = KABIGUARD_GENL_NAME,
	.version = KABIGUARD_GENL_VERSION,
	.module = THIS_MODULE,
	.ops = kg_ops,
	.n_ops = ARRAY_SIZE(kg_ops),
	.mcgrps = kg_mcgrps,
	.n_mcgrps = ARRAY_SIZE(kg_mcgrps),
};

/* A socket that closes with a transaction open aborts it; it reads no more. */
static int kg_nl_release(struct notifier_block *nb, unsigned long event,
			 void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    net_eq(n->net, &init_net)) {
		kg_state_release(n->portid);
		kg_ring_reader_release(n->portid);
	}
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
	ret = genl_register_family(&kg_genl_family);
	if (ret)
		goto unregister_notifier;
	return 0;

unregister_notifier:
	netlink_unregister_notifier(&kg_nl_release_nb);
	return ret;
}

void kg_netlink_exit(void)
{
	genl_unregister_family(&kg_genl_family);
	netlink_unregister_notifier(&kg_nl_release_nb);
}
