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

static struct nla_policy kg_status_policy[KABIGUARD_A_MAX + 1] = {
	[KABIGUARD_A_MODE]		= { .type = NLA_U32 },
	[KABIGUARD_A_GENERATION]	= { .type = NLA_U64 },
	[KABIGUARD_A_LOCKED]		= { .type = NLA_U8 },
	[KABIGUARD_A_FEATURES]		= { .type = NLA_U32 },
	[KABIGUARD_A_MAX_RULES]		= { .type = NLA_U32 },
	[KABIGUARD_A_NR_RULES]		= { .type = NLA_U32 },
	[KABIGUARD_A_NR_SYMBOL_RULES]	= { .type = NLA_U32 },
	[KABIGUARD_A_NR_NAMESPACE_RULES] = { .type = NLA_U32 },
	[KABIGUARD_A_NR_ANY_RULES]	= { .type = NLA_U32 },
	[KABIGUARD_A_TXN_OWNER]		= { .type = NLA_U32 },
	[KABIGUARD_A_CNT_CHECKED]	= { .type = NLA_U64 },
	[KABIGUARD_A_CNT_ALLOWED]	= { .type = NLA_U64 },
	[KABIGUARD_A_CNT_AUDITED]	= { .type = NLA_U64 },
	[KABIGUARD_A_CNT_DENIED]	= { .type = NLA_U64 },
	[KABIGUARD_A_CNT_VIOLATIONS]	= { .type = NLA_U64 },
	[KABIGUARD_A_RULE]		= { .type = NLA_NESTED },
	[KABIGUARD_A_RING_SIZE]		= { .type = NLA_U32 },
	[KABIGUARD_A_RING_FIRST]	= { .type = NLA_U64 },
	[KABIGUARD_A_RING_NEXT]		= { .type = NLA_U64 },
	[KABIGUARD_A_RING_OVERFLOW]	= { .type = NLA_U64 },
	[KABIGUARD_A_RING_BYTES]	= { .type = NLA_U64 },
	[KABIGUARD_A_RING_BYTES_MAX]	= { .type = NLA_U64 },
	[KABIGUARD_A_RING_READER_OVERFLOW] = { .type = NLA_U64 },
};

static struct nla_policy kg_rule_policy[KABIGUARD_RULE_A_MAX + 1] = {
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

static uint32_t kg_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static uint64_t kg_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static int kg_parse_reply(struct nl_msg *msg, struct nlattr **tb)
{
	int ret;

	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, KABIGUARD_A_MAX,
			    kg_status_policy);
	return ret < 0 ? -EBADMSG : 0;
}

static int kg_status_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KABIGUARD_A_MAX + 1];
	struct kg_status *st = arg;
	int ret;

	ret = kg_parse_reply(msg, tb);
	if (ret)
		return ret;
	st->mode = kg_u32(tb[KABIGUARD_A_MODE]);
	st->generation = kg_u64(tb[KABIGUARD_A_GENERATION]);
	st->locked = tb[KABIGUARD_A_LOCKED] &&
		     nla_get_u8(tb[KABIGUARD_A_LOCKED]);
	st->features = kg_u32(tb[KABIGUARD_A_FEATURES]);
	st->max_rules = kg_u32(tb[KABIGUARD_A_MAX_RULES]);
	st->nr_rules = kg_u32(tb[KABIGUARD_A_NR_RULES]);
	st->nr_symbol = kg_u32(tb[KABIGUARD_A_NR_SYMBOL_RULES]);
	st->nr_namespace = kg_u32(tb[KABIGUARD_A_NR_NAMESPACE_RULES]);
	st->nr_any = kg_u32(tb[KABIGUARD_A_NR_ANY_RULES]);
	st->txn_open = tb[KABIGUARD_A_TXN_OWNER] != NULL;
	st->txn_owner = kg_u32(tb[KABIGUARD_A_TXN_OWNER]);
	st->checked = kg_u64(tb[KABIGUARD_A_CNT_CHECKED]);
	st->allowed = kg_u64(tb[KABIGUARD_A_CNT_ALLOWED]);
	st->audited = kg_u64(tb[KABIGUARD_A_CNT_AUDITED]);
	st->denied = kg_u64(tb[KABIGUARD_A_CNT_DENIED]);
	st->violations = kg_u64(tb[KABIGUARD_A_CNT_VIOLATIONS]);
	st->ring_size = kg_u32(tb[KABIGUARD_A_RING_SIZE]);
	st->ring_first = kg_u64(tb[KABIGUARD_A_RING_FIRST]);
	st->ring_next = kg_u64(tb[KABIGUARD_A_RING_NEXT]);
	st->ring_overflow = kg_u64(tb[KABIGUARD_A_RING_OVERFLOW]);
	st->ring_bytes = kg_u64(tb[KABIGUARD_A_RING_BYTES]);
	st->ring_bytes_max = kg_u64(tb[KABIGUARD_A_RING_BYTES_MAX]);
	st->ring_reader = tb[KABIGUARD_A_RING_READER_OVERFLOW] != NULL;
	st->ring_reader_overflow =
		kg_u64(tb[KABIGUARD_A_RING_READER_OVERFLOW]);
	return 0;
}

