/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgclient: talking to kabiguard.ko over its generic netlink family
 * (include/uapi/linux/kabiguard.h): requests, the policy transaction,
 * the events group and ring, the retro scan; and what their errors mean.
 */
#ifndef KGC_CLIENT_H
#define KGC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kabiguard.h>
#include "kgc_policy.h"

struct kgc_client;

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
 * A connection to the family: a request socket (kgc_open()) or an events
 * socket (kgc_events_open()). kgc_open() returns -ENOENT when the
 * "kabiguard" family does not exist, i.e. kabiguard.ko is not loaded.
 */
int kgc_open(struct kgc_client **out);
void kgc_close(struct kgc_client *c);
/* The kernel's extended ACK message for the last failed request ("" when
 * none). */
const char *kgc_extack(const struct kgc_client *c);
/* After kgc_cmd_policy_add()/kgc_policy_push() failed: the rule the kernel's
 * extended ACK pointed at (an element of the caller's array), else NULL. */
const struct kgc_rule *kgc_bad_rule(const struct kgc_client *c);
/* The socket's file descriptor, to poll() it beside others. */
int kgc_fd(const struct kgc_client *c);

/*
 * Requests: each kgc_cmd_NAME() sends KABIGUARD_CMD_NAME and waits for its
 * answer.
 */
int kgc_cmd_get_status(struct kgc_client *c, struct kgc_status *st);
int kgc_cmd_set_mode(struct kgc_client *c, enum kabiguard_mode mode);
int kgc_cmd_policy_begin(struct kgc_client *c);
int kgc_cmd_policy_add(struct kgc_client *c, const struct kgc_rule *rules,
			size_t nr);
int kgc_cmd_policy_commit(struct kgc_client *c, uint64_t *generation);
int kgc_cmd_policy_abort(struct kgc_client *c);
/* The whole policy p, as one transaction: begin, add everything in
 * batches, commit; aborts on any failure. First
 * asks the status and refuses (-EOPNOTSUPP, nothing sent; kgc_bad_rule()
 * and kgc_extack() say which rule and why) a policy the kernel cannot keep
 * (kgc_policy_unsupported()). */
int kgc_policy_push(struct kgc_client *c, const struct kgc_policy *p,
		   uint64_t *generation);
int kgc_cmd_lock(struct kgc_client *c);
/* The rule's strings live in the received message: copy what you keep
 * (kgc_policy_append() does). A negative return from cb ends the dump with
 * that error. Returns -EAGAIN when a commit interrupted the dump: cb may
 * have seen part of it; start again. */
typedef int (*kgc_rule_cb)(const struct kgc_rule *rule, uint64_t generation,
			  void *arg);
int kgc_cmd_policy_get(struct kgc_client *c, kgc_rule_cb cb, void *arg);

/* Events: a separate socket subscribed to the "events" group. */
int kgc_events_open(struct kgc_client **out);
/* Waits up to timeout_ms (-1: forever). Returns 1 with *ev filled, 0 on
 * timeout, negative errno on error (-ENOBUFS: events were lost; -EINTR: a
 * signal came; -EBADMSG: a malformed event was skipped). Call
 * kgc_event_free() on each event it filled. To wait on other fds too, poll
 * kgc_fd(c) and call this with timeout 0 until it
 * returns 0. */
int kgc_events_next(struct kgc_client *c, struct kgc_event *ev, int timeout_ms);
void kgc_event_free(struct kgc_event *ev);
/* KABIGUARD_CMD_EVENTS_GET on a request socket (kgc_open()): calls cb for
 * each event still in the kernel's ring with seq >= since, oldest first,
 * and declares to the kernel that the caller has every event before since.
 * ev is valid during the call only. A negative return from cb ends the
 * dump with that error. */
typedef int (*kgc_event_cb)(const struct kgc_event *ev, void *arg);
int kgc_cmd_events_get(struct kgc_client *c, uint64_t since, kgc_event_cb cb,
		       void *arg);
const char *kgc_event_kind_name(enum kabiguard_event_kind k);

/* KABIGUARD_CMD_SCAN: check loaded module `module` against the active
 * policy as if it loaded now, given its imports; the verdict comes as an
 * event of kind KABIGUARD_EVENT_SCAN on the events group. -ENOENT: no
 * live module of that name. */
int kgc_cmd_scan(struct kgc_client *c, const char *module,
		 const char *const *names, size_t nr);

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

/* Names of the family's enums, for output and parsing. */
const char *kgc_mode_name(enum kabiguard_mode mode);
int kgc_mode_parse(const char *s, enum kabiguard_mode *mode);
const char *kgc_verdict_name(enum kabiguard_verdict v);
const char *kgc_reason_name(enum kabiguard_reason r);

/*
 * What a failed call means to the user, said the same way by every tool:
 * the class is also the exit status of kabiguardctl and kabiguardd.
 */
enum kgc_failure {
	KGC_FAIL_OTHER = 1,	/* anything else */
	KGC_FAIL_NOMOD = 3,	/* kabiguard.ko not loaded, or going away */
	KGC_FAIL_PERM = 4,	/* the caller lacks the capability */
	KGC_FAIL_LOCKED = 5,	/* policy and mode locked until reboot */
};

enum kgc_request {
	KGC_REQ_COMMAND,	/* a kgc_cmd_*() or kgc_policy_push() */
	KGC_REQ_OPEN,		/* kgc_open() */
	KGC_REQ_EVENTS,		/* kgc_events_open(): joining the group */
};

/*
 * Explains err, the negative errno a call of kind req returned on client c
 * (NULL when there is none: kgc_open() failed): writes what went wrong to
 * msg, with the kernel's extended ACK and the policy file line of the rule
 * it pointed at when there are, and returns its class: on EPERM, locked
 * or missing capability as the kernel's extended ACK says. Call it before
 * anything else on c (the next request clears kgc_extack()).
 */
enum kgc_failure kgc_explain(struct kgc_client *c, int err,
			     enum kgc_request req, char *msg, size_t len);

#endif /* KGC_CLIENT_H */
