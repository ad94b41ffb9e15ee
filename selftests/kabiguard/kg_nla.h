/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink attributes built by hand, for the tests that must send what the
 * library would refuse to build (malformed, oversized, unknown or
 * misplaced attributes) or that write requests without the library at all
 * (the fuzzer's raw sockets). A kg_nla_buf is the payload after the genl
 * header: kg_nlmsg.h sends one through a kgc_client, the fuzzer appends it
 * to its own message.
 *
 * Nothing here checks what it builds: a caller asking for a bad length or
 * a nest without NLA_F_NESTED gets exactly that. Only the buffer's end is
 * enforced (abort()): a test that overflows it is broken, not the kernel.
 */
#ifndef KG_NLA_H
#define KG_NLA_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kabiguard.h>
#include <linux/netlink.h>

struct kg_nla_buf {
	unsigned char buf[16384];
	size_t len;
};

/*
 * An attribute of type with len bytes of data (data may be NULL: zeros),
 * padded to NLA_ALIGNTO; returns its offset, for kg_nla_nest_end().
 */
static inline size_t kg_nla_put(struct kg_nla_buf *a, uint16_t type,
				const void *data, size_t len)
{
	struct nlattr *nla = (struct nlattr *)(a->buf + a->len);
	size_t off = a->len;

	if (a->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(a->buf))
		abort();
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memset((char *)nla + NLA_HDRLEN, 0, NLA_ALIGN(len));
	if (data && len)
		memcpy((char *)nla + NLA_HDRLEN, data, len);
	a->len += NLA_HDRLEN + NLA_ALIGN(len);
	return off;
}

static inline void kg_nla_u32(struct kg_nla_buf *a, uint16_t type,
			      uint32_t v)
{
	kg_nla_put(a, type, &v, sizeof(v));
}

/* A string with its NUL. */
static inline void kg_nla_str(struct kg_nla_buf *a, uint16_t type,
			      const char *s)
{
	kg_nla_put(a, type, s, strlen(s) + 1);
}

/* Nests carry NLA_F_NESTED, as strict validation requires. */
static inline size_t kg_nla_nest(struct kg_nla_buf *a, uint16_t type)
{
	return kg_nla_put(a, type | NLA_F_NESTED, NULL, 0);
}

/* Closes the nest (or any attribute) at off over what was put since. */
static inline void kg_nla_nest_end(struct kg_nla_buf *a, size_t off)
{
	((struct nlattr *)(a->buf + off))->nla_len = a->len - off;
}

/* A whole KABIGUARD_A_RULE: kind, then optional name and exporter. */
static inline void kg_nla_rule(struct kg_nla_buf *a, uint32_t kind,
			       const char *name, const char *exporter)
{
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, kind);
	if (name)
		kg_nla_str(a, KABIGUARD_RULE_A_NAME, name);
	if (exporter)
		kg_nla_str(a, KABIGUARD_RULE_A_EXPORTER, exporter);
	kg_nla_nest_end(a, n);
}

#endif /* KG_NLA_H */
