// SPDX-License-Identifier: GPL-2.0
/*
 * match_test: the kernel decides the matcher's table
 * (userspace/tests/match_table.h) as the host test says libkgclient does.
 *
 * Runs as root with kabiguard.ko loaded and the dummy modules of
 * test_modules/, each importer loaded (the kernel resolves an import's
 * exporter among the modules its importer uses). For each import namespace
 * state the kernel can show here (kg_plain_a of kg_consumer_ok: none,
 * kg_ns_a of kg_consumer_ns: KABIGUARD_TEST, kg_restricted_a of
 * kg_consumer_restricted: a "module:" list naming the importer, of
 * kg_consumer_unlisted: one that does not), the test reads the import
 * as the kernel resolves it (a scan under a policy that does not allow it:
 * the violation gives its namespace, exporter and CRC), then for every
 * rule combination of the table pushes a one-rule policy, scans the
 * importer (KABIGUARD_CMD_SCAN: the kernel's matcher, no load) and checks
 * the verdict against the table and against libkgclient's matcher on the
 * same rule and import. The importer's signature state is whatever the
 * kernel says (the dummy modules are unsigned); CRC rules are asked only
 * where the kernel has CRCs (CONFIG_MODVERSIONS).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "../../userspace/tests/match_table.h"

#define EXPORTER		"kg_exporter"
#define RESTRICTED_EXPORTER	"kg_restricted_exporter"
#define CONSUMER_RESTRICTED	"kg_consumer_restricted"
#define CONSUMER_UNLISTED	"kg_consumer_unlisted"
#define CONSUMER_OK		"kg_consumer_ok"
#define CONSUMER_NS		"kg_consumer_ns"
#define TEST_NS			"KABIGUARD_TEST"
#define RESTRICTED_NS		"module:" CONSUMER_RESTRICTED

static int push_rules(struct kgc_client *c, struct kgc_rule *rules, size_t nr)
{
	struct kgc_policy p = { .rules = rules, .nr = nr, .cap = nr };
	uint64_t gen;

	return kgc_policy_push(c, &p, &gen);
}

/*
 * Scans @importer with the one import @symbol under the active policy.
 * Returns 1 with the event in @ev (kgc_event_free() it), else what
 * kgc_cmd_scan() or kg_t_event_for() failed with (0: no event).
 */
static int scan_one(struct kgc_client *c, struct kgc_client *evc,
		    const char *importer, const char *symbol,
		    struct kgc_event *ev)
{
	const char *names[] = { symbol };
	int ret;

	ret = kgc_cmd_scan(c, importer, names, 1);
	if (ret)
		return ret;
	/* The loads of the set-up have events too: skip them. */
	while ((ret = kg_t_event_for(evc, importer, ev,
				     KG_EVENT_TIMEOUT_MS)) == 1 &&
	       ev->kind != KABIGUARD_EVENT_SCAN)
		kgc_event_free(ev);
	return ret;
}

static void load(struct __test_metadata *_metadata, const char *name)
{
	int err;

	if (kg_t_loaded(name))
		return;
	err = kg_t_load(name);
	ASSERT_EQ(0, err) TH_LOG("load %s: %s", name, strerror(err));
}

FIXTURE(table) {
	struct kgc_client *c, *evc;
	bool modversions;
	bool restricted;	/* kg_restricted_exporter was built */
	bool unlisted;		/* kg_consumer_unlisted was built */
};

FIXTURE_SETUP(table)
{
	struct kgc_rule any[] = { KG_R_ANY() };
	struct kgc_status st;
	char path[4096];
	int err;

	ASSERT_EQ(0, kgc_open(&self->c));
	ASSERT_EQ(0, kgc_events_open(&self->evc));
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st));
	self->modversions = st.features & KABIGUARD_FEAT_MODVERSIONS;
	err = push_rules(self->c, any, 1);
	ASSERT_EQ(0, err) TH_LOG("push: %s (%s)", strerror(-err),
				 kgc_extack(self->c));
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT));
	load(_metadata, EXPORTER);
	load(_metadata, CONSUMER_OK);
	load(_metadata, CONSUMER_NS);
	kg_t_kopath(path, sizeof(path), RESTRICTED_EXPORTER);
	self->restricted = !access(path, F_OK);
	if (self->restricted) {
		load(_metadata, RESTRICTED_EXPORTER);
		load(_metadata, CONSUMER_RESTRICTED);
	}
	kg_t_kopath(path, sizeof(path), CONSUMER_UNLISTED);
	self->unlisted = self->restricted && !access(path, F_OK);
	if (self->unlisted)
		load(_metadata, CONSUMER_UNLISTED);
}

