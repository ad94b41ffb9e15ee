// SPDX-License-Identifier: GPL-2.0
/*
 * policy_signed_test: signed-only and in-tree rules (an unsigned test
 * module is never signed, a kernel without CONFIG_MODULE_SIG refuses
 * them, in-tree alone is the module's own claim), and which reason a
 * violation reports when several apply.
 *
 * One of the policy_*_test programs (policy_fixture.h): root,
 * kabiguard.ko loaded, the test modules in KG_TEST_MODULES.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "policy_fixture.h"

/* (f) signed-only rules do not exist for unsigned modules. */
TEST_F(policy, signed_only)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .flags = KABIGUARD_RULE_F_SIGNED_ONLY),
	};
	uint64_t gen = APPLY(rules);

	CHECK(gen, CONSUMER_OK,
	      WANT("kg_plain_a", NULL, EXPORTER, KABIGUARD_REASON_UNSIGNED));
}

/* signed-only in-tree: an unsigned out-of-tree module is still unsigned. */
TEST_F(policy, signed_only_in_tree)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .flags = KABIGUARD_RULE_F_SIGNED_ONLY |
						KABIGUARD_RULE_F_IN_TREE),
	};
	uint64_t gen = APPLY(rules);

	CHECK(gen, CONSUMER_OK,
	      WANT("kg_plain_a", NULL, EXPORTER, KABIGUARD_REASON_UNSIGNED));
}

/*
 * The status says whether the kernel verifies signatures, as the kernel
 * itself shows it: module.sig_enforce exists with CONFIG_MODULE_SIG only.
 * Then signed-only rules are kept (every matrix kernel); without it they
 * are refused with a message naming the rule, the policy unchanged.
 */
TEST_F(policy, signed_only_needs_module_sig)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_ANY(.flags = KABIGUARD_RULE_F_SIGNED_ONLY |
				  KABIGUARD_RULE_F_IN_TREE),
	};
	bool module_sig = !access("/sys/module/module/parameters/sig_enforce",
				  F_OK);
	struct kgc_status before, after;
	int err;

	get_status(_metadata, self->c, &before);
	EXPECT_EQ(module_sig, !!(before.features & KABIGUARD_FEAT_SIG))
		TH_LOG("features 0x%x, module.sig_enforce %s", before.features,
		       module_sig ? "present" : "absent");
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_add(self->c, rules, sizeof(rules) / sizeof(rules[0]));
	if (module_sig) {
		EXPECT_EQ(0, err) TH_LOG("add: %s (%s)", strerror(-err),
					 kgc_extack(self->c));
		ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
		return;
	}
	EXPECT_EQ(-EOPNOTSUPP, err) TH_LOG("add: %s", strerror(-err));
	EXPECT_NE(NULL, strstr(kgc_extack(self->c), "CONFIG_MODULE_SIG"))
		TH_LOG("extack \"%s\"", kgc_extack(self->c));
	EXPECT_EQ(&rules[1], kgc_bad_rule(self->c));
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
	get_status(_metadata, self->c, &after);
	EXPECT_EQ(before.generation, after.generation);
}

/* in-tree alone is the module's own claim: refused. */
TEST_F(policy, in_tree_needs_signed_only)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_ANY(.flags = KABIGUARD_RULE_F_IN_TREE),
	};
	int err;

	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_add(self->c, rules, sizeof(rules) / sizeof(rules[0]));
	EXPECT_EQ(-EINVAL, err) TH_LOG("add: %s", strerror(-err));
	EXPECT_NE(NULL, strstr(kgc_extack(self->c), "in-tree needs signed-only"))
		TH_LOG("extack \"%s\"", kgc_extack(self->c));
	EXPECT_EQ(&rules[1], kgc_bad_rule(self->c));
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
}

/* A signed-only rule next to a plain one: the plain one allows. */
TEST_F(policy, signed_only_and_plain)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .flags = KABIGUARD_RULE_F_SIGNED_ONLY),
		KG_R_SYM("kg_plain_a"),
	};
	uint64_t gen = APPLY(rules);

	CHECK_ALLOWED(gen, CONSUMER_OK);
}

/* Priority without CRCs (every kernel): exporter wins over unsigned. */
TEST_F(policy, reason_priority)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .flags = KABIGUARD_RULE_F_SIGNED_ONLY),
		KG_R_SYM("kg_plain_a", .exporter = "vmlinux"),
	};
	uint64_t gen = APPLY(rules);

	CHECK(gen, CONSUMER_OK,
	      WANT("kg_plain_a", NULL, EXPORTER, KABIGUARD_REASON_EXPORTER));
}

/* Priority: crc-mismatch wins over exporter, unsigned and the rest. */
TEST_F(policy, reason_priority_crc)
{
	uint32_t crc = built_crc(_metadata, CONSUMER_OK, "kg_plain_a");
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .crc = ~crc, .has_crc = true),
		KG_R_SYM("kg_plain_a", .exporter = "vmlinux"),
		KG_R_SYM("kg_plain_a", .flags = KABIGUARD_RULE_F_SIGNED_ONLY),
	};
	uint64_t gen;

	if (_metadata->skip)
		return;
	gen = APPLY(rules);
	CHECK(gen, CONSUMER_OK,
	      WANT_CRC("kg_plain_a", EXPORTER, ~crc));
}

int main(int argc, char **argv)
{
	return policy_test_main(argc, argv);
}
