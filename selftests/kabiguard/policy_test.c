// SPDX-License-Identifier: GPL-2.0
/*
 * policy_test: what kabiguard decides for real module loads.
 *
 * Runs as root with kabiguard.ko loaded (freshly, for the first test) and
 * the dummy modules of test_modules/ in KG_TEST_MODULES
 * (/kabiguard/test_modules in the VM). Each test pushes its own policy,
 * sets the mode and loads a dummy module with finit_module(2); it then
 * checks what a user would see: the load's result (0 or EPERM), the
 * verdict event on an events socket opened before the load, the kernel log
 * lines and the status counters. The policy fixture runs every case in
 * audit and in enforce mode.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"

#define EXPORTER	"kg_exporter"
#define CONSUMER_OK	"kg_consumer_ok"
#define CONSUMER_FORB	"kg_consumer_forbidden"
#define CONSUMER_NS	"kg_consumer_ns"
#define CONSUMER_EXCEPT	"kg_consumer_except"
#define TEST_NS		"KABIGUARD_TEST"

#define MANY_EXPORTER	"kg_many_exporter"
#define MANY_IMPORTS	"kg_many_imports"
#define MANY_COUNT	200

/* Built only where the kernel has module-restricted exports (test_modules/kg_ns.h). */
#define RESTRICTED_EXPORTER	"kg_restricted_exporter"
#define CONSUMER_RESTRICTED	"kg_consumer_restricted"
#define RESTRICTED_NS		"module:" CONSUMER_RESTRICTED

static const char * const consumers[] = {
	CONSUMER_OK, CONSUMER_FORB, CONSUMER_NS, CONSUMER_EXCEPT, MANY_IMPORTS,
	CONSUMER_RESTRICTED,
};

/* One expected violation. kernel_crc is taken from the .ko's __versions. */
struct want {
	const char *symbol;
	const char *ns;		/* NULL: none */
	const char *exporter;	/* NULL: unknown */
	enum kabiguard_reason reason;
	bool has_rule_crc;
	uint32_t rule_crc;
};

#define WANT(sym, nsp, exp, why)					\
	{ .symbol = sym, .ns = nsp, .exporter = exp, .reason = why }
#define WANT_CRC(sym, exp, crc)						\
	{ .symbol = sym, .exporter = exp,				\
	  .reason = KABIGUARD_REASON_CRC_MISMATCH,			\
	  .has_rule_crc = true, .rule_crc = crc }

static const char *reason_text(enum kabiguard_reason r)
{
	switch (r) {
	case KABIGUARD_REASON_NOT_ALLOWED:
		return "not allowed";
	case KABIGUARD_REASON_NAMESPACE:
		return "namespace not allowed";
	case KABIGUARD_REASON_CRC_MISMATCH:
		return "CRC mismatch";
	case KABIGUARD_REASON_EXPORTER:
		return "exporter not allowed";
	case KABIGUARD_REASON_UNSIGNED:
		return "allowed for signed modules only";
	case KABIGUARD_REASON_OUT_OF_TREE:
		return "allowed for signed in-tree modules only";
	default:
		return "?";
	}
}

static void unload_consumers(void)
{
	size_t i;

	for (i = 0; i < sizeof(consumers) / sizeof(consumers[0]); i++)
		kg_t_unload(consumers[i]);
}

static void get_status(struct __test_metadata *_metadata,
		       struct kgc_client *c, struct kgc_status *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	err = kgc_cmd_get_status(c, st);
	ASSERT_EQ(0, err) TH_LOG("get status: %s", strerror(-err));
}

static uint64_t push(struct __test_metadata *_metadata, struct kgc_client *c,
		     struct kgc_rule *rules, size_t nr)
{
	struct kgc_policy p = { .rules = rules, .nr = nr, .cap = nr };
	struct kgc_status st;
	uint64_t gen = 0;
	int err;

	err = kgc_policy_push(c, &p, &gen);
	ASSERT_EQ(0, err) TH_LOG("policy push: %s (%s)", strerror(-err),
				 kgc_extack(c));
	ASSERT_NE(0, gen);
	get_status(_metadata, c, &st);
	ASSERT_EQ(gen, st.generation);
	ASSERT_EQ(nr, st.nr_rules);
	return gen;
}

static void set_mode(struct __test_metadata *_metadata, struct kgc_client *c,
		     enum kabiguard_mode mode)
{
	struct kgc_status st;
	int err;

