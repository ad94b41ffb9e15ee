/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgclient: the userspace side of the kabiguard generic netlink family
 * (include/uapi/linux/kabiguard.h). Used by kabiguardctl, the daemon and
 * the selftests. Functions return 0 or a negative errno; after a kernel
 * rejection kg_extack() holds the kernel's extended ACK message.
 */
#ifndef KGCLIENT_H
#define KGCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kabiguard.h>

struct nl_sock;
struct nl_msg;
struct kg_client;

/* One rule, as parsed from a file or dumped from the kernel. */
struct kg_rule {
	enum kabiguard_rule_kind kind;
	char *name;		/* SYMBOL/NAMESPACE; NULL for ANY */
	char *ns;		/* SYMBOL: namespace it must come from, or NULL */
	char *exporter;		/* NULL: any exporter */
	char *module;		/* NULL: applies to every module */
	uint32_t crc;
	bool has_crc;
	uint32_t flags;		/* KABIGUARD_RULE_F_* */
	const char *file;	/* where it was read from, for messages */
	unsigned int line;
};

struct kg_policy {
	struct kg_rule *rules;
	size_t nr, cap;
	/* Owned copies of the file names rules point at (kg_rule.file). */
	char **files;
	size_t nr_files;
};

struct kg_status {
	enum kabiguard_mode mode;
	uint64_t generation;
	bool locked;
	uint32_t features;
	uint32_t max_rules;
	uint32_t nr_rules, nr_symbol, nr_namespace, nr_any;
	bool txn_open;
	uint32_t txn_owner;
	uint64_t checked, allowed, audited, denied, violations;
};

struct kg_violation {
	char symbol[KABIGUARD_SYMBOL_MAX];
	char ns[KABIGUARD_NAMESPACE_MAX];	/* "" when none */
	char exporter[KABIGUARD_MODNAME_MAX];	/* "" when unknown */
	enum kabiguard_reason reason;
	bool has_kernel_crc, has_rule_crc;
	uint32_t kernel_crc, rule_crc;
};

struct kg_event {
	enum kabiguard_verdict verdict;
	enum kabiguard_mode mode;
	uint64_t generation;
	char module[KABIGUARD_MODNAME_MAX];
	char version[KABIGUARD_MODNAME_MAX];
	char srcversion[KABIGUARD_MODNAME_MAX];
	bool sig_ok;
	uint64_t taints;
	uint32_t nr_imports, nr_violations;
	uint32_t pid, uid;
	char comm[32];
	uint64_t check_ns;
	size_t nr_listed;			/* entries filled in viol[] */
	struct kg_violation *viol;		/* malloc'ed, kg_event_free() */
};

/* Connection. kg_open() returns -ENOENT when the "kabiguard" family does not
 * exist, i.e. kabiguard.ko is not loaded. */
int kg_open(struct kg_client **out);
void kg_close(struct kg_client *c);
const char *kg_extack(const struct kg_client *c);
struct nl_sock *kg_sock(struct kg_client *c);
int kg_family(const struct kg_client *c);
/* Send a prepared message (already carrying the genl header), wait for the
 * ACK; returns the kernel's errno as a negative value. The caller keeps
 * ownership of msg (nlmsg_free() it). */
int kg_send_msg(struct kg_client *c, struct nl_msg *msg);
/* After kg_policy_add()/kg_policy_push() failed: the rule the kernel's
 * extended ACK pointed at (an element of the caller's array), else NULL. */
const struct kg_rule *kg_bad_rule(const struct kg_client *c);

/* Commands. */
int kg_get_status(struct kg_client *c, struct kg_status *st);
int kg_set_mode(struct kg_client *c, enum kabiguard_mode mode);
int kg_policy_begin(struct kg_client *c);
int kg_policy_add(struct kg_client *c, const struct kg_rule *rules, size_t nr);
int kg_policy_commit(struct kg_client *c, uint64_t *generation);
int kg_policy_abort(struct kg_client *c);
/* Begin, add everything in batches, commit; aborts on any failure. */
int kg_policy_push(struct kg_client *c, const struct kg_policy *p,
		   uint64_t *generation);
int kg_lock(struct kg_client *c);
/* The rule's strings live in the received message: copy what you keep
 * (kg_policy_add_rule() does). A negative return from cb ends the dump with
 * that error. Returns -EAGAIN when a commit interrupted the dump: cb may
 * have seen part of it; start again. */
typedef int (*kg_rule_cb)(const struct kg_rule *rule, uint64_t generation,
			  void *arg);
int kg_policy_dump(struct kg_client *c, kg_rule_cb cb, void *arg);

/* Events: a separate socket subscribed to the "events" group. */
int kg_events_open(struct kg_client **out);
/* Waits up to timeout_ms (-1: forever). Returns 1 with *ev filled, 0 on
 * timeout, negative errno on error (-ENOBUFS: events were lost; -EINTR: a
 * signal came; -EBADMSG: a malformed event was skipped). Call
 * kg_event_free() on each event it filled. To wait on other fds too, poll
 * nl_socket_get_fd(kg_sock(c)) and call this with timeout 0 until it
 * returns 0. */
int kg_events_next(struct kg_client *c, struct kg_event *ev, int timeout_ms);
void kg_event_free(struct kg_event *ev);

/* Names for enums, for output and parsing. */
const char *kg_mode_name(enum kabiguard_mode mode);
int kg_mode_parse(const char *s, enum kabiguard_mode *mode);
const char *kg_verdict_name(enum kabiguard_verdict v);
const char *kg_reason_name(enum kabiguard_reason r);
const char *kg_kind_name(enum kabiguard_rule_kind k);

/* Policy files. */
enum kg_format {
	KG_FORMAT_AUTO,
	KG_FORMAT_NATIVE,
	KG_FORMAT_SYMVERS,
	KG_FORMAT_RH_KABI,
};
int kg_format_parse(const char *s, enum kg_format *fmt);
/* Appends the rules of path ("-": standard input; gzip and xz input is
 * decompressed) to p. On a parse error returns -EINVAL and writes
 * "file:line: what was expected" to err; when the file cannot be read,
 * returns the negative errno and writes "file: reason". Nothing is appended
 * on error. */
int kg_policy_load_file(struct kg_policy *p, const char *path,
			enum kg_format fmt, char *err, size_t errlen);
/* Same on a buffer already in memory (not decompressed); name is used for
 * messages and kg_rule.file. */
int kg_policy_load_buf(struct kg_policy *p, const char *name, const char *buf,
		       size_t len, enum kg_format fmt, char *err, size_t errlen);
/* Deep-copies r (strings and file name) into p. */
int kg_policy_add_rule(struct kg_policy *p, const struct kg_rule *r);
/* Frees everything p owns and leaves it empty, ready for reuse. */
void kg_policy_free(struct kg_policy *p);
const char *kg_format_name(enum kg_format fmt);
/* Writes r as one line of the native policy format (no newline), so that a
 * dump can be loaded again. Returns what snprintf() returns. */
int kg_rule_format(const struct kg_rule *r, char *buf, size_t len);

#endif /* KGCLIENT_H */
