// SPDX-License-Identifier: GPL-2.0
/*
 * policy_rules_test: what each rule kind allows, in audit and enforce mode:
 * symbol rules, namespaces (ns=, ns=-, namespace rules), CRCs, from= (the
 * exporter), module= (an exception for one module); 200 imports from one
 * module, allowed and not.
 *
 * One of the policy_*_test programs (policy_fixture.h): root,
 * kabiguard.ko loaded, the test modules in KG_TEST_MODULES.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "policy_fixture.h"

/* (a) every import allowed: kg_plain_a by a symbol rule. */
TEST_F(policy, symbol_allowed)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX, KG_R_SYM("kg_plain_a") };
	uint64_t gen = APPLY(rules);

	CHECK_ALLOWED(gen, CONSUMER_OK);
}

/* (b) kg_plain_b named by no rule. */
TEST_F(policy, symbol_not_allowed)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX, KG_R_SYM("kg_plain_a") };
	uint64_t gen = APPLY(rules);

	CHECK(gen, CONSUMER_FORB,
	      WANT("kg_plain_b", NULL, EXPORTER, KABIGUARD_REASON_NOT_ALLOWED));
}

/* Without even "any from=vmlinux", kernel imports are violations too. */
TEST_F(policy, kernel_imports_need_rules)
{
	struct kgc_rule rules[] = { KG_R_SYM("kg_plain_a") };
	uint64_t gen = APPLY(rules);
	struct kgc_status before, after;
	struct kgc_event ev;
	int err, ret;

	get_status(_metadata, self->c, &before);
	err = kg_t_load(CONSUMER_OK);
	EXPECT_EQ(variant->mode == KABIGUARD_MODE_ENFORCE ? EPERM : 0, err);
	ret = kg_t_event_for(self->evc, CONSUMER_OK, &ev, KG_EVENT_TIMEOUT_MS);
	ASSERT_EQ(1, ret);
	EXPECT_EQ(gen, ev.generation);
	EXPECT_EQ(variant->mode == KABIGUARD_MODE_ENFORCE ?
		  KABIGUARD_VERDICT_DENIED : KABIGUARD_VERDICT_AUDITED,
		  ev.verdict);
	/* Everything but kg_plain_a, all from vmlinux. */
	EXPECT_EQ(ev.nr_imports - 1, ev.nr_violations);
	EXPECT_EQ(ev.nr_violations, ev.nr_listed);
	for (size_t i = 0; i < ev.nr_listed; i++) {
		EXPECT_STRNE("kg_plain_a", ev.viol[i].symbol);
		EXPECT_STREQ("vmlinux", ev.viol[i].exporter);
		EXPECT_EQ(KABIGUARD_REASON_NOT_ALLOWED, ev.viol[i].reason);
	}
	get_status(_metadata, self->c, &after);
	EXPECT_EQ(before.violations + ev.nr_violations, after.violations);
	kgc_event_free(&ev);
}

/* (c) a namespace rule allows the namespaced import. */
TEST_F(policy, namespace_allowed)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX, KG_R_NS(TEST_NS) };
	uint64_t gen = APPLY(rules);

	CHECK_ALLOWED(gen, CONSUMER_NS);
}

/* (c) no rule for the namespace: reason namespace. */
TEST_F(policy, namespace_not_allowed)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX, KG_R_SYM("kg_plain_a") };
	uint64_t gen = APPLY(rules);

	CHECK(gen, CONSUMER_NS,
	      WANT("kg_ns_a", TEST_NS, EXPORTER, KABIGUARD_REASON_NAMESPACE));
}

/* (c) symbol kg_ns_a ns=KABIGUARD_TEST allows it. */
TEST_F(policy, symbol_with_namespace_allowed)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX, KG_R_SYM("kg_ns_a", .ns = TEST_NS),
	};
	uint64_t gen = APPLY(rules);

	CHECK_ALLOWED(gen, CONSUMER_NS);
}

/*
 * A symbol rule without ns= (a stablelist entry) allows the symbol in
 * whatever namespace it is exported: importing it is the loader's concern.
 */
TEST_F(policy, symbol_name_only_any_namespace)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX, KG_R_SYM("kg_ns_a") };
	uint64_t gen = APPLY(rules);

	CHECK_ALLOWED(gen, CONSUMER_NS);
}

/* ns=- (KABIGUARD_RULE_F_NS_PINNED) wants the symbol in no namespace. */
TEST_F(policy, symbol_pinned_no_namespace)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_ns_a", .flags = KABIGUARD_RULE_F_NS_PINNED),
	};
	uint64_t gen = APPLY(rules);

	CHECK(gen, CONSUMER_NS,
	      WANT("kg_ns_a", TEST_NS, EXPORTER, KABIGUARD_REASON_NAMESPACE));
}

/* A namespace rule covers only its namespace, not plain exports. */
TEST_F(policy, namespace_rule_not_plain)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX, KG_R_NS(TEST_NS) };
	uint64_t gen = APPLY(rules);

	CHECK(gen, CONSUMER_OK,
	      WANT("kg_plain_a", NULL, EXPORTER, KABIGUARD_REASON_NOT_ALLOWED));
}

