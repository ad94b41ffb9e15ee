/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgclient: policies in memory. Rules as read from policy files (the
 * native format, Module.symvers, Red Hat kABI lists, symsets) or dumped
 * from the kernel, and written back in the native format. Nothing here
 * talks to the kernel (kgc_client.h does).
 */
#ifndef KGC_POLICY_H
#define KGC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kabiguard.h>

/* One rule, as parsed from a file or dumped from the kernel. */
struct kgc_rule {
	enum kabiguard_rule_kind kind;
	char *name;		/* SYMBOL/NAMESPACE; NULL for ANY */
	char *ns;		/* SYMBOL: namespace it must come from; NULL:
			 * any, or none with KABIGUARD_RULE_F_NS_PINNED */
	char *exporter;		/* NULL: any exporter */
	char *module;		/* NULL: applies to every module */
	uint32_t crc;
	bool has_crc;
	uint32_t flags;		/* KABIGUARD_RULE_F_* */
	const char *file;	/* where it was read from, for messages */
	unsigned int line;
};

struct kgc_policy {
	struct kgc_rule *rules;
	size_t nr, cap;
	/* Owned copies of the file names rules point at (kgc_rule.file). */
	char **files;
	size_t nr_files;
};

/* Policy file formats. */
enum kgc_format {
	KG_FORMAT_AUTO,
	KG_FORMAT_NATIVE,
	KG_FORMAT_SYMVERS,
	KG_FORMAT_RH_KABI,
	/* RHEL 5 symsets: "0xCRC<TAB>symbol<TAB>object" lines; a directory
	 * (symsets-KVER/) is read file by file, a tarball with libarchive. */
	KG_FORMAT_SYMSETS,
};
int kgc_format_parse(const char *s, enum kgc_format *fmt);
/* Appends the rules of path ("-": standard input; gzip and xz input is
 * decompressed) to p. On a parse error returns -EINVAL and writes
 * "file:line: what was expected" to err; when the file cannot be read,
 * returns the negative errno and writes "file: reason". Nothing is appended
 * on error. */
int kgc_policy_load_file(struct kgc_policy *p, const char *path,
			enum kgc_format fmt, char *err, size_t errlen);
/* Same on a buffer already in memory (not decompressed); name is used for
 * messages and kgc_rule.file. */
int kgc_policy_load_buf(struct kgc_policy *p, const char *name, const char *buf,
		       size_t len, enum kgc_format fmt, char *err, size_t errlen);
/* Appends a deep copy of r (strings and file name) to p: memory only. */
int kgc_policy_append(struct kgc_policy *p, const struct kgc_rule *r);
/* Frees everything p owns and leaves it empty, ready for reuse. */
void kgc_policy_free(struct kgc_policy *p);
const char *kgc_format_name(enum kgc_format fmt);
/* Writes r as one line of the native policy format (no newline), so that a
 * dump can be loaded again. Returns what snprintf() returns. */
int kgc_rule_format(const struct kgc_rule *r, char *buf, size_t len);
/* The first rule of p that a kernel with these status features
 * (KABIGUARD_FEAT_*) refuses, with why in msg; NULL when there is none:
 * signed-only rules where the kernel verifies no module signature
 * (KABIGUARD_FEAT_SIG clear: no CONFIG_MODULE_SIG). */
const struct kgc_rule *kgc_policy_unsupported(const struct kgc_policy *p,
					    uint32_t features, char *msg,
					    size_t len);

/* Lets kgc_policy_load_file() read tar archives (/boot/symsets-KVER.tar.gz)
 * through libarchive; programs that never call it do not link libarchive. */
void kgc_policy_enable_tar(void);

/* The rule kind's name in the native format ("symbol", "namespace", ...). */
const char *kgc_kind_name(enum kabiguard_rule_kind k);

#endif /* KGC_POLICY_H */
