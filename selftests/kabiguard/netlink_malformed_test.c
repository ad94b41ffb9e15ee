// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_malformed_test: requests the library would never build. Malformed
 * and oversized attributes fail with -EINVAL (-ERANGE for an enum out of
 * range, -EOPNOTSUPP for unknown flag bits) and an extended ACK, and change
 * neither the active policy nor the open transaction; a POLICY_ADD batch
 * is all or nothing, and the library names the caller's rule the kernel
 * refused.
 *
 * The messages are built by hand (kg_nla.h) and sent with kgc_send_msg()
 * (kg_nlmsg.h), so that the library's own checks never hide what the
 * kernel does. One of the netlink_*_test programs (netlink_fixture.h):
 * root, kabiguard.ko loaded.
 */
#include <errno.h>
#include <stdint.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "netlink_fixture.h"

/* ------------------------------------------------------------------ */
/* Malformed requests                                                  */

/*
 * Each variant builds one bad request. The fixture opens a transaction
 * holding two valid rules first; after the rejection the active policy,
 * the mode and the transaction must be as they were, and committing gives
 * exactly the two valid rules.
 */
FIXTURE(bad) {
	struct kgc_client *c;
	struct snap before;
	char long_ok[KABIGUARD_SYMBOL_MAX];	/* the longest valid name */
	struct kgc_rule valid[2];
};

FIXTURE_VARIANT(bad) {
	uint8_t cmd;
	void (*build)(struct kg_nla_buf *a);
	int err;
	const char *extack;	/* a substring the message must hold, or NULL */
};

static const struct kgc_rule p1_rules[] = {
	KG_R_VMLINUX,
	KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
	KG_R_NS(TEST_NS),
	KG_R_SYM("kg_plain_b", .flags = KABIGUARD_RULE_F_NS_PINNED),
};

FIXTURE_SETUP(bad)
{
	int err;

	memset(&self->before, 0, sizeof(self->before));
	err = kgc_open(&self->c);
	ASSERT_EQ(0, err) TH_LOG("kgc_open: %s", strerror(-err));
	push(_metadata, self->c, p1_rules, ARRAY_SIZE(p1_rules));
	set_mode(_metadata, self->c, KABIGUARD_MODE_AUDIT);
	snap_take(_metadata, self->c, &self->before);

	/* KABIGUARD_SYMBOL_MAX - 1 characters: the longest name accepted. */
	memset(self->long_ok, 'k', sizeof(self->long_ok) - 1);
	self->long_ok[sizeof(self->long_ok) - 1] = '\0';
	self->valid[0] = (struct kgc_rule)KG_R_SYM(self->long_ok,
						  .exporter = EXPORTER);
	self->valid[1] = (struct kgc_rule)KG_R_ANY(.module = "kg_consumer_ok",
						  .flags = KABIGUARD_RULE_F_SIGNED_ONLY);
	err = kgc_cmd_policy_begin(self->c);
	ASSERT_EQ(0, err) TH_LOG("begin: %s (%s)", strerror(-err),
				 kgc_extack(self->c));
	err = kgc_cmd_policy_add(self->c, self->valid, ARRAY_SIZE(self->valid));
	ASSERT_EQ(0, err) TH_LOG("add: %s (%s)", strerror(-err),
				 kgc_extack(self->c));
}

FIXTURE_TEARDOWN(bad)
{
	snap_free(&self->before);
	restore(self->c);
	kgc_close(self->c);
}

static void b_name_too_long(struct kg_nla_buf *a)
{
	char name[KABIGUARD_SYMBOL_MAX + 1];
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	memset(name, 'x', KABIGUARD_SYMBOL_MAX);
	name[KABIGUARD_SYMBOL_MAX] = '\0';
	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	kg_nla_str(a, KABIGUARD_RULE_A_NAME, name);
	kg_nla_nest_end(a, n);
}

static void b_name_no_nul(struct kg_nla_buf *a)
{
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	kg_nla_put(a, KABIGUARD_RULE_A_NAME, "kg_plain_b", strlen("kg_plain_b"));
	kg_nla_nest_end(a, n);
}

static void b_name_empty(struct kg_nla_buf *a)
{
	kg_nla_rule(a, KABIGUARD_RULE_SYMBOL, "", NULL);
}

static void b_ns_name_too_long(struct kg_nla_buf *a)
{
	char name[KABIGUARD_NAMESPACE_MAX + 1];

	memset(name, 'N', KABIGUARD_NAMESPACE_MAX);
	name[KABIGUARD_NAMESPACE_MAX] = '\0';
	kg_nla_rule(a, KABIGUARD_RULE_NAMESPACE, name, NULL);
}

