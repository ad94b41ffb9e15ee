/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgclient: the userspace side of the kabiguard generic netlink family
 * (include/uapi/linux/kabiguard.h). Used by kabiguardctl, the daemon and
 * the selftests. Functions return 0 or a negative errno; after a kernel
 * rejection kgc_extack() holds the kernel's extended ACK message.
 */
#ifndef KGCLIENT_H
#define KGCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kabiguard.h>
#include "../../include/kabiguard/origin.h"

struct nl_sock;
struct nl_msg;
struct kgc_client;

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

struct kgc_status {
	enum kabiguard_mode mode;
	uint64_t generation;
	bool locked;
	uint32_t features;
	uint32_t max_rules;
	uint32_t nr_rules, nr_symbol, nr_namespace, nr_any;
	bool txn_open;
	uint32_t txn_owner;
	uint64_t checked, allowed, audited, denied, violations;
	/* The event ring (KABIGUARD_FEAT_RING; all 0 without it). */
	uint32_t ring_size;
	uint64_t ring_first, ring_next, ring_overflow;
	uint64_t ring_bytes, ring_bytes_max;	/* payload kept, its limit */
	/*
	 * When this client's socket has read the ring (kgc_events_dump):
	 * the events that left it before this socket had them.
	 */
	bool ring_reader;
	uint64_t ring_reader_overflow;
};

struct kgc_violation {
	char symbol[KABIGUARD_SYMBOL_MAX];
	char ns[KABIGUARD_NAMESPACE_MAX];	/* "" when none */
	char exporter[KABIGUARD_MODNAME_MAX];	/* "" when unknown */
	enum kabiguard_reason reason;
	bool has_kernel_crc, has_rule_crc;
	uint32_t kernel_crc, rule_crc;
	uint32_t flags;				/* KABIGUARD_VIOLF_* */
};

struct kgc_event {
	enum kabiguard_verdict verdict;
	enum kabiguard_mode mode;
	uint64_t generation;
	char module[KABIGUARD_MODNAME_MAX];
	char version[KABIGUARD_MODINFO_MAX];
	char srcversion[KABIGUARD_MODINFO_MAX];
	bool sig_ok;
	uint64_t taints;
	uint32_t nr_imports, nr_violations;
	uint32_t pid, uid;
	char comm[32];
	uint64_t check_ns;
	size_t nr_listed;			/* entries filled in viol[] */
	struct kgc_violation *viol;		/* malloc'ed, kgc_event_free() */
	/* Since the event ring (KABIGUARD_FEAT_RING). */
	uint64_t seq;				/* 0: the kernel sent none */
	enum kabiguard_event_kind kind;
	uint64_t time_boot_ns, time_real_ns;
	/* The loading process: only for loads (has_process). */
	bool has_process;
	uint32_t ppid, euid, gid, egid;
	uint32_t loginuid, sessionid;		/* 4294967295: unset */
	char tty[64];				/* "": none */
	/* Command line: arguments each followed by a NUL, argv_len bytes
	 * (the last argument unterminated when argv_truncated). */
	char argv[KABIGUARD_ARGV_MAX + 1];
	size_t argv_len;
	bool argv_truncated;
	char lsm_label[KABIGUARD_LABEL_MAX];	/* "": none */
	uint64_t cgroup_id;			/* 0: unknown */
	uint32_t pidns;
	char exe[KABIGUARD_PATH_MAX];		/* "" when unknown */
	char cgroup[KABIGUARD_PATH_MAX];	/* "" when unknown */
	bool kmod_request;
	uint32_t flags;				/* KABIGUARD_EVF_* */
	/* The task whose request_module() started the loader (has_requester). */
	bool has_requester;
	uint32_t req_pid, req_uid;
	char req_comm[32];
	char req_name[KABIGUARD_MODNAME_MAX];
	/* A repeat event (repeat_count >= 2) names the full one it repeats;
	 * 0 in both otherwise. */
	uint64_t repeat_of;
	uint32_t repeat_count;
};

/*
 * Parses one netlink message of genl family @family strictly: every
 * attribute at its exact size or within its limit, strings terminated,
 * nests within their parent, no trailing bytes, no attribute but
 * KABIGUARD_A_VIOLATION twice. Returns 1 with *ev filled (kgc_event_free()
 * it), 0 when the message is not a verdict event, -EBADMSG with @err
 * naming the offending attribute, -ENOMEM.
 */
struct nlmsghdr;
int kgc_event_parse(const struct nlmsghdr *h, int family, struct kgc_event *ev,
		   char *err, size_t errlen);

