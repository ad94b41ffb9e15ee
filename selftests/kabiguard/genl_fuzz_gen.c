// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz: building messages from a family's policy (genl_fuzz_policy.c
 * reads it). Every choice comes from the caller's generator, never from
 * a reply, so a seed gives the same messages on the same kernel.
 */
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <string.h>

#include "genl_fuzz.h"

/*
 * Names the guard knows (test modules, their exports and namespace),
 * names of real kernel exports, and hostile ones.
 */
const char *const fz_words[] = {
	"kg_exporter", "kg_consumer_ok", "kg_plain_a", "kg_plain_b",
	"kg_ns_a", "KABIGUARD_TEST", "vmlinux", "kabiguard", "printk",
	"_printk", "kmalloc", "USB_STORAGE", "module_layout", "*", "",
	"a\nkabiguard: forged", "\x1b]0;x\a", "%s%n%p",
};

const unsigned int fz_nr_words = ARRAY_SIZE(fz_words);

static const char *const fz_mut_names[FZ_NR_MUTS] = {
	[FZ_M_LEN_SHORT] = "len_short",
	[FZ_M_LEN_LONG] = "len_long",
	[FZ_M_WRONG_TYPE] = "wrong_type",
	[FZ_M_RANGE] = "out_of_range",
	[FZ_M_STR_NONUL] = "str_no_nul",
	[FZ_M_STR_LONG] = "str_too_long",
	[FZ_M_NEST_OVERRUN] = "nest_overrun",
	[FZ_M_NEST_TRUNC] = "nest_truncated",
	[FZ_M_DUP] = "duplicate",
	[FZ_M_TRAILING] = "trailing_bytes",
	[FZ_M_FLAGS] = "wrong_flags",
	[FZ_M_UNKNOWN_CMD] = "unknown_cmd",
	[FZ_M_UNKNOWN_ATTR] = "unknown_attr",
	[FZ_M_NLA_FLAGS] = "nla_flags",
	[FZ_M_NLMSG_LEN] = "nlmsg_len",
	[FZ_M_GENL_HDR] = "genl_header",
	[FZ_M_ATTR_LEN] = "attr_len",
};

const char *fz_mut_name(enum fz_mut m)
{
	return m < FZ_NR_MUTS ? fz_mut_names[m] : "?";
}

/* The message being built and what may still be done to it. */
struct fz_ctx {
	struct fz_rng *r;
	const struct fz_family *f;
	struct fz_msg *m;
	size_t start;		/* offset of its nlmsghdr */
	unsigned int muts_left, muts_done;
	struct fz_stats_build *st;
	size_t last_top, last_nest;	/* offsets, 0: none */
};

static void *fz_put(struct fz_ctx *c, size_t n)
{
	void *p;

	if (c->m->len + n > FZ_MSG_MAX)
		return NULL;
	p = c->m->buf + c->m->len;
	memset(p, 0, n);
	c->m->len += n;
	return p;
}

/*
 * Attribute headers are read and written with memcpy(): random messages
 * put attributes at unaligned offsets on purpose.
 */
static uint16_t fz_len_at(struct fz_ctx *c, size_t off)
{
	uint16_t len;

	memcpy(&len, c->m->buf + off, sizeof(len));
	return len;
}

static void fz_set_len(struct fz_ctx *c, size_t off, size_t len)
{
	uint16_t v = (uint16_t)len;

	memcpy(c->m->buf + off, &v, sizeof(v));
}

/* Appends an attribute; returns its offset, 0 when full. */
static size_t fz_attr(struct fz_ctx *c, uint16_t type, const void *data,
		      size_t len)
{
	struct nlattr h = { .nla_type = type };
	size_t off = c->m->len;
	unsigned char *p;

	if (len > 0xffff - NLA_HDRLEN)
		len = 0xffff - NLA_HDRLEN;
	p = fz_put(c, NLA_ALIGN(NLA_HDRLEN + len));
	if (!p)
		return 0;
	h.nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(p, &h, sizeof(h));
	if (len)
		memcpy(p + NLA_HDRLEN, data, len);
	return off;
}

