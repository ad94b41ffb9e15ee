// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_txn_test: policy transactions. A transaction belongs to its
 * socket: others get -EBUSY/-ENOENT, and closing the socket (or dying,
 * by exit or SIGKILL) aborts it; abort, a second begin and an empty commit
 * on the owner's own socket; the max_rules cap (-E2BIG, whole batch or
 * one rule past it).
 *
 * One of the netlink_*_test programs (netlink_fixture.h): root,
 * kabiguard.ko loaded.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "netlink_fixture.h"

/* Above this, filling a transaction to max_rules is too slow under TCG. */
#define MAX_RULES_TESTABLE	20000
/* What the max_rules test lowers a larger max_rules to, for its run. */
#define MAX_RULES_TEST		2000

/* ------------------------------------------------------------------ */
/* Transactions                                                        */

TEST_F(nl, txn_owned_by_socket)
{
	const struct kgc_rule rules[] = {
		KG_R_VMLINUX, KG_R_NS(TEST_NS),
	};
	struct kgc_client *a = NULL, *b = NULL;
	struct snap before, after;
	struct kgc_status st;
	int err;

	snap_take(_metadata, self->c, &before);
	ASSERT_EQ(0, kgc_open(&a));
	ASSERT_EQ(0, kgc_open(&b));

	ASSERT_EQ(0, kgc_cmd_policy_begin(a));
	get_status(_metadata, b, &st);
	EXPECT_TRUE(st.txn_open);
	EXPECT_EQ(local_port(a), st.txn_owner);
	ASSERT_EQ(0, kgc_cmd_policy_add(a, rules, ARRAY_SIZE(rules)));

	/* B owns nothing. */
	err = kgc_cmd_policy_begin(b);
	EXPECT_EQ(-EBUSY, err) TH_LOG("B begin: %s", strerror(-err));
	EXPECT_STRNE("", kgc_extack(b));
	err = kgc_cmd_policy_add(b, base_policy, 1);
	EXPECT_EQ(-ENOENT, err) TH_LOG("B add: %s", strerror(-err));
	err = kgc_cmd_policy_commit(b, NULL);
	EXPECT_EQ(-ENOENT, err) TH_LOG("B commit: %s", strerror(-err));
	err = kgc_cmd_policy_abort(b);
	EXPECT_EQ(-ENOENT, err) TH_LOG("B abort: %s", strerror(-err));
	/* Nor does the fixture's socket. */
	err = kgc_cmd_policy_commit(self->c, NULL);
	EXPECT_EQ(-ENOENT, err) TH_LOG("C commit: %s", strerror(-err));

	/* B's attempts left A's transaction alone. */
	get_status(_metadata, b, &st);
	EXPECT_TRUE(st.txn_open);
	EXPECT_EQ(local_port(a), st.txn_owner);

	/* A goes away without committing: its transaction with it. */
	kgc_close(a);
	a = NULL;
	snap_take(_metadata, self->c, &after);
	EXPECT_FALSE(after.st.txn_open);
	expect_same_policy(_metadata, &before, &after);
	snap_free(&after);

	/* B can now begin; what it commits is B's alone. */
	err = kgc_cmd_policy_begin(b);
	ASSERT_EQ(0, err) TH_LOG("B begin: %s (%s)", strerror(-err),
				 kgc_extack(b));
	get_status(_metadata, b, &st);
	EXPECT_EQ(local_port(b), st.txn_owner);
	ASSERT_EQ(0, kgc_cmd_policy_add(b, base_policy, 1));
	ASSERT_EQ(0, kgc_cmd_policy_commit(b, NULL));
	get_status(_metadata, b, &st);
	EXPECT_EQ(before.st.generation + 1, st.generation);
	EXPECT_EQ(1, st.nr_rules);
	EXPECT_FALSE(st.txn_open);
	kgc_close(b);
	snap_free(&before);
}

/* Abort, a second begin on the same socket, commit without add. */
TEST_F(nl, txn_lifecycle)
{
	struct snap before, after;
	uint64_t gen;
	int err;

	snap_take(_metadata, self->c, &before);
	EXPECT_EQ(-ENOENT, kgc_cmd_policy_abort(self->c));
	EXPECT_EQ(-ENOENT, kgc_cmd_policy_commit(self->c, NULL));
	EXPECT_EQ(-ENOENT, kgc_cmd_policy_add(self->c, base_policy, 1));

	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_begin(self->c);
	EXPECT_EQ(-EBUSY, err) TH_LOG("second begin: %s", strerror(-err));
	ASSERT_EQ(0, kgc_cmd_policy_add(self->c, base_policy, 1));
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
	EXPECT_EQ(-ENOENT, kgc_cmd_policy_commit(self->c, NULL));
	snap_take(_metadata, self->c, &after);
	expect_same_policy(_metadata, &before, &after);
	EXPECT_FALSE(after.st.txn_open);
	snap_free(&after);

	/* An empty commit is a (deny-everything) policy too. */
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	ASSERT_EQ(0, kgc_cmd_policy_commit(self->c, &gen));
	EXPECT_EQ(before.st.generation + 1, gen);
	snap_take(_metadata, self->c, &after);
	EXPECT_EQ(0, after.st.nr_rules);
	EXPECT_STREQ("", after.rules);
	snap_free(&after);
	snap_free(&before);
}

