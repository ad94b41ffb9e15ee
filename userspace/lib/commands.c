// SPDX-License-Identifier: GPL-2.0
/*
 * One function per kabiguard command: status, mode, the policy
 * transaction (begin, add in batches, commit, abort), lock and dump.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "attr_table.h"
#include "internal.h"

/*
 * POLICY_ADD batches: the kernel takes as many rules per message as fit,
 * all or none. 48 KiB holds ~800 typical symbol rules, so a 27,000-rule
 * policy goes in ~35 round trips, and stays well under the socket buffers
 * (see client.c) and the kernel's per-message allocation.
 */
#define KG_BATCH_BYTES	(48 * 1024)
/* Room for the headers and one rule of maximal size beyond the budget. */
#define KG_BATCH_ALLOC	(KG_BATCH_BYTES + 4096)

static struct nla_policy kgc_rule_policy[KABIGUARD_RULE_A_MAX + 1] = {
	[KABIGUARD_RULE_A_KIND]		= { .type = NLA_U32 },
	[KABIGUARD_RULE_A_NAME]		= { .type = NLA_STRING,
					    .maxlen = KABIGUARD_SYMBOL_MAX },
	[KABIGUARD_RULE_A_NAMESPACE]	= { .type = NLA_STRING,
					    .maxlen = KABIGUARD_NAMESPACE_MAX },
	[KABIGUARD_RULE_A_EXPORTER]	= { .type = NLA_STRING,
					    .maxlen = KABIGUARD_MODNAME_MAX },
	[KABIGUARD_RULE_A_CRC]		= { .type = NLA_U32 },
	[KABIGUARD_RULE_A_MODULE]	= { .type = NLA_STRING,
					    .maxlen = KABIGUARD_MODNAME_MAX },
	[KABIGUARD_RULE_A_FLAGS]	= { .type = NLA_U32 },
};

static uint32_t kgc_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static uint64_t kgc_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

/* Every reply, by the status table's policy (status_fields.c). */
static int kgc_parse_reply(struct nl_msg *msg, struct nlattr **tb)
{
	struct nla_policy policy[KABIGUARD_A_MAX + 1];
	int ret;

	kgc_attr_policy(&kgc_status_attrs, policy);
	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, KABIGUARD_A_MAX, policy);
	return ret < 0 ? -EBADMSG : 0;
}

int kgc_status_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KABIGUARD_A_MAX + 1];
	struct kgc_status *st = arg;
	int ret;

	ret = kgc_parse_reply(msg, tb);
	if (ret)
		return ret;
	return kgc_attr_store(&kgc_status_attrs, tb, st);
}

/* Sends a command without attributes and waits for its ACK. */
static int kgc_simple(struct kgc_client *c, uint8_t cmd, kgc_reply_fn reply,
		     void *arg)
{
	struct nl_msg *msg;
	int ret;

	msg = kgc_msg_new(c, cmd, 0, 0);
	if (!msg)
		return -ENOMEM;
	ret = kgc_request(c, msg, reply, arg);
	nlmsg_free(msg);
	return ret;
}

int kgc_cmd_get_status(struct kgc_client *c, struct kgc_status *st)
{
	memset(st, 0, sizeof(*st));
	return kgc_simple(c, KABIGUARD_CMD_GET_STATUS, kgc_status_reply, st);
}

int kgc_cmd_set_mode(struct kgc_client *c, enum kabiguard_mode mode)
{
	struct nl_msg *msg;
	int ret;

	msg = kgc_msg_new(c, KABIGUARD_CMD_SET_MODE, 0, 0);
	if (!msg)
		return -ENOMEM;
	ret = nla_put_u32(msg, KABIGUARD_A_MODE, mode);
	if (ret < 0) {
		ret = kgc_nlerr(ret);
		goto out;
	}
	ret = kgc_request(c, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	return ret;
}

int kgc_cmd_policy_begin(struct kgc_client *c)
{
	return kgc_simple(c, KABIGUARD_CMD_POLICY_BEGIN, NULL, NULL);
}

int kgc_cmd_policy_abort(struct kgc_client *c)
{
	return kgc_simple(c, KABIGUARD_CMD_POLICY_ABORT, NULL, NULL);
}

int kgc_cmd_lock(struct kgc_client *c)
{
	return kgc_simple(c, KABIGUARD_CMD_LOCK, NULL, NULL);
}

static int kgc_commit_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KABIGUARD_A_MAX + 1];
	uint64_t *generation = arg;
	int ret;

	ret = kgc_parse_reply(msg, tb);
	if (ret)
		return ret;
	if (generation)
		*generation = kgc_u64(tb[KABIGUARD_A_GENERATION]);
	return 0;
}

