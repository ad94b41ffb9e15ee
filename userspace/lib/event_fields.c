// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict event's attributes and its violation, loader and requester
 * nests (attr_table.h): where each one lands in struct kgc_event /
 * kgc_violation and how the event's JSON line writes it. Rows are in JSON member order; the parser
 * does not care about order. seq comes first so that kabiguardd finds it
 * in its log's last line without a JSON parser.
 */
#include <inttypes.h>
#include <string.h>

#include "attr_table.h"
#include "internal.h"

/* A row's macro sets defaults (key, aux) that its arguments may override. */
#pragma GCC diagnostic ignored "-Woverride-init"

/* An attribute of the event, stored in the member of that name. */
#define EV(a, t, m, j, ...) ROW(t, m, j, .attr = KABIGUARD_A_##a, \
	.name = "KABIGUARD_A_" #a, __VA_ARGS__)
/* A member of the event; the attribute and its name from the caller. */
#define ROW(t, m, j, ...) { .type = KGC_T_##t, .json = KGC_J_##j, \
	.key = #m, KGC_MEMBER(struct kgc_event, m), .aux = KGC_NO_AUX, \
	__VA_ARGS__ }
/* An attribute of the loader (LO) or requester (RQ) nest, into the event. */
#define LO(a, t, m, j, ...) ROW(t, m, j, .attr = KABIGUARD_LOADER_A_##a, \
	.name = "KABIGUARD_LOADER_A_" #a, __VA_ARGS__)
#define RQ(a, t, m, ...) ROW(t, m, NONE, \
	.attr = KABIGUARD_REQUESTER_A_##a, \
	.name = "KABIGUARD_REQUESTER_A_" #a, .flags = KGC_F_REQUIRED, \
	__VA_ARGS__)
/* The same, under another JSON key. */
#define EVK(a, t, m, key_, j, ...) EV(a, t, m, j, .key = key_, __VA_ARGS__)
/* A JSON member made from other fields. */
#define EVJ(key_, j, ...) { .key = key_, .type = KGC_T_NONE, \
	.json = KGC_J_##j, .aux = KGC_NO_AUX, __VA_ARGS__ }
/* Members that only a load has (the loading process): null for a scan. */
#define PROC .cond_off = offsetof(struct kgc_event, has_process), \
	.cond_size = sizeof(bool)
#define REPEAT .cond_off = offsetof(struct kgc_event, repeat_count), \
	.cond_size = sizeof(uint32_t)
#define STR(max) .len = (max)
#define U32(T, m) .off = offsetof(T, m) + KGC_SIZE_IS(T, m, 4)

static const char *kgc_kind_u32(uint32_t v) { return kgc_event_kind_name(v); }
static const char *kgc_verdict_u32(uint32_t v) { return kgc_verdict_name(v); }
static const char *kgc_mode_u32(uint32_t v) { return kgc_mode_name(v); }
static const char *kgc_reason_u32(uint32_t v) { return kgc_reason_name(v); }

/* Members from the caller (kgc_event_json_ctx): left out when NULL. */
static int kgc_j_ctx(struct kgc_strbuf *b, const struct kgc_field *f,
		     const void *obj, const void *ctx)
{
	const struct kgc_event_json_ctx *x = ctx;
	const char *v = NULL;
	int ret;

	(void)obj;
	if (x && !strcmp(f->key, "boot_id"))
		v = x->boot_id;
	else if (x && !strcmp(f->key, "host"))
		v = x->host;
	else if (x && !strcmp(f->key, "kernel"))
		v = x->kernel;
	if (!v)
		return 0;
	ret = kgc_json_key(b, f->key);
	return ret ? ret : kgc_json_str_or_null(b, v);
}

static int kgc_j_time(struct kgc_strbuf *b, const struct kgc_field *f,
		      const void *obj, const void *ctx)
{
	const struct kgc_event *ev = obj;
	char tbuf[64];
	int ret;

	(void)ctx;
	kgc_iso8601(ev->time_real_ns, tbuf, sizeof(tbuf));
	ret = kgc_json_key(b, f->key);
	return ret ? ret : kgc_json_str_or_null(b, tbuf);
}

static int kgc_j_taint_flags(struct kgc_strbuf *b, const struct kgc_field *f,
			     const void *obj, const void *ctx)
{
	const struct kgc_event *ev = obj;
	char taints[72];
	int ret;

	(void)ctx;
	kgc_taint_letters(ev->taints, taints, sizeof(taints));
	ret = kgc_json_key(b, f->key);
	return ret ? ret : kgc_json_str(b, taints);
}

