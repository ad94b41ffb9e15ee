/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kabiguard.ko's internal interfaces: what each part (one .c file) offers
 * the others.
 */
#ifndef KG_GUARD_H
#define KG_GUARD_H

#include <linux/elf.h>
#include <linux/jhash.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <linux/kabiguard.h>
#include "../include/kabiguard/origin.h"

/* Symbol and namespace names are hashed once, the same way everywhere. */
static inline u32 kg_name_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

/*
 * A string a module controls goes into a kernel log line as "%*pE" with
 * kg_esc_len(s, cap), s: escaped (no newline, no escape sequence reaches
 * the log raw) and at most @cap bytes of it.
 */
static inline int kg_esc_len(const char *s, size_t cap)
{
	return strnlen(s, cap);
}

/* Longest symbol, namespace and modinfo string a log line shows. */
#define KG_LOG_NAME_MAX	KABIGUARD_SYMBOL_MAX

/*
 * What a symbol table entry of an incoming module is to the guard: an
 * import checked by the policy's per-symbol rules, a livepatch reference
 * (a SHN_LIVEPATCH relocation symbol, or the module being a livepatch)
 * checked by its livepatch rules, or a reference no rule can allow.
 */
enum kg_ref {
	KG_REF_IMPORT,
	KG_REF_LIVEPATCH,
	KG_REF_LIVEPATCH_MODULE,	/* modinfo livepatch=Y; not an import */
	KG_REF_UNVERIFIABLE,
};

/* One imported symbol of a module being loaded, as the running kernel sees it. */
struct kg_import {
	enum kg_ref ref;
	const char *name;
	u32 hash;		/* kg_name_hash(name) */
	bool value_known;	/* a load: the loader resolved it to value */
	unsigned long value;
	const char *ns;		/* NULL: not in a namespace */
	const char *exporter;	/* "vmlinux", a module name, or NULL: unknown */
	u32 crc;
	bool has_crc;
};

/* ksyms.c: the kernel's export tables and module list */
int kg_ksyms_init(void);
void kg_ksyms_exit(void);
bool kg_ksyms_have_crcs(void);
void kg_ksyms_resolve(const struct module *mod, struct kg_import *imp);
struct module *kg_module_get(const char *name);

/* imports.c: walking a module's imports */
struct kg_import_iter {
	struct module *mod;
	const struct mod_kallsyms *ks;	/* a load: the module's symtab */
	const char * const *names;	/* a scan: names userspace sent */
	unsigned int idx, nr;
	bool livepatch_module;		/* KG_REF_LIVEPATCH_MODULE still due */
};

unsigned int kg_imports_count(struct module *mod);
void kg_imports_start(struct kg_import_iter *it, struct module *mod);
void kg_imports_start_names(struct kg_import_iter *it, struct module *mod,
			    const char * const *names, unsigned int nr);
bool kg_imports_next(struct kg_import_iter *it, struct kg_import *imp);

/* policy.c: rules and the immutable, hashed policy built from them */
struct kg_rule {
	struct hlist_node hnode;	/* in kg_policy table or any list */
	struct list_head set_node;	/* in kg_rule_set rules */
	u32 hash;			/* kg_name_hash(name) */
	u8 kind;			/* enum kabiguard_rule_kind */
	bool has_crc;
	u32 crc;
	u32 flags;			/* KABIGUARD_RULE_F_* */
	const char *name;		/* NULL for ANY */
	const char *ns;
	const char *exporter;
	const char *module;
	char strings[];
};

struct kg_rule_spec {
	u32 kind;
	const char *name, *ns, *exporter, *module;
	u32 crc;
	bool has_crc;
	u32 flags;
};

/*
 * Rules and the memory they live in: each POLICY_ADD batch is one chunk, so
 * a policy of tens of thousands of rules costs a few dozen allocations.
 */
struct kg_rule_set {
	struct list_head rules;		/* kg_rule set_node, in the order added */
	struct list_head chunks;	/* struct kg_rule_chunk */
	u32 nr;
};

struct kg_policy {
	struct kg_rule_set set;
	u64 generation;
	u32 nr_rules;
	u32 nr_kind[__KABIGUARD_RULE_KIND_MAX];
	unsigned int hash_bits;
	struct hlist_head *table;	/* SYMBOL and NAMESPACE rules */
	struct hlist_head any;		/* ANY rules */
	struct hlist_head livepatch;	/* LIVEPATCH rules (livepatch.c) */
	struct kg_rule **rules;		/* in the order they were added */
	struct rcu_work free_work;
};

