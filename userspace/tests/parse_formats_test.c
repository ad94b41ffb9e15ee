// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of the other policy file parsers (Red Hat kABI lists,
 * the native format), of the errors every parser reports, and of the
 * names of rule kinds: no kernel, no netlink. TAP 13 output; exits 1 when
 * any test fails. Module.symvers: parse_symvers_test.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse_test.h"

/* ---- Red Hat kABI lists ------------------------------------------------ */

static void test_rhkabi(void)
{
	struct kgc_policy p = { 0 };
	const struct kgc_rule *r;
	char err[512];
	int ret;

	ret = load(&p, write_str("kabi_stablelist_x86_64",
		"[rhel9_x86_64_stablelist]\n"
		"\t__alloc_pages\n"
		"\tpci_enable_device\n"
		"\n"
		"[rhel9_x86_64_more]\n"
		"\tkmalloc_caches\n"), KG_FORMAT_AUTO, err, sizeof(err));
	r = find(&p, "pci_enable_device");
	ok(!ret && p.nr == 3 && r && r->kind == KABIGUARD_RULE_SYMBOL &&
	   !r->ns && !r->exporter && !r->has_crc && r->line == 3,
	   "RH stablelist, TAB-indented, two sections: 3 plain symbol rules "
	   "(%s)", err);
	kgc_policy_free(&p);

	ret = load(&p, write_str("kabi_openeuler",
		"[openeuler_x86_64_whitelist]\n"
		"    foo\n"
		"    bar   \n"), KG_FORMAT_AUTO, err, sizeof(err));
	ok(!ret && p.nr == 2 && find(&p, "foo") && find(&p, "bar"),
	   "kABI list indented by four spaces (%s)", err);
	kgc_policy_free(&p);

	ret = load(&p, write_str("kabi_empty", "[rhel8_x86_64_whitelist]\n"),
		   KG_FORMAT_AUTO, err, sizeof(err));
	ok(!ret && p.nr == 0, "kABI list with only a header: no rules (%s)",
	   err);
	kgc_policy_free(&p);
}

/* ---- native ------------------------------------------------------------ */