/* Connection. kgc_open() returns -ENOENT when the "kabiguard" family does not
 * exist, i.e. kabiguard.ko is not loaded. */
int kgc_open(struct kgc_client **out);
void kgc_close(struct kgc_client *c);
const char *kgc_extack(const struct kgc_client *c);
struct nl_sock *kgc_sock(struct kgc_client *c);
int kgc_family(const struct kgc_client *c);
/* Send a prepared message (already carrying the genl header), wait for the
 * ACK; returns the kernel's errno as a negative value. The caller keeps
 * ownership of msg (nlmsg_free() it). */
int kgc_send_msg(struct kgc_client *c, struct nl_msg *msg);
/* After kgc_policy_add()/kgc_policy_push() failed: the rule the kernel's
 * extended ACK pointed at (an element of the caller's array), else NULL. */
const struct kgc_rule *kgc_bad_rule(const struct kgc_client *c);

/* Commands. */
int kgc_get_status(struct kgc_client *c, struct kgc_status *st);
int kgc_set_mode(struct kgc_client *c, enum kabiguard_mode mode);
int kgc_policy_begin(struct kgc_client *c);
int kgc_policy_add(struct kgc_client *c, const struct kgc_rule *rules, size_t nr);
int kgc_policy_commit(struct kgc_client *c, uint64_t *generation);
int kgc_policy_abort(struct kgc_client *c);
/* Begin, add everything in batches, commit; aborts on any failure. First
 * asks the status and refuses (-EOPNOTSUPP, nothing sent; kgc_bad_rule()
 * and kgc_extack() say which rule and why) a policy the kernel cannot keep
 * (kgc_policy_unsupported()). */
int kgc_policy_push(struct kgc_client *c, const struct kgc_policy *p,
		   uint64_t *generation);
int kgc_lock(struct kgc_client *c);
/* The rule's strings live in the received message: copy what you keep
 * (kgc_policy_add_rule() does). A negative return from cb ends the dump with
 * that error. Returns -EAGAIN when a commit interrupted the dump: cb may
 * have seen part of it; start again. */
typedef int (*kgc_rule_cb)(const struct kgc_rule *rule, uint64_t generation,
			  void *arg);
int kgc_policy_dump(struct kgc_client *c, kgc_rule_cb cb, void *arg);

/* Events: a separate socket subscribed to the "events" group. */
int kgc_events_open(struct kgc_client **out);
/* Waits up to timeout_ms (-1: forever). Returns 1 with *ev filled, 0 on
 * timeout, negative errno on error (-ENOBUFS: events were lost; -EINTR: a
 * signal came; -EBADMSG: a malformed event was skipped). Call
 * kgc_event_free() on each event it filled. To wait on other fds too, poll
 * nl_socket_get_fd(kgc_sock(c)) and call this with timeout 0 until it
 * returns 0. */
int kgc_events_next(struct kgc_client *c, struct kgc_event *ev, int timeout_ms);
void kgc_event_free(struct kgc_event *ev);
/* KABIGUARD_CMD_EVENTS_GET on a request socket (kgc_open()): calls cb for
 * each event still in the kernel's ring with seq >= since, oldest first,
 * and declares to the kernel that the caller has every event before since.
 * ev is valid during the call only. A negative return from cb ends the
 * dump with that error. */
typedef int (*kgc_event_cb)(const struct kgc_event *ev, void *arg);
int kgc_events_dump(struct kgc_client *c, uint64_t since, kgc_event_cb cb,
		   void *arg);
const char *kgc_event_kind_name(enum kabiguard_event_kind k);

