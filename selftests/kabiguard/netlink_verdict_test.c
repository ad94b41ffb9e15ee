// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_verdict_test: what loads see of the policy. Every verdict is
 * computed against exactly one committed policy, even while commits race
 * with module loads; GET_STATUS reports the mode, the generation, the
 * features, the transaction's owner and the rule and verdict counters,
 * which move as each verdict says (and not in off mode).
 *
 * One of the netlink_*_test programs (netlink_fixture.h): root,
 * kabiguard.ko loaded, the dummy modules in KG_TEST_MODULES.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "netlink_fixture.h"

/* Loads of kg_consumer_forbidden while policies are swapped. */
#define SWAP_LOADS		100

/* ------------------------------------------------------------------ */
/* Commits racing with module loads                                    */

struct gens {
	uint64_t *gen;
	bool *is_b;
	size_t nr, cap;
};

static int gens_add(struct gens *g, uint64_t gen, bool is_b)
{
	if (g->nr == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 1024;
		uint64_t *ng = realloc(g->gen, cap * sizeof(*ng));
		bool *nb;

		if (!ng)
			return -ENOMEM;
		g->gen = ng;
		nb = realloc(g->is_b, cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		g->is_b = nb;
		g->cap = cap;
	}
	g->gen[g->nr] = gen;
	g->is_b[g->nr] = is_b;
	g->nr++;
	return 0;
}

/* 0: policy A, 1: policy B, -1: never committed by us. */
static int gens_kind(const struct gens *g, uint64_t gen)
{
	size_t i;

	for (i = 0; i < g->nr; i++)
		if (g->gen[i] == gen)
			return g->is_b[i];
	return -1;
}

struct swap_stats {
	unsigned int events, seen_a, seen_b;
	uint64_t last_gen;
	unsigned int distinct_gens;
	enum kabiguard_reason b_reason;
	bool seen_b_reason;
};

static void check_swap_event(struct __test_metadata *_metadata,
			     const struct gens *g, const struct kgc_event *ev,
			     struct swap_stats *s)
{
	int kind = gens_kind(g, ev->generation);
	unsigned int want = kind == 1 ? 2 : 0;
	size_t i;

	s->events++;
	if (ev->generation != s->last_gen) {
		s->distinct_gens++;
		s->last_gen = ev->generation;
	}
	EXPECT_NE(-1, kind) TH_LOG("event %u: generation %" PRIu64
				   " was never committed", s->events,
				   ev->generation);
	if (kind < 0)
		return;
	if (kind)
		s->seen_b++;
	else
		s->seen_a++;
	EXPECT_EQ(want, ev->nr_violations)
		TH_LOG("event %u: generation %" PRIu64 " (policy %c): %u violations",
		       s->events, ev->generation, kind ? 'B' : 'A',
		       ev->nr_violations);
	EXPECT_EQ(ev->nr_violations, ev->nr_listed);
	EXPECT_EQ(KABIGUARD_MODE_AUDIT, ev->mode);
	EXPECT_EQ(want ? KABIGUARD_VERDICT_AUDITED : KABIGUARD_VERDICT_ALLOWED,
		  ev->verdict);
	for (i = 0; i < ev->nr_listed; i++) {
		EXPECT_TRUE(!strcmp(ev->viol[i].symbol, "kg_plain_a") ||
			    !strcmp(ev->viol[i].symbol, "kg_plain_b"))
			TH_LOG("violation %s", ev->viol[i].symbol);
		EXPECT_STREQ(EXPORTER, ev->viol[i].exporter);
		/*
		 * Which reason "any from=vmlinux" gives an import from a
		 * module is policy_*_test's business; here it only has to be
		 * the same in every B generation.
		 */
		if (!s->seen_b_reason) {
			s->b_reason = ev->viol[i].reason;
			s->seen_b_reason = true;
		}
		EXPECT_EQ(s->b_reason, ev->viol[i].reason);
	}
	if (ev->nr_listed == 2) {
		EXPECT_STRNE(ev->viol[0].symbol, ev->viol[1].symbol);
	}
}

/* Reads every pending event (timeout_ms for the first) into the checks. */
static void drain_events(struct __test_metadata *_metadata,
			 struct kgc_client *evc, const struct gens *g,
			 struct swap_stats *s, int timeout_ms)
{
	struct kgc_event ev;
	int ret;

	for (;;) {
		memset(&ev, 0, sizeof(ev));
		ret = kgc_events_next(evc, &ev, timeout_ms);
		if (ret == 0)
			return;
		ASSERT_EQ(1, ret) TH_LOG("events: %s", strerror(-ret));
		if (!strcmp(ev.module, CONSUMER_FORB))
			check_swap_event(_metadata, g, &ev, s);
		kgc_event_free(&ev);
	}
}

struct loader_report {
	unsigned int loads;
	int load_err, unload_err;
};

TEST_F_TIMEOUT(nl, swap_during_loads, 600)
{
	const struct kgc_rule policy_a[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
		KG_R_SYM("kg_plain_b", .exporter = EXPORTER),
	};
	const struct kgc_rule *policy_b = base_policy;
	struct loader_report rep = { 0 };
	struct swap_stats s = { 0 };
	struct gens g = { 0 };
	unsigned int commits = 0;
	int pfd[2], status, err;
	uint64_t gen;
	pid_t pid;

	load_exporter(_metadata, self->c);
	kg_t_unload(CONSUMER_FORB);
	ASSERT_FALSE(kg_t_loaded(CONSUMER_FORB));
	err = kgc_events_open(&self->evc);
	ASSERT_EQ(0, err) TH_LOG("kgc_events_open: %s", strerror(-err));
	set_mode(_metadata, self->c, KABIGUARD_MODE_AUDIT);
	gen = push(_metadata, self->c, policy_a, ARRAY_SIZE(policy_a));
	ASSERT_EQ(0, gens_add(&g, gen, false));

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct loader_report r = { 0 };
		unsigned int i;

		close(pfd[0]);
		for (i = 0; i < SWAP_LOADS; i++) {
			r.load_err = kg_t_load(CONSUMER_FORB);
			if (r.load_err)
				break;
			r.loads++;
			r.unload_err = kg_t_unload(CONSUMER_FORB);
			if (r.unload_err)
				break;
		}
		_exit(write(pfd[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	self->child = pid;
	close(pfd[1]);

	/* Alternate B, A, B, ... until the loader is done. */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		bool is_b = !(commits & 1);

		gen = push(_metadata, self->c, is_b ? policy_b : policy_a,
			   is_b ? 1 : ARRAY_SIZE(policy_a));
		ASSERT_EQ(0, gens_add(&g, gen, is_b));
		commits++;
		drain_events(_metadata, self->evc, &g, &s, 0);
	}
	self->child = 0;
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("loader status 0x%x", status);
	ASSERT_EQ(sizeof(rep), read(pfd[0], &rep, sizeof(rep)));
	close(pfd[0]);
	EXPECT_EQ(0, rep.load_err) TH_LOG("load: %s", strerror(rep.load_err));
	EXPECT_EQ(0, rep.unload_err) TH_LOG("unload: %s",
					    strerror(rep.unload_err));
	EXPECT_EQ(SWAP_LOADS, rep.loads);

	/* The rest of the events; then exactly one per load. */
	while (s.events < rep.loads) {
		unsigned int had = s.events;

		drain_events(_metadata, self->evc, &g, &s, KG_EVENT_TIMEOUT_MS);
		if (s.events == had)
			break;
	}
	drain_events(_metadata, self->evc, &g, &s, KG_NO_EVENT_MS);
	EXPECT_EQ(rep.loads, s.events);
	TH_LOG("%u loads, %u commits, %u events: %u under A, %u under B, %u generation changes",
	       rep.loads, commits, s.events, s.seen_a, s.seen_b,
	       s.distinct_gens);
	/* The race was real: loads saw more than one policy. */
	EXPECT_LT(1, s.distinct_gens);
	free(g.gen);
	free(g.is_b);
}

/* ------------------------------------------------------------------ */
/* GET_STATUS                                                          */

/* Loads name and checks the counters moved as one verdict says. */
static void load_and_count(struct __test_metadata *_metadata,
			   FIXTURE_DATA(nl) *self, const char *name,
			   enum kabiguard_verdict verdict, unsigned int viol)
{
	struct kgc_status before, after;
	struct kgc_event ev;
	int err, ret;

	get_status(_metadata, self->c, &before);
	err = kg_t_load(name);
	ASSERT_EQ(0, err) TH_LOG("load %s: %s", name, strerror(err));
	ret = kg_t_event_for(self->evc, name, &ev, KG_EVENT_TIMEOUT_MS);
	EXPECT_EQ(1, ret) TH_LOG("no event for %s", name);
	if (ret == 1) {
		EXPECT_EQ(verdict, ev.verdict);
		EXPECT_EQ(viol, ev.nr_violations);
		EXPECT_EQ(before.generation, ev.generation);
		EXPECT_EQ(before.mode, ev.mode);
		kgc_event_free(&ev);
	}
	get_status(_metadata, self->c, &after);
	EXPECT_EQ(before.checked + 1, after.checked);
	EXPECT_EQ(before.allowed + (verdict == KABIGUARD_VERDICT_ALLOWED),
		  after.allowed);
	EXPECT_EQ(before.audited + (verdict == KABIGUARD_VERDICT_AUDITED),
		  after.audited);
	EXPECT_EQ(before.denied, after.denied);
	EXPECT_EQ(before.violations + viol, after.violations);
	EXPECT_EQ(0, kg_t_unload(name));
}

TEST_F_TIMEOUT(nl, status, 120)
{
	const struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
		KG_R_SYM("kg_plain_b", .exporter = EXPORTER),
		KG_R_NS(TEST_NS),
	};
	struct kgc_status st, st2;
	struct kgc_event ev;
	unsigned long param;
	struct kg_t_ko ko;
	uint64_t gen;
	int err;

	load_exporter(_metadata, self->c);
	kg_t_unload(CONSUMER_OK);
	kg_t_unload(CONSUMER_FORB);
	err = kgc_events_open(&self->evc);
	ASSERT_EQ(0, err) TH_LOG("kgc_events_open: %s", strerror(-err));

	gen = push(_metadata, self->c, rules, ARRAY_SIZE(rules));
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(KABIGUARD_MODE_AUDIT, st.mode);
	EXPECT_EQ(gen, st.generation);
	EXPECT_FALSE(st.locked);
	EXPECT_FALSE(st.txn_open);
	EXPECT_EQ(4, st.nr_rules);
	EXPECT_EQ(2, st.nr_symbol);
	EXPECT_EQ(1, st.nr_namespace);
	EXPECT_EQ(1, st.nr_any);
	ASSERT_EQ(0, kg_t_param_read(MAX_RULES_PARAM, &param));
	EXPECT_EQ(param, st.max_rules);

	/* Features: Debian's 6.1 and 6.12 honour a denial. */
	TH_LOG("features 0x%x", st.features);
	EXPECT_TRUE(st.features & KABIGUARD_FEAT_ENFORCE);
	EXPECT_TRUE(st.features & KABIGUARD_FEAT_RING);
	EXPECT_TRUE(st.features & KABIGUARD_FEAT_SCAN);
	EXPECT_EQ(0, st.features & ~(uint32_t)(KABIGUARD_FEAT_ENFORCE |
					       KABIGUARD_FEAT_MODVERSIONS |
					       KABIGUARD_FEAT_SIG |
					       KABIGUARD_FEAT_RING |
					       KABIGUARD_FEAT_SCAN |
					       KABIGUARD_FEAT_EVENTS_ADMIN));
	/* A test module has __versions exactly when the kernel has CRCs. */
	ASSERT_EQ(0, kg_t_read_ko(CONSUMER_OK, &ko));
	EXPECT_EQ(ko.nr_versions > 0,
		  !!(st.features & KABIGUARD_FEAT_MODVERSIONS));
	/* module.sig_enforce exists exactly with CONFIG_MODULE_SIG. */
	EXPECT_EQ(access("/sys/module/module/parameters/sig_enforce", F_OK) == 0,
		  !!(st.features & KABIGUARD_FEAT_SIG));

	/* The transaction owner. */
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	get_status(_metadata, self->c, &st2);
	EXPECT_TRUE(st2.txn_open);
	EXPECT_EQ(local_port(self->c), st2.txn_owner);
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
	get_status(_metadata, self->c, &st2);
	EXPECT_FALSE(st2.txn_open);
	EXPECT_EQ(gen, st2.generation);

	/* Modes. */
	set_mode(_metadata, self->c, KABIGUARD_MODE_ENFORCE);
	get_status(_metadata, self->c, &st2);
	EXPECT_EQ(KABIGUARD_MODE_ENFORCE, st2.mode);
	set_mode(_metadata, self->c, KABIGUARD_MODE_OFF);
	get_status(_metadata, self->c, &st2);
	EXPECT_EQ(KABIGUARD_MODE_OFF, st2.mode);

	/* Off: nothing checked, no event, counters still. */
	err = kg_t_load(CONSUMER_FORB);
	ASSERT_EQ(0, err) TH_LOG("load in off mode: %s", strerror(err));
	EXPECT_EQ(0, kg_t_event_for(self->evc, CONSUMER_FORB, &ev,
				    KG_NO_EVENT_MS));
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(st2.checked, st.checked);
	EXPECT_EQ(st2.violations, st.violations);
	EXPECT_EQ(0, kg_t_unload(CONSUMER_FORB));

	/* Audit: one allowed load, then one audited with 2 violations. */
	set_mode(_metadata, self->c, KABIGUARD_MODE_AUDIT);
	load_and_count(_metadata, self, CONSUMER_OK, KABIGUARD_VERDICT_ALLOWED, 0);
	push(_metadata, self->c, base_policy, 1);
	load_and_count(_metadata, self, CONSUMER_FORB,
		       KABIGUARD_VERDICT_AUDITED, 2);
}

TEST_HARNESS_MAIN
