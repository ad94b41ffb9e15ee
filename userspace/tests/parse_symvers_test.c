// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of the Module.symvers parser: no kernel, no netlink.
 * TAP 13 output; exits 1 when any test fails. Inputs are written to a
 * fresh temporary directory. The arguments are real Module.symvers files
 * (the `check` target of userspace/Makefile gives those of the test
 * matrix, resolved at run time by tests/test_kernels.sh): each must be
 * readable, or its tests fail. The other formats: parse_formats_test.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <lzma.h>
#include <zlib.h>

#include "parse_test.h"

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


int main(int argc, char **argv)
{
	int i;

	parse_test_begin();
	if (argc < 2)
		diag("no real Module.symvers given: synthetic inputs only");
	for (i = 1; i < argc; i++)
		test_real_symvers(argv[i]);
	test_symvers_variants();
	test_compressed(argc > 1 ? argv[1] : NULL);
	return parse_test_end();
}
