/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kabiguard: runtime kABI guard for kernel module loads.
 *
 * This header is the whole ABI between kabiguard.ko and userspace. Both the
 * module and the tools build against it.
 *
 * Generic netlink family KABIGUARD_GENL_NAME ("kabiguard"), version
 * KABIGUARD_GENL_VERSION, multicast group KABIGUARD_MCGRP_EVENTS ("events").
 * The family exists only in the initial network namespace. Every command
 * that changes state needs CAP_SYS_MODULE in the initial user namespace
 * (-EPERM otherwise); so do the dumps (KABIGUARD_CMD_POLICY_GET,
 * KABIGUARD_CMD_EVENTS_GET), as an unfinished dump holds a reference on
 * the module and would keep it from being unloaded.
 * KABIGUARD_CMD_GET_STATUS is open to every local user. Joining the "events" group needs
 * CAP_SYS_ADMIN in the initial user namespace (-EPERM otherwise) on kernels
 * that can require it (Linux 6.7, 6.1.66 and later; KABIGUARD_FEAT_EVENTS_ADMIN
 * says so); reading the event ring needs CAP_SYS_MODULE. Attributes are validated strictly: an
 * unknown attribute, a wrong length, or a string longer than its limit or
 * without its NUL fails the whole request with -EINVAL, an enum value out of
 * range (KABIGUARD_A_MODE, KABIGUARD_RULE_A_KIND) with -ERANGE, each with an
 * extended ACK message and the offending attribute. Failed requests change
 * nothing.
 *
 * The ABI grows append-only: new attributes and commands are added at the
 * end of their enums. Userspace probes KABIGUARD_A_FEATURES in the status
 * reply for what a module can do. KABIGUARD_GENL_VERSION (the family's
 * version, as the genl controller reports it) changes only when the ABI
 * breaks: version 2 moved the loading process, the requester and the
 * ring's figures from the top level into KABIGUARD_A_LOADER,
 * KABIGUARD_A_REQUESTER and KABIGUARD_A_RING, renumbering the top-level
 * attributes. Tools refuse a module of another version.
 *
 * Commands
 * --------
 *
 * KABIGUARD_CMD_GET_STATUS (doit, open)
 *   Request: no attributes.
 *   Reply (same command): KABIGUARD_A_MODE, KABIGUARD_A_GENERATION,
 *   KABIGUARD_A_LOCKED, KABIGUARD_A_FEATURES, KABIGUARD_A_MAX_RULES,
 *   KABIGUARD_A_NR_RULES, KABIGUARD_A_NR_SYMBOL_RULES,
 *   KABIGUARD_A_NR_NAMESPACE_RULES, KABIGUARD_A_NR_ANY_RULES,
 *   KABIGUARD_A_TXN_OWNER (only while a transaction is open), the
 *   verdict counters KABIGUARD_A_CNT_*, and the event ring in
 *   KABIGUARD_A_RING (nested, KABIGUARD_RING_A_*): KABIGUARD_RING_A_SIZE,
 *   KABIGUARD_RING_A_FIRST, KABIGUARD_RING_A_NEXT,
 *   KABIGUARD_RING_A_OVERFLOW, KABIGUARD_RING_A_BYTES,
 *   KABIGUARD_RING_A_BYTES_MAX, and KABIGUARD_RING_A_READER_OVERFLOW
 *   when the asking socket has read the ring (EVENTS_GET).
 *
 * KABIGUARD_CMD_SET_MODE (doit, admin)
 *   Request: KABIGUARD_A_MODE (u32, enum kabiguard_mode), required.
 *   Errors: -EPERM when locked; -ENOENT when switching to enforce before any
 *   policy was committed (an empty policy would deny every load).
 *
 * KABIGUARD_CMD_POLICY_BEGIN (doit, admin)
 *   Opens a policy transaction owned by the requesting socket. Only one
 *   transaction exists at a time; it is aborted when its owner socket
 *   closes, so a crashed client never leaves a half-built policy.
 *   Errors: -EBUSY when another socket owns a transaction; -EPERM when
 *   locked.
 *
 * KABIGUARD_CMD_POLICY_ADD (doit, admin)
 *   Request: one or more KABIGUARD_A_RULE (nested, attributes
 *   KABIGUARD_RULE_A_*), as many as fit in one message. A batch is added
 *   whole or not at all. Only the transaction owner may add.
 *   Errors: -ENOENT without a transaction owned by this socket; -EINVAL for
 *   a malformed rule (extack points at it); -EOPNOTSUPP for a rule with
 *   KABIGUARD_RULE_A_CRC on a kernel without CRCs (KABIGUARD_FEAT_MODVERSIONS
 *   clear), or with unknown flags; -E2BIG when the transaction would
 *   exceed the max_rules module parameter.
 *
 * KABIGUARD_CMD_POLICY_COMMIT (doit, admin)
 *   Replaces the active policy with the transaction's rules in one step and
 *   bumps the generation. Every module load is checked against exactly one
 *   whole policy. Reply (same command): KABIGUARD_A_GENERATION,
 *   KABIGUARD_A_NR_RULES.
 *
 * KABIGUARD_CMD_POLICY_ABORT (doit, admin)
 *   Drops the transaction owned by this socket.
 *
 * KABIGUARD_CMD_POLICY_GET (dump, admin)
 *   Dumps the active policy: one message per rule carrying
 *   KABIGUARD_A_GENERATION and one KABIGUARD_A_RULE. A commit during the
 *   dump sets NLM_F_DUMP_INTR on the following messages; restart then.
 *
 * KABIGUARD_CMD_LOCK (doit, admin)
 *   Seals policy, mode and the module parameters until reboot and takes a
 *   reference on the module so it cannot be unloaded. Afterwards SET_MODE,
 *   POLICY_BEGIN and LOCK fail with -EPERM, and so does every write to
 *   /sys/module/kabiguard/parameters/. Locking with no committed policy
 *   in enforce mode is allowed (it then denies every load, which is what
 *   was asked for). Errors: -EPERM when already locked; -ENODEV when the
 *   module is being unloaded (nothing is locked).
 *
 * KABIGUARD_CMD_VERDICT (multicast on "events", kernel to user only)
 *   Sent for every module load checked in audit or enforce mode, and for
 *   every module checked by KABIGUARD_CMD_SCAN. Attributes:
 *   KABIGUARD_A_SEQ, KABIGUARD_A_EVENT_KIND, KABIGUARD_A_TIME_BOOT_NS,
 *   KABIGUARD_A_TIME_REAL_NS, KABIGUARD_A_VERDICT, KABIGUARD_A_MODE,
 *   KABIGUARD_A_GENERATION, KABIGUARD_A_MODULE, KABIGUARD_A_SIG_OK,
 *   KABIGUARD_A_TAINTS, KABIGUARD_A_NR_IMPORTS, KABIGUARD_A_NR_VIOLATIONS,
 *   KABIGUARD_A_CHECK_NS, KABIGUARD_A_MODULE_VERSION and
 *   KABIGUARD_A_SRCVERSION when the module has them; for loads the loading
 *   process in KABIGUARD_A_LOADER (nested, KABIGUARD_LOADER_A_*):
 *   KABIGUARD_LOADER_A_PID, _PPID, _UID, _EUID, _GID, _EGID,
 *   KABIGUARD_LOADER_A_LOGINUID and _SESSIONID (when the kernel audits),
 *   KABIGUARD_LOADER_A_COMM, _TTY, _EXE, KABIGUARD_LOADER_A_CGROUP and
 *   _CGROUP_ID (when obtainable), KABIGUARD_LOADER_A_PIDNS,
 *   _KMOD_REQUEST, _ARGV and _ARGV_TRUNCATED, KABIGUARD_LOADER_A_LSM_LABEL
 *   (when an LSM gives one); then
 *   one KABIGUARD_A_VIOLATION (nested, KABIGUARD_VIOL_A_*) per import that
 *   no rule allows, in import order. At most KABIGUARD_MAX_VIOLATIONS
 *   violations are listed; KABIGUARD_A_NR_VIOLATIONS always holds the full
 *   count. For a load the kernel started (request_module()), also the task
 *   that asked for it, when the guard saw the request: KABIGUARD_A_REQUESTER
 *   (nested, KABIGUARD_REQUESTER_A_*, all four always present):
 *   KABIGUARD_REQUESTER_A_PID, _UID, _COMM and _NAME.
 *
 *   Repeated denials: a denial identical to one whose full event is still
 *   in the ring (same module name and srcversion, same policy generation
 *   and violation count, same loader uid, euid, comm and executable, same
 *   requesting uid) is a repeat event. It has its own sequence number and
 *   is multicast like any other (a follower sees every load), but it is
 *   small: the module's own attributes (KABIGUARD_A_SEQ to
 *   KABIGUARD_A_EVENT_FLAGS, with KABIGUARD_EVF_VIOLATIONS_CUT set and no
 *   violation listed), KABIGUARD_A_LOADER with only
 *   KABIGUARD_LOADER_A_PID, _UID, _EUID, _COMM and _KMOD_REQUEST,
 *   KABIGUARD_A_REQUESTER when the full event has it,
 *   KABIGUARD_A_REPEAT_OF (the full event's sequence number) and
 *   KABIGUARD_A_REPEAT_COUNT (the denial's count so far). In the ring,
 *   repeat events do not take the slots of full events: ring_size full
 *   events are kept and, besides them, up to ring_size repeat events, so
 *   a flood of one denial pushes out older repeats only, never an earlier
 *   verdict; the newest repeat event holds the whole count.
 *
 *   Events are bounded: every string a module controls is cut to its
 *   limit (KABIGUARD_A_MODULE at KABIGUARD_MODNAME_MAX,
 *   KABIGUARD_A_MODULE_VERSION and KABIGUARD_A_SRCVERSION at
 *   KABIGUARD_MODINFO_MAX, KABIGUARD_VIOL_A_SYMBOL at KABIGUARD_SYMBOL_MAX
 *   or the kernel's KSYM_NAME_LEN when smaller, KABIGUARD_VIOL_A_NAMESPACE
 *   at KABIGUARD_NAMESPACE_MAX, KABIGUARD_VIOL_A_EXPORTER at
 *   KABIGUARD_MODNAME_MAX; NUL included), and a cut is flagged: in
 *   KABIGUARD_A_EVENT_FLAGS for the module's strings, in
 *   KABIGUARD_VIOL_A_FLAGS for a violation's. No attribute comes near
 *   the 64 KiB netlink attribute limit. A whole event's genl payload is at
 *   most KABIGUARD_EVENT_MAX bytes: when the violations do not all fit,
 *   fewer are listed and KABIGUARD_EVF_VIOLATIONS_CUT is set (and
 *   KABIGUARD_A_NR_VIOLATIONS still holds the full count). Every checked
 *   load gets a sequence number and an event: when memory is short the
 *   event is a minimal one (KABIGUARD_EVF_MINIMAL: no loading process, no
 *   violations listed, counts and verdict still right). The
 *   verdict's decision never depends on what fits in the event.
 *
 * KABIGUARD_CMD_EVENTS_GET (dump, admin)
 *   The kernel keeps the last ring_size (module parameter) events in a
 *   ring, fewer when their payloads exceed ring_bytes (module parameter).
 *   Request: KABIGUARD_A_SEQ (u64, optional): the first sequence number
 *   wanted; the caller declares it has every earlier event. Reply:
 *   one KABIGUARD_CMD_VERDICT message per event still in the ring with a
 *   sequence number at or after it, oldest first. Each dump message has room
 *   for the largest event (KABIGUARD_EVENT_MAX), so no event is ever
 *   skipped for its size; a reader's receive buffer must take a datagram
 *   of at least KABIGUARD_EVENT_MAX plus the netlink and genl headers.
 *   A declaration never reaches beyond the events that exist. Each
 *   socket that dumps the ring is a reader (at most 64 at a time, -EBUSY
 *   beyond) with its own position and its own overflow count: events
 *   that left the ring before it declared having them, reported to it
 *   in KABIGUARD_RING_A_READER_OVERFLOW. KABIGUARD_RING_A_OVERFLOW
 *   counts the events that left before some open reader had them (with
 *   no reader open: before any reader had declared them), so no
 *   reader's request hides another's loss. A reader that missed multicast messages
 *   (ENOBUFS on its socket, or a restart) catches up here with no gap
 *   (unless the ring overflowed) and no duplicate.
 *
 * KABIGUARD_CMD_SCAN (doit, admin)
 *   Checks a module that is already loaded, as if it were loading now,
 *   and publishes the verdict as an event of kind KABIGUARD_EVENT_SCAN
 *   (verdict ALLOWED or AUDITED, never DENIED). A loaded module's imports
 *   are no longer in kernel memory, so userspace reads them from the
 *   module's file and sends them: KABIGUARD_A_MODULE (required) and one
 *   KABIGUARD_A_IMPORT (nested, KABIGUARD_IMPORT_A_*) per import. Their
 *   exporter, namespace and CRC come from the running kernel, as for a
 *   load. Errors: -ENOENT when no live module has that name.
 *
 * Rules
 * -----
 *
 * A module load is allowed when every import is matched by some rule. A
 * rule (nested in KABIGUARD_A_RULE) has:
 *   KABIGUARD_RULE_A_KIND      u32, enum kabiguard_rule_kind, required.
 *   KABIGUARD_RULE_A_NAME      string: symbol name (SYMBOL) or namespace
 *                              (NAMESPACE); required for those, absent for
 *                              ANY. At most KABIGUARD_SYMBOL_MAX bytes with
 *                              the NUL.
 *   KABIGUARD_RULE_A_NAMESPACE string, SYMBOL only: the namespace the
 *                              symbol must be exported in ("pinned").
 *                              Absent: any namespace, unless FLAGS has
 *                              KABIGUARD_RULE_F_NS_PINNED (then none).
 *   KABIGUARD_RULE_A_EXPORTER  string: the symbol must be exported by this
 *                              module ("vmlinux" for the kernel image).
 *   KABIGUARD_RULE_A_CRC       u32, SYMBOL only: the running kernel's CRC
 *                              for the symbol must equal this value. Only
 *                              on kernels with CRCs (CONFIG_MODVERSIONS;
 *                              KABIGUARD_FEAT_MODVERSIONS in the status):
 *                              elsewhere POLICY_ADD refuses the rule with
 *                              -EOPNOTSUPP rather than keep a rule that
 *                              could never allow anything. An export of
 *                              a module built without CRCs has none: a
 *                              rule pinning one refuses it (CRC_MISMATCH,
 *                              no kernel CRC in the violation).
 *   KABIGUARD_RULE_A_MODULE    string: the rule applies only to the module
 *                              of this name (a per-module exception).
 *   KABIGUARD_RULE_A_FLAGS     u32, KABIGUARD_RULE_F_*; unknown bits are
 *                              rejected with -EOPNOTSUPP.
 *
 * SYMBOL rules match one symbol by name, NAMESPACE rules every symbol of a
 * namespace, ANY rules every symbol (narrow them with EXPORTER, MODULE or
 * KABIGUARD_RULE_F_SIGNED_ONLY). A rule with KABIGUARD_RULE_F_SIGNED_ONLY
 * allows only modules whose signature the kernel verified: for unsigned
 * modules the rule does not exist, as with Android GKI's protected exports.
 * "Verified" is the kernel's struct module sig_ok: the signature checks
 * out against a key of the builtin trusted keyring, the secondary
 * trusted keyring or (Linux 5.19+ with CONFIG_INTEGRITY_MACHINE_KEYRING,
 * when shim says so) the machine keyring, that is enrolled MOK keys, which
 * is what DKMS signs with on a Secure Boot host. So signed-only alone
 * admits every DKMS-built module there: KABIGUARD_RULE_F_IN_TREE narrows
 * it to signed modules the kernel does not taint as out-of-tree. On a
 * kernel without CONFIG_MODULE_SIG (KABIGUARD_FEAT_SIG clear) every module
 * would count as signed: POLICY_ADD refuses signed-only rules there
 * (-EOPNOTSUPP, the extack says why).
 *
 * Namespaces: a SYMBOL rule that names only the symbol (what Red Hat's
 * stablelists and whitelists, SUSE's symsets and GKI symbol lists say)
 * allows it in whatever namespace the kernel exports it. Whether the
 * module may use that namespace (MODULE_IMPORT_NS()) is the loader's
 * question, answered before kabiguard sees the module; kabiguard never
 * asks it again. A SYMBOL rule with KABIGUARD_RULE_A_NAMESPACE pins the
 * symbol to that namespace, one with KABIGUARD_RULE_F_NS_PINNED and no
 * namespace pins it to none (rules made from Module.symvers are pinned
 * either way); a pinned rule for a symbol exported in another namespace
 * refuses it (KABIGUARD_REASON_NAMESPACE). A sender that predates
 * KABIGUARD_RULE_F_NS_PINNED and sends no namespace gets a name-only
 * rule: any namespace (before, such a rule meant "none"; a kernel that
 * predates the flag refuses it as an unknown flag, -EOPNOTSUPP).
 *
 * Module-restricted exports (EXPORT_SYMBOL_FOR_MODULES(sym, "a,b"), Linux
 * 6.16+; EXPORT_SYMBOL_GPL_FOR_MODULES in 6.16 and 6.12.117+) are in the
 * namespace "module:a,b", which verdicts report as it is. The loader lets
 * the listed modules use them without MODULE_IMPORT_NS(); a list entry
 * matches a module name with '-' and '_' taken as equal, and one ending
 * in '*' matches any name it begins. kabiguard follows it: for an import
 * in a "module:" namespace that lists the importing module, a SYMBOL
 * rule pinned to no namespace (KABIGUARD_RULE_F_NS_PINNED) applies as if
 * the symbol had none, a name-only rule allows it as it allows any
 * namespace (and no rule naming it gives KABIGUARD_REASON_NOT_ALLOWED).
 * A SYMBOL rule with KABIGUARD_RULE_A_NAMESPACE, or a NAMESPACE rule,
 * must give the whole string ("module:a,b", as Module.symvers has it),
 * compared as any namespace, whoever imports. An import whose "module:"
 * list does not name the importer is treated as any namespaced import.
 *
 * Livepatches
 * -----------
 *
 * Besides its undefined (SHN_UNDEF) symbols, the loader resolves, before
 * MODULE_STATE_COMING, a module's livepatch relocation symbols: entries
 * with st_shndx SHN_LIVEPATCH named ".klp.sym.OBJ.NAME,POS", used by
 * ".klp.rela.OBJ.SECTION" relocation sections, looked up through kallsyms
 * (any symbol, exported or not). kabiguard counts each of them as an
 * import (KABIGUARD_A_NR_IMPORTS) and refuses it with
 * KABIGUARD_REASON_LIVEPATCH; a livepatch module (modinfo livepatch=Y)
 * gets one more violation of that reason, with an empty symbol, for
 * itself. Both are allowed only by a KABIGUARD_RULE_LIVEPATCH rule: it
 * takes no name, namespace, exporter or CRC; KABIGUARD_RULE_A_MODULE
 * limits it to one module and KABIGUARD_RULE_F_SIGNED_ONLY to signed
 * modules. It allows being a livepatch and every livepatch relocation of
 * the module; the module's ordinary imports are still checked by the
 * other rules, and no other rule kind (not even ANY) allows a livepatch
 * reference. References the guard cannot account for (see
 * KABIGUARD_REASON_UNVERIFIABLE) are refused by every policy.
 */
#ifndef _UAPI_LINUX_KABIGUARD_H
#define _UAPI_LINUX_KABIGUARD_H

#define KABIGUARD_GENL_NAME	"kabiguard"
#define KABIGUARD_GENL_VERSION	2
#define KABIGUARD_MCGRP_EVENTS	"events"

/* Longest strings accepted, NUL included. */
#define KABIGUARD_SYMBOL_MAX	512	/* KSYM_NAME_LEN since v6.1 */
#define KABIGUARD_NAMESPACE_MAX	128
#define KABIGUARD_MODNAME_MAX	64	/* at least MODULE_NAME_LEN */
#define KABIGUARD_PATH_MAX	512	/* KABIGUARD_LOADER_A_EXE, _CGROUP */
#define KABIGUARD_ARGV_MAX	512	/* KABIGUARD_LOADER_A_ARGV */
#define KABIGUARD_LABEL_MAX	256	/* KABIGUARD_LOADER_A_LSM_LABEL */

#define KABIGUARD_MODINFO_MAX	128	/* KABIGUARD_A_MODULE_VERSION, _SRCVERSION */

/* Violations listed in one verdict event. */
#define KABIGUARD_MAX_VIOLATIONS	256

/* Most genl payload bytes (attributes) of one KABIGUARD_CMD_VERDICT. */
#define KABIGUARD_EVENT_MAX	(24 * 1024)

/**
 * enum kabiguard_mode - what the guard does with a module load
 * @KABIGUARD_MODE_OFF: nothing is checked, no events.
 * @KABIGUARD_MODE_AUDIT: every load is checked and reported, none denied.
 * @KABIGUARD_MODE_ENFORCE: loads with violations fail with -EPERM.
 */
enum kabiguard_mode {
	KABIGUARD_MODE_OFF,
	KABIGUARD_MODE_AUDIT,
	KABIGUARD_MODE_ENFORCE,
	__KABIGUARD_MODE_MAX
};

#define KABIGUARD_MODE_MAX (__KABIGUARD_MODE_MAX - 1)

/**
 * enum kabiguard_verdict - outcome of one module load check
 * @KABIGUARD_VERDICT_ALLOWED: every import is allowed.
 * @KABIGUARD_VERDICT_AUDITED: violations found, load allowed (audit mode).
 * @KABIGUARD_VERDICT_DENIED: violations found, load failed with -EPERM.
 */
enum kabiguard_verdict {
	KABIGUARD_VERDICT_ALLOWED,
	KABIGUARD_VERDICT_AUDITED,
	KABIGUARD_VERDICT_DENIED,
	__KABIGUARD_VERDICT_MAX
};

/**
 * enum kabiguard_rule_kind - what a rule matches
 * @KABIGUARD_RULE_SYMBOL: one symbol, by name.
 * @KABIGUARD_RULE_NAMESPACE: every symbol exported in one namespace.
 * @KABIGUARD_RULE_ANY: every symbol.
 * @KABIGUARD_RULE_LIVEPATCH: livepatch modules and their livepatch
 *	relocations (see "Livepatches" above); matches no ordinary import.
 */
enum kabiguard_rule_kind {
	KABIGUARD_RULE_SYMBOL,
	KABIGUARD_RULE_NAMESPACE,
	KABIGUARD_RULE_ANY,
	KABIGUARD_RULE_LIVEPATCH,
	__KABIGUARD_RULE_KIND_MAX
};

#define KABIGUARD_RULE_KIND_MAX (__KABIGUARD_RULE_KIND_MAX - 1)

/**
 * enum kabiguard_rule_flags - rule modifiers
 * @KABIGUARD_RULE_F_SIGNED_ONLY: the rule allows only modules with a
 *	signature the kernel verified (struct module sig_ok).
 * @KABIGUARD_RULE_F_NS_PINNED: SYMBOL rules only: the symbol must be in
 *	the namespace KABIGUARD_RULE_A_NAMESPACE names, or in none when it
 *	is absent. Without it and without a namespace, a SYMBOL rule allows
 *	the symbol in any namespace. Implied by KABIGUARD_RULE_A_NAMESPACE.
 * @KABIGUARD_RULE_F_IN_TREE: with KABIGUARD_RULE_F_SIGNED_ONLY only (alone
 *	it is refused, -EINVAL): the rule allows only modules the kernel
 *	does not taint out-of-tree (TAINT_OOT_MODULE, "O"), i.e. built in
 *	the kernel tree, with modinfo intree=Y. That mark is the module's
 *	own claim; a verified signature makes it the signer's.
 */
enum kabiguard_rule_flags {
	KABIGUARD_RULE_F_SIGNED_ONLY = 1U << 0,
	KABIGUARD_RULE_F_NS_PINNED = 1U << 1,
	KABIGUARD_RULE_F_IN_TREE = 1U << 2,
	__KABIGUARD_RULE_F_ALL = KABIGUARD_RULE_F_SIGNED_ONLY |
				 KABIGUARD_RULE_F_NS_PINNED |
				 KABIGUARD_RULE_F_IN_TREE,
};

/**
 * enum kabiguard_reason - why an import is a violation
 * @KABIGUARD_REASON_NOT_ALLOWED: no rule names the symbol.
 * @KABIGUARD_REASON_NAMESPACE: the symbol is exported in a namespace that
 *	no rule allows (or a symbol rule names another namespace).
 * @KABIGUARD_REASON_CRC_MISMATCH: a symbol rule pins a CRC and the running
 *	kernel's CRC differs; both are reported.
 * @KABIGUARD_REASON_EXPORTER: rules name the symbol but another exporter.
 * @KABIGUARD_REASON_UNSIGNED: only signed-only rules allow the symbol and
 *	the module is not signed.
 * @KABIGUARD_REASON_LIVEPATCH: a livepatch reference, and no
 *	KABIGUARD_RULE_LIVEPATCH rule allows the module: either a livepatch
 *	relocation symbol (KABIGUARD_VIOL_A_SYMBOL ".klp.sym.OBJ.NAME,POS",
 *	resolved by the loader to any kernel symbol, exported or not), or,
 *	with an empty KABIGUARD_VIOL_A_SYMBOL, the module itself being a
 *	livepatch module (modinfo livepatch=Y).
 * @KABIGUARD_REASON_UNVERIFIABLE: a reference the guard cannot account
 *	for, whatever the policy: an undefined symbol holding a value that
 *	no export of its name has (a nameless one has an empty
 *	KABIGUARD_VIOL_A_SYMBOL), an absolute (SHN_ABS) symbol holding a
 *	kernel address, or a symbol in a reserved section index the loader
 *	does not define. No rule allows it.
 * @KABIGUARD_REASON_OUT_OF_TREE: only signed-only in-tree rules
 *	(KABIGUARD_RULE_F_IN_TREE) allow the symbol and the module, signed,
 *	is tainted out-of-tree.
 */
enum kabiguard_reason {
	KABIGUARD_REASON_NOT_ALLOWED,
	KABIGUARD_REASON_NAMESPACE,
	KABIGUARD_REASON_CRC_MISMATCH,
	KABIGUARD_REASON_EXPORTER,
	KABIGUARD_REASON_UNSIGNED,
	KABIGUARD_REASON_LIVEPATCH,
	KABIGUARD_REASON_UNVERIFIABLE,
	KABIGUARD_REASON_OUT_OF_TREE,
	__KABIGUARD_REASON_MAX
};

/**
 * enum kabiguard_features - KABIGUARD_A_FEATURES bits
 * @KABIGUARD_FEAT_ENFORCE: the running kernel honours a denial.
 * @KABIGUARD_FEAT_MODVERSIONS: the kernel has CRCs for its exports
 *	(CONFIG_MODVERSIONS) and kabiguard checks KABIGUARD_RULE_A_CRC; clear,
 *	POLICY_ADD refuses rules with a CRC (-EOPNOTSUPP).
 * @KABIGUARD_FEAT_SIG: the kernel verifies module signatures.
 * @KABIGUARD_FEAT_RING: events are kept in a ring (KABIGUARD_CMD_EVENTS_GET).
 * @KABIGUARD_FEAT_SCAN: KABIGUARD_CMD_SCAN is available.
 * @KABIGUARD_FEAT_EVENTS_ADMIN: joining the "events" multicast group needs
 *	CAP_SYS_ADMIN; clear on kernels that cannot require it (before Linux
 *	6.7 and 6.1.66), where any local user may listen.
 */
enum kabiguard_features {
	KABIGUARD_FEAT_ENFORCE = 1U << 0,
	KABIGUARD_FEAT_MODVERSIONS = 1U << 1,
	KABIGUARD_FEAT_SIG = 1U << 2,
	KABIGUARD_FEAT_RING = 1U << 3,
	KABIGUARD_FEAT_SCAN = 1U << 4,
	KABIGUARD_FEAT_EVENTS_ADMIN = 1U << 5,
};

/**
 * enum kabiguard_event_kind - what produced a verdict event
 * @KABIGUARD_EVENT_LOAD: a module load.
 * @KABIGUARD_EVENT_SCAN: KABIGUARD_CMD_SCAN of a module already loaded.
 */
enum kabiguard_event_kind {
	KABIGUARD_EVENT_LOAD,
	KABIGUARD_EVENT_SCAN,
	__KABIGUARD_EVENT_KIND_MAX
};

/**
 * enum kabiguard_event_flags - KABIGUARD_A_EVENT_FLAGS bits
 * @KABIGUARD_EVF_MODULE_TRUNC: KABIGUARD_A_MODULE was cut short.
 * @KABIGUARD_EVF_VERSION_TRUNC: KABIGUARD_A_MODULE_VERSION was cut short.
 * @KABIGUARD_EVF_SRCVERSION_TRUNC: KABIGUARD_A_SRCVERSION was cut short.
 * @KABIGUARD_EVF_VIOLATIONS_CUT: fewer violations are listed than
 *	KABIGUARD_A_NR_VIOLATIONS counts (KABIGUARD_MAX_VIOLATIONS, the
 *	event size limit, or a minimal event).
 * @KABIGUARD_EVF_MINIMAL: memory was short: a minimal event, without the
 *	loading process and without violations.
 * @KABIGUARD_EVF_ARGV_NOT_RESIDENT: part of the loading process's command
 *	line was not in memory and was left out of KABIGUARD_LOADER_A_ARGV:
 *	the guard reads user memory only without faulting, so that no page
 *	a process controls (userfaultfd, FUSE, swap) can stall module loads.
 */
enum kabiguard_event_flags {
	KABIGUARD_EVF_MODULE_TRUNC = 1U << 0,
	KABIGUARD_EVF_VERSION_TRUNC = 1U << 1,
	KABIGUARD_EVF_SRCVERSION_TRUNC = 1U << 2,
	KABIGUARD_EVF_VIOLATIONS_CUT = 1U << 3,
	KABIGUARD_EVF_MINIMAL = 1U << 4,
	KABIGUARD_EVF_ARGV_NOT_RESIDENT = 1U << 5,
};

/**
 * enum kabiguard_viol_flags - KABIGUARD_VIOL_A_FLAGS bits
 * @KABIGUARD_VIOLF_SYMBOL_TRUNC: KABIGUARD_VIOL_A_SYMBOL was cut short.
 * @KABIGUARD_VIOLF_NAMESPACE_TRUNC: KABIGUARD_VIOL_A_NAMESPACE was cut short.
 * @KABIGUARD_VIOLF_EXPORTER_TRUNC: KABIGUARD_VIOL_A_EXPORTER was cut short.
 */
enum kabiguard_viol_flags {
	KABIGUARD_VIOLF_SYMBOL_TRUNC = 1U << 0,
	KABIGUARD_VIOLF_NAMESPACE_TRUNC = 1U << 1,
	KABIGUARD_VIOLF_EXPORTER_TRUNC = 1U << 2,
};

enum kabiguard_cmd {
	KABIGUARD_CMD_UNSPEC,
	KABIGUARD_CMD_GET_STATUS,
	KABIGUARD_CMD_SET_MODE,
	KABIGUARD_CMD_POLICY_BEGIN,
	KABIGUARD_CMD_POLICY_ADD,
	KABIGUARD_CMD_POLICY_COMMIT,
	KABIGUARD_CMD_POLICY_ABORT,
	KABIGUARD_CMD_POLICY_GET,
	KABIGUARD_CMD_LOCK,
	KABIGUARD_CMD_VERDICT,
	KABIGUARD_CMD_EVENTS_GET,
	KABIGUARD_CMD_SCAN,
	__KABIGUARD_CMD_MAX
};

#define KABIGUARD_CMD_MAX (__KABIGUARD_CMD_MAX - 1)

/**
 * enum kabiguard_attr - top-level attributes
 * @KABIGUARD_A_MODE: u32, enum kabiguard_mode.
 * @KABIGUARD_A_GENERATION: u64, active policy generation (0: none yet).
 * @KABIGUARD_A_LOCKED: u8, 1 once KABIGUARD_CMD_LOCK succeeded.
 * @KABIGUARD_A_FEATURES: u32, enum kabiguard_features bits.
 * @KABIGUARD_A_MAX_RULES: u32, the max_rules module parameter.
 * @KABIGUARD_A_NR_RULES: u32, rules in the active policy.
 * @KABIGUARD_A_NR_SYMBOL_RULES: u32, of which SYMBOL rules.
 * @KABIGUARD_A_NR_NAMESPACE_RULES: u32, of which NAMESPACE rules.
 * @KABIGUARD_A_NR_ANY_RULES: u32, of which ANY rules.
 * @KABIGUARD_A_TXN_OWNER: u32, netlink port id owning the open transaction.
 * @KABIGUARD_A_CNT_CHECKED: u64, module loads checked.
 * @KABIGUARD_A_CNT_ALLOWED: u64, loads with no violation.
 * @KABIGUARD_A_CNT_AUDITED: u64, loads allowed with violations.
 * @KABIGUARD_A_CNT_DENIED: u64, loads denied.
 * @KABIGUARD_A_CNT_VIOLATIONS: u64, violating imports seen in all loads.
 * @KABIGUARD_A_RULE: nested, KABIGUARD_RULE_A_*; repeated in POLICY_ADD.
 * @KABIGUARD_A_VERDICT: u32, enum kabiguard_verdict.
 * @KABIGUARD_A_MODULE: string, name of the module being loaded.
 * @KABIGUARD_A_MODULE_VERSION: string, MODULE_VERSION of it.
 * @KABIGUARD_A_SRCVERSION: string, its srcversion.
 * @KABIGUARD_A_SIG_OK: u8, 1 when the kernel verified its signature.
 * @KABIGUARD_A_TAINTS: u64, the module's taint bits (TAINT_* numbers).
 * @KABIGUARD_A_NR_IMPORTS: u32, symbols the module imports: for a load,
 *	every symbol table entry the loader resolved (undefined, livepatch
 *	relocation and unverifiable ones; see "Livepatches").
 * @KABIGUARD_A_NR_VIOLATIONS: u32, imports no rule allows.
 * @KABIGUARD_A_VIOLATION: nested, KABIGUARD_VIOL_A_*; repeated.
 * @KABIGUARD_A_CHECK_NS: u64, time the check took, in nanoseconds.
 * @KABIGUARD_A_SEQ: u64, event sequence number, from 1, monotonic per boot;
 *	in EVENTS_GET requests the first one wanted.
 * @KABIGUARD_A_EVENT_KIND: u32, enum kabiguard_event_kind.
 * @KABIGUARD_A_TIME_BOOT_NS: u64, CLOCK_BOOTTIME of the verdict.
 * @KABIGUARD_A_TIME_REAL_NS: u64, CLOCK_REALTIME of the verdict.
 * @KABIGUARD_A_IMPORT: nested, KABIGUARD_IMPORT_A_*; repeated in SCAN.
 * @KABIGUARD_A_EVENT_FLAGS: u32, enum kabiguard_event_flags bits; in
 *	every verdict event.
 * @KABIGUARD_A_REPEAT_OF: u64, in a repeat event: the sequence number of
 *	the full event of the denial it repeats (see "Repeated denials").
 * @KABIGUARD_A_REPEAT_COUNT: u32, in a repeat event: how many times this
 *	denial has happened, the full event's included (2 for the first
 *	repeat).
 * @KABIGUARD_A_LOADER: nested, KABIGUARD_LOADER_A_*: the loading process
 *	of a load (see KABIGUARD_CMD_VERDICT).
 * @KABIGUARD_A_REQUESTER: nested, KABIGUARD_REQUESTER_A_*: for a load the
 *	kernel started (KABIGUARD_LOADER_A_KMOD_REQUEST 1), the task whose
 *	request_module() asked for it, when the guard saw the request (the
 *	kernel's module_request tracepoint, within the last minute).
 * @KABIGUARD_A_RING: nested, KABIGUARD_RING_A_*: the event ring, in the
 *	status reply.
 */
enum kabiguard_attr {
	KABIGUARD_A_UNSPEC,
	KABIGUARD_A_PAD,
	KABIGUARD_A_MODE,
	KABIGUARD_A_GENERATION,
	KABIGUARD_A_LOCKED,
	KABIGUARD_A_FEATURES,
	KABIGUARD_A_MAX_RULES,
	KABIGUARD_A_NR_RULES,
	KABIGUARD_A_NR_SYMBOL_RULES,
	KABIGUARD_A_NR_NAMESPACE_RULES,
	KABIGUARD_A_NR_ANY_RULES,
	KABIGUARD_A_TXN_OWNER,
	KABIGUARD_A_CNT_CHECKED,
	KABIGUARD_A_CNT_ALLOWED,
	KABIGUARD_A_CNT_AUDITED,
	KABIGUARD_A_CNT_DENIED,
	KABIGUARD_A_CNT_VIOLATIONS,
	KABIGUARD_A_RULE,
	KABIGUARD_A_VERDICT,
	KABIGUARD_A_MODULE,
	KABIGUARD_A_MODULE_VERSION,
	KABIGUARD_A_SRCVERSION,
	KABIGUARD_A_SIG_OK,
	KABIGUARD_A_TAINTS,
	KABIGUARD_A_NR_IMPORTS,
	KABIGUARD_A_NR_VIOLATIONS,
	KABIGUARD_A_VIOLATION,
	KABIGUARD_A_CHECK_NS,
	KABIGUARD_A_SEQ,
	KABIGUARD_A_EVENT_KIND,
	KABIGUARD_A_TIME_BOOT_NS,
	KABIGUARD_A_TIME_REAL_NS,
	KABIGUARD_A_IMPORT,
	KABIGUARD_A_EVENT_FLAGS,
	KABIGUARD_A_REPEAT_OF,
	KABIGUARD_A_REPEAT_COUNT,
	KABIGUARD_A_LOADER,
	KABIGUARD_A_REQUESTER,
	KABIGUARD_A_RING,
	__KABIGUARD_A_MAX
};

#define KABIGUARD_A_MAX (__KABIGUARD_A_MAX - 1)

/**
 * enum kabiguard_loader_attr - attributes nested in KABIGUARD_A_LOADER
 * @KABIGUARD_LOADER_A_PAD: padding of the u64 attributes.
 * @KABIGUARD_LOADER_A_PID: u32, pid (thread group id) of the loading
 *	process.
 * @KABIGUARD_LOADER_A_PPID: u32, pid of its parent.
 * @KABIGUARD_LOADER_A_UID: u32, its real uid in the initial user namespace.
 * @KABIGUARD_LOADER_A_EUID: u32, its effective uid (initial user
 *	namespace).
 * @KABIGUARD_LOADER_A_GID: u32, its real gid (initial user namespace).
 * @KABIGUARD_LOADER_A_EGID: u32, its effective gid (initial user
 *	namespace).
 * @KABIGUARD_LOADER_A_LOGINUID: u32, its audit login uid (4294967295:
 *	unset).
 * @KABIGUARD_LOADER_A_SESSIONID: u32, its audit session id (4294967295:
 *	unset).
 * @KABIGUARD_LOADER_A_COMM: string, its comm.
 * @KABIGUARD_LOADER_A_TTY: string, name of its controlling terminal
 *	("pts0", "ttyS0"); absent when it has none.
 * @KABIGUARD_LOADER_A_EXE: string, path of its executable.
 * @KABIGUARD_LOADER_A_CGROUP: string, its cgroup v2 path.
 * @KABIGUARD_LOADER_A_CGROUP_ID: u64, id of its cgroup v2 (the inode
 *	number of the cgroup's directory, as bpf_get_current_cgroup_id()
 *	gives it).
 * @KABIGUARD_LOADER_A_PIDNS: u32, inode number of its pid namespace (as
 *	in /proc/PID/ns/pid).
 * @KABIGUARD_LOADER_A_KMOD_REQUEST: u8, 1 when the loader was started by
 *	the kernel (request_module(), its parent is a kernel thread), 0 for
 *	a load a user process asked for.
 * @KABIGUARD_LOADER_A_ARGV: binary, its command line as /proc/PID/cmdline
 *	has it (each argument followed by a NUL), at most KABIGUARD_ARGV_MAX
 *	bytes.
 * @KABIGUARD_LOADER_A_ARGV_TRUNCATED: u8, 1 when the command line was
 *	longer than KABIGUARD_LOADER_A_ARGV holds (its last argument is then
 *	cut short).
 * @KABIGUARD_LOADER_A_LSM_LABEL: string, its security context as the
 *	active LSM gives it (SELinux "system_u:system_r:kmod_t:s0", AppArmor
 *	"unconfined"), at most KABIGUARD_LABEL_MAX - 1 bytes.
 */
enum kabiguard_loader_attr {
	KABIGUARD_LOADER_A_UNSPEC,
	KABIGUARD_LOADER_A_PAD,
	KABIGUARD_LOADER_A_PID,
	KABIGUARD_LOADER_A_PPID,
	KABIGUARD_LOADER_A_UID,
	KABIGUARD_LOADER_A_EUID,
	KABIGUARD_LOADER_A_GID,
	KABIGUARD_LOADER_A_EGID,
	KABIGUARD_LOADER_A_LOGINUID,
	KABIGUARD_LOADER_A_SESSIONID,
	KABIGUARD_LOADER_A_COMM,
	KABIGUARD_LOADER_A_TTY,
	KABIGUARD_LOADER_A_EXE,
	KABIGUARD_LOADER_A_CGROUP,
	KABIGUARD_LOADER_A_CGROUP_ID,
	KABIGUARD_LOADER_A_PIDNS,
	KABIGUARD_LOADER_A_KMOD_REQUEST,
	KABIGUARD_LOADER_A_ARGV,
	KABIGUARD_LOADER_A_ARGV_TRUNCATED,
	KABIGUARD_LOADER_A_LSM_LABEL,
	__KABIGUARD_LOADER_A_MAX
};

#define KABIGUARD_LOADER_A_MAX (__KABIGUARD_LOADER_A_MAX - 1)

/**
 * enum kabiguard_requester_attr - attributes nested in KABIGUARD_A_REQUESTER
 * @KABIGUARD_REQUESTER_A_PID: u32, its pid (thread group id).
 * @KABIGUARD_REQUESTER_A_UID: u32, its real uid (initial user namespace).
 * @KABIGUARD_REQUESTER_A_COMM: string, its comm.
 * @KABIGUARD_REQUESTER_A_NAME: string, the name it asked for ("net-pf-38",
 *	"crypto-xts(aes)", "fs-foo"): an alias, not always the module's
 *	name; at most KABIGUARD_MODNAME_MAX bytes with the NUL.
 *
 * The task whose request_module() started a load. A set of its own rather
 * than the loader's: it is another task, and it carries the name it asked
 * for. All four are present whenever the nest is.
 */
enum kabiguard_requester_attr {
	KABIGUARD_REQUESTER_A_UNSPEC,
	KABIGUARD_REQUESTER_A_PID,
	KABIGUARD_REQUESTER_A_UID,
	KABIGUARD_REQUESTER_A_COMM,
	KABIGUARD_REQUESTER_A_NAME,
	__KABIGUARD_REQUESTER_A_MAX
};

#define KABIGUARD_REQUESTER_A_MAX (__KABIGUARD_REQUESTER_A_MAX - 1)

/**
 * enum kabiguard_ring_attr - attributes nested in KABIGUARD_A_RING
 * @KABIGUARD_RING_A_PAD: padding of the u64 attributes.
 * @KABIGUARD_RING_A_SIZE: u32, events the ring holds.
 * @KABIGUARD_RING_A_FIRST: u64, oldest sequence number in the ring.
 * @KABIGUARD_RING_A_NEXT: u64, sequence number the next event gets.
 * @KABIGUARD_RING_A_OVERFLOW: u64, events that left the ring before some
 *	reader had them (see KABIGUARD_CMD_EVENTS_GET).
 * @KABIGUARD_RING_A_BYTES: u64, payload bytes the ring's events take.
 * @KABIGUARD_RING_A_BYTES_MAX: u64, most it keeps (module parameter
 *	ring_bytes); older events leave first.
 * @KABIGUARD_RING_A_READER_OVERFLOW: u64, only for a socket that has read
 *	the ring: events that left it before that socket had them.
 */
enum kabiguard_ring_attr {
	KABIGUARD_RING_A_UNSPEC,
	KABIGUARD_RING_A_PAD,
	KABIGUARD_RING_A_SIZE,
	KABIGUARD_RING_A_FIRST,
	KABIGUARD_RING_A_NEXT,
	KABIGUARD_RING_A_OVERFLOW,
	KABIGUARD_RING_A_BYTES,
	KABIGUARD_RING_A_BYTES_MAX,
	KABIGUARD_RING_A_READER_OVERFLOW,
	__KABIGUARD_RING_A_MAX
};

#define KABIGUARD_RING_A_MAX (__KABIGUARD_RING_A_MAX - 1)

/* Attributes nested in KABIGUARD_A_RULE; see "Rules" above. */
enum kabiguard_rule_attr {
	KABIGUARD_RULE_A_UNSPEC,
	KABIGUARD_RULE_A_KIND,
	KABIGUARD_RULE_A_NAME,
	KABIGUARD_RULE_A_NAMESPACE,
	KABIGUARD_RULE_A_EXPORTER,
	KABIGUARD_RULE_A_CRC,
	KABIGUARD_RULE_A_MODULE,
	KABIGUARD_RULE_A_FLAGS,
	__KABIGUARD_RULE_A_MAX
};

#define KABIGUARD_RULE_A_MAX (__KABIGUARD_RULE_A_MAX - 1)

/**
 * enum kabiguard_viol_attr - attributes nested in KABIGUARD_A_VIOLATION
 * @KABIGUARD_VIOL_A_SYMBOL: string, the imported symbol.
 * @KABIGUARD_VIOL_A_NAMESPACE: string, its namespace; absent when none.
 * @KABIGUARD_VIOL_A_EXPORTER: string, "vmlinux" or the exporting module;
 *	absent when the exporter could not be found (weak, unresolved).
 * @KABIGUARD_VIOL_A_REASON: u32, enum kabiguard_reason.
 * @KABIGUARD_VIOL_A_KERNEL_CRC: u32, the running kernel's CRC, when known.
 * @KABIGUARD_VIOL_A_RULE_CRC: u32, the CRC a rule pinned (CRC_MISMATCH).
 * @KABIGUARD_VIOL_A_FLAGS: u32, enum kabiguard_viol_flags bits; present
 *	when a string of the violation was cut short.
 */
enum kabiguard_viol_attr {
	KABIGUARD_VIOL_A_UNSPEC,
	KABIGUARD_VIOL_A_SYMBOL,
	KABIGUARD_VIOL_A_NAMESPACE,
	KABIGUARD_VIOL_A_EXPORTER,
	KABIGUARD_VIOL_A_REASON,
	KABIGUARD_VIOL_A_KERNEL_CRC,
	KABIGUARD_VIOL_A_RULE_CRC,
	KABIGUARD_VIOL_A_FLAGS,
	__KABIGUARD_VIOL_A_MAX
};

#define KABIGUARD_VIOL_A_MAX (__KABIGUARD_VIOL_A_MAX - 1)

/* Attributes nested in KABIGUARD_A_IMPORT (KABIGUARD_CMD_SCAN). */
enum kabiguard_import_attr {
	KABIGUARD_IMPORT_A_UNSPEC,
	KABIGUARD_IMPORT_A_NAME,	/* string, at most KABIGUARD_SYMBOL_MAX */
	__KABIGUARD_IMPORT_A_MAX
};

#define KABIGUARD_IMPORT_A_MAX (__KABIGUARD_IMPORT_A_MAX - 1)

#endif /* _UAPI_LINUX_KABIGUARD_H */