static void b_ns_attr_too_long(struct kg_nla_buf *a)
{
	char ns[KABIGUARD_NAMESPACE_MAX + 1];
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	memset(ns, 'N', KABIGUARD_NAMESPACE_MAX);
	ns[KABIGUARD_NAMESPACE_MAX] = '\0';
	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	kg_nla_str(a, KABIGUARD_RULE_A_NAME, "kg_ns_a");
	kg_nla_str(a, KABIGUARD_RULE_A_NAMESPACE, ns);
	kg_nla_nest_end(a, n);
}

static void b_exporter_too_long(struct kg_nla_buf *a)
{
	char exp[KABIGUARD_MODNAME_MAX + 1];

	memset(exp, 'e', KABIGUARD_MODNAME_MAX);
	exp[KABIGUARD_MODNAME_MAX] = '\0';
	kg_nla_rule(a, KABIGUARD_RULE_SYMBOL, "kg_plain_b", exp);
}

static void b_kind_99(struct kg_nla_buf *a)
{
	kg_nla_rule(a, 99, "kg_plain_b", NULL);
}

static void b_no_kind(struct kg_nla_buf *a)
{
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	kg_nla_nest_end(a, n);
}

static void b_symbol_no_name(struct kg_nla_buf *a)
{
	kg_nla_rule(a, KABIGUARD_RULE_SYMBOL, NULL, EXPORTER);
}

static void b_any_with_name(struct kg_nla_buf *a)
{
	kg_nla_rule(a, KABIGUARD_RULE_ANY, "kg_plain_b", NULL);
}

static void b_crc_on_namespace(struct kg_nla_buf *a)
{
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_NAMESPACE);
	kg_nla_str(a, KABIGUARD_RULE_A_NAME, TEST_NS);
	kg_nla_u32(a, KABIGUARD_RULE_A_CRC, 0x12345678);
	kg_nla_nest_end(a, n);
}

static void b_namespace_on_any(struct kg_nla_buf *a)
{
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_ANY);
	kg_nla_str(a, KABIGUARD_RULE_A_NAMESPACE, TEST_NS);
	kg_nla_nest_end(a, n);
}

static void b_unknown_rule_attr(struct kg_nla_buf *a)
{
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	kg_nla_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	kg_nla_u32(a, KABIGUARD_RULE_A_MAX + 1, 0);
	kg_nla_nest_end(a, n);
}

static void b_unknown_top_attr(struct kg_nla_buf *a)
{
	kg_nla_rule(a, KABIGUARD_RULE_SYMBOL, "kg_plain_b", NULL);
	kg_nla_u32(a, KABIGUARD_A_MAX + 1, 0);
}

/* An attribute of the family that POLICY_ADD does not take. */
static void b_foreign_top_attr(struct kg_nla_buf *a)
{
	kg_nla_rule(a, KABIGUARD_RULE_SYMBOL, "kg_plain_b", NULL);
	kg_nla_u32(a, KABIGUARD_A_MODE, KABIGUARD_MODE_AUDIT);
}

static void b_u32_short(struct kg_nla_buf *a)
{
	uint16_t kind = KABIGUARD_RULE_SYMBOL;
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_put(a, KABIGUARD_RULE_A_KIND, &kind, sizeof(kind));
	kg_nla_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	kg_nla_nest_end(a, n);
}

static void b_u32_long(struct kg_nla_buf *a)
{
	uint64_t crc = 0x12345678;
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	kg_nla_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	kg_nla_put(a, KABIGUARD_RULE_A_CRC, &crc, sizeof(crc));
	kg_nla_nest_end(a, n);
}

static void b_nest_without_flag(struct kg_nla_buf *a)
{
	size_t n = kg_nla_put(a, KABIGUARD_A_RULE, NULL, 0);

	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	kg_nla_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	kg_nla_nest_end(a, n);
}

static void b_no_rule(struct kg_nla_buf *a)
{
	(void)a;
}

static void b_unknown_flag(struct kg_nla_buf *a)
{
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	kg_nla_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	kg_nla_u32(a, KABIGUARD_RULE_A_FLAGS, 1U << 7);
	kg_nla_nest_end(a, n);
}

