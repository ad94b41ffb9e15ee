// SPDX-License-Identifier: GPL-2.0
/*
 * One verdict event as one line of JSON: kabiguardd's log and syslog
 * lines, `kabiguardctl monitor --json` and `kabiguardctl events --json`
 * all print this, so a line means the same wherever it was read. Member
 * names are those `kabiguardctl policy generate --audit` reads back
 * (audit_log_parse.c): module, verdict, violations[].symbol/namespace/exporter/
 * reason/kernel_crc.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kgclient.h"

/* ,"key": */
static int kgc_sb_key(struct kgc_strbuf *b, const char *key)
{
	return kgc_json_key(b, key);
}

/* A string member; NULL or "" is written as null. */
static int kgc_sb_str(struct kgc_strbuf *b, const char *key, const char *val)
{
	int ret = kgc_json_key(b, key);

	return ret ? ret : kgc_json_str_or_null(b, val);
}

static int kgc_sb_u64(struct kgc_strbuf *b, const char *key, uint64_t v)
{
	int ret = kgc_json_key(b, key);

	return ret ? ret : kgc_json_u64(b, v);
}

static int kgc_sb_bool(struct kgc_strbuf *b, const char *key, bool v)
{
	int ret = kgc_json_key(b, key);

	return ret ? ret : kgc_json_bool(b, v);
}

static int kgc_sb_hex(struct kgc_strbuf *b, const char *key, bool has,
		     uint32_t v)
{
	int ret = kgc_json_key(b, key);

	if (ret)
		return ret;
	return has ? kgc_json_hex32(b, v) : kgc_json_null(b);
}

const char *kgc_event_kind_name(enum kabiguard_event_kind k)
{
	switch (k) {
	case KABIGUARD_EVENT_LOAD:	return "load";
	case KABIGUARD_EVENT_SCAN:	return "scan";
	default:			return "unknown";
	}
}

void kgc_taint_letters(uint64_t taints, char *buf, size_t len)
{
	/* kernel/panic.c taint_flags[], by bit number. */
	static const char letters[] = "PFSRMBUDAWCIOELKXTNJ";
	size_t n = 0;
	unsigned int i;

	if (!len)
		return;
	for (i = 0; i < 64 && n + 1 < len; i++) {
		if (!(taints & (1ULL << i)))
			continue;
		buf[n++] = i < sizeof(letters) - 1 ? letters[i] : '?';
	}
	buf[n] = '\0';
}

/* "2026-11-23T10:00:00.123456789Z" */
static void kgc_iso8601(uint64_t ns, char *buf, size_t len)
{
	time_t sec = ns / 1000000000ULL;
	struct tm tm;
	size_t n;

	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09lluZ",
		 (unsigned long long)(ns % 1000000000ULL));
}

static int kgc_sb_violation(struct kgc_strbuf *b, const struct kgc_violation *v,
			   bool first)
{
	int ret;

	ret = kgc_strbuf_put(b, first ? "{" : ",{", first ? 1 : 2);
	if (!ret)
		ret = kgc_strbuf_put(b, "\"symbol\":", 9);
	if (!ret)
		ret = kgc_json_str(b, v->symbol);
	if (!ret)
		ret = kgc_sb_str(b, "namespace", v->ns);
	if (!ret)
		ret = kgc_sb_str(b, "exporter", v->exporter);
	if (!ret)
		ret = kgc_sb_str(b, "reason", kgc_reason_name(v->reason));
	if (!ret)
		ret = kgc_sb_hex(b, "kernel_crc", v->has_kernel_crc,
				v->kernel_crc);
	if (!ret)
		ret = kgc_sb_hex(b, "rule_crc", v->has_rule_crc, v->rule_crc);
	/* KABIGUARD_VIOL_A_FLAGS: which names the kernel cut short. */
	if (!ret)
		ret = kgc_sb_bool(b, "symbol_truncated",
				 v->flags & KABIGUARD_VIOLF_SYMBOL_TRUNC);
	if (!ret)
		ret = kgc_sb_bool(b, "namespace_truncated",
				 v->flags & KABIGUARD_VIOLF_NAMESPACE_TRUNC);
	if (!ret)
		ret = kgc_sb_bool(b, "exporter_truncated",
				 v->flags & KABIGUARD_VIOLF_EXPORTER_TRUNC);
	if (!ret)
		ret = kgc_sb_u64(b, "flags", v->flags);
	return ret ? ret : kgc_strbuf_put(b, "}", 1);
}