static void fz_nest_end(struct fz_ctx *c, size_t off)
{
	if (off)
		fz_set_len(c, off, c->m->len - off);
}

static void fz_bytes(struct fz_ctx *c, unsigned char *p, size_t n)
{
	while (n--)
		*p++ = (unsigned char)fz_rand(c->r);
}

/* One mutation now? Spread them over the message's attributes. */
static bool fz_mut_now(struct fz_ctx *c)
{
	return c->muts_left && !fz_below(c->r, 3);
}

static void fz_mut_count(struct fz_ctx *c, enum fz_mut m)
{
	c->st->muts[m]++;
	c->muts_done++;
	if (c->muts_left)
		c->muts_left--;
}

static unsigned int fz_int_size(uint32_t t)
{
	switch (t) {
	case NL_ATTR_TYPE_U8: case NL_ATTR_TYPE_S8: return 1;
	case NL_ATTR_TYPE_U16: case NL_ATTR_TYPE_S16: return 2;
	case NL_ATTR_TYPE_U32: case NL_ATTR_TYPE_S32: return 4;
	case NL_ATTR_TYPE_U64: case NL_ATTR_TYPE_S64: return 8;
	case NL_ATTR_TYPE_BITFIELD32: return 8;
	default: return 0;
	}
}

/* A value in the policy's range (or an edge of it). */
static uint64_t fz_valid_int(struct fz_ctx *c, const struct fz_attr *a,
			     unsigned int size)
{
	uint64_t top = size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
	uint64_t lo = a->has_min_u ? a->min_u : 0;
	uint64_t hi = a->has_max_u ? a->max_u : top;
	uint64_t v;

	if (a->has_min_s || a->has_max_s) {
		lo = (uint64_t)(a->has_min_s ? a->min_s : 0);
		hi = (uint64_t)(a->has_max_s ? a->max_s : (int64_t)(top >> 1));
	}
	/* Small values and single bits often: counts, enums and flags. */
	switch (fz_below(c->r, 6)) {
	case 0:
		v = lo;
		break;
	case 1:
		v = hi;
		break;
	case 2:
	case 3:
		v = lo + fz_below(c->r, 8);
		break;
	case 4:
		v = 1ULL << fz_below(c->r, 8);
		break;
	default:
		v = hi - lo == UINT64_MAX ? fz_rand(c->r) :
		    lo + fz_rand(c->r) % (hi - lo + 1);
	}
	if (v < lo || v > hi)
		v = lo;
	if (a->has_mask)
		v &= a->mask;
	return v & top;
}

/* A value the policy refuses, when it refuses any. */
static bool fz_bad_int(struct fz_ctx *c, const struct fz_attr *a,
		       unsigned int size, uint64_t *v)
{
	uint64_t top = size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;

	if (a->has_max_u && a->max_u < top) {
		*v = a->max_u + 1 + fz_rand(c->r) % (top - a->max_u);
		return true;
	}
	if (a->has_min_u && a->min_u > 0) {
		*v = fz_rand(c->r) % a->min_u;
		return true;
	}
	if (a->has_mask && (a->mask & top) != top) {
		*v = (fz_rand(c->r) | ~a->mask) & top;
		return true;
	}
	return false;
}

/* A string of at most @max bytes (no NUL) into @s; returns its length. */
static size_t fz_string(struct fz_ctx *c, char *s, size_t max)
{
	size_t n, i;

	switch (fz_below(c->r, 5)) {
	case 0: case 1: {
		const char *w = fz_words[fz_below(c->r, fz_nr_words)];

		n = strlen(w);
		if (n > max)
			n = max;
		memcpy(s, w, n);
		return n;
	}
	case 2:
		n = max;	/* exactly the longest allowed */
		break;
	default:
		n = fz_below(c->r, (uint32_t)(max < 40 ? max : 40) + 1);
	}
	for (i = 0; i < n; i++)
		s[i] = (char)(fz_below(c->r, 8) ? 'a' + fz_below(c->r, 26) :
			      1 + fz_below(c->r, 255));
	return n;
}