struct kg_match {
	enum kabiguard_reason reason;
	bool has_rule_crc;
	u32 rule_crc;
};

void kg_rule_set_init(struct kg_rule_set *set);
void kg_rule_set_free(struct kg_rule_set *set);
void kg_rule_set_splice(struct kg_rule_set *from, struct kg_rule_set *to);
int kg_rule_set_reserve(struct kg_rule_set *set, size_t bytes);
void kg_rule_set_add(struct kg_rule_set *set, const struct kg_rule_spec *spec);
struct kg_policy *kg_policy_build(struct kg_rule_set *set, u64 generation);
void kg_policy_free(struct kg_policy *p);
void kg_policy_free_deferred(struct kg_policy *p);
bool kg_policy_allows(const struct kg_policy *p, const struct kg_import *imp,
		      const char *modname, unsigned int origin,
		      struct kg_match *m);
bool kg_policy_origin_ok(const struct kg_rule *r, unsigned int origin);
int kg_policy_init(void);
void kg_policy_exit(void);

/* livepatch.c: the rules that allow livepatch references */
bool kg_livepatch_allows(const struct kg_policy *p, const char *modname,
			 unsigned int origin);

/* state.c: mode, active policy, transaction, lock and counters */
struct kg_status {
	enum kabiguard_mode mode;
	u64 generation;
	bool locked;
	bool txn_open;
	u32 txn_owner;
	u32 nr_rules;
	u32 nr_kind[__KABIGUARD_RULE_KIND_MAX];
	u64 checked, allowed, audited, denied, violations;
};

extern unsigned int kg_max_rules;

/*
 * Upper bounds of the module parameters (README, "Module parameters"):
 * each keeps the allocations sized from it well within what kvcalloc()
 * serves without a WARN.
 */
#define KG_MAX_RULES_MAX	1000000U
#define KG_RING_SIZE_MAX	65536U
#define KG_RING_BYTES_MAX	(256U << 20)

/*
 * test_nomem (tests only): simulated allocation failures, so that the
 * out-of-memory paths run in the VM suite on kernels without fault
 * injection (Debian's have no CONFIG_FAULT_INJECTION).
 */
#define KG_NOMEM_VERDICT	1U	/* the violation list and loader */
#define KG_NOMEM_EVENT		2U	/* the full event message */
#define KG_NOMEM_ALL		(KG_NOMEM_VERDICT | KG_NOMEM_EVENT)
extern unsigned int kg_test_nomem;

static inline bool kg_nomem(unsigned int what)
{
	return READ_ONCE(kg_test_nomem) & what;
}

int kg_param_set_bounded(const char *val, const struct kernel_param *kp,
			 unsigned int min, unsigned int max);

int kg_state_init(enum kabiguard_mode mode);
void kg_state_exit(void);
enum kabiguard_mode kg_state_mode(void);
const struct kg_policy *kg_state_policy(void);
void kg_state_count(enum kabiguard_verdict verdict, unsigned int violations);
void kg_state_status(struct kg_status *st);
int kg_state_set_mode(enum kabiguard_mode mode, struct netlink_ext_ack *extack);
int kg_state_begin(u32 portid, struct netlink_ext_ack *extack);
int kg_state_add(u32 portid, struct kg_rule_set *batch,
		 struct netlink_ext_ack *extack);
int kg_state_commit(u32 portid, u64 *generation, u32 *nr_rules,
		    struct netlink_ext_ack *extack);
int kg_state_abort(u32 portid, struct netlink_ext_ack *extack);
void kg_state_release(u32 portid);
int kg_state_lock(struct netlink_ext_ack *extack);

/* verdict.c: the module notifier */
struct kg_violation {
	const char *symbol;
	const char *ns;
	const char *exporter;
	enum kabiguard_reason reason;
	bool has_kernel_crc, has_rule_crc;
	u32 kernel_crc, rule_crc;
};

/* requester.c: the task that asked for an autoloaded module */
#define KG_REQ_NAME_MAX	KABIGUARD_MODNAME_MAX

struct kg_requester {
	char name[KG_REQ_NAME_MAX];	/* what request_module() asked for */
	pid_t pid;
	uid_t uid;
	char comm[TASK_COMM_LEN];
};

