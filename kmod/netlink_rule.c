// SPDX-License-Identifier: GPL-2.0
/*
 * Rules on the wire: KABIGUARD_A_RULE nests to rule specs and back.
 */
#include <net/netlink.h>
#include "guard.h"

const struct nla_policy kg_rule_policy[KABIGUARD_RULE_A_MAX + 1] = {
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

	if (spec->kind == KABIGUARD_RULE_LIVEPATCH &&
	    (spec->name || tb[KABIGUARD_RULE_A_NAMESPACE] ||
	     spec->exporter || tb[KABIGUARD_RULE_A_CRC])) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a LIVEPATCH rule takes no name, namespace, exporter or CRC");
		return -EINVAL;
	}
	if (spec->kind == KABIGUARD_RULE_LIVEPATCH)
		goto flags;
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
	if (tb[KABIGUARD_RULE_A_CRC] && !kg_ksyms_have_crcs()) {
		/* Never a rule that would refuse every import it names. */
		NL_SET_ERR_MSG_ATTR(extack, tb[KABIGUARD_RULE_A_CRC],
				    "kernel built without CONFIG_MODVERSIONS has no CRCs to check");
		return -EOPNOTSUPP;
	}
	if (tb[KABIGUARD_RULE_A_CRC]) {
		spec->has_crc = true;
		spec->crc = nla_get_u32(tb[KABIGUARD_RULE_A_CRC]);
	}
flags:
	if (tb[KABIGUARD_RULE_A_FLAGS]) {
		spec->flags = nla_get_u32(tb[KABIGUARD_RULE_A_FLAGS]);
		if (spec->flags & ~__KABIGUARD_RULE_F_ALL) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KABIGUARD_RULE_A_FLAGS],
					    "unknown rule flags");
			return -EOPNOTSUPP;
		}
		if ((spec->flags & KABIGUARD_RULE_F_SIGNED_ONLY) &&
		    !KG_HAVE_MODULE_SIG) {
			/* module_sig_ok() would say true for every module. */
			NL_SET_ERR_MSG_ATTR(extack, tb[KABIGUARD_RULE_A_FLAGS],
					    "signed-only: kernel built without CONFIG_MODULE_SIG verifies no module signature");
			return -EOPNOTSUPP;
		}
		if ((spec->flags & KABIGUARD_RULE_F_IN_TREE) &&
		    !(spec->flags & KABIGUARD_RULE_F_SIGNED_ONLY)) {
			/* Unsigned, intree=Y is anyone's claim. */
			NL_SET_ERR_MSG_ATTR(extack, tb[KABIGUARD_RULE_A_FLAGS],
					    "in-tree needs signed-only: an unsigned module's in-tree mark is its own claim");
			return -EINVAL;
		}
		if ((spec->flags & KABIGUARD_RULE_F_NS_PINNED) &&
		    spec->kind != KABIGUARD_RULE_SYMBOL) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KABIGUARD_RULE_A_FLAGS],
					    "only SYMBOL rules pin a namespace");
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * genl validated the whole request against kg_add_policy, nested rules
 * included: sort a rule's attributes without validating them again, which
 * would double the cost of pushing a large policy.
 */
int kg_nl_parse_rule(struct nlattr *nest, struct kg_rule_spec *spec,
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

int kg_nl_put_rule(struct sk_buff *msg, const struct kg_rule *r)
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