	err = kgc_cmd_set_mode(c, mode);
	ASSERT_EQ(0, err) TH_LOG("set mode %s: %s (%s)", kg_t_mode_text(mode),
				 strerror(-err), kgc_extack(c));
	get_status(_metadata, c, &st);
	ASSERT_EQ(mode, st.mode);
}

/*
 * Loads module name with the active policy (generation gen) in mode mode
 * and checks everything a user can see against the expected violations:
 * the load's errno, the verdict event, the kernel log and the counters.
 * Unloads the module again if it was loaded.
 */
static void check_load(struct __test_metadata *_metadata,
		       struct kgc_client *c, struct kgc_client *evc,
		       enum kabiguard_mode mode, uint64_t gen,
		       const char *name, const struct want *want, size_t nr_want)
{
	enum kabiguard_verdict verdict;
	struct kgc_status before, after;
	struct kg_t_kmsg kmsg;
	struct kgc_event ev;
	struct kg_t_ko ko;
	char line[1024], *log, *p;
	unsigned int more, missing;
	size_t i, j;
	int err, ret;

	ASSERT_EQ(0, kg_t_read_ko(name, &ko));
	ASSERT_FALSE(kg_t_loaded(name));
	if (!nr_want)
		verdict = KABIGUARD_VERDICT_ALLOWED;
	else if (mode == KABIGUARD_MODE_AUDIT)
		verdict = KABIGUARD_VERDICT_AUDITED;
	else
		verdict = KABIGUARD_VERDICT_DENIED;

	get_status(_metadata, c, &before);
	ASSERT_EQ(mode, before.mode);
	ASSERT_EQ(gen, before.generation);
	kg_t_kmsg_mark(&kmsg);

	err = kg_t_load(name);

	log = kg_t_kmsg_read(&kmsg);
	kg_t_kmsg_close(&kmsg);
	ASSERT_NE(NULL, log);

	/* The load itself. */
	if (verdict == KABIGUARD_VERDICT_DENIED) {
		EXPECT_EQ(EPERM, err) TH_LOG("load %s: %s", name, strerror(err));
		EXPECT_FALSE(kg_t_loaded(name));
	} else {
		EXPECT_EQ(0, err) TH_LOG("load %s: %s", name, strerror(err));
		EXPECT_TRUE(kg_t_loaded(name));
	}

	/* The verdict event. */
	ret = kg_t_event_for(evc, name, &ev, KG_EVENT_TIMEOUT_MS);
	EXPECT_EQ(1, ret) TH_LOG("no verdict event for %s (%d)", name, ret);
	if (ret == 1) {
		EXPECT_EQ(verdict, ev.verdict) TH_LOG("verdict %s",
						      kgc_verdict_name(ev.verdict));
		EXPECT_EQ(mode, ev.mode);
		EXPECT_EQ(gen, ev.generation);
		EXPECT_STREQ(name, ev.module);
		EXPECT_EQ(ko.nr_imports, ev.nr_imports);
		EXPECT_EQ(nr_want, ev.nr_violations);
		EXPECT_EQ(nr_want, ev.nr_listed);
		EXPECT_FALSE(ev.sig_ok);
		EXPECT_EQ((uint32_t)getpid(), ev.pid);
		EXPECT_EQ(getuid(), ev.uid);
		EXPECT_EQ(0, strncmp(program_invocation_short_name, ev.comm, 15))
			TH_LOG("comm %s", ev.comm);
		EXPECT_TRUE(ev.taints & (1ULL << KG_TAINT_OOT_MODULE))
			TH_LOG("taints 0x%" PRIx64, ev.taints);
		if (before.features & KABIGUARD_FEAT_SIG) {
			EXPECT_TRUE(ev.taints & (1ULL << KG_TAINT_UNSIGNED_MODULE))
				TH_LOG("taints 0x%" PRIx64, ev.taints);
		}
		EXPECT_STREQ(ko.version, ev.version);
		EXPECT_STREQ(ko.srcversion, ev.srcversion);

		for (i = 0; i < nr_want; i++) {
			const struct kgc_violation *v = NULL;
			uint32_t crc;

			/* Enough said about a long list going wrong. */
			if (i >= 8 && !_metadata->passed) {
				TH_LOG("(%zu more violations not checked)",
				       nr_want - i);
				break;
			}

			for (j = 0; j < ev.nr_listed; j++)
				if (!strcmp(ev.viol[j].symbol, want[i].symbol))
					v = &ev.viol[j];
			EXPECT_NE(NULL, v) TH_LOG("no violation for %s",
						  want[i].symbol);
			if (!v)
				continue;
			EXPECT_STREQ(want[i].ns ? want[i].ns : "", v->ns);
			EXPECT_STREQ(want[i].exporter ? want[i].exporter : "",
				     v->exporter);
			EXPECT_EQ(want[i].reason, v->reason)
				TH_LOG("%s: reason %s", v->symbol,
				       kgc_reason_name(v->reason));
			if (before.features & KABIGUARD_FEAT_MODVERSIONS) {
				EXPECT_TRUE(kg_t_ko_crc(&ko, v->symbol, &crc));
				EXPECT_TRUE(v->has_kernel_crc);
				EXPECT_EQ(crc, v->kernel_crc);
			} else {
				/* No modversions: no CRC anywhere. */
				EXPECT_FALSE(v->has_kernel_crc);
				EXPECT_FALSE(kg_t_ko_crc(&ko, v->symbol, &crc));
			}
			EXPECT_EQ(want[i].has_rule_crc, v->has_rule_crc);
			if (want[i].has_rule_crc) {
				EXPECT_EQ(want[i].rule_crc, v->rule_crc);
			}
		}
		/* Violations are listed in import order. */
		for (j = 1; j < ev.nr_listed; j++)
			EXPECT_LT(kg_t_ko_import_index(&ko, ev.viol[j - 1].symbol),
				  kg_t_ko_import_index(&ko, ev.viol[j].symbol))
				TH_LOG("%s listed before %s", ev.viol[j - 1].symbol,
				       ev.viol[j].symbol);
		kgc_event_free(&ev);
	}

	/* The kernel log. */
	if (!nr_want)
		snprintf(line, sizeof(line),
			 "kabiguard: %s: allowed (%s, generation %" PRIu64 "), %u imports",
			 name, kg_t_mode_text(mode), gen, ko.nr_imports);
	else
		snprintf(line, sizeof(line),
			 "kabiguard: %s: %s (%s, generation %" PRIu64 "), %zu of %u imports not allowed",
			 name, verdict == KABIGUARD_VERDICT_DENIED ? "denied" : "audited",
			 kg_t_mode_text(mode), gen, nr_want, ko.nr_imports);
	EXPECT_TRUE(kg_t_log_has(log, line)) TH_LOG("no log line \"%s\"", line);
	/*
	 * One line per violation; a long list may end early with
	 * "... and N more violations" (the kernel keeps its log short).
	 */
	snprintf(line, sizeof(line), "\nkabiguard: %s: ... and ", name);
	more = 0;
	if ((p = strstr(log, line)))
		sscanf(p + strlen(line), "%u more violations", &more);
	missing = 0;
	for (i = 0; i < nr_want; i++) {
		char ns[KABIGUARD_NAMESPACE_MAX + 16] = "", reason[128];
		uint32_t crc = 0;

		if (want[i].ns)
			snprintf(ns, sizeof(ns), " namespace %s", want[i].ns);
		if (want[i].reason == KABIGUARD_REASON_CRC_MISMATCH) {
			kg_t_ko_crc(&ko, want[i].symbol, &crc);
			snprintf(reason, sizeof(reason),
				 "CRC mismatch (kernel 0x%08x, policy 0x%08x)",
				 crc, want[i].rule_crc);
		} else {
			snprintf(reason, sizeof(reason), "%s",
				 reason_text(want[i].reason));
		}
		snprintf(line, sizeof(line), "kabiguard: %s: %s%s from %s: %s",
			 name, want[i].symbol, ns,
			 want[i].exporter ? want[i].exporter : "?", reason);
		if (kg_t_log_has(log, line))
			continue;
		if (++missing <= 3 && missing > more)
			TH_LOG("no log line \"%s\"", line);
	}
	EXPECT_EQ(more, missing) TH_LOG("%u violation lines missing, %u announced as \"more\"",
					missing, more);
	if (_metadata->passed == 0)
		TH_LOG("kernel log of the load:%s", log);
	free(log);

	/* The counters. */
	get_status(_metadata, c, &after);
	EXPECT_EQ(before.checked + 1, after.checked);
	EXPECT_EQ(before.allowed + (verdict == KABIGUARD_VERDICT_ALLOWED),
		  after.allowed);
	EXPECT_EQ(before.audited + (verdict == KABIGUARD_VERDICT_AUDITED),
		  after.audited);
	EXPECT_EQ(before.denied + (verdict == KABIGUARD_VERDICT_DENIED),
		  after.denied);
	EXPECT_EQ(before.violations + nr_want, after.violations);

	if (kg_t_loaded(name)) {
		EXPECT_EQ(0, kg_t_unload(name));
	}
}

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