/* The process that loads a module; the strings point into buf. */
struct kg_loader {
	pid_t pid, ppid;
	uid_t uid, euid, loginuid;
	gid_t gid, egid;
	u32 sessionid, pidns;
	u64 cgroup_id;		/* 0: not obtainable */
	bool kmod_request;
	char comm[TASK_COMM_LEN];
	char tty[64];		/* "": no controlling terminal */
	char lsm_label[KABIGUARD_LABEL_MAX];	/* "": none */
	u16 argv_len;
	bool argv_truncated;
	bool argv_not_resident;	/* not read: not in memory */
	char argv[KABIGUARD_ARGV_MAX];
	const char *exe;	/* NULL: not obtainable */
	const char *cgroup;	/* NULL: not obtainable */
	bool has_req;		/* kmod_request, and the requester is known */
	struct kg_requester req;
	char buf[2 * KABIGUARD_PATH_MAX];
};

struct kg_verdict {
	struct module *mod;
	enum kabiguard_event_kind kind;
	enum kabiguard_verdict verdict;
	enum kabiguard_mode mode;
	u64 generation;
	u64 time_boot_ns, time_real_ns;
	unsigned int nr_imports;
	unsigned int nr_violations;
	unsigned int nr_listed;
	struct kg_violation *viol;
	bool sig_ok;
	unsigned int origin;	/* KG_MATCH_SIGNED, KG_MATCH_IN_TREE */
	const struct kg_loader *loader;	/* NULL for a scan */
	u64 check_ns;
	bool minimal;		/* out of memory: no loader, no list */
};

int kg_verdict_init(void);
void kg_verdict_exit(void);
void kg_log_verdict(const struct kg_verdict *v, u32 count);
int kg_verdict_scan(const char *modname, const char * const *names,
		    unsigned int nr, struct netlink_ext_ack *extack);

/* loader.c: who loads a module */
struct kg_loader *kg_loader_current(void);

int kg_requester_init(void);
void kg_requester_exit(void);
void kg_requester_find(struct kg_loader *l);

/* ring.c: the event sequence and the ring of recent events */
struct kg_ring_status {
	u32 size;
	u64 first, next, overflow;
	u64 bytes, bytes_max;
	bool is_reader;		/* the asking socket has read events */
	u64 reader_overflow;	/* its own overflow count */
};

/* repeat.c: repeated denials, published as small repeat events */
struct kg_repeat_key {
	char module[KABIGUARD_MODNAME_MAX];
	char srcversion[KABIGUARD_MODINFO_MAX];
	u64 generation;
	u32 nr_violations;
	u32 viol_hash;		/* the listed violations' symbols and reasons */
	u32 origin;		/* KG_MATCH_SIGNED, KG_MATCH_IN_TREE */
	u32 uid, euid, req_uid;
	u32 exe_hash;
	bool sig_ok;
	bool has_req;
	char comm[TASK_COMM_LEN];
};

struct kg_repeat {
	struct kg_repeat_key key;
	struct sk_buff *msg;		/* the repeat event, if it is one */
	struct nlattr *seq_attr, *of_attr, *count_attr;
};

void kg_repeat_key_init(struct kg_repeat_key *key, const struct kg_verdict *v);
u32 kg_repeat_match(struct kg_repeat *rep, u64 seq);

extern unsigned int kg_ring_size;
int kg_ring_init(void);
void kg_ring_exit(void);
u64 kg_ring_publish(struct sk_buff *msg, struct nlattr *seq_attr,
		    struct kg_repeat *rep, const struct kg_verdict *v);
bool kg_ring_has(u64 seq);
int kg_ring_reader_add(u32 portid, struct netlink_ext_ack *extack);
void kg_ring_reader_release(u32 portid);
int kg_ring_dump(struct sk_buff *skb, struct netlink_callback *cb);
void kg_ring_status(struct kg_ring_status *rs, u32 portid);

/* main.c */
const char *kg_mode_name(enum kabiguard_mode mode);

/* netlink.c: the generic netlink family */
extern struct genl_family kg_genl_family;
int kg_netlink_init(void);
void kg_netlink_exit(void);

/* netlink_rule.c: rules on the wire */
extern const struct nla_policy kg_rule_policy[KABIGUARD_RULE_A_MAX + 1];
int kg_nl_parse_rule(struct nlattr *nest, struct kg_rule_spec *spec,
		     struct netlink_ext_ack *extack);
int kg_nl_put_rule(struct sk_buff *msg, const struct kg_rule *r);

/* event.c: verdict events */
void kg_event_publish(const struct kg_verdict *v);

/* audit.c: the verdict's record in the kernel's audit trail */
void kg_audit_verdict(const struct kg_verdict *v, u64 seq);

/* ratelimit.c: verdict lines in the kernel log */
#define KG_LOG_BURST_MAX	10000U
#define KG_LOG_INTERVAL_MAX	3600U
bool kg_log_limit(unsigned int lines);
void kg_log_limit_exit(void);

#endif /* KG_GUARD_H */
