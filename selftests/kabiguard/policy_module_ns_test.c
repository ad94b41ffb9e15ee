// SPDX-License-Identifier: GPL-2.0
/*
 * policy_module_ns_test: module-restricted exports (6.16+,
 * "module:NAME,..."): reported with their namespace when no rule names
 * them, allowed by a symbol rule for a listed importer or by the whole
 * namespace string, refused by ns= naming another namespace. Skipped where
 * the kernel has none (test_modules/kg_ns.h).
 *
 * One of the policy_*_test programs (policy_fixture.h): root,
 * kabiguard.ko loaded, the test modules in KG_TEST_MODULES.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "policy_fixture.h"

/*
 * Module-restricted exports (EXPORT_SYMBOL_FOR_MODULES): kg_restricted_a is
 * exported to kg_consumer_restricted only, in the namespace
 * "module:kg_consumer_restricted", which verdicts report as it is. Where
 * the kernel has no such exports the modules are not built and the tests
 * say so. Loads the exporter (under "any from=vmlinux", audit) once.
 */
static bool restricted_setup(struct __test_metadata *_metadata,
			     struct kgc_client *c)
{
	struct kgc_rule base[] = { KG_R_VMLINUX };
	char path[4096];
	int err;

	kg_t_kopath(path, sizeof(path), RESTRICTED_EXPORTER);
	if (access(path, F_OK))
		return false;
	if (!kg_t_loaded(RESTRICTED_EXPORTER)) {
		push(_metadata, c, base, 1);
		set_mode(_metadata, c, KABIGUARD_MODE_AUDIT);
		err = kg_t_load(RESTRICTED_EXPORTER);
		EXPECT_EQ(0, err) TH_LOG("load %s: %s", RESTRICTED_EXPORTER,
					 strerror(err));
	}
	return true;
}

#define RESTRICTED_SETUP()						\
	do {								\
		if (!restricted_setup(_metadata, self->c))		\
			SKIP(return,					\
			     "kernel without EXPORT_SYMBOL_FOR_MODULES or EXPORT_SYMBOL_GPL_FOR_MODULES (" \
			     RESTRICTED_EXPORTER ".ko not built)");	\
		ASSERT_TRUE(kg_t_loaded(RESTRICTED_EXPORTER));		\
	} while (0)

/* No rule names it: reported with its "module:" namespace, not allowed. */
TEST_F(policy, module_ns_reported)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX };
	uint64_t gen;

	RESTRICTED_SETUP();
	gen = APPLY(rules);
	CHECK(gen, CONSUMER_RESTRICTED,
	      WANT("kg_restricted_a", RESTRICTED_NS, RESTRICTED_EXPORTER,
		   KABIGUARD_REASON_NOT_ALLOWED));
}

/*
 * A symbol rule without ns= allows it to a module the list names; so does
 * one pinned to no namespace, as the loader treats the export as one
 * without a namespace for that module.
 */
TEST_F(policy, module_ns_listed_symbol_rule)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX, KG_R_SYM("kg_restricted_a") };
	struct kgc_rule pinned[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_restricted_a", .flags = KABIGUARD_RULE_F_NS_PINNED),
	};
	uint64_t gen;

	RESTRICTED_SETUP();
	gen = APPLY(rules);
	CHECK_ALLOWED(gen, CONSUMER_RESTRICTED);
	gen = APPLY(pinned);
	CHECK_ALLOWED(gen, CONSUMER_RESTRICTED);
}

/* The whole namespace string, in ns= or a namespace rule, allows it too. */
TEST_F(policy, module_ns_whole_string)
{
	struct kgc_rule sym[] = {
		KG_R_VMLINUX, KG_R_SYM("kg_restricted_a", .ns = RESTRICTED_NS),
	};
	struct kgc_rule ns[] = { KG_R_VMLINUX, KG_R_NS(RESTRICTED_NS) };
	uint64_t gen;

	RESTRICTED_SETUP();
	gen = APPLY(sym);
	CHECK_ALLOWED(gen, CONSUMER_RESTRICTED);
	gen = APPLY(ns);
	CHECK_ALLOWED(gen, CONSUMER_RESTRICTED);
}

/* ns= naming another namespace refuses it: reason namespace. */
TEST_F(policy, module_ns_other_namespace)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_restricted_a", .ns = "module:kg_other"),
	};
	uint64_t gen;

	RESTRICTED_SETUP();
	gen = APPLY(rules);
	CHECK(gen, CONSUMER_RESTRICTED,
	      WANT("kg_restricted_a", RESTRICTED_NS, RESTRICTED_EXPORTER,
		   KABIGUARD_REASON_NAMESPACE));
}

int main(int argc, char **argv)
{
	return policy_test_main(argc, argv);
}