static void fz_attrs(struct fz_ctx *c, int pol, unsigned int depth);

/* One attribute of type @t as policy attribute @a describes it. */
static void fz_one(struct fz_ctx *c, uint16_t t, const struct fz_attr *a,
		   unsigned int depth)
{
	unsigned char v[FZ_MSG_MAX / 2];
	unsigned int size = fz_int_size(a->type);
	size_t n = 0, max, off;
	uint64_t x;

	if (fz_mut_now(c)) {
		switch (fz_below(c->r, 5)) {
		case 0:	/* an attribute of another kind in its place */
			n = fz_below(c->r, 24);
			fz_bytes(c, v, n);
			if (n != size) {
				fz_attr(c, t, v, n);
				fz_mut_count(c, size && n < size ?
					     FZ_M_LEN_SHORT : size ?
					     FZ_M_LEN_LONG : FZ_M_WRONG_TYPE);
				return;
			}
			break;
		case 1:
			if (size && fz_bad_int(c, a, size, &x)) {
				memcpy(v, &x, size);
				fz_attr(c, t, v, size);
				fz_mut_count(c, FZ_M_RANGE);
				return;
			}
			break;
		case 2:	/* strings: no NUL, or too long */
			if (a->type == NL_ATTR_TYPE_NUL_STRING ||
			    a->type == NL_ATTR_TYPE_STRING ||
			    a->type == NL_ATTR_TYPE_BINARY) {
				max = a->has_max_len ? a->max_len : 64;
				if (max + 80 > sizeof(v))
					max = sizeof(v) - 80;
				n = max + 1 + fz_below(c->r, 64);
				memset(v, 'x', n);
				if (a->type == NL_ATTR_TYPE_NUL_STRING &&
				    !fz_below(c->r, 2)) {
					n = 1 + fz_below(c->r, (uint32_t)max);
					memset(v, 'y', n);
					fz_attr(c, t, v, n);
					fz_mut_count(c, FZ_M_STR_NONUL);
					return;
				}
				v[n++] = 0;
				fz_attr(c, t, v, n);
				fz_mut_count(c, FZ_M_STR_LONG);
				return;
			}
			break;
		case 3:	/* NLA_F_NESTED on a leaf, or missing on a nest */
			t ^= NLA_F_NESTED | (fz_below(c->r, 4) ? 0 :
					     NLA_F_NET_BYTEORDER);
			fz_mut_count(c, FZ_M_NLA_FLAGS);
			break;
		default: /* twice */
			fz_mut_count(c, FZ_M_DUP);
			fz_one(c, t, a, depth);
			break;
		}
	}

	switch (a->type) {
	case NL_ATTR_TYPE_FLAG:
		fz_attr(c, t, NULL, 0);
		return;
	case NL_ATTR_TYPE_NESTED:
	case NL_ATTR_TYPE_NESTED_ARRAY:
		off = fz_attr(c, t | NLA_F_NESTED, NULL, 0);
		if (!off)
			return;
		if (depth < 4 && a->nested >= 0) {
			if (a->type == NL_ATTR_TYPE_NESTED) {
				fz_attrs(c, a->nested, depth + 1);
			} else {
				unsigned int i, k = 1 + fz_below(c->r, 3);

				for (i = 1; i <= k; i++) {
					size_t o2 = fz_attr(c, (uint16_t)i |
							    NLA_F_NESTED, NULL, 0);

					fz_attrs(c, a->nested, depth + 1);
					fz_nest_end(c, o2);
				}
			}
		}
		fz_nest_end(c, off);
		c->last_nest = off;
		return;
	case NL_ATTR_TYPE_NUL_STRING:
	case NL_ATTR_TYPE_STRING:
		max = a->has_max_len ? a->max_len : 64;
		if (max >= sizeof(v))
			max = sizeof(v) - 1;
		n = fz_string(c, (char *)v, max);
		if (a->type == NL_ATTR_TYPE_NUL_STRING || fz_below(c->r, 2))
			v[n++] = 0;
		fz_attr(c, t, v, n);
		return;
	case NL_ATTR_TYPE_BINARY:
		max = a->has_max_len ? a->max_len : 64;
		if (max >= sizeof(v))
			max = sizeof(v) - 1;
		n = a->has_min_len ? a->min_len : 0;
		if (max > n)
			n += fz_below(c->r, (uint32_t)(max - n + 1));
		fz_bytes(c, v, n);
		fz_attr(c, t, v, n);
		return;
	case NL_ATTR_TYPE_BITFIELD32: {
		uint32_t bf[2];

		bf[0] = (uint32_t)(fz_rand(c->r) & (a->has_mask ? a->mask : ~0u));
		bf[1] = (uint32_t)(fz_rand(c->r) & (a->has_mask ? a->mask : ~0u));
		fz_attr(c, t, bf, sizeof(bf));
		return;
	}
	default:
		if (!size)	/* a type this fuzzer does not know: bytes */
			size = 1 + fz_below(c->r, 16);
		x = fz_valid_int(c, a, size);
		memcpy(v, &x, size < 8 ? size : 8);
		fz_attr(c, t, v, size);
	}
}