/*
 * Common set-up: a control and an events socket, no consumer loaded,
 * kg_exporter loaded (under a policy that allows it: it imports only from
 * vmlinux).
 */
static void common_setup(struct __test_metadata *_metadata,
			 struct kgc_client **c, struct kgc_client **evc)
{
	struct kgc_rule base[] = { KG_R_VMLINUX };
	int err;

	err = kgc_open(c);
	ASSERT_EQ(0, err) TH_LOG("kgc_open: %s", strerror(-err));
	unload_consumers();
	if (!kg_t_loaded(EXPORTER)) {
		push(_metadata, *c, base, 1);
		set_mode(_metadata, *c, KABIGUARD_MODE_AUDIT);
		err = kg_t_load(EXPORTER);
		ASSERT_EQ(0, err) TH_LOG("load %s: %s", EXPORTER, strerror(err));
	}
	err = kgc_events_open(evc);
	ASSERT_EQ(0, err) TH_LOG("kgc_events_open: %s", strerror(-err));
}

static void common_teardown(struct kgc_client *c, struct kgc_client *evc)
{
	unload_consumers();
	if (c) {
		/* Leave no test in enforce mode for the next one's set-up. */
		kgc_cmd_set_mode(c, KABIGUARD_MODE_AUDIT);
		kgc_close(c);
	}
	if (evc)
		kgc_close(evc);
}