static void test_native(void)
{
	struct kgc_policy p = { 0 }, q = { 0 };
	const struct kgc_rule *r;
	char err[512], line[1024];
	FILE *f;
	size_t i;
	bool same;
	int ret;

	ret = load(&p, write_str("native.policy",
		"# kabiguard policy\n"
		"\n"
		"symbol printk\n"
		"symbol\tusb_stor_foo ns=USB_STORAGE from=usb-storage "
		"crc=0xDEADbeef   # pinned\n"
		"symbol gki_only from=vmlinux signed-only module=my-drv\n"
		"namespace CXL from=cxl_core\n"
		"namespace DMA_BUF module=foo signed-only\n"
		"any from=vmlinux module=trusted-mod signed-only\n"
		"any\n"
		"   symbol crc0 crc=0x0\n"
		"livepatch module=lp-fix signed-only\n"
		"symbol nons ns=- from=vmlinux\n"), KG_FORMAT_AUTO, err,
		sizeof(err));
	ok(!ret && p.nr == 10, "native: 10 rules of all kinds (%d %s)", ret, err);

	r = find(&p, "printk");
	ok(r && r->kind == KABIGUARD_RULE_SYMBOL && !r->ns && !r->exporter &&
	   !r->module && !r->has_crc && !r->flags && r->line == 3,
	   "native: bare symbol rule on line 3 (any namespace: no pin flag)");
	r = find(&p, "usb_stor_foo");
	ok(r && streq(r->ns, "USB_STORAGE") &&
	   streq(r->exporter, "usb_storage") && r->has_crc &&
	   r->crc == 0xdeadbeef && !r->flags,
	   "native: symbol with ns, from (normalised), crc, comment");
	r = find(&p, "gki_only");
	ok(r && streq(r->module, "my_drv") && streq(r->exporter, "vmlinux") &&
	   r->flags == KABIGUARD_RULE_F_SIGNED_ONLY,
	   "native: signed-only and module= (normalised)");
	r = find(&p, "CXL");
	ok(r && r->kind == KABIGUARD_RULE_NAMESPACE &&
	   streq(r->exporter, "cxl_core") && !r->ns,
	   "native: namespace rule with from=");
	r = &p.rules[5];
	ok(r->kind == KABIGUARD_RULE_ANY && !r->name &&
	   streq(r->exporter, "vmlinux") && streq(r->module, "trusted_mod") &&
	   r->flags == KABIGUARD_RULE_F_SIGNED_ONLY,
	   "native: any rule with from, module, signed-only");
	r = &p.rules[6];
	ok(r->kind == KABIGUARD_RULE_ANY && !r->name && !r->exporter &&
	   !r->module && !r->flags, "native: bare any rule");
	r = find(&p, "crc0");
	ok(r && r->has_crc && r->crc == 0,
	   "native: crc=0x0 is an explicit pin, unlike symvers");
	r = &p.rules[8];
	ok(r->kind == KABIGUARD_RULE_LIVEPATCH && !r->name && !r->exporter &&
	   streq(r->module, "lp_fix") &&
	   r->flags == KABIGUARD_RULE_F_SIGNED_ONLY,
	   "native: livepatch rule with module= and signed-only");
	r = find(&p, "nons");
	ok(r && !r->ns && r->flags == KABIGUARD_RULE_F_NS_PINNED &&
	   streq(r->exporter, "vmlinux"),
	   "native: ns=- pins the symbol to no namespace");
	kgc_rule_format(r, line, sizeof(line));
	ok(streq(line, "symbol nons ns=- from=vmlinux"),
	   "native: a rule pinned to no namespace prints as ns=- (%s)", line);

	/* What a dump prints must load back to the same rules. */
	f = fopen(tmpfile_path("roundtrip.policy"), "w");
	for (i = 0; f && i < p.nr; i++) {
		kgc_rule_format(&p.rules[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	if (f)
		fclose(f);
	ret = load(&q, tmpfile_path("roundtrip.policy"), KG_FORMAT_NATIVE,
		   err, sizeof(err));
	same = !ret && q.nr == p.nr;
	for (i = 0; same && i < p.nr; i++) {
		const struct kgc_rule *a = &p.rules[i], *b = &q.rules[i];

		same = a->kind == b->kind && streq(a->name, b->name) &&
		       streq(a->ns, b->ns) && streq(a->exporter, b->exporter) &&
		       streq(a->module, b->module) &&
		       a->has_crc == b->has_crc && a->crc == b->crc &&
		       a->flags == b->flags;
	}
	ok(same, "native: kgc_rule_format() output loads back identically");
	kgc_policy_free(&q);

	/* The shipped default's rule, in either order, and printed back. */
	ret = load(&q, write_str("intree.policy", "any in-tree signed-only\n"
				 "livepatch signed-only in-tree\n"),
		   KG_FORMAT_NATIVE, err, sizeof(err));
	ok(!ret && q.nr == 2 &&
	   q.rules[0].flags == (KABIGUARD_RULE_F_SIGNED_ONLY |
				KABIGUARD_RULE_F_IN_TREE) &&
	   q.rules[1].flags == q.rules[0].flags,
	   "native: signed-only in-tree on any and livepatch rules (%s)",
	   ret ? err : "");
	line[0] = '\0';
	if (q.nr)
		kgc_rule_format(&q.rules[0], line, sizeof(line));
	ok(streq(line, "any signed-only in-tree"),
	   "native: prints as 'any signed-only in-tree' (%s)", line);
	kgc_policy_free(&q);

	/* Appending: a second file adds to the policy, both file names kept. */
	ret = load(&p, write_str("more.policy", "symbol extra\n"),
		   KG_FORMAT_NATIVE, err, sizeof(err));
	ok(!ret && p.nr == 11 && streq(p.rules[10].file,
				       tmpfile_path("more.policy")) &&
	   streq(p.rules[0].file, tmpfile_path("native.policy")),
	   "loading a second file appends and keeps each rule's file name");
	kgc_policy_free(&p);

	ret = load(&p, write_str("empty.policy", "# nothing\n\n   \n"),
		   KG_FORMAT_AUTO, err, sizeof(err));
	ok(!ret && p.nr == 0, "native: comments and blank lines only");
	kgc_policy_free(&p);

	ret = kgc_policy_load_buf(&p, "buf", "symbol a\nsymbol b", 17,
				 KG_FORMAT_AUTO, err, sizeof(err));
	ok(!ret && p.nr == 2 && streq(p.rules[1].name, "b") &&
	   streq(p.rules[1].file, "buf"),
	   "kgc_policy_load_buf(), last line without newline");
	kgc_policy_free(&p);
}

/* ---- errors ------------------------------------------------------------ */

struct bad_case {
	enum kgc_format fmt;
	const char *text;
	unsigned int line;
	const char *msg;	/* expected after "file:line: " */
};

static char long_name[KABIGUARD_SYMBOL_MAX + 1];
static char long_ns[KABIGUARD_NAMESPACE_MAX + 1];
static char long_mod[KABIGUARD_MODNAME_MAX + 8];

static void test_errors(void)
{
	static char buf[8][1024];
	const struct bad_case cases[] = {
		{ KG_FORMAT_NATIVE, "symbol a\nsymbl b\n", 2,
		  "unknown keyword 'symbl' (expected symbol, namespace, any or "
		  "livepatch)" },
		{ KG_FORMAT_NATIVE, "livepatch foo\n", 1,
		  "'livepatch' takes no name (got 'foo')" },
		{ KG_FORMAT_NATIVE, "livepatch from=vmlinux\n", 1,
		  "'from=' is not valid in livepatch rules (they allow "
		  "references to any object)" },
		{ KG_FORMAT_NATIVE, "livepatch crc=0x1\n", 1,
		  "'crc=' is only valid in symbol rules" },
		{ KG_FORMAT_NATIVE, "symbol\n", 1,
		  "missing symbol name after 'symbol'" },
		{ KG_FORMAT_NATIVE, "\n\nnamespace from=x\n", 3,
		  "missing namespace name after 'namespace'" },
		{ KG_FORMAT_NATIVE, "symbol a foo=1\n", 1,
		  "unknown option 'foo=' (expected ns=, from=, crc=, module=, "
		  "signed-only or in-tree)" },
		{ KG_FORMAT_NATIVE, "symbol a b\n", 1,
		  "unexpected 'b' (expected an option: ns=, from=, crc=, "
		  "module=, signed-only or in-tree)" },
		{ KG_FORMAT_NATIVE, "symbol a ns=X ns=Y\n", 1,
		  "duplicate option 'ns='" },
		{ KG_FORMAT_NATIVE, "symbol a signed-only signed-only\n", 1,
		  "duplicate option 'signed-only'" },
		{ KG_FORMAT_NATIVE, "symbol a crc=1234\n", 1,
		  "bad crc '1234' (expected 0x and 1 to 8 hex digits)" },
		{ KG_FORMAT_NATIVE, "symbol a crc=0xfoo\n", 1,
		  "bad crc '0xfoo' (expected 0x and 1 to 8 hex digits)" },
		{ KG_FORMAT_NATIVE, "symbol a crc=0x123456789\n", 1,
		  "bad crc '0x123456789' (expected 0x and 1 to 8 hex digits)" },
		{ KG_FORMAT_NATIVE, "symbol a crc=\n", 1,
		  "empty value for 'crc='" },
		{ KG_FORMAT_NATIVE, "namespace CXL crc=0x1\n", 1,
		  "'crc=' is only valid in symbol rules" },
		{ KG_FORMAT_NATIVE, "any ns=CXL\n", 1,
		  "'ns=' is only valid in symbol rules" },
		{ KG_FORMAT_NATIVE, "any foo\n", 1,
		  "'any' takes no name (got 'foo')" },
		{ KG_FORMAT_NATIVE, "symbol a signed-only=1\n", 1,
		  "'signed-only' takes no value" },
		{ KG_FORMAT_NATIVE, "any signed-only in-tree=Y\n", 1,
		  "'in-tree' takes no value" },
		{ KG_FORMAT_NATIVE, "any in-tree signed-only in-tree\n", 1,
		  "duplicate option 'in-tree'" },
		{ KG_FORMAT_NATIVE, "symbol a\nany in-tree module=m\n", 2,
		  "'in-tree' needs 'signed-only' (an unsigned module's "
		  "in-tree mark is its own claim)" },
		{ KG_FORMAT_NATIVE, buf[0], 1,
		  "symbol name too long (512 bytes, at most 511)" },
		{ KG_FORMAT_NATIVE, buf[1], 1,
		  "namespace too long (128 bytes, at most 127)" },
		{ KG_FORMAT_NATIVE, buf[2], 1,
		  "module name too long (64 bytes, at most 63)" },
		{ KG_FORMAT_NATIVE, buf[3], 1,
		  "exporter name too long (64 bytes, at most 63)" },
		{ KG_FORMAT_NATIVE, buf[4], 1,
		  "namespace name too long (128 bytes, at most 127)" },
		{ KG_FORMAT_NATIVE, "symbol a\x01\n", 1,
		  "invalid character 0x01" },
		{ KG_FORMAT_SYMVERS, "0x1\ta\tvmlinux\tEXPORT_SYMBOL\t\n"
		  "0x2 b vmlinux EXPORT_SYMBOL\n", 2,
		  "expected 0xCRC<TAB>symbol<TAB>module<TAB>export "
		  "type[<TAB>namespace]" },
		{ KG_FORMAT_SYMVERS, "0xzz\ta\tvmlinux\tEXPORT_SYMBOL\t\n", 1,
		  "bad CRC '0xzz' (expected 0x and 1 to 8 hex digits)" },
		{ KG_FORMAT_SYMVERS, "0x1\ta\tvmlinux\tEXPORT_SYMBOL\tNS\textra\n",
		  1, "expected 0xCRC<TAB>symbol<TAB>module<TAB>export "
		  "type[<TAB>namespace]" },
		{ KG_FORMAT_AUTO, "0x1\t\tvmlinux\tEXPORT_SYMBOL\t\n", 1,
		  "missing symbol name in column 2" },
		{ KG_FORMAT_SYMVERS, buf[5], 1,
		  "symbol name too long (512 bytes, at most 511)" },
		{ KG_FORMAT_RH_KABI, "\tfoo\n", 1,
		  "expected a '[section]' header before the first symbol" },
		{ KG_FORMAT_AUTO, "[rhel9\n\tfoo\n", 1,
		  "expected a section header '[name]'" },
		{ KG_FORMAT_AUTO, "[rhel9]\n\tfoo\n\tbar baz\n", 3,
		  "expected one symbol per line" },
	};
	struct kgc_policy p = { 0 };
	struct kgc_rule keep = { .kind = KABIGUARD_RULE_ANY };
	char err[1024], prefix[600], name[32];
	size_t i;
	int ret;

	memset(long_name, 'a', KABIGUARD_SYMBOL_MAX);
	memset(long_ns, 'N', KABIGUARD_NAMESPACE_MAX);
	memset(long_mod, 'm', KABIGUARD_MODNAME_MAX);
	snprintf(buf[0], sizeof(buf[0]), "symbol %s\n", long_name);
	snprintf(buf[1], sizeof(buf[1]), "symbol a ns=%s\n", long_ns);
	snprintf(buf[2], sizeof(buf[2]), "any module=%s\n", long_mod);
	snprintf(buf[3], sizeof(buf[3]), "any from=%s\n", long_mod);
	snprintf(buf[4], sizeof(buf[4]), "namespace %s\n", long_ns);
	snprintf(buf[5], sizeof(buf[5]), "0x1\t%s\tvmlinux\tEXPORT_SYMBOL\t\n",
		 long_name);

	/* One rule already there: a failed load must leave exactly it. */
	kgc_policy_append(&p, &keep);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path;

		snprintf(name, sizeof(name), "bad%zu", i);
		path = write_str(name, cases[i].text);
		snprintf(prefix, sizeof(prefix), "%s:%u: %s", path,
			 cases[i].line, cases[i].msg);
		ret = load(&p, path, cases[i].fmt, err, sizeof(err));
		ok(ret == -EINVAL && !strcmp(err, prefix) && p.nr == 1 &&
		   p.rules[0].kind == KABIGUARD_RULE_ANY,
		   "error case %zu (%s): got \"%s\"", i,
		   kgc_format_name(cases[i].fmt), err);
		if (strcmp(err, prefix))
			diag("expected \"%s\"", prefix);
	}

	ret = load(&p, tmpfile_path("does-not-exist"), KG_FORMAT_AUTO, err,
		   sizeof(err));
	snprintf(prefix, sizeof(prefix), "%s: %s",
		 tmpfile_path("does-not-exist"), strerror(ENOENT));
	ok(ret == -ENOENT && !strcmp(err, prefix) && p.nr == 1,
	   "missing file: -ENOENT, \"%s\"", err);

	ret = load(&p, write_file("nul", "symbol a\0b\n", 11),
		   KG_FORMAT_NATIVE, err, sizeof(err));
	ok(ret == -EINVAL && strstr(err, "nul:1: unexpected NUL byte") &&
	   p.nr == 1, "NUL byte in a line: %s", err);
	kgc_policy_free(&p);
}

/* ---- names ------------------------------------------------------------- */

static void test_names(void)
{
	enum kabiguard_mode m = KABIGUARD_MODE_OFF;
	enum kgc_format f = KG_FORMAT_AUTO;

	ok(!kgc_mode_parse("enforce", &m) && m == KABIGUARD_MODE_ENFORCE &&
	   kgc_mode_parse("enforcing", &m) == -EINVAL &&
	   streq(kgc_mode_name(KABIGUARD_MODE_AUDIT), "audit") &&
	   streq(kgc_mode_name(99), "unknown"), "mode names");
	ok(!kgc_format_parse("rh-kabi", &f) && f == KG_FORMAT_RH_KABI &&
	   !kgc_format_parse("symvers", &f) && f == KG_FORMAT_SYMVERS &&
	   !kgc_format_parse("native", &f) && f == KG_FORMAT_NATIVE &&
	   kgc_format_parse("xml", &f) == -EINVAL, "format names");
	ok(streq(kgc_reason_name(KABIGUARD_REASON_CRC_MISMATCH), "crc-mismatch")
	   && streq(kgc_verdict_name(KABIGUARD_VERDICT_DENIED), "denied") &&
	   streq(kgc_kind_name(KABIGUARD_RULE_NAMESPACE), "namespace"),
	   "reason, verdict and kind names");
	ok(streq(kgc_reason_name(KABIGUARD_REASON_LIVEPATCH), "livepatch") &&
	   streq(kgc_reason_name(KABIGUARD_REASON_UNVERIFIABLE),
		 "unverifiable") &&
	   streq(kgc_kind_name(KABIGUARD_RULE_LIVEPATCH), "livepatch"),
	   "livepatch and unverifiable names");
}

int main(void)
{
	parse_test_begin();
	test_rhkabi();
	test_native();
	test_errors();
	test_names();
	return parse_test_end();
}