/*
 * The attributes of policy @pol: each present with probability 1/2,
 * nests sometimes repeated (a batch of rules).
 */
static void fz_attrs(struct fz_ctx *c, int pol, unsigned int depth)
{
	const struct fz_policy *p;
	unsigned int t, k;

	if (pol < 0 || pol >= FZ_MAX_POLICIES)
		return;
	p = &c->f->pol[pol];
	for (t = 1; t <= p->maxtype && t < FZ_MAX_ATTRS; t++) {
		if (!p->attr[t].type || fz_below(c->r, 2))
			continue;
		k = p->attr[t].type == NL_ATTR_TYPE_NESTED && !depth ?
		    1 + fz_below(c->r, 4) : 1;
		while (k--) {
			if (!depth)
				c->last_top = c->m->len;
			fz_one(c, (uint16_t)t, &p->attr[t], depth);
		}
	}
	if (fz_mut_now(c)) {	/* an attribute the policy does not have */
		unsigned char v[8];
		uint16_t bad;

		fz_bytes(c, v, sizeof(v));
		bad = (uint16_t)(fz_below(c->r, 2) ? p->maxtype + 1 +
				 fz_below(c->r, 16) : 0);
		for (t = 1; t <= p->maxtype && !bad; t++)
			if (!p->attr[t].type && !fz_below(c->r, 4))
				bad = (uint16_t)t;
		fz_attr(c, bad, v, fz_below(c->r, 9));
		fz_mut_count(c, FZ_M_UNKNOWN_ATTR);
	}
}

static struct nlmsghdr *fz_hdr(struct fz_ctx *c)
{
	return (void *)(c->m->buf + c->start);
}