FIXTURE(policy) {
	struct kgc_client *c;
	struct kgc_client *evc;
};

FIXTURE_VARIANT(policy) {
	enum kabiguard_mode mode;
};

FIXTURE_VARIANT_ADD(policy, audit) {
	.mode = KABIGUARD_MODE_AUDIT,
};

FIXTURE_VARIANT_ADD(policy, enforce) {
	.mode = KABIGUARD_MODE_ENFORCE,
};

FIXTURE_SETUP(policy)
{
	common_setup(_metadata, &self->c, &self->evc);
}

FIXTURE_TEARDOWN(policy)
{
	common_teardown(self->c, self->evc);
}

/* Push rules, switch to the variant's mode, return the generation. */
#define APPLY(rules)							\
	({								\
		uint64_t __gen = push(_metadata, self->c, rules,	\
				      sizeof(rules) / sizeof(rules[0]));\
		set_mode(_metadata, self->c, variant->mode);		\
		__gen;							\
	})

#define CHECK(gen, name, ...)						\
	do {								\
		const struct want __w[] = { __VA_ARGS__ };		\
		check_load(_metadata, self->c, self->evc,		\
			   variant->mode, gen, name, __w,		\
			   sizeof(__w) / sizeof(__w[0]));		\
	} while (0)

#define CHECK_ALLOWED(gen, name)					\
	check_load(_metadata, self->c, self->evc, variant->mode, gen,	\
		   name, NULL, 0)

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

/* The CRC the consumers were built against for sym (= the running one). */
static uint32_t built_crc(struct __test_metadata *_metadata, const char *mod,
			  const char *sym)
{
	struct kgc_status st;
	struct kgc_client *c;
	struct kg_t_ko ko;
	uint32_t crc = 0;

	ASSERT_EQ(0, kgc_open(&c));
	get_status(_metadata, c, &st);
	kgc_close(c);
	if (!(st.features & KABIGUARD_FEAT_MODVERSIONS))
		SKIP(return 0,
		     "kernel without CONFIG_MODVERSIONS: no CRC to pin (crc_refused_without_modversions checks what it does)");
	ASSERT_EQ(0, kg_t_read_ko(mod, &ko));
	ASSERT_TRUE(kg_t_ko_crc(&ko, sym, &crc))
		TH_LOG("%s has no CRC for %s", mod, sym);
	return crc;
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
	kg_t_require_guard();
	if (kg_t_read_ko(EXPORTER, &(struct kg_t_ko){ 0 }))
		ksft_exit_skip("no test modules in %s (set KG_TEST_MODULES)\n",
			       kg_t_moddir());
	return test_harness_run(argc, argv);
}
