// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of the policy matcher (include/kabiguard/match.h, through
 * libkgclient's kgc_matcher, the code `kabiguardctl check` and kabiguard.ko
 * share): no kernel, no netlink. TAP 13 output; exits 1 when any check
 * fails.
 *
 * 1. Every combination of rule kind, namespace (name-only, ns=-, the
 *    import's, another), exporter, CRC, module= and signed-only against
 *    every import namespace (none, named, a "module:" list naming the
 *    importer or not), CRC and signature state: the verdict and reason
 *    must be the ones match_table.h gives (selftests/kabiguard/match_test
 *    asks the kernel the same questions).
 * 2. Policies as users write them (native text, Red Hat stablelists,
 *    Module.symvers lines), several rules at once: explicit expectations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kgclient.h"
#include "match_table.h"
#include "tap.h"

#define IMPORTER	"kg_mod"

/* The import of each namespace state; LISTED's list has a glob and '-'. */
static const char *const imp_ns[MT_NR_IMP_NS] = {
	[MT_IMP_NONE] = NULL,
	[MT_IMP_NAMED] = "FOO_NS",
	[MT_IMP_LISTED] = "module:kg_a,kg-mo*",
	[MT_IMP_UNLISTED] = "module:kg_a,kg_mod_x",
};

static bool match_one(const struct kgc_rule *r, const struct mt_import *imp,
		      unsigned int origin, struct kgc_match *res,
		      bool *rule_ok)
{
	struct kgc_policy p = { .rules = (struct kgc_rule *)r, .nr = 1, .cap = 1 };
	struct kgc_import ki = {
		.name = imp->symbol, .ns = imp->ns, .exporter = imp->exporter,
		.crc = imp->crc, .has_crc = imp->has_crc,
	};
	struct kgc_matcher *m;
	bool allowed;

	if (kgc_matcher_new(&m, &p)) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	allowed = kgc_matcher_allows(m, &ki, imp->modname, origin, res);
	*rule_ok = allowed ? res->rule == r : !res->rule;
	kgc_matcher_free(m);
	return allowed;
}

static void test_table(void)
{
	unsigned int nr = 0, bad = 0, nr_allowed = 0;
	unsigned int by_reason[__KABIGUARD_REASON_MAX] = { 0 };
	struct mt_case c;
	int ns, crc, sig, tree;

	for (ns = 0; ns < MT_NR_IMP_NS; ns++)
	for (crc = 0; crc < 2; crc++)
	for (sig = 0; sig < 2; sig++)
	for (tree = 0; tree < 2; tree++) {
		struct mt_import imp = {
			.symbol = "kg_sym", .ns = imp_ns[ns],
			.exporter = "kg_exp", .modname = IMPORTER,
			.has_crc = crc, .crc = crc ? 0xc0ffee00 : 0,
		};

		memset(&c, 0, sizeof(c));
		do {
			enum kabiguard_reason want, got;
			struct kgc_match res;
			bool exp_ok, ok_, rule_ok;
			struct kgc_rule r;
			char desc[256];

			c.imp_ns = ns;
			c.imp_crc = crc;
			c.sig_ok = sig;
			c.imp_in_tree = tree;
			if (!mt_valid(&c))
				continue;
			nr++;
			mt_rule(&c, &imp, &r);
			exp_ok = mt_expect(&c, &want);
			ok_ = match_one(&r, &imp, mt_origin(&c), &res,
					&rule_ok);
			got = ok_ ? want : res.reason;
			if (ok_ == exp_ok && got == want && rule_ok &&
			    (want != KABIGUARD_REASON_CRC_MISMATCH || ok_ ||
			     (res.has_rule_crc && res.rule_crc == r.crc))) {
				nr_allowed += ok_;
				if (!ok_)
					by_reason[got]++;
				continue;
			}
			if (bad++ < 20) {
				mt_describe(&c, desc, sizeof(desc));
				printf("# %s: want %s, got %s%s\n", desc,
				       exp_ok ? "allowed" : mt_reason_name(want),
				       ok_ ? "allowed" : mt_reason_name(got),
				       rule_ok ? "" : " (wrong rule reported)");
			}
		} while (mt_next_rule(&c));
	}
	ok(!bad, "every combination decides as match_table.h says: %u of %u "
	   "differ", bad, nr);
	ok(nr > 1000 && nr_allowed && by_reason[KABIGUARD_REASON_NOT_ALLOWED] &&
	   by_reason[KABIGUARD_REASON_NAMESPACE] &&
	   by_reason[KABIGUARD_REASON_EXPORTER] &&
	   by_reason[KABIGUARD_REASON_CRC_MISMATCH] &&
	   by_reason[KABIGUARD_REASON_UNSIGNED] &&
	   by_reason[KABIGUARD_REASON_OUT_OF_TREE],
	   "the table reaches every verdict: %u cases, %u allowed, "
	   "not-allowed %u, namespace %u, exporter %u, crc-mismatch %u, "
	   "unsigned %u, out-of-tree %u", nr, nr_allowed,
	   by_reason[KABIGUARD_REASON_NOT_ALLOWED],
	   by_reason[KABIGUARD_REASON_NAMESPACE],
	   by_reason[KABIGUARD_REASON_EXPORTER],
	   by_reason[KABIGUARD_REASON_CRC_MISMATCH],
	   by_reason[KABIGUARD_REASON_UNSIGNED],
	   by_reason[KABIGUARD_REASON_OUT_OF_TREE]);
}

/* Policies as written, and what they decide for one import. */
struct row {
	const char *desc;
	enum kgc_format fmt;
	const char *policy;
	const char *ns;		/* the import's namespace */
	const char *exporter;
	bool has_crc;
	const char *modname;
	unsigned int origin;	/* KG_MATCH_*; true is KG_MATCH_SIGNED */
	int want;		/* -1: allowed, else the reason */
	int rule;		/* allowed: index of the rule that allows */
};

#define ALLOWED(n)	.want = -1, .rule = (n)

static const struct row rows[] = {
	{ "a stablelist entry allows a namespaced export",
	  KG_FORMAT_RH_KABI, "[rhel]\n\tusb_stor_x\n", "USB_STORAGE",
	  "usb_storage", true, "ums_x", false, ALLOWED(0) },
	{ "a stablelist entry allows an export in no namespace",
	  KG_FORMAT_RH_KABI, "[rhel]\n\tusb_stor_x\n", NULL, "vmlinux",
	  true, "ums_x", false, ALLOWED(0) },
	{ "a stablelist without the symbol: namespace",
	  KG_FORMAT_RH_KABI, "[rhel]\n\tother\n", "USB_STORAGE",
	  "usb_storage", true, "ums_x", false,
	  .want = KABIGUARD_REASON_NAMESPACE },
	{ "bare symbol line: any namespace", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x\n", "USB_STORAGE", "usb_storage", true, "m",
	  false, ALLOWED(0) },
	{ "ns=- refuses a namespaced export: namespace", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x ns=-\n", "USB_STORAGE", "usb_storage", true,
	  "m", false, .want = KABIGUARD_REASON_NAMESPACE },
	{ "ns=- allows an export in no namespace", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x ns=-\n", NULL, "vmlinux", true, "m", false,
	  ALLOWED(0) },
	{ "ns=- allows a module: export listing the importer",
	  KG_FORMAT_NATIVE, "symbol usb_stor_x ns=-\n", "module:kvm,m",
	  "vmlinux", true, "m", false, ALLOWED(0) },
	{ "ns=- refuses a module: export for others: namespace",
	  KG_FORMAT_NATIVE, "symbol usb_stor_x ns=-\n", "module:kvm",
	  "vmlinux", true, "m", false, .want = KABIGUARD_REASON_NAMESPACE },
	{ "bare symbol line allows a module: export for others (the loader "
	  "decides)", KG_FORMAT_NATIVE, "symbol usb_stor_x\n", "module:kvm",
	  "vmlinux", true, "m", false, ALLOWED(0) },
	{ "ns= another namespace: namespace", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x ns=OTHER\n", "USB_STORAGE", "usb_storage",
	  true, "m", false, .want = KABIGUARD_REASON_NAMESPACE },
	{ "Module.symvers line without namespace, export moved into one: "
	  "namespace", KG_FORMAT_SYMVERS,
	  "0x00000000\tusb_stor_x\tvmlinux\tEXPORT_SYMBOL\t\n",
	  "USB_STORAGE", "vmlinux", false, "m", false,
	  .want = KABIGUARD_REASON_NAMESPACE },
	{ "Module.symvers line with its namespace: allowed",
	  KG_FORMAT_SYMVERS, "0x00000000\tusb_stor_x\tdrivers/usb/storage/"
	  "usb-storage\tEXPORT_SYMBOL_GPL\tUSB_STORAGE\n", "USB_STORAGE",
	  "usb_storage", false, "m", false, ALLOWED(0) },
	{ "4-column Module.symvers (no namespace column): any namespace",
	  KG_FORMAT_SYMVERS, "0x00000000\tusb_stor_x\tvmlinux\tEXPORT_SYMBOL\n",
	  "USB_STORAGE", "vmlinux", false, "m", false, ALLOWED(0) },
	{ "crc-mismatch outranks exporter", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x from=vmlinux\nsymbol usb_stor_x crc=0x1\n",
	  NULL, "usb_storage", true, "m", false,
	  .want = KABIGUARD_REASON_CRC_MISMATCH },
	{ "exporter outranks unsigned", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x signed-only\nsymbol usb_stor_x from=vmlinux\n",
	  NULL, "usb_storage", true, "m", false,
	  .want = KABIGUARD_REASON_EXPORTER },
	{ "unsigned outranks namespace", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x ns=OTHER\nsymbol usb_stor_x signed-only\n",
	  "USB_STORAGE", "usb_storage", true, "m", false,
	  .want = KABIGUARD_REASON_UNSIGNED },
	{ "signed-only, signed importer: allowed", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x signed-only\n", NULL, "usb_storage", true, "m",
	  true, ALLOWED(0) },
	{ "the first rule that allows is the one reported", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x ns=-\nnamespace USB_STORAGE\nany\n",
	  "USB_STORAGE", "usb_storage", true, "m", false, ALLOWED(1) },
	{ "an exception for the importer allows", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x module=m\n", NULL, "vmlinux", true, "m", false,
	  ALLOWED(0) },
	{ "an exception for another module says nothing", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x module=other from=vmlinux\n", NULL, "vmlinux",
	  true, "m", false, .want = KABIGUARD_REASON_NOT_ALLOWED },
	{ "any from= another exporter says nothing", KG_FORMAT_NATIVE,
	  "any from=vmlinux\n", "USB_STORAGE", "usb_storage", true, "m",
	  false, .want = KABIGUARD_REASON_NAMESPACE },
	{ "a namespace rule for a module: export names it whole",
	  KG_FORMAT_NATIVE, "namespace module:kvm,m\n", "module:kvm,m",
	  "vmlinux", true, "m", false, ALLOWED(0) },
	{ "a module: export listing the importer, no rule: not-allowed",
	  KG_FORMAT_NATIVE, "symbol other\n", "module:kvm,m", "vmlinux",
	  true, "m", false, .want = KABIGUARD_REASON_NOT_ALLOWED },
	/* The shipped default, config/policy.d/00-signed.policy. */
	{ "signed-only in-tree: a signed in-tree module is allowed",
	  KG_FORMAT_NATIVE, "any signed-only in-tree\n", "USB_STORAGE",
	  "usb_storage", true, "uas", KG_MATCH_SIGNED | KG_MATCH_IN_TREE,
	  ALLOWED(0) },
	{ "signed-only in-tree: a signed out-of-tree (DKMS, MOK) module: "
	  "out-of-tree", KG_FORMAT_NATIVE, "any signed-only in-tree\n",
	  NULL, "vmlinux", true, "dkms_mod", KG_MATCH_SIGNED,
	  .want = KABIGUARD_REASON_OUT_OF_TREE },
	{ "signed-only in-tree: unsigned, claiming intree=Y: unsigned",
	  KG_FORMAT_NATIVE, "any signed-only in-tree\n", NULL, "vmlinux",
	  true, "m", KG_MATCH_IN_TREE, .want = KABIGUARD_REASON_UNSIGNED },
	{ "signed-only in-tree: unsigned out-of-tree: unsigned",
	  KG_FORMAT_NATIVE, "any signed-only in-tree\n", NULL, "vmlinux",
	  true, "m", 0, .want = KABIGUARD_REASON_UNSIGNED },
	{ "signed-only alone still allows a signed out-of-tree module",
	  KG_FORMAT_NATIVE, "any signed-only\n", NULL, "vmlinux", true,
	  "dkms_mod", KG_MATCH_SIGNED, ALLOWED(0) },
	{ "out-of-tree outranks namespace", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x ns=OTHER\nsymbol usb_stor_x signed-only "
	  "in-tree\n", "USB_STORAGE", "usb_storage", true, "dkms_mod",
	  KG_MATCH_SIGNED, .want = KABIGUARD_REASON_OUT_OF_TREE },
	{ "exporter outranks out-of-tree", KG_FORMAT_NATIVE,
	  "symbol usb_stor_x signed-only in-tree\nsymbol usb_stor_x "
	  "from=other\n", NULL, "vmlinux", true, "dkms_mod",
	  KG_MATCH_SIGNED, .want = KABIGUARD_REASON_EXPORTER },
};

static void test_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct kgc_import imp = {
			.name = "usb_stor_x", .ns = w->ns,
			.exporter = w->exporter, .has_crc = w->has_crc,
			.crc = w->has_crc ? 0xabcd : 0,
		};
		struct kgc_policy p = { 0 };
		struct kgc_matcher *m = NULL;
		struct kgc_match res;
		char err[256] = "";
		bool allowed = false;
		int ret;

		ret = kgc_policy_load_buf(&p, "row", w->policy,
					 strlen(w->policy), w->fmt, err,
					 sizeof(err));
		if (!ret)
			ret = kgc_matcher_new(&m, &p);
		if (!ret)
			allowed = kgc_matcher_allows(m, &imp, w->modname,
						    w->origin, &res);
		if (w->want < 0)
			ok(!ret && allowed && res.rule == &p.rules[w->rule],
			   "%s: allowed by rule %d (%s)", w->desc, w->rule,
			   ret ? err : allowed ? "allowed" :
			   mt_reason_name(res.reason));
		else
			ok(!ret && !allowed && (int)res.reason == w->want,
			   "%s: %s (%s)", w->desc, mt_reason_name(w->want),
			   ret ? err : allowed ? "allowed" :
			   mt_reason_name(res.reason));
		kgc_matcher_free(m);
		kgc_policy_free(&p);
	}
}