/* Only SYMBOL rules have a namespace to pin. */
static void b_ns_pin_on_namespace(struct kg_nla_buf *a)
{
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_NAMESPACE);
	kg_nla_str(a, KABIGUARD_RULE_A_NAME, TEST_NS);
	kg_nla_u32(a, KABIGUARD_RULE_A_FLAGS, KABIGUARD_RULE_F_NS_PINNED);
	kg_nla_nest_end(a, n);
}

static void b_ns_pin_on_any(struct kg_nla_buf *a)
{
	size_t n = kg_nla_nest(a, KABIGUARD_A_RULE);

	kg_nla_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_ANY);
	kg_nla_u32(a, KABIGUARD_RULE_A_FLAGS, KABIGUARD_RULE_F_NS_PINNED |
					 KABIGUARD_RULE_F_SIGNED_ONLY);
	kg_nla_nest_end(a, n);
}

static void b_mode_missing(struct kg_nla_buf *a)
{
	(void)a;
}

static void b_mode_7(struct kg_nla_buf *a)
{
	kg_nla_u32(a, KABIGUARD_A_MODE, 7);
}

static void b_mode_short(struct kg_nla_buf *a)
{
	uint8_t mode = KABIGUARD_MODE_OFF;

	kg_nla_put(a, KABIGUARD_A_MODE, &mode, sizeof(mode));
}

/* An attribute on a command that takes none. */
static void b_attr_on_plain_cmd(struct kg_nla_buf *a)
{
	kg_nla_u32(a, KABIGUARD_A_MODE, KABIGUARD_MODE_OFF);
}

#define BAD(_name, _cmd, _err, _extack)					\
	FIXTURE_VARIANT_ADD(bad, _name) {				\
		.cmd = KABIGUARD_CMD_##_cmd, .build = b_##_name,	\
		.err = _err, .extack = _extack,				\
	}

BAD(name_too_long, POLICY_ADD, -EINVAL, NULL);
BAD(name_no_nul, POLICY_ADD, -EINVAL, NULL);
BAD(name_empty, POLICY_ADD, -EINVAL, "empty");
BAD(ns_name_too_long, POLICY_ADD, -EINVAL, "too long");
BAD(ns_attr_too_long, POLICY_ADD, -EINVAL, NULL);
BAD(exporter_too_long, POLICY_ADD, -EINVAL, NULL);
BAD(kind_99, POLICY_ADD, -ERANGE, NULL);
BAD(no_kind, POLICY_ADD, -EINVAL, "KIND");
BAD(symbol_no_name, POLICY_ADD, -EINVAL, "NAME");
BAD(any_with_name, POLICY_ADD, -EINVAL, "ANY");
BAD(crc_on_namespace, POLICY_ADD, -EINVAL, "CRC");
BAD(namespace_on_any, POLICY_ADD, -EINVAL, "namespace");
BAD(unknown_rule_attr, POLICY_ADD, -EINVAL, NULL);
BAD(unknown_top_attr, POLICY_ADD, -EINVAL, NULL);
BAD(foreign_top_attr, POLICY_ADD, -EINVAL, NULL);
BAD(u32_short, POLICY_ADD, -EINVAL, NULL);
BAD(u32_long, POLICY_ADD, -EINVAL, NULL);
BAD(nest_without_flag, POLICY_ADD, -EINVAL, NULL);
BAD(no_rule, POLICY_ADD, -EINVAL, "KABIGUARD_A_RULE");
BAD(unknown_flag, POLICY_ADD, -EOPNOTSUPP, "flags");
BAD(ns_pin_on_namespace, POLICY_ADD, -EINVAL, "only SYMBOL rules pin");
BAD(ns_pin_on_any, POLICY_ADD, -EINVAL, "only SYMBOL rules pin");
BAD(mode_7, SET_MODE, -ERANGE, NULL);
BAD(mode_short, SET_MODE, -EINVAL, NULL);
BAD(mode_missing, SET_MODE, -EINVAL, NULL);
BAD(attr_on_plain_cmd, POLICY_COMMIT, -EINVAL, NULL);