/* A growable string, for JSON lines. */
struct kgc_strbuf {
	char *s;
	size_t len, cap;
};
void kgc_strbuf_free(struct kgc_strbuf *b);
/* Append (the string stays NUL-terminated); 0 or -ENOMEM. */
int kgc_strbuf_put(struct kgc_strbuf *b, const char *s, size_t n);
int kgc_strbuf_printf(struct kgc_strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Extra members of an event's JSON line; NULL members are left out. */
struct kgc_event_json_ctx {
	const char *boot_id;
	const char *host;
	const char *kernel;
};
/* Appends ev as one line of compact JSON (with its '\n') to b: every
 * field of the event, times also as ISO 8601 UTC with nanoseconds, taints
 * also as letters. Strings are escaped per RFC 8259, invalid UTF-8 bytes
 * as \u00XX. Returns 0 or -ENOMEM. */
int kgc_event_json(struct kgc_strbuf *b, const struct kgc_event *ev,
		  const struct kgc_event_json_ctx *x);
/* Length of the valid UTF-8 sequence at s (1 to 4 bytes above ASCII),
 * or 0: how JSON output tells text it may copy from bytes to escape. */
size_t kgc_utf8_len(const unsigned char *s);
/* The kernel's taint letters for taint bits (kernel/panic.c order). */
void kgc_taint_letters(uint64_t taints, char *buf, size_t len);

/* KABIGUARD_CMD_SCAN: check loaded module `module` against the active
 * policy as if it loaded now, given its imports; the verdict comes as an
 * event of kind KABIGUARD_EVENT_SCAN on the events group. -ENOENT: no
 * live module of that name. */
int kgc_scan(struct kgc_client *c, const char *module, const char *const *names,
	    size_t nr);

/* Retro scan of loaded modules: finds each one's file with libkmod
 * (/lib/modules/`uname -r`, modules.dep), reads its imports and sends
 * KABIGUARD_CMD_SCAN. */
struct kgc_scanner;
struct kgc_scan_report {
	char *path;		/* the module file; NULL: none found */
	size_t nr_imports;
	/* The file's srcversion differs from /sys/module/NAME/srcversion:
	 * it changed since the module loaded, the imports sent may not be
	 * the ones loaded. */
	bool changed;
	char file_srcversion[KABIGUARD_MODNAME_MAX];
	char live_srcversion[KABIGUARD_MODNAME_MAX];
	char err[512];		/* what went wrong, when the call failed */
};
int kgc_scanner_new(struct kgc_scanner **out);
void kgc_scanner_free(struct kgc_scanner *s);
/* Returns 0 (scanned), -ENOENT with rep->path NULL (no file: built in, or
 * not under /lib/modules), or another negative errno; rep->err says what
 * happened. Free rep with kgc_scan_report_free(). */
int kgc_scanner_scan(struct kgc_scanner *s, struct kgc_client *c,
		    const char *module, struct kgc_scan_report *rep);
void kgc_scan_report_free(struct kgc_scan_report *rep);
/* The names in /proc/modules, in its order (newest first). */
int kgc_loaded_modules(char ***names, size_t *nr);

/* Names for enums, for output and parsing. */
const char *kgc_mode_name(enum kabiguard_mode mode);
int kgc_mode_parse(const char *s, enum kabiguard_mode *mode);
const char *kgc_verdict_name(enum kabiguard_verdict v);
const char *kgc_reason_name(enum kabiguard_reason r);
const char *kgc_kind_name(enum kabiguard_rule_kind k);

/* Policy files. */
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
/* Deep-copies r (strings and file name) into p. */
int kgc_policy_add_rule(struct kgc_policy *p, const struct kgc_rule *r);
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

/*
 * Offline checks (kabiguardctl check, policy generate). The matcher, the
 * symvers index and the file walker need only libc; reading modules needs
 * libkmod, reading symsets tarballs libarchive (kgc_policy_enable_tar()).
 */

/* Lets kgc_policy_load_file() read tar archives (/boot/symsets-KVER.tar.gz)
 * through libarchive; programs that never call it do not link libarchive. */
void kgc_policy_enable_tar(void);

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

/* One module file, read with elfutils' libelf (lib/modread.c). */
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
 * fewer for small sets, none for one), one reader each (lib/offline_check.c says
 * why processes); results[i] belongs to paths[i] (handed to ck->each if
 * set). Returns 0, or -ENOMEM. */
int kgc_check_files(const struct kgc_checker *ck, char *const *paths, size_t nr,
		   unsigned int nworkers, struct kgc_check_result *results);
void kgc_check_result_free(struct kgc_check_result *r);
const char *kgc_issue_kind_name(enum kgc_issue_kind k);

/* Audit events as JSON lines (kabiguardd's log, `kabiguardctl monitor
 * --json`): the fields policy generation needs, others are skipped. */
struct kgc_audit_viol {
	char *symbol;
	char *ns;		/* NULL: none */
	char *exporter;		/* NULL: unknown */
	char *reason;		/* as written, NULL when absent */
	bool has_kernel_crc;
	uint32_t kernel_crc;
};

struct kgc_audit_event {
	char *module;
	char *verdict;
	struct kgc_audit_viol *viol;
	size_t nr_viol;
};

/* Parses one line holding one JSON object. Returns 0 (event filled; free
 * it with kgc_audit_event_free()), 1 for a blank line, or -EINVAL with
 * "what was expected at which column" in err. */
int kgc_audit_parse(const char *line, size_t len, struct kgc_audit_event *ev,
		   char *err, size_t errlen);
void kgc_audit_event_free(struct kgc_audit_event *ev);

#endif /* KGCLIENT_H */