/*
 * What kgc_policy_push() refuses before sending anything, from the
 * status's features: here a status saying the kernel verifies no
 * signature, which no matrix kernel says (all have CONFIG_MODULE_SIG).
 */
static void test_unsupported(void)
{
	static const char pol[] = "symbol a\n# comment\nany signed-only "
				  "in-tree\nany signed-only\n";
	struct kgc_policy p = { 0 };
	const struct kgc_rule *bad;
	char err[256] = "", msg[256] = "";
	int ret;

	ret = kgc_policy_load_buf(&p, "00-signed.policy", pol, strlen(pol),
				 KG_FORMAT_NATIVE, err, sizeof(err));
	ok(!ret && p.nr == 3, "parse a policy with signed-only rules (%s)",
	   err);
	if (ret)
		return;
	bad = kgc_policy_unsupported(&p, KABIGUARD_FEAT_ENFORCE, msg,
				    sizeof(msg));
	ok(bad && bad->line == 3 && !strcmp(bad->file, "00-signed.policy") &&
	   strstr(msg, "signed-only") && strstr(msg, "CONFIG_MODULE_SIG"),
	   "without the sig feature: refused at 00-signed.policy:3 (%s:%u: "
	   "%s)", bad ? bad->file : "-", bad ? bad->line : 0, msg);
	ok(!kgc_policy_unsupported(&p, KABIGUARD_FEAT_ENFORCE |
				  KABIGUARD_FEAT_SIG, msg, sizeof(msg)),
	   "with the sig feature: nothing refused");
	kgc_policy_free(&p);
	p = (struct kgc_policy){ 0 };
	ret = kgc_policy_load_buf(&p, "x", "symbol a\n", 9, KG_FORMAT_NATIVE,
				 err, sizeof(err));
	ok(!ret && !kgc_policy_unsupported(&p, 0, msg, sizeof(msg)),
	   "without the sig feature, a policy without signed-only is kept");
	kgc_policy_free(&p);
	ret = kgc_policy_load_buf(&p, "y", "any in-tree\n", 12,
				 KG_FORMAT_NATIVE, err, sizeof(err));
	ok(ret && strstr(err, "y:1") && strstr(err, "'in-tree' needs "
						 "'signed-only'"),
	   "in-tree without signed-only is refused (%s)", err);
	kgc_policy_free(&p);
}

int main(void)
{
	printf("TAP version 13\n");
	test_table();
	test_rows();
	test_unsupported();
	printf("1..%u\n", tap_nr_tests);
	return tap_nr_failed ? 1 : 0;
}