/* (d) the right CRC pinned: allowed. */
TEST_F(policy, crc_match)
{
	uint32_t crc = built_crc(_metadata, CONSUMER_OK, "kg_plain_a");
	struct kgc_rule rules[] = {
		KG_R_VMLINUX, KG_R_SYM("kg_plain_a", .crc = crc, .has_crc = true),
	};
	uint64_t gen;

	if (_metadata->skip)
		return;
	gen = APPLY(rules);
	CHECK_ALLOWED(gen, CONSUMER_OK);
}

/* (d) a wrong CRC pinned: crc-mismatch, with both CRCs. */
TEST_F(policy, crc_mismatch)
{
	uint32_t crc = built_crc(_metadata, CONSUMER_OK, "kg_plain_a");
	uint32_t wrong = crc == 0x12345678 ? 0x87654321 : 0x12345678;
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .crc = wrong, .has_crc = true),
	};
	uint64_t gen;

	if (_metadata->skip)
		return;
	gen = APPLY(rules);
	CHECK(gen, CONSUMER_OK,
	      WANT_CRC("kg_plain_a", EXPORTER, wrong));
}

/*
 * (d) without CONFIG_MODVERSIONS (Debian's 7.x) the kernel has no CRCs: a
 * crc= rule is refused when pushed, with a message, and the policy stays.
 */
TEST_F(policy, crc_refused_without_modversions)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .crc = 0x12345678, .has_crc = true),
	};
	struct kgc_status before, after;
	struct kg_t_ko ko;
	uint32_t crc;
	int err;

	get_status(_metadata, self->c, &before);
	if (before.features & KABIGUARD_FEAT_MODVERSIONS)
		SKIP(return,
		     "kernel with CONFIG_MODVERSIONS: crc= rules are checked (crc_match, crc_mismatch)");
	/* The modules built for this kernel carry no CRC either. */
	ASSERT_EQ(0, kg_t_read_ko(CONSUMER_OK, &ko));
	EXPECT_EQ(0, ko.nr_versions);
	EXPECT_FALSE(kg_t_ko_crc(&ko, "kg_plain_a", &crc));

	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_add(self->c, rules, sizeof(rules) / sizeof(rules[0]));
	EXPECT_EQ(-EOPNOTSUPP, err) TH_LOG("add: %s", strerror(-err));
	EXPECT_NE(NULL, strstr(kgc_extack(self->c), "CONFIG_MODVERSIONS"))
		TH_LOG("extack \"%s\"", kgc_extack(self->c));
	EXPECT_EQ(&rules[1], kgc_bad_rule(self->c));
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
	get_status(_metadata, self->c, &after);
	EXPECT_EQ(before.generation, after.generation);
	EXPECT_EQ(before.nr_rules, after.nr_rules);
}

/* from= pins the exporter. */
TEST_F(policy, exporter_allowed)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX, KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
	};
	uint64_t gen = APPLY(rules);

	CHECK_ALLOWED(gen, CONSUMER_OK);
}

TEST_F(policy, exporter_mismatch)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX, KG_R_SYM("kg_plain_a", .exporter = "vmlinux"),
	};
	uint64_t gen = APPLY(rules);

	CHECK(gen, CONSUMER_OK,
	      WANT("kg_plain_a", NULL, EXPORTER, KABIGUARD_REASON_EXPORTER));
}

/* (e) module=: an exception for one module only. */
TEST_F(policy, module_exception)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX, KG_R_SYM("kg_plain_a"),
		KG_R_SYM("kg_plain_b", .module = CONSUMER_EXCEPT),
	};
	uint64_t gen = APPLY(rules);

	CHECK_ALLOWED(gen, CONSUMER_EXCEPT);
	CHECK(gen, CONSUMER_FORB,
	      WANT("kg_plain_b", NULL, EXPORTER, KABIGUARD_REASON_NOT_ALLOWED));
}

/* The benchmark modules: about 200 imports from one module. */
static void load_many_exporter(struct __test_metadata *_metadata,
			       struct kgc_client *c, enum kabiguard_mode mode)
{
	struct kgc_rule base[] = { KG_R_VMLINUX };
	int err;

	if (kg_t_loaded(MANY_EXPORTER))
		return;
	push(_metadata, c, base, 1);
	set_mode(_metadata, c, mode);
	err = kg_t_load(MANY_EXPORTER);
	ASSERT_EQ(0, err) TH_LOG("load %s: %s", MANY_EXPORTER, strerror(err));
}

TEST_F(policy, many_imports_allowed)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX, KG_R_ANY(.exporter = MANY_EXPORTER),
	};
	uint64_t gen;

	load_many_exporter(_metadata, self->c, variant->mode);
	gen = APPLY(rules);
	CHECK_ALLOWED(gen, MANY_IMPORTS);
}

TEST_F(policy, many_imports_not_allowed)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX };
	static char names[MANY_COUNT][16];
	static struct want w[MANY_COUNT];
	uint64_t gen;
	int i;

	for (i = 0; i < MANY_COUNT; i++) {
		snprintf(names[i], sizeof(names[i]), "kg_many_%03d", i);
		w[i] = (struct want)WANT(names[i], NULL, MANY_EXPORTER,
					 KABIGUARD_REASON_NOT_ALLOWED);
	}
	load_many_exporter(_metadata, self->c, variant->mode);
	gen = APPLY(rules);
	check_load(_metadata, self->c, self->evc, variant->mode, gen,
		   MANY_IMPORTS, w, MANY_COUNT);
}

int main(int argc, char **argv)
{
	return policy_test_main(argc, argv);
}
