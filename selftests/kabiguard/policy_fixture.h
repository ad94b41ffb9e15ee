/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the policy_*_test programs share: what kabiguard decides for real
 * module loads. Each test pushes its own policy, sets the mode and loads a
 * dummy module with finit_module(2); check_load() then checks what a user
 * would see: the load's result (0 or EPERM), the verdict event on an
 * events socket opened before the load, the kernel log lines and the
 * status counters. The fixture "policy" runs every case in audit and in
 * enforce mode.
 *
 * Runs as root with kabiguard.ko loaded and the dummy modules of
 * test_modules/ in KG_TEST_MODULES (/kabiguard/test_modules in the VM).
 * The programs, one concern each (see their headers), run in this order
 * in one load of kabiguard.ko, policy_modes_test first, right after
 * insmod:
 *   policy_modes_test      enforce before any policy, off/audit/enforce,
 *                          a new policy's generation
 *   policy_rules_test      symbol, namespace, CRC, exporter and per-module
 *                          rules; 200 imports from one module
 *   policy_signed_test     signed-only and in-tree rules, which reason wins
 *   policy_module_ns_test  module-restricted exports ("module:NAME")
 *
 * Include after kselftest_harness.h and kg_selftest.h, in one file per
 * program: the fixture's functions are defined here.
 */
#ifndef POLICY_FIXTURE_H
#define POLICY_FIXTURE_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static inline const char *reason_text(enum kabiguard_reason r)
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

static inline void unload_consumers(void)
{
	size_t i;

	for (i = 0; i < sizeof(consumers) / sizeof(consumers[0]); i++)
		kg_t_unload(consumers[i]);
}

static inline void get_status(struct __test_metadata *_metadata,
			      struct kgc_client *c, struct kgc_status *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	err = kgc_cmd_get_status(c, st);
	ASSERT_EQ(0, err) TH_LOG("get status: %s", strerror(-err));
}

static inline uint64_t push(struct __test_metadata *_metadata, struct kgc_client *c,
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

static inline void set_mode(struct __test_metadata *_metadata, struct kgc_client *c,
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
static inline void check_load(struct __test_metadata *_metadata,
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
 * Common set-up: a control and an events socket, no consumer loaded,
 * kg_exporter loaded (under a policy that allows it: it imports only from
 * vmlinux).
 */
static inline void common_setup(struct __test_metadata *_metadata,
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

static inline void common_teardown(struct kgc_client *c, struct kgc_client *evc)
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

/* The CRC the consumers were built against for sym (= the running one). */
static inline uint32_t built_crc(struct __test_metadata *_metadata, const char *mod,
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

/* Each program's main(): skips without the guard or the test modules. */
static inline int policy_test_main(int argc, char **argv)
{
	kg_t_require_guard();
	if (kg_t_read_ko(EXPORTER, &(struct kg_t_ko){ 0 }))
		ksft_exit_skip("no test modules in %s (set KG_TEST_MODULES)\n",
			       kg_t_moddir());
	return test_harness_run(argc, argv);
}

#endif /* POLICY_FIXTURE_H */
