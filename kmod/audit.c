// SPDX-License-Identifier: GPL-2.0
/*
 * One record in the kernel's audit trail per verdict, so that auditd,
 * ausearch and aureport (and whatever a security team feeds them to) see
 * kabiguard's verdicts beside the rest of the host's audit events.
 *
 * Record type AUDIT_KERNEL_OTHER (1316, "KERNEL_OTHER" to ausearch -m):
 * the kernel's own type for kernel events that fit no other. AUDIT_KERN_MODULE
 * (1330) would read well, but the kernel emits it itself, with one field
 * (name=), as part of an audited init_module/finit_module syscall: two
 * formats under one type would confuse its parsers. The record is made in
 * the loading process's context (the notifier runs in its syscall), so
 * when that syscall is audited too the records share one serial and
 * ausearch shows them as one event. Field names are the ones auparse
 * already interprets: res (success/failed, what aureport counts), pid,
 * uid, auid, ses, comm, exe, and name for the module, as KERN_MODULE has
 * it; and none that auparse would misread: the mode is guard_mode, as
 * "mode" is a file mode to ausearch -i. kabiguardd(8) lists them all.
 *
 * Every string a module or a process controls is written the way the
 * kernel's own audit_log_untrustedstring() does, which modules cannot
 * call (it is not exported on 5.10 to 7.3): in double quotes when it is
 * plain printable ASCII without a quote, else as upper-case hex, which
 * auparse decodes (ausearch -i). Each is cut at a fixed length.
 *
 * Without CONFIG_AUDIT the kernel's stubs make this a no-op; with audit
 * disabled (audit=0, auditctl -e 0) no record is made. Without auditd the
 * kernel prints the record to its log ("audit: type=1316 ...").
 */
#include <linux/audit.h>
#include <linux/module.h>
#include <linux/sched.h>
#include "guard.h"
#include "../include/kabiguard/names.h"

/* Longest symbol and executable path a record carries, in bytes. */
#define KG_AUDIT_SYM_MAX	256
#define KG_AUDIT_PATH_MAX	256

/* As kabiguardctl and kabiguardd name them. */
static const char * const kg_audit_verdicts[] = KG_VERDICT_NAMES;
static_assert(ARRAY_SIZE(kg_audit_verdicts) == __KABIGUARD_VERDICT_MAX);
static const char * const kg_audit_reasons[] = KG_REASON_NAMES;
static_assert(ARRAY_SIZE(kg_audit_reasons) == __KABIGUARD_REASON_MAX);

/* " key=value" for an untrusted string of at most @max bytes. */
static void kg_audit_str(struct audit_buffer *ab, const char *key,
			 const char *s, size_t max)
{
	size_t len = strnlen(s, max), i;
	bool hex = false;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c <= ' ' || c >= 0x7f || c == '"') {
			hex = true;
			break;
		}
	}
	if (!hex) {
		audit_log_format(ab, " %s=\"%.*s\"", key, (int)len, s);
		return;
	}
	audit_log_format(ab, " %s=", key);
	for (i = 0; i < len; i++)
		audit_log_format(ab, "%02X", (unsigned char)s[i]);
}

/**
 * kg_audit_verdict() - one audit record for a verdict
 * @v: the verdict
 * @seq: the sequence number of its event
 */
void kg_audit_verdict(const struct kg_verdict *v, u64 seq)
{
	const struct kg_loader *l = v->loader;
	struct audit_buffer *ab;

	if (audit_enabled == AUDIT_OFF)
		return;
	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_KERNEL_OTHER);
	if (!ab)
		return;
	audit_log_format(ab, "op=kabiguard kind=%s verdict=%s guard_mode=%s",
			 v->kind == KABIGUARD_EVENT_SCAN ? "scan" : "load",
			 kg_audit_verdicts[v->verdict], kg_mode_name(v->mode));
	kg_audit_str(ab, "name", v->mod->name, MODULE_NAME_LEN);
	audit_log_format(ab, " sig_ok=%u imports=%u violations=%u",
			 v->sig_ok, v->nr_imports, v->nr_violations);
	if (v->nr_listed) {
		const struct kg_violation *x = &v->viol[0];

		kg_audit_str(ab, "sym", x->symbol, KG_AUDIT_SYM_MAX);
		audit_log_format(ab, " reason=%s",
				 x->reason < ARRAY_SIZE(kg_audit_reasons) ?
				 kg_audit_reasons[x->reason] : "unknown");
	}
	audit_log_format(ab, " seq=%llu generation=%llu", seq, v->generation);
	if (l) {
		audit_log_format(ab, " pid=%d ppid=%d uid=%u auid=%u ses=%u",
				 l->pid, l->ppid, l->uid, l->loginuid,
				 l->sessionid);
		kg_audit_str(ab, "comm", l->comm, sizeof(l->comm));
		if (l->exe)
			kg_audit_str(ab, "exe", l->exe, KG_AUDIT_PATH_MAX);
		audit_log_format(ab, " kmod_request=%u", l->kmod_request);
		if (l->has_req) {
			/* The task whose request_module() ran the loader. */
			audit_log_format(ab, " req_pid=%d req_uid=%u",
					 l->req.pid, l->req.uid);
			kg_audit_str(ab, "req_comm", l->req.comm,
				     sizeof(l->req.comm));
			kg_audit_str(ab, "req_name", l->req.name,
				     sizeof(l->req.name));
		}
	}
	audit_log_format(ab, " res=%u",
			 v->verdict == KABIGUARD_VERDICT_DENIED ? 0 : 1);
	audit_log_end(ab);
}