/* Sends a command without attributes and waits for its ACK. */
static int kg_simple(struct kg_client *c, uint8_t cmd, kg_reply_fn reply,
		     void *arg)
{
	struct nl_msg *msg;
	int ret;

	msg = kg_msg_new(c, cmd, 0, 0);
	if (!msg)
		return -ENOMEM;
	ret = kg_request(c, msg, reply, arg);
	nlmsg_free(msg);
	return ret;
}

int kg_get_status(struct kg_client *c, struct kg_status *st)
{
	memset(st, 0, sizeof(*st));
	return kg_simple(c, KABIGUARD_CMD_GET_STATUS, kg_status_reply, st);
}

int kg_set_mode(struct kg_client *c, enum kabiguard_mode mode)
{
	struct nl_msg *msg;
	int ret;

	msg = kg_msg_new(c, KABIGUARD_CMD_SET_MODE, 0, 0);
	if (!msg)
		return -ENOMEM;
	ret = nla_put_u32(msg, KABIGUARD_A_MODE, mode);
	if (ret < 0) {
		ret = kg_nlerr(ret);
		goto out;
	}
	ret = kg_request(c, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	return ret;
}

int kg_policy_begin(struct kg_client *c)
{
	return kg_simple(c, KABIGUARD_CMD_POLICY_BEGIN, NULL, NULL);
}

int kg_policy_abort(struct kg_client *c)
{
	return kg_simple(c, KABIGUARD_CMD_POLICY_ABORT, NULL, NULL);
}

int kg_lock(struct kg_client *c)
{
	return kg_simple(c, KABIGUARD_CMD_LOCK, NULL, NULL);
}

static int kg_commit_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KABIGUARD_A_MAX + 1];
	uint64_t *generation = arg;
	int ret;

	ret = kg_parse_reply(msg, tb);
	if (ret)
		return ret;
	if (generation)
		*generation = kg_u64(tb[KABIGUARD_A_GENERATION]);
	return 0;
}

int kg_policy_commit(struct kg_client *c, uint64_t *generation)
{
	if (generation)
		*generation = 0;
	return kg_simple(c, KABIGUARD_CMD_POLICY_COMMIT, kg_commit_reply,
			 generation);
}

static bool kg_set(const char *s)
{
	return s && *s;
}

/* Bytes kg_put_rule() will add for r. */
static size_t kg_rule_size(const struct kg_rule *r)
{
	size_t n = nla_total_size(sizeof(uint32_t));

	if (kg_set(r->name))
		n += nla_total_size(strlen(r->name) + 1);
	if (kg_set(r->ns))
		n += nla_total_size(strlen(r->ns) + 1);
	if (kg_set(r->exporter))
		n += nla_total_size(strlen(r->exporter) + 1);
	if (kg_set(r->module))
		n += nla_total_size(strlen(r->module) + 1);
	if (r->has_crc)
		n += nla_total_size(sizeof(uint32_t));
	if (r->flags)
		n += nla_total_size(sizeof(uint32_t));
	return nla_total_size(n);
}

/* Writes one attribute at *pos and advances past its padding. */
static void kg_put_attr(char **pos, int type, const void *data, size_t len)
{
	struct nlattr *nla = (struct nlattr *)*pos;
	size_t total = nla_total_size(len);

	nla->nla_type = type;
	nla->nla_len = nla_attr_size(len);
	memcpy(nla_data(nla), data, len);
	memset((char *)nla_data(nla) + len, 0, total - nla_attr_size(len));
	*pos += total;
}

static void kg_put_str(char **pos, int type, const char *s)
{
	if (kg_set(s))
		kg_put_attr(pos, type, s, strlen(s) + 1);
}

/*
 * Encodes one rule as a KABIGUARD_A_RULE nest of exactly kg_rule_size()
 * bytes. Written by hand rather than attribute by attribute through libnl:
 * a 27,000-rule policy spends most of its push time here.
 */