int kgc_cmd_policy_commit(struct kgc_client *c, uint64_t *generation)
{
	if (generation)
		*generation = 0;
	return kgc_simple(c, KABIGUARD_CMD_POLICY_COMMIT, kgc_commit_reply,
			 generation);
}

static bool kgc_set(const char *s)
{
	return s && *s;
}

/* Bytes kgc_put_rule() will add for r. */
static size_t kgc_rule_size(const struct kgc_rule *r)
{
	size_t n = nla_total_size(sizeof(uint32_t));

	if (kgc_set(r->name))
		n += nla_total_size(strlen(r->name) + 1);
	if (kgc_set(r->ns))
		n += nla_total_size(strlen(r->ns) + 1);
	if (kgc_set(r->exporter))
		n += nla_total_size(strlen(r->exporter) + 1);
	if (kgc_set(r->module))
		n += nla_total_size(strlen(r->module) + 1);
	if (r->has_crc)
		n += nla_total_size(sizeof(uint32_t));
	if (r->flags)
		n += nla_total_size(sizeof(uint32_t));
	return nla_total_size(n);
}

/* Writes one attribute at *pos and advances past its padding. */
static void kgc_put_attr(char **pos, int type, const void *data, size_t len)
{
	struct nlattr *nla = (struct nlattr *)*pos;
	size_t total = nla_total_size(len);

	nla->nla_type = type;
	nla->nla_len = nla_attr_size(len);
	memcpy(nla_data(nla), data, len);
	memset((char *)nla_data(nla) + len, 0, total - nla_attr_size(len));
	*pos += total;
}

static void kgc_put_str(char **pos, int type, const char *s)
{
	if (kgc_set(s))
		kgc_put_attr(pos, type, s, strlen(s) + 1);
}

/*
 * Encodes one rule as a KABIGUARD_A_RULE nest of exactly kgc_rule_size()
 * bytes. Written by hand rather than attribute by attribute through libnl:
 * a 27,000-rule policy spends most of its push time here.
 */
static int kgc_put_rule(struct nl_msg *msg, const struct kgc_rule *r,
		       size_t size)
{
	uint32_t kind = r->kind;
	struct nlattr *nest;
	char *pos;

	nest = nlmsg_reserve(msg, size, NLA_ALIGNTO);
	if (!nest)
		return -EMSGSIZE;
	/* Strict genl validation wants NLA_F_NESTED on nests. */
	nest->nla_type = KABIGUARD_A_RULE | NLA_F_NESTED;
	nest->nla_len = size;
	pos = nla_data(nest);
	kgc_put_attr(&pos, KABIGUARD_RULE_A_KIND, &kind, sizeof(kind));
	kgc_put_str(&pos, KABIGUARD_RULE_A_NAME, r->name);
	kgc_put_str(&pos, KABIGUARD_RULE_A_NAMESPACE, r->ns);
	kgc_put_str(&pos, KABIGUARD_RULE_A_EXPORTER, r->exporter);
	if (r->has_crc)
		kgc_put_attr(&pos, KABIGUARD_RULE_A_CRC, &r->crc, sizeof(r->crc));
	kgc_put_str(&pos, KABIGUARD_RULE_A_MODULE, r->module);
	if (r->flags)
		kgc_put_attr(&pos, KABIGUARD_RULE_A_FLAGS, &r->flags,
			    sizeof(r->flags));
	return 0;
}

/* Sends rules[0..nr) as one POLICY_ADD; offs[] gets each nest's offset. */
static int kgc_add_batch(struct kgc_client *c, const struct kgc_rule *rules,
			size_t nr, uint32_t *offs)
{
	struct nl_msg *msg;
	size_t i;
	int ret;

	msg = kgc_msg_new(c, KABIGUARD_CMD_POLICY_ADD, 0, KG_BATCH_ALLOC);
	if (!msg)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		offs[i] = nlmsg_hdr(msg)->nlmsg_len;
		ret = kgc_put_rule(msg, &rules[i], kgc_rule_size(&rules[i]));
		if (ret)
			goto out;
	}
	ret = kgc_request(c, msg, NULL, NULL);
	if (ret && c->has_bad_offs) {
		/* The last rule starting at or before the bad attribute. */
		for (i = nr; i-- > 0;) {
			if (offs[i] <= c->bad_offs) {
				c->bad_rule = &rules[i];
				break;
			}
		}
	}
out:
	nlmsg_free(msg);
	return ret;
}

