// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz: what the kernel says about a generic netlink family. nlctrl's
 * CTRL_CMD_GETFAMILY gives its id, commands (with their do/dump flags)
 * and multicast groups; CTRL_CMD_GETPOLICY (a dump) gives every attribute
 * policy and, on kernels with per-operation policies, which policy each
 * command uses for do and for dump. The fuzzer generates from exactly
 * this, so it follows whatever the running module validates.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "genl_fuzz.h"

#define FZ_RX	65536

static int fz_ctrl_send(int fd, uint8_t cmd, uint16_t flags, uint16_t atype,
			const void *data, uint16_t dlen)
{
	uint32_t words[64] = { 0 };
	unsigned char *buf = (unsigned char *)words;
	struct nlmsghdr *h = (void *)buf;
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct nlattr *a = (void *)(g + 1);

	if (dlen > 128)
		return -EINVAL;
	a->nla_type = atype;
	a->nla_len = NLA_HDRLEN + dlen;
	memcpy(a + 1, data, dlen);
	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len);
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = 1;
	g->cmd = cmd;
	g->version = 2;
	return send(fd, buf, h->nlmsg_len, 0) < 0 ? -errno : 0;
}

/* Fills tb[0..max] with the attributes in [data, data + len). */
static void fz_parse(const void *data, size_t len, const struct nlattr **tb,
		     unsigned int max)
{
	const struct nlattr *a = data;
	size_t rem = len;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem) {
		unsigned int t = a->nla_type & NLA_TYPE_MASK;

		if (t <= max)
			tb[t] = a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= rem)
			break;
		rem -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

/* The attribute nested in @nest after @prev (NULL: the first), or NULL. */
static const struct nlattr *fz_next(const struct nlattr *nest,
				    const struct nlattr *prev)
{
	const char *end = (const char *)nest + nest->nla_len;
	const struct nlattr *a = prev ?
		(const void *)((const char *)prev + NLA_ALIGN(prev->nla_len)) :
		(const void *)(nest + 1);

	if ((const char *)a + NLA_HDRLEN > end || a->nla_len < NLA_HDRLEN ||
	    (const char *)a + a->nla_len > end)
		return NULL;
	return a;
}

static const void *fz_data(const struct nlattr *a)
{
	return a + 1;
}

static uint64_t fz_uint(const struct nlattr *a)
{
	uint64_t v = 0;
	uint32_t v32 = 0;

	if (a->nla_len - NLA_HDRLEN >= 8)
		memcpy(&v, fz_data(a), 8);
	else if (a->nla_len - NLA_HDRLEN >= 4)
		memcpy(&v32, fz_data(a), 4), v = v32;
	return v;
}

static void fz_family_attrs(struct fz_family *f, const struct nlattr **tb)
{
	const struct nlattr *a, *b, *n;

	if (tb[CTRL_ATTR_FAMILY_ID])
		memcpy(&f->id, fz_data(tb[CTRL_ATTR_FAMILY_ID]), 2);
	if (tb[CTRL_ATTR_VERSION])
		f->version = (uint32_t)fz_uint(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_HDRSIZE])
		f->hdrsize = (uint32_t)fz_uint(tb[CTRL_ATTR_HDRSIZE]);
	if (tb[CTRL_ATTR_MAXATTR])
		f->maxattr = (uint32_t)fz_uint(tb[CTRL_ATTR_MAXATTR]);
	if (tb[CTRL_ATTR_OPS]) {
		n = tb[CTRL_ATTR_OPS];
		for (a = fz_next(n, NULL); a; a = fz_next(n, a)) {
			const struct nlattr *ot[CTRL_ATTR_OP_MAX + 1];
			struct fz_op *op;

			if (f->nr_ops >= FZ_MAX_OPS)
				break;
			fz_parse(a + 1, a->nla_len - NLA_HDRLEN, ot,
				 CTRL_ATTR_OP_MAX);
			if (!ot[CTRL_ATTR_OP_ID])
				continue;
			op = &f->ops[f->nr_ops++];
			op->cmd = (uint8_t)fz_uint(ot[CTRL_ATTR_OP_ID]);
			op->flags = ot[CTRL_ATTR_OP_FLAGS] ?
				    (uint32_t)fz_uint(ot[CTRL_ATTR_OP_FLAGS]) : 0;
			op->do_pol = -1;
			op->dump_pol = -1;
		}
	}
	if (tb[CTRL_ATTR_MCAST_GROUPS]) {
		n = tb[CTRL_ATTR_MCAST_GROUPS];
		for (a = fz_next(n, NULL); a; a = fz_next(n, a)) {
			for (b = fz_next(a, NULL); b; b = fz_next(a, b)) {
				if (b->nla_type == CTRL_ATTR_MCAST_GRP_ID &&
				    !f->mcgrp)
					f->mcgrp = (uint32_t)fz_uint(b);
				if (b->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
				    !f->mcgrp_name[0])
					snprintf(f->mcgrp_name,
						 sizeof(f->mcgrp_name), "%.*s",
						 b->nla_len - NLA_HDRLEN,
						 (const char *)fz_data(b));
			}
		}
	}
}

