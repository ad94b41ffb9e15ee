/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgclient: offline checks (kabiguardctl check, policy generate): what
 * a target kernel's loader and kabiguard.ko would say about module files.
 * The matcher, the symvers index and the file walker need only libc;
 * reading modules needs libkmod and libelf.
 */
#ifndef KGC_CHECK_H
#define KGC_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kabiguard.h>
#include "../../include/kabiguard/origin.h"
#include "kgc_policy.h"

/* One import as the kernel's matcher sees it (kmod/guard.h): name,
 * then namespace, exporter and CRC as the target kernel exports it. */
struct kgc_import {
	const char *name;
	const char *ns;		/* NULL: not in a namespace */
	const char *exporter;	/* "vmlinux", a module, NULL: unknown */
	uint32_t crc;
	bool has_crc;
};

struct kgc_match {
	enum kabiguard_reason reason;	/* on refusal */
	bool has_rule_crc;
	uint32_t rule_crc;
	const struct kgc_rule *rule;	/* on success: the rule that allowed */
};

/* A policy indexed like the kernel's (kmod/policy.c); the semantics of
 * kgc_matcher_allows() are exactly those of kg_policy_allows() there. p must
 * outlive the matcher. */
struct kgc_matcher;
int kgc_matcher_new(struct kgc_matcher **out, const struct kgc_policy *p);
bool kgc_matcher_allows(const struct kgc_matcher *m, const struct kgc_import *imp,
		       const char *modname, unsigned int origin,
		       struct kgc_match *res);
void kgc_matcher_free(struct kgc_matcher *m);

/* A target kernel's exports, from one or more Module.symvers (or symsets)
 * files: kgc_rule per symbol (name, ns, exporter, crc). The first file that
 * exports a name wins. */
struct kgc_symtab;
int kgc_symtab_new(struct kgc_symtab **out);
int kgc_symtab_load(struct kgc_symtab *t, const char *path, char *err,
		   size_t errlen);
const struct kgc_rule *kgc_symtab_find(const struct kgc_symtab *t,
				     const char *name);
size_t kgc_symtab_count(const struct kgc_symtab *t);
/* Exports with a CRC other than 0: none means the kernel was built
 * without CONFIG_MODVERSIONS (its loader checks no CRC; vermagic alone
 * decides, compared whole). */
size_t kgc_symtab_crcs(const struct kgc_symtab *t);
/* The loader's test for a module-restricted export (6.16+,
 * EXPORT_SYMBOL_FOR_MODULES): ns is "module:" and a comma-separated list
 * of module names, each exact or with a trailing '*' (a prefix), '-' and
 * '_' equal; true when modname is on it. False for any other namespace. */
bool kgc_ns_allows_module(const char *ns, const char *modname);
void kgc_symtab_free(struct kgc_symtab *t);
/* The symvers of kernel release kver: /lib/modules/KVER/build/Module.symvers,
 * /lib/modules/KVER/symvers.gz, /boot/symvers-KVER.gz or .xz. Returns 0 with
 * path filled, or -ENOENT. */
int kgc_kernel_symvers(const char *kver, char *path, size_t len);

/* One module file (lib/modread.c), its ELF read with elfutils' libelf
 * (lib/modinfo_elf.c). */
struct kgc_modsym {
	char *name;
	uint32_t crc;		/* what the loader compares: from
				 * __version_ext_crcs when the module has
				 * them, else from __versions */
	bool has_crc;
	bool weak;
};

struct kgc_modinfo {
	char *path;
	char *name;		/* as the kernel will call it ('-' -> '_') */
	char *vermagic;		/* NULL when absent */
	char *signer;		/* NULL: no signature (not verified here),
				 * or not asked for */
	bool signed_file;	/* a signature is appended */
	bool in_tree;		/* modinfo intree=: the kernel will not taint
				 * it out-of-tree (TAINT_OOT_MODULE) */
	bool has_versions;	/* a __versions section (MODVERSIONS) */
	bool has_ext_versions;	/* __version_ext_crcs and _names (6.14+
				 * EXTENDED_MODVERSIONS): the loader then
				 * reads these, not __versions */
	char **import_ns;
	size_t nr_import_ns;
	struct kgc_modsym *imports;	/* what the loader resolves: the
					 * undefined symbols of .symtab */
	size_t nr_imports;
	/* CRC entries no import has (module_layout until it goes, ...):
	 * CRC checks, never imports (libkmod and depmod list them among a
	 * module's symbols; the loader resolves none of them and compares
	 * module_layout's CRC alone, check_modstruct_version()). */
	struct kgc_modsym *crc_checks;
	size_t nr_crc_checks;
};