/* One message-level mutation, after the attributes are written. */
static void fz_mutate_once(struct fz_ctx *c, const struct fz_op *op)
{
	struct nlmsghdr *h = fz_hdr(c);
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t end = c->m->len;
	unsigned char *p;
	unsigned int k;

	switch (fz_below(c->r, 8)) {
	case 0:
		if (op && (op->flags & GENL_CMD_CAP_DUMP) &&
		    !(op->flags & GENL_CMD_CAP_DO))
			h->nlmsg_flags &= ~NLM_F_DUMP;
		else if (fz_below(c->r, 2))
			h->nlmsg_flags ^= NLM_F_DUMP;
		else
			h->nlmsg_flags = (uint16_t)(fz_rand(c->r) &
						    ~NLM_F_REQUEST);
		fz_mut_count(c, FZ_M_FLAGS);
		break;
	case 1:
		do {
			g->cmd = (uint8_t)fz_rand(c->r);
		} while (fz_op_find(c->f, g->cmd) && g->cmd);
		fz_mut_count(c, FZ_M_UNKNOWN_CMD);
		break;
	case 2:
		k = 1 + fz_below(c->r, 15);
		p = fz_put(c, k);
		if (p) {
			fz_bytes(c, p, k);
			fz_mut_count(c, FZ_M_TRAILING);
		}
		break;
	case 3:
		if (!c->last_nest)
			break;
		k = fz_len_at(c, c->last_nest);
		fz_set_len(c, c->last_nest,
			   k + 4 + fz_below(c->r, 0xffff - k - 4));
		fz_mut_count(c, FZ_M_NEST_OVERRUN);
		break;
	case 4:
		if (!c->last_nest)
			break;
		k = fz_len_at(c, c->last_nest);
		if (k <= NLA_HDRLEN + 1)
			break;
		fz_set_len(c, c->last_nest,
			   NLA_HDRLEN + 1 + fz_below(c->r, k - NLA_HDRLEN - 1));
		fz_mut_count(c, FZ_M_NEST_TRUNC);
		break;
	case 5:
		if (!c->last_top || c->last_top >= end)
			break;
		k = (unsigned int)(end - c->last_top);
		p = fz_put(c, k);
		if (p) {
			memcpy(p, c->m->buf + c->last_top, k);
			fz_mut_count(c, FZ_M_DUP);
		}
		break;
	case 6:
		g->version = (uint8_t)fz_rand(c->r);
		g->reserved = (uint16_t)fz_rand(c->r);
		fz_mut_count(c, FZ_M_GENL_HDR);
		break;
	case 7:
		if (!c->last_top)
			break;
		fz_set_len(c, c->last_top, fz_below(c->r, NLA_HDRLEN));
		fz_mut_count(c, FZ_M_ATTR_LEN);
		break;
	}
}

/* Message-level mutations: those left, or one at least. */
static void fz_mutate_msg(struct fz_ctx *c, const struct fz_op *op)
{
	struct nlmsghdr *h;
	unsigned int tries;

	for (tries = 0; tries < 6 && (c->muts_left || !c->muts_done); tries++)
		fz_mutate_once(c, op);
	/* nlmsg_len last: it decides what the kernel reads of the rest. */
	h = fz_hdr(c);
	h->nlmsg_len = (uint32_t)(c->m->len - c->start);
	if (!c->muts_done || !fz_below(c->r, 8)) {
		switch (fz_below(c->r, 3)) {
		case 0:	/* shorter than the headers */
			h->nlmsg_len = fz_below(c->r, NLMSG_LENGTH(GENL_HDRLEN));
			break;
		case 1:	/* cut inside the attributes */
			h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) +
				fz_below(c->r, (uint32_t)(c->m->len - c->start -
							  NLMSG_LENGTH(GENL_HDRLEN)) + 1);
			break;
		default: /* longer than the datagram */
			h->nlmsg_len += 1 + fz_below(c->r, 4096);
		}
		fz_mut_count(c, FZ_M_NLMSG_LEN);
	}
}

static void fz_start(struct fz_ctx *c, uint8_t cmd, uint16_t flags,
		     uint32_t seq)
{
	struct nlmsghdr *h;
	struct genlmsghdr *g;

	c->m->len = NLMSG_ALIGN(c->m->len);
	c->start = c->m->len;
	h = c->m->nr < ARRAY_SIZE(c->m->off) ?
	    fz_put(c, NLMSG_LENGTH(GENL_HDRLEN)) : NULL;
	if (!h) {	/* full: the caller's batch ends here */
		c->start = SIZE_MAX;
		return;
	}
	h->nlmsg_type = c->f->id;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	g = NLMSG_DATA(h);
	g->cmd = cmd;
	g->version = (uint8_t)c->f->version;
	c->m->off[c->m->nr++] = c->start;
	if (c->start == 0) {
		c->m->cmd = cmd;
		c->m->flags = flags;
		c->m->dump = flags & NLM_F_DUMP;
	}
}

