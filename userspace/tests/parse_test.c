// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of the policy file parsers: no kernel, no netlink. TAP 13
 * output; exits 1 when any test fails. Inputs are written to a fresh
 * temporary directory. The arguments are real Module.symvers files (the
 * `check` target of userspace/Makefile gives those of the test matrix,
 * resolved at run time by tests/test_kernels.sh): each must be readable, or its
 * tests fail.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <lzma.h>
#include <zlib.h>

#include "kgclient.h"
#include "tap.h"

static char tmpdir[] = "/tmp/kg-parse-test.XXXXXX";

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *tmpfile_path(const char *name)
{
	static char path[4][512];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(path[slot], sizeof(path[slot]), "%s/%s", tmpdir, name);
	return path[slot];
}

static const char *write_file(const char *name, const void *data, size_t len)
{
	const char *path = tmpfile_path(name);
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	return path;
}

static const char *write_str(const char *name, const char *s)
{
	return write_file(name, s, strlen(s));
}

static bool streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static const struct kgc_rule *find(const struct kgc_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		if (streq(p->rules[i].name, name))
			return &p->rules[i];
	return NULL;
}

static size_t count_lines(const char *path)
{
	size_t n = 0;
	FILE *f = fopen(path, "r");
	int ch;

	if (!f)
		return 0;
	while ((ch = getc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int load(struct kgc_policy *p, const char *path, enum kgc_format fmt,
		char *err, size_t errlen)
{
	err[0] = '\0';
	return kgc_policy_load_file(p, path, fmt, err, errlen);
}

/* ---- Module.symvers ---------------------------------------------------- */

/* Lines of path whose namespace column starts with "module:". */
static size_t count_module_ns(const char *path)
{
	char line[4096];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "\tmodule:") != NULL;
	fclose(f);
	return n;
}

static void test_real_symvers(const char *path)
{
	const char *kdir = path;
	char err[512];
	struct kgc_policy p = { 0 };
	const struct kgc_rule *r;
	size_t lines, i, nr_usb = 0, usb_ok = 0, nr_ns = 0, nr_crc = 0;
	size_t nr_modns = 0, modns_ok = 0, want_modns;
	bool modversions;
	double t0, t1;
	int ret;

	if (access(path, R_OK)) {
		ok(false, "%s: readable (the set-up installs it)", path);
		return;
	}
	lines = count_lines(path);
	want_modns = count_module_ns(path);
	t0 = now_ms();
	ret = load(&p, path, KG_FORMAT_AUTO, err, sizeof(err));
	t1 = now_ms();
	ok(!ret && p.nr == lines, "%s: %zu rules == %zu lines (ret %d %s)",
	   path, p.nr, lines, ret, err);
	diag("parsed %zu rules in %.1f ms", p.nr, t1 - t0);

	for (i = 0; i < p.nr; i++)
		nr_crc += p.rules[i].has_crc;
	/* Built without CONFIG_MODVERSIONS (7.2, 7.3): every CRC 0. */
	modversions = nr_crc > 0;
	ok(!modversions || nr_crc > p.nr / 2, "%s: %s (%zu of %zu exports "
	   "with a CRC)", kdir, modversions ? "modversions" :
	   "no modversions: every CRC 0, none pinned", nr_crc, p.nr);
	for (i = 0; i < p.nr; i++) {
		r = &p.rules[i];
		nr_ns += r->ns != NULL;
		if (r->ns && !strncmp(r->ns, "module:", 7)) {
			nr_modns++;
			modns_ok += strlen(r->ns) > 7 && !strchr(r->ns, '\t');
		}
		if (strncmp(r->name, "usb_stor_", 9))
			continue;
		nr_usb++;
		usb_ok += r->kind == KABIGUARD_RULE_SYMBOL &&
			  streq(r->ns, "USB_STORAGE") &&
			  streq(r->exporter, "usb_storage") &&
			  r->has_crc == modversions &&
			  streq(r->file, path) && r->line > 0;
	}
	ok(nr_usb > 10 && usb_ok == nr_usb,
	   "%s: %zu usb_stor_* rules, %zu with ns USB_STORAGE, exporter "
	   "usb_storage and %s (%zu namespaced in all)",
	   kdir, nr_usb, usb_ok, modversions ? "a crc" : "no crc", nr_ns);
	ok(nr_modns == want_modns && modns_ok == nr_modns,
	   "%s: %zu module: namespaces (EXPORT_SYMBOL_FOR_MODULES), each "
	   "parsed whole, as many as lines have", kdir, nr_modns);

	r = find(&p, "_printk");
	if (!r)
		r = find(&p, "printk");	/* 5.10 */
	ok(r && streq(r->exporter, "vmlinux") && r->has_crc == modversions &&
	   (!modversions || r->crc) && !r->ns && !r->module &&
	   r->flags == KABIGUARD_RULE_F_NS_PINNED,
	   "%s: %s is exported by vmlinux, crc 0x%08x, pinned to no "
	   "namespace", kdir,
	   r ? r->name : "_printk", r ? r->crc : 0);
	kgc_policy_free(&p);
}

static void test_symvers_variants(void)
{
	struct kgc_policy p = { 0 };
	const struct kgc_rule *r;
	char err[512];
	int ret;

	/* Pre-5.4: four columns, no namespace. */
	ret = load(&p, write_str("four.symvers",
		"0x12345678\tfoo\tvmlinux\tEXPORT_SYMBOL\n"
		"0x00000000\tbar\tdrivers/net/some-driver\tEXPORT_SYMBOL_GPL\n"
		"\n"
		"0xdeadbeef\tbaz\textra/out-of-tree.ko\tEXPORT_SYMBOL\n"),
		KG_FORMAT_AUTO, err, sizeof(err));
	r = find(&p, "foo");
	ok(!ret && p.nr == 3 && r && r->has_crc && r->crc == 0x12345678 &&
	   streq(r->exporter, "vmlinux") && !r->ns && !r->flags,
	   "4-column symvers: crc, exporter vmlinux, any namespace (the "
	   "format has none to pin) (%s)", err);
	r = find(&p, "bar");
	ok(r && !r->has_crc && streq(r->exporter, "some_driver") &&
	   r->line == 2, "4-column symvers: crc 0 means no crc, "
	   "some-driver -> some_driver, line 2");
	r = find(&p, "baz");
	ok(r && streq(r->exporter, "out_of_tree") && r->crc == 0xdeadbeef,
	   "4-column symvers: .ko suffix dropped from the exporter");
	kgc_policy_free(&p);

	/* 6.16+: a module-restricted export, its list whole. */
	ret = load(&p, write_str("modns.symvers",
		"0x00000000\twrite_ibpb\tvmlinux\tEXPORT_SYMBOL_GPL\t"
		"module:kvm,kvm-amd,kvm-intel\n"),
		KG_FORMAT_AUTO, err, sizeof(err));
	r = find(&p, "write_ibpb");
	ok(!ret && r && streq(r->ns, "module:kvm,kvm-amd,kvm-intel") &&
	   !r->has_crc && streq(r->exporter, "vmlinux"),
	   "module: namespace column kept whole (%s)", err);
	kgc_policy_free(&p);
	ok(kgc_ns_allows_module("module:kvm,kvm-amd,kvm-intel", "kvm_amd") &&
	   kgc_ns_allows_module("module:kvm,kvm-amd,kvm-intel", "kvm") &&
	   !kgc_ns_allows_module("module:kvm,kvm-amd,kvm-intel", "kvm_a") &&
	   !kgc_ns_allows_module("module:kvm,kvm-amd", "kvm_amd_x") &&
	   kgc_ns_allows_module("module:snd-*", "snd_hda") &&
	   kgc_ns_allows_module("module:a,,*", "x") &&
	   !kgc_ns_allows_module("module:", "x") &&
	   !kgc_ns_allows_module("module:,", "x") &&
	   !kgc_ns_allows_module("USB_STORAGE", "uas") &&
	   !kgc_ns_allows_module("modules:uas", "uas"),
	   "module: lists match the importer as the loader does (exact or "
	   "tail glob, '-' = '_'; other namespaces never)");

	/* 5.4.0: crc sym namespace module export. */
	ret = load(&p, write_str("540.symvers",
		"0x11111111\tusb_stor_x\tUSB_STORAGE\tdrivers/usb/storage/"
		"usb-storage\tEXPORT_SYMBOL_GPL\n"
		"0x22222222\tplain\t\tvmlinux\tEXPORT_SYMBOL\n"),
		KG_FORMAT_SYMVERS, err, sizeof(err));
	r = find(&p, "usb_stor_x");
	ok(!ret && p.nr == 2 && r && streq(r->ns, "USB_STORAGE") &&
	   streq(r->exporter, "usb_storage"),
	   "5.4.0 symvers: namespace in column 3, module in column 4 (%s)",
	   err);
	r = find(&p, "plain");
	ok(r && !r->ns && streq(r->exporter, "vmlinux") &&
	   r->flags == KABIGUARD_RULE_F_NS_PINNED,
	   "5.4.0 symvers: empty namespace column pins no namespace");
	kgc_policy_free(&p);

	/* 5.6+: trailing namespace column, CRLF line ends tolerated. */
	ret = load(&p, write_str("five.symvers",
		"0xabcdef01\tcxl_x\tdrivers/cxl/core/cxl_core\t"
		"EXPORT_SYMBOL_GPL\tCXL\r\n"
		"0xabcdef02\tplain\tvmlinux\tEXPORT_SYMBOL\t\r\n"),
		KG_FORMAT_AUTO, err, sizeof(err));
	r = find(&p, "cxl_x");
	ok(!ret && p.nr == 2 && r && streq(r->ns, "CXL") &&
	   streq(r->exporter, "cxl_core") && !find(&p, "plain")->ns &&
	   find(&p, "plain")->flags == KABIGUARD_RULE_F_NS_PINNED,
	   "5-column symvers with CRLF line ends, empty namespace pinned "
	   "(%s)", err);
	kgc_policy_free(&p);
}

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = n;
out:
	fclose(f);
	return buf;
}

static const char *gzip_file(const char *name, const void *data, size_t len,
			     int members)
{
	const char *path = tmpfile_path(name);
	size_t half = len / 2;
	gzFile gz;

	/* Two members back to back, as `cat a.gz b.gz` makes. */
	gz = gzopen(path, "wb9");
	if (!gz || gzwrite(gz, data, members > 1 ? half : len) < 0 ||
	    gzclose(gz) != Z_OK)
		goto fail;
	if (members > 1) {
		gz = gzopen(path, "ab9");
		if (!gz || gzwrite(gz, (const char *)data + half,
				   len - half) < 0 || gzclose(gz) != Z_OK)
			goto fail;
	}
	return path;
fail:
	fprintf(stderr, "cannot write %s\n", path);
	exit(1);
}

static const char *xz_file(const char *name, const void *data, size_t len)
{
	size_t size = len + len / 2 + 4096, out = 0;
	uint8_t *buf = malloc(size);
	const char *path;

	if (!buf || lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, data,
					    len, buf, &out, size) != LZMA_OK) {
		fprintf(stderr, "xz encoding failed\n");
		exit(1);
	}
	path = write_file(name, buf, out);
	free(buf);
	return path;
}