static int kg_put_rule(struct nl_msg *msg, const struct kg_rule *r,
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
	kg_put_attr(&pos, KABIGUARD_RULE_A_KIND, &kind, sizeof(kind));
	kg_put_str(&pos, KABIGUARD_RULE_A_NAME, r->name);
	kg_put_str(&pos, KABIGUARD_RULE_A_NAMESPACE, r->ns);
	kg_put_str(&pos, KABIGUARD_RULE_A_EXPORTER, r->exporter);
	if (r->has_crc)
		kg_put_attr(&pos, KABIGUARD_RULE_A_CRC, &r->crc, sizeof(r->crc));
	kg_put_str(&pos, KABIGUARD_RULE_A_MODULE, r->module);
	if (r->flags)
		kg_put_attr(&pos, KABIGUARD_RULE_A_FLAGS, &r->flags,
			    sizeof(r->flags));
	return 0;
}

/* Sends rules[0..nr) as one POLICY_ADD; offs[] gets each nest's offset. */
static int kg_add_batch(struct kg_client *c, const struct kg_rule *rules,
			size_t nr, uint32_t *offs)
{
	struct nl_msg *msg;
	size_t i;
	int ret;

	msg = kg_msg_new(c, KABIGUARD_CMD_POLICY_ADD, 0, KG_BATCH_ALLOC);
	if (!msg)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		offs[i] = nlmsg_hdr(msg)->nlmsg_len;
		ret = kg_put_rule(msg, &rules[i], kg_rule_size(&rules[i]));
		if (ret)
			goto out;
	}
	ret = kg_request(c, msg, NULL, NULL);
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

int kg_policy_add(struct kg_client *c, const struct kg_rule *rules, size_t nr)
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
			size_t sz = kg_rule_size(&rules[start + n]);

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
		ret = kg_add_batch(c, rules + start, n, offs);
		if (ret)
			goto out;
		start += n;
	}
out:
	free(offs);
	return ret;
}

int kg_policy_push(struct kg_client *c, const struct kg_policy *p,
		   uint64_t *generation)
{
	char extack[KG_EXTACK_MAX];
	const struct kg_rule *bad;
	struct kg_status st;
	int ret;

	/* Refuse what the kernel cannot keep before sending any of it. */
	ret = kg_get_status(c, &st);
	if (ret)
		return ret;
	bad = kg_policy_unsupported(p, st.features, c->extack,
				    sizeof(c->extack));
	if (bad) {
		c->bad_rule = bad;
		return -EOPNOTSUPP;
	}
	ret = kg_policy_begin(c);
	if (ret)
		return ret;
	ret = kg_policy_add(c, p->rules, p->nr);
	if (ret)
		goto abort;
	ret = kg_policy_commit(c, generation);
	if (ret)
		goto abort;
	return 0;

abort:
	/* The abort's own ACK must not hide why we abort. */
	memcpy(extack, c->extack, sizeof(extack));
	bad = c->bad_rule;
	kg_policy_abort(c);
	memcpy(c->extack, extack, sizeof(extack));
	c->bad_rule = bad;
	return ret;
}

struct kg_dump_ctx {
	kg_rule_cb cb;
	void *arg;
};

static int kg_dump_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KABIGUARD_A_MAX + 1];
	struct nlattr *rtb[KABIGUARD_RULE_A_MAX + 1];
	struct kg_dump_ctx *ctx = arg;
	struct kg_rule r = { 0 };
	int ret;

	ret = kg_parse_reply(msg, tb);
	if (ret)
		return ret;
	if (!tb[KABIGUARD_A_RULE])
		return -EBADMSG;
	if (nla_parse_nested(rtb, KABIGUARD_RULE_A_MAX, tb[KABIGUARD_A_RULE],
			     kg_rule_policy) < 0 || !rtb[KABIGUARD_RULE_A_KIND])
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
	r.flags = kg_u32(rtb[KABIGUARD_RULE_A_FLAGS]);
	return ctx->cb(&r, kg_u64(tb[KABIGUARD_A_GENERATION]), ctx->arg);
}

int kg_policy_dump(struct kg_client *c, kg_rule_cb cb, void *arg)
{
	struct kg_dump_ctx ctx = { .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int ret;

	msg = kg_msg_new(c, KABIGUARD_CMD_POLICY_GET, NLM_F_DUMP, 0);
	if (!msg)
		return -ENOMEM;
	ret = kg_request(c, msg, kg_dump_reply, &ctx);
	nlmsg_free(msg);
	return ret;
}