TEST_F(bad, rejected_without_change)
{
	struct snap after;
	struct kgc_status st;
	struct kg_nla_buf a = { .len = 0 };
	char *want;
	uint64_t gen;
	int err;

	variant->build(&a);
	err = kg_t_send_raw(self->c, variant->cmd, &a);
	EXPECT_EQ(variant->err, err)
		TH_LOG("got %d (%s), extack \"%s\"", err,
		       err < 0 ? strerror(-err) : "", kgc_extack(self->c));
	/* Users must see why. */
	EXPECT_STRNE("", kgc_extack(self->c));
	if (variant->extack) {
		EXPECT_NE(NULL, strstr(kgc_extack(self->c), variant->extack))
			TH_LOG("extack \"%s\" lacks \"%s\"", kgc_extack(self->c),
			       variant->extack);
	}

	/* Nothing changed: active policy, mode, our transaction. */
	snap_take(_metadata, self->c, &after);
	expect_same_policy(_metadata, &self->before, &after);
	EXPECT_TRUE(after.st.txn_open);
	EXPECT_EQ(local_port(self->c), after.st.txn_owner);
	snap_free(&after);

	/* The transaction holds the valid rules only. */
	gen = 0;
	err = kgc_cmd_policy_commit(self->c, &gen);
	ASSERT_EQ(0, err) TH_LOG("commit: %s (%s)", strerror(-err),
				 kgc_extack(self->c));
	EXPECT_EQ(self->before.st.generation + 1, gen);
	snap_take(_metadata, self->c, &after);
	EXPECT_EQ(gen, after.st.generation);
	EXPECT_EQ(ARRAY_SIZE(self->valid), after.st.nr_rules);
	EXPECT_EQ(1, after.st.nr_symbol);
	EXPECT_EQ(1, after.st.nr_any);
	EXPECT_FALSE(after.st.txn_open);
	want = rules_text(self->valid, ARRAY_SIZE(self->valid));
	ASSERT_NE(NULL, want);
	EXPECT_STREQ(want, after.rules);
	free(want);
	snap_free(&after);
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(self->before.st.mode, st.mode);
}

/* ------------------------------------------------------------------ */
/* Batches                                                             */

/* 3 valid rules and a bad one in one POLICY_ADD: none gets in. */
TEST_F(nl, batch_all_or_nothing)
{
	static const struct {
		void (*bad)(struct kg_nla_buf *a);
		int err;
	} cases[] = {
		{ b_no_kind, -EINVAL },
		{ b_unknown_flag, -EOPNOTSUPP },
		{ b_any_with_name, -EINVAL },
		{ b_u32_short, -EINVAL },
	};
	const struct kgc_rule first[] = { KG_R_VMLINUX };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kg_nla_buf a = { .len = 0 };
		struct snap after;
		uint64_t gen;
		char *want;
		int err;

		ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
		ASSERT_EQ(0, kgc_cmd_policy_add(self->c, first, 1));
		kg_nla_rule(&a, KABIGUARD_RULE_SYMBOL, "kg_plain_a", EXPORTER);
		kg_nla_rule(&a, KABIGUARD_RULE_SYMBOL, "kg_plain_b", EXPORTER);
		kg_nla_rule(&a, KABIGUARD_RULE_NAMESPACE, TEST_NS, EXPORTER);
		cases[i].bad(&a);
		err = kg_t_send_raw(self->c, KABIGUARD_CMD_POLICY_ADD, &a);
		EXPECT_EQ(cases[i].err, err) TH_LOG("case %zu: %s (%s)", i,
						    strerror(-err),
						    kgc_extack(self->c));
		EXPECT_STRNE("", kgc_extack(self->c));

		ASSERT_EQ(0, kgc_cmd_policy_commit(self->c, &gen));
		snap_take(_metadata, self->c, &after);
		EXPECT_EQ(gen, after.st.generation);
		EXPECT_EQ(1, after.st.nr_rules);
		want = rules_text(first, 1);
		EXPECT_STREQ(want, after.rules);
		free(want);
		snap_free(&after);
	}
}

/*
 * Through the library: a rule the kernel refuses (a SYMBOL rule without a
 * name) is reported back as the caller's array element.
 */
TEST_F(nl, batch_bad_rule_reported)
{
	const struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
		KG_R_SYM("kg_plain_b", .exporter = EXPORTER),
		{ .kind = KABIGUARD_RULE_SYMBOL, .exporter = EXPORTER },
	};
	struct snap before, after;
	int err;

	snap_take(_metadata, self->c, &before);
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_add(self->c, rules, ARRAY_SIZE(rules));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_STRNE("", kgc_extack(self->c));
	EXPECT_EQ(&rules[3], kgc_bad_rule(self->c))
		TH_LOG("bad rule %p, want %p (extack \"%s\")",
		       (const void *)kgc_bad_rule(self->c),
		       (const void *)&rules[3], kgc_extack(self->c));
	/* An empty transaction commits to an empty policy. */
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
	snap_take(_metadata, self->c, &after);
	expect_same_policy(_metadata, &before, &after);
	snap_free(&before);
	snap_free(&after);
}
TEST_HARNESS_MAIN