/* A client that dies mid-transaction leaves nothing behind. */
static void crash_in_txn(struct __test_metadata *_metadata,
			 FIXTURE_DATA(nl) *self, bool sigkill)
{
	const struct kgc_rule rules[] = { KG_R_NS(TEST_NS), KG_R_ANY() };
	struct snap before, after;
	int pfd[2], status, err;
	char c = 0;
	pid_t pid;

	snap_take(_metadata, self->c, &before);
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kgc_client *cc;
		char ok = 0;

		close(pfd[0]);
		if (!kgc_open(&cc) && !kgc_cmd_policy_begin(cc) &&
		    !kgc_cmd_policy_add(cc, rules, ARRAY_SIZE(rules)))
			ok = 1;
		if (write(pfd[1], &ok, 1) != 1)
			_exit(2);
		if (sigkill)
			pause();
		_exit(ok ? 0 : 1);	/* no commit, no close */
	}
	self->child = pid;
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	close(pfd[0]);
	ASSERT_EQ(1, c) TH_LOG("the child could not open a transaction");
	if (sigkill) {
		struct kgc_status st;

		get_status(_metadata, self->c, &st);
		EXPECT_TRUE(st.txn_open);
		ASSERT_EQ(0, kill(pid, SIGKILL));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	self->child = 0;
	if (sigkill) {
		EXPECT_TRUE(WIFSIGNALED(status));
	} else {
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}

	snap_take(_metadata, self->c, &after);
	EXPECT_FALSE(after.st.txn_open);
	expect_same_policy(_metadata, &before, &after);
	snap_free(&after);

	err = kgc_cmd_policy_begin(self->c);
	EXPECT_EQ(0, err) TH_LOG("begin after the crash: %s (%s)",
				 strerror(-err), kgc_extack(self->c));
	EXPECT_EQ(0, kgc_cmd_policy_abort(self->c));
	snap_free(&before);
}

TEST_F(nl, txn_owner_exits)
{
	crash_in_txn(_metadata, self, false);
}

TEST_F(nl, txn_owner_killed)
{
	crash_in_txn(_metadata, self, true);
}

/* ------------------------------------------------------------------ */
/* max_rules                                                           */

TEST_F_TIMEOUT(nl, max_rules, 300)
{
	struct kgc_rule *rules;
	struct snap before, after;
	struct kgc_status st;
	unsigned long param;
	char (*names)[32];
	uint32_t max, i;
	uint64_t gen;
	int err;

	get_status(_metadata, self->c, &st);
	ASSERT_EQ(0, kg_t_param_read(MAX_RULES_PARAM, &param));
	EXPECT_EQ(param, st.max_rules);
	max = st.max_rules;
	if (max > MAX_RULES_TESTABLE) {
		/* The parameter is writable (0644): lower it for this test. */
		err = kg_t_param_write_ull(MAX_RULES_PARAM, MAX_RULES_TEST);
		if (err)
			SKIP(return, "max_rules %u is too many to fill under TCG and "
			     KG_T_PARAMS MAX_RULES_PARAM " is not writable (%s): load kabiguard.ko with max_rules=5000",
			     max, strerror(-err));
		self->saved_max_rules = param;
		get_status(_metadata, self->c, &st);
		ASSERT_EQ(MAX_RULES_TEST, st.max_rules);
		max = st.max_rules;
	}
	TH_LOG("max_rules %u", max);

	rules = calloc(max + 1, sizeof(*rules));
	names = calloc(max + 1, sizeof(*names));
	ASSERT_TRUE(rules && names);
	for (i = 0; i <= max; i++) {
		snprintf(names[i], sizeof(names[i]), "kg_cap_%06u", i);
		rules[i] = (struct kgc_rule)KG_R_SYM(names[i]);
	}
	snap_take(_metadata, self->c, &before);

	/* One more than allowed, in one transaction. */
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_add(self->c, rules, max + 1);
	EXPECT_EQ(-E2BIG, err) TH_LOG("add %u rules: %s (%s)", max + 1,
				      strerror(-err), kgc_extack(self->c));
	EXPECT_NE(NULL, strstr(kgc_extack(self->c), "max_rules"))
		TH_LOG("extack \"%s\"", kgc_extack(self->c));
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
	snap_take(_metadata, self->c, &after);
	expect_same_policy(_metadata, &before, &after);
	snap_free(&after);

	/* Exactly max_rules fit; one more, in its own batch, does not. */
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_add(self->c, rules, max);
	EXPECT_EQ(0, err) TH_LOG("add %u rules: %s (%s)", max, strerror(-err),
				 kgc_extack(self->c));
	err = kgc_cmd_policy_add(self->c, &rules[max], 1);
	EXPECT_EQ(-E2BIG, err) TH_LOG("add rule %u: %s", max + 1,
				      strerror(-err));
	ASSERT_EQ(0, kgc_cmd_policy_commit(self->c, &gen));
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(before.st.generation + 1, gen);
	EXPECT_EQ(max, st.nr_rules);
	EXPECT_EQ(max, st.nr_symbol);

	snap_free(&before);
	free(names);
	free(rules);
}

TEST_HARNESS_MAIN