/* A property's value into *@v, if the kernel gave it. */
static bool fz_prop(const struct nlattr *a, uint64_t *v)
{
	*v = a ? fz_uint(a) : 0;
	return a;
}

static void fz_attr_props(struct fz_attr *fa, const struct nlattr *nest)
{
	const struct nlattr *pt[NL_POLICY_TYPE_ATTR_MAX + 1];
	uint64_t v;

	fz_parse(nest + 1, nest->nla_len - NLA_HDRLEN, pt,
		 NL_POLICY_TYPE_ATTR_MAX);
	memset(fa, 0, sizeof(*fa));
	fa->nested = -1;
	if (!pt[NL_POLICY_TYPE_ATTR_TYPE])
		return;
	fa->type = (uint32_t)fz_uint(pt[NL_POLICY_TYPE_ATTR_TYPE]);
	fa->has_min_u = fz_prop(pt[NL_POLICY_TYPE_ATTR_MIN_VALUE_U], &fa->min_u);
	fa->has_max_u = fz_prop(pt[NL_POLICY_TYPE_ATTR_MAX_VALUE_U], &fa->max_u);
	fa->has_min_s = fz_prop(pt[NL_POLICY_TYPE_ATTR_MIN_VALUE_S], &v);
	fa->min_s = (int64_t)v;
	fa->has_max_s = fz_prop(pt[NL_POLICY_TYPE_ATTR_MAX_VALUE_S], &v);
	fa->max_s = (int64_t)v;
	fa->has_min_len = fz_prop(pt[NL_POLICY_TYPE_ATTR_MIN_LENGTH], &v);
	fa->min_len = (uint32_t)v;
	fa->has_max_len = fz_prop(pt[NL_POLICY_TYPE_ATTR_MAX_LENGTH], &v);
	fa->max_len = (uint32_t)v;
	fa->has_mask = fz_prop(pt[NL_POLICY_TYPE_ATTR_MASK], &fa->mask) ||
		       fz_prop(pt[NL_POLICY_TYPE_ATTR_BITFIELD32_MASK], &fa->mask);
	if (pt[NL_POLICY_TYPE_ATTR_POLICY_IDX]) {
		uint64_t idx = fz_uint(pt[NL_POLICY_TYPE_ATTR_POLICY_IDX]);

		fa->nested = idx < FZ_MAX_POLICIES ? (int)idx : -1;
	}
}

static void fz_policy_attrs(struct fz_family *f, const struct nlattr **tb)
{
	const struct nlattr *p, *a, *o, *n;

	if (tb[CTRL_ATTR_POLICY]) {
		n = tb[CTRL_ATTR_POLICY];
		for (p = fz_next(n, NULL); p; p = fz_next(n, p)) {
			unsigned int idx = p->nla_type & NLA_TYPE_MASK;
			struct fz_policy *pol;

			if (idx >= FZ_MAX_POLICIES)
				continue;
			pol = &f->pol[idx];
			pol->seen = true;
			if (idx + 1 > f->nr_pol)
				f->nr_pol = idx + 1;
			for (a = fz_next(p, NULL); a; a = fz_next(p, a)) {
				unsigned int t = a->nla_type & NLA_TYPE_MASK;

				if (t >= FZ_MAX_ATTRS)
					continue;
				fz_attr_props(&pol->attr[t], a);
				if (pol->attr[t].type && t > pol->maxtype)
					pol->maxtype = t;
			}
		}
	}
	if (tb[CTRL_ATTR_OP_POLICY]) {
		f->per_op = true;
		n = tb[CTRL_ATTR_OP_POLICY];
		for (o = fz_next(n, NULL); o; o = fz_next(n, o)) {
			const struct nlattr *ot[CTRL_ATTR_POLICY_DUMP_MAX + 1];
			unsigned int i;

			fz_parse(o + 1, o->nla_len - NLA_HDRLEN, ot,
				 CTRL_ATTR_POLICY_DUMP_MAX);
			for (i = 0; i < f->nr_ops; i++) {
				struct fz_op *op = &f->ops[i];

				if (op->cmd != (o->nla_type & NLA_TYPE_MASK))
					continue;
				if (ot[CTRL_ATTR_POLICY_DO])
					op->do_pol = (int)fz_uint(ot[CTRL_ATTR_POLICY_DO]);
				if (ot[CTRL_ATTR_POLICY_DUMP])
					op->dump_pol = (int)fz_uint(ot[CTRL_ATTR_POLICY_DUMP]);
			}
		}
	}
}

/*
 * Receives replies to one request: calls the attribute handler for each
 * message until the ack, NLMSG_DONE, or an error (returned negative).
 */