static const struct fz_op *fz_pick_op(struct fz_ctx *c, bool *dump)
{
	const struct fz_op *op = &c->f->ops[fz_below(c->r, c->f->nr_ops)];
	bool can_do = op->flags & GENL_CMD_CAP_DO;
	bool can_dump = op->flags & GENL_CMD_CAP_DUMP;

	*dump = can_dump && (!can_do || fz_below(c->r, 2));
	return op;
}

void fz_build(struct fz_rng *r, const struct fz_family *f, enum fz_class cls,
	      uint32_t seq, struct fz_msg *m, struct fz_stats_build *st)
{
	struct fz_ctx c = { .r = r, .f = f, .m = m, .st = st };
	const struct fz_op *op;
	unsigned int i, k;
	bool dump;

	if (cls == FZ_RANDOM) {
		static const uint16_t fl[] = {
			NLM_F_REQUEST, NLM_F_REQUEST | NLM_F_ACK,
			NLM_F_REQUEST | NLM_F_DUMP, NLM_F_REQUEST | NLM_F_ROOT,
			NLM_F_REQUEST | NLM_F_ECHO, 0, 0xffff,
		};
		uint8_t cmd = fz_below(r, 2) ? (uint8_t)fz_rand(r) :
			      f->ops[fz_below(r, f->nr_ops)].cmd;

		fz_start(&c, cmd, fl[fz_below(r, ARRAY_SIZE(fl))],
			 seq);
		if (c.start == SIZE_MAX)
			return;
		k = fz_below(r, 10);
		for (i = 0; i < k; i++) {
			unsigned char v[96];
			size_t n = fz_below(r, sizeof(v));

			fz_bytes(&c, v, n);
			if (fz_below(r, 4)) {
				fz_attr(&c, (uint16_t)fz_below(r, f->maxattr + 8 +
							 (f->maxattr ? 0 : 80)),
					v, n);
			} else {	/* bare bytes: attribute headers of chance */
				unsigned char *p = fz_put(&c, n);

				if (p)
					memcpy(p, v, n);
			}
		}
		fz_hdr(&c)->nlmsg_len = (uint32_t)(m->len - c.start);
		return;
	}

	op = fz_pick_op(&c, &dump);
	fz_start(&c, op->cmd, NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0),
		 seq);
	if (c.start == SIZE_MAX)
		return;
	if (cls == FZ_MUTATED)
		c.muts_left = 1 + fz_below(r, 3);
	fz_attrs(&c, dump ? op->dump_pol : op->do_pol, 0);
	fz_hdr(&c)->nlmsg_len = (uint32_t)(m->len - c.start);
	if (cls == FZ_MUTATED)
		fz_mutate_msg(&c, op);
}

void fz_build_cmd(struct fz_rng *r, const struct fz_family *f, uint8_t cmd,
		  bool dump, bool with_attrs, uint32_t seq, struct fz_msg *m)
{
	struct fz_stats_build st;
	struct fz_ctx c = { .r = r, .f = f, .m = m, .st = &st };
	const struct fz_op *op = fz_op_find(f, cmd);

	fz_start(&c, cmd, NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0),
		 seq);
	if (c.start == SIZE_MAX)
		return;
	if (with_attrs && op)
		fz_attrs(&c, dump ? op->dump_pol : op->do_pol, 0);
	fz_hdr(&c)->nlmsg_len = (uint32_t)(m->len - c.start);
}

void fz_append(struct fz_msg *m, const void *data, size_t len)
{
	struct nlmsghdr *h;

	if (!m->nr || m->len + len > FZ_MSG_MAX)
		return;
	memcpy(m->buf + m->len, data, len);
	m->len += len;
	h = (void *)(m->buf + m->off[m->nr - 1]);
	h->nlmsg_len = (uint32_t)(m->len - m->off[m->nr - 1]);
}