int kgc_cmd_policy_add(struct kgc_client *c, const struct kgc_rule *rules, size_t nr)
{
	size_t start = 0, max_batch = KG_BATCH_BYTES / 16;
	uint32_t *offs;
	int ret = 0;

	/* No rule encodes below 16 bytes, which bounds a batch's length. */
	offs = calloc(max_batch, sizeof(*offs));
	if (!offs)
		return -ENOMEM;
	while (start < nr) {
		size_t n = 0, bytes = 0;

		while (start + n < nr && n < max_batch) {
			size_t sz = kgc_rule_size(&rules[start + n]);

			if (sz > KG_BATCH_ALLOC - 1024) {
				/* Only corrupt input gets here: the parsers cap
				 * every string at its uapi limit. */
				c->bad_rule = &rules[start + n];
				ret = -EMSGSIZE;
				goto out;
			}
			if (n && bytes + sz > KG_BATCH_BYTES)
				break;
			bytes += sz;
			n++;
		}
		ret = kgc_add_batch(c, rules + start, n, offs);
		if (ret)
			goto out;
		start += n;
	}
out:
	free(offs);
	return ret;
}

int kgc_policy_push(struct kgc_client *c, const struct kgc_policy *p,
		   uint64_t *generation)
{
	char extack[KG_EXTACK_MAX];
	const struct kgc_rule *bad;
	struct kgc_status st;
	int ret;

	/* Refuse what the kernel cannot keep before sending any of it. */
	ret = kgc_cmd_get_status(c, &st);
	if (ret)
		return ret;
	bad = kgc_policy_unsupported(p, st.features, c->extack,
				    sizeof(c->extack));
	if (bad) {
		c->bad_rule = bad;
		return -EOPNOTSUPP;
	}
	ret = kgc_cmd_policy_begin(c);
	if (ret)
		return ret;
	ret = kgc_cmd_policy_add(c, p->rules, p->nr);
	if (ret)
		goto abort;
	ret = kgc_cmd_policy_commit(c, generation);
	if (ret)
		goto abort;
	return 0;

abort:
	/* The abort's own ACK must not hide why we abort. */
	memcpy(extack, c->extack, sizeof(extack));
	bad = c->bad_rule;
	kgc_cmd_policy_abort(c);
	memcpy(c->extack, extack, sizeof(extack));
	c->bad_rule = bad;
	return ret;
}

struct kgc_dump_ctx {
	kgc_rule_cb cb;
	void *arg;
};

static int kgc_dump_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KABIGUARD_A_MAX + 1];
	struct nlattr *rtb[KABIGUARD_RULE_A_MAX + 1];
	struct kgc_dump_ctx *ctx = arg;
	struct kgc_rule r = { 0 };
	int ret;

	ret = kgc_parse_reply(msg, tb);
	if (ret)
		return ret;
	if (!tb[KABIGUARD_A_RULE])
		return -EBADMSG;
	if (nla_parse_nested(rtb, KABIGUARD_RULE_A_MAX, tb[KABIGUARD_A_RULE],
			     kgc_rule_policy) < 0 || !rtb[KABIGUARD_RULE_A_KIND])
		return -EBADMSG;
	r.kind = nla_get_u32(rtb[KABIGUARD_RULE_A_KIND]);
	if (rtb[KABIGUARD_RULE_A_NAME])
		r.name = nla_get_string(rtb[KABIGUARD_RULE_A_NAME]);
	if (rtb[KABIGUARD_RULE_A_NAMESPACE])
		r.ns = nla_get_string(rtb[KABIGUARD_RULE_A_NAMESPACE]);
	if (rtb[KABIGUARD_RULE_A_EXPORTER])
		r.exporter = nla_get_string(rtb[KABIGUARD_RULE_A_EXPORTER]);
	if (rtb[KABIGUARD_RULE_A_MODULE])
		r.module = nla_get_string(rtb[KABIGUARD_RULE_A_MODULE]);
	if (rtb[KABIGUARD_RULE_A_CRC]) {
		r.has_crc = true;
		r.crc = nla_get_u32(rtb[KABIGUARD_RULE_A_CRC]);
	}
	r.flags = kgc_u32(rtb[KABIGUARD_RULE_A_FLAGS]);
	return ctx->cb(&r, kgc_u64(tb[KABIGUARD_A_GENERATION]), ctx->arg);
}

int kgc_cmd_policy_get(struct kgc_client *c, kgc_rule_cb cb, void *arg)
{
	struct kgc_dump_ctx ctx = { .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int ret;

	msg = kgc_msg_new(c, KABIGUARD_CMD_POLICY_GET, NLM_F_DUMP, 0);
	if (!msg)
		return -ENOMEM;
	ret = kgc_request(c, msg, kgc_dump_reply, &ctx);
	nlmsg_free(msg);
	return ret;
}