/* The command line as an array of strings; null when there is none. */
static int kgc_j_argv(struct kgc_strbuf *b, const struct kgc_field *f,
		      const void *obj, const void *ctx)
{
	const struct kgc_event *ev = obj;
	size_t off = 0;
	int ret = kgc_json_key(b, f->key);

	(void)ctx;
	if (ret || !ev->argv_len)
		return ret ? ret : kgc_json_null(b);
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

static int kgc_j_violations(struct kgc_strbuf *b, const struct kgc_field *f,
			    const void *obj, const void *ctx)
{
	const struct kgc_event *ev = obj;
	size_t i;
	int ret = kgc_json_key(b, f->key);

	(void)ctx;
	if (!ret)
		ret = kgc_strbuf_put(b, "[", 1);
	for (i = 0; !ret && i < ev->nr_listed; i++) {
		ret = kgc_strbuf_put(b, i ? ",{" : "{", i ? 2 : 1);
		if (!ret)
			ret = kgc_fields_json(b, &kgc_violation_attrs,
					      &ev->viol[i], NULL, true);
		if (!ret)
			ret = kgc_strbuf_put(b, "}", 1);
	}
	return ret ? ret : kgc_strbuf_put(b, "]", 1);
}

/* The kernel lists at most KABIGUARD_MAX_VIOLATIONS, fewer when the event
 * is full or minimal. */
static int kgc_j_viol_truncated(struct kgc_strbuf *b,
				const struct kgc_field *f, const void *obj,
				const void *ctx)
{
	const struct kgc_event *ev = obj;
	int ret = kgc_json_key(b, f->key);

	(void)ctx;
	return ret ? ret : kgc_json_bool(b,
		ev->nr_violations > ev->nr_listed ||
		(ev->flags & KABIGUARD_EVF_VIOLATIONS_CUT));
}

/* The task whose request_module() started an autoload; null if unknown. */
static int kgc_j_requester(struct kgc_strbuf *b, const struct kgc_field *f,
			   const void *obj, const void *ctx)
{
	const struct kgc_event *ev = obj;
	int ret = kgc_json_key(b, f->key);

	(void)ctx;
	if (ret || !ev->has_requester)
		return ret ? ret : kgc_json_null(b);
	ret = kgc_strbuf_printf(b, "{\"pid\":%" PRIu32 ",\"uid\":%" PRIu32,
				ev->req_pid, ev->req_uid);
	if (!ret)
		ret = kgc_json_key(b, "comm");
	if (!ret)
		ret = kgc_json_str_or_null(b, ev->req_comm);
	if (!ret)
		ret = kgc_json_key(b, "name");
	if (!ret)
		ret = kgc_json_str_or_null(b, ev->req_name);
	return ret ? ret : kgc_strbuf_put(b, "}", 1);
}

#define HOOK(fn) .hook = fn
#define NAME(fn) .enum_name = fn
#define BIT(m) .off = offsetof(struct kgc_event, flags), \
	.size = sizeof(uint32_t), .mask = (m)

/*
 * KABIGUARD_A_LOADER: in the event's JSON in this order, where its row is.
 * A PID means the event has a loading process.
 */
static const struct kgc_field kgc_loader_fields[] = {
	LO(PID, U32, pid, NUM, PROC,
	   .aux = offsetof(struct kgc_event, has_process)),
	LO(PPID, U32, ppid, NUM, PROC),
	LO(UID, U32, uid, NUM, PROC),
	LO(EUID, U32, euid, NUM, PROC),
	LO(GID, U32, gid, NUM, PROC),
	LO(EGID, U32, egid, NUM, PROC),
	LO(LOGINUID, U32, loginuid, NUM, PROC, .flags = KGC_F_UNSET_MAX),
	LO(SESSIONID, U32, sessionid, NUM, PROC, .flags = KGC_F_UNSET_MAX),
	LO(TTY, STRING, tty, STR, PROC, STR(64)),
	LO(COMM, STRING, comm, STR, PROC, STR(32)),
	LO(EXE, STRING, exe, STR, PROC, STR(KABIGUARD_PATH_MAX)),
	LO(ARGV, BINARY, argv, HOOK, PROC, HOOK(kgc_j_argv),
	   STR(KABIGUARD_ARGV_MAX),
	   .aux = offsetof(struct kgc_event, argv_len)),
	LO(ARGV_TRUNCATED, BOOL8, argv_truncated, BOOL, PROC),
	LO(LSM_LABEL, STRING, lsm_label, STR, PROC, STR(KABIGUARD_LABEL_MAX)),
	LO(CGROUP, STRING, cgroup, STR, PROC, STR(KABIGUARD_PATH_MAX)),
	LO(CGROUP_ID, U64, cgroup_id, NUM, PROC, .flags = KGC_F_ZERO_NULL),
	LO(PIDNS, U32, pidns, NUM, PROC),
	LO(KMOD_REQUEST, BOOL8, kmod_request, BOOL, PROC),
	{ .attr = KABIGUARD_LOADER_A_PAD, .name = "KABIGUARD_LOADER_A_PAD",
	  .type = KGC_T_PAD, .aux = KGC_NO_AUX },
};

const struct kgc_attr_set kgc_loader_attrs = {
	.f = kgc_loader_fields,
	.nr = sizeof(kgc_loader_fields) / sizeof(kgc_loader_fields[0]),
	.maxtype = KABIGUARD_LOADER_A_MAX,
	.exact = true,
	.where = "KABIGUARD_A_LOADER",
};

/* KABIGUARD_A_REQUESTER: written by its row's hook, as one object. */
static const struct kgc_field kgc_requester_fields[] = {
	RQ(PID, U32, req_pid),
	RQ(UID, U32, req_uid),
	RQ(COMM, STRING, req_comm, STR(32)),
	RQ(NAME, STRING, req_name, STR(KABIGUARD_MODNAME_MAX)),
};

const struct kgc_attr_set kgc_requester_attrs = {
	.f = kgc_requester_fields,
	.nr = sizeof(kgc_requester_fields) / sizeof(kgc_requester_fields[0]),
	.maxtype = KABIGUARD_REQUESTER_A_MAX,
	.exact = true,
	.where = "KABIGUARD_A_REQUESTER",
	.missing = "KABIGUARD_A_REQUESTER: KABIGUARD_REQUESTER_A_PID, _UID, _COMM and _NAME come together",
};

static const struct kgc_field kgc_event_fields[] = {
	EV(SEQ, U64, seq, NUM, .flags = KGC_F_REQUIRED),
	EVJ("boot_id", HOOK, HOOK(kgc_j_ctx)),
	EVK(EVENT_KIND, U32, kind, "kind", NAME, NAME(kgc_kind_u32),
	    U32(struct kgc_event, kind)),
	EVJ("time", HOOK, HOOK(kgc_j_time)),
	EV(TIME_REAL_NS, U64, time_real_ns, NUM),
	EV(TIME_BOOT_NS, U64, time_boot_ns, NUM),
	EVJ("host", HOOK, HOOK(kgc_j_ctx)),
	EVJ("kernel", HOOK, HOOK(kgc_j_ctx)),
	EV(VERDICT, U32, verdict, NAME, NAME(kgc_verdict_u32),
	   U32(struct kgc_event, verdict), .flags = KGC_F_REQUIRED),
	EV(MODE, U32, mode, NAME, NAME(kgc_mode_u32),
	   U32(struct kgc_event, mode)),
	EV(GENERATION, U64, generation, NUM),
	EV(MODULE, STRING, module, STR, STR(KABIGUARD_MODNAME_MAX),
	   .flags = KGC_F_REQUIRED),
	EVK(MODULE_VERSION, STRING, version, "version", STR,
	    STR(KABIGUARD_MODINFO_MAX)),
	EV(SRCVERSION, STRING, srcversion, STR, STR(KABIGUARD_MODINFO_MAX)),
	EV(SIG_OK, BOOL8, sig_ok, BOOL),
	EV(TAINTS, U64, taints, NUM),
	EVJ("taint_flags", HOOK, HOOK(kgc_j_taint_flags)),
	EV(NR_IMPORTS, U32, nr_imports, NUM),
	EV(NR_VIOLATIONS, U32, nr_violations, NUM),
	EV(CHECK_NS, U64, check_ns, NUM),
	/* The loading process (kgc_loader_fields), its members here. */
	{ .attr = KABIGUARD_A_LOADER, .name = "KABIGUARD_A_LOADER",
	  .type = KGC_T_NEST, .sub = &kgc_loader_attrs, .json = KGC_J_INLINE,
	  .aux = KGC_NO_AUX },
	{ .attr = KABIGUARD_A_VIOLATION, .name = "KABIGUARD_A_VIOLATION",
	  .type = KGC_T_NEST, .flags = KGC_F_REPEAT, .key = "violations",
	  .json = KGC_J_HOOK, HOOK(kgc_j_violations), .aux = KGC_NO_AUX },
	EVJ("violations_truncated", HOOK, HOOK(kgc_j_viol_truncated)),
	/* KABIGUARD_A_EVENT_FLAGS: the module's strings cut short, a
	 * minimal event (no process, no violations); flags: every bit. */
	EVJ("module_truncated", BIT, BIT(KABIGUARD_EVF_MODULE_TRUNC)),
	EVJ("version_truncated", BIT, BIT(KABIGUARD_EVF_VERSION_TRUNC)),
	EVJ("srcversion_truncated", BIT, BIT(KABIGUARD_EVF_SRCVERSION_TRUNC)),
	EVJ("minimal", BIT, BIT(KABIGUARD_EVF_MINIMAL)),
	EVK(EVENT_FLAGS, U32, flags, "flags", NUM),
	EVJ("argv_not_resident", BIT, BIT(KABIGUARD_EVF_ARGV_NOT_RESIDENT)),
	/* The requester (kgc_requester_fields): all four or none. */
	{ .attr = KABIGUARD_A_REQUESTER, .name = "KABIGUARD_A_REQUESTER",
	  .type = KGC_T_NEST, .sub = &kgc_requester_attrs, .key = "requester",
	  .json = KGC_J_HOOK, HOOK(kgc_j_requester),
	  .aux = offsetof(struct kgc_event, has_requester) },
	/* A repeat event: the full event it repeats and the count so far. */
	EV(REPEAT_OF, U64, repeat_of, NUM, REPEAT),
	EV(REPEAT_COUNT, U32, repeat_count, NUM, REPEAT),
	{ .attr = KABIGUARD_A_PAD, .name = "KABIGUARD_A_PAD",
	  .type = KGC_T_PAD, .aux = KGC_NO_AUX },
};

const struct kgc_attr_set kgc_event_attrs = {
	.f = kgc_event_fields,
	.nr = sizeof(kgc_event_fields) / sizeof(kgc_event_fields[0]),
	.maxtype = KABIGUARD_A_MAX,
	.exact = true,
	.where = "verdict event",
	.missing = "verdict event: no KABIGUARD_A_SEQ, KABIGUARD_A_MODULE or KABIGUARD_A_VERDICT",
};

#define VI(a, t, m, j, ...) { .attr = KABIGUARD_VIOL_A_##a, \
	.name = "KABIGUARD_VIOL_A_" #a, .type = KGC_T_##t, \
	.json = KGC_J_##j, .key = #m, KGC_MEMBER(struct kgc_violation, m), \
	.aux = KGC_NO_AUX, __VA_ARGS__ }