/* One reader per thread or process (each has its own libkmod context,
 * which is not thread-safe). */
struct kgc_modreader;
int kgc_modreader_new(struct kgc_modreader **out);
void kgc_modreader_free(struct kgc_modreader *r);
/* Whether kgc_modreader_read() gets the signer (default: yes). libkmod
 * maps and unmaps each signed file for it, a TLB flush each. */
void kgc_modreader_want_signer(struct kgc_modreader *r, bool want);
/* Reads a module file: .ko, or .ko.xz, .ko.zst, .ko.gz (by magic).
 * Returns 0, or a negative errno with "path: reason" in err. */
int kgc_modreader_read(struct kgc_modreader *r, const char *path,
		      struct kgc_modinfo *mi, char *err, size_t errlen);
void kgc_modinfo_free(struct kgc_modinfo *mi);
/* "extended", "basic" or "none": the CRC table the loader checks. */
const char *kgc_modversions_name(const struct kgc_modinfo *mi);
/* The path libkmod finds for a loaded module's name (for /proc/modules),
 * under /lib/modules/`uname -r`; malloc'ed, NULL when not found. */
char *kgc_modreader_find(struct kgc_modreader *r, const char *name);

/* Module files under each path (a file is taken as is; directories are
 * walked for *.ko, *.ko.xz, *.ko.zst, *.ko.gz), sorted. */
int kgc_find_modules(char *const *paths, size_t nr, char ***out, size_t *nr_out,
		    char *err, size_t errlen);
void kgc_free_strv(char **v, size_t nr);

/* What kabiguardctl check reports about one import. */
enum kgc_issue_kind {
	KG_ISSUE_POLICY,	/* a rule violation; reason says which */
	KG_ISSUE_NS_NOT_IMPORTED, /* namespace missing from import_ns, or
				   * a module: namespace not listing it */
	KG_ISSUE_UNKNOWN,	/* the target kernel does not export it */
	KG_ISSUE_CRC,		/* __versions CRC differs from the kernel's */
	KG_ISSUE_NO_MODVERSIONS, /* the module has no CRCs, the kernel
				  * checks them: loads only forced */
};

struct kgc_issue {
	enum kgc_issue_kind kind;
	const struct kgc_modsym *sym;	/* in the result's modinfo */
	const struct kgc_rule *kernel;	/* symvers entry, NULL if unknown */
	struct kgc_match match;		/* KG_ISSUE_POLICY */
	bool crc_check;			/* sym is in mi.crc_checks */
};

struct kgc_check_result {
	struct kgc_modinfo mi;
	int err;			/* negative errno: not read */
	char errmsg[512];
	struct kgc_issue *issues;
	size_t nr_issues;
	bool loads;	/* no unknown symbol, CRC or namespace problem */
	bool allowed;	/* the policy allows every import */
};

struct kgc_checker {
	const struct kgc_symtab *kernel;		/* NULL: none */
	const struct kgc_matcher *policy;	/* NULL: none */
	bool assume_signed;	/* sig_ok for signed-only rules: signer set */
	bool no_signer;		/* the signer is not needed: not read */
	/* If set: called once per file, in path order, as soon as its result
	 * is final (the output starts while later files are read); the
	 * result is freed and zeroed when it returns, so the memory held
	 * stays that of the files in flight. */
	void (*each)(struct kgc_check_result *r, size_t idx, void *arg);
	void *arg;
};

/* Checks paths[0..nr) with nworkers worker processes (0: one per CPU;
 * fewer for small sets, none for one), one reader each (lib/check_workers.c
 * says why processes); results[i] belongs to paths[i] (handed to ck->each if
 * set). Returns 0, or -ENOMEM. */
int kgc_check_files(const struct kgc_checker *ck, char *const *paths, size_t nr,
		   unsigned int nworkers, struct kgc_check_result *results);
void kgc_check_result_free(struct kgc_check_result *r);
const char *kgc_issue_kind_name(enum kgc_issue_kind k);

#endif /* KGC_CHECK_H */