/* The command line as an array of strings; null when there is none. */
static int kgc_sb_argv(struct kgc_strbuf *b, const struct kgc_event *ev)
{
	size_t off = 0;
	int ret = kgc_sb_key(b, "argv");

	if (ret || !ev->argv_len)
		return ret ? ret : kgc_strbuf_put(b, "null", 4);
	ret = kgc_strbuf_put(b, "[", 1);
	while (!ret && off < ev->argv_len) {
		if (off)
			ret = kgc_strbuf_put(b, ",", 1);
		if (!ret)
			ret = kgc_json_str(b, ev->argv + off);
		off += strlen(ev->argv + off) + 1;
	}
	return ret ? ret : kgc_strbuf_put(b, "]", 1);
}

/* The loading process; null members for a scan. */
static int kgc_sb_process(struct kgc_strbuf *b, const struct kgc_event *ev)
{
	static const char *const keys[] = {
		"pid", "ppid", "uid", "euid", "gid", "egid", "loginuid",
		"sessionid", "tty", "comm", "exe", "argv", "argv_truncated",
		"lsm_label", "cgroup", "cgroup_id", "pidns", "kmod_request",
	};
	size_t i;
	int ret = 0;

	if (!ev->has_process) {
		for (i = 0; !ret && i < sizeof(keys) / sizeof(keys[0]); i++)
			ret = kgc_strbuf_printf(b, ",\"%s\":null", keys[i]);
		return ret;
	}
	if (!ret)
		ret = kgc_sb_u64(b, "pid", ev->pid);
	if (!ret)
		ret = kgc_sb_u64(b, "ppid", ev->ppid);
	if (!ret)
		ret = kgc_sb_u64(b, "uid", ev->uid);
	if (!ret)
		ret = kgc_sb_u64(b, "euid", ev->euid);
	if (!ret)
		ret = kgc_sb_u64(b, "gid", ev->gid);
	if (!ret)
		ret = kgc_sb_u64(b, "egid", ev->egid);
	if (!ret)
		ret = kgc_sb_u64(b, "loginuid", ev->loginuid);
	if (!ret)
		ret = kgc_sb_u64(b, "sessionid", ev->sessionid);
	if (!ret)
		ret = kgc_sb_str(b, "tty", ev->tty);
	if (!ret)
		ret = kgc_sb_str(b, "comm", ev->comm);
	if (!ret)
		ret = kgc_sb_str(b, "exe", ev->exe);
	if (!ret)
		ret = kgc_sb_argv(b, ev);
	if (!ret)
		ret = kgc_sb_bool(b, "argv_truncated", ev->argv_truncated);
	if (!ret)
		ret = kgc_sb_str(b, "lsm_label", ev->lsm_label);
	if (!ret)
		ret = kgc_sb_str(b, "cgroup", ev->cgroup);
	if (!ret && ev->cgroup_id)
		ret = kgc_sb_u64(b, "cgroup_id", ev->cgroup_id);
	else if (!ret)
		ret = kgc_strbuf_printf(b, ",\"cgroup_id\":null");
	if (!ret)
		ret = kgc_sb_u64(b, "pidns", ev->pidns);
	if (!ret)
		ret = kgc_sb_bool(b, "kmod_request", ev->kmod_request);
	return ret;
}

/* The task whose request_module() started an autoload; null if unknown. */
static int kgc_sb_requester(struct kgc_strbuf *b, const struct kgc_event *ev)
{
	int ret;

	if (!ev->has_requester)
		return kgc_strbuf_printf(b, ",\"requester\":null");
	ret = kgc_strbuf_printf(b, ",\"requester\":{\"pid\":%" PRIu32
			   ",\"uid\":%" PRIu32, ev->req_pid, ev->req_uid);
	if (!ret)
		ret = kgc_sb_str(b, "comm", ev->req_comm);
	if (!ret)
		ret = kgc_sb_str(b, "name", ev->req_name);
	return ret ? ret : kgc_strbuf_put(b, "}", 1);
}