static void test_compressed(const char *real)
{
	const char *small = "0x12345678\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n"
			    "0x9abcdef0\tbar\tfs/fuse/fuse\tEXPORT_SYMBOL\tFUSE\n";
	struct kgc_policy p = { 0 };
	char err[512];
	size_t len = strlen(small), lines = 2;
	void *data = (void *)small, *big = NULL;
	const struct kgc_rule *r;
	int ret;

	/* The real file when given, else a small one: gzip must not care. */
	if (real && !access(real, R_OK)) {
		big = slurp(real, &len);
		if (big) {
			data = big;
			lines = count_lines(real);
		} else {
			len = strlen(small);
		}
	}
	ret = load(&p, gzip_file("symvers.gz", data, len, 1), KG_FORMAT_AUTO,
		   err, sizeof(err));
	ok(!ret && p.nr == lines, "gzip'ed symvers: %zu rules, want %zu (%s)",
	   p.nr, lines, err);
	/* jiffies: every kernel's vmlinux exports it (a CRC with
	 * modversions only). */
	r = find(&p, big ? "jiffies" : "foo");
	ok(r && streq(r->exporter, "vmlinux") && (big || r->has_crc),
	   "gzip'ed symvers: rules intact");
	kgc_policy_free(&p);

	ret = load(&p, gzip_file("two.gz", data, len, 2), KG_FORMAT_AUTO,
		   err, sizeof(err));
	ok(!ret && p.nr == lines, "gzip with two members: %zu rules (%s)",
	   p.nr, err);
	kgc_policy_free(&p);

	ret = load(&p, xz_file("symvers.xz", data, len), KG_FORMAT_AUTO, err,
		   sizeof(err));
	ok(!ret && p.nr == lines, "xz'ed symvers: %zu rules, want %zu (%s)",
	   p.nr, lines, err);
	kgc_policy_free(&p);

	/* Cut a gzip file short: an error, not a silently shorter policy. */
	{
		size_t glen;
		void *gz = slurp(tmpfile_path("symvers.gz"), &glen);
		const char *cut = write_file("cut.gz", gz, glen / 2);

		ret = load(&p, cut, KG_FORMAT_AUTO, err, sizeof(err));
		ok(ret && p.nr == 0 && !strncmp(err, cut, strlen(cut)),
		   "truncated gzip fails: %s", err);
		free(gz);
	}
	free(big);
}

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

static void cleanup(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(int argc, char **argv)
{
	int i;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	printf("TAP version 13\n");
	if (argc < 2)
		diag("no real Module.symvers given: synthetic inputs only");
	for (i = 1; i < argc; i++)
		test_real_symvers(argv[i]);
	test_symvers_variants();
	test_compressed(argc > 1 ? argv[1] : NULL);
	test_rhkabi();
	test_native();
	test_errors();
	test_names();
	printf("1..%u\n", tap_nr_tests);
	cleanup();
	return tap_nr_failed ? 1 : 0;
}