FIXTURE_TEARDOWN(table)
{
	kg_t_unload(CONSUMER_OK);
	kg_t_unload(CONSUMER_NS);
	kg_t_unload(CONSUMER_RESTRICTED);
	kg_t_unload(CONSUMER_UNLISTED);
	kg_t_unload(RESTRICTED_EXPORTER);
	kgc_close(self->evc);
	kgc_close(self->c);
}

/* What libkgclient's matcher says about rule @r for import @imp. */
static bool lib_allows(struct kgc_rule *r, const struct mt_import *imp,
		       unsigned int origin, enum kabiguard_reason *reason)
{
	struct kgc_policy p = { .rules = r, .nr = 1, .cap = 1 };
	struct kgc_import ki = {
		.name = imp->symbol, .ns = imp->ns, .exporter = imp->exporter,
		.crc = imp->crc, .has_crc = imp->has_crc,
	};
	struct kgc_matcher *m;
	struct kgc_match res;
	bool allowed;

	*reason = __KABIGUARD_REASON_MAX;	/* out of memory: never agrees */
	if (kgc_matcher_new(&m, &p))
		return false;
	allowed = kgc_matcher_allows(m, &ki, imp->modname, origin, &res);
	*reason = res.reason;
	kgc_matcher_free(m);
	return allowed;
}

/*
 * The table for import @symbol of @importer, which the kernel must see in
 * namespace @want_ns (NULL: none), exported by @want_exporter.
 */
static void run_table(struct __test_metadata *_metadata,
		      FIXTURE_DATA(table) *self, enum mt_imp_ns state,
		      const char *importer, const char *symbol,
		      const char *want_ns, const char *want_exporter)
{
	struct kgc_rule none[] = { KG_R_SYM("kg_no_such_symbol") };
	unsigned int nr = 0, bad = 0, not_asked = 0, nr_allowed = 0;
	static char ns[KABIGUARD_NAMESPACE_MAX], exporter[KABIGUARD_MODNAME_MAX];
	struct mt_import imp = { .symbol = symbol, .modname = importer };
	struct kgc_event ev;
	struct mt_case c;
	bool sig_ok, in_tree;
	int ret;

	/* The import as the kernel resolves it. */
	ASSERT_EQ(0, push_rules(self->c, none, 1));
	ret = scan_one(self->c, self->evc, importer, symbol, &ev);
	ASSERT_EQ(1, ret) TH_LOG("scan %s: %d (%s)", importer, ret,
				 kgc_extack(self->c));
	ASSERT_EQ(1, ev.nr_listed);
	EXPECT_STREQ(want_ns ? want_ns : "", ev.viol[0].ns);
	EXPECT_STREQ(want_exporter, ev.viol[0].exporter);
	EXPECT_EQ(self->modversions, ev.viol[0].has_kernel_crc);
	snprintf(ns, sizeof(ns), "%s", ev.viol[0].ns);
	snprintf(exporter, sizeof(exporter), "%s", ev.viol[0].exporter);
	imp.ns = *ns ? ns : NULL;
	imp.exporter = exporter;
	imp.has_crc = ev.viol[0].has_kernel_crc;
	imp.crc = ev.viol[0].kernel_crc;
	sig_ok = ev.sig_ok;
	/* TAINT_OOT_MODULE (12): the kernel's in-tree status, as the guard's. */
	in_tree = !(ev.taints & (1ULL << 12));
	kgc_event_free(&ev);

	memset(&c, 0, sizeof(c));
	do {
		enum kabiguard_reason want, got, lib;
		bool exp_ok, kern_ok, lib_ok;
		struct kgc_rule r;
		char desc[256];

		c.imp_ns = state;
		c.imp_crc = imp.has_crc;
		c.sig_ok = sig_ok;
		c.imp_in_tree = in_tree;
		if (!mt_valid(&c))
			continue;
		if (c.crc != MT_PIN_NONE && !self->modversions) {
			not_asked++;
			continue;
		}
		nr++;
		mt_rule(&c, &imp, &r);
		mt_describe(&c, desc, sizeof(desc));
		exp_ok = mt_expect(&c, &want);
		lib_ok = lib_allows(&r, &imp, mt_origin(&c), &lib);
		ret = push_rules(self->c, &r, 1);
		ASSERT_EQ(0, ret) TH_LOG("%s: push: %s (%s)", desc,
					 strerror(-ret), kgc_extack(self->c));
		ret = scan_one(self->c, self->evc, importer, symbol, &ev);
		ASSERT_EQ(1, ret) TH_LOG("%s: scan: %d", desc, ret);
		kern_ok = !ev.nr_violations;
		got = kern_ok ? want : ev.viol[0].reason;
		kgc_event_free(&ev);
		nr_allowed += kern_ok;
		if (kern_ok == exp_ok && got == want && lib_ok == exp_ok &&
		    (lib_ok || lib == want))
			continue;
		if (bad++ < 20)
			TH_LOG("%s: table %s, kernel %s, libkgclient %s", desc,
			       exp_ok ? "allowed" : mt_reason_name(want),
			       kern_ok ? "allowed" : mt_reason_name(got),
			       lib_ok ? "allowed" : mt_reason_name(lib));
	} while (mt_next_rule(&c));

	TH_LOG("%s of %s: %u cases, %u allowed, %u differ%s", symbol,
	       importer, nr, nr_allowed, bad,
	       not_asked ? "; crc= cases not asked: kernel without CONFIG_MODVERSIONS" : "");
	if (not_asked)
		TH_LOG("%u crc= cases not asked", not_asked);
	EXPECT_EQ(0, bad);
	EXPECT_LT(50, nr);
	EXPECT_LT(0, nr_allowed);
}