int kgc_event_json(struct kgc_strbuf *b, const struct kgc_event *ev,
		  const struct kgc_event_json_ctx *x)
{
	size_t start = b->len, i;
	char tbuf[64], taints[72];
	int ret;

	/* seq and boot_id first: kabiguardd finds them in its log's last
	 * line without a JSON parser. */
	ret = kgc_strbuf_printf(b, "{\"seq\":%" PRIu64, ev->seq);
	if (!ret && x && x->boot_id)
		ret = kgc_sb_str(b, "boot_id", x->boot_id);
	if (!ret)
		ret = kgc_sb_str(b, "kind", kgc_event_kind_name(ev->kind));
	kgc_iso8601(ev->time_real_ns, tbuf, sizeof(tbuf));
	if (!ret)
		ret = kgc_sb_str(b, "time", tbuf);
	if (!ret)
		ret = kgc_sb_u64(b, "time_real_ns", ev->time_real_ns);
	if (!ret)
		ret = kgc_sb_u64(b, "time_boot_ns", ev->time_boot_ns);
	if (!ret && x && x->host)
		ret = kgc_sb_str(b, "host", x->host);
	if (!ret && x && x->kernel)
		ret = kgc_sb_str(b, "kernel", x->kernel);
	if (!ret)
		ret = kgc_sb_str(b, "verdict", kgc_verdict_name(ev->verdict));
	if (!ret)
		ret = kgc_sb_str(b, "mode", kgc_mode_name(ev->mode));
	if (!ret)
		ret = kgc_sb_u64(b, "generation", ev->generation);
	if (!ret)
		ret = kgc_sb_str(b, "module", ev->module);
	if (!ret)
		ret = kgc_sb_str(b, "version", ev->version);
	if (!ret)
		ret = kgc_sb_str(b, "srcversion", ev->srcversion);
	if (!ret)
		ret = kgc_sb_bool(b, "sig_ok", ev->sig_ok);
	if (!ret)
		ret = kgc_sb_u64(b, "taints", ev->taints);
	kgc_taint_letters(ev->taints, taints, sizeof(taints));
	if (!ret)
		ret = kgc_sb_key(b, "taint_flags");
	if (!ret)
		ret = kgc_json_str(b, taints);
	if (!ret)
		ret = kgc_sb_u64(b, "nr_imports", ev->nr_imports);
	if (!ret)
		ret = kgc_sb_u64(b, "nr_violations", ev->nr_violations);
	if (!ret)
		ret = kgc_sb_u64(b, "check_ns", ev->check_ns);
	if (!ret)
		ret = kgc_sb_process(b, ev);
	if (!ret)
		ret = kgc_strbuf_put(b, ",\"violations\":[", 15);
	for (i = 0; !ret && i < ev->nr_listed; i++)
		ret = kgc_sb_violation(b, &ev->viol[i], i == 0);
	if (!ret)
		ret = kgc_strbuf_put(b, "]", 1);
	/* The kernel lists at most KABIGUARD_MAX_VIOLATIONS, fewer when
	 * the event is full or minimal. */
	if (!ret)
		ret = kgc_sb_bool(b, "violations_truncated",
				 ev->nr_violations > ev->nr_listed ||
				 (ev->flags & KABIGUARD_EVF_VIOLATIONS_CUT));
	/* KABIGUARD_A_EVENT_FLAGS: the module's strings cut short, a
	 * minimal event (no process, no violations); flags: every bit. */
	if (!ret)
		ret = kgc_sb_bool(b, "module_truncated",
				 ev->flags & KABIGUARD_EVF_MODULE_TRUNC);
	if (!ret)
		ret = kgc_sb_bool(b, "version_truncated",
				 ev->flags & KABIGUARD_EVF_VERSION_TRUNC);
	if (!ret)
		ret = kgc_sb_bool(b, "srcversion_truncated",
				 ev->flags & KABIGUARD_EVF_SRCVERSION_TRUNC);
	if (!ret)
		ret = kgc_sb_bool(b, "minimal", ev->flags & KABIGUARD_EVF_MINIMAL);
	if (!ret)
		ret = kgc_sb_u64(b, "flags", ev->flags);
	if (!ret)
		ret = kgc_sb_bool(b, "argv_not_resident",
				 ev->flags & KABIGUARD_EVF_ARGV_NOT_RESIDENT);
	if (!ret)
		ret = kgc_sb_requester(b, ev);
	/* A repeat event: the full event it repeats and the count so far. */
	if (!ret && ev->repeat_count)
		ret = kgc_strbuf_printf(b, ",\"repeat_of\":%" PRIu64
				   ",\"repeat_count\":%" PRIu32,
				   ev->repeat_of, ev->repeat_count);
	else if (!ret)
		ret = kgc_strbuf_printf(b, ",\"repeat_of\":null,\"repeat_count\":null");
	if (!ret)
		ret = kgc_strbuf_put(b, "}\n", 2);
	if (ret) {
		b->len = start;
		if (b->s)
			b->s[start] = '\0';
	}
	return ret;
}