#define VBIT(key_, m) { .key = key_, .type = KGC_T_NONE, .json = KGC_J_BIT, \
	.off = offsetof(struct kgc_violation, flags), \
	.size = sizeof(uint32_t), .mask = (m), .aux = KGC_NO_AUX }

static const struct kgc_field kgc_violation_fields[] = {
	/* "": the module itself (livepatch) or a nameless symbol. */
	VI(SYMBOL, STRING, symbol, STR_EMPTY, STR(KABIGUARD_SYMBOL_MAX),
	   .flags = KGC_F_REQUIRED),
	VI(NAMESPACE, STRING, ns, STR, .key = "namespace",
	   STR(KABIGUARD_NAMESPACE_MAX), .text = " ns=%s"),
	VI(EXPORTER, STRING, exporter, STR, STR(KABIGUARD_MODNAME_MAX),
	   .text = " from=%s"),
	VI(REASON, U32, reason, NAME, NAME(kgc_reason_u32),
	   U32(struct kgc_violation, reason), .flags = KGC_F_REQUIRED,
	   .text = ": %s"),
	VI(KERNEL_CRC, U32, kernel_crc, HEX,
	   .aux = offsetof(struct kgc_violation, has_kernel_crc),
	   .text = " kernel-crc=%s"),
	VI(RULE_CRC, U32, rule_crc, HEX,
	   .aux = offsetof(struct kgc_violation, has_rule_crc),
	   .text = " rule-crc=%s"),
	/* KABIGUARD_VIOL_A_FLAGS: which names the kernel cut short. */
	VBIT("symbol_truncated", KABIGUARD_VIOLF_SYMBOL_TRUNC),
	VBIT("namespace_truncated", KABIGUARD_VIOLF_NAMESPACE_TRUNC),
	VBIT("exporter_truncated", KABIGUARD_VIOLF_EXPORTER_TRUNC),
	VI(FLAGS, U32, flags, NUM),
};

const struct kgc_attr_set kgc_violation_attrs = {
	.f = kgc_violation_fields,
	.nr = sizeof(kgc_violation_fields) / sizeof(kgc_violation_fields[0]),
	.maxtype = KABIGUARD_VIOL_A_MAX,
	.exact = true,
	.where = "KABIGUARD_A_VIOLATION",
	.missing = "KABIGUARD_A_VIOLATION: no KABIGUARD_VIOL_A_SYMBOL or KABIGUARD_VIOL_A_REASON",
};
