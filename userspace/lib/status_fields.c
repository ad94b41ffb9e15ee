// SPDX-License-Identifier: GPL-2.0
/*
 * The status reply's attributes and its ring nest (KABIGUARD_CMD_GET_STATUS,
 * attr_table.h): where each one lands in struct kgc_status, and how
 * `kabiguardctl status` prints it (JSON key and object, text format), in
 * its order. Also the policy every other reply is parsed with
 * (commands.c): the kernel's replies are checked for their types only.
 */
#include "attr_table.h"
#include "internal.h"

/* A row's macro sets defaults (key, aux) that its arguments may override. */
#pragma GCC diagnostic ignored "-Woverride-init"

/* A member of struct kgc_status; the attribute and its name in "...". */
#define ROW(t, m, key_, j, grp, txt, ...) { .type = KGC_T_##t, \
	.json = KGC_J_##j, .key = key_, KGC_MEMBER(struct kgc_status, m), \
	.aux = KGC_NO_AUX, .group = grp, .text = txt, __VA_ARGS__ }
/* An attribute of the reply (ST) or of its KABIGUARD_A_RING nest (RI). */
#define ST(a, t, m, key_, j, grp, txt, ...) ROW(t, m, key_, j, grp, txt, \
	.attr = KABIGUARD_A_##a, .name = "KABIGUARD_A_" #a, __VA_ARGS__)
#define RI(a, t, m, key_, j, grp, txt, ...) ROW(t, m, key_, j, grp, txt, \
	.attr = KABIGUARD_RING_A_##a, .name = "KABIGUARD_RING_A_" #a, \
	__VA_ARGS__)

static const char *kgc_mode_u32(uint32_t v) { return kgc_mode_name(v); }

/* KABIGUARD_A_RING: in the status output in this order, where its row is. */
static const struct kgc_field kgc_ring_fields[] = {
	RI(SIZE, U32, ring_size, "size", NUM, "ring",
	   "event ring: %llu slots"),
	RI(FIRST, U64, ring_first, "first", NUM, "ring", ", seq %llu"),
	RI(NEXT, U64, ring_next, "next", NUM, "ring", " to %llu (next)"),
	RI(BYTES, U64, ring_bytes, "bytes", NUM, "ring", ", %llu"),
	RI(BYTES_MAX, U64, ring_bytes_max, "bytes_max", NUM, "ring",
	   " of %llu bytes"),
	RI(OVERFLOW, U64, ring_overflow, "overflow", NUM, "ring",
	   ", %llu lost to overflow\n"),
	/* Only for a socket that read the ring; not printed. */
	RI(READER_OVERFLOW, U64, ring_reader_overflow, NULL, NONE, NULL,
	   NULL, .aux = offsetof(struct kgc_status, ring_reader)),
	{ .attr = KABIGUARD_RING_A_PAD, .name = "KABIGUARD_RING_A_PAD",
	  .type = KGC_T_PAD, .aux = KGC_NO_AUX },
};

const struct kgc_attr_set kgc_ring_attrs = {
	.f = kgc_ring_fields,
	.nr = sizeof(kgc_ring_fields) / sizeof(kgc_ring_fields[0]),
	.maxtype = KABIGUARD_RING_A_MAX,
	.exact = false,
	.where = "KABIGUARD_A_RING",
};

static const struct kgc_field kgc_status_fields[] = {
	ST(MODE, U32, mode, "mode", NAME, NULL, "mode: %s\n",
	   .enum_name = kgc_mode_u32,
	   .off = offsetof(struct kgc_status, mode) +
		  KGC_SIZE_IS(struct kgc_status, mode, 4)),
	/* Text: kabiguardctl says when no policy was ever committed. */
	ST(GENERATION, U64, generation, "generation", HOOK, NULL,
	   "generation: %llu"),
	ST(LOCKED, BOOL8, locked, "locked", BOOL, NULL, "locked: %s\n"),
	/* By name, kabiguardctl's list. */
	ST(FEATURES, U32, features, "features", HOOK, NULL, NULL),
	ST(NR_RULES, U32, nr_rules, "total", NUM, "rules", "rules: %llu"),
	ST(NR_SYMBOL_RULES, U32, nr_symbol, "symbol", NUM, "rules",
	   " (symbol %llu"),
	ST(NR_NAMESPACE_RULES, U32, nr_namespace, "namespace", NUM, "rules",
	   ", namespace %llu"),
	ST(NR_ANY_RULES, U32, nr_any, "any", NUM, "rules", ", any %llu)"),
	ST(MAX_RULES, U32, max_rules, "max", NUM, "rules", ", max %llu\n"),
	/* An open transaction: its owner's port. */
	{ .key = "open", .type = KGC_T_NONE, .json = KGC_J_BOOL,
	  KGC_MEMBER(struct kgc_status, txn_open), .aux = KGC_NO_AUX,
	  .group = "transaction" },
	ST(TXN_OWNER, U32, txn_owner, "owner", NUM, "transaction",
	   "transaction: open, owner port %llu\n",
	   .aux = offsetof(struct kgc_status, txn_open),
	   .cond_off = offsetof(struct kgc_status, txn_open),
	   .cond_size = sizeof(bool), .text_null = "transaction: none\n"),
	ST(CNT_CHECKED, U64, checked, "checked", NUM, "counters",
	   "loads checked: %llu"),
	ST(CNT_ALLOWED, U64, allowed, "allowed", NUM, "counters",
	   " (allowed %llu"),
	ST(CNT_AUDITED, U64, audited, "audited", NUM, "counters",
	   ", audited %llu"),
	ST(CNT_DENIED, U64, denied, "denied", NUM, "counters",
	   ", denied %llu)\n"),
	ST(CNT_VIOLATIONS, U64, violations, "violations", NUM, "counters",
	   "violations: %llu\n"),
	/* The event ring (kgc_ring_fields), its members here. */
	{ .attr = KABIGUARD_A_RING, .name = "KABIGUARD_A_RING",
	  .type = KGC_T_NEST, .sub = &kgc_ring_attrs, .json = KGC_J_INLINE,
	  .aux = KGC_NO_AUX },
	/* In POLICY_GET replies, parsed by commands.c. */
	{ .attr = KABIGUARD_A_RULE, .name = "KABIGUARD_A_RULE",
	  .type = KGC_T_NEST, .aux = KGC_NO_AUX },
};

const struct kgc_attr_set kgc_status_attrs = {
	.f = kgc_status_fields,
	.nr = sizeof(kgc_status_fields) / sizeof(kgc_status_fields[0]),
	.maxtype = KABIGUARD_A_MAX,
	.exact = false,
	.where = "status",
};
