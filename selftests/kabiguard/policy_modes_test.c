// SPDX-License-Identifier: GPL-2.0
/*
 * policy_modes_test: the guard's modes. Enforce mode is refused before any
 * policy is committed (run first, in a fresh kabiguard); off checks
 * nothing, audit reports, enforce denies, and back; a new policy applies
 * to the next load, with its generation.
 *
 * One of the policy_*_test programs (policy_fixture.h): root,
 * kabiguard.ko loaded, the test modules in KG_TEST_MODULES.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "policy_fixture.h"

/*
 * Only meaningful in a fresh kabiguard (run first, right after insmod):
 * enforce mode needs a committed policy, since an empty one would deny
 * every load.
 */
TEST(enforce_before_commit)
{
	struct kgc_client *c;
	struct kgc_status st;

	ASSERT_EQ(0, kgc_open(&c));
	get_status(_metadata, c, &st);
	if (st.generation) {
		kgc_close(c);
		SKIP(return, "a policy was committed already (generation %" PRIu64 ")",
		     st.generation);
	}
	EXPECT_EQ(-ENOENT, kgc_cmd_set_mode(c, KABIGUARD_MODE_ENFORCE));
	get_status(_metadata, c, &st);
	EXPECT_NE(KABIGUARD_MODE_ENFORCE, st.mode);
	EXPECT_EQ(0, st.generation);
	EXPECT_FALSE(st.locked);
	kgc_close(c);
}

/* Mode switching, with a policy that kg_consumer_forbidden violates. */
FIXTURE(modes) {
	struct kgc_client *c;
	struct kgc_client *evc;
};

FIXTURE_SETUP(modes)
{
	common_setup(_metadata, &self->c, &self->evc);
}

FIXTURE_TEARDOWN(modes)
{
	common_teardown(self->c, self->evc);
}

TEST_F(modes, off_audit_enforce)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX, KG_R_SYM("kg_plain_a") };
	const struct want w = WANT("kg_plain_b", NULL, EXPORTER, KABIGUARD_REASON_NOT_ALLOWED);
	struct kgc_status before, after;
	struct kg_t_kmsg kmsg;
	struct kgc_event ev;
	uint64_t gen;
	char *log;

	gen = push(_metadata, self->c, rules, 2);

	/* off: nothing checked, no event, no log line, the load goes on. */
	set_mode(_metadata, self->c, KABIGUARD_MODE_OFF);
	get_status(_metadata, self->c, &before);
	kg_t_kmsg_mark(&kmsg);
	EXPECT_EQ(0, kg_t_load(CONSUMER_FORB));
	log = kg_t_kmsg_read(&kmsg);
	kg_t_kmsg_close(&kmsg);
	EXPECT_TRUE(kg_t_loaded(CONSUMER_FORB));
	EXPECT_EQ(0, kg_t_event_for(self->evc, CONSUMER_FORB, &ev,
				    KG_NO_EVENT_MS));
	ASSERT_NE(NULL, log);
	EXPECT_EQ(NULL, strstr(log, "kabiguard: " CONSUMER_FORB ":"))
		TH_LOG("log:%s", log);
	free(log);
	get_status(_metadata, self->c, &after);
	EXPECT_EQ(before.checked, after.checked);
	EXPECT_EQ(before.violations, after.violations);
	EXPECT_EQ(0, kg_t_unload(CONSUMER_FORB));

	/* audit: loads, verdict audited. */
	set_mode(_metadata, self->c, KABIGUARD_MODE_AUDIT);
	check_load(_metadata, self->c, self->evc, KABIGUARD_MODE_AUDIT, gen,
		   CONSUMER_FORB, &w, 1);

	/* enforce: denied. */
	set_mode(_metadata, self->c, KABIGUARD_MODE_ENFORCE);
	check_load(_metadata, self->c, self->evc, KABIGUARD_MODE_ENFORCE, gen,
		   CONSUMER_FORB, &w, 1);

	/* and back to audit: loads again. */
	set_mode(_metadata, self->c, KABIGUARD_MODE_AUDIT);
	check_load(_metadata, self->c, self->evc, KABIGUARD_MODE_AUDIT, gen,
		   CONSUMER_FORB, &w, 1);
}

/* A new policy applies to the next load, with its generation. */
TEST_F(modes, new_policy_next_load)
{
	struct kgc_rule deny[] = { KG_R_VMLINUX };
	struct kgc_rule allow[] = { KG_R_VMLINUX, KG_R_SYM("kg_plain_a") };
	const struct want w = WANT("kg_plain_a", NULL, EXPORTER, KABIGUARD_REASON_NOT_ALLOWED);
	uint64_t gen1, gen2;

	gen1 = push(_metadata, self->c, deny, 1);
	set_mode(_metadata, self->c, KABIGUARD_MODE_ENFORCE);
	check_load(_metadata, self->c, self->evc, KABIGUARD_MODE_ENFORCE,
		   gen1, CONSUMER_OK, &w, 1);
	gen2 = push(_metadata, self->c, allow, 2);
	EXPECT_LT(gen1, gen2);
	check_load(_metadata, self->c, self->evc, KABIGUARD_MODE_ENFORCE,
		   gen2, CONSUMER_OK, NULL, 0);
}

int main(int argc, char **argv)
{
	return policy_test_main(argc, argv);
}