TEST_F_TIMEOUT(table, no_namespace, 600)
{
	run_table(_metadata, self, MT_IMP_NONE, CONSUMER_OK, "kg_plain_a",
		  NULL, EXPORTER);
}

TEST_F_TIMEOUT(table, named_namespace, 600)
{
	run_table(_metadata, self, MT_IMP_NAMED, CONSUMER_NS, "kg_ns_a",
		  TEST_NS, EXPORTER);
}

TEST_F_TIMEOUT(table, module_ns_listed, 600)
{
	if (!self->restricted)
		SKIP(return,
		     "kernel without EXPORT_SYMBOL_FOR_MODULES or EXPORT_SYMBOL_GPL_FOR_MODULES ("
		     RESTRICTED_EXPORTER ".ko not built)");
	run_table(_metadata, self, MT_IMP_LISTED, CONSUMER_RESTRICTED,
		  "kg_restricted_a", RESTRICTED_NS, RESTRICTED_EXPORTER);
}

TEST_F_TIMEOUT(table, module_ns_unlisted, 600)
{
	if (!self->restricted)
		SKIP(return,
		     "kernel without EXPORT_SYMBOL_FOR_MODULES or EXPORT_SYMBOL_GPL_FOR_MODULES ("
		     RESTRICTED_EXPORTER ".ko not built)");
	if (!self->unlisted)
		SKIP(return,
		     "kernel whose modpost and loader refuse an explicit import of a module: namespace ("
		     CONSUMER_UNLISTED ".ko not built): no module can import such an export without being listed");
	run_table(_metadata, self, MT_IMP_UNLISTED, CONSUMER_UNLISTED,
		  "kg_restricted_a", RESTRICTED_NS, RESTRICTED_EXPORTER);
}

int main(int argc, char **argv)
{
	kg_t_require_guard();
	if (kg_t_read_ko(EXPORTER, &(struct kg_t_ko){ 0 }))
		ksft_exit_skip("no test modules in %s (set KG_TEST_MODULES)\n",
			       kg_t_moddir());
	return test_harness_run(argc, argv);
}
