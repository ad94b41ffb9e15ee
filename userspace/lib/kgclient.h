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

/* Connection. */
int kg_open(struct kg_client **out);
void kg_close(struct kg_client *c);
const char *kg_extack(const struct kg_client *c);
struct nl_sock *kg_sock(struct kg_client *c);
int kg_family(const struct kg_client *c);
/* Send a prepared message (already carrying the genl header), wait for the
 * ACK; returns the kernel's errno as a negative value. */
int kg_send_msg(struct kg_client *c, struct nl_msg *msg);

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
typedef int (*kg_rule_cb)(const struct kg_rule *rule, uint64_t generation,
			  void *arg);
int kg_policy_dump(struct kg_client *c, kg_rule_cb cb, void *arg);

/* Events: a separate socket subscribed to the "events" group. */
int kg_events_open(struct kg_client **out);
/* Waits up to timeout_ms (-1: forever). Returns 1 with *ev filled, 0 on
 * timeout, negative errno on error (-ENOBUFS: events were lost). */
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
/* Appends the rules of path to p. On a parse error returns -EINVAL and
 * writes "file:line: what was expected" to err. */
int kg_policy_load_file(struct kg_policy *p, const char *path,
			enum kg_format fmt, char *err, size_t errlen);
int kg_policy_add_rule(struct kg_policy *p, const struct kg_rule *r);
void kg_policy_free(struct kg_policy *p);

#endif /* KGCLIENT_H */