static int fz_ctrl_recv(int fd, struct fz_family *f, bool policy, bool dump,
			char *err, size_t errlen)
{
	static uint64_t rxbuf[FZ_RX / 8];
	unsigned char *buf = (unsigned char *)rxbuf;
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(rxbuf), 0);
		struct nlmsghdr *h;
		size_t rem;

		if (n < 0) {
			snprintf(err, errlen, "recv from nlctrl: %s",
				 strerror(errno));
			return -errno;
		}
		rem = (size_t)n;
		for (h = (void *)buf; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error)
					snprintf(err, errlen, "nlctrl %s: %s",
						 policy ? "GETPOLICY" : "GETFAMILY",
						 strerror(-e->error));
				return e->error;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				continue;
			fz_parse((char *)NLMSG_DATA(h) + GENL_HDRLEN,
				 h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), tb,
				 CTRL_ATTR_MAX);
			if (policy) {
				f->policy_msgs++;
				fz_policy_attrs(f, tb);
			} else {
				fz_family_attrs(f, tb);
			}
		}
		if (!dump && !policy)
			return 0;
	}
}

int fz_family_read(const char *name, struct fz_family *f, char *err,
		   size_t errlen)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	unsigned int i;
	int fd, ret;

	memset(f, 0, sizeof(*f));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		ret = -errno;
		goto out;
	}
	ret = fz_ctrl_send(fd, CTRL_CMD_GETFAMILY, 0, CTRL_ATTR_FAMILY_NAME,
			   name, (uint16_t)(strlen(name) + 1));
	if (!ret)
		ret = fz_ctrl_recv(fd, f, false, false, err, errlen);
	if (ret)
		goto out;
	if (!f->id || !f->nr_ops) {
		snprintf(err, errlen, "family %s: no id or no operations", name);
		ret = -ENOENT;
		goto out;
	}
	ret = fz_ctrl_send(fd, CTRL_CMD_GETPOLICY, NLM_F_DUMP,
			   CTRL_ATTR_FAMILY_ID, &f->id, sizeof(f->id));
	if (!ret)
		ret = fz_ctrl_recv(fd, f, true, true, err, errlen);
	if (ret)
		goto out;
	if (!f->policy_msgs) {
		snprintf(err, errlen, "family %s: the policy dump was empty", name);
		ret = -ENODATA;
		goto out;
	}
	/* Without per-op information, the family has one policy: index 0. */
	for (i = 0; i < f->nr_ops && !f->per_op; i++) {
		f->ops[i].do_pol = f->ops[i].flags & GENL_CMD_CAP_DO ? 0 : -1;
		f->ops[i].dump_pol = f->ops[i].flags & GENL_CMD_CAP_DUMP ? 0 : -1;
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

const struct fz_op *fz_op_find(const struct fz_family *f, uint8_t cmd)
{
	unsigned int i;

	for (i = 0; i < f->nr_ops; i++)
		if (f->ops[i].cmd == cmd)
			return &f->ops[i];
	return NULL;
}

const char *fz_attr_type_name(uint32_t t)
{
	static const char *const names[] = {
		"invalid", "flag", "u8", "u16", "u32", "u64", "s8", "s16",
		"s32", "s64", "binary", "string", "nul-string", "nested",
		"nested-array", "bitfield32", "sint", "uint",
	};

	return t < ARRAY_SIZE(names) ? names[t] : "?";
}

/* The model, as TAP comments: what the fuzzer generates from. */
void fz_family_print(const struct fz_family *f, FILE *out, bool all)
{
	unsigned int i, t;

	fprintf(out, "# family id %u version %u, %u ops, group \"%s\" id %u,",
		f->id, f->version, f->nr_ops, f->mcgrp_name, f->mcgrp);
	fprintf(out, " %u policies (%s), %u policy dump messages\n",
		f->nr_pol, f->per_op ? "per op" : "family-wide",
		f->policy_msgs);
	if (!all)
		return;
	for (i = 0; i < f->nr_ops; i++)
		fprintf(out, "#   op %u flags 0x%x do policy %d dump policy %d\n",
			f->ops[i].cmd, f->ops[i].flags, f->ops[i].do_pol,
			f->ops[i].dump_pol);
	for (i = 0; i < f->nr_pol; i++) {
		const struct fz_policy *p = &f->pol[i];

		for (t = 0; t <= p->maxtype && t < FZ_MAX_ATTRS; t++) {
			const struct fz_attr *a = &p->attr[t];

			if (!a->type)
				continue;
			fprintf(out, "#   policy %u attr %u %s", i, t,
				fz_attr_type_name(a->type));
			if (a->has_max_u)
				fprintf(out, " max %llu",
					(unsigned long long)a->max_u);
			if (a->has_max_len)
				fprintf(out, " maxlen %u", a->max_len);
			if (a->nested >= 0)
				fprintf(out, " nest policy %d", a->nested);
			fputc('\n', out);
		}
	}
}
